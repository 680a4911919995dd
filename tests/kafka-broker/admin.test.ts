import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import { consumeInto, consumerConfig, createKafka, disconnectAll, waitFor, type ReceivedMessage } from './test-support.js'

describe('admin operations through kafkajs', () => {
  let broker: KafkaTestBroker

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0, defaultPartitions: 4 })
  })

  afterAll(async () => {
    await broker.stop()
  })

  it('creates topics with the requested partitions and reports them in metadata', { timeout: 20_000 }, async () => {
    const admin = createKafka(broker).admin()
    try {
      await admin.connect()
      expect(await admin.createTopics({ topics: [{ topic: 'city.traffic', numPartitions: 3 }, { topic: 'city.events' }] })).toBe(true)
      expect(await admin.createTopics({ topics: [{ topic: 'city.traffic', numPartitions: 3 }] })).toBe(false)

      const { topics } = await admin.fetchTopicMetadata({ topics: ['city.traffic', 'city.events'] })
      const traffic = topics.find((topic) => topic.name === 'city.traffic')
      expect(traffic?.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort()).toEqual([
        [0, 0, [0], [0]],
        [1, 0, [0], [0]],
        [2, 0, [0], [0]],
      ])
      expect(topics.find((topic) => topic.name === 'city.events')?.partitions).toHaveLength(4)
      expect(await admin.listTopics()).toEqual(expect.arrayContaining(['city.traffic', 'city.events']))
      expect(broker.topics()).toEqual(expect.arrayContaining([{ name: 'city.traffic', partitions: 3 }]))
    } finally {
      await disconnectAll(admin)
    }
  })

  it('rejects what a one-broker Kafka rejects', { timeout: 20_000 }, async () => {
    const admin = createKafka(broker).admin()
    try {
      await admin.connect()
      await expect(admin.createTopics({ topics: [{ topic: 'replicated', replicationFactor: 3 }] })).rejects.toThrow()
      await expect(admin.createTopics({ topics: [{ topic: 'bad name!' }] })).rejects.toThrow()
      await expect(admin.createPartitions({ topicPartitions: [{ topic: 'missing', count: 5 }] })).rejects.toThrow()
      expect(broker.topics().map((topic) => topic.name)).not.toContain('replicated')
    } finally {
      await disconnectAll(admin)
    }
  })

  it('auto-creates a topic on first use unless the client forbids it', { timeout: 20_000 }, async () => {
    const kafka = createKafka(broker)
    const producer = kafka.producer()
    const strictProducer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1, initialRetryTime: 50 } })
    try {
      await Promise.all([producer.connect(), strictProducer.connect()])
      await producer.send({ topic: 'auto.created', messages: [{ value: 'hello' }] })
      expect(broker.topics()).toContainEqual({ name: 'auto.created', partitions: 4 })
      await expect(strictProducer.send({ topic: 'never.created', messages: [{ value: 'x' }] })).rejects.toThrow()
      expect(broker.topics().map((topic) => topic.name)).not.toContain('never.created')
    } finally {
      await disconnectAll(producer, strictProducer)
    }
  })

  it('adds partitions and deletes topics', { timeout: 20_000 }, async () => {
    const admin = createKafka(broker).admin()
    try {
      await admin.connect()
      await admin.createTopics({ topics: [{ topic: 'growing', numPartitions: 2 }, { topic: 'doomed', numPartitions: 1 }] })
      await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 5 }] })
      const { topics } = await admin.fetchTopicMetadata({ topics: ['growing'] })
      expect(topics[0]?.partitions).toHaveLength(5)
      await admin.deleteTopics({ topics: ['doomed'] })
      expect(await admin.listTopics()).not.toContain('doomed')
    } finally {
      await disconnectAll(admin)
    }
  })

  it('lists, describes and deletes consumer groups', { timeout: 30_000 }, async () => {
    const kafka = createKafka(broker)
    const admin = kafka.admin()
    const producer = kafka.producer()
    const consumer = kafka.consumer(consumerConfig('dashboards'))
    const received: ReceivedMessage[] = []
    try {
      await Promise.all([admin.connect(), producer.connect()])
      await admin.createTopics({ topics: [{ topic: 'alerts', numPartitions: 2 }] })
      await producer.send({ topic: 'alerts', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] })
      await consumeInto(consumer, 'alerts', received)
      await waitFor(() => received.length === 2, 'two alerts')
      const [running] = (await admin.describeGroups(['dashboards'])).groups
      expect(running).toMatchObject({ groupId: 'dashboards', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' })
      expect(running?.members[0]?.memberAssignment.length).toBeGreaterThan(0)
      await expect(admin.deleteGroups(['dashboards'])).rejects.toThrow()

      await consumer.disconnect()
      const { groups } = await admin.listGroups()
      expect(groups).toContainEqual({ groupId: 'dashboards', protocolType: 'consumer' })
      const [stopped] = (await admin.describeGroups(['dashboards'])).groups
      expect(stopped?.state).toBe('Empty')
      expect(await admin.fetchOffsets({ groupId: 'dashboards', topics: ['alerts'] })).toEqual([
        { topic: 'alerts', partitions: expect.arrayContaining([expect.objectContaining({ offset: expect.any(String) })]) },
      ])
      await admin.deleteGroups(['dashboards'])
      expect((await admin.listGroups()).groups.map((group) => group.groupId)).not.toContain('dashboards')
    } finally {
      await disconnectAll(consumer, producer, admin)
    }
  })
})
