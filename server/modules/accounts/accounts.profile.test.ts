import t from 'tap'
import { build } from '../../../test/helper.js'

t.setTimeout(60_000)

t.test('portfolio links: http(s) addresses only, at most ten, shown on the public profile', async (t) => {
  const ctx = await build(t)
  const fred = await ctx.register('Fred')
  const patch = (payload: object) => ctx.call({ method: 'PATCH', url: '/api/v1/me', token: fred.token, payload })
  const links = [
    { title: 'Shop redesign', url: 'https://example.com/shop' },
    { title: 'Dashboard', url: 'HTTP://Example.org/a b?c=1' },
  ]
  const saved = await patch({
    headline: 'Front-end developer',
    hourlyRate: 4_500,
    rateCurrency: 'EUR',
    timeZone: 'Europe/Berlin',
    portfolioLinks: links,
  })
  t.equal(saved.statusCode, 200, saved.body)
  const shown = await ctx.call({ method: 'GET', url: `/api/v1/users/${fred.id}` })
  t.match(shown.json(), {
    headline: 'Front-end developer',
    hourlyRate: 4_500,
    rateCurrency: 'EUR',
    timeZone: 'Europe/Berlin',
  })
  t.same(
    shown.json().portfolioLinks,
    [
      { title: 'Shop redesign', url: 'https://example.com/shop' },
      { title: 'Dashboard', url: 'http://example.org/a%20b?c=1' },
    ],
    'stored in the canonical form a browser would follow',
  )

  for (const [url, why] of [
    ['javascript:alert(1)', 'a script'],
    ['data:text/html,<b>x</b>', 'a data address'],
    ['ftp://example.com/file', 'another protocol'],
    ['https://', 'no host'],
    ['//example.com', 'no protocol'],
    ['https://exa mple.com', 'a space in the host'],
  ] as const) {
    const refused = await patch({
      portfolioLinks: [
        { title: 'Good', url: 'https://example.com' },
        { title: 'Bad', url },
      ],
    })
    t.equal(refused.statusCode, 400, why)
    t.match(refused.json(), {
      code: 'accounts.invalid_link',
      field: 'portfolioLinks.1.url',
      message: 'A portfolio link must be an http:// or https:// address',
    })
  }
  const eleven = Array.from({ length: 11 }, (_, i) => ({ title: `Work ${i}`, url: `https://example.com/${i}` }))
  t.equal((await patch({ portfolioLinks: eleven })).statusCode, 400, 'eleven links are too many')
  t.equal((await patch({ portfolioLinks: [{ title: ' ', url: 'https://example.com' }] })).statusCode, 400)
  t.equal((await patch({ portfolioLinks: [{ title: 'x', url: 'https://example.com', extra: 1 }] })).statusCode, 400)

  const after = await ctx.call({ method: 'GET', url: `/api/v1/users/${fred.id}` })
  t.same(after.json().portfolioLinks, shown.json().portfolioLinks, 'a refused change changed nothing')
  t.equal((await patch({ portfolioLinks: [] })).json().portfolioLinks.length, 0, 'an empty list clears them')
})
