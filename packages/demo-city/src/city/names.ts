import type { Random } from '../random.js'

export interface PlaceName {
  name: string
  pinyin: string
}

// First and second syllables have distinct pinyin, so every pair makes a distinct id.
const FIRST: readonly [string, string][] = [
  ['桂', 'gui'], ['翠', 'cui'], ['景', 'jing'], ['春', 'chun'], ['秋', 'qiu'], ['金', 'jin'], ['银', 'yin'],
  ['兰', 'lan'], ['梅', 'mei'], ['竹', 'zhu'], ['松', 'song'], ['柳', 'liu'], ['枫', 'feng'], ['荷', 'he'],
  ['清', 'qing'], ['明', 'ming'], ['安', 'an'], ['康', 'kang'], ['福', 'fu'], ['瑞', 'rui'], ['祥', 'xiang'],
  ['华', 'hua'], ['新', 'xin'], ['文', 'wen'], ['德', 'de'], ['泰', 'tai'], ['宁', 'ning'], ['嘉', 'jia'],
  ['永', 'yong'], ['朝', 'chao'], ['阳', 'yang'], ['星', 'xing'], ['晨', 'chen'], ['紫', 'zi'], ['碧', 'bi'],
]
const SECOND: readonly [string, string][] = [
  ['园', 'yuan'], ['湖', 'hu'], ['桥', 'qiao'], ['庄', 'zhuang'], ['坊', 'fang'], ['里', 'li'], ['湾', 'wan'],
  ['塘', 'tang'], ['溪', 'xi'], ['浦', 'pu'], ['亭', 'ting'], ['林', 'lin'], ['山', 'shan'], ['岭', 'ling'],
  ['港', 'gang'], ['河', 'he'],
]
// Well-known real places are left out, so the demo never looks like a real city.
const TAKEN = new Set(['泰山', '华山', '金山', '文山', '宁河', '清河', '金湖', '银河', '星河', '阳山'])

/** Distinct invented community names such as 桂园 (guiyuan). */
export function drawCommunityNames(count: number, random: Random): PlaceName[] {
  const pool: PlaceName[] = []
  for (const [a, pa] of FIRST) {
    for (const [b, pb] of SECOND) {
      if (pa !== pb && !TAKEN.has(a + b)) {
        pool.push({ name: a + b, pinyin: pa + pb })
      }
    }
  }
  const names: PlaceName[] = []
  while (names.length < count) {
    const [taken] = pool.splice(Math.floor(random.next() * pool.length), 1)
    names.push(taken!)
  }
  return names
}
