import { hourStart, localDayStart, mergeInto, emptyPartial, type RegionTree } from '@city/metrics'
import type { BucketPartial } from '../pipeline/batch.js'

export type Resolution = '1m' | '1h' | '1d'

/**
 * Leaf minute partials → partials for every ancestor and for the hour and local-day buckets, merged per
 * (region, metric, bucket). Because partials merge exactly, each row equals a computation from raw data.
 */
export function rollUp(leaves: Iterable<BucketPartial>, tree: RegionTree, timeZone: string): Record<Resolution, BucketPartial[]> {
  const out = { '1m': new Map<string, BucketPartial>(), '1h': new Map<string, BucketPartial>(), '1d': new Map<string, BucketPartial>() }
  const dayOf = new Map<number, number>()
  for (const leaf of leaves) {
    const hour = hourStart(leaf.bucketMs)
    let day = dayOf.get(hour)
    if (day === undefined) {
      day = localDayStart(hour, timeZone)
      dayOf.set(hour, day)
    }
    for (const region of tree.get(leaf.region)!.lineage) {
      add(out['1m'], region, leaf.metric, leaf.bucketMs, leaf)
      add(out['1h'], region, leaf.metric, hour, leaf)
      add(out['1d'], region, leaf.metric, day, leaf)
    }
  }
  return { '1m': [...out['1m'].values()], '1h': [...out['1h'].values()], '1d': [...out['1d'].values()] }
}

function add(into: Map<string, BucketPartial>, region: string, metric: string, bucketMs: number, from: BucketPartial): void {
  const key = `${region}|${metric}|${bucketMs}`
  let entry = into.get(key)
  if (!entry) {
    entry = { region, metric, bucketMs, partial: emptyPartial() }
    into.set(key, entry)
  }
  mergeInto(entry.partial, from.partial)
}
