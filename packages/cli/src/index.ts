export { MIGRATION_OWNERS } from './owners.js';
export { migrate, streams } from './commands/setup.js';
