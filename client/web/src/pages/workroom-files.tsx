import { useState } from 'preact/hooks'
import type { StoredFile, Workroom } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatBytes, formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { errorText } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty } from '../ui/states.js'
import { Uploader } from '../ui/uploader.js'

/** Every file the reader may see in the workroom, every version, with upload and delete. */
export function FilesTab({ hub, userId }: { hub: Workroom; userId: string }) {
  const notify = useNotify()
  const files = useLoad(
    () => ok(api.GET('/api/v1/workrooms/{id}/files', { params: { path: { id: hub.id }, query: { limit: 100 } } })),
    [hub.id],
  )
  const [error, setError] = useState<unknown>(null)
  useEvents(
    (frame) => {
      if (frame.workroomId === hub.id && (frame.type === 'file.uploaded' || frame.type === 'file.deleted'))
        void files.reload()
    },
    () => void files.reload(),
  )
  const remove = async (file: StoredFile) => {
    setError(null)
    try {
      await ok(api.DELETE('/api/v1/files/{id}', { params: { path: { id: file.id } } }))
      notify(`${file.name} deleted`)
      void files.reload()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section>
      <div class="actions">
        {hub.role === 'client' ? (
          <Uploader
            workroomId={hub.id}
            label="Share a file with the whole workroom"
            onUploaded={(f) => (notify(`${f.name} uploaded`), void files.reload())}
          />
        ) : (
          hub.threadId && (
            <Uploader
              workroomId={hub.id}
              threadId={hub.threadId}
              label="Upload a file"
              onUploaded={(f) => (notify(`${f.name} uploaded`), void files.reload())}
            />
          )
        )}
      </div>
      {error !== null && (
        <p class="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
      <Async state={files} label="Loading files…">
        {(list) =>
          list.items.length === 0 ? (
            <Empty>No files yet.</Empty>
          ) : (
            <table class="table" data-testid="files">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Version</th>
                  <th scope="col" class="num">
                    Size
                  </th>
                  <th scope="col">Shared with</th>
                  <th scope="col">Uploaded</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <a href={`/api/v1/files/${f.id}/content`}>{f.name}</a>
                      <br />
                      <span class="muted">{f.contentType}</span>
                    </td>
                    <td>v{f.version}</td>
                    <td class="num">{formatBytes(f.size)}</td>
                    <td>{f.scope === 'workroom' ? 'Everyone in the workroom' : 'One thread'}</td>
                    <td>{formatDateTime(f.createdAt)}</td>
                    <td>
                      {(f.uploaderId === userId || hub.role === 'client') && (
                        <button
                          type="button"
                          class="button button--small button--danger"
                          aria-label={`Delete ${f.name} v${f.version}`}
                          onClick={() => void remove(f)}
                        >
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </section>
  )
}
