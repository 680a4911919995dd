import type { CaseCategory } from '@city/metrics'
import type { CaseSite } from './case-sites.js'

const TITLES: Record<string, readonly string[]> = {
  'road-damage': ['{road}{no}号附近路面坑洼', '{road}与{road2}交叉口路面破损'],
  'manhole': ['{road}与{road2}交叉口井盖缺失', '{community}社区{building}幢旁井盖破损'],
  'streetlight': ['{road}{no}号路灯不亮', '{road}与{road2}交叉口路灯故障'],
  'garbage': ['{community}社区{building}幢旁垃圾暴露', '{road}沿线垃圾堆积'],
  'illegal-parking': ['{road}{no}号门前违章停车', '{road}人行道机动车乱停'],
  'street-vendor': ['{road}与{road2}交叉口占道经营', '{community}社区门口流动摊贩'],
  'illegal-ad': ['{road}{no}号违规张贴小广告', '{road}沿线违规设置广告牌'],
  'greenery': ['{community}社区绿化带损毁', '{road}行道树倒伏'],
  'waterlogging': ['{road}{no}号附近道路积水', '{road}与{road2}交叉口积水'],
  'noise-complaint': ['{community}社区夜间施工噪声扰民', '{road}{no}号商铺噪声扰民'],
  'pollution': ['{road}沿线餐饮油烟排放', '{community}社区附近异味扰民'],
}

/** A short Chinese title such as 望湖路与滨江大道交叉口井盖缺失; `pick` yields numbers in [0, 1). */
export function titleFor(category: CaseCategory, site: CaseSite, pick: (salt: number) => number): string {
  const templates = TITLES[category.code] ?? [`{community}社区${category.name}`]
  const template = templates[Math.floor(pick(1) * templates.length)]!
  const road = site.roads[Math.floor(pick(2) * site.roads.length)]!
  const others = site.roads.filter((r) => r !== road)
  const road2 = others[Math.floor(pick(3) * others.length)] ?? `${site.community}路`
  return template
    .replace('{road}', road)
    .replace('{road2}', road2)
    .replace('{community}', site.community)
    .replace('{no}', String(1 + Math.floor(pick(4) * 388)))
    .replace('{building}', String(1 + Math.floor(pick(5) * 36)))
}
