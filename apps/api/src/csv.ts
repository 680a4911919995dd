import type { FastifyReply } from 'fastify'
import { Type } from '@fastify/type-provider-typebox'
import type { MetricDef } from '@city/metrics'
import type { RankingsResponse, SeriesResponse } from '@city/metrics/wire'
import { localWallText } from './queries/buckets.js'
import { compareShift } from './queries/series.js'

type Cell = string | number | null

/** ?format=: json (the default) or csv, which wins over the Accept header. */
export const CsvFormat = Type.Union([Type.Literal('json'), Type.Literal('csv')])

export interface CsvFile {
  /** ASCII file name for old clients; `title` (UTF-8, e.g. Chinese) is offered beside it. */
  filename: string
  title: string
  rows: Cell[][]
}

/** CSV when asked for with ?format=csv, or with an Accept header that prefers text/csv to JSON. */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  if (format) {
    return format === 'csv'
  }
  const weights = new Map<string, number>()
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim())
    const q = params.find((p) => p.startsWith('q='))
    weights.set(type, q ? Number(q.slice(2)) : 1)
  }
  return (weights.get('text/csv') ?? 0) > (weights.get('application/json') ?? 0)
}

/** Sends rows as an Excel-friendly attachment: UTF-8 with a BOM, CRLF lines, RFC 4180 quoting. */
export function sendCsv(reply: FastifyReply, file: CsvFile): FastifyReply {
  const body = `\uFEFF${file.rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.filename}"; filename*=UTF-8''${encodeRfc5987(file.title)}`)
    .send(Buffer.from(body, 'utf8'))
}

/** Series as `时间,<metric (unit)>[,对比时间,对比值]` with local times. */
export function seriesCsv(series: SeriesResponse, metric: MetricDef, regionName: string, timeZone: string): CsvFile {
  const header: Cell[] = ['时间', metricHeader(metric)]
  const shift = series.compare ? compareShift(series.compare, series.step, series.points.length, timeZone) : undefined
  const rows = series.points.map((p): Cell[] => {
    const t = Date.parse(p.t)
    const row: Cell[] = [localMinute(t, timeZone), valueText(metric, p.value)]
    return shift ? [...row, localMinute(shift(t), timeZone), valueText(metric, p.compare ?? null)] : row
  })
  const span = daySpan(series.from, series.to, timeZone)
  return {
    filename: `series_${series.region}_${metric.id}_${series.step}_${span}.csv`,
    title: `${regionName}_${metric.name}_${span}.csv`,
    rows: [shift ? [...header, '对比时间', '对比值'] : header, ...rows],
  }
}

/** Rankings as `排名,区域,<metric (unit)>,上期排名,排名变化`; regions without data have empty ranks. */
export function rankingsCsv(rankings: RankingsResponse, metric: MetricDef, parentName: string, timeZone: string): CsvFile {
  const span = daySpan(rankings.from, rankings.to, timeZone)
  return {
    filename: `rankings_${rankings.parent}_${metric.id}_${span}.csv`,
    title: `${parentName}_${metric.name}排名_${span}.csv`,
    rows: [
      ['排名', '区域', metricHeader(metric), '上期排名', '排名变化'],
      ...rankings.items.map((i): Cell[] => [i.rank, i.name, valueText(metric, i.value), i.previousRank, i.rankChange]),
    ],
  }
}

/** The catalog name with the unit in parentheses; fractions (unit %) are written as percentages. */
function metricHeader(metric: MetricDef): string {
  return metric.unit ? `${metric.name}(${metric.unit})` : metric.name
}

function valueText(metric: MetricDef, value: number | null): string {
  if (value === null) {
    return ''
  }
  if (metric.unit === '%') {
    return (value * 100).toFixed(Math.max(0, metric.decimals - 2))
  }
  return value.toFixed(metric.decimals)
}

function csvCell(cell: Cell): string {
  if (cell === null) {
    return ''
  }
  if (typeof cell === 'number') {
    return String(cell)
  }
  // Text starting like a formula would run in Excel; a leading apostrophe keeps it text.
  const text = /^[=+\-@\t\r]/.test(cell) && Number.isNaN(Number(cell)) ? `'${cell}` : cell
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Local `YYYY-MM-DD HH:mm`. */
function localMinute(ms: number, timeZone: string): string {
  return localWallText(ms, timeZone).slice(0, 16)
}

/** `YYYYMMDD-YYYYMMDD`: the local days the range touches, the last one inclusive. */
function daySpan(from: string, to: string, timeZone: string): string {
  const day = (ms: number) => localWallText(ms, timeZone).slice(0, 10).replaceAll('-', '')
  return `${day(Date.parse(from))}-${day(Date.parse(to) - 1)}`
}

function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
