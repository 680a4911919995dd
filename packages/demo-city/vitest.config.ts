import { defineConfig } from 'vitest/config'

export default defineConfig({ test: { name: 'demo-city', testTimeout: 60_000 } })
