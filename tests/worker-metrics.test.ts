import { createServer } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { startKafkaBroker, type KafkaTestBroker } from './kafka-broker/broker.js'
import { freePort, startLauncher, stopProcess } from './support/processes.js'

// A process without the API serves Prometheus on METRICS_PORT: here the simulator alone, publishing to
// the test broker (it needs no database).
let broker: KafkaTestBroker
const started: ChildProcess[] = []
beforeAll(async () => {
  broker = await startKafkaBroker({ port: 0 })
})
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => stopProcess(child, 'SIGKILL')))
})
afterAll(() => broker.stop())

const simulator = (metricsPort: number) => startLauncher({
  ROLES: 'simulator', KAFKA_BROKERS: broker.brokers.join(','), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1',
})

function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve))
}

describe('a worker\'s /metrics port', () => {
  it('serves Prometheus text when the port is free', async () => {
    const port = await freePort()
    const { child, output } = simulator(port)
    started.push(child)
    let body = ''
    for (let i = 0; i < 300 && !body.includes('# TYPE'); i++) {
      await new Promise((r) => setTimeout(r, 100))
      body = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => (r.ok ? r.text() : ''), () => '')
    }
    expect(body, output()).toContain('# TYPE')
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)
  })

  it('stops the process with an error naming METRICS_PORT when the port is taken', async () => {
    const port = await freePort()
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve))
    try {
      const { child, output } = simulator(port)
      started.push(child)
      expect(await exitOf(child)).toBe(1)
      expect(output()).toContain(`METRICS_PORT ${port} is in use`)
      expect(output()).not.toContain('roles:')
    } finally {
      taken.close()
    }
  })
})
