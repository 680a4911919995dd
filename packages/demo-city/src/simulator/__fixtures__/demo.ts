import { loadRegionTree } from '@city/metrics'
import { CaseEvent, Reading } from '@city/metrics/wire'
import { Compile } from 'typebox/compile'
import { loadDemoCity } from '../../data.js'
import type { SimMessage, StreamOptions } from '../stream.js'
import { createStreamGenerator } from '../stream.js'

export const demo = loadDemoCity()
export const tree = loadRegionTree(demo.regions)
export const registered = new Set(demo.devices.map((d) => d.id))
export const isReading = Compile(Reading)
export const isCaseEvent = Compile(CaseEvent)

/** Monday 2026-11-23 00:00 in Shanghai. */
export const MONDAY = Date.parse('2026-11-23T00:00:00+08:00')
export const MINUTE = 60_000
export const HOUR = 3_600_000

/** Messages for [fromMs, toMs), generated in windows of windowMs. */
export function generate(fromMs: number, toMs: number, options: Partial<StreamOptions> = {}, windowMs = toMs - fromMs): SimMessage[] {
  const generator = createStreamGenerator({ devices: demo.devices, regions: tree, ...options })
  const messages: SimMessage[] = []
  for (let t = fromMs; t < toMs; t += windowMs) {
    for (const message of generator.generate(t, Math.min(toMs, t + windowMs))) {
      messages.push(message)
    }
  }
  return messages
}

/** A decoded message, loosely typed for assertions: readings and case events in one shape. */
export interface Decoded {
  id: string
  kind: string
  source: string
  ts: string
  device: string
  region?: string
  loc?: [number, number]
  values: Record<'flow' | 'speed_kmh' | 'free_flow_kmh' | 'occupied' | 'capacity' | 'pm25' | 'o3' | 'co' | 'laeq_db', number>
  case: string
  stage: string
  category: string
  channel: string
  dept?: string
  deadline?: string
  severity: number
  title: string
}

export function goodOnes(messages: readonly SimMessage[]): Decoded[] {
  return messages.filter((m) => !m.bad).map((m) => JSON.parse(m.value) as Decoded)
}
