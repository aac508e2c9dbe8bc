export { createApp, SERVICE, OWNER, MIGRATIONS_DIR } from './app.js';
export { buildServer, type ServerDeps } from './server.js';
export { loadConfig, type Config } from './config.js';
export { createAdminAccount, validateNewAdmin, normaliseEmail, type NewAdmin } from './security/admin-accounts.js';
export { hashPassword, verifyPassword, generatePassword } from './security/passwords.js';
export { seedAdmin, DEFAULT_ADMIN_EMAIL, type SeedOutcome } from './security/seed-admin.js';
export { createKeyClient, type KeyClient } from './clients/key.client.js';
export { createRunClient, type RunClient } from './clients/run.client.js';
