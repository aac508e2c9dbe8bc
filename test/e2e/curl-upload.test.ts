/**
 * Haplo's documented UNIX upload script (reference §1.9), run verbatim with the real curl against a
 * running ingest-gateway: a fresh system goes from nothing to a ready run held for the first run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayEnv, type GatewayEnv } from '../../services/ingest-gateway/test/support/gateway-env.js';
import { controlFile, usersFile } from '../../services/ingest-gateway/test/support/fixtures.js';

const CURL = '/usr/bin/curl';
const run = promisify(execFile);

// The three calls of the documented script, unchanged but for http (the gateway sits behind TLS
// termination in production) and the files' folder. `--fail`-less, as documented: the script sees
// the body whatever the status.
const SCRIPT = `#!/bin/sh
set -e
curl -X POST -F name=_control -F file=@$DIR/_control.json --user haplo:$KEY http://$SERVER/api/haplo-user-sync/upload-file
curl -X POST -F name=users -F file=@$DIR/users.json --user haplo:$KEY http://$SERVER/api/haplo-user-sync/upload-file
curl -X POST --user haplo:$KEY http://$SERVER/api/haplo-user-sync/start-sync
`;

let env: GatewayEnv;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CURL)) throw new Error(`${CURL} is missing: install it with \`apt-get install -y curl\``);
  env = await startGatewayEnv();
  dir = mkdtempSync(join(tmpdir(), 'usersync-curl-'));
  writeFileSync(join(dir, '_control.json'), controlFile(['users']));
  writeFileSync(join(dir, 'users.json'), usersFile(25));
  writeFileSync(join(dir, 'upload.sh'), SCRIPT);
});
afterAll(async () => {
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Haplo's curl upload script", () => {
  it('uploads the control file and users, and start-sync holds the first run', async () => {
    const { stdout } = await run('/bin/sh', [join(dir, 'upload.sh')], {
      env: { PATH: '/usr/bin:/bin', DIR: dir, KEY: env.uploadKey, SERVER: env.baseUrl.replace('http://', '') },
    });
    // Haplo's responses are printed back to back: two flat JSON objects, then start-sync's text.
    const [controlJson, usersJson] = stdout.match(/\{[^{}]*\}/g) ?? [];
    expect(JSON.parse(controlJson!)).toMatchObject({
      filename: '_control.json',
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.parse(usersJson!)).toMatchObject({ filename: 'users.json' });
    expect(stdout.endsWith('OK: Files uploaded are too different to previous sync; must apply manually.')).toBe(true);

    const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
    const { stdout: status } = await run(CURL, [
      '--silent',
      '--user',
      `haplo:${env.uploadKey}`,
      `${env.baseUrl}/api/haplo-user-sync/runs/${rows[0]!.id}`,
    ]);
    expect(JSON.parse(status)).toMatchObject({
      status: 'held',
      holdReason: { code: 'first_run' },
      files: [{ name: '_control' }, { name: 'users' }],
    });
  });
});
