type Json = Record<string, unknown>;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function schemaBlock(schema: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

/**
 * Renders the OpenAPI document as one self-contained HTML page: no scripts, no remote assets, so it
 * works offline and under a strict content security policy.
 */
export function renderApiDocs(doc: Json): string {
  const info = doc.info as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const byTag = new Map<string, typeof operations>();
  for (const entry of operations) {
    const tag = ((entry.op.tags as string[]) ?? ['Other'])[0] ?? 'Other';
    byTag.set(tag, [...(byTag.get(tag) ?? []), entry]);
  }
  const sections = [...byTag.entries()]
    .map(([tag, ops]) => {
      const items = ops
        .map(({ path, method, op }) => {
          const params = (op.parameters as Json[]) ?? [];
          const paramRows = params
            .map(
              (p) =>
                `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? 'yes' : ''}</td><td>${escapeHtml(String(p.description ?? ''))}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
            )
            .join('');
          const body = (op.requestBody as Json | undefined)?.content as Json | undefined;
          const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
            .map(
              ([status, r]) =>
                `<li><strong>${escapeHtml(status)}</strong> ${escapeHtml(String(r.description))}</li>`,
            )
            .join('');
          const security = ((op.security as Json[]) ?? []).flatMap((s) => Object.values(s).flat()).join(', ');
          return `<section class="op" id="${escapeHtml(String(op.operationId))}">
  <h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
  <p>${escapeHtml(String(op.summary ?? ''))}</p>${op.description ? `<p>${escapeHtml(String(op.description))}</p>` : ''}
  <p class="auth">${security ? `Requires scope: <code>${escapeHtml(security)}</code>` : 'Public'}${op['x-vitrine-local-only'] ? ' · local runtime only' : ''}</p>
  ${paramRows ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th><th>Schema</th></tr>${paramRows}</table>` : ''}
  ${body ? `<details><summary>Request body</summary>${schemaBlock((body['application/json'] as Json).schema)}</details>` : ''}
  <ul>${responses}</ul>
</section>`;
        })
        .join('\n');
      return `<h2>${escapeHtml(tag)}</h2>\n${items}`;
    })
    .join('\n');
  const schemas = Object.entries(((doc.components as Json).schemas as Json) ?? {})
    .map(
      ([name, schema]) =>
        `<details id="schema-${escapeHtml(name)}"><summary>${escapeHtml(name)}</summary>${schemaBlock(schema)}</details>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(String(info.title))}</title>
<style>
body{font:15px/1.5 Georgia,serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d1d1b}
h1{font-weight:normal;letter-spacing:.08em;text-transform:uppercase}h2{border-bottom:1px solid #c9b99a;margin-top:2.5rem}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f7f4ee;padding:.75rem;overflow:auto}
.method{display:inline-block;min-width:4rem;text-align:center;color:#fff;background:#555;border-radius:3px;font:bold 12px sans-serif;padding:2px 6px}
.get{background:#2f6f4f}.post{background:#7a5a1c}.put{background:#2c4f7c}.delete{background:#8b2c2c}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #e4dccd;padding:4px 8px;text-align:left}.auth{color:#6b6356}
</style></head><body>
<h1>${escapeHtml(String(info.title))}</h1><p>${escapeHtml(String(info.description ?? ''))}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${escapeHtml(String(doc.openapi))})</p>
${sections}
<h2>Schemas</h2>
${schemas}
</body></html>`;
}
