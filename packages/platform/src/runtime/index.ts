export * from './infra.js';
export * from './service-main.js';
export * from './define-service.js';
