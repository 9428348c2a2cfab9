// Shared steps for marketplace tests: post and publish a job, propose, hire, all through
// the HTTP API, failing loudly when a step does not answer as expected.
import type { TestApp } from './helper.js'

type Call = TestApp['call']

export const fixedJob = {
  title: 'Build a landing page',
  description: 'A responsive marketing site in TypeScript and CSS.',
  skills: ['typescript', 'css'],
  arrangement: 'fixed',
  currency: 'USD',
  budgetMin: 50_000,
  budgetMax: 100_000,
  visibility: 'public',
} as const

export const hourlyJob = {
  title: 'Ongoing React help',
  description: 'Maintain a React dashboard, a few hours a week.',
  skills: ['react'],
  arrangement: 'hourly',
  currency: 'USD',
  rateMin: 3_000,
  rateMax: 6_000,
  visibility: 'public',
} as const

/** Calls the API and returns the JSON body; throws unless the answer has `status`. */
export async function expect(call: Call, status: number, options: Parameters<Call>[0]) {
  const response = await call(options)
  if (response.statusCode !== status) {
    throw new Error(`${options.method} ${options.url}: expected ${status}, got ${response.statusCode} ${response.body}`)
  }
  return response.json()
}

export async function postJob(
  call: Call,
  token: string,
  job: Record<string, unknown> = fixedJob,
  options: { publish?: boolean } = {},
) {
  const created = await expect(call, 201, { method: 'POST', url: '/api/v1/jobs', token, payload: job })
  if (options.publish === false) return created
  return expect(call, 200, { method: 'POST', url: `/api/v1/jobs/${created.id}/publish`, token })
}

export function propose(
  call: Call,
  token: string,
  jobId: string,
  proposal: Record<string, unknown> = { coverLetter: 'I can do this.', bidAmount: 80_000, estimatedDays: 14 },
) {
  return expect(call, 201, { method: 'POST', url: `/api/v1/jobs/${jobId}/proposals`, token, payload: proposal })
}

export function hire(call: Call, token: string, proposalId: string) {
  return expect(call, 201, { method: 'POST', url: `/api/v1/proposals/${proposalId}/hire`, token })
}

export function act(call: Call, token: string, url: string, status = 200) {
  return expect(call, status, { method: 'POST', url, token })
}

export function invite(call: Call, token: string, jobId: string, freelancerId: string) {
  return expect(call, 201, { method: 'POST', url: `/api/v1/jobs/${jobId}/invites`, token, payload: { freelancerId } })
}
