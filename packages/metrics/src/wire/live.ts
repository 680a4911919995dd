/** The socket.io namespace of live updates (kept free of schema code, so browsers can import it cheaply). */
export const LIVE_NAMESPACE = '/live'
export { applySnapshotPatch, diffSnapshots, isBaseOf, type SnapshotPatch, type TrendEdit } from './snapshot-patch.js'
