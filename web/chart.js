// chart.js: a small live sparkline (SVG) keeping the last N points.
const NS = 'http://www.w3.org/2000/svg';

export class Sparkline {
  constructor(label, unit, max = 90, width = 520, height = 90) {
    Object.assign(this, { label, unit, max, width, height, points: [] });
    this.el = document.createElementNS(NS, 'svg');
    this.el.setAttribute('class', 'chart');
    this.el.setAttribute('width', width);
    this.el.setAttribute('height', height);
    this.el.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.draw();
  }

  push(v) {
    this.points.push(Number.isFinite(v) ? v : 0);
    if (this.points.length > this.max) this.points.shift();
    this.draw();
  }

  draw() {
    const { width: W, height: H, points } = this;
    const top = 18, bottom = H - 4;
    const hi = Math.max(1, ...points);
    const step = W / Math.max(1, this.max - 1);
    const xy = points.map((v, i) => [W - (points.length - 1 - i) * step, bottom - (v / hi) * (bottom - top)]);
    const last = points.length ? points[points.length - 1] : 0;
    const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString() : n.toFixed(n % 1 ? 1 : 0));
    this.el.innerHTML = '';
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      this.el.append(e);
    };
    add('rect', { x: 0, y: 0, width: W, height: H, fill: '#fff', stroke: '#d5d9e0' });
    add('text', { x: 6, y: 13 }, `${this.label}: ${fmt(last)} ${this.unit}`);
    add('text', { x: W - 6, y: 13, 'text-anchor': 'end' }, `max ${fmt(hi)}`);
    if (xy.length > 1) {
      const d = xy.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
      add('path', { d: `${d} L${xy[xy.length - 1][0]},${bottom} L${xy[0][0]},${bottom} z`, fill: '#cfe3ff' });
      add('path', { d, fill: 'none', stroke: '#1f6feb', 'stroke-width': 1.5 });
    }
  }
}
