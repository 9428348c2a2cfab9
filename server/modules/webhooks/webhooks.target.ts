import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Where a webhook may go. Unless the operator allows it (`WEBHOOK_ALLOW_PRIVATE`), only
 * public unicast addresses: loopback, private (RFC 1918, unique local), link-local,
 * carrier-grade NAT, multicast, broadcast, unspecified, reserved and documentation ranges
 * are refused. The check runs on the addresses the name resolves to, inside the connection's
 * own lookup, so the address checked is the address connected to: a name that resolves to a
 * public address once and to 127.0.0.1 the next time (DNS rebinding) cannot slip through.
 */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TargetRefused'
  }
}

/** The range name of a non-public address (`loopback`, `private`...), or null when it is public unicast. */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid'
  let parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address()
  const range = parsed.range()
  return range === 'unicast' ? null : range
}

export interface TargetPolicy {
  allowPrivate: boolean
}

function refuse(host: string, address: string, range: string): TargetRefused {
  const shown = host === address ? address : `${host} (${address})`
  return new TargetRefused(`${shown} is a ${range} address; webhooks go only to public addresses`)
}

/** A `lookup` for http.request that resolves the name and refuses non-public addresses. */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0)
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0)
      if (!policy.allowPrivate) {
        for (const { address } of addresses) {
          const range = forbiddenRange(address)
          if (range) return callback(refuse(hostname, address, range), '', 0)
        }
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      callback(null, addresses[0]!.address, addresses[0]!.family)
    })
  }
}

/** Checks a URL before it is saved: its scheme, and every address its host resolves to now. */
export async function checkTarget(url: URL, policy: TargetPolicy): Promise<void> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('The URL must start with https://')
  if (url.username || url.password) throw new TargetRefused('The URL must not carry a user name or password')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (policy.allowPrivate) return
  if (isIP(host)) {
    const range = forbiddenRange(host)
    if (range) throw refuse(host, host, range)
    return
  }
  await new Promise<void>((resolve, reject) => {
    guardedLookup(policy)(host, { all: true }, (err) => (err ? reject(err) : resolve()))
  })
}

export interface AttemptOutcome {
  statusCode: number | null
  durationMs: number
  error: string | null
}

/**
 * One POST of `body` to `url` with `headers`, within `timeoutMs` from start to the end of the
 * answer. Redirects are not followed (a 3xx is a failure). The answer's body is read and dropped.
 */
export function postOnce(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; policy: TargetPolicy },
): Promise<AttemptOutcome> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  return new Promise((resolve) => {
    let settled = false
    const done = (outcome: Omit<AttemptOutcome, 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...outcome, durationMs: elapsed() })
    }
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return done({ statusCode: null, error: 'The URL is not valid' })
    }
    const host = target.hostname.replace(/^\[|\]$/g, '')
    if (!options.policy.allowPrivate && isIP(host)) {
      const range = forbiddenRange(host)
      if (range) return done({ statusCode: null, error: refuse(host, host, range).message })
    }
    const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null
    if (!transport) return done({ statusCode: null, error: 'The URL must start with https://' })
    const request = transport.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(options.policy),
      agent: false,
    })
    const timer = setTimeout(() => {
      request.destroy(new Error(`No answer within ${options.timeoutMs} ms`))
    }, options.timeoutMs)
    request.on('response', (response) => {
      response.on('data', () => {})
      response.on('end', () => done({ statusCode: response.statusCode ?? null, error: null }))
      response.on('error', (err) => done({ statusCode: response.statusCode ?? null, error: err.message }))
    })
    request.on('error', (err) => done({ statusCode: null, error: err.message.slice(0, 500) }))
    request.end(body)
  })
}
