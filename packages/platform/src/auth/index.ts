export * from './credentials.js';
export * from './key-verifier.js';
export * from './nats-revocations.js';
