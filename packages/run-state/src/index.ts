export * from './statuses.js';
export * from './hold-reasons.js';
export * from './transitions.js';
export * from './run.repository.js';
