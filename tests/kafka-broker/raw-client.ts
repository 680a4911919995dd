import { connect, type Socket } from 'node:net'
import { Reader } from './protocol/reader.js'
import { Writer } from './protocol/writer.js'

export interface RawRequest {
  apiKey: number
  version: number
  /** Request header v2 and response header v1 (flexible versions). */
  flexible?: boolean
  /** Response header v0 although the body is flexible: ApiVersions v3+. */
  isApiVersions?: boolean
  body?: (writer: Writer) => void
  /** False for a request the broker never answers (Produce with acks=0). @default true */
  hasResponse?: boolean
}

/** A bare Kafka protocol client for tests that need requests kafkajs would never send. */
export interface RawClient {
  send(request: RawRequest): Promise<Reader>
  /** Resolves when the broker closes the connection. */
  readonly closed: Promise<void>
  close(): void
}

export async function connectRaw(port: number, host = '127.0.0.1'): Promise<RawClient> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const created = connect(port, host, () => resolve(created))
    created.once('error', reject)
  })
  const waiting = new Map<number, { resolve: (frame: Buffer) => void; reject: (error: Error) => void }>()
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      waiting.forEach(({ reject }) => reject(new Error('connection closed')))
      resolve()
    })
  })
  let pending: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const frame = pending.subarray(4, 4 + pending.readInt32BE(0))
      pending = pending.subarray(4 + frame.length)
      const correlationId = frame.readInt32BE(0)
      waiting.get(correlationId)?.resolve(frame.subarray(4))
      waiting.delete(correlationId)
    }
  })
  socket.on('error', () => {})
  let nextCorrelationId = 1

  return {
    closed,
    close: () => socket.destroy(),
    async send({ apiKey, version, flexible = false, isApiVersions = false, body, hasResponse = true }) {
      const correlationId = nextCorrelationId++
      const header = new Writer().int16(apiKey).int16(version).int32(correlationId).nullableString('raw-client')
      const payload = new Writer({ flexible }).taggedFields()
      body?.(payload)
      const size = Buffer.alloc(4)
      size.writeInt32BE(header.length + payload.length)
      socket.write(Buffer.concat([size, header.toBuffer(), payload.toBuffer()]))
      if (!hasResponse) {
        return new Reader(Buffer.alloc(0))
      }
      const frame = new Promise<Buffer>((resolve, reject) => waiting.set(correlationId, { resolve, reject }))
      const reader = new Reader(await frame, { flexible })
      if (flexible && !isApiVersions) {
        reader.taggedFields()
      }
      return reader
    },
  }
}
