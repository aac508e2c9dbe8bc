/**
 * A readable page of the OpenAPI document, rendered on the server from the document itself: no
 * script, no CDN, every value escaped. One section per path and method: summary, description,
 * parameters, request body and responses with their schemas.
 */

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const schemaBlock = (schema: unknown) =>
  schema === undefined
    ? ''
    : `<details><summary>schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`;

function parameters(op: Operation): string {
  if (!op.parameters?.length) return '';
  const rows = op.parameters
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td>` +
        `<td>${escapeHtml(p.description ?? '')}</td></tr>`,
    )
    .join('');
  return `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>required</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function body(op: Operation): string {
  const content = op.requestBody?.content;
  if (!content) return '';
  return (
    '<h4>Request body</h4>' +
    Object.entries(content)
      .map(([type, c]) => `<p><code>${escapeHtml(type)}</code></p>${schemaBlock(c.schema)}`)
      .join('')
  );
}

function responses(op: Operation): string {
  const rows = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const types = Object.keys(r.content ?? {});
      const schemas = Object.values(r.content ?? {})
        .map((c) => schemaBlock(c.schema))
        .join('');
      return `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(types.join(', '))}</td><td>${escapeHtml(r.description ?? '')}${status.startsWith('2') ? schemas : ''}</td></tr>`;
    })
    .join('');
  return `<h4>Responses</h4><table><thead><tr><th>status</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The whole page; `jsonUrl` links the machine-readable document. */
export function renderDocsPage(doc: OpenApiDocument, jsonUrl: string): string {
  const sections = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      METHODS.filter((m) => ops[m]).map((m) => {
        const op = ops[m]!;
        const id = `${m}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
        return (
          `<section id="${escapeHtml(id)}"><h3><span class="method">${m.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>` +
          `<p><strong>${escapeHtml(op.summary ?? '')}</strong></p><p>${escapeHtml(op.description ?? '')}</p>` +
          parameters(op) +
          body(op) +
          responses(op) +
          '</section>'
        );
      }),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code,pre{font-family:ui-monospace,monospace}pre{background:#f4f4f4;padding:.75rem;overflow:auto}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
section{border-top:2px solid #ddd;margin-top:1.5rem}.method{background:#1b4f8a;color:#fff;padding:0 .4rem;border-radius:3px}
</style></head>
<body><main>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description ?? '')}</p>
<p>OpenAPI ${escapeHtml(doc.openapi)} document: <a href="${escapeHtml(jsonUrl)}">${escapeHtml(jsonUrl)}</a>.
Authenticate with an API key (scope <code>sync:upload</code>) as the HTTP Basic password or a Bearer token.</p>
${sections}
</main></body></html>
`;
}
