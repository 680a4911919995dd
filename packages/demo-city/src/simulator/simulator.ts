import type { SimMessage, StreamOptions } from './stream.js'
import { createStreamGenerator } from './stream.js'

export interface SimulatorOptions extends StreamOptions {
  emit: (message: SimMessage) => void
  /** Where simulated time starts; defaults to now − backfillMinutes. */
  startMs?: number
  backfillMinutes?: number
  /** Simulated seconds per real second while catching up to now. */
  speed?: number
  tickMs?: number
  now?: () => number
}

export interface Simulator {
  stop(): void
  /** Simulated time reached so far: every message with an earlier event time has been emitted. */
  simTimeMs(): number
}

/** Replays from startMs up to now at `speed`, then follows the clock; never emits an event time ahead of now. */
export function startSimulator(options: SimulatorOptions): Simulator {
  const now = options.now ?? Date.now
  const speed = options.speed ?? 600
  const tickMs = options.tickMs ?? 250
  const generator = createStreamGenerator(options)
  let simMs = options.startMs ?? now() - (options.backfillMinutes ?? 60) * 60_000
  const tick = () => {
    const target = Math.min(now(), simMs + speed * tickMs)
    if (target <= simMs) {
      return
    }
    const messages = generator.generate(simMs, target)
    simMs = target
    messages.forEach((m) => options.emit(m))
  }
  const timer = setInterval(tick, tickMs)
  return {
    stop: () => clearInterval(timer),
    simTimeMs: () => simMs,
  }
}
