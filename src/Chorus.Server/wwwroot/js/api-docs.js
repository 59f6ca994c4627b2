// Renders the server's OpenAPI document as a readable list of operations, grouped by tag.
const host = document.getElementById('api-operations');

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function schemaName(schema) {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop();
  if (schema.type === 'array') return `${schemaName(schema.items)}[]`;
  return Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null').join(' | ') : (schema.type ?? '');
}

function operation(method, path, op) {
  const details = el('details', 'op');
  const summary = el('summary');
  summary.append(el('span', `method method-${method}`, method.toUpperCase()), el('span', 'path', path), el('span', 'muted', op.summary ?? ''));
  details.append(summary);
  const body = el('div', 'op-body');
  const params = op.parameters ?? [];
  if (params.length) {
    body.append(el('h3', '', 'Parameters'));
    const list = el('ul', 'params');
    for (const p of params) {
      const item = el('li');
      item.append(el('code', '', p.name), document.createTextNode(` (${p.in}${p.required ? ', required' : ''}) ${schemaName(p.schema)}`));
      list.append(item);
    }
    body.append(list);
  }
  const json = op.requestBody?.content?.['application/json'];
  if (json) {
    const line = el('p');
    line.append(document.createTextNode('Body: '), el('code', '', schemaName(json.schema) || 'JSON'));
    body.append(line);
  }
  const codes = Object.keys(op.responses ?? {});
  if (codes.length) body.append(el('p', 'muted', `Responses: ${codes.join(', ')}`));
  details.append(body);
  return details;
}

async function render() {
  try {
    const response = await fetch(host.dataset.openapi, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const doc = await response.json();
    const groups = new Map();
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const op = item[method];
        if (!op) continue;
        const tag = op.tags?.[0] ?? 'Other';
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push(operation(method, path, op));
      }
    }
    host.replaceChildren();
    for (const [tag, ops] of groups) {
      const section = el('section', 'card api-tag');
      section.append(el('h2', '', tag), ...ops);
      host.append(section);
    }
  } catch (error) {
    host.replaceChildren(el('p', 'form-error', `The API description could not be loaded (${error.message}). Open /openapi/v1.json directly.`));
  }
}

render();
