import type { ComponentChildren } from 'preact'
import { useEffect, useId, useRef, useState } from 'preact/hooks'

/** One question before a money-moving action. */
export interface ConfirmRequest {
  /** The heading: what the button does, with the amount ("Release $250.00?"). */
  title: string
  /** What happens, in full ("Release $250.00 to the freelancer? This cannot be undone."). */
  message: ComponentChildren
  /** Runs after Confirm, once the dialog has closed. */
  onConfirm(): void
}

/**
 * A confirmation for money buttons: `ask(request)` opens a modal `<dialog>` that states the
 * amount and what happens, with Confirm and Cancel. Escape or Cancel closes it and nothing
 * happens; either way focus returns to what opened it. Render `dialog` where the button is.
 */
export function useConfirm(): { ask(request: ConfirmRequest): void; dialog: ComponentChildren } {
  const [request, setRequest] = useState<ConfirmRequest | null>(null)
  return {
    ask: setRequest,
    dialog: request && <ConfirmDialog request={request} onClosed={() => setRequest(null)} />,
  }
}

function ConfirmDialog({ request, onClosed }: { request: ConfirmRequest; onClosed(): void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const cancel = useRef<HTMLButtonElement>(null)
  const confirmed = useRef(false)
  const id = useId()
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const dialog = ref.current!
    dialog.showModal()
    // Cancel first: Enter or a double click never moves money by accident.
    cancel.current?.focus()
    return () => {
      if (dialog.open) dialog.close()
      opener?.focus()
    }
  }, [])
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-message`}
      data-testid="confirm-dialog"
      onClose={() => {
        onClosed()
        if (confirmed.current) request.onConfirm()
      }}
    >
      <h2 id={`${id}-title`}>{request.title}</h2>
      <p id={`${id}-message`}>{request.message}</p>
      <div class="actions">
        <button
          type="button"
          class="button button--primary"
          onClick={() => {
            confirmed.current = true
            ref.current!.close()
          }}
        >
          Confirm
        </button>
        <button type="button" class="button" ref={cancel} onClick={() => ref.current!.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  )
}
