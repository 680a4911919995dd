import { describe, expect, it } from 'vitest'
import { findMetric, METRICS, type MetricDef } from '../catalog/metrics.js'
import { inputsOf, metricValue, metricValues } from './metric-values.js'
import { emptyPartial, observe, retract, type Partial } from './partial.js'

function metric(id: string): MetricDef {
  const m = findMetric(id)
  if (!m) {
    throw new Error(`no metric ${id} in the catalog`)
  }
  return m
}

function means(values: Record<string, number[]>): Map<string, Partial> {
  return new Map(Object.entries(values).map(([id, xs]) => {
    const p = emptyPartial()
    for (const x of xs) {
      observe(p, 'mean', x)
    }
    return [id, p]
  }))
}

function counters(values: Record<string, number>): Map<string, Partial> {
  return new Map(Object.entries(values).map(([id, count]) => {
    const p = emptyPartial()
    for (let i = 0; i < count; i++) {
      observe(p, 'sum', 1)
    }
    return [id, p]
  }))
}

describe('metricValue for env.aqi', () => {
  const aqi = metric('env.aqi')

  it.each<[string, Record<string, number[]>, number | null]>([
    ['derives the AQI from the mean of each pollutant\'s readings', { 'env.pm25': [30, 40], 'env.pm10': [40, 60] }, 50],
    ['takes the largest individual index', { 'env.pm25': [30, 40], 'env.pm10': [200] }, 125],
    ['reads CO in mg/m³', { 'env.co': [6, 8] }, 70],
    ['is null without any pollutant partial', {}, null],
    ['is null when every pollutant partial is empty', { 'env.pm25': [], 'env.o3': [] }, null],
    ['ignores an empty pollutant partial beside a full one', { 'env.pm25': [], 'env.no2': [150] }, 75],
  ])('%s', (_, values, expected) => {
    expect(metricValue(aqi, means(values))).toBe(expected)
  })

  it('does not read a stored AQI partial (it is never stored)', () => {
    const partials = means({ 'env.aqi': [999], 'env.pm25': [35] })
    expect(metricValue(aqi, partials)).toBe(50)
  })
})

describe('metricValue for cases.on_time_rate', () => {
  const rate = metric('cases.on_time_rate')

  it.each<[string, Record<string, number>, number | null]>([
    ['is closed on time over closed', { 'cases.closed': 4, 'cases.closed_on_time': 3 }, 0.75],
    ['is 0 when nothing closed on time', { 'cases.closed': 5 }, 0],
    ['is 1 when everything closed on time', { 'cases.closed': 2, 'cases.closed_on_time': 2 }, 1],
    ['is null when no case closed', { 'cases.closed_on_time': 0 }, null],
    ['is null with no partials at all', {}, null],
  ])('%s', (_, counts, expected) => {
    expect(metricValue(rate, counters(counts))).toBe(expected)
  })

  it('is null when the only closure was retracted (the case reopened)', () => {
    const partials = counters({ 'cases.closed': 1, 'cases.closed_on_time': 1 })
    retract(partials.get('cases.closed')!, 1)
    retract(partials.get('cases.closed_on_time')!, 1)
    expect(metricValue(rate, partials)).toBeNull()
  })
})

describe('metricValue for open and overdue cases', () => {
  it.each<[string, number]>([
    ['cases.open', 7],
    ['cases.overdue', 2],
  ])('reads %s from the case counts', (id, expected) => {
    expect(metricValue(metric(id), new Map(), { open: 7, overdue: 2 })).toBe(expected)
  })

  it.each(['cases.open', 'cases.overdue'])('gives null for %s without case counts', (id) => {
    expect(metricValue(metric(id), new Map())).toBeNull()
  })
})

describe('metricValue for stored metrics', () => {
  it('reads the metric\'s own partial with its aggregation kind', () => {
    const flow = emptyPartial()
    observe(flow, 'sum', 12)
    observe(flow, 'sum', 30)
    expect(metricValue(metric('traffic.flow'), new Map([['traffic.flow', flow]]))).toBe(42)
  })

  it('reads a histogram metric at the catalog\'s quantile', () => {
    const speeds = emptyPartial()
    for (let v = 1; v <= 100; v++) {
      observe(speeds, 'histogram', v)
    }
    const p15 = metricValue(metric('traffic.speed_p15'), new Map([['traffic.speed_p15', speeds]]))!
    expect(Math.abs(p15 - 15)).toBeLessThanOrEqual(0.06 * 15)
  })

  it('is null without a partial', () => {
    expect(metricValue(metric('traffic.speed'), new Map())).toBeNull()
  })
})

describe('metricValues', () => {
  it('has an entry for every catalog metric', () => {
    const values = metricValues(new Map(), { open: 1, overdue: 0 })
    expect(Object.keys(values).sort()).toEqual(METRICS.map((m) => m.id).sort())
    expect(values['cases.open']).toBe(1)
    expect(values['traffic.flow']).toBeNull()
  })
})

describe('inputsOf', () => {
  it.each<[string, string[]]>([
    ['env.aqi', ['env.pm25', 'env.pm10', 'env.so2', 'env.no2', 'env.o3', 'env.co']],
    ['cases.on_time_rate', ['cases.closed', 'cases.closed_on_time']],
    ['cases.open', []],
    ['cases.overdue', []],
    ['traffic.tti', ['traffic.tti']],
  ])('lists the stored inputs of %s', (id, expected) => {
    expect(inputsOf(metric(id))).toEqual(expected)
  })

  it('names only stored catalog metrics', () => {
    for (const m of METRICS) {
      for (const input of inputsOf(m)) {
        expect(findMetric(input)?.id).toBe(input)
      }
    }
  })
})
