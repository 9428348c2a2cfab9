// Every route in the OpenAPI document gets malformed input: broken JSON, wrong types,
// huge strings, missing and unknown fields, wrong shapes. Each answer must be a 4xx with a
// `code`, never a 5xx. New routes are covered as soon as they are documented.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from './helper.js'

t.setTimeout(240_000)

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; anyOf?: Schema[] }

function wrongValueFor(schema: Schema | undefined): unknown[] {
  const type = schema?.type ?? schema?.anyOf?.[0]?.type
  switch (type) {
    case 'string':
      return [
        12345,
        true,
        null,
        { nested: 'object' },
        'x'.repeat(1024 * 1024 - 100),
        'nul\u0000byte',
        '\ud800 lone surrogate',
        '',
      ]
    case 'integer':
    case 'number':
      return ['12', 1.5, -1e300, 'NaN', null]
    case 'boolean':
      return ['true', 1]
    case 'array':
      return ['not an array', [{ deeply: { nested: [1, 2, 3] } }], Array.from({ length: 5000 }, (_, i) => i)]
    case 'object':
      return ['not an object', [1, 2]]
    default:
      return [{ unexpected: 'object' }, 'x'.repeat(1024 * 1024 - 100)]
  }
}

t.test('malformed requests across every documented route answer 4xx with a code', async (t) => {
  const { app, call, register } = await build(t)
  const user = await register('Fuzzer')
  const document = app.swagger() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>
  }

  let sent = 0
  const failures: string[] = []
  const check = async (label: string, options: Parameters<typeof call>[0]) => {
    const response = await call(options)
    sent++
    const status = response.statusCode
    let code: unknown
    try {
      code = response.json().code
    } catch {
      code = undefined
    }
    if (status >= 500 || (status >= 400 && typeof code !== 'string'))
      failures.push(`${label}: ${status} ${response.body.slice(0, 200)}`)
  }

  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!['post', 'put', 'patch', 'delete', 'get'].includes(method)) continue
      // Logout takes no input; fuzzing it would only end the fuzzer's own session.
      if (path === '/api/v1/auth/logout') continue
      const url = path.replace(/\{[^}]+\}/g, () => randomUUID())
      const base = { method: method.toUpperCase() as 'POST', url, token: user.token }
      const label = `${method.toUpperCase()} ${path}`
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema
      if (method === 'get' || method === 'delete') {
        await check(`${label} odd query`, {
          ...base,
          url: `${url}?limit=abc&cursor=${'%ff'.repeat(50)}&q=${'x'.repeat(5000)}`,
        })
        await check(`${label} bad id`, { ...base, url: path.replace(/\{[^}]+\}/g, '..%2F..%2Fetc%2Fpasswd') })
        continue
      }
      const json = { 'content-type': 'application/json' }
      await check(`${label} broken JSON`, { ...base, headers: json, payload: '{"unterminated": ' })
      await check(`${label} JSON array`, { ...base, headers: json, payload: '[1,2,3]' })
      await check(`${label} JSON string`, { ...base, headers: json, payload: '"just a string"' })
      await check(`${label} prototype pollution`, {
        ...base,
        headers: json,
        payload: '{"__proto__": {"role": "operator"}, "constructor": {"prototype": {"x": 1}}}',
      })
      await check(`${label} empty object`, { ...base, payload: {} })
      await check(`${label} unknown field`, { ...base, payload: { unknownField: 'x', role: 'operator' } })
      await check(`${label} wrong content type`, {
        ...base,
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      })
      await check(`${label} deeply nested`, {
        ...base,
        headers: json,
        payload: `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      })
      await check(`${label} nul in keys`, { ...base, headers: json, payload: '{"\\u0000": "\\u0000"}' })
      await check(`${label} body too large`, {
        ...base,
        headers: json,
        payload: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
      })
      await check(`${label} bad id`, { ...base, url: path.replace(/\{[^}]+\}/g, 'not-a-valid-id'), payload: {} })
      for (const [field, schema] of Object.entries(bodySchema?.properties ?? {})) {
        for (const value of wrongValueFor(schema)) {
          await check(`${label} ${field}=${JSON.stringify(value).slice(0, 30)}`, {
            ...base,
            payload: { [field]: value },
          })
        }
      }
    }
  }
  t.ok(sent >= 200, `sent ${sent} malformed requests`)
  t.same(failures, [], 'no 5xx and every 4xx has a code')
  const me = await call({ method: 'GET', url: '/api/v1/me', token: user.token })
  t.equal(me.json().role, 'user', 'nothing made the fuzzing account an operator')
  t.equal(me.json().name, 'Fuzzer', 'nothing changed the profile')
})
