/**
 * A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
 * return first) gets a leading apostrophe, so an exported name or memo is shown, never
 * evaluated. Only for free text: numbers the server writes are left as numbers.
 */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}
