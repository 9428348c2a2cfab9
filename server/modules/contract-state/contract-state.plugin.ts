import { eq } from 'drizzle-orm'
import fp from 'fastify-plugin'
import type * as Y from 'yjs'
import { contractsTable } from '../../../db/schema/index.js'
import type { DocumentMutation } from '../../realtime/kinds.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The live, server-written state of each contract (`contract:<id>:state`). */
    contractState: {
      /** Re-reads the contract row and writes what changed into its state document. */
      refresh(contractId: string): Promise<void>
      /** A server change to the state document (milestones, invoices... add their own maps). */
      write(contractId: string, mutate: DocumentMutation): Promise<void>
    }
  }
}

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const stateName = new RegExp(`^contract:(${uuid}):state$`)
export const contractStateDocName = (contractId: string) => `contract:${contractId}:state`

type ContractRow = typeof contractsTable.$inferSelect

/** The values of the `contract` map in the state document. */
function contractFields(row: ContractRow): Record<string, string | number | boolean | null> {
  return {
    state: row.state,
    arrangement: row.arrangement,
    currency: row.currency,
    boundTermsVersion: row.boundTermsVersion,
    price: row.price,
    hourlyRate: row.hourlyRate,
    weeklyLimitMinutes: row.weeklyLimitMinutes,
    manualTimeAllowed: row.manualTimeAllowed,
  }
}

/** Writes only the values that differ, so reconciling an up-to-date document writes nothing. */
function reconcile(doc: Y.Doc, fields: Record<string, unknown>) {
  const map = doc.getMap<unknown>('contract')
  for (const [key, value] of Object.entries(fields)) if (map.get(key) !== value) map.set(key, value)
}

/**
 * `contract:<id>:state`: written by the server only (every client update is dropped), read
 * live by the contract's client and freelancer. Shape: a Y.Map `contract` with `state`,
 * `arrangement`, `currency`, `boundTermsVersion`, `price`, `hourlyRate`,
 * `weeklyLimitMinutes`, `manualTimeAllowed`; later modules add their own top-level maps.
 */
export const contractStateModule = fp(
  async (app) => {
    const find = async (contractId: string) => {
      const [row] = await app.db.select().from(contractsTable).where(eq(contractsTable.id, contractId))
      return row ?? null
    }
    app.realtime.registerKind<{ contractId: string }>({
      name: 'contract-state',
      serverWritten: true,
      parse: (docName) => {
        const match = stateName.exec(docName)
        return match ? { contractId: match[1]! } : null
      },
      authorize: async ({ params, userId }) => {
        const row = await find(params.contractId)
        return row && (row.clientId === userId || row.freelancerId === userId) ? 'read' : null
      },
      // On every load the document is reconciled with the database, so a change that
      // committed just before a crash (and never reached the document) shows up anyway.
      onLoad: async ({ params }) => {
        const row = await find(params.contractId)
        return row ? (doc) => reconcile(doc, contractFields(row)) : null
      },
    })
    app.decorate('contractState', {
      async refresh(contractId: string) {
        const row = await find(contractId)
        if (row)
          await app.realtime.write(contractStateDocName(contractId), (doc) => reconcile(doc, contractFields(row)))
      },
      write: (contractId: string, mutate: DocumentMutation) =>
        app.realtime.write(contractStateDocName(contractId), mutate),
    })
  },
  { name: 'contract-state', dependencies: ['database', 'realtime'] },
)
