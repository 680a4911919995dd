export type { Device, DeviceKind } from './device.js'
export { DEMO_CITY_FILE, DEMO_DEVICES_FILE, loadDemoCity } from './data.js'
export { createStreamGenerator, type SimMessage, type StreamGenerator, type StreamOptions } from './simulator/stream.js'
export { startSimulator, type Simulator, type SimulatorOptions } from './simulator/simulator.js'
