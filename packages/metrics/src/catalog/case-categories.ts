export interface CaseCategory {
  code: string
  name: string
  /** Service level: hours from report to closure before a case is overdue. */
  slaHours: number
  /** Department that normally handles it. */
  dept: string
}

export interface Department {
  id: string
  name: string
}

/** Departments of the digital urban-management loop (数字城管), as in most Chinese cities. */
export const DEPARTMENTS: readonly Department[] = [
  { id: 'chengguan', name: '城管执法局' },
  { id: 'huanwei', name: '环卫处' },
  { id: 'shizheng', name: '市政设施处' },
  { id: 'yuanlin', name: '园林绿化局' },
  { id: 'jiaojing', name: '交警大队' },
  { id: 'shengtai', name: '生态环境局' },
  { id: 'shuiwu', name: '水务集团' },
  { id: 'jiedao', name: '街道办事处' },
]

/** Case categories with their service level; events without a deadline get report time + slaHours. */
export const CASE_CATEGORIES: readonly CaseCategory[] = [
  { code: 'road-damage', name: '道路破损', slaHours: 48, dept: 'shizheng' },
  { code: 'manhole', name: '井盖缺失', slaHours: 4, dept: 'shizheng' },
  { code: 'streetlight', name: '路灯故障', slaHours: 24, dept: 'shizheng' },
  { code: 'garbage', name: '垃圾暴露', slaHours: 4, dept: 'huanwei' },
  { code: 'illegal-parking', name: '违章停车', slaHours: 2, dept: 'jiaojing' },
  { code: 'street-vendor', name: '占道经营', slaHours: 6, dept: 'chengguan' },
  { code: 'illegal-ad', name: '违规广告', slaHours: 24, dept: 'chengguan' },
  { code: 'greenery', name: '绿化损毁', slaHours: 72, dept: 'yuanlin' },
  { code: 'waterlogging', name: '道路积水', slaHours: 3, dept: 'shuiwu' },
  { code: 'noise-complaint', name: '噪声扰民', slaHours: 12, dept: 'shengtai' },
  { code: 'pollution', name: '污染排放', slaHours: 24, dept: 'shengtai' },
  { code: 'other', name: '其他', slaHours: 72, dept: 'jiedao' },
]

const categories = new Map(CASE_CATEGORIES.map((c) => [c.code, c]))
const OTHER = CASE_CATEGORIES[CASE_CATEGORIES.length - 1]!

/** The category for a code; unknown codes fall back to 其他 so a new code never loses a case. */
export function findCategory(code: string): CaseCategory {
  return categories.get(code) ?? OTHER
}
