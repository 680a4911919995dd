export interface CodecOptions {
  /** Flexible versions (KIP-482) use compact strings/arrays/bytes and end structs with tagged fields. */
  flexible?: boolean
}

export class ProtocolError extends Error {
  override name = 'ProtocolError'
}

export class Reader {
  private offset = 0
  readonly flexible: boolean

  constructor(private readonly buffer: Buffer, options: CodecOptions = {}) {
    this.flexible = options.flexible ?? false
  }

  get remaining(): number {
    return this.buffer.length - this.offset
  }

  /** The unread rest, decoded with the codec of the negotiated version. */
  rest(flexible: boolean): Reader {
    const reader = new Reader(this.buffer.subarray(this.offset), { flexible })
    this.offset = this.buffer.length
    return reader
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1))
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2))
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4))
  }

  int64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8))
  }

  /** int64 as a number: offsets and timestamps stay far below 2^53. */
  int64Number(): number {
    return Number(this.int64())
  }

  boolean(): boolean {
    return this.int8() !== 0
  }

  uvarint(): number {
    let result = 0
    let multiplier = 1
    for (let i = 0; i < 10; i++) {
      const byte = this.buffer.readUInt8(this.take(1))
      result += (byte & 0x7f) * multiplier
      if ((byte & 0x80) === 0) {
        return result
      }
      multiplier *= 128
    }
    throw new ProtocolError('varint is too long')
  }

  /** Zigzag varint or varlong (values beyond 2^53 are not needed by the record format in practice). */
  varint(): number {
    const raw = this.uvarint()
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  }

  string(): string {
    const value = this.nullableString()
    if (value === null) {
      throw new ProtocolError('unexpected null string')
    }
    return value
  }

  nullableString(): string | null {
    const length = this.flexible ? this.uvarint() - 1 : this.int16()
    if (length < 0) {
      return null
    }
    return this.buffer.toString('utf8', this.take(length), this.offset)
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0)
  }

  nullableBytes(): Buffer | null {
    const length = this.flexible ? this.uvarint() - 1 : this.int32()
    return this.rawOrNull(length)
  }

  /** Length-prefixed with a zigzag varint, as inside records. */
  varintBytes(): Buffer | null {
    return this.rawOrNull(this.varint())
  }

  raw(length: number): Buffer {
    const start = this.take(length)
    return this.buffer.subarray(start, start + length)
  }

  array<T>(readItem: (reader: Reader) => T): T[] {
    return this.nullableArray(readItem) ?? []
  }

  nullableArray<T>(readItem: (reader: Reader) => T): T[] | null {
    const length = this.flexible ? this.uvarint() - 1 : this.int32()
    if (length < 0) {
      return null
    }
    if (length > this.remaining) {
      throw new ProtocolError(`array length ${length} exceeds the request`)
    }
    const items: T[] = []
    for (let i = 0; i < length; i++) {
      items.push(readItem(this))
    }
    return items
  }

  /** Skips the tagged fields that end every struct in a flexible version; none are used here. */
  taggedFields(): void {
    if (!this.flexible) {
      return
    }
    const count = this.uvarint()
    for (let i = 0; i < count; i++) {
      this.uvarint()
      this.raw(this.uvarint())
    }
  }

  private rawOrNull(length: number): Buffer | null {
    if (length < 0) {
      return null
    }
    return this.raw(length)
  }

  private take(length: number): number {
    if (length > this.remaining) {
      throw new ProtocolError(`read of ${length} bytes past the end (${this.remaining} left)`)
    }
    const start = this.offset
    this.offset += length
    return start
  }
}
