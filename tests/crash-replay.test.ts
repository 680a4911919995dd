import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOracle } from './support/oracle.js'
import { city, simulate, tree } from './support/embedded.js'
import { openTestStore, type TestStore } from './support/stores.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// The last four hours, written as one NDJSON file: long enough to kill the replay mid-way. Relative to the
// wall clock, because the replay process judges clock skew by it: a fixed date grew old enough that
// the stream's deliberately skewed messages (two days ahead) were no longer in the future.
const END = Math.floor(Date.now() / 3_600_000) * 3_600_000
const START = END - 4 * 3_600_000
const messages = simulate(START, END, { seed: 31, badShare: 0.01 })
const oracle = createOracle(messages, tree, city.devices)
const file = join(mkdtempSync(join(tmpdir(), 'city-crash-')), 'stream.ndjson')
let store: TestStore

/** `pnpm replay <file>` as a child process on the PostgreSQL database; resolves with its output. */
function runReplay(onProgress?: (child: ChildProcess, line: number) => void): Promise<{ code: number | null, signal: string | null, stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/launcher/src/replay.ts', file], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: store.url! }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/line ([\d,]+)/g)) {
        onProgress?.(child, Number(m[1]!.replace(/,/g, '')))
      }
    })
    child.on('exit', (code, signal) => resolve({ code, signal, stdout }))
  })
}

async function stored(metric: string): Promise<number> {
  const { rows } = await store.db.query<{ s: number | null }>(`select sum(sum)::float8 as s from agg_1d where region = $1 and metric = $2`, [tree.root.id, metric])
  return Number(rows[0]!.s ?? 0)
}

beforeAll(async () => {
  writeFileSync(file, messages.map((m) => m.value.replace(/\n/g, ' ')).join('\n') + '\n')
  store = await openTestStore('postgres')
})

afterAll(async () => {
  await store?.drop()
})

describe('kill -9 during a replay into PostgreSQL', () => {
  it('resumes from the committed file position and ends with the same totals as one clean run', async () => {
    let killedAt = 0
    const crashed = await runReplay((child, line) => {
      if (killedAt === 0 && line >= 40_000 && line < messages.length) {
        killedAt = line
        child.kill('SIGKILL')
      }
    })
    expect(crashed.signal).toBe('SIGKILL')
    expect(killedAt).toBeGreaterThan(0)
    const partial = await stored('traffic.flow')
    expect(partial).toBeGreaterThan(0)

    const rerun = await runReplay()
    expect(rerun.code).toBe(0)
    expect(rerun.stdout).toMatch(/resumed at line [1-9]\d*/)

    // Summed over every local day the four hours touch.
    const expected = (metric: string) => oracle.value(metric, tree.root.id, START, END) ?? 0
    expect(await stored('traffic.flow')).toBe(expected('traffic.flow'))
    expect(await stored('cases.reported')).toBe(expected('cases.reported'))
    expect(await stored('cases.closed')).toBe(expected('cases.closed'))
    const { rows } = await store.db.query<{ n: number }>(`select sum(count)::int as n from quality where reason = 'accepted'`)
    expect(rows[0]!.n).toBe(oracle.accepted)
  })

  it('adds nothing when the finished file is replayed once more', async () => {
    const before = await stored('traffic.flow')
    const again = await runReplay()
    expect(again.stdout).toContain('accepted 0')
    expect(await stored('traffic.flow')).toBe(before)
  })
})
