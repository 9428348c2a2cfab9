// Who may be answered with a success on each route, for the access-control matrix
// (access-matrix.test.ts). A route not listed here is for the two parties of the contract,
// job or workroom it names: anyone else must be refused. Routes that are for someone else
// (the public, any signed-in user, operators, one side only) are listed; a new route that
// lets anyone else through fails the matrix until it is listed here.

export const ROLES = ['anonymous', 'stranger', 'otherParty', 'client', 'freelancer', 'operator'] as const
export type Role = (typeof ROLES)[number]

const everyone: Role[] = [...ROLES]
const signedIn: Role[] = ['stranger', 'otherParty', 'client', 'freelancer', 'operator']
const operator: Role[] = ['operator']
const client: Role[] = ['client']
const freelancer: Role[] = ['freelancer']
/** The default: the client and the freelancer of the object the route names. */
export const parties: Role[] = ['client', 'freelancer']

/** `METHOD /openapi/path` -> the roles that may succeed. */
export const allowed: Record<string, Role[]> = {
  // Public: health, sign-up and sign-in, public profiles and job search.
  'GET /healthz': everyone,
  'GET /readyz': everyone,
  'POST /api/v1/auth/register': everyone,
  'POST /api/v1/auth/login': everyone,
  // The sign-in code step: the challenge is the credential (401 without a live one).
  'POST /api/v1/sessions/2fa': everyone,
  'GET /api/v1/users/{id}': everyone,
  'GET /api/v1/jobs': everyone,
  'GET /api/v1/jobs/{id}': everyone,
  'GET /api/v1/freelancers': everyone,
  // Feedback a person received, revealed only: public like the profile it belongs to.
  'GET /api/v1/users/{id}/feedback': everyone,
  // Answers alike whether or not an account uses the address (no account is revealed).
  'POST /api/v1/password-reset': everyone,
  // Always 426 over plain HTTP (the WebSocket upgrade is tested in the real-time suites).
  'GET /api/v1/docs/{docName}': everyone,

  // Any signed-in user, about themselves.
  'POST /api/v1/auth/logout': signedIn,
  'GET /api/v1/me': signedIn,
  'PATCH /api/v1/me': signedIn,
  // Notifications: each person's own (others' ids match nothing); unsubscribe needs only its signed token.
  // A link to one's own address; one's own money history (no user is named in the request).
  'POST /api/v1/me/verify-email/send': signedIn,
  'GET /api/v1/wallet/history': signedIn,
  'GET /api/v1/wallet/history.csv': signedIn,
  'GET /api/v1/notifications': signedIn,
  'POST /api/v1/notifications/read': signedIn,
  'GET /api/v1/me/notification-preferences': signedIn,
  'PUT /api/v1/me/notification-preferences': signedIn,
  'GET /api/v1/me/2fa': signedIn,
  'POST /api/v1/me/2fa/setup': signedIn,
  'POST /api/v1/me/2fa/enable': signedIn,
  'POST /api/v1/me/2fa/disable': signedIn,
  'GET /api/v1/me/sessions': signedIn,
  'DELETE /api/v1/me/sessions/{id}': signedIn,
  // Webhooks: anyone signed in registers and lists their own; an endpoint and its deliveries
  // are its owner's only (the world's endpoint is the client's).
  'GET /api/v1/webhooks/event-types': signedIn,
  'POST /api/v1/webhooks': signedIn,
  'GET /api/v1/webhooks': signedIn,
  'GET /api/v1/webhooks/{id}': client,
  'PATCH /api/v1/webhooks/{id}': client,
  'DELETE /api/v1/webhooks/{id}': client,
  'POST /api/v1/webhooks/{id}/rotate-secret': client,
  'GET /api/v1/webhooks/{id}/deliveries': client,
  'GET /api/v1/webhooks/{id}/deliveries/{deliveryId}': client,
  'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': client,
  'POST /api/v1/realtime/tickets': signedIn,
  'GET /api/v1/events': signedIn,
  'GET /api/v1/wallet': signedIn,
  'POST /api/v1/wallet/deposits': signedIn,
  'GET /api/v1/wallet/deposits': signedIn,
  'POST /api/v1/wallet/withdrawals': signedIn,
  'GET /api/v1/wallet/withdrawals': signedIn,
  'POST /api/v1/jobs': signedIn,
  'GET /api/v1/me/jobs': signedIn,
  'GET /api/v1/me/proposals': signedIn,
  'GET /api/v1/me/contracts': signedIn,
  'GET /api/v1/invoices': signedIn,
  'GET /api/v1/invoices.csv': signedIn,
  // Anyone but the job's client may bid on a public job.
  'POST /api/v1/jobs/{id}/proposals': ['stranger', 'otherParty', 'freelancer', 'operator'],

  // Operators.
  'GET /api/v1/admin/users': operator,
  'POST /api/v1/admin/users/{id}/role': operator,
  'GET /api/v1/admin/settings': operator,
  'PATCH /api/v1/admin/settings': operator,
  'GET /api/v1/admin/settings/changes': operator,
  'GET /api/v1/ledger/verify': operator,
  'POST /api/v1/admin/deposits/{id}/confirm': operator,
  'POST /api/v1/admin/deposits/{id}/cancel': operator,
  'POST /api/v1/admin/withdrawals/{id}/confirm': operator,
  'POST /api/v1/admin/withdrawals/{id}/reject': operator,
  'GET /api/v1/admin/deposits': operator,
  'GET /api/v1/admin/withdrawals': operator,
  'POST /api/v1/admin/invoices/{id}/void': operator,
  'POST /api/v1/admin/timesheet-disputes/{id}/decide': operator,
  'POST /api/v1/admin/disputes/{id}/decide': operator,
  'GET /api/v1/admin/disputes': operator,

  // Operators also read what money disputes are decided on, besides the two parties.
  'GET /api/v1/invoices/{id}': [...parties, 'operator'],
  'GET /api/v1/invoices/{id}/html': [...parties, 'operator'],
  'GET /api/v1/contracts/{id}/milestones': [...parties, 'operator'],
  'GET /api/v1/milestones/{id}': [...parties, 'operator'],
  'GET /api/v1/contracts/{id}/holds': [...parties, 'operator'],
  'GET /api/v1/milestones/{id}/disputes': [...parties, 'operator'],
  'GET /api/v1/disputes/{id}': [...parties, 'operator'],
  'GET /api/v1/contracts/{id}/status-reports': [...parties, 'operator'],

  // One side only (a freelancer reading a job's proposals sees only their own): the job's client...
  'PATCH /api/v1/jobs/{id}': client,
  'POST /api/v1/jobs/{id}/publish': client,
  'POST /api/v1/jobs/{id}/close': client,
  'POST /api/v1/jobs/{id}/cancel': client,
  'POST /api/v1/jobs/{id}/invites': client,
  'POST /api/v1/proposals/{id}/shortlist': client,
  'POST /api/v1/proposals/{id}/decline': client,
  'POST /api/v1/proposals/{id}/hire': client,
  'POST /api/v1/milestones/{id}/fund': client,
  'POST /api/v1/milestones/{id}/approve': client,
  'POST /api/v1/milestones/{id}/request-changes': client,
  // ...or the freelancer.
  'PATCH /api/v1/proposals/{id}': freelancer,
  'POST /api/v1/proposals/{id}/withdraw': freelancer,
  'POST /api/v1/contracts/{id}/accept': freelancer,
  'POST /api/v1/contracts/{id}/decline': freelancer,
  'POST /api/v1/milestones/{id}/submit': freelancer,
  'POST /api/v1/contracts/{id}/screenshots': freelancer,
  'POST /api/v1/contracts/{id}/workview/segment': freelancer,
  'POST /api/v1/contracts/{id}/status-reports': freelancer,
}

/** What each path parameter names, by the segment before it (`/contracts/{id}` -> contract). */
export const resourceOf: Record<string, string> = {
  jobs: 'job',
  proposals: 'proposal',
  contracts: 'contract',
  workrooms: 'workroom',
  threads: 'thread',
  files: 'file',
  users: 'user',
  milestones: 'milestone',
  invoices: 'invoice',
  deposits: 'deposit',
  withdrawals: 'withdrawal',
  disputes: 'dispute',
  'timesheet-disputes': 'timesheetDispute',
  timesheets: 'timesheet',
  screenshots: 'screenshot',
  'status-reports': 'statusReport',
  feedback: 'feedback',
  versions: 'termsVersion',
  docs: 'docName',
  // One's own sessions only (the world has none to name: a random id, 404 to everyone).
  sessions: 'session',
  webhooks: 'webhook',
  deliveries: 'webhookDelivery',
}
