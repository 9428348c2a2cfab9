import { errorFor, TextField } from '../ui/forms.js'

export interface PortfolioRow {
  title: string
  url: string
}

/** The most links a profile keeps (the server's limit too). */
export const MAX_LINKS = 10

/** Rows with anything typed in them, trimmed, as the API takes them. */
export const portfolioBody = (rows: PortfolioRow[]) =>
  rows.map((row) => ({ title: row.title.trim(), url: row.url.trim() })).filter((row) => row.title || row.url)

/** Editing the portfolio links: a title and an address per row, each error beside its field. */
export function PortfolioEditor(props: { rows: PortfolioRow[]; onRows(rows: PortfolioRow[]): void; error: unknown }) {
  const { rows, onRows, error } = props
  const change = (index: number, key: keyof PortfolioRow) => (value: string) =>
    onRows(rows.map((row, i) => (i === index ? { ...row, [key]: value } : row)))
  return (
    <fieldset class="stack">
      <legend>Portfolio links</legend>
      <p class="field-hint">Up to {MAX_LINKS} links to work you have done (http:// or https:// addresses).</p>
      {rows.map((row, i) => (
        <div class="two-col" key={i}>
          <TextField
            id={`portfolio-${i}-title`}
            label={`Link ${i + 1}: title`}
            value={row.title}
            maxLength={100}
            onValue={change(i, 'title')}
            error={errorFor(error, `portfolioLinks.${i}.title`)}
          />
          <TextField
            id={`portfolio-${i}-url`}
            label={`Link ${i + 1}: address`}
            type="url"
            placeholder="https://"
            value={row.url}
            maxLength={500}
            onValue={change(i, 'url')}
            error={errorFor(error, `portfolioLinks.${i}.url`)}
          />
          <button
            type="button"
            class="button button--small"
            aria-label={`Remove link ${i + 1}`}
            onClick={() => onRows(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      {rows.length < MAX_LINKS && (
        <button type="button" class="button button--small" onClick={() => onRows([...rows, { title: '', url: '' }])}>
          Add a link
        </button>
      )}
    </fieldset>
  )
}

/** The links on a public profile: plain links that leave Workroom (no referrer, no opener). */
export function PortfolioLinks({ links }: { links: PortfolioRow[] }) {
  if (links.length === 0) return null
  return (
    <section aria-labelledby="portfolio-title">
      <h2 id="portfolio-title">Portfolio</h2>
      <ul class="portfolio-links">
        {links.map((link) => (
          <li key={link.url}>
            <a href={link.url} rel="noopener noreferrer nofollow" target="_blank">
              {link.title}
            </a>{' '}
            <span class="muted">{new URL(link.url).host}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
