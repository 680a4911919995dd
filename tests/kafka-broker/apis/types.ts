import type { GroupCoordinator } from '../group-coordinator.js'
import type { ProducerStates } from '../producer-state.js'
import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { TopicStore } from '../topic-store.js'

export interface BrokerState {
  readonly nodeId: number
  readonly clusterId: string
  /** Where clients reach this broker, as published in Metadata and FindCoordinator. */
  readonly advertised: { host: string; port: number }
  readonly defaultPartitions: number
  readonly autoCreateTopics: boolean
  readonly topics: TopicStore
  readonly groups: GroupCoordinator
  readonly producers: ProducerStates
}

export interface ClientInfo {
  clientId: string
  host: string
  /** Aborted when the connection closes, so long polls stop waiting. */
  closed: AbortSignal
}

export interface ApiRequest {
  version: number
  flexible: boolean
  body: Reader
  broker: BrokerState
  client: ClientInfo
}

export interface ApiHandler {
  apiKey: number
  name: string
  minVersion: number
  maxVersion: number
  /** The first flexible version (KIP-482); absent when every supported version is non-flexible. */
  flexibleFrom?: number
  /** The response body, or null when none is sent (Produce with acks=0). */
  handle(request: ApiRequest): Writer | null | Promise<Writer | null>
}
