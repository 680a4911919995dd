import { randomUUID } from 'node:crypto'
import { ErrorCode } from './protocol/error-codes.js'
import {
  acceptsProtocols,
  EMPTY,
  generationError,
  joinError,
  joinResponse,
  sameProtocols,
  selectProtocol,
  snapshotOf,
  type GroupSnapshot,
  type JoinRequest,
  type JoinResult,
  type Member,
  type SyncResult,
} from './group-member.js'

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable'

/**
 * One consumer group and its rebalance protocol, after Kafka's GroupCoordinator: a join or leave moves
 * the group to PreparingRebalance; once every member has rejoined (or the rebalance timeout drops the
 * rest) a new generation starts with a leader, which sends the assignments through SyncGroup.
 */
export class Group {
  state: GroupState = 'Empty'
  generationId = 0
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, Member>()
  private readonly pendingMembers = new Map<string, number>()
  private phaseDeadline = 0
  private persisted: GroupSnapshot | undefined

  constructor(readonly groupId: string) {}

  join(request: JoinRequest): Promise<JoinResult> {
    if (!acceptsProtocols(this, request)) {
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId))
    }
    if (request.memberId === '') {
      // KIP-394: a new member first gets its id, and counts as a member only when it joins again with it.
      const memberId = `${request.clientId || 'member'}-${randomUUID()}`
      this.pendingMembers.set(memberId, Date.now() + request.sessionTimeoutMs)
      return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId))
    }
    const member = this.members.get(request.memberId)
    if (this.pendingMembers.delete(request.memberId)) {
      return this.awaitJoin(this.addMember(request), this.state !== 'PreparingRebalance')
    }
    if (!member) {
      return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId))
    }
    const isUnchanged = sameProtocols(member.protocols, request.protocols)
    const isSettled = this.state === 'CompletingRebalance' || (this.state === 'Stable' && member.memberId !== this.leaderId)
    Object.assign(member, { ...request, memberId: member.memberId })
    if (isSettled && isUnchanged) {
      return Promise.resolve(joinResponse(this, member))
    }
    return this.awaitJoin(member, this.state !== 'PreparingRebalance')
  }

  sync(generationId: number, memberId: string, assignments: Map<string, Buffer>): Promise<SyncResult> {
    const member = this.members.get(memberId)
    const errorCode = generationError(this, generationId, member)
    if (errorCode !== ErrorCode.NONE || !member) {
      return Promise.resolve({ errorCode, assignment: EMPTY })
    }
    if (this.state === 'PreparingRebalance') {
      return Promise.resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY })
    }
    this.touch(member)
    if (this.state === 'Stable') {
      return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment })
    }
    const result = new Promise<SyncResult>((resolve) => {
      member.syncWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY })
      member.syncWaiter = resolve
    })
    member.hasSynced = true
    if (memberId === this.leaderId) {
      this.completeSync(assignments)
    }
    return result
  }

  heartbeat(generationId: number, memberId: string): ErrorCode {
    const member = this.members.get(memberId)
    const errorCode = generationError(this, generationId, member)
    if (errorCode !== ErrorCode.NONE || !member) {
      return errorCode
    }
    this.touch(member)
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE
  }

  /** Whether a member may commit offsets for this generation (generation -1 is a commit outside the group protocol). */
  checkCommit(generationId: number, memberId: string): ErrorCode {
    if (generationId < 0 && this.state === 'Empty') {
      return ErrorCode.NONE
    }
    const member = this.members.get(memberId)
    const errorCode = generationError(this, generationId, member)
    if (errorCode !== ErrorCode.NONE || !member) {
      return errorCode
    }
    this.touch(member)
    return this.state === 'CompletingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE
  }

  leave(memberId: string): ErrorCode {
    if (this.pendingMembers.delete(memberId)) {
      this.maybeCompleteJoin()
      return ErrorCode.NONE
    }
    const member = this.members.get(memberId)
    if (!member) {
      return ErrorCode.UNKNOWN_MEMBER_ID
    }
    this.removeMember(member)
    return ErrorCode.NONE
  }

  /** Drops members whose session or rebalance phase timed out; runs on the coordinator's timer. */
  expire(now: number): void {
    for (const [memberId, deadline] of this.pendingMembers) {
      if (deadline <= now) {
        this.pendingMembers.delete(memberId)
        this.maybeCompleteJoin()
      }
    }
    for (const member of [...this.members.values()]) {
      const isWaiting = member.joinWaiter !== undefined || member.syncWaiter !== undefined
      if (!isWaiting && member.deadline <= now && this.members.has(member.memberId)) {
        this.removeMember(member)
      }
    }
    if (this.state === 'PreparingRebalance' && this.phaseDeadline <= now) {
      this.completeJoin()
    }
    if (this.state === 'CompletingRebalance' && this.phaseDeadline <= now) {
      const laggards = [...this.members.values()].filter((member) => !member.hasSynced)
      laggards.forEach((member) => this.removeMember(member))
    }
  }

  /**
   * A broker restart. Kafka reloads a group from its log, where only completed generations were
   * written: a rebalance in flight is lost, its waiting requests are answered NOT_COORDINATOR (their
   * connections are gone anyway) and every member of the last stable generation gets a fresh session.
   */
  reload(now: number): void {
    for (const member of this.members.values()) {
      member.joinWaiter?.(joinError(ErrorCode.NOT_COORDINATOR, member.memberId))
      this.resolveSync(member, { errorCode: ErrorCode.NOT_COORDINATOR, assignment: EMPTY })
    }
    this.members.clear()
    this.pendingMembers.clear()
    const snapshot = this.persisted ?? { generationId: 0, protocolType: null, protocolName: null, leaderId: null, members: [] }
    const { members, ...fields } = snapshot
    Object.assign(this, fields)
    for (const member of members) {
      this.members.set(member.memberId, { ...member, deadline: now + member.sessionTimeoutMs, hasSynced: true })
    }
    this.state = this.members.size > 0 ? 'Stable' : 'Empty'
  }

  /** What Kafka would have written to __consumer_offsets about this group: the last completed generation. */
  private persist(): void {
    this.persisted = snapshotOf(this)
  }

  private addMember(request: JoinRequest): Member {
    const member: Member = { ...request, assignment: EMPTY, deadline: 0, hasSynced: false }
    this.members.set(member.memberId, member)
    this.protocolType = request.protocolType
    return member
  }

  private awaitJoin(member: Member, triggersRebalance: boolean): Promise<JoinResult> {
    const result = new Promise<JoinResult>((resolve) => {
      member.joinWaiter?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId))
      member.joinWaiter = resolve
    })
    if (triggersRebalance) {
      this.prepareRebalance()
    }
    this.maybeCompleteJoin()
    return result
  }

  private prepareRebalance(): void {
    if (this.state === 'CompletingRebalance') {
      for (const member of this.members.values()) {
        this.resolveSync(member, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY })
      }
    }
    this.state = 'PreparingRebalance'
    this.phaseDeadline = Date.now() + this.maxRebalanceTimeoutMs()
  }

  private maybeCompleteJoin(): void {
    const allJoined = [...this.members.values()].every((member) => member.joinWaiter !== undefined)
    if (this.state === 'PreparingRebalance' && allJoined && this.pendingMembers.size === 0) {
      this.completeJoin()
    }
  }

  private completeJoin(): void {
    for (const member of [...this.members.values()]) {
      if (!member.joinWaiter) {
        this.members.delete(member.memberId)
        this.resolveSync(member, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY })
      }
    }
    this.generationId += 1
    if (this.members.size === 0) {
      Object.assign(this, { state: 'Empty', protocolName: null, leaderId: null })
      this.persist()
      return
    }
    this.protocolName = selectProtocol([...this.members.values()])
    if (this.leaderId === null || !this.members.has(this.leaderId)) {
      this.leaderId = this.members.keys().next().value ?? null
    }
    this.state = 'CompletingRebalance'
    this.phaseDeadline = Date.now() + this.maxRebalanceTimeoutMs()
    for (const member of this.members.values()) {
      const waiter = member.joinWaiter
      Object.assign(member, { joinWaiter: undefined, hasSynced: false, assignment: EMPTY })
      this.touch(member)
      waiter?.(joinResponse(this, member))
    }
  }

  private completeSync(assignments: Map<string, Buffer>): void {
    this.state = 'Stable'
    for (const member of this.members.values()) {
      member.assignment = assignments.get(member.memberId) ?? EMPTY
    }
    this.persist()
    for (const member of this.members.values()) {
      this.resolveSync(member, { errorCode: ErrorCode.NONE, assignment: member.assignment })
    }
  }

  private removeMember(member: Member): void {
    this.members.delete(member.memberId)
    member.joinWaiter?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId))
    member.joinWaiter = undefined
    this.resolveSync(member, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY })
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') {
      this.prepareRebalance()
    }
    this.maybeCompleteJoin()
  }

  private resolveSync(member: Member, result: SyncResult): void {
    const waiter = member.syncWaiter
    member.syncWaiter = undefined
    waiter?.(result)
  }

  private touch(member: Member): void {
    member.deadline = Date.now() + member.sessionTimeoutMs
  }

  private maxRebalanceTimeoutMs(): number {
    return Math.max(0, ...[...this.members.values()].map((member) => member.rebalanceTimeoutMs))
  }
}
