import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Bus } from '../../plugins/bus.js'
import { defineErrors } from '../../http/errors.js'
import { parseTimeIdCursor, timeIdPage } from '../../http/page-cursor.js'
import { ErrorBody, IdParams, PageQuery } from '../../http/schemas.js'
import { requireSession } from './accounts.auth.js'
import { createAdminUsersRepository } from './accounts.admin.repository.js'
import type { UserRow } from './accounts.repository.js'
import { USER_CHANGED_TOPIC, type AccountsService } from './accounts.service.js'

const adminErrors = defineErrors({
  ownRole: [409, 'accounts.own_role', 'You cannot change your own role; ask another operator'],
  notFound: [404, 'accounts.user_not_found', 'User not found'],
})

const Role = Type.Union([Type.Literal('user'), Type.Literal('operator')])
const AdminUser = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  role: Role,
  createdAt: Type.String({ format: 'date-time' }),
})
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }

const toAdminUser = (user: UserRow) => ({
  id: user.id,
  name: user.name,
  email: user.email,
  role: user.role as 'user' | 'operator',
  createdAt: user.createdAt.toISOString(),
})

/** Operators: the list of accounts (search by a part of the name or email, by role) and each one's role. */
export const adminUsersRoutes: FastifyPluginAsyncTypebox<{
  accounts: Pick<AccountsService, 'forgetCached'>
  bus: Pick<Bus, 'publish'>
  now: () => Date
}> = async (app, { accounts, bus, now }) => {
  const repository = createAdminUsersRepository(app.db)

  app.get(
    '/api/v1/admin/users',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['accounts'],
        summary: 'Accounts, newest first (operators): `q` finds a part of the name or email, `role` filters',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 100 })),
            role: Type.Optional(Role),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(AdminUser), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { q, role, limit = 20, cursor } = request.query
      const rows = await repository.page({
        ...(q?.trim() ? { q: q.trim() } : {}),
        ...(role ? { role } : {}),
        after: cursor ? parseTimeIdCursor(cursor) : null,
        limit: limit + 1,
      })
      const page = timeIdPage(rows, limit)
      return { items: page.items.map(toAdminUser), nextCursor: page.nextCursor }
    },
  )

  app.post(
    '/api/v1/admin/users/:id/role',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['accounts'],
        summary: "Make an account an operator, or a user again (operators; never one's own)",
        params: IdParams,
        body: Type.Object({ role: Role }, { additionalProperties: false }),
        response: { 200: AdminUser, ...errors },
      },
    },
    async (request) => {
      if (request.params.id === requireSession(request).user.id) throw adminErrors.ownRole()
      const user = await repository.setRole(request.params.id, request.body.role, now())
      if (!user) throw adminErrors.notFound()
      // Cached sessions carry the role: drop them here and on every other instance.
      accounts.forgetCached({ userId: user.id })
      await bus.publish(USER_CHANGED_TOPIC, { userId: user.id }).catch(() => {})
      return toAdminUser(user)
    },
  )
}
