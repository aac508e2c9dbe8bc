export { createApp, SERVICE, OWNER, MIGRATIONS_DIR } from './app.js';
export { buildServer, type ServerDeps } from './server.js';
export { loadConfig, type Config } from './config.js';
export { createAdminAccount, validateNewAdmin, normaliseEmail, type NewAdmin } from './auth/admin-accounts.js';
export { hashPassword, verifyPassword, generatePassword } from './auth/passwords.js';
export { seedAdmin, DEFAULT_ADMIN_EMAIL, type SeedOutcome } from './auth/seed-admin.js';
export { createKeyClient, type KeyClient } from './clients/key.client.js';
export { createRunClient, type RunClient } from './clients/run.client.js';
