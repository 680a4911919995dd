import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import KpiCard from './KpiCard.vue'

function mountCard(props: Partial<InstanceType<typeof KpiCard>['$props']> = {}) {
  return mount(KpiCard, {
    props: { label: '交通拥堵指数', metricId: 'traffic.tti', window: 'current', value: 1.934, showLevel: true, ...props },
  })
}

describe('KpiCard', () => {
  it('shows the value with the catalog decimals and its congestion level', () => {
    const text = mountCard().text()
    expect(text).toContain('交通拥堵指数')
    expect(text).toContain('1.93')
    expect(text).toContain('轻度拥堵')
    expect(text).toContain('近5分钟')
  })

  it('shows a dash, no unit and no level when there is no data', () => {
    const card = mountCard({ metricId: 'env.noise', label: '环境噪声', value: null })
    const value = card.get('[data-metric="env.noise"]')
    expect(value.text()).toBe('—')
    expect(card.text()).not.toContain('dB(A)')
    expect(card.text()).not.toMatch(/安静|超标/)
  })

  it('shows fractions as a percentage with one decimal', () => {
    const card = mountCard({ metricId: 'cases.on_time_rate', label: '按期结案率', window: 'today', value: 0.9234, showLevel: false })
    expect(card.get('[data-metric="cases.on_time_rate"][data-window="today"]').text()).toBe('92.3')
    expect(card.text()).toContain('%')
    expect(card.text()).toContain('今日')
  })

  it('asks for action while the value is above the alert threshold', () => {
    const card = mountCard({ metricId: 'cases.overdue', label: '超期案件', value: 3, showLevel: false, alertAbove: 0 })
    expect(card.text()).toContain('需督办')
    expect(mountCard({ metricId: 'cases.overdue', label: '超期案件', value: 0, showLevel: false, alertAbove: 0 }).text()).not.toContain('需督办')
  })
})
