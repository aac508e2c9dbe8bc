export * from './registry.js';
export * from './telemetry-names.js';
