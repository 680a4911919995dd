import { createApiVersionsApi } from './api-versions.js'
import { createPartitionsApi } from './create-partitions.js'
import { createTopicsApi } from './create-topics.js'
import { deleteGroupsApi } from './delete-groups.js'
import { deleteTopicsApi } from './delete-topics.js'
import { describeGroupsApi } from './describe-groups.js'
import { fetchApi } from './fetch.js'
import { findCoordinatorApi } from './find-coordinator.js'
import { heartbeatApi } from './heartbeat.js'
import { initProducerIdApi } from './init-producer-id.js'
import { joinGroupApi } from './join-group.js'
import { leaveGroupApi } from './leave-group.js'
import { listGroupsApi } from './list-groups.js'
import { listOffsetsApi } from './list-offsets.js'
import { metadataApi } from './metadata.js'
import { offsetCommitApi } from './offset-commit.js'
import { offsetFetchApi } from './offset-fetch.js'
import { produceApi } from './produce.js'
import { syncGroupApi } from './sync-group.js'
import type { ApiHandler } from './types.js'

// Each API at the version kafkajs 2.2.4 uses (its highest); ApiVersions also answers v0-v3.
export const apis: readonly ApiHandler[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  createApiVersionsApi(() => apis),
  createTopicsApi,
  deleteTopicsApi,
  initProducerIdApi,
  createPartitionsApi,
  deleteGroupsApi,
]

export function findApi(apiKey: number): ApiHandler | undefined {
  return apis.find((api) => api.apiKey === apiKey)
}
