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
}

/** What the simulator, the replay command and the dead-letter path write to. */
export interface StreamProducer {
  send(messages: readonly ProducedMessage[]): Promise<void>
}
