import { useRef, useState } from 'preact/hooks'
import { upload } from '../../../sdk/upload.js'
import type { StoredFile } from '../../../sdk/types.js'
import { formatBytes } from '../lib/format.js'
import { errorText } from './forms.js'
import { Progress } from './states.js'

/**
 * Picks files and uploads them one by one to a workroom, with a progress bar each.
 * `threadId` puts them in that private thread; without it the client shares workroom-wide.
 */
export function Uploader({
  workroomId,
  threadId,
  onUploaded,
  label = 'Attach files',
}: {
  workroomId: string
  threadId?: string | null
  onUploaded(file: StoredFile): void
  label?: string
}) {
  const input = useRef<HTMLInputElement>(null)
  const [current, setCurrent] = useState<{ name: string; loaded: number; total: number } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const id = `upload-${threadId ?? 'workroom'}`

  const send = async (files: FileList | null) => {
    if (!files?.length) return
    setError(null)
    for (const file of Array.from(files)) {
      const form = new FormData()
      if (threadId) form.append('threadId', threadId)
      else form.append('scope', 'workroom')
      form.append('file', file, file.name)
      setCurrent({ name: file.name, loaded: 0, total: file.size })
      try {
        const stored = await upload<StoredFile>({
          url: `/api/v1/workrooms/${workroomId}/files`,
          form,
          onProgress: (loaded, total) => setCurrent({ name: file.name, loaded, total }),
        })
        onUploaded(stored)
      } catch (err) {
        setError(`${file.name}: ${errorText(err)}`)
        break
      }
    }
    setCurrent(null)
    if (input.current) input.current.value = ''
  }

  return (
    <div class="uploader">
      <label for={id} class="button">
        {label}
      </label>
      <input
        id={id}
        ref={input}
        type="file"
        multiple
        class="visually-hidden"
        onChange={(e) => void send(e.currentTarget.files)}
      />
      {current && (
        <Progress
          loaded={current.loaded}
          total={current.total}
          label={`Uploading ${current.name} (${formatBytes(current.total)})`}
        />
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
