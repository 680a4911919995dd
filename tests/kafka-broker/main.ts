import { startKafkaBroker } from './broker.js'

const port = Number(process.env.PORT ?? 9092)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  throw new Error(`PORT must be a TCP port, got "${process.env.PORT}"`)
}
const broker = await startKafkaBroker({ port })
console.log(`Kafka test broker listening on ${broker.brokers.join(',')} (in memory; Ctrl-C stops it)`)

const stop = () => {
  void broker.stop().then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
