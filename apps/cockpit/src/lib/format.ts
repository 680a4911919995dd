import { findMetric, type MetricDef } from '@city/metrics'
import type { CaseStage, RejectReason } from '@city/metrics/wire'

/** The city's clock: "today", charts and the title-bar clock follow it, whatever the screen's zone. */
export const CITY_TIME_ZONE = 'Asia/Shanghai'

/** Shown wherever a value is missing; a missing value is never drawn as 0. */
export const NO_DATA = '—'

const STAGE_NAMES: Record<CaseStage, string> = {
  reported: '上报',
  registered: '立案',
  dispatched: '派遣',
  handled: '处置',
  closed: '结案',
  reopened: '返工',
  cancelled: '作废',
}

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']

/** Metrics the catalog stores as fractions 0..1 (unit '%'); they are displayed as percentages. */
export function isFraction(metric: MetricDef): boolean {
  return metric.unit === '%'
}

function resolve(metric: MetricDef | string): MetricDef | undefined {
  return typeof metric === 'string' ? findMetric(metric) : metric
}

/** A metric value with the catalog's decimals; fractions become percentages with one decimal. */
export function formatMetric(metric: MetricDef | string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return NO_DATA
  }
  const def = resolve(metric)
  if (!def) {
    return String(value)
  }
  if (isFraction(def)) {
    return (value * 100).toFixed(1)
  }
  return value.toFixed(def.decimals)
}

/** The unit printed after a value ('%' for fractions, '' when the metric has none). */
export function metricUnit(metric: MetricDef | string): string {
  return resolve(metric)?.unit ?? ''
}

/** The value as the chart axis and the map scale see it: fractions scaled to percent. */
export function displayValue(metric: MetricDef, value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return null
  }
  return isFraction(metric) ? value * 100 : value
}

export function stageName(stage: CaseStage | string): string {
  return STAGE_NAMES[stage as CaseStage] ?? stage
}

const REJECT_REASON_NAMES: Record<RejectReason, string> = {
  invalid_json: '非法 JSON', schema: '不符合接口规范', negative_value: '负值', absurd_value: '数值异常',
  bad_timestamp: '时间格式错误', clock_skew: '时间超前', too_late: '迟到超限', unknown_region: '区域未知',
  unknown_device: '设备未登记', wrong_topic: '主题不符',
}

/** Why a message was rejected, in Chinese. */
export function rejectReasonName(reason: RejectReason | string): string {
  return REJECT_REASON_NAMES[reason as RejectReason] ?? reason
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('zh-CN')
}

type TimeInput = Date | number | string

function toDate(input: TimeInput): Date | null {
  const date = input instanceof Date ? input : new Date(input)
  return Number.isNaN(date.getTime()) ? null : date
}

// Intl formatters are costly to build and the clock and chart axes call these every second.
const formatters = new Map<string, Intl.DateTimeFormat>()

function partsOf(date: Date, options: Intl.DateTimeFormatOptions): Record<string, string> {
  const key = JSON.stringify(options)
  let format = formatters.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: CITY_TIME_ZONE, hourCycle: 'h23', ...options })
    formatters.set(key, format)
  }
  return Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]))
}

/** hh:mm:ss in the city's time zone. */
export function formatClock(input: TimeInput): string {
  const date = toDate(input)
  if (!date) {
    return NO_DATA
  }
  const p = partsOf(date, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  return `${p.hour}:${p.minute}:${p.second}`
}

/** hh:mm in the city's time zone. */
export function formatHourMinute(input: TimeInput): string {
  const date = toDate(input)
  if (!date) {
    return NO_DATA
  }
  const p = partsOf(date, { hour: '2-digit', minute: '2-digit' })
  return `${p.hour}:${p.minute}`
}

/** 2025年11月23日 in the city's time zone. */
export function formatDate(input: TimeInput): string {
  const date = toDate(input)
  if (!date) {
    return NO_DATA
  }
  const p = partsOf(date, { year: 'numeric', month: '2-digit', day: '2-digit' })
  return `${p.year}年${p.month}月${p.day}日`
}

/**
 * A history bucket's start as people read it at that step, in the city's time zone: 11-23 18:15 for
 * minutes and hours, 11-23 for days and weeks, 2026-11 for months.
 */
export function formatBucket(input: TimeInput, step: string): string {
  const date = toDate(input)
  if (!date) {
    return NO_DATA
  }
  const p = partsOf(date, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
  if (step === '1mo') {
    return `${p.year}-${p.month}`
  }
  return step === '1d' || step === '1w' ? `${p.month}-${p.day}` : `${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** 星期一 … 星期日 in the city's time zone. */
export function formatWeekday(input: TimeInput): string {
  const date = toDate(input)
  if (!date) {
    return NO_DATA
  }
  const day = partsOf(date, { weekday: 'short' }).weekday
  const index = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(day ?? '')
  return WEEKDAYS[index] ?? NO_DATA
}

/** How long ago, in coarse Chinese words, for the freshness line ("12秒前", "3分钟前"). */
export function formatAge(ageMs: number): string {
  const seconds = Math.max(0, Math.round(ageMs / 1000))
  if (seconds < 60) {
    return `${seconds}秒前`
  }
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) {
    return `${minutes}分钟前`
  }
  const hours = Math.floor(minutes / 60)
  if (hours < 24) {
    return `${hours}小时前`
  }
  return `${Math.floor(hours / 24)}天前`
}
