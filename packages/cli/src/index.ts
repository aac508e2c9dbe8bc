export { MIGRATION_OWNERS } from './owners.js';
export { migrate, streams, setupBucket } from './commands/setup.js';
export { adminCreate } from './commands/admin.js';
export { keyCreate, keyList, keyRevoke } from './commands/keys.js';
export { EXIT, runCli, type CliIo } from './program.js';
