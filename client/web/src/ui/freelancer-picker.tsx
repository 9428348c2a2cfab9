import { useEffect, useId, useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { formatMoney } from '../lib/format.js'

export interface PickedFreelancer {
  id: string
  name: string
}

interface Hit {
  id: string
  name: string
  headline: string | null
  skills: string[]
  hourlyRate: number | null
  rateCurrency: string
}

/** How long typing pauses before a search goes out (each search spends the caller's search budget). */
const PAUSE_MS = 250

/**
 * Finds a freelancer by the start of a name or a skill: an ARIA 1.2 combobox (text input and a
 * listbox of matches; arrow keys move, Enter picks, Escape closes). `onPick(null)` when the
 * text changes after a pick, so a stale choice is never submitted.
 */
export function FreelancerPicker(props: {
  id: string
  label: string
  picked: PickedFreelancer | null
  onPick(freelancer: PickedFreelancer | null): void
  error?: string | null
  excludeId?: string
}) {
  const { id, label, picked, onPick, error, excludeId } = props
  const listId = `${useId()}-list`
  const [text, setText] = useState(picked?.name ?? '')
  const [hits, setHits] = useState<Hit[]>([])
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const [status, setStatus] = useState('')

  useEffect(() => {
    if (!picked) return
    setText(picked.name)
  }, [picked])

  useEffect(() => {
    const query = text.trim()
    if (!query || (picked && picked.name === text)) {
      setHits([])
      setStatus('')
      return
    }
    let cancelled = false
    const timer = setTimeout(() => {
      ok(api.GET('/api/v1/freelancers', { params: { query: { name: query.slice(0, 100), limit: 8 } } }))
        .then((page) => {
          if (cancelled) return
          const found = page.items.filter((hit) => hit.id !== excludeId)
          setHits(found)
          setActive(found.length > 0 ? 0 : -1)
          setOpen(true)
          setStatus(found.length === 0 ? 'No freelancer matches.' : `${found.length} found.`)
        })
        .catch(() => {
          if (!cancelled) setStatus('Search is not available right now; try again in a moment.')
        })
    }, PAUSE_MS)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [text, picked, excludeId])

  const choose = (hit: Hit) => {
    onPick({ id: hit.id, name: hit.name })
    setText(hit.name)
    setOpen(false)
    setHits([])
    setStatus(`${hit.name} chosen.`)
  }
  const expanded = open && hits.length > 0
  const optionId = (i: number) => `${listId}-${i}`
  return (
    <div class={`field picker${error ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
        value={text}
        maxLength={100}
        onInput={(e) => {
          setText(e.currentTarget.value)
          if (picked) onPick(null)
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && hits.length > 0) {
            e.preventDefault()
            setOpen(true)
            setActive((i) => (i + 1) % hits.length)
          } else if (e.key === 'ArrowUp' && hits.length > 0) {
            e.preventDefault()
            setActive((i) => (i <= 0 ? hits.length - 1 : i - 1))
          } else if (e.key === 'Enter' && expanded && active >= 0) {
            e.preventDefault()
            choose(hits[active]!)
          } else if (e.key === 'Escape') {
            setOpen(false)
          }
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <ul id={listId} role="listbox" aria-label={`${label}: matches`} class="picker-list" hidden={!expanded}>
        {hits.map((hit, i) => (
          <li
            key={hit.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'picker-option picker-option--active' : 'picker-option'}
            onMouseDown={(e) => {
              e.preventDefault()
              choose(hit)
            }}
          >
            <strong>{hit.name}</strong>
            <span class="muted">
              {[
                hit.headline,
                hit.skills.slice(0, 4).join(', '),
                hit.hourlyRate !== null ? `${formatMoney(hit.hourlyRate, hit.rateCurrency)} / h` : null,
              ]
                .filter(Boolean)
                .join(' · ')}
            </span>
          </li>
        ))}
      </ul>
      {error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : (
        <p class="field-hint" id={`${id}-hint`}>
          Type the start of a name or a skill, then pick from the list.
        </p>
      )}
      <p class="visually-hidden" role="status">
        {status}
      </p>
    </div>
  )
}
