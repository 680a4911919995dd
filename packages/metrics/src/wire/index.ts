export * from './reading.js'
export * from './api.js'
export * from './decode.js'
export * from './scan-reading.js'
