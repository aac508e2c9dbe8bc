export { createApp, SERVICE, OWNER, CONSUMER } from './app.js';
export { loadConfig, type Config } from './config.js';
export {
  signWebhook,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  type SignatureCheck,
} from './domain/webhook-signature.js';
