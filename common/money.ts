/**
 * Money is integer minor units everywhere (`12345` USD = $123.45). These turn it into text
 * and back without ever going through a binary float. The server (invoices) and the web app
 * share them, so an amount reads the same on a printed invoice and on screen.
 */

/**
 * The ISO 4217 codes the product supports: jobs (and so proposals, contracts, invoices),
 * deposits, withdrawals and profile rates, on the server (`CurrencyCode` in
 * server/http/schemas.ts) and in every form of the web app. A fixed list (not any three
 * letters) so every amount has known minor units and the ledger never meets a currency it
 * cannot settle (docs/rate-limits.md, "Currencies").
 */
export const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'NZD',
  'CHF',
  'JPY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'INR',
  'BRL',
  'MXN',
  'SGD',
  'HKD',
  'ZAR',
] as const
export type Currency = (typeof CURRENCIES)[number]

const digitsCache = new Map<string, number>()

/** How many minor-unit digits a currency has (2 for USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency)
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
    } catch {
      digits = 2
    }
    digitsCache.set(currency, digits)
  }
  return digits
}

/** `12345` -> `"123.45"` (exact decimal text). */
export function minorToDecimal(amount: number | bigint, currency: string): string {
  const digits = currencyDigits(currency)
  const value = BigInt(amount)
  const negative = value < 0n
  const text = (negative ? -value : value).toString().padStart(digits + 1, '0')
  const whole = digits ? text.slice(0, -digits) : text
  const fraction = digits ? text.slice(-digits) : ''
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/**
 * The locale of amounts in the server's words (error messages, notification titles, mail):
 * a message is written once for every reader, so `$150.00`, `€80.00`, `¥5,000`, `CA$12.50`.
 */
export const MESSAGE_LOCALE = 'en-US'

/** `12345, 'USD'` -> `$123.45` in the reader's locale. */
export function formatMoney(amount: number | bigint | null | undefined, currency: string, locale?: string): string {
  if (amount === null || amount === undefined) return '—'
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency })
  // Intl formats decimal strings exactly (no float rounding on large amounts).
  return format.format(minorToDecimal(amount, currency) as unknown as number)
}

/**
 * What a person typed (`"1,250.5"`, `"80"`) -> minor units, or null when it is not an
 * amount with at most the currency's decimals. Accepts `,` as thousands separator.
 */
export function parseMoney(text: string, currency: string): number | null {
  const digits = currencyDigits(currency)
  const cleaned = text
    .trim()
    .replace(/[\s,_]/g, '')
    .replace(/^[^\d.-]+/, '')
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned)
  if (!match) return null
  const fraction = match[2] ?? ''
  if (fraction.length > digits) return null
  const minor =
    BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt((fraction + '0'.repeat(digits)).slice(0, digits) || '0')
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null
  return Number(minor)
}
