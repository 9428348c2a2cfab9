import { useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { formatDate } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { usePageTitle } from '../lib/title.js'
import { useConfirm } from '../ui/confirm.js'
import { errorText, SelectField, TextField } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge, Empty, Loading } from '../ui/states.js'

type Role = 'user' | 'operator'
type RoleFilter = '' | Role

/** Operators: every account, searchable by a part of the name or email and by role; each one's role. */
export function OperatorUsersPage() {
  const user = useRequireUser()
  usePageTitle('Accounts · Operator')
  const [text, setText] = useState('')
  const [query, setQuery] = useState<{ q: string; role: RoleFilter; cursor: string | null }>({
    q: '',
    role: '',
    cursor: null,
  })
  const list = useLoad(
    () =>
      ok(
        api.GET('/api/v1/admin/users', {
          params: {
            query: {
              limit: 50,
              ...(query.q ? { q: query.q } : {}),
              ...(query.role ? { role: query.role } : {}),
              ...(query.cursor ? { cursor: query.cursor } : {}),
            },
          },
        }),
      ),
    [query.q, query.role, query.cursor],
  )
  const confirm = useConfirm()
  const notify = useNotify()
  const [error, setError] = useState<unknown>(null)
  if (!user) return <Loading />
  if (user.role !== 'operator')
    return (
      <section class="page narrow">
        <h1>Accounts</h1>
        <p>Only operators can open this page.</p>
      </section>
    )
  const setRole = async (id: string, name: string, role: Role) => {
    setError(null)
    try {
      await ok(api.POST('/api/v1/admin/users/{id}/role', { params: { path: { id } }, body: { role } }))
      notify(role === 'operator' ? `${name} is an operator now` : `${name} is a user again`)
      void list.reload()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section class="page">
      <h1>Accounts</h1>
      <p>
        <a href="/operator">Operator console</a>
      </p>
      <form
        class="two-col"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          setQuery({ ...query, q: text.trim(), cursor: null })
        }}
      >
        <TextField id="users-q" label="Name or email contains" type="search" value={text} onValue={setText} />
        <SelectField<RoleFilter>
          id="users-role"
          label="Role"
          value={query.role}
          onValue={(role) => setQuery({ ...query, role, cursor: null })}
          options={[
            { value: '', label: 'Any' },
            { value: 'user', label: 'Users' },
            { value: 'operator', label: 'Operators' },
          ]}
        />
        <button type="submit" class="button">
          Search
        </button>
      </form>
      {error !== null && (
        <p class="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
      <Async state={list} label="Loading accounts…">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No account matches.</Empty>
          ) : (
            <div class="table-scroll">
              <table class="table" data-testid="accounts">
                <caption class="visually-hidden">Accounts, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Since</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((account) => {
                    const next: Role = account.role === 'operator' ? 'user' : 'operator'
                    return (
                      <tr key={account.id}>
                        <td>
                          <a href={`/users/${account.id}`}>{account.name}</a>
                        </td>
                        <td>{account.email}</td>
                        <td>{account.role === 'operator' ? <Badge tone="info">Operator</Badge> : 'User'}</td>
                        <td>{formatDate(account.createdAt)}</td>
                        <td>
                          {account.id !== user.id && (
                            <button
                              type="button"
                              class="button button--small"
                              onClick={() =>
                                confirm.ask({
                                  title:
                                    next === 'operator'
                                      ? `Make ${account.name} an operator?`
                                      : `Make ${account.name} a user?`,
                                  message:
                                    next === 'operator'
                                      ? `${account.name} will confirm deposits and withdrawals, decide disputes and change settings for everyone.`
                                      : `${account.name} loses the operator console at once.`,
                                  onConfirm: () => void setRole(account.id, account.name, next),
                                })
                              }
                            >
                              {next === 'operator' ? 'Make operator' : 'Make user'}
                            </button>
                          )}
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      {list.data?.nextCursor && (
        <button type="button" class="button" onClick={() => setQuery({ ...query, cursor: list.data!.nextCursor })}>
          Next page
        </button>
      )}
      {confirm.dialog}
    </section>
  )
}
