import type { QualityResponse } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'

/** Accepted messages and rejections per source and reason over local days [fromDay, toDay]. */
export async function loadQuality(db: Queryable, fromDay: string, toDay: string): Promise<QualityResponse> {
  const { rows } = await db.query<{ source: string, reason: string, count: number }>(
    `select source, reason, sum(count)::float8 as count from quality
     where day between $1::date and $2::date group by source, reason order by source, reason`,
    [fromDay, toDay],
  )
  const total = (reason: string) => rows.filter((r) => r.reason === reason).reduce((s, r) => s + Number(r.count), 0)
  return {
    accepted: total('accepted'),
    duplicates: total('duplicate'),
    rejected: rows.filter((r) => r.reason !== 'accepted' && r.reason !== 'duplicate')
      .map((r) => ({ source: r.source, reason: r.reason, count: Number(r.count) })),
  }
}
