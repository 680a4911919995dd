import { describe, expect, it } from 'vitest'
import {
  formatAge, formatClock, formatCount, formatDate, formatHourMinute, formatMetric, formatWeekday, metricUnit, NO_DATA, rejectReasonName, stageName,
} from './format'

describe('formatMetric', () => {
  it.each([
    { metric: 'traffic.tti', value: 1.6303, expected: '1.63' },
    { metric: 'traffic.tti', value: 0, expected: '0.00' },
    { metric: 'traffic.flow', value: 7353437, expected: '7353437' },
    { metric: 'env.aqi', value: 83.4, expected: '83' },
    { metric: 'env.noise', value: 67.25, expected: '67.3' },
    { metric: 'env.co', value: 0.62, expected: '0.62' },
    { metric: 'traffic.parking_occupancy', value: 0.8534, expected: '85.3' },
    { metric: 'cases.on_time_rate', value: 0.9, expected: '90.0' },
    { metric: 'cases.on_time_rate', value: 1, expected: '100.0' },
    { metric: 'cases.open', value: 12, expected: '12' },
  ])('shows $metric $value as $expected', ({ metric, value, expected }) => {
    expect(formatMetric(metric, value)).toBe(expected)
  })

  it.each([null, undefined, Number.NaN, Number.POSITIVE_INFINITY])('shows %s as a dash, never 0', (value) => {
    expect(formatMetric('traffic.tti', value)).toBe(NO_DATA)
  })

  it('prints an unknown metric as it came', () => {
    expect(formatMetric('unknown.metric', 3.14159)).toBe('3.14159')
  })
})

describe('metricUnit', () => {
  it.each([
    { metric: 'traffic.parking_occupancy', expected: '%' },
    { metric: 'env.noise', expected: 'dB(A)' },
    { metric: 'env.co', expected: 'mg/m³' },
    { metric: 'traffic.tti', expected: '' },
  ])('is "$expected" for $metric', ({ metric, expected }) => {
    expect(metricUnit(metric)).toBe(expected)
  })
})

describe('stageName', () => {
  it.each([
    ['reported', '上报'], ['registered', '立案'], ['dispatched', '派遣'], ['handled', '处置'],
    ['closed', '结案'], ['reopened', '返工'], ['cancelled', '作废'],
  ])('names %s %s', (stage, name) => {
    expect(stageName(stage)).toBe(name)
  })
})

describe('city time', () => {
  // 2025-11-23T16:30:05Z is Monday 2025-11-24 00:30:05 in Asia/Shanghai.
  const instant = '2025-11-23T16:30:05Z'

  it('formats the clock in Asia/Shanghai whatever the machine zone', () => {
    expect(formatClock(instant)).toBe('00:30:05')
    expect(formatHourMinute(Date.parse(instant))).toBe('00:30')
  })

  it('formats the date and weekday of the city', () => {
    expect(formatDate(instant)).toBe('2025年11月24日')
    expect(formatWeekday(instant)).toBe('星期一')
  })

  it('shows a dash for an unreadable time', () => {
    expect(formatClock('not a time')).toBe(NO_DATA)
  })
})

describe('formatAge', () => {
  it.each([
    { ms: 0, expected: '0秒前' },
    { ms: 59_000, expected: '59秒前' },
    { ms: 180_000, expected: '3分钟前' },
    { ms: 2 * 3_600_000, expected: '2小时前' },
    { ms: 50 * 3_600_000, expected: '2天前' },
  ])('says $expected for $ms ms', ({ ms, expected }) => {
    expect(formatAge(ms)).toBe(expected)
  })
})

describe('data-quality words', () => {
  it('names every reject reason in Chinese and passes an unknown one through', () => {
    expect(rejectReasonName('too_late')).toBe('迟到超限')
    expect(rejectReasonName('unknown_device')).toBe('设备未登记')
    expect(rejectReasonName('something_new')).toBe('something_new')
  })

  it('writes counts with thousands separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(0)).toBe('0')
  })
})
