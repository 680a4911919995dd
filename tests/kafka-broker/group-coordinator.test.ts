import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GroupCoordinator } from './group-coordinator.js'
import type { JoinRequest, JoinResult } from './group-member.js'
import { ErrorCode } from './protocol/error-codes.js'

const GROUP = 'ingest'

function joinRequest(memberId: string, overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId,
    groupInstanceId: null,
    sessionTimeoutMs: 1_000,
    rebalanceTimeoutMs: 2_000,
    protocolType: 'consumer',
    protocols: [{ name: 'roundrobin', metadata: Buffer.from(`meta-of-${memberId || 'new'}`) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    ...overrides,
  }
}

/** A new member's two-step join (KIP-394); resolves when the group completes the join. */
async function joinAsNew(groups: GroupCoordinator, overrides: Partial<JoinRequest> = {}): Promise<{ id: string; joined: Promise<JoinResult> }> {
  const first = await groups.join(GROUP, joinRequest('', overrides))
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
  return { id: first.memberId, joined: groups.join(GROUP, joinRequest(first.memberId, overrides)) }
}

async function stableGroupOfTwo(groups: GroupCoordinator) {
  const a = await joinAsNew(groups)
  const generation1 = await a.joined
  await groups.sync(GROUP, generation1.generationId, a.id, new Map([[a.id, Buffer.from('all')]]))
  const b = await joinAsNew(groups)
  expect(groups.heartbeat(GROUP, 1, a.id)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
  const [leader, follower] = await Promise.all([groups.join(GROUP, joinRequest(a.id)), b.joined])
  const followerSync = groups.sync(GROUP, 2, b.id, new Map())
  await groups.sync(GROUP, 2, a.id, new Map([[a.id, Buffer.from('p0,p2')], [b.id, Buffer.from('p1')]]))
  return { a: a.id, b: b.id, leader, follower, followerSync: await followerSync }
}

describe('GroupCoordinator', () => {
  let groups: GroupCoordinator

  beforeEach(() => {
    vi.useFakeTimers()
    groups = new GroupCoordinator(100)
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('makes the first member leader of generation 1 and hands it the members’ metadata', async () => {
    const { id, joined } = await joinAsNew(groups)
    const result = await joined
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'roundrobin', leaderId: id, memberId: id })
    expect(result.members.map((m) => [m.memberId, m.metadata.toString()])).toEqual([[id, `meta-of-${id}`]])
    expect(groups.describe(GROUP).state).toBe('CompletingRebalance')
  })

  it('rebalances when a member joins and delivers the leader’s assignments through SyncGroup', async () => {
    const { a, b, leader, follower, followerSync } = await stableGroupOfTwo(groups)
    expect(leader.generationId).toBe(2)
    expect(leader.members.map((m) => m.memberId).sort()).toEqual([a, b].sort())
    expect(follower).toMatchObject({ generationId: 2, leaderId: a, members: [] })
    expect(followerSync).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('p1') })
    expect(groups.describe(GROUP)).toMatchObject({ state: 'Stable', protocolName: 'roundrobin' })
  })

  it('answers stale and unknown members with ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID', async () => {
    const { a } = await stableGroupOfTwo(groups)
    expect(groups.heartbeat(GROUP, 1, a)).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(groups.heartbeat(GROUP, 2, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(groups.heartbeat('no-such-group', 2, a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await groups.join(GROUP, joinRequest('nobody'))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(groups.checkCommit(GROUP, 1, a)).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(groups.checkCommit(GROUP, 2, a)).toBe(ErrorCode.NONE)
  })

  it('expires a member that stops heartbeating and rebalances the rest', async () => {
    const { a, b } = await stableGroupOfTwo(groups)
    vi.advanceTimersByTime(600)
    expect(groups.heartbeat(GROUP, 2, a)).toBe(ErrorCode.NONE)
    vi.advanceTimersByTime(600)
    groups.expire(Date.now())
    expect(groups.describe(GROUP).members.map((m) => m.memberId)).toEqual([a])
    expect(groups.heartbeat(GROUP, 2, a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    expect(groups.heartbeat(GROUP, 2, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    const rejoined = await groups.join(GROUP, joinRequest(a))
    expect(rejoined).toMatchObject({ generationId: 3, leaderId: a })
  })

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const { a, b } = await stableGroupOfTwo(groups)
    const c = await joinAsNew(groups)
    const aRejoined = groups.join(GROUP, joinRequest(a))
    for (let elapsed = 0; elapsed < 2_000; elapsed += 500) {
      expect(groups.heartbeat(GROUP, 2, b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
      vi.advanceTimersByTime(500)
      groups.expire(Date.now())
    }
    const [leader, joinedC] = await Promise.all([aRejoined, c.joined])
    expect(leader.generationId).toBe(3)
    expect(leader.members.map((m) => m.memberId).sort()).toEqual([a, c.id].sort())
    expect(joinedC.generationId).toBe(3)
    expect(groups.heartbeat(GROUP, 3, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('answers REBALANCE_IN_PROGRESS to a member waiting in SyncGroup when the group rebalances again', async () => {
    const { a, b } = await stableGroupOfTwo(groups)
    const c = await joinAsNew(groups)
    const [leader] = await Promise.all([groups.join(GROUP, joinRequest(a)), groups.join(GROUP, joinRequest(b)), c.joined])
    expect(leader).toMatchObject({ generationId: 3, leaderId: a })
    const waiting = groups.sync(GROUP, 3, b, new Map())
    expect(groups.leave(GROUP, c.id)).toBe(ErrorCode.NONE)
    await expect(waiting).resolves.toMatchObject({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS })
  })

  it('answers UNKNOWN_MEMBER_ID to a join still waiting when its member leaves', async () => {
    await stableGroupOfTwo(groups)
    const d = await joinAsNew(groups)
    expect(groups.leave(GROUP, d.id)).toBe(ErrorCode.NONE)
    await expect(d.joined).resolves.toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID })
  })

  it('keeps the last stable generation across a broker restart and forgets a rebalance in flight', async () => {
    const { a, b } = await stableGroupOfTwo(groups)
    const c = await joinAsNew(groups)
    const aRejoining = groups.join(GROUP, joinRequest(a))
    groups.reload()
    await expect(aRejoining).resolves.toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR })
    await expect(c.joined).resolves.toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR })
    expect(groups.describe(GROUP)).toMatchObject({ state: 'Stable', members: [{ memberId: a }, { memberId: b }] })
    expect(groups.heartbeat(GROUP, 2, a)).toBe(ErrorCode.NONE)
    expect(groups.heartbeat(GROUP, 2, c.id)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(await groups.sync(GROUP, 2, b, new Map())).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('p1') })
  })

  it('allows commits outside the group protocol only while the group is empty', async () => {
    expect(groups.checkCommit('tools', -1, '')).toBe(ErrorCode.NONE)
    expect(groups.checkCommit('never-seen', 4, 'someone')).toBe(ErrorCode.ILLEGAL_GENERATION)
    const { id, joined } = await joinAsNew(groups)
    await joined
    expect(groups.checkCommit(GROUP, 1, id)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    await groups.sync(GROUP, 1, id, new Map())
    expect(groups.checkCommit(GROUP, 1, id)).toBe(ErrorCode.NONE)
    expect(groups.checkCommit(GROUP, -1, '')).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(groups.leave(GROUP, id)).toBe(ErrorCode.NONE)
    expect(groups.describe(GROUP).state).toBe('Empty')
    expect(groups.checkCommit(GROUP, -1, '')).toBe(ErrorCode.NONE)
  })

  it('rejects a member whose protocols share nothing with the group', async () => {
    const { joined } = await joinAsNew(groups)
    await joined
    const stranger = await groups.join(GROUP, joinRequest('', { protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }))
    expect(stranger.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  })

  it('deletes only empty groups, with their offsets', async () => {
    groups.storeOffset('tools', 'traffic', 0, { offset: 5, metadata: null })
    const { joined } = await joinAsNew(groups)
    await joined
    expect(groups.delete(GROUP)).toBe(ErrorCode.NON_EMPTY_GROUP)
    expect(groups.delete('tools')).toBe(ErrorCode.NONE)
    expect(groups.committedOffset('tools', 'traffic', 0)).toBeUndefined()
    expect(groups.delete('tools')).toBe(ErrorCode.GROUP_ID_NOT_FOUND)
  })
})
