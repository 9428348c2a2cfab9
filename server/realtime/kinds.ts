import type * as Y from 'yjs'

/** What a connection may do: apply updates, or only receive them. */
export type DocumentAccess = 'write' | 'read'

/** Changes a document; runs inside one Yjs transaction. */
export type DocumentMutation = (doc: Y.Doc) => void

/**
 * A kind of shared document, registered by the module that owns it (the engine knows no
 * domain). Names say what a document belongs to, e.g. `contract:<id>:terms`.
 */
export interface DocumentKind<P = unknown> {
  /** For logs and metrics, e.g. `contract-terms`. */
  name: string
  /** Parses a document name; null when the name is not of this kind. */
  parse(docName: string): P | null
  /** Who may connect: `write`, `read`, or null (closed with 4404, existence not revealed). */
  authorize(input: { docName: string; params: P; userId: string }): Promise<DocumentAccess | null>
  /** Only the server writes (engine.write); every client update is dropped. */
  serverWritten?: boolean
  /**
   * Runs after each load. For a brand-new document (nothing stored) the returned mutation
   * seeds it, applied with a fixed client id so that two instances seeding at once produce
   * the very same update; otherwise it reconciles (write only what differs). Null: nothing.
   */
  onLoad?(input: { docName: string; params: P; isNew: boolean }): Promise<DocumentMutation | null>
  /** After a change to the document was committed (client or server). */
  onChange?(input: { docName: string; params: P; update: Uint8Array }): void
}

export interface KindRegistry {
  register<P>(kind: DocumentKind<P>): void
  resolve(docName: string): { kind: DocumentKind<unknown>; params: unknown } | null
}

export function createKindRegistry(): KindRegistry {
  const kinds: Array<DocumentKind<unknown>> = []
  return {
    register(kind) {
      if (kinds.some((k) => k.name === kind.name)) throw new Error(`document kind ${kind.name} is already registered`)
      kinds.push(kind as DocumentKind<unknown>)
    },
    resolve(docName) {
      for (const kind of kinds) {
        const params = kind.parse(docName)
        if (params !== null) return { kind, params }
      }
      return null
    },
  }
}
