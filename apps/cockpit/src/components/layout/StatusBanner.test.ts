import { enableAutoUnmount, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import StatusBanner from './StatusBanner.vue'

enableAutoUnmount(afterEach)

describe('StatusBanner', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2025-11-23T08:03:00Z'))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('says nothing while the data is live', () => {
    expect(mount(StatusBanner, { props: { status: 'live', dataTime: '2025-11-23T08:02:59Z' } }).text()).toBe('')
  })

  it('says the connection is down, how often it retried and how old the numbers are', () => {
    const text = mount(StatusBanner, { props: { status: 'offline', dataTime: '2025-11-23T08:00:00Z', attempts: 3 } }).text()
    expect(text).toContain('连接中断')
    expect(text).toContain('第3次重连')
    expect(text).toContain('16:00:00（3分钟前）')
    expect(text).toContain('非实时')
  })

  it('says the data is delayed, or that the region has reported nothing', () => {
    expect(mount(StatusBanner, { props: { status: 'delayed', dataTime: '2025-11-23T08:02:00Z' } }).text()).toContain('数据延迟：最新数据为 16:02:00（1分钟前）')
    expect(mount(StatusBanner, { props: { status: 'delayed', dataTime: null } }).text()).toContain('暂无数据上报')
  })
})
