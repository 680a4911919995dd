import type { SnapshotStatus } from '@/composables/use-region-snapshot'

export const STATUS_LABELS: Record<SnapshotStatus, string> = {
  connecting: '连接中',
  syncing: '同步中',
  live: '实时',
  delayed: '数据延迟',
  offline: '离线 · 重连中',
}

/** The newest moment the numbers describe: the newest event, else the flush it came from. */
export function dataTimeOf(snapshot: { eventTime: string | null, committedAt: string | null } | null): string | null {
  return snapshot?.eventTime ?? snapshot?.committedAt ?? null
}

/** Whether the numbers on screen must be marked as not live. */
export function isNotLive(status: SnapshotStatus): boolean {
  return status === 'delayed' || status === 'offline'
}
