/** Binary min-heap keyed by a number; ties pop in insertion order so results stay deterministic. */
export interface MinHeap<T> {
  push(priority: number, item: T): void
  pop(): T | undefined
  peekPriority(): number | undefined
  readonly size: number
}

interface Entry<T> {
  priority: number
  order: number
  item: T
}

export function createMinHeap<T>(): MinHeap<T> {
  const entries: Entry<T>[] = []
  let counter = 0
  const less = (a: Entry<T>, b: Entry<T>) => a.priority < b.priority || (a.priority === b.priority && a.order < b.order)
  const swap = (i: number, j: number) => {
    const t = entries[i]!
    entries[i] = entries[j]!
    entries[j] = t
  }
  const up = (start: number) => {
    let i = start
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!less(entries[i]!, entries[parent]!)) {
        return
      }
      swap(i, parent)
      i = parent
    }
  }
  const down = (start: number) => {
    let i = start
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < entries.length && less(entries[left]!, entries[smallest]!)) {
        smallest = left
      }
      if (right < entries.length && less(entries[right]!, entries[smallest]!)) {
        smallest = right
      }
      if (smallest === i) {
        return
      }
      swap(i, smallest)
      i = smallest
    }
  }
  return {
    push(priority, item) {
      entries.push({ priority, order: counter++, item })
      up(entries.length - 1)
    },
    pop() {
      const top = entries[0]
      const last = entries.pop()
      if (entries.length > 0 && last) {
        entries[0] = last
        down(0)
      }
      return top?.item
    },
    peekPriority: () => entries[0]?.priority,
    get size() {
      return entries.length
    },
  }
}
