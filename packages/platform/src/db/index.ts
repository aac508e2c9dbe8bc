export * from './pool.js';
export * from './identifiers.js';
export * from './migration-files.js';
export * from './migration-runner.js';
export * from './db-errors.js';
export * from './copy-batch.js';
