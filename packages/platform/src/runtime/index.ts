export * from './infra.js';
export * from './service-main.js';
