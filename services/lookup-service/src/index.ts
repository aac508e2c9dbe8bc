export { createApp, LOOKUP_SERVICE_NAME, SERVICE } from './app.js';
export { loadConfig, type Config } from './config.js';
