import { Group, type GroupState } from './group.js'
import { EMPTY, joinError, protocolMetadata, type JoinRequest, type JoinResult, type SyncResult } from './group-member.js'
import { ErrorCode } from './protocol/error-codes.js'

export interface CommittedOffset {
  offset: number
  metadata: string | null
}

export interface GroupSummary {
  groupId: string
  state: GroupState | 'Dead'
  protocolType: string
  protocolName: string
  members: { memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[]
}

// Kafka's group.min.session.timeout.ms defaults to 6 s; a lower floor lets tests expire members quickly.
const MIN_SESSION_TIMEOUT_MS = 100
const MAX_SESSION_TIMEOUT_MS = 1_800_000

/** Consumer groups and their committed offsets; a timer expires silent members. */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>()
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly checkIntervalMs: number) {}

  start(): void {
    this.timer ??= setInterval(() => this.expire(Date.now()), this.checkIntervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  expire(now: number): void {
    for (const group of this.groups.values()) {
      group.expire(now)
    }
  }

  reload(): void {
    for (const group of this.groups.values()) {
      group.reload(Date.now())
    }
  }

  join(groupId: string, request: JoinRequest): Promise<JoinResult> {
    if (groupId === '') {
      return Promise.resolve(joinError(ErrorCode.INVALID_GROUP_ID, request.memberId))
    }
    const timeout = request.sessionTimeoutMs
    if (timeout < MIN_SESSION_TIMEOUT_MS || timeout > MAX_SESSION_TIMEOUT_MS) {
      return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId))
    }
    if (request.memberId !== '' && !this.groups.has(groupId)) {
      return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId))
    }
    return this.groupFor(groupId).join(request)
  }

  sync(groupId: string, generationId: number, memberId: string, assignments: Map<string, Buffer>): Promise<SyncResult> {
    const group = this.groups.get(groupId)
    if (!group) {
      return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY })
    }
    return group.sync(generationId, memberId, assignments)
  }

  heartbeat(groupId: string, generationId: number, memberId: string): ErrorCode {
    return this.groups.get(groupId)?.heartbeat(generationId, memberId) ?? ErrorCode.UNKNOWN_MEMBER_ID
  }

  leave(groupId: string, memberId: string): ErrorCode {
    return this.groups.get(groupId)?.leave(memberId) ?? ErrorCode.UNKNOWN_MEMBER_ID
  }

  checkCommit(groupId: string, generationId: number, memberId: string): ErrorCode {
    const group = this.groups.get(groupId)
    if (group) {
      return group.checkCommit(generationId, memberId)
    }
    if (generationId >= 0) {
      return ErrorCode.ILLEGAL_GENERATION
    }
    this.groupFor(groupId)
    return ErrorCode.NONE
  }

  storeOffset(groupId: string, topic: string, partition: number, committed: CommittedOffset): void {
    const offsets = this.offsets.get(groupId) ?? new Map<string, CommittedOffset>()
    offsets.set(offsetKey(topic, partition), committed)
    this.offsets.set(groupId, offsets)
  }

  committedOffset(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId)?.get(offsetKey(topic, partition))
  }

  committedPartitions(groupId: string): { topic: string; partition: number }[] {
    return [...(this.offsets.get(groupId)?.keys() ?? [])].map(parseOffsetKey)
  }

  describe(groupId: string): GroupSummary {
    const group = this.groups.get(groupId)
    if (!group) {
      return { groupId, state: 'Dead', protocolType: '', protocolName: '', members: [] }
    }
    const isStable = group.state === 'Stable'
    const protocolName = isStable ? (group.protocolName ?? '') : ''
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName,
      members: [...group.members.values()].map((member) => ({
        memberId: member.memberId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        metadata: isStable ? protocolMetadata(member, protocolName) : EMPTY,
        assignment: isStable ? member.assignment : EMPTY,
      })),
    }
  }

  list(): { groupId: string; protocolType: string }[] {
    return [...this.groups.values()].map((group) => ({ groupId: group.groupId, protocolType: group.protocolType ?? '' }))
  }

  delete(groupId: string): ErrorCode {
    const group = this.groups.get(groupId)
    if (!group && !this.offsets.has(groupId)) {
      return ErrorCode.GROUP_ID_NOT_FOUND
    }
    if (group && group.state !== 'Empty') {
      return ErrorCode.NON_EMPTY_GROUP
    }
    this.groups.delete(groupId)
    this.offsets.delete(groupId)
    return ErrorCode.NONE
  }

  forgetTopic(topic: string): void {
    for (const offsets of this.offsets.values()) {
      for (const key of offsets.keys()) {
        if (parseOffsetKey(key).topic === topic) {
          offsets.delete(key)
        }
      }
    }
  }

  private groupFor(groupId: string): Group {
    const group = this.groups.get(groupId) ?? new Group(groupId)
    this.groups.set(groupId, group)
    return group
  }
}

function offsetKey(topic: string, partition: number): string {
  return `${topic}/${partition}`
}

function parseOffsetKey(key: string): { topic: string; partition: number } {
  const slash = key.lastIndexOf('/')
  return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) }
}
