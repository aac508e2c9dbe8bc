#!/usr/bin/env node
// Workspace bin (`npx usersync …`). Runs the compiled CLI, building the workspace first when a fresh
// clone has not been built yet.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, '..', 'dist', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('usersync: building the workspace first (npm run build)…\n');
  execSync('npm run build', { cwd: join(here, '..', '..', '..'), stdio: ['ignore', 'inherit', 'inherit'] });
}
await import(entry);
