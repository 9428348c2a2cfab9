import type * as Y from 'yjs'

/**
 * Step `i` of the typing history bench/realtime builds for its cold-load part, the same for
 * every server: a character or two at the cursor, which jumps now and then; a typo deleted now
 * and then; a field of a map changed now and then. Returns the new cursor.
 */
export function typeStep(doc: Y.Doc, i: number, cursor: number): number {
  const text = doc.getText('t')
  if (i % 200 === 0) cursor = Math.floor(Math.random() * (text.length + 1))
  const typed = i % 7 === 6 ? ' ' : String.fromCharCode(97 + (i % 26))
  text.insert(cursor, typed)
  cursor += typed.length
  if (i % 25 === 24 && cursor > 2) {
    text.delete(cursor - 2, 2)
    cursor -= 2
  }
  if (i % 20 === 0) doc.getMap('m').set(`k${i % 50}`, i)
  return cursor
}
