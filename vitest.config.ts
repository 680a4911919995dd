import { defineConfig } from 'vitest/config'

// One run over every workspace package, so CI gets a single summary.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
  },
})
