import type { Vec } from './geo.js'

/** The demo city's make-up. All names are invented; the city is labelled as a demo everywhere. */
export const CITY = { id: 'demo', name: '示范市（演示）', nameEn: 'Demo City (fictional)' }

/** The "1+8+X" district: one district cockpit, eight street cockpits, many community cockpits. */
export const HUB_DISTRICT_ID = 'demo-jiangbin'

export interface StreetPlan {
  name: string
  pinyin: string
  communities: number
}

export interface DistrictPlan {
  id: string
  name: string
  pinyin: string
  /** Where the district's seed sits, in km from the city centre. */
  anchor: Vec
  /** Relative growth speed; the urban hub district is kept compact. */
  weight: number
  streets: StreetPlan[]
}

const street = (name: string, pinyin: string, communities: number): StreetPlan => ({ name, pinyin, communities })

export const DISTRICTS: readonly DistrictPlan[] = [
  {
    id: HUB_DISTRICT_ID, name: '江滨区', pinyin: 'Jiangbin', anchor: [4.5, 0.5], weight: 0.72,
    streets: [
      street('望湖', 'wanghu', 11), street('江汀', 'jiangting', 10), street('文澜', 'wenlan', 10),
      street('鹤鸣', 'heming', 9), street('听涛', 'tingtao', 9), street('桂芳', 'guifang', 9),
      street('澄波', 'chengbo', 9), street('锦屏', 'jinping', 8),
    ],
  },
  {
    id: 'demo-xiling', name: '西岭区', pinyin: 'Xiling', anchor: [-7, -0.5], weight: 1,
    streets: [street('枫林', 'fenglin', 4), street('石泉', 'shiquan', 5), street('青峰', 'qingfeng', 3), street('竹溪', 'zhuxi', 6)],
  },
  {
    id: 'demo-yunxi', name: '云溪区', pinyin: 'Yunxi', anchor: [-0.5, -6], weight: 1,
    streets: [street('云台', 'yuntai', 5), street('月桥', 'yueqiao', 4), street('梅坞', 'meiwu', 6)],
  },
  {
    id: 'demo-beigang', name: '北港区', pinyin: 'Beigang', anchor: [-0.5, 6], weight: 1,
    streets: [
      street('北渚', 'beizhu', 3), street('渔浦', 'yupu', 4), street('帆影', 'fanying', 5),
      street('清湾', 'qingwan', 4), street('鸥鹭', 'oulu', 6),
    ],
  },
]

/** Arterial roads as polylines in km; segments are strung along them. */
export interface ArterialPlan {
  name: string
  freeFlowKmh: number
  path: readonly Vec[]
}

export const ARTERIALS: readonly ArterialPlan[] = [
  { name: '滨江大道', freeFlowKmh: 70, path: [[9.5, -7], [8, -2], [7.2, 3], [8, 8]] },
  { name: '明月大道', freeFlowKmh: 70, path: [[-10, 0.8], [-3, 0.3], [3, 1], [10, 0.5]] },
  { name: '环城东路', freeFlowKmh: 60, path: [[2.2, -5], [2.8, 0], [2.3, 5]] },
  { name: '环城北路', freeFlowKmh: 60, path: [[-4, 3.4], [2, 3.8], [7.5, 3.2]] },
  { name: '金川大道', freeFlowKmh: 80, path: [[-3.5, -8], [-2.8, 0], [-3.6, 8]] },
  { name: '秋涛路', freeFlowKmh: 50, path: [[3, -2.6], [6, -2.2], [9, -2.8]] },
]
