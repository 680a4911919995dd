export * from './catalog/metrics.js'
export * from './catalog/case-categories.js'
export * from './region/region-tree.js'
export * from './region/point-locator.js'
