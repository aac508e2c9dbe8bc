export { createApp, SERVICE } from './app.js';
export { loadConfig, type Config } from './config.js';
