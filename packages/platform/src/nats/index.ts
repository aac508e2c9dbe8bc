export * from './connect.js';
export * from './jetstream-setup.js';
export * from './consumer-loop.js';
export * from './messaging-metrics.js';
