import type { Socket } from 'node:net'
import { unsupportedApiVersionsResponse } from './apis/api-versions.js'
import { apis, findApi } from './apis/registry.js'
import type { BrokerState, ClientInfo } from './apis/types.js'
import { ApiKey } from './protocol/api-keys.js'
import { ProtocolError, Reader } from './protocol/reader.js'
import { Writer } from './protocol/writer.js'

// Kafka's socket.request.max.bytes default.
const MAX_REQUEST_BYTES = 104_857_600

/**
 * Serves one client connection. Like Kafka, which mutes a channel while a request is in flight, it
 * handles one request at a time, so responses leave in request order even when one waits (a long
 * Fetch, a JoinGroup during a rebalance).
 */
export function serveConnection(socket: Socket, broker: BrokerState): void {
  const closed = new AbortController()
  const client: ClientInfo = { clientId: '', host: `/${socket.remoteAddress ?? 'unknown'}`, closed: closed.signal }
  const frames = createFrameSplitter()
  const queue: Buffer[] = []
  let isBusy = false

  const drain = async () => {
    if (isBusy) {
      return
    }
    isBusy = true
    try {
      for (let frame = queue.shift(); frame && !closed.signal.aborted; frame = queue.shift()) {
        const response = await handleFrame(frame, broker, client)
        if (response && !socket.destroyed) {
          socket.write(response)
        }
      }
    } catch (error) {
      console.warn(`[kafka-broker] closing connection from ${client.host}: ${(error as Error).message}`)
      socket.destroy()
    } finally {
      isBusy = false
    }
  }

  socket.setNoDelay(true)
  socket.on('data', (chunk: Buffer) => {
    try {
      queue.push(...frames(chunk))
    } catch (error) {
      console.warn(`[kafka-broker] closing connection from ${client.host}: ${(error as Error).message}`)
      socket.destroy()
      return
    }
    void drain()
  })
  // A reset by the client is ordinary here; 'close' follows and ends the pending work.
  socket.on('error', () => {})
  socket.on('close', () => closed.abort())
}

async function handleFrame(frame: Buffer, broker: BrokerState, client: ClientInfo): Promise<Buffer | null> {
  const header = new Reader(frame)
  const apiKey = header.int16()
  const version = header.int16()
  const correlationId = header.int32()
  client.clientId = header.nullableString() ?? ''
  const api = findApi(apiKey)
  if (!api) {
    throw new ProtocolError(`unknown API key ${apiKey}`)
  }
  if (version < api.minVersion || version > api.maxVersion) {
    if (apiKey === ApiKey.ApiVersions) {
      return frameResponse(correlationId, false, unsupportedApiVersionsResponse(apis))
    }
    throw new ProtocolError(`${api.name} v${version} is not supported (v${api.minVersion}-v${api.maxVersion})`)
  }
  const flexible = api.flexibleFrom !== undefined && version >= api.flexibleFrom
  const body = header.rest(flexible)
  body.taggedFields()
  const response = await api.handle({ version, flexible, body, broker, client })
  if (!response) {
    return null
  }
  // ApiVersions answers with response header v0 even when flexible, so any client can read it.
  return frameResponse(correlationId, flexible && apiKey !== ApiKey.ApiVersions, response)
}

function frameResponse(correlationId: number, flexibleHeader: boolean, body: Writer): Buffer {
  const header = new Writer({ flexible: flexibleHeader }).int32(correlationId).taggedFields()
  const size = Buffer.alloc(4)
  size.writeInt32BE(header.length + body.length)
  return Buffer.concat([size, header.toBuffer(), body.toBuffer()])
}

/** Splits the byte stream into size-prefixed request frames. */
function createFrameSplitter(): (chunk: Buffer) => Buffer[] {
  let pending: Buffer = Buffer.alloc(0)
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    const frames: Buffer[] = []
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0)
      if (size < 0 || size > MAX_REQUEST_BYTES) {
        throw new ProtocolError(`request size ${size} is out of bounds`)
      }
      if (pending.length < 4 + size) {
        break
      }
      frames.push(pending.subarray(4, 4 + size))
      pending = pending.subarray(4 + size)
    }
    return frames
  }
}
