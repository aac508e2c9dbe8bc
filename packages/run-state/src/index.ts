export * from './statuses.js';
export * from './hold-reasons.js';
export * from './transitions.js';
export * from './run.repository.js';
export * from './sync-config.js';
export * from './run-log.js';
export * from './run-plan.js';
