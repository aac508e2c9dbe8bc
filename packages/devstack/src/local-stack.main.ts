/**
 * `npm start`: the whole system on one machine. Finds or starts PostgreSQL, NATS, S3 and SMTP,
 * runs `usersync setup` (migrations and streams), starts every service with prefixed logs, waits
 * for every /readyz, prints where things are. Ctrl-C stops it all in reverse order.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalInfra } from './local-stack.js';
import { startProcess, stopProcess, waitForReady, type ManagedProcess } from './processes.js';
import { LOCAL_PEERS, SERVICES, serviceEnv } from './services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const localDir = join(root, '.local');
const say = (line: string) => process.stdout.write(`\x1b[1musersync\x1b[0m        | ${line}\n`);

async function runToCompletion(p: ManagedProcess): Promise<void> {
  const code = await p.exited;
  if (code !== 0) throw new Error(`${p.name} exited with code ${code}`);
}

async function main(): Promise<void> {
  mkdirSync(localDir, { recursive: true });
  const started = Date.now();
  const infra = await startLocalInfra(localDir, say);
  infra.notes.forEach((n) => say(n));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...infra.env,
    ...LOCAL_PEERS,
    PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://localhost:8080',
    // Local only: signs report webhooks when an endpoint is configured in the portal.
    WEBHOOK_SECRET: process.env.WEBHOOK_SECRET ?? 'local-development-webhook-secret',
    USERSYNC_ADMIN_CREDENTIALS_FILE: join(localDir, 'admin-credentials.txt'),
  };
  const processes: ManagedProcess[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const p of [...processes].reverse()) await stopProcess(p, 10_000);
    await infra.stop();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await runToCompletion(
      startProcess('setup', 0, process.execPath, [join(root, 'packages/cli/dist/main.js'), 'setup'], env, root),
    );
    SERVICES.forEach((svc, i) => {
      const args = [join(root, svc.dir, 'dist/main.js')];
      const p = startProcess(svc.name, i + 1, process.execPath, args, serviceEnv(svc, env), root);
      processes.push(p);
      void p.exited.then((code) => {
        if (!stopping) {
          say(`${svc.name} exited unexpectedly (code ${code}); stopping everything`);
          void shutdown(1);
        }
      });
    });
    await Promise.all(
      SERVICES.map((svc, i) =>
        waitForReady(`http://127.0.0.1:${svc.healthPort}/readyz`, 60_000, () => processes[i]!.child.exitCode === null),
      ),
    );
  } catch (err) {
    say(`start failed: ${(err as Error).message}`);
    await shutdown(1);
    return;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`all ${SERVICES.length} services ready in ${seconds} s`);
  say('');
  const credentials = join(localDir, 'admin-credentials.txt');
  say(`  portal          ${env.PUBLIC_URL}`);
  say(
    existsSync(credentials)
      ? `  admin login     ${credentials} (the first admin, created on first start)`
      : '  admin login     an admin already exists in this database; add one with `npx usersync admin create --email E --password P`',
  );
  say('  ingest API      http://localhost:8081/api/user-sync/…  (also /api/haplo-user-sync/…)');
  say(
    '  health          every process: GET /healthz, /readyz, /metrics — ' +
      SERVICES.map((s) => s.healthPort).join(', '),
  );
  say('  mail            .local/mail/ (every report email)');
  say('');
  say('  upload a feed (the CLI reads the same database as the services):');
  // Never echo a URL the user supplied: it may carry a password.
  if (!process.env.DATABASE_URL) say(`    export DATABASE_URL=${env.DATABASE_URL}`);
  say('    KEY=$(npx usersync key create --name local-script)');
  say(
    '    curl -X POST -F name=_control -F file=@_control.json --user haplo:$KEY http://localhost:8081/api/haplo-user-sync/upload-file',
  );
  say(
    '    curl -X POST -F name=users -F file=@users.json --user haplo:$KEY http://localhost:8081/api/haplo-user-sync/upload-file',
  );
  say('    curl -X POST --user haplo:$KEY http://localhost:8081/api/haplo-user-sync/start-sync');
  say('  Ctrl-C stops everything.');
}

void main();
