export { createApp, SERVICE, OWNER } from './app.js';
export { loadConfig, type Config } from './config.js';
export { processRun, APPLY_LOCK_KEY, type ApplyDeps, type RunOutcome } from './pipeline/apply-run.js';
export { readProgress, type RunPhase } from './repositories/progress.repository.js';
