export { createApp, SERVICE, OWNER } from './app.js';
export { loadConfig, type Config } from './config.js';
