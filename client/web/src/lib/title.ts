import { useEffect } from 'preact/hooks'

/**
 * Sets the tab's title to `<title> · Workroom` while the page is shown; `undefined` (data still
 * loading) leaves the previous title until the page knows its own.
 */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    if (title !== undefined) document.title = `${title} · Workroom`
  }, [title])
}
