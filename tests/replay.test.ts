import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayFile } from '@city/ingest'
import { migrate, openPgliteDb, type Db } from '@city/platform'
import { city, simulate, tree } from './support/embedded.js'
import { createOracle } from './support/oracle.js'

// One simulated hour with 3% bad messages mixed in, as an NDJSON file.
const END = Date.parse('2026-11-23T18:00:00+08:00')
const messages = simulate(END - 3_600_000, END, { seed: 11, badShare: 0.03 })
const oracle = createOracle(messages, tree, city.devices)
const file = join(mkdtempSync(join(tmpdir(), 'city-replay-')), 'hour.ndjson')
let db: Db

const replay = () => replayFile({ db, tree, devices: city.devices, path: file, now: () => END, batchRecords: 5000 })
const storedFlow = async () => {
  const { rows } = await db.query<{ s: number }>(`select sum(sum)::float8 as s from agg_1d where region = $1 and metric = 'traffic.flow'`, [tree.root.id])
  return Number(rows[0]!.s)
}

beforeAll(async () => {
  // Broken bytes may contain newlines; a file carries each message on one line, as NDJSON requires.
  writeFileSync(file, messages.map((m) => m.value.replace(/\n/g, ' ')).join('\n') + '\n')
  db = await openPgliteDb('memory://')
  await migrate(db)
})

afterAll(async () => {
  await db?.close()
})

describe('pnpm replay of a stream with bad messages mixed in', () => {
  it('counts every good message and rejects every bad one with its reason', async () => {
    const result = await replay()
    expect(result.accepted).toBe(oracle.accepted)
    const expected: Record<string, number> = {}
    for (const m of messages.filter((x) => x.bad)) {
      expected[m.bad!] = (expected[m.bad!] ?? 0) + 1
    }
    expect(result.rejected).toEqual(expected)
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(6)
    expect(await storedFlow()).toBe(oracle.value('traffic.flow', tree.root.id, END - 3_600_000, END))
  })

  it('adds nothing when the same file is replayed again', async () => {
    const before = await storedFlow()
    const again = await replay()
    expect(again.resumedAt).toBe(messages.length)
    expect(again.accepted).toBe(0)
    expect(await storedFlow()).toBe(before)
  })
})
