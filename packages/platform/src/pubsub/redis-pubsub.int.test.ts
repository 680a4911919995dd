import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import type { PubSub } from './pubsub.js'
import { createRedisPubSub } from './redis-pubsub.js'

/** The machine's Redis; channels and connection names are unique per run, so runs never cross. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const run = randomBytes(4).toString('hex')
const admin = new Redis(REDIS_URL)
const opened: PubSub[] = []

function open(name = `test-${run}`, onError?: (error: Error) => void): PubSub {
  const pubsub = createRedisPubSub(REDIS_URL, { connectionName: name, ...(onError ? { onError } : {}) })
  opened.push(pubsub)
  return pubsub
}

/** Collects what a channel delivers; `next(n)` resolves once n messages are in. */
function collect(pubsub: PubSub, channel: string) {
  const got: unknown[] = []
  let waiter: (() => void) | undefined
  const stop = pubsub.subscribe(channel, (m) => {
    got.push(m)
    waiter?.()
  })
  const next = (n: number) => new Promise<unknown[]>((resolve) => {
    const check = () => {
      if (got.length >= n) {
        resolve(got)
      }
    }
    waiter = check
    check()
  })
  return { got, next, stop }
}

/** Publishes until the subscription answers: SUBSCRIBE is asynchronous, the first messages may precede it. */
async function publishUntilHeard(pubsub: PubSub, channel: string, got: unknown[]) {
  for (let i = 0; got.length === 0 && i < 100; i++) {
    await pubsub.publish(channel, { probe: i })
    await new Promise((r) => setTimeout(r, 20))
  }
  got.length = 0
}

afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()))
  admin.disconnect()
})

describe('createRedisPubSub', () => {
  it('delivers JSON messages in order to every subscriber of a channel, across connections', async () => {
    const channel = `test:${run}:order`
    const a = collect(open(), channel)
    const b = collect(open(), channel)
    const publisher = open()
    await publishUntilHeard(publisher, channel, a.got)
    await publishUntilHeard(publisher, channel, b.got)
    const sent = Array.from({ length: 50 }, (_, i) => ({ version: i, regions: ['r1', `r${i}`] }))
    for (const m of sent) {
      await publisher.publish(channel, m)
    }
    expect(await a.next(50)).toEqual(sent)
    expect(await b.next(50)).toEqual(sent)
  })

  it('stops delivering to a handler once it unsubscribes', async () => {
    const channel = `test:${run}:unsub`
    const pubsub = open()
    const kept = collect(pubsub, channel)
    const dropped = collect(pubsub, channel)
    await publishUntilHeard(pubsub, channel, kept.got)
    dropped.stop()
    dropped.got.length = 0
    await pubsub.publish(channel, 'after')
    expect(await kept.next(1)).toEqual(['after'])
    expect(dropped.got).toEqual([])
  })

  it('re-subscribes after its connection is dropped', async () => {
    const channel = `test:${run}:reconnect`
    const name = `test-${run}-dropped`
    const pubsub = open(name)
    const { got, next } = collect(pubsub, channel)
    await publishUntilHeard(pubsub, channel, got)
    const list = await admin.client('LIST') as string
    const ids = list.split('\n').filter((line) => line.includes(`name=${name}:sub`)).map((line) => /id=(\d+)/.exec(line)![1]!)
    expect(ids).toHaveLength(1)
    await admin.client('KILL', 'ID', ids[0]!)
    const publisher = open()
    await publishUntilHeard(publisher, channel, got)
    await publisher.publish(channel, 'back')
    expect(await next(1)).toEqual(['back'])
  })

  it('drops messages without throwing or waiting while Redis is unreachable, and says so once', async () => {
    const errors: Error[] = []
    const unreachable = createRedisPubSub('redis://127.0.0.1:1', { onError: (e) => errors.push(e) })
    const started = Date.now()
    await unreachable.publish('anything', { a: 1 })
    await unreachable.publish('anything', { a: 2 })
    expect(Date.now() - started).toBeLessThan(1000)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toContain('dropping')
    await unreachable.close()
  })
})
