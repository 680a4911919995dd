import { ErrorCode } from './protocol/error-codes.js'

export interface GroupProtocol {
  name: string
  metadata: Buffer
}

export interface JoinRequest {
  memberId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: GroupProtocol[]
  clientId: string
  clientHost: string
}

export interface JoinResult {
  errorCode: ErrorCode
  generationId: number
  protocolName: string
  leaderId: string
  memberId: string
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[]
}

export interface SyncResult {
  errorCode: ErrorCode
  assignment: Buffer
}

export interface Member extends Omit<JoinRequest, 'memberId'> {
  readonly memberId: string
  assignment: Buffer
  deadline: number
  hasSynced: boolean
  joinWaiter?: ((result: JoinResult) => void) | undefined
  syncWaiter?: ((result: SyncResult) => void) | undefined
}

/** The group fields a response is built from. */
export interface GroupView {
  readonly generationId: number
  readonly protocolType: string | null
  readonly protocolName: string | null
  readonly leaderId: string | null
  readonly members: ReadonlyMap<string, Member>
}

export interface GroupSnapshot extends Omit<GroupView, 'members'> {
  members: Member[]
}

export const EMPTY = Buffer.alloc(0)

export function joinError(errorCode: ErrorCode, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] }
}

/** The protocol most members prefer among those every member supports (Kafka's vote). */
export function selectProtocol(members: Member[]): string {
  const votes = new Map<string, number>(commonProtocols(members).map((name) => [name, 0]))
  for (const member of members) {
    const choice = member.protocols.find((protocol) => votes.has(protocol.name))?.name
    if (choice !== undefined) {
      votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
  }
  return [...votes.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best), ['', -1])[0]
}

export function protocolMetadata(member: Member, protocolName: string): Buffer {
  return member.protocols.find((protocol) => protocol.name === protocolName)?.metadata ?? EMPTY
}

export function commonProtocols(members: { protocols: GroupProtocol[] }[]): string[] {
  const [first, ...rest] = members
  const names = first?.protocols.map((protocol) => protocol.name) ?? []
  return names.filter((name) => rest.every((member) => member.protocols.some((protocol) => protocol.name === name)))
}

export function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return a.length === b.length && a.every((protocol, i) => protocol.name === b[i]?.name && protocol.metadata.equals(b[i].metadata))
}

/** The JoinGroup answer for one member: only the leader is told every member's metadata. */
export function joinResponse(group: GroupView, member: Member): JoinResult {
  const protocolName = group.protocolName ?? ''
  const isLeader = member.memberId === group.leaderId
  const members = isLeader ? [...group.members.values()] : []
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolName,
    leaderId: group.leaderId ?? '',
    memberId: member.memberId,
    members: members.map((each) => ({
      memberId: each.memberId,
      groupInstanceId: each.groupInstanceId,
      metadata: protocolMetadata(each, protocolName),
    })),
  }
}

export function generationError(group: GroupView, generationId: number, member: Member | undefined): ErrorCode {
  if (!member) {
    return ErrorCode.UNKNOWN_MEMBER_ID
  }
  return generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
}

/** A join must name a protocol type and share at least one protocol with every other member. */
export function acceptsProtocols(group: GroupView, request: JoinRequest): boolean {
  if (request.protocolType === '' || request.protocols.length === 0) {
    return false
  }
  const others = [...group.members.values()].filter((member) => member.memberId !== request.memberId)
  if (others.length === 0) {
    return true
  }
  return request.protocolType === group.protocolType && commonProtocols([...others, request]).length > 0
}

export function snapshotOf(group: GroupView): GroupSnapshot {
  const members = [...group.members.values()].map((member) => ({ ...member, joinWaiter: undefined, syncWaiter: undefined }))
  const { generationId, protocolType, protocolName, leaderId } = group
  return { generationId, protocolType, protocolName, leaderId, members }
}
