import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect as connectTcp, type Server, type Socket as TcpSocket } from 'node:net'
import { Redis } from 'ioredis'
import { freePort, startLauncher, stopProcess } from './processes.js'

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, output?: () => string): Promise<void> {
  const start = Date.now()
  for (;;) {
    const ready = await check().catch((error: Error) => {
      if (error.message.startsWith('exited')) {
        throw error
      }
      return false
    })
    if (ready) {
      return
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`${what} not ready after ${timeoutMs} ms${output ? `:\n${output()}` : ''}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * A private redis-server (the machine's binary) on its own port, so a test can kill and restart it without
 * touching the shared Redis on 6379.
 */
export async function startRedis() {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  async function start() {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    probe.on('error', () => undefined)
    await waitFor('redis-server', async () => {
      await probe.connect().catch(() => undefined)
      return (await probe.ping()) === 'PONG'
    }, 10_000)
    probe.disconnect()
  }
  await start()
  return {
    url,
    /** Kills it like a crash: no shutdown, the data (none is persisted) is gone. */
    async kill() {
      await (child ? stopProcess(child, 'SIGKILL') : undefined)
    },
    start,
  }
}

export interface LauncherProcess {
  /** The API port (with ROLES including api). */
  port: number
  child: ChildProcess
  output: () => string
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** A launcher process on free ports, resolved once it serves the API (or, without it, once it runs its roles). */
export async function startRole(env: Record<string, string>): Promise<LauncherProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()]
  const { child, output } = startLauncher({ PORT: String(port), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1', ...env })
  const serves = env.ROLES?.split(',').includes('api') ?? true
  const launched: LauncherProcess = { port, child, output, kill: (signal = 'SIGKILL') => stopProcess(child, signal) }
  try {
    await waitFor(`launcher (${env.ROLES})`, async () => {
      if (child.exitCode !== null) {
        throw new Error(`exited with ${child.exitCode}`)
      }
      return serves ? (await fetch(`http://127.0.0.1:${port}/readyz`)).ok : output().includes('roles:')
    }, 60_000, output)
  } catch (error) {
    await launched.kill()
    throw new Error(`${(error as Error).message}\n${output()}`)
  }
  return launched
}

/**
 * A TCP load balancer in front of API nodes, like the one in production: each connection goes to the next
 * node that accepts it. `cut` drops every client connection at once and refuses new ones for a while (a
 * network outage between clients and the cluster).
 */
export async function startBalancer(backends: number[]) {
  const open = new Set<TcpSocket>()
  let next = 0
  let refuseUntil = 0
  const server: Server = createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy()
      return
    }
    open.add(client)
    client.on('close', () => open.delete(client))
    client.on('error', () => undefined)
    const tryBackend = (attempt: number) => {
      if (attempt >= backends.length) {
        client.destroy()
        return
      }
      const port = backends[next++ % backends.length]!
      const upstream = connectTcp(port, '127.0.0.1')
      upstream.once('error', () => tryBackend(attempt + 1))
      upstream.once('connect', () => {
        upstream.removeAllListeners('error')
        upstream.on('error', () => client.destroy())
        upstream.on('close', () => client.destroy())
        client.on('close', () => upstream.destroy())
        open.add(upstream)
        upstream.on('close', () => open.delete(upstream))
        client.pipe(upstream)
        upstream.pipe(client)
      })
    }
    tryBackend(0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    cut(refuseMs: number) {
      refuseUntil = Date.now() + refuseMs
      open.forEach((socket) => socket.destroy())
    },
    async close() {
      open.forEach((socket) => socket.destroy())
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
