// Work View bench: screenshot uploads per second and latency from the start of the upload
// to the client's event stream delivering `screenshot.created` (the image and its thumbnail
// are stored and the row committed before the event is published), on the disk driver and
// the S3 driver (an s3rver in this process, as the storage tests use).
//
//   npx tsx bench/workview.ts            # UPLOADS=300 CONCURRENCY=8 by default
//   npx tsx bench/workview.ts --drivers disk --format webp
//
// `--format` is the screenshot's: png (default), or webp and jpeg as the web tracker sends them
// (WebP at quality 0.8, JPEG where the browser cannot encode WebP). The baseline, measured in the
// same run: the server's own thumbnail step alone (libvips, same image, same concurrency, in this
// process with nothing else running), so the ratio says how much of the machine's thumbnailing
// rate the whole ingest (upload, checks, storage, row, activity, events) keeps.
//
// The server runs in its own process; this one generates the load and holds the WebSockets.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { WebSocket } from 'ws'
import { parseArgs } from 'node:util'
import { makeThumbnail } from '../server/modules/workview/index.js'
import { startS3rver } from '../server/plugins/storage/storage.s3rver-fixture.js'
import { startProcess } from './run-server.js'

const { values: args } = parseArgs({
  options: { drivers: { type: 'string', default: 'disk,s3' }, format: { type: 'string', default: 'png' } },
})
const drivers = args.drivers.split(',')
const format = args.format as 'png' | 'webp' | 'jpeg'
if (!['png', 'webp', 'jpeg'].includes(format)) throw new Error('--format is png, webp or jpeg')
const UPLOADS = Number(process.env.UPLOADS ?? 300)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8)
/** The server's `/metrics` is private: the benchmark reads its memory figure as a scraper would. */
const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789'
/** A segment holds at most 3 screenshots: spread the uploads over contracts and segments. */
const PER_SEGMENT = 3
const SEGMENTS_PER_CONTRACT = 10
const CONTRACTS = Math.ceil(UPLOADS / (PER_SEGMENT * SEGMENTS_PER_CONTRACT))

interface Ready {
  port: number
  storage: string
  contracts: Array<{ contractId: string; clientToken: string; freelancerToken: string }>
}

/** A 1920 x 1080 PNG that looks like an editor full of code (~100-200 KiB, like a real screenshot). */
async function screenshot(): Promise<Buffer> {
  const lines = Array.from(
    { length: 50 },
    (_, i) =>
      `<text x="${20 + (i % 7) * 16}" y="${22 + i * 21}" font-family="monospace" font-size="16" fill="#${((i * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6)}">${i + 1}  const value${i} = compute(${i}, "segment ${i * 37}") // ${'x'.repeat(i % 40)}</text>`,
  ).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1080"><rect width="100%" height="100%" fill="#1e1e1e"/>${lines}</svg>`
  const picture = sharp(Buffer.from(svg))
  // The web tracker's canvas encodes WebP (or JPEG) at 0.8: no alpha channel in either.
  if (format === 'webp') return picture.flatten().webp({ quality: 80 }).toBuffer()
  if (format === 'jpeg') return picture.flatten().jpeg({ quality: 80 }).toBuffer()
  return picture.png().toBuffer()
}

/** Thumbnails per second of the server's own thumbnail step, CONCURRENCY at a time, nothing else running. */
async function thumbnailsAlone(image: Buffer, count = 80): Promise<number> {
  await makeThumbnail(image)
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) await makeThumbnail(image)
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

