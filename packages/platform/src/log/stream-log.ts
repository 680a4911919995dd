/** One message read from a partitioned log (Kafka or the in-process stand-in). */
export interface StreamRecord {
  topic: string
  partition: number
  offset: number
  key: string | null
  value: string
  /** Extra facts a dead letter carries along, e.g. where it came from. */
  headers?: Record<string, string>
}

export interface ProducedMessage {
  topic: string
  key: string | null
  value: string
  headers?: Record<string, string>
  /**
   * Event time (epoch ms), given to Kafka as the record's timestamp; Kafka stamps the send time when it is
   * absent (or before 1970). The Kafka consumer reads a backlog's partitions in step by it.
   */
  timestamp?: number
}

/** What the simulator, the replay command and the dead-letter path write to. */
export interface StreamProducer {
  send(messages: readonly ProducedMessage[]): Promise<void>
}
