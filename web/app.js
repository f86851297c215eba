// app.js: the console's shell. API client (bearer token from sessionStorage), a tiny element
// builder, the hash router and the header's token field. Pages live in wizard.js and jobs.js.
import { renderWizard } from './wizard.js';
import { renderJobs, renderJob } from './jobs.js';

const TOKEN_KEY = 'sluice.token';

export class ApiError extends Error {
  constructor(status, errors, body) {
    super(errors.join('; '));
    this.status = status;
    this.errors = errors;
    this.body = body;
  }
}

// api('POST', '/console/mysql/test', {...}) -> parsed JSON; throws ApiError with the server's
// {"errors": [...]} (or a plain-words message when the daemon cannot be reached).
export async function api(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, [`cannot reach the daemon (${e.message})`], null);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : {}; } catch { data = null; }
  if (!res.ok) {
    let errors = data && Array.isArray(data.errors) ? data.errors : [`HTTP ${res.status}: ${text.slice(0, 200)}`];
    if (res.status === 401) errors = errors.concat('Set the daemon token in the header (sluiced --token-file).');
    throw new ApiError(res.status, errors, data);
  }
  return data;
}

// h('div', {class: 'x', onclick: f}, child, 'text', [more]) -> Element
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A status line for one action: busy (spinner), ok (message) or the error list.
export function statusBox() {
  const box = h('div', { class: 'status', 'aria-live': 'polite' });
  return {
    el: box,
    busy(msg) { box.className = 'status busy'; box.replaceChildren(h('span', { class: 'spinner' }), msg); },
    ok(msg) { box.className = 'status ok'; box.replaceChildren(msg); },
    error(err) {
      box.className = 'status error';
      const list = err instanceof ApiError ? [...err.errors] : [String(err && err.message || err)];
      for (const c of (err instanceof ApiError && Array.isArray(err.body?.conflicts) ? err.body.conflicts : [])) {
        list.push(`conflict: ${typeof c === 'string' ? c : JSON.stringify(c)}`);
      }
      box.replaceChildren(h('ul', {}, list.map((e) => h('li', {}, e))));
    },
    clear() { box.className = 'status'; box.replaceChildren(); },
  };
}

// Runs fn with the button disabled and the status box busy; returns fn's result or null.
export async function withBusy(button, status, msg, fn) {
  if (button) button.disabled = true;
  status.busy(msg);
  try {
    const r = await fn();
    status.clear();
    return r;
  } catch (e) {
    status.error(e);
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

export function fmtDuration(ms) {
  if (ms == null || ms < 0) return '-';
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s %= 86400;
  const hh = Math.floor(s / 3600); s %= 3600;
  const mm = Math.floor(s / 60); s %= 60;
  if (d) return `${d}d ${hh}h ${mm}m`;
  if (hh) return `${hh}h ${mm}m ${s}s`;
  if (mm) return `${mm}m ${s}s`;
  return `${s}s`;
}

export function fmtTime(ms) {
  return ms > 0 ? new Date(ms).toLocaleString() : '-';
}

export function fmtBytes(n) {
  if (n == null) return '-';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${i ? n.toFixed(1) : n} ${u[i]}`;
}

// --- router ---------------------------------------------------------------------------------
let cleanup = null; // the current page's stop function (timers)

function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const main = document.getElementById('main');
  const hash = location.hash || '#/wizard/1';
  let m;
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  }
  if ((m = hash.match(/^#\/wizard(?:\/(\d))?$/))) cleanup = renderWizard(main, Number(m[1] || 1));
  else if (hash === '#/jobs') cleanup = renderJobs(main);
  else if ((m = hash.match(/^#\/jobs\/([0-9a-f]{32})$/))) cleanup = renderJob(main, m[1]);
  else { location.hash = '#/wizard/1'; return; }
  main.focus?.();
}

function initToken() {
  const input = document.getElementById('token');
  input.value = sessionStorage.getItem(TOKEN_KEY) || '';
  input.addEventListener('change', () => {
    const v = input.value.trim();
    if (v) sessionStorage.setItem(TOKEN_KEY, v);
    else sessionStorage.removeItem(TOKEN_KEY);
    route();
  });
}

initToken();
window.addEventListener('hashchange', route);
route();
