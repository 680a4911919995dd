import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'
import { liveOptionsOf, liveTopologyWarning } from './live.js'

const PG = 'postgres://postgres@127.0.0.1:5432/city'

describe('loadConfig for the live push', () => {
  it('runs embedded with in-process live defaults', () => {
    const config = loadConfig({})
    expect(config.REDIS_URL).toBeUndefined()
    expect(liveOptionsOf(config)).toEqual({ tickMs: 1000, maxClients: 5000 })
  })

  it('passes REDIS_URL, MAX_CLIENTS_PER_NODE and LIVE_TICK_MS to the API', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', MAX_CLIENTS_PER_NODE: '800', LIVE_TICK_MS: '500' })
    expect(liveOptionsOf(config)).toEqual({ tickMs: 500, maxClients: 800, redisUrl: 'redis://127.0.0.1:6379' })
  })

  it('runs one API node per process with DATABASE_URL and REDIS_URL', () => {
    const config = loadConfig({ ROLES: 'api', DATABASE_URL: PG, REDIS_URL: 'redis://127.0.0.1:6379' })
    expect([...config.roles]).toEqual(['api'])
    expect(liveTopologyWarning(config)).toBeNull()
  })

  it('still refuses partial roles without DATABASE_URL, even with Redis', () => {
    expect(() => loadConfig({ ROLES: 'api', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/DATABASE_URL/)
  })

  it.each([
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ MAX_CLIENTS_PER_NODE: '0' }, 'MAX_CLIENTS_PER_NODE'],
    [{ LIVE_TICK_MS: '10' }, 'LIVE_TICK_MS'],
  ])('rejects %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name)
  })

  it('warns when roles are split without Redis: commit notices would stay in their process', () => {
    expect(liveTopologyWarning(loadConfig({ ROLES: 'api', DATABASE_URL: PG }))).toContain('REDIS_URL')
    expect(liveTopologyWarning(loadConfig({ ROLES: 'simulator,ingest', DATABASE_URL: PG }))).toContain('REDIS_URL')
    expect(liveTopologyWarning(loadConfig({ ROLES: 'simulator,ingest,api', DATABASE_URL: PG }))).toBeNull()
  })
})
