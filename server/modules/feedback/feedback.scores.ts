/**
 * The rating criteria and how they make a score. A score is an integer in hundredths
 * (100-500 = 1.00-5.00) so it is exact and compares exactly; the API shows it divided by 100.
 * The database recomputes both formulas in CHECK constraints (db/schema/feedback.ts).
 */

/** Freelancer criteria and their weights in percent (they sum to 100). */
export const FREELANCER_WEIGHTS = {
  quality: 30,
  responsiveness: 20,
  professionalism: 15,
  expertise: 15,
  schedule: 10,
  cost: 10,
} as const

/** Client criteria, equally weighted. */
export const CLIENT_CRITERIA = ['clarity', 'communication', 'paymentPromptness'] as const

export type FreelancerRatings = Record<keyof typeof FREELANCER_WEIGHTS, number>
export type ClientRatings = Record<(typeof CLIENT_CRITERIA)[number], number>

/** Σ weight × rating: the weights sum to 100, so this is the score × 100 exactly. */
export function freelancerScore(ratings: FreelancerRatings): number {
  return (Object.keys(FREELANCER_WEIGHTS) as Array<keyof typeof FREELANCER_WEIGHTS>).reduce(
    (sum, key) => sum + FREELANCER_WEIGHTS[key] * ratings[key],
    0,
  )
}

/** The mean × 100, rounded half up: floor((200·Σ + 3) / 6). */
export function clientScore(ratings: ClientRatings): number {
  const sum = ratings.clarity + ratings.communication + ratings.paymentPromptness
  return Math.floor((200 * sum + 3) / 6)
}

/** Hundredths as the number people read (473 -> 4.73). */
export const fromHundredths = (value: number): number => value / 100
