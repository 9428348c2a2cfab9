/**
 * JSON with object keys sorted at every depth, so equal content always gives equal text
 * whatever order its keys were written or stored in (jsonb reorders them). Hashes are taken
 * over it: the activity chain, accepted terms, idempotent requests. Like `JSON.stringify`,
 * it leaves out keys whose value is `undefined` and writes `null` for one in an array.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}
