import { randomUUID } from 'node:crypto'

/** Ids come in through this dependency so tests and fixtures can make them predictable. */
export interface IdGenerator {
  newId(): string
}

export const randomIds: IdGenerator = { newId: () => randomUUID() }
