import kafkajs from 'kafkajs'
import type { Consumer, Kafka } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import { ApiKey } from './protocol/api-keys.js'
import { ErrorCode } from './protocol/error-codes.js'
import { connectRaw } from './raw-client.js'
import {
  consumeInto,
  consumerConfig,
  createKafka,
  disconnectAll,
  range,
  trackAssignment,
  waitFor,
  type ReceivedMessage,
} from './test-support.js'

const { AssignerProtocol } = kafkajs

/** True when the latest assignments are non-empty, disjoint and together cover every partition. */
function splitsPartitions(assignments: (() => Record<string, number[]>)[], topic: string, partitions: number): boolean {
  const owned = assignments.map((current) => current()[topic] ?? [])
  const all = owned.flat().sort((a, b) => a - b)
  return owned.every((mine) => mine.length > 0) && all.length === partitions && all.every((p, i) => p === i)
}

async function startMember(kafka: Kafka, groupId: string, topic: string, sink: ReceivedMessage[]) {
  const consumer = kafka.consumer(consumerConfig(groupId))
  const assignment = trackAssignment(consumer)
  await consumeInto(consumer, topic, sink)
  return { consumer, assignment }
}

describe('consumer groups', () => {
  let broker: KafkaTestBroker
  let kafka: Kafka

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0, sessionTimeoutCheckMs: 50 })
    kafka = createKafka(broker)
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: ['traffic', 'expiry'].map((topic) => ({ topic, numPartitions: 3 })) })
    await admin.disconnect()
  })

  afterAll(async () => {
    await broker.stop()
  })

  it('splits partitions between members and rebalances as members join and leave', { timeout: 60_000 }, async () => {
    const admin = kafka.admin()
    const producer = kafka.producer()
    const consumers: Consumer[] = []
    const firstReceived: ReceivedMessage[] = []
    const secondReceived: ReceivedMessage[] = []
    try {
      await Promise.all([admin.connect(), producer.connect()])
      const first = await startMember(kafka, 'ingest', 'traffic', firstReceived)
      const second = await startMember(kafka, 'ingest', 'traffic', secondReceived)
      consumers.push(first.consumer, second.consumer)
      await waitFor(() => splitsPartitions([first.assignment, second.assignment], 'traffic', 3), 'two members to split')

      const third = await startMember(kafka, 'ingest', 'traffic', [])
      consumers.push(third.consumer)
      const trio = [first.assignment, second.assignment, third.assignment]
      await waitFor(() => splitsPartitions(trio, 'traffic', 3), 'three members to split')
      const [described] = (await admin.describeGroups(['ingest'])).groups
      expect(described?.state).toBe('Stable')
      expect(described?.members).toHaveLength(3)

      const leaving = third.assignment().traffic ?? []
      await third.consumer.disconnect()
      await waitFor(() => splitsPartitions([first.assignment, second.assignment], 'traffic', 3), 'the leaver’s partitions to move')
      const takenOver = [...(first.assignment().traffic ?? []), ...(second.assignment().traffic ?? [])]
      expect(takenOver).toEqual(expect.arrayContaining(leaving))

      await producer.send({ topic: 'traffic', messages: range(30).map((i) => ({ key: `segment-${i}`, value: `flow-${i}` })) })
      await waitFor(() => firstReceived.length + secondReceived.length >= 30, 'the two members to read 30 messages')
      for (const [member, received] of [[first, firstReceived], [second, secondReceived]] as const) {
        const owned = member.assignment().traffic ?? []
        expect(received.every((message) => owned.includes(message.partition))).toBe(true)
      }
    } finally {
      await disconnectAll(...consumers, producer, admin)
    }
  })

  it('expires a member that stops heartbeating and gives its partitions back', { timeout: 60_000 }, async () => {
    const consumer = kafka.consumer(consumerConfig('expiring'))
    const assignment = trackAssignment(consumer)
    const raw = await connectRaw(broker.port)
    try {
      await consumeInto(consumer, 'expiry', [])
      await waitFor(() => (assignment().expiry ?? []).length === 3, 'the consumer to own every partition')

      const metadata = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['expiry'], userData: Buffer.alloc(0) })
      const join = async (memberId: string) => {
        const reader = await raw.send({
          apiKey: ApiKey.JoinGroup,
          version: 5,
          body: (w) => {
            w.string('expiring').int32(500).int32(5_000).string(memberId).nullableString(null).string('consumer')
            w.array(['RoundRobinAssigner'], (p, name) => p.string(name).bytes(metadata))
          },
        })
        reader.int32()
        return { errorCode: reader.int16(), generationId: reader.int32(), memberId: (reader.string(), reader.string(), reader.string()) }
      }
      const first = await join('')
      expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
      const joined = await join(first.memberId)
      expect(joined.errorCode).toBe(ErrorCode.NONE)
      const synced = await raw.send({
        apiKey: ApiKey.SyncGroup,
        version: 3,
        body: (w) => w.string('expiring').int32(joined.generationId).string(joined.memberId).nullableString(null).array([], () => {}),
      })
      synced.int32()
      expect(synced.int16()).toBe(ErrorCode.NONE)
      const rawAssignment = AssignerProtocol.MemberAssignment.decode(synced.bytes())
      expect(rawAssignment?.assignment.expiry?.length ?? 0).toBeGreaterThan(0)
      await waitFor(() => (assignment().expiry ?? []).length < 3, 'the consumer to give partitions to the raw member')

      // The raw member never heartbeats: after its 500 ms session it is dropped and the consumer owns everything again.
      await waitFor(() => (assignment().expiry ?? []).length === 3, 'the consumer to get every partition back', 10_000)
      const heartbeat = await raw.send({
        apiKey: ApiKey.Heartbeat,
        version: 3,
        body: (w) => w.string('expiring').int32(joined.generationId).string(joined.memberId).nullableString(null),
      })
      heartbeat.int32()
      expect(heartbeat.int16()).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    } finally {
      raw.close()
      await disconnectAll(consumer)
    }
  })
})
