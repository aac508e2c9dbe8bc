/** @usersync/platform: what every service stands on. One barrel per concept. */
export * from './errors.js';
export * from './transient.js';
export * from './actor.js';
export * from './config/index.js';
export * from './logger/index.js';
export * from './metrics/index.js';
export * from './db/index.js';
export * from './outbox/index.js';
export * from './nats/index.js';
export * from './objectstore/index.js';
export * from './grpc/index.js';
export * from './http/index.js';
export * from './shutdown/index.js';
export * from './runtime/index.js';
export * from './auth/index.js';
