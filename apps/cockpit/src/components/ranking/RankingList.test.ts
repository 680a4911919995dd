import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import RankingList from './RankingList.vue'

const rows = [
  { id: 'a', name: '松园社区', value: 0.921 },
  { id: 'b', name: '竹苑社区', value: 0.479 },
  { id: 'c', name: '兰亭社区', value: null },
]

describe('RankingList', () => {
  it('lists children with rank, value as percent and level', () => {
    const items = mount(RankingList, { props: { rows, metricId: 'traffic.parking_occupancy', limit: 10 } }).findAll('li')
    expect(items[0]?.text()).toMatch(/1\s*松园社区\s*92\.1%\s*饱和/)
    expect(items[1]?.text()).toMatch(/2\s*竹苑社区\s*47\.9%\s*充足/)
  })

  it('gives a child without data a dash, no rank and no level', () => {
    const last = mount(RankingList, { props: { rows, metricId: 'traffic.parking_occupancy', limit: 10 } }).findAll('li')[2]
    expect(last?.text()).toMatch(/^–\s*兰亭社区\s*—$/)
  })

  it('asks to drill into the tapped child', async () => {
    const list = mount(RankingList, { props: { rows, metricId: 'traffic.parking_occupancy', limit: 10 } })
    await list.findAll('button')[1]?.trigger('click')
    expect(list.emitted('drill')).toEqual([['b']])
  })
})
