import { Type } from '@fastify/type-provider-typebox'

export const TwoFactorStatus = Type.Object({
  enabled: Type.Boolean(),
  enabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  recoveryCodesLeft: Type.Integer({ minimum: 0 }),
})

/** What `POST /api/v1/auth/login` answers (202) when the account has two-factor sign-in on. */
export const TwoFactorChallenge = Type.Object({
  twoFactorRequired: Type.Literal(true),
  challenge: Type.String({ description: 'Send it with a code to POST /api/v1/sessions/2fa' }),
  expiresAt: Type.String({ format: 'date-time' }),
})
