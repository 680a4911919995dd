import { defineConfig } from 'vitest/config'

// Black-box scenarios share the machine's services and a 2-core CPU: one file at a time.
export default defineConfig({ test: { name: 'scenarios', fileParallelism: false, testTimeout: 120_000, hookTimeout: 120_000 } })