async function run(label: string, env: Record<string, string>, image: Buffer) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-bench-workview-'))
  const server = await startProcess(
    'bench/workview-server.ts',
    {
      ...env,
      DATA_DIR: dataDir,
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      LOG_LEVEL: 'warn',
      SCHEDULER_INTERVAL_MS: '0',
      BENCH_CONTRACTS: String(CONTRACTS),
      // One client doing what many would: the rate limits would measure themselves.
      WRITES_PER_MINUTE: '1000000',
      UPLOADS_PER_MINUTE: '1000000',
      REGISTRATIONS_PER_HOUR: '1000000',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    /^ready$/m,
  )
  try {
    const ready = JSON.parse(await readFile(path.join(dataDir, 'bench-ready.json'), 'utf8')) as Ready
    const base = `http://127.0.0.1:${ready.port}`
    // One event stream per client; each frame marks its upload delivered.
    const delivered = new Map<string, (at: number) => void>()
    const sockets = await Promise.all(
      ready.contracts.map(async ({ clientToken }) => {
        const ticket = (await (
          await fetch(`${base}/api/v1/realtime/tickets`, {
            method: 'POST',
            headers: { authorization: `Bearer ${clientToken}` },
          })
        ).json()) as { ticket: string }
        const socket = new WebSocket(
          `${base.replace('http', 'ws')}/api/v1/events?ticket=${encodeURIComponent(ticket.ticket)}`,
        )
        socket.on('message', (raw) => {
          const at = performance.now()
          const frame = JSON.parse(String(raw)) as {
            type: string
            data: { contractId: string; screenshot?: { capturedAt: string } }
          }
          if (frame.type !== 'screenshot.created' || !frame.data.screenshot) return
          delivered.get(`${frame.data.contractId}|${frame.data.screenshot.capturedAt}`)?.(at)
        })
        await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)))
        return socket
      }),
    )

    // Segments that ended before now, newest first, all inside the contracts' open weeks.
    const now = Date.now()
    const lastSegment = Math.floor(now / 600_000) * 600_000 - 600_000
    const jobs = Array.from({ length: UPLOADS }, (_, i) => {
      const contract = ready.contracts[i % ready.contracts.length]!
      const slot = Math.floor(i / ready.contracts.length)
      const segmentStart = lastSegment - Math.floor(slot / PER_SEGMENT) * 600_000
      const capturedAt = new Date(segmentStart + 60_000 + (slot % PER_SEGMENT) * 120_000 + (i % 1000)).toISOString()
      return { contract, segmentStart: new Date(segmentStart).toISOString(), capturedAt }
    })
    const latencies: number[] = []
    const httpLatencies: number[] = []
    let failures = 0
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!
          const form = new FormData()
          form.set('segmentStart', job.segmentStart)
          form.set('capturedAt', job.capturedAt)
          form.set('image', new Blob([new Uint8Array(image)], { type: `image/${format}` }), `screen.${format}`)
          const t0 = performance.now()
          const seen = new Promise<number>((resolve) =>
            delivered.set(`${job.contract.contractId}|${job.capturedAt}`, resolve),
          )
          const response = await fetch(`${base}/api/v1/contracts/${job.contract.contractId}/screenshots`, {
            method: 'POST',
            headers: { authorization: `Bearer ${job.contract.freelancerToken}` },
            body: form,
          })
          httpLatencies.push(performance.now() - t0)
          if (response.status !== 201) {
            failures++
            process.stderr.write(`upload failed: ${response.status} ${await response.text()}\n`)
            continue
          }
          await response.arrayBuffer()
          const at = await Promise.race([
            seen,
            new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), 5000)),
          ])
          if (Number.isNaN(at)) failures++
          else latencies.push(at - t0)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    for (const socket of sockets) socket.close()
    latencies.sort((a, b) => a - b)
    httpLatencies.sort((a, b) => a - b)
    const rss = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })
      .then((r) => r.text())
      .then((text) => /process_resident_memory_bytes (\d+)/.exec(text)?.[1])
    return {
      label,
      uploads: latencies.length,
      failures,
      perSecond: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      httpP50: percentile(httpLatencies, 50),
      rssMiB: rss ? Number(rss) / 1024 / 1024 : Number.NaN,
    }
  } finally {
    await server.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

const image = await screenshot()
const meta = await sharp(image).metadata()
process.stdout.write(
  `Work View bench: ${UPLOADS} uploads of a ${meta.width}x${meta.height} ${format.toUpperCase()} (${(image.length / 1024).toFixed(0)} KiB), ${CONCURRENCY} at a time, ${CONTRACTS} contracts\n`,
)

const results: Array<Awaited<ReturnType<typeof run>> & { alone: number }> = []
for (const driver of drivers) {
  // The baseline right before each driver's run, so both see the same machine.
  const alone = await thumbnailsAlone(image)
  process.stdout.write(`thumbnails alone (the server's step, ${CONCURRENCY} at a time): ${alone.toFixed(1)}/s\n`)
  if (driver === 'disk') results.push({ ...(await run('disk', {}, image)), alone })
  else if (driver === 's3') {
    const s3Teardowns: Array<() => unknown> = []
    const s3 = await startS3rver({ teardown: (fn) => s3Teardowns.push(fn) })
    try {
      const env = {
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        S3_BUCKET: 'workroom-bench',
      }
      results.push({ ...(await run('s3 (s3rver)', env, image)), alone })
    } finally {
      for (const fn of s3Teardowns.reverse()) await fn()
    }
  } else throw new Error(`unknown driver ${driver}: disk or s3`)
}

process.stdout.write(
  '\n| driver | uploads/s | thumbnails alone/s | ratio | p50 upload -> event | p99 upload -> event | p50 HTTP answer | failures | server RSS |\n|---|---|---|---|---|---|---|---|---|\n',
)
for (const r of results) {
  process.stdout.write(
    `| ${r.label} | ${r.perSecond.toFixed(1)} | ${r.alone.toFixed(1)} | ${((100 * r.perSecond) / r.alone).toFixed(0)}% | ${r.p50?.toFixed(1)} ms | ${r.p99?.toFixed(1)} ms | ${r.httpP50?.toFixed(1)} ms | ${r.failures} | ${r.rssMiB.toFixed(0)} MiB |\n`,
  )
}
