import { readFileSync } from 'node:fs'
import { loadDemoCity, type Device } from '@city/demo-city'
import { loadRegionTree, type RegionTree } from '@city/metrics'
import { applyRetention, migrate, openPgliteDb, openPostgresDb, type Db, type RetentionPolicy } from '@city/platform'
import type { Config } from './config.js'

/** The configured store, migrated: PostgreSQL/TimescaleDB with DATABASE_URL, else PGlite in DATA_DIR. */
export async function openStore(config: Config): Promise<{ db: Db, description: string }> {
  const db = config.DATABASE_URL
    ? await openPostgresDb({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE })
    : await openPgliteDb(config.DATA_DIR)
  const applied = await migrate(db, { useTimescale: config.TIMESCALEDB === 'auto' })
  await applyRetention(db, retentionOf(config))
  const where = config.DATABASE_URL ? '' : ` in ${config.DATA_DIR}`
  return { db, description: `${db.engine}${where}${applied.length ? `, applied ${applied.join(', ')}` : ''}` }
}

export function retentionOf(config: Config): RetentionPolicy {
  return {
    minuteDays: config.RETENTION_1M_DAYS,
    hourDays: config.RETENTION_1H_DAYS,
    dayDays: config.RETENTION_1D_DAYS === 0 ? null : config.RETENTION_1D_DAYS,
    compressAfterDays: config.COMPRESS_AFTER_DAYS,
  }
}

/** The region hierarchy and device registry: REGIONS_FILE / DEVICES_FILE, else the demo city. */
export function loadCity(config: Config): { tree: RegionTree, devices: Device[] } {
  const demo = config.REGIONS_FILE && config.DEVICES_FILE ? undefined : loadDemoCity()
  const regions = config.REGIONS_FILE ? JSON.parse(readFileSync(config.REGIONS_FILE, 'utf8')) : demo!.regions
  const devices = config.DEVICES_FILE ? JSON.parse(readFileSync(config.DEVICES_FILE, 'utf8')) as Device[] : demo!.devices
  return { tree: loadRegionTree(regions), devices }
}
