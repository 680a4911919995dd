export * from './reading.js'
export * from './api.js'
