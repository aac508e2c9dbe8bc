export * from './outbox.schema.js';
export * from './enqueue-event.js';
export * from './outbox-relay.js';
export * from './typed-outbox.js';
