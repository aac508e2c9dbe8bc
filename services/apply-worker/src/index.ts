export { createApp, SERVICE, OWNER } from './app.js';
export { loadConfig, type Config } from './config.js';
export { processRun, APPLY_LOCK_KEY, type ApplyDeps, type RunOutcome } from './usecases/apply-run.js';
