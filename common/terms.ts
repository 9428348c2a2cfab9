import * as Y from 'yjs'

/**
 * The live terms document of a contract (`contract:<id>:terms`), as both parties edit it:
 *
 * - `terms`: Y.Map with `currency` (ISO 4217 string), `price` (fixed price, integer minor
 *   units, or null), `hourlyRate` (integer minor units per hour, or null),
 *   `weeklyLimitMinutes` (integer or null = no limit), `manualTimeAllowed` (boolean)
 * - `milestones`: Y.Array of Y.Map, each `title` (string), `amount` (integer minor units),
 *   `dueDate` (`YYYY-MM-DD`, or null / empty for none)
 * - `scope`: Y.Text, the scope of work
 *
 * Clients may write anything into it; what counts is validated when a party proposes it
 * (`POST /api/v1/contracts/:id/terms/versions`) against the plan rules of
 * `milestone-plan.ts`. This file is the one definition of the shape: the server seeds and
 * reads through it too.
 */
export interface TermsMilestone {
  title: string
  amount: number
  /** Optional: null when the milestone has no due date. */
  dueDate: string | null
}

export interface TermsData {
  currency: string
  price: number | null
  hourlyRate: number | null
  weeklyLimitMinutes: number | null
  manualTimeAllowed: boolean
  milestones: TermsMilestone[]
  scope: string
}

/** What the document holds right now, unvalidated (a client may have written anything). */
export interface TermsDraft {
  currency: unknown
  price: unknown
  hourlyRate: unknown
  weeklyLimitMinutes: unknown
  manualTimeAllowed: unknown
  milestones: Array<{ title: unknown; amount: unknown; dueDate: unknown }>
  scope: string
}

export const termsMap = (doc: Y.Doc) => doc.getMap<unknown>('terms')
export const milestonesArray = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>('milestones')
export const scopeText = (doc: Y.Doc) => doc.getText('scope')

/** Reads the draft as plain data. */
export function readTerms(doc: Y.Doc): TermsDraft {
  const terms = termsMap(doc)
  const value = (key: string) => (terms.has(key) ? terms.get(key) : null)
  return {
    currency: value('currency'),
    price: value('price'),
    hourlyRate: value('hourlyRate'),
    weeklyLimitMinutes: value('weeklyLimitMinutes'),
    manualTimeAllowed: value('manualTimeAllowed'),
    milestones: milestonesArray(doc)
      .toArray()
      .map((m) =>
        m instanceof Y.Map
          ? { title: m.get('title') ?? null, amount: m.get('amount') ?? null, dueDate: m.get('dueDate') ?? null }
          : { title: null, amount: null, dueDate: null },
      ),
    scope: scopeText(doc).toString(),
  }
}

export function milestoneMap(milestone: TermsMilestone): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  map.set('title', milestone.title)
  map.set('amount', milestone.amount)
  map.set('dueDate', milestone.dueDate)
  return map
}

/** Writes complete terms into a document (seeding, or a client replacing the draft). */
export function writeTerms(doc: Y.Doc, data: TermsData): void {
  doc.transact(() => {
    const terms = termsMap(doc)
    terms.set('currency', data.currency)
    terms.set('price', data.price)
    terms.set('hourlyRate', data.hourlyRate)
    terms.set('weeklyLimitMinutes', data.weeklyLimitMinutes)
    terms.set('manualTimeAllowed', data.manualTimeAllowed)
    const milestones = milestonesArray(doc)
    if (milestones.length > 0) milestones.delete(0, milestones.length)
    milestones.push(data.milestones.map(milestoneMap))
    const scope = scopeText(doc)
    if (scope.length > 0) scope.delete(0, scope.length)
    scope.insert(0, data.scope)
  })
}
