import { formatMoney } from '../../../../common/money.js'

export { formatMoney }

/** The reader's time zone: their profile's, else the browser's. */
let zone: string | undefined
export function setTimeZone(timeZone: string | null | undefined): void {
  zone = timeZone && isValidZone(timeZone) ? timeZone : undefined
}

function isValidZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return true
  } catch {
    return false
  }
}

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone

/** A date and time in the reader's zone, e.g. "Nov 26, 2026, 10:42 AM". */
export function formatDateTime(iso: string | null | undefined, options: { utc?: boolean } = {}): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return '—'
  return (
    new Intl.DateTimeFormat(undefined, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: options.utc ? 'UTC' : zone,
    }).format(date) + (options.utc ? ' UTC' : '')
  )
}

export function formatDate(iso: string | null | undefined, options: { utc?: boolean } = {}): string {
  if (!iso) return '—'
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)
  if (Number.isNaN(date.getTime())) return '—'
  // A bare YYYY-MM-DD is a calendar date: show it as written, not shifted by a zone.
  const utc = options.utc || iso.length === 10
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: utc ? 'UTC' : zone }).format(date)
}

/** How far the zone's wall clock is ahead of UTC at that instant, in ms (the reader's zone by default). */
function zoneOffsetMs(at: number, timeZone: string | undefined): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at))
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'))
  return wall - Math.floor(at / 1000) * 1000
}

/**
 * The instant a calendar day (`YYYY-MM-DD`) starts in the reader's zone, as ISO text;
 * `offsetDays` moves to a later day first (1: the instant the day ends).
 */
export function dayStart(day: string, offsetDays = 0): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number]
  const wall = Date.UTC(year, month - 1, date + offsetDays)
  // Twice: the offset at the first guess may differ from the one at the answer (a DST change that night).
  const guess = wall - zoneOffsetMs(wall, zone)
  return new Date(wall - zoneOffsetMs(guess, zone)).toISOString()
}

export function formatTime(iso: string | null | undefined, options: { utc?: boolean } = {}): string {
  if (!iso) return '—'
  return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone: options.utc ? 'UTC' : zone }).format(
    new Date(iso),
  )
}

/** Minutes as "3 h 20 min". */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h && m) return `${h} h ${m} min`
  if (h) return `${h} h`
  return `${m} min`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`
}

/** "fixed · $500.00 – $1,000.00" for a job's budget or rate range. */
export function formatRange(min: number | null, max: number | null, currency: string, suffix = ''): string {
  if (min === null && max === null) return '—'
  if (min !== null && max !== null && min !== max)
    return `${formatMoney(min, currency)} – ${formatMoney(max, currency)}${suffix}`
  return `${formatMoney(min ?? max, currency)}${suffix}`
}

/** `proposal.submitted` -> "Proposal submitted". */
export function humanize(code: string): string {
  const text = code.replace(/[._-]+/g, ' ').trim()
  return text.charAt(0).toUpperCase() + text.slice(1)
}
