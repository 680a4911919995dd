import { afterAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { localDayStart } from '@city/metrics'
import { TOPICS } from '@city/metrics/wire'
import { handledIn, kafkaWorldWithStore, waitUntil } from './support/kafka.js'
import { createOracle } from './support/oracle.js'
import { city, simulate, tree } from './support/embedded.js'
import { freePort, startLauncher, stopProcess } from './support/processes.js'

// The simulator's stream of the last 30 minutes (event times near now, so no clock skew for the workers).
const END = Date.now() - 60_000
const messages = simulate(END - 30 * 60_000, END, { seed: 51, badShare: 0.02 })
const oracle = createOracle(messages, tree, city.devices)
const kafka = kafkaWorldWithStore({ partitions: 6 })
const workers: ChildProcess[] = []
const outputs: (() => string)[] = []
/** Worker name → the port of its /metrics. */
const metricsPorts = new Map<string, number>()

async function worker(name: string): Promise<ChildProcess> {
  const port = await freePort()
  metricsPorts.set(name, port)
  const { child, output } = startLauncher({
    ROLES: 'ingest', KAFKA_BROKERS: kafka.world.broker.brokers.join(','), DATABASE_URL: kafka.store.url!, METRICS_PORT: String(port),
    FLUSH_INTERVAL_MS: '300', KAFKA_CLIENT_ID: name,
  })
  workers.push(child)
  // kafkajs logs every heartbeat refused during a rebalance; the lines around them are the ones that tell.
  outputs.push(() => `--- ${name}\n${output().split('\n').filter((line) => !line.includes('rebalancing')).join('\n').slice(-3000)}`)
  return child
}

const handled = () => handledIn(kafka.store.db)

/** Which partitions the stored offsets leave unread, to tell a stuck worker from a skipped record. */
async function partitionsBehind(): Promise<string> {
  const { rows } = await kafka.store.db.query<{ topic: string, partition: number, next_offset: number }>(
    'select topic, partition, next_offset::float8 as next_offset from stream_offsets')
  const stored = new Map(rows.map((r) => [`${r.topic}|${r.partition}`, Number(r.next_offset)]))
  const lines = [TOPICS.traffic, TOPICS.environment, TOPICS.events].flatMap((topic) => Array.from({ length: 6 }, (_, p) =>
    `${topic}|${p}: stored ${stored.get(`${topic}|${p}`) ?? 'none'} of ${kafka.world.broker.records(topic, p).length}`))
  return `offsets: ${lines.join('; ')}`
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  if (!(await waitUntil(condition, timeoutMs))) {
    throw new Error(`timed out waiting for ${what} (handled ${await handled()} of ${messages.length})\n${await partitionsBehind()}\n${outputs.map((o) => o()).join('\n')}`)
  }
}

const send = (from: number, to: number) => kafka.world.send(messages.slice(from, to))

// Registered after kafkaWorldWithStore's, so it runs first: the workers go before the broker and the store.
afterAll(async () => {
  await Promise.all(workers.map((w) => stopProcess(w, 'SIGKILL')))
})

describe('ingest workers as processes on Kafka and PostgreSQL', () => {
  it('survives a worker killed with SIGKILL, its restart, a third joining and dropped connections, counting each message once', { timeout: 360_000 }, async () => {
    const first = await worker('w1')
    await worker('w2')
    const third = Math.floor(messages.length / 3)
    await send(0, third)
    await waitFor(async () => (await handled()) > third / 4, 150_000, 'the first messages')
    await stopProcess(first, 'SIGKILL')
    await send(third, 2 * third)
    await worker('w1-restarted')
    kafka.world.broker.dropConnections()
    await waitFor(async () => (await handled()) > third, 150_000, 'progress after the kill')
    await worker('w3')
    await send(2 * third, messages.length)
    await waitFor(async () => (await handled()) >= messages.length, 180_000, 'every message')
    await new Promise((r) => setTimeout(r, 2000))

    expect(await handled()).toBe(messages.length)
    const dayMs = localDayStart(END, 'Asia/Shanghai')
    for (const metric of ['traffic.flow', 'cases.reported', 'cases.closed']) {
      const { rows } = await kafka.store.db.query<{ s: number | null }>(
        `select sum(sum)::float8 as s from agg_1m where region = $1 and metric = $2 and bucket >= to_timestamp($3 / 1000.0)`, [tree.root.id, metric, dayMs])
      expect(Number(rows[0]!.s ?? 0), metric).toBe(oracle.value(metric, tree.root.id, dayMs, END + 1) ?? 0)
    }
    const dead = Array.from({ length: 6 }, (_, p) => kafka.world.broker.records(TOPICS.deadletter, p)).flat()
    const reasons = new Map(dead.map((d) => [d.value?.toString(), d.headers.find((h) => h.key === 'reason')?.value?.toString()]))
    for (const m of messages.filter((x) => x.bad)) {
      expect(reasons.get(m.value), m.value.slice(0, 60)).toBe(m.bad)
    }
    // Each live worker reports consumer lag for every partition it reads now, caught up or not, and none
    // for those it lost to another in a rebalance.
    const scrape = (name: string) => fetch(`http://127.0.0.1:${metricsPorts.get(name)}/metrics`).then((r) => r.text(), () => undefined)
    let reporters = new Map<string, string[]>()
    const allReported = async () => {
      reporters = new Map()
      for (const name of ['w2', 'w1-restarted', 'w3']) {
        // A worker serves /metrics once it has joined the group; the last one may still be joining.
        for (const [, labels] of (await scrape(name) ?? '').matchAll(/^city_ingest_consumer_lag\{([^}]*)\}/gm)) {
          reporters.set(labels!, [...(reporters.get(labels!) ?? []), name])
        }
      }
      return reporters.size === 3 * 6
    }
    await waitFor(allReported, 60_000, 'the lag of every partition')
    expect([...reporters].filter(([, names]) => names.length > 1)).toEqual([])
  })
})
