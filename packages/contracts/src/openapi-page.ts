/**
 * The `/docs` page each service serves beside its `/openapi.json`: one self-contained HTML file
 * (inline script and style, no CDN, works offline and air-gapped) that fetches the document and
 * lists every operation by tag with its scope, parameters, body and answer schemas, and a curl
 * line to copy. Deliberately small: the document itself is the contract; this is a reader.
 */
export function openApiDocsPage(title: string, specUrl = '/openapi.json'): string {
  const safeTitle = title.replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle} — HTTP API</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 2rem; color: #1b1f24; }
  h1 { margin-bottom: 0 } h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
  details.op { border: 1px solid #d0d7de; border-radius: 6px; margin: .4rem 0; }
  details.op > summary { cursor: pointer; padding: .4rem .6rem; list-style: none; }
  .m { display: inline-block; min-width: 4.2rem; font: bold 12px monospace; text-align: center; border-radius: 4px; padding: 2px 4px; color: #fff; }
  .GET { background: #1f6feb } .POST { background: #1a7f37 } .PUT { background: #9a6700 } .DELETE { background: #cf222e } .PATCH { background: #8250df }
  code, pre { font: 13px/1.4 ui-monospace, monospace; } pre { background: #f6f8fa; padding: .6rem; overflow: auto; max-height: 24rem; }
  .body { padding: 0 .8rem .6rem; } .scope { color: #57606a; font-size: 13px; float: right; }
  input#filter { width: 100%; padding: .4rem; font-size: 15px; margin: 1rem 0; }
</style>
</head>
<body>
<h1 id="title">${safeTitle}</h1>
<p id="description"></p>
<p>Machine-readable: <a href="${specUrl}"><code>${specUrl}</code></a> (OpenAPI 3.1).</p>
<input id="filter" type="search" placeholder="Filter operations (path, summary, tag)…" aria-label="Filter operations">
<main id="ops" aria-live="polite">Loading…</main>
<script>
(async () => {
  const main = document.getElementById('ops');
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  };
  const json = (value) => el('pre', {}, JSON.stringify(value, null, 2));
  let doc;
  try {
    const res = await fetch(${JSON.stringify(specUrl)});
    doc = await res.json();
  } catch (err) {
    main.textContent = 'Could not load the document: ' + err;
    return;
  }
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('description').textContent = doc.info.description || '';
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method: method.toUpperCase(), op });
    }
  }
  main.textContent = '';
  for (const [tag, ops] of byTag) {
    const section = el('section', { 'data-tag': tag }, el('h2', {}, tag));
    for (const { path, method, op } of ops) {
      const scope = op['x-scope'] === 'public' ? 'no token' : 'token: ' + op['x-scope'];
      const summary = el('summary', {}, el('span', { class: 'm ' + method }, method), ' ',
        el('code', {}, path), ' — ' + op.summary, el('span', { class: 'scope' }, scope));
      const body = el('div', { class: 'body' });
      if (op.description) body.append(el('p', {}, op.description));
      body.append(el('p', {}, 'operationId ', el('code', {}, op.operationId)));
      if (op.parameters && op.parameters.length) {
        body.append(el('h4', {}, 'Parameters'));
        const list = el('ul');
        for (const p of op.parameters) {
          const schema = p.schema || (p.content && p.content['application/json'].schema) || {};
          list.append(el('li', {}, el('code', {}, p.name), ' (' + p.in + (p.required ? ', required' : '') +
            (p.content ? ', JSON' : '') + ') ' + (schema.description || ''), json(schema)));
        }
        body.append(list);
      }
      const rb = op.requestBody;
      if (rb) {
        body.append(el('h4', {}, 'Body: ' + Object.keys(rb.content).join(', ')));
        if (rb.description) body.append(el('p', {}, rb.description));
        const schema = rb.content['application/json'] && rb.content['application/json'].schema;
        if (schema) body.append(json(schema));
      }
      for (const [status, res] of Object.entries(op.responses || {})) {
        if (!status.startsWith('2')) continue;
        body.append(el('h4', {}, 'Answer ' + status + ': ' + res.description));
        const schema = res.content && res.content['application/json'] && res.content['application/json'].schema;
        if (schema) body.append(json(schema));
      }
      const url = location.origin + path;
      const auth = op['x-scope'] === 'public' ? '' : ' -H "authorization: Bearer $MLOPS_TOKEN"';
      const send = rb && rb.content['application/json'] ? ' -H "content-type: application/json" -d \\'{…}\\'' : '';
      body.append(el('h4', {}, 'curl'), el('pre', {}, 'curl -X ' + method + auth + send + " '" + url + "'"));
      section.append(el('details', { class: 'op', 'data-filter': (tag + ' ' + path + ' ' + op.summary).toLowerCase() }, summary, body));
    }
    main.append(section);
  }
  document.getElementById('filter').addEventListener('input', (event) => {
    const q = event.target.value.toLowerCase();
    for (const d of main.querySelectorAll('details.op')) d.hidden = !d.dataset.filter.includes(q);
  });
  document.body.dataset.ready = String(byTag.size);
})();
</script>
</body>
</html>
`;
}
