import { describe, expect, it } from 'vitest'
import { createStreamGenerator, loadDemoCity } from '@city/demo-city'
import { loadRegionTree } from '@city/metrics'
import { decodeMessage, READING_KINDS, ScannedReading, scanReading, type Reading, type SourceTopic } from '@city/metrics/wire'

/** A reading as producers spell it: compact JSON, the contract's field order. */
function producersSpelling(m: Reading): string {
  const values = Object.fromEntries(Object.entries(m.values).filter(([, v]) => v !== undefined))
  return JSON.stringify({ v: 1, id: m.id, source: m.source, kind: m.kind, device: m.device, ts: m.ts, region: m.region, loc: m.loc, values })
}

describe('scanReading on the simulator\'s stream', () => {
  it('reads every reading in the producers\' spelling with decodeMessage\'s parts, and declines every other message', () => {
    const city = loadDemoCity()
    const tree = loadRegionTree(city.regions)
    const startMs = Date.parse('2026-11-23T08:00:00+08:00')
    // Bad messages ten times as often as the demo's: truncated, wrong types, absurd values, clock skew, ….
    const messages = createStreamGenerator({ devices: city.devices, regions: tree, seed: 11, badShare: 0.05, reportIntervalS: 30 }).generate(startMs, startMs + 3_600_000)
    const nowMs = startMs + 3_600_000
    const out = new ScannedReading()
    const seen = { scanned: 0, otherSpelling: 0, rejected: 0 }
    for (const { topic, value } of messages) {
      const d = decodeMessage(topic as SourceTopic, value, { nowMs, maxSkewMs: 300_000 })
      const isScanned = scanReading(value, topic.slice('city.'.length), nowMs, 300_000, out)
      if (!d.ok || d.message.kind === 'case') {
        expect(isScanned).toBe(false)
        seen.rejected += d.ok ? 0 : 1
        continue
      }
      const m = d.message
      expect(isScanned).toBe(value === producersSpelling(m))
      if (!isScanned) {
        seen.otherSpelling += 1
        continue
      }
      const { kind, fields } = READING_KINDS[out.kind]!
      const values = m.values as Record<string, number | undefined>
      expect([kind, value.slice(out.idStart, out.idEnd), value.slice(out.deviceStart, out.deviceEnd), out.tsMs]).toEqual([m.kind, m.id, m.device, d.tsMs])
      expect(out.regionStart < 0 ? undefined : value.slice(out.regionStart, out.regionEnd)).toBe(m.region)
      expect(Number.isNaN(out.lon) ? undefined : [out.lon, out.lat]).toEqual(m.loc)
      expect(fields.map((f, j) => [f, out.values[j]])).toEqual(fields.map((f) => [f, values[f] ?? Number.NaN]))
      seen.scanned += 1
    }
    // Each case ran in numbers (the bad messages' valid copies put their region last: another spelling).
    expect(seen.scanned).toBeGreaterThan(20_000)
    expect(seen.otherSpelling).toBeGreaterThan(100)
    expect(seen.rejected).toBeGreaterThan(500)
  })
})
