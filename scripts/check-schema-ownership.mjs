#!/usr/bin/env node
// One owner per schema: SQL in an owner's code names only that owner's schema. Another owner's data
// comes through its package (same database, typed functions) or its API. Scans the hand-written,
// non-test TypeScript under packages/, services/ and web/ (or under --root DIR) and exits 1 listing
// file:line for every string that looks like SQL and names a schema its file does not own.
import fs from 'node:fs';
import path from 'node:path';

const SCHEMAS = ['runs', 'scim', 'directory', 'keys', 'notify', 'admin'];
/** Folder prefix → the schemas code there may name. lookup-service reads `directory` by design. */
const OWNERS = [
  // ingest-gateway owns two schemas: runs, and scim (the SCIM source's desired state).
  ['services/ingest-gateway/', ['runs', 'scim']],
  ['packages/run-state/', ['runs']],
  ['services/apply-worker/', ['directory']],
  ['services/lookup-service/', ['directory']],
  ['services/key-service/', ['keys']],
  ['services/notify-worker/', ['notify']],
  ['packages/notify-state/', ['notify']],
  ['web/', ['admin']],
];
const SQL = /\b(SELECT|INSERT|UPDATE|DELETE|FROM|JOIN|COPY|INTO|TABLE|nextval|setval|TRUNCATE)\b/i;
const NAMED = new RegExp(`(?<![\\w.$])"?(${SCHEMAS.join('|')})"?\\s*\\.\\s*"?[a-z_][a-z0-9_]*`, 'g');
const LITERAL = /`(?:\\[\s\S]|[^\\`])*`|'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*"/g;
const SKIP_DIR = new Set(['node_modules', 'dist', 'gen', 'test', '.git', '.local']);
const isTest = (f) => /\.(test|fixture)\.ts$/.test(f);

function* sourceFiles(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIR.has(e.name)) yield* sourceFiles(path.join(dir, e.name));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !isTest(e.name)) yield path.join(dir, e.name);
  }
}

/** Every violation under `root`: { file, line, schema, text }. */
export function findViolations(root) {
  const out = [];
  for (const top of ['packages', 'services', 'web']) {
    const dir = path.join(root, top);
    if (!fs.existsSync(dir)) continue;
    for (const file of sourceFiles(dir)) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      const allowed = OWNERS.find(([prefix]) => rel.startsWith(prefix))?.[1] ?? [];
      const text = fs.readFileSync(file, 'utf8');
      for (const lit of text.matchAll(LITERAL)) {
        if (!SQL.test(lit[0])) continue;
        for (const m of lit[0].matchAll(NAMED)) {
          if (allowed.includes(m[1])) continue;
          const line = text.slice(0, lit.index + m.index).split('\n').length;
          out.push({ file: rel, line, schema: m[1], text: m[0] });
        }
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--root');
  const root = at > 0 ? path.resolve(process.argv[at + 1]) : path.resolve(path.dirname(process.argv[1]), '..');
  const violations = findViolations(root);
  for (const v of violations)
    console.error(`${v.file}:${v.line}: names ${v.text} — schema ${v.schema} belongs to another owner`);
  if (violations.length > 0) {
    console.error(`${violations.length} cross-schema SQL reference(s): go through the owner's package or API`);
    process.exit(1);
  }
  console.log("schema ownership: every SQL string names only its owner's schema");
}
