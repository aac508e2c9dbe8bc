/** @usersync/notify-state: the notify schema's one front door (notify-worker owns the schema and its migrations). */
export * from './delivery.repository.js';
export * from './alarm.repository.js';
