import { createApi, ok } from '../../../sdk/api.js'

/** The app's one API client: same origin, session cookie. */
export const api = createApi()
export { ok }
export { ApiError } from '../../../sdk/api.js'

// Money-moving requests carry an Idempotency-Key: send them through useIdempotentSend (idempotency.ts).
