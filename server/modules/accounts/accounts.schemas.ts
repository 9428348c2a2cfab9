import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox'
import { CurrencyCode } from '../../http/schemas.js'

export const Email = Type.String({ format: 'email', maxLength: 254 })
export const Password = Type.String({ minLength: 10, maxLength: 256, description: 'At least 10 characters' })
export const DisplayName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })

export const RegisterBody = Type.Object(
  { email: Email, password: Password, name: DisplayName },
  { additionalProperties: false },
)
export const LoginBody = Type.Object(
  { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
)
/** The most portfolio links a profile shows. */
export const MAX_PORTFOLIO_LINKS = 10

/** A link to past work: an absolute http(s) address, never `javascript:` or `data:` (checked by the route: the profile renders it as a link). */
export const PortfolioLink = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'What it is' }),
    url: Type.String({ minLength: 1, maxLength: 500, description: 'An http:// or https:// address' }),
  },
  { additionalProperties: false },
)

export const ProfileBody = Type.Object(
  {
    name: Type.Optional(DisplayName),
    headline: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    bio: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
    skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 })),
    hourlyRate: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100_000_000 }), Type.Null()])),
    rateCurrency: Type.Optional(CurrencyCode),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    portfolioLinks: Type.Optional(
      Type.Array(PortfolioLink, {
        maxItems: MAX_PORTFOLIO_LINKS,
        description: `Up to ${MAX_PORTFOLIO_LINKS} links to past work; replaces the whole list`,
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)

const publicFields = {
  id: Type.String(),
  name: Type.String(),
  headline: Type.Union([Type.String(), Type.Null()]),
  bio: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Array(Type.String()),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  rateCurrency: Type.String(),
  timeZone: Type.String(),
  portfolioLinks: Type.Array(Type.Object({ title: Type.String(), url: Type.String() })),
  createdAt: Type.String({ format: 'date-time' }),
}
export const PublicUser = Type.Object(publicFields)
/** `GET /api/v1/users/:id`: the public fields plus the optional ones other modules add (e.g. reputation). */
export function publicProfileSchema(fields: Readonly<Record<string, TSchema>>) {
  const added = Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, Type.Optional(schema)]))
  return Type.Object({ ...publicFields, ...added })
}
export const PrivateUser = Type.Object({
  ...publicFields,
  email: Type.String(),
  role: Type.String(),
  /** When the address was last confirmed from a mailed link; null until then (docs/accounts.md). */
  emailVerifiedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export const AuthResponse = Type.Object({
  user: PrivateUser,
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
})

export type PublicUserDto = Static<typeof PublicUser>
export type PrivateUserDto = Static<typeof PrivateUser>
