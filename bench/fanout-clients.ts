/**
 * A worker of bench/fanout.ts: opens its share of socket.io clients, each subscribed to one region, and
 * records every update that brings a region a new version. Talks to the parent over IPC.
 *
 * Thousands of clients on the benchmark's own two cores would spend them parsing 20 kB snapshots, so the
 * clients use a socket.io parser that reads only the head of a snapshot, update or patch event (region,
 * version, asOf, committedAt, eventTime, the fields the server writes first); every byte is still received.
 */
import { EventEmitter } from 'node:events'
import { io, type Socket } from 'socket.io-client'
import type { LiveClientEvents, LiveServerEvents } from '@city/metrics/wire'

export interface WorkerConfig {
  ports: number[]
  /** Client numbers [from, to): client i uses node i % ports.length and region i % regions.length. */
  from: number
  to: number
  regions: string[]
}

/** [receivedAt, version, eventTime, asOf, region index] (times in epoch ms; eventTime NaN without data). */
export type UpdateRecord = [number, number, number, number, number]

export type WorkerMessage =
  | { type: 'ready', connectMs: number }
  | { type: 'records', records: UpdateRecord[], cpuMs: number, rssBytes: number }

interface Packet { type: number, nsp: string, id?: number, data?: unknown }

const HEAD = /^\["(snapshot|update|patch)",\{"region":"([^"]*)","version":(\d+),"asOf":"([^"]*)","committedAt":(null|"[^"]*"),"eventTime":(null|"[^"]*")/
const unquote = (v: string) => (v === 'null' ? null : v.slice(1, -1))

/** socket.io-parser's text encoding (no binary attachments: this benchmark sends none). */
class Encoder {
  encode(packet: Packet): string[] {
    const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : ''
    return [`${packet.type}${nsp}${packet.id ?? ''}${packet.data === undefined ? '' : JSON.stringify(packet.data)}`]
  }
}

class Decoder extends EventEmitter {
  add(chunk: string): void {
    let i = 1
    let nsp = '/'
    if (chunk[i] === '/') {
      const comma = chunk.indexOf(',', i)
      nsp = chunk.slice(i, comma)
      i = comma + 1
    }
    const body = chunk.slice(i)
    const head = chunk[0] === '2' ? HEAD.exec(body.slice(0, 400)) : null
    const data = head
      ? [head[1], { region: head[2], version: Number(head[3]), asOf: head[4], committedAt: unquote(head[5]!), eventTime: unquote(head[6]!) }]
      : body ? JSON.parse(body) as unknown : undefined
    this.emit('decoded', { type: Number(chunk[0]), nsp, data })
  }

  destroy(): void {
    this.removeAllListeners()
  }
}

const config = JSON.parse(process.argv[2]!) as WorkerConfig
const send = (message: WorkerMessage, then?: () => void) => process.send!(message, undefined, {}, () => then?.())
const sockets: Socket<LiveServerEvents, LiveClientEvents>[] = []
const records: UpdateRecord[] = []
let recording = false
let cpuAtStart = process.cpuUsage()

function open(i: number): Promise<void> {
  const port = config.ports[i % config.ports.length]!
  const region = config.regions[i % config.regions.length]!
  const socket: Socket<LiveServerEvents, LiveClientEvents> = io(`http://127.0.0.1:${port}/live`, {
    transports: ['websocket'], reconnectionDelayMax: 4000, parser: { Encoder, Decoder },
  })
  sockets.push(socket)
  let version = -1
  const receive = (s: { version: number, eventTime: string | null, asOf: string }) => {
    const receivedAt = Date.now()
    if (s.version > version) {
      version = s.version
      if (recording) {
        records.push([receivedAt, s.version, s.eventTime ? Date.parse(s.eventTime) : NaN, Date.parse(s.asOf), i % config.regions.length])
      }
    }
  }
  socket.on('update', receive)
  socket.on('patch', receive)
  return new Promise((resolve) => {
    socket.once('snapshot', (s) => {
      version = s.version
      resolve()
    })
    socket.on('connect', () => socket.emit('subscribe', { region }))
  })
}

const started = Date.now()
const BATCH = 100
for (let i = config.from; i < config.to; i += BATCH) {
  await Promise.all(Array.from({ length: Math.min(BATCH, config.to - i) }, (_, k) => open(i + k)))
}
send({ type: 'ready', connectMs: Date.now() - started })

process.on('message', (message: { type: 'start' | 'stop' }) => {
  if (message.type === 'start') {
    recording = true
    cpuAtStart = process.cpuUsage()
    return
  }
  recording = false
  const cpu = process.cpuUsage(cpuAtStart)
  sockets.forEach((s) => s.close())
  // Exit only once the (large) message is written to the parent.
  send({ type: 'records', records, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage().rss }, () => process.exit(0))
})
