import type { CodecOptions } from './reader.js'

export class Writer {
  private buffer = Buffer.alloc(256)
  private offset = 0
  readonly flexible: boolean

  constructor(options: CodecOptions = {}) {
    this.flexible = options.flexible ?? false
  }

  get length(): number {
    return this.offset
  }

  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.offset)
  }

  int8(value: number): this {
    const at = this.reserve(1)
    this.buffer.writeInt8(value, at)
    return this
  }

  int16(value: number): this {
    const at = this.reserve(2)
    this.buffer.writeInt16BE(value, at)
    return this
  }

  int32(value: number): this {
    const at = this.reserve(4)
    this.buffer.writeInt32BE(value, at)
    return this
  }

  uint32(value: number): this {
    const at = this.reserve(4)
    this.buffer.writeUInt32BE(value, at)
    return this
  }

  int64(value: number | bigint): this {
    const at = this.reserve(8)
    this.buffer.writeBigInt64BE(BigInt(value), at)
    return this
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0)
  }

  uvarint(value: number): this {
    let rest = value
    while (rest >= 0x80) {
      const at = this.reserve(1)
      this.buffer.writeUInt8((rest % 0x80) | 0x80, at)
      rest = Math.floor(rest / 0x80)
    }
    const at = this.reserve(1)
    this.buffer.writeUInt8(rest, at)
    return this
  }

  /** Zigzag varint or varlong. */
  varint(value: number): this {
    return this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  string(value: string): this {
    return this.nullableString(value)
  }

  nullableString(value: string | null): this {
    if (value === null) {
      return this.flexible ? this.uvarint(0) : this.int16(-1)
    }
    const encoded = Buffer.from(value, 'utf8')
    if (this.flexible) {
      this.uvarint(encoded.length + 1)
    } else {
      this.int16(encoded.length)
    }
    return this.raw(encoded)
  }

  bytes(value: Buffer): this {
    return this.nullableBytes(value)
  }

  nullableBytes(value: Buffer | null): this {
    if (value === null) {
      return this.flexible ? this.uvarint(0) : this.int32(-1)
    }
    if (this.flexible) {
      this.uvarint(value.length + 1)
    } else {
      this.int32(value.length)
    }
    return this.raw(value)
  }

  /** Length-prefixed with a zigzag varint, as inside records. */
  varintBytes(value: Buffer | null): this {
    if (value === null) {
      return this.varint(-1)
    }
    return this.varint(value.length).raw(value)
  }

  raw(value: Buffer): this {
    const at = this.reserve(value.length)
    value.copy(this.buffer, at)
    return this
  }

  array<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    if (this.flexible) {
      this.uvarint(items.length + 1)
    } else {
      this.int32(items.length)
    }
    for (const item of items) {
      writeItem(this, item)
    }
    return this
  }

  nullArray(): this {
    return this.flexible ? this.uvarint(0) : this.int32(-1)
  }

  /** Ends a struct in a flexible version: this broker never sends tagged fields. */
  taggedFields(): this {
    return this.flexible ? this.uvarint(0) : this
  }

  private reserve(length: number): number {
    if (this.offset + length > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.offset + length))
      this.buffer.copy(grown, 0, 0, this.offset)
      this.buffer = grown
    }
    const start = this.offset
    this.offset += length
    return start
  }
}
