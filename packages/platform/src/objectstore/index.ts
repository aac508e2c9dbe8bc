export * from './object-store.js';
export { ObjectStoreCodes, toStoreError } from './store-errors.js';
export type { UploadResult } from './hashing-upload.js';
