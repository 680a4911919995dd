import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startSimulator } from './simulator.js'
import { createStreamGenerator, type SimMessage } from './stream.js'
import { demo, MINUTE, MONDAY, tree } from './__fixtures__/demo.js'

const devices = demo.devices.filter((d) => d.kind !== 'segment')

describe('startSimulator', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(MONDAY + 9 * 60 * MINUTE)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('catches up from the backfill start at `speed`, then follows the clock', () => {
    const emitted: SimMessage[] = []
    const simulator = startSimulator({ devices, regions: tree, emit: (m) => emitted.push(m), backfillMinutes: 10, now: () => Date.now() })
    const start = Date.now() - 10 * MINUTE
    expect(simulator.simTimeMs()).toBe(start)
    vi.advanceTimersByTime(250)
    expect(simulator.simTimeMs()).toBe(start + 150_000)
    vi.advanceTimersByTime(1000)
    expect(simulator.simTimeMs()).toBe(Date.now())
    vi.advanceTimersByTime(5000)
    expect(simulator.simTimeMs()).toBe(Date.now())
    simulator.stop()
    const count = emitted.length
    vi.advanceTimersByTime(5000)
    expect(emitted.length).toBe(count)
    expect(count).toBeGreaterThan(devices.length * 20)
  })

  it('never emits an event time ahead of now', () => {
    const ahead: string[] = []
    const simulator = startSimulator({
      devices, regions: tree, startMs: Date.now() - 30 * MINUTE, speed: 1200, tickMs: 100,
      emit: (m) => {
        const ts = m.bad ? undefined : (JSON.parse(m.value) as { ts: string }).ts
        if (ts && Date.parse(ts) > Date.now()) {
          ahead.push(ts)
        }
      },
    })
    vi.advanceTimersByTime(10_000)
    simulator.stop()
    expect(ahead).toEqual([])
    expect(simulator.simTimeMs()).toBe(Date.now())
  })

  it('emits exactly what the stream generator makes for the same time range', () => {
    const emitted: SimMessage[] = []
    const startMs = Date.now() - MINUTE
    const simulator = startSimulator({ devices, regions: tree, startMs, seed: 7, emit: (m) => emitted.push(m) })
    vi.advanceTimersByTime(2000)
    simulator.stop()
    const expected = createStreamGenerator({ devices, regions: tree, seed: 7 }).generate(startMs, simulator.simTimeMs())
    expect(emitted).toEqual(expected)
  })
})
