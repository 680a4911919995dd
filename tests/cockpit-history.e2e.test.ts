import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { findMetric } from '@city/metrics'
import { launchChromium } from './support/browser.js'
import { city, serveCockpit, simulate, startEmbedded, tree } from './support/embedded.js'
import { expectClose } from './support/expect-close.js'
import { createOracle } from './support/oracle.js'

// The analyst page asks for "the last 24 hours" by the browser's clock: the stream is the last three hours.
const END = Date.now() - 60_000
const messages = simulate(END - 3 * 3_600_000, END, { seed: 17, badShare: 0.01 })
const oracle = createOracle(messages, tree, city.devices)
const district = tree.root.children[0]!
const METRIC = 'traffic.flow'
const STEP_MS = 15 * 60_000

let product: Awaited<ReturnType<typeof startEmbedded>>
let app: Awaited<ReturnType<typeof serveCockpit>>['app']
let browser: Browser
let page: Page
let origin: string

beforeAll(async () => {
  product = await startEmbedded(Date.now)
  await product.ingest(messages)
  const served = await serveCockpit(product, Date.now)
  app = served.app
  origin = served.origin
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } })
})

afterAll(async () => {
  await browser?.close()
  await app?.close()
  await product?.close()
})

/** The range the page asked for, read from its export link (the same query as its chart). */
async function rangeShown(): Promise<{ fromMs: number, toMs: number, url: URL }> {
  const href = await page.getByText('导出走势 CSV').getAttribute('href')
  const url = new URL(href!, origin)
  return { fromMs: Date.parse(url.searchParams.get('from')!), toMs: Date.parse(url.searchParams.get('to')!), url }
}

describe('history page for analysts, in headless Chromium', () => {
  it('opens from the live page with its region and indicator', async () => {
    await page.goto(`${origin}/r/${district}`)
    await page.getByText('历史分析 ›').click()
    await page.waitForURL((url) => url.pathname === '/history')
    const query = new URL(page.url()).searchParams
    expect(query.get('region')).toBe(district)
    expect(query.get('metric')).toBe('traffic.tti')
    await page.getByText(`各街道排名`).waitFor()
  })

  it("ranks the district's streets over the last 24 hours with values equal to the recomputation from the stream", async () => {
    await page.goto(`${origin}/history?region=${district}&metric=${METRIC}&range=24h&compare=prev`)
    const rows = page.locator('tr[data-region]')
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(tree.get(district)!.children.length)
    const { fromMs, toMs } = await rangeShown()
    expect(toMs - fromMs).toBe(24 * 3_600_000)
    const shown = await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-region')!, el.getAttribute('data-value')!]))
    for (const [street, value] of shown) {
      expectClose(value === '' ? null : Number(value), oracle.value(METRIC, street!, fromMs, toMs), `${METRIC} of ${street}`)
    }
    // Ranked from the largest value down.
    const values = shown.map(([, v]) => Number(v))
    expect(values).toEqual([...values].sort((a, b) => b - a))
    await page.screenshot({ path: fileURLToPath(new URL('./artifacts/history-1920x1080.png', import.meta.url)) })
  })

  it('shows the highest and lowest 15-minute bucket and the mean of the district as recomputed', async () => {
    const { fromMs, toMs } = await rangeShown()
    // A counter's bucket still being filled (the last) is left out of the chart and the figures.
    const completeToMs = toMs - STEP_MS
    await expect.poll(() => page.locator('.chart-area').getAttribute('data-points')).toBe(String((completeToMs - fromMs) / STEP_MS))
    const buckets: number[] = []
    for (let t = fromMs; t < completeToMs; t += STEP_MS) {
      const value = oracle.value(METRIC, district, t, t + STEP_MS)
      if (value !== null) {
        buckets.push(value)
      }
    }
    expect(buckets.length).toBeGreaterThan(8)
    const decimals = findMetric(METRIC)!.decimals
    const stat = (name: string) => page.locator(`[data-stat="${name}"]`).textContent()
    expect(await stat('max')).toBe(Math.max(...buckets).toFixed(decimals))
    expect(await stat('min')).toBe(Math.min(...buckets).toFixed(decimals))
    expect(await stat('mean')).toBe((buckets.reduce((a, b) => a + b, 0) / buckets.length).toFixed(decimals))
    // The previous 24 hours hold no data: no change is claimed.
    expect(await stat('change')).toBe('—')
  })

  it('holds each department to account: its open, overdue, reported and closed work orders as recomputed', async () => {
    const { fromMs, toMs } = await rangeShown()
    const rows = page.locator('tr[data-dept]')
    await rows.first().waitFor()
    const shown = new Map(await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-dept')!, el.getAttribute('data-counts')!] as const)))
    // Open and overdue are as of the moment the server answered.
    const asOf = Date.parse((await page.locator('table[data-as-of]').getAttribute('data-as-of'))!)
    const expected = oracle.departments(district, fromMs, toMs, asOf)
    expect(shown.size).toBe(expected.size)
    expect(expected.size).toBeGreaterThan(2)
    for (const [dept, r] of expected) {
      expect(shown.get(dept ?? ''), String(dept)).toBe([r.open, r.overdue, r.reported, r.closed, r.closedOnTime].join(','))
    }
  })

  it('exports the series the chart shows as CSV for Excel', async () => {
    const { url } = await rangeShown()
    const response = await fetch(url)
    expect(response.headers.get('content-type')).toContain('text/csv')
    const bytes = new Uint8Array(await response.arrayBuffer())
    // UTF-8 with a byte-order mark, so Excel reads the Chinese headers (fetch's text() would drop it).
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder().decode(bytes)
    expect(text.startsWith('时间,车流量')).toBe(true)
    expect(text.split('\n').filter((line) => line.trim() !== '').length).toBe(1 + 24 * 4)
  })

  it('says which field is wrong when the API refuses, and keeps the page', async () => {
    await page.route('**/api/v1/series?**', (route) => route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ statusCode: 400, code: 'bad_range', error: 'Bad Request', message: 'to: must be after from' }) }))
    await page.getByRole('radio', { name: '近7天' }).click()
    await page.getByRole('alert').getByText('to: must be after from').waitFor()
    await page.unroute('**/api/v1/series?**')
    await page.getByRole('radio', { name: '近24小时' }).click()
    await expect.poll(() => page.getByRole('alert').count()).toBe(0)
  })
})
