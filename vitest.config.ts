import { defineConfig } from 'vitest/config'

// One run over every workspace package, so CI gets a single summary (and a JSON report when asked).
const json = process.env.VITEST_JSON
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
  },
})
