// @usersync/contracts: generated proto types (one namespace per proto package), event subjects and codec.
export * from './subjects.js';
export * from './codec.js';

export * as commonV1 from './gen/usersync/common/v1/common.js';
export * as runsV1 from './gen/usersync/runs/v1/run_service.js';
export * as runAuditV1 from './gen/usersync/runs/v1/run_audit_service.js';
export * as sourcesV1 from './gen/usersync/runs/v1/source_service.js';
export * as keysV1 from './gen/usersync/keys/v1/key_service.js';
export * as lookupV1 from './gen/usersync/lookup/v1/lookup_service.js';
export * as eventsV1 from './gen/usersync/events/v1/events.js';
