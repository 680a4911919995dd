import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'

// Tests check messages with typebox, which @city/metrics depends on; resolve it from there instead of
// adding a second copy as a dependency of this package.
const fromMetrics = createRequire(new URL('../metrics/package.json', import.meta.url))

export default defineConfig({
  resolve: { alias: { 'typebox/compile': fromMetrics.resolve('typebox/compile') } },
  test: { testTimeout: 60_000 },
})
