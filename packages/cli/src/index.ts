export { MIGRATION_OWNERS } from './owners.js';
export { migrate, streams } from './commands/setup.js';
export { adminCreate } from './commands/admin.js';
export { runKeyCommand, keyCreate, keyList, keyRevoke } from './commands/keys.js';
