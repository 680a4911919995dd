import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { findMetric } from '@city/metrics'
import type { RegionSnapshot } from '@city/metrics/wire'
import { launchChromium } from './support/browser.js'
import { serveCockpit, simulate, startEmbedded, tree } from './support/embedded.js'

// A weekday evening rush hour; the server's clock is ours to move.
const T0 = Date.parse('2026-11-23T18:10:00+08:00')
let nowMs = T0
const now = () => nowMs
const history = simulate(T0 - 90 * 60_000, T0 + 60_000, { seed: 5, badShare: 0.01 })
const district = tree.root.children[0]!

let product: Awaited<ReturnType<typeof startEmbedded>>
let app: Awaited<ReturnType<typeof serveCockpit>>['app']
let browser: Browser
let page: Page
let origin: string

/** KPI cards as the page shows them: metric id + window → the number on screen. */
async function kpis(): Promise<Map<string, string>> {
  const cells = await page.locator('[data-metric][data-window]').evaluateAll((els) =>
    els.map((el) => [`${el.getAttribute('data-metric')}|${el.getAttribute('data-window')}`, el.textContent?.trim() ?? '']))
  return new Map(cells as [string, string][])
}

/** How the catalog says a value is written: its decimals, fractions as percent with one decimal. */
function written(metricId: string, value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '—'
  }
  const metric = findMetric(metricId)!
  return metric.unit === '%' ? (value * 100).toFixed(1) : value.toFixed(metric.decimals)
}

async function snapshotOf(region: string): Promise<RegionSnapshot> {
  return (await app.inject(`/api/v1/regions/${region}/snapshot`)).json() as RegionSnapshot
}

/** Waits until every KPI on the page equals the API's snapshot, then returns what was compared. */
async function expectKpisToMatchApi(region: string): Promise<Map<string, string>> {
  let last = ''
  for (let attempt = 0; attempt < 40; attempt++) {
    const shown = await kpis()
    const api = await snapshotOf(region)
    const mismatches = [...shown].filter(([key, text]) => {
      const [metric, window] = key.split('|') as [string, 'current' | 'today']
      return !text.startsWith(written(metric, api.values[metric]?.[window]))
    })
    if (shown.size >= 6 && mismatches.length === 0) {
      return shown
    }
    last = JSON.stringify(mismatches)
    await page.waitForTimeout(250)
  }
  throw new Error(`KPIs differ from the API snapshot: ${last}`)
}

beforeAll(async () => {
  product = await startEmbedded(now)
  await product.ingest(history.filter((m) => !isAfter(m.value, T0)))
  const served = await serveCockpit(product, now)
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

/** Messages whose event time is at or after t (the last minute, held back to arrive "live"). */
function isAfter(value: string, t: number): boolean {
  const ts = /"ts":"([^"]+)"/.exec(value)?.[1]
  return ts !== undefined && Date.parse(ts) >= t
}

describe('cockpit in headless Chromium', () => {
  it('loads the city page with its name, the live state and KPI numbers equal to the API snapshot', async () => {
    await page.goto(`${origin}/`)
    await page.getByText(tree.root.name).first().waitFor()
    await page.getByText('城市运行数字驾驶舱').first().waitFor()
    const shown = await expectKpisToMatchApi(tree.root.id)
    expect(shown.get('traffic.flow|today')).toMatch(/^\d+/)
    await page.locator('[data-status="live"]').waitFor()
  })

  it("shows today's data quality as counted from the stream: accepted and rejected messages", async () => {
    const ingested = history.filter((m) => !isAfter(m.value, T0))
    const accepted = ingested.filter((m) => !m.bad).length
    const rejected = ingested.filter((m) => m.bad).length
    const quality = page.locator('[data-accepted]')
    await quality.waitFor()
    expect(Number(await quality.getAttribute('data-accepted'))).toBe(accepted)
    expect(Number(await quality.getAttribute('data-rejected'))).toBe(rejected)
    expect(rejected).toBeGreaterThan(0)
    const text = await quality.textContent()
    expect(text).toContain(`全市今日接入${accepted.toLocaleString('zh-CN')}`)
    expect(text).toContain(`拒收${rejected.toLocaleString('zh-CN')}`)
  })

  it('shows new values live when more of the stream arrives, still equal to the API', async () => {
    const before = (await kpis()).get('traffic.flow|today')
    nowMs = T0 + 59_000
    await product.ingest(history.filter((m) => isAfter(m.value, T0)))
    await expect.poll(async () => (await kpis()).get('traffic.flow|today'), { timeout: 15_000 }).not.toBe(before)
    await expectKpisToMatchApi(tree.root.id)
    // The page got (some of) them as patches of what it held, and patched them right.
    expect(Number(/^city_live_updates_sent_total\{kind="patch"\} (\d+)/m.exec((await app.inject('/metrics')).body)?.[1])).toBeGreaterThan(0)
  })

  it('drills down from the city to a district and from the district to a street by clicking the map', async () => {
    await page.goto(`${origin}/r/${district}`)
    await page.getByText(tree.get(district)!.name).first().waitFor()
    await expectKpisToMatchApi(district)
    const canvas = page.getByRole('img', { name: '下级区域地图' }).locator('canvas').first()
    await canvas.waitFor()
    await page.waitForTimeout(1000)
    const box = (await canvas.boundingBox())!
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await page.waitForURL((url) => url.pathname.startsWith('/r/') && url.pathname !== `/r/${district}`, { timeout: 10_000 })
    const street = new URL(page.url()).pathname.slice(3)
    expect(tree.get(district)!.children).toContain(street)
    await page.getByText(tree.get(street)!.name).first().waitFor()
    await expectKpisToMatchApi(street)
    await page.screenshot({ path: fileURLToPath(new URL('./artifacts/street-1920x1080.png', import.meta.url)) })
  })

  it('goes back up with the breadcrumb', async () => {
    await page.getByRole('navigation', { name: '区域层级' }).getByText(tree.root.name).first().click()
    await page.waitForURL((url) => url.pathname === '/' || url.pathname === `/r/${tree.root.id}`)
    await expectKpisToMatchApi(tree.root.id)
  })
})
