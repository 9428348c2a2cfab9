import type { paths } from './openapi.js'

/** The JSON answer of a route for a status (200 by default). */
export type Answer<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R
}
  ? R extends Record<S, { content: { 'application/json': infer B } }>
    ? B
    : never
  : never

/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } }
}
  ? B
  : never

type Item<L> = L extends { items: Array<infer I> } ? I : never

export type User = Answer<'/api/v1/me', 'get'>
export type PublicUser = Answer<'/api/v1/users/{id}', 'get'>
export type Job = Answer<'/api/v1/jobs/{id}', 'get'>
export type NewJob = Body<'/api/v1/jobs', 'post'>
export type Proposal = Answer<'/api/v1/proposals/{id}', 'get'>
export type Contract = Answer<'/api/v1/contracts/{id}', 'get'>
export type Workroom = Answer<'/api/v1/workrooms/{id}', 'get'>
export type Thread = Item<Answer<'/api/v1/workrooms/{id}/threads', 'get'>>
export type Message = Answer<'/api/v1/threads/{id}/messages', 'post', 201>
export type StoredFile = Answer<'/api/v1/workrooms/{id}/files', 'post', 201>
export type ActivityEntry = Item<Answer<'/api/v1/workrooms/{id}/activity', 'get'>>
export type Wallet = Answer<'/api/v1/wallet', 'get'>
export type Deposit = Answer<'/api/v1/wallet/deposits', 'post', 201>
export type Withdrawal = Answer<'/api/v1/wallet/withdrawals', 'post', 201>
export type TermsVersion = Answer<'/api/v1/contracts/{id}/terms/versions', 'post', 201>
export type Milestone = Answer<'/api/v1/milestones/{id}', 'get'>
export type Dispute = Answer<'/api/v1/disputes/{id}', 'get'>
export type Invoice = Answer<'/api/v1/invoices/{id}', 'get'>
export type InvoiceList = Answer<'/api/v1/invoices', 'get'>
export type InvoiceListItem = InvoiceList['items'][number]
export type InvoiceTotals = InvoiceList['totals'][number]
export type StatusReport = Answer<'/api/v1/contracts/{id}/status-reports', 'post', 201>
export type WeekSegments = Answer<'/api/v1/contracts/{id}/segments', 'get'>
export type Segment = WeekSegments['segments'][number]
export type Screenshot = Answer<'/api/v1/contracts/{id}/screenshots', 'post', 201>
export type WorkViewSettings = Answer<'/api/v1/contracts/{id}/workview', 'get'>
export type Timesheet = Answer<'/api/v1/timesheets/{id}', 'get'>
export type SegmentUpload = Body<'/api/v1/contracts/{id}/segments', 'put'>['segments'][number]
