// graph.js: draws a job (operators and their inputs) as an SVG of boxes and arrows, left to right.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function inputIds(op) {
  return (op.inputs || []).map((i) => (typeof i === 'string' ? i : i.from));
}

// drawGraph(job) -> <svg>; column = longest path from a source, row = order within the column.
export function drawGraph(job) {
  const ops = (job && job.operators) || [];
  const byId = new Map(ops.map((o) => [o.id, o]));
  const depth = new Map();
  const depthOf = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id) || !byId.has(id)) return 0;
    seen.add(id);
    const ins = inputIds(byId.get(id));
    const d = ins.length ? 1 + Math.max(...ins.map((i) => depthOf(i, seen))) : 0;
    depth.set(id, d);
    return d;
  };
  ops.forEach((o) => depthOf(o.id));
  const cols = [];
  for (const o of ops) (cols[depth.get(o.id)] ||= []).push(o);
  const W = 170, H = 48, GX = 70, GY = 22;
  const pos = new Map();
  cols.forEach((col, c) => col.forEach((o, r) => pos.set(o.id, { x: 10 + c * (W + GX), y: 10 + r * (H + GY) })));
  const width = 20 + cols.length * (W + GX) - GX;
  const height = 20 + Math.max(1, ...cols.map((c) => c.length)) * (H + GY) - GY;
  const root = svg('svg', { class: 'graph', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'job graph' });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#667085' }));
  defs.append(marker);
  root.append(defs);
  for (const o of ops) {
    for (const inp of o.inputs || []) {
      const from = pos.get(typeof inp === 'string' ? inp : inp.from), to = pos.get(o.id);
      if (!from || !to) continue;
      const x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2, mx = (x1 + x2) / 2;
      root.append(svg('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }));
      if (typeof inp === 'object' && inp.distribution) {
        root.append(svg('text', { x: mx, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle', fill: '#667085' }, inp.distribution));
      }
    }
  }
  for (const o of ops) {
    const p = pos.get(o.id);
    const g = svg('g', { transform: `translate(${p.x},${p.y})` });
    g.append(svg('rect', { width: W, height: H, rx: 6 }));
    g.append(svg('text', { x: W / 2, y: 20, 'text-anchor': 'middle', 'font-weight': 600 }, o.id));
    g.append(svg('text', { x: W / 2, y: 37, 'text-anchor': 'middle', fill: '#667085' },
      `${o.type}${o.parallelism > 1 ? ` ×${o.parallelism}` : ''}`));
    root.append(g);
  }
  return root;
}
