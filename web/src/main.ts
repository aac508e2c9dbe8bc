import { runServiceMain } from '@usersync/platform';
import { SERVICE, createApp } from './app.js';
import { loadConfig } from './config.js';

await runServiceMain({ service: SERVICE, loadConfig, createApp });
