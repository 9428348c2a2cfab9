import { usePageTitle } from '../lib/title.js'

export function NotFound() {
  usePageTitle('Page not found')
  return (
    <section class="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/">Back to the job board</a>
      </p>
    </section>
  )
}
