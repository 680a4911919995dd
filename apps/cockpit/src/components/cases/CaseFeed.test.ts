import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { makeCase } from '@/__fixtures__/snapshot'
import CaseFeed from './CaseFeed.vue'

const regionNames = new Map([['east-c1', '翠苑社区']])

describe('CaseFeed', () => {
  it('shows stage and category in Chinese, the title, the place and the city time', () => {
    const feed = mount(CaseFeed, { props: { cases: [makeCase()], regionNames, limit: 10 } })
    const text = feed.text()
    expect(text).toContain('派遣')
    expect(text).toContain('垃圾暴露')
    expect(text).toContain('垃圾桶满溢')
    expect(text).toContain('翠苑社区')
    expect(text).toContain('16:00')
  })

  it('marks overdue cases', () => {
    const feed = mount(CaseFeed, { props: { cases: [makeCase({ overdue: true })], regionNames, limit: 10 } })
    expect(feed.text()).toContain('超期')
  })

  it('lists the newest stage change first and keeps to the limit', () => {
    const cases = [
      makeCase({ id: 'a', title: '较早', stageAt: '2025-11-23T07:00:00Z' }),
      makeCase({ id: 'b', title: '最新', stageAt: '2025-11-23T09:00:00Z' }),
      makeCase({ id: 'c', title: '中间', stageAt: '2025-11-23T08:00:00Z' }),
    ]
    const items = mount(CaseFeed, { props: { cases, regionNames, limit: 2 } }).findAll('li')
    expect(items.map((li) => li.text())).toEqual([expect.stringContaining('最新'), expect.stringContaining('中间')])
  })

  it('says so when there are no cases', () => {
    expect(mount(CaseFeed, { props: { cases: [], regionNames, limit: 10 } }).text()).toContain('暂无案件')
  })
})
