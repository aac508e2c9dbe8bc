export * from './health-server.js';
export * from './ops-routes.js';
export * from './readiness.js';
export * from './http-limits.js';
export * from './body-errors.js';
