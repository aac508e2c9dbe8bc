// Test fixture, not exported: spawned by shutdown.test.ts; registers steps that print, then waits for a signal.
import { createLogger } from '../logger/index.js';
import { onShutdown } from './index.js';

const log = createLogger({ service: 'shutdown-fixture', level: 'silent' });
const step =
  (name: string, ms = 20) =>
  async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    process.stdout.write(`step:${name}\n`);
  };
onShutdown(
  log,
  { timeoutMs: 5_000 },
  step('not-ready'),
  step('stop-intake'),
  step('drain', 200),
  step('close-pools'),
  step('flush'),
);
// Keeps the event loop alive as a real server would.
setInterval(() => undefined, 1_000);
process.stdout.write('ready\n');
