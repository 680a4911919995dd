import type { CaseSummary, RegionNode, RegionSnapshot } from '@city/metrics/wire'

export function makeSnapshot(overrides: Partial<RegionSnapshot> = {}): RegionSnapshot {
  return {
    region: 'demo-city',
    version: 10,
    asOf: '2025-11-23T08:00:01Z',
    committedAt: '2025-11-23T08:00:00.500Z',
    eventTime: '2025-11-23T08:00:00Z',
    stale: false,
    values: { 'traffic.tti': { current: 1.62, today: 1.5 } },
    children: [],
    trend: {},
    cases: [],
    ...overrides,
  }
}

export function makeCase(overrides: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id: 'case-1',
    region: 'east-c1',
    category: 'garbage',
    channel: 'hotline',
    stage: 'dispatched',
    stageAt: '2025-11-23T08:00:00Z',
    reportedAt: '2025-11-23T07:00:00Z',
    deadline: '2025-11-23T11:00:00Z',
    overdue: false,
    severity: 2,
    dept: 'huanwei',
    title: '垃圾桶满溢',
    ...overrides,
  }
}

export function makeTree(): RegionNode {
  const community = (id: string, name: string): RegionNode => ({ id, name, name_en: id, level: 'community', children: [] })
  return {
    id: 'demo-city', name: '示范市', name_en: 'Demo City', level: 'city', children: [
      { id: 'east', name: '东城区', name_en: 'East', level: 'district', children: [
        { id: 'east-s1', name: '文汇街道', name_en: 'Wenhui', level: 'street', children: [community('east-c1', '翠苑社区'), community('east-c2', '桂花社区')] },
      ] },
      { id: 'west', name: '西湖区', name_en: 'West', level: 'district', children: [] },
      { id: 'south', name: '南湖区', name_en: 'South', level: 'district', children: [] },
    ],
  }
}
