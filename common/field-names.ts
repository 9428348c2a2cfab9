/**
 * A request field's path (`milestones.1.amount`, `budgetMin`) in the words a person reads
 * ("Milestone 2 amount", "Minimum budget"). The server says which field an error is about with
 * it (the `label` of each entry of `errors`, and the message), and the web app uses it for a
 * problem it cannot put beside a field of the form. The path itself stays in `field`, for programs.
 */

/** Names that do not read well split at their capitals. */
const names: Record<string, string> = {
  budgetMin: 'minimum budget',
  budgetMax: 'maximum budget',
  minBudget: 'minimum budget',
  maxBudget: 'maximum budget',
  rateMin: 'minimum hourly rate',
  rateMax: 'maximum hourly rate',
  bidAmount: 'bid',
  weeklyLimitMinutes: 'weekly limit',
  manualTimeAllowed: 'manual time',
  dueDate: 'due date',
  freelancerAmount: "freelancer's share",
  freelancerId: 'freelancer',
  clientId: 'client',
  contractId: 'contract',
  counterpartyId: 'other party',
  threadId: 'thread',
  fileIds: 'files',
  attachmentFileIds: 'attachments',
  eventTypes: 'event types',
  portfolioLinks: 'portfolio links',
  url: 'web address',
  uri: 'web address',
  timeZone: 'time zone',
  rateCurrency: 'rate currency',
  platformFeeBps: 'platform fee',
  from: 'start date',
  to: 'end date',
}

/** `paymentPromptness` -> `payment promptness`. */
const spaced = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()

/** `milestones` -> `milestone`: what one entry of a list is called. */
const singular = (noun: string) => noun.replace(/ies$/, 'y').replace(/(?<!s)s$/, '')

/** `milestones.1.amount` -> `Milestone 2 amount`; `''` (the request as a whole) -> `The request`. */
export function fieldInWords(path: string): string {
  const words: string[] = []
  for (const part of path.split('.').filter(Boolean)) {
    if (/^\d+$/.test(part)) {
      // A list entry: people count from 1.
      const list = words.pop()
      words.push(`${list ? singular(list) : 'entry'} ${Number(part) + 1}`)
    } else words.push(Object.hasOwn(names, part) ? names[part]! : spaced(part))
  }
  const text = words.join(' ')
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : 'The request'
}
