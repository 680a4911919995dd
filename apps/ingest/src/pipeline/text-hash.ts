/**
 * The hash of text[from, to) that MessageIds and the device index go by: FNV-1a over the UTF-16 code
 * units taken two at a time (half the steps of one at a time; this runs for every message), then
 * murmur3's finalizer, so ids that differ only in their last digits still spread over the whole index.
 */
export function hashText(text: string, from = 0, to = text.length): number {
  let h = 0x811c9dc5
  let i = from
  for (; i + 1 < to; i += 2) {
    h = Math.imul(h ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)), 0x01000193)
  }
  if (i < to) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return h ^ (h >>> 16)
}
