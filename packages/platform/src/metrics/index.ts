export * from './registry.js';
export * from './telemetry-names.js';
export * from './run-metrics.js';
export * from './http-metrics.js';
