// jobs.js: the jobs list (#/jobs) and one job's page (#/jobs/ID), both polled every 2 s.
import { api, h, statusBox, withBusy, fmtDuration, fmtTime, fmtBytes } from './app.js';
import { Sparkline } from './chart.js';
import { drawGraph } from './graph.js';

const POLL_MS = 2000;

function poller(fn) {
  let timer = null, stopped = false;
  const tick = async () => {
    await fn();
    if (!stopped) timer = setTimeout(tick, POLL_MS);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

// --- the list -------------------------------------------------------------------------------
export function renderJobs(main) {
  const st = statusBox();
  const body = h('tbody');
  main.replaceChildren(h('h1', {}, 'Jobs'), st.el, h('div', { class: 'card' }, h('table', { id: 'jobs' },
    h('thead', {}, h('tr', {}, ['State', 'Name', 'Started', 'Uptime', 'Rows into the sink', 'Latest checkpoint', 'Restarts', 'Last error']
      .map((c) => h('th', {}, c)))), body)));
  return poller(async () => {
    try {
      const r = await api('GET', '/jobs/overview');
      st.clear();
      const jobs = (r.jobs || []).sort((a, b) => b['start-time'] - a['start-time']);
      body.replaceChildren(...(jobs.length ? jobs.map((j) => h('tr', { 'data-jid': j.jid },
        h('td', { class: `state ${j.state}` }, j.state),
        h('td', {}, h('a', { href: `#/jobs/${j.jid}` }, j.name)),
        h('td', {}, fmtTime(j['start-time'])),
        h('td', {}, fmtDuration(j.duration)),
        h('td', { class: 'num', 'data-rows': j['sink-records'] ?? 0 }, Number(j['sink-records'] ?? 0).toLocaleString()),
        h('td', {}, j['latest-checkpoint'] ? `#${j['latest-checkpoint'].id}, ${fmtTime(j['latest-checkpoint'].trigger_timestamp)} (${j['latest-checkpoint'].end_to_end_duration} ms)` : '-'),
        h('td', { class: 'num' }, j.restarts),
        h('td', { class: j['last-failure'] ? 'bad' : 'muted', title: j['last-failure'] || '' },
          j['last-failure'] ? j['last-failure'].slice(0, 80) : 'none'))) :
        [h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No jobs yet. ', h('a', { href: '#/wizard/1' }, 'Create a sync')))]));
    } catch (e) { st.error(e); }
  });
}

// --- one job --------------------------------------------------------------------------------
const sumBy = (series, name, pred = () => true) =>
  series.filter((s) => s.name === name && pred(s)).reduce((a, s) => a + Number(s.value || 0), 0);

// per-table snapshot progress from the mysql_cdc series (summed over subtasks)
function snapshotTables(series) {
  const t = new Map();
  for (const s of series) {
    const m = s.name.match(/^sluice_mysql_cdc_snapshot_(splits_done|splits_total|rows_total)$/);
    if (!m || !s.labels?.table) continue;
    const e = t.get(s.labels.table) || { splits_done: 0, splits_total: 0, rows_total: 0 };
    e[m[1]] += Number(s.value || 0);
    t.set(s.labels.table, e);
  }
  return [...t.entries()].sort();
}

// the passwords a masked job needs back: every "***" value, by its JSON path
function maskedPaths(obj, path = []) {
  const out = [];
  if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) out.push(...maskedPaths(v, [...path, k]));
  } else if (obj === '***') out.push(path);
  return out;
}

function setPath(obj, path, value) {
  let o = obj;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]] = value;
}

function describePath(job, path) {
  // operators[i].config.password -> "<operator id> (<type>) password"
  if (path[0] === 'operators' && job.operators?.[path[1]]) {
    const op = job.operators[path[1]];
    return `${op.id} (${op.type}) ${path.slice(3).join('.') || path[path.length - 1]}`;
  }
  return path.join('.');
}

export function renderJob(main, id) {
  const st = statusBox();
  const actSt = statusBox();
  const head = h('div', { class: 'kv', id: 'job-status' });
  const snap = h('div', { id: 'snapshot' });
  const ckpt = h('div', { class: 'kv', id: 'checkpoints' });
  const failure = h('div', { id: 'failure' });
  const resumeBox = h('div', { id: 'resume' });
  const graphBox = h('div', { style: 'overflow:auto' });
  const rate = new Sparkline('rows/s', 'rows/s');
  const lag = new Sparkline('source lag', 'ms');
  rate.el.id = 'chart-rate';
  lag.el.id = 'chart-lag';
  let view = null, last = null, lastSavepoint = '', graphDrawn = false;

  const spBtn = h('button', { id: 'savepoint', onclick: (e) => savepoint(e.target, false) }, 'Savepoint');
  const stopBtn = h('button', { id: 'stop', onclick: (e) => savepoint(e.target, true) }, 'Stop with savepoint');
  const cancelBtn = h('button', { id: 'cancel', class: 'danger', onclick: (e) => {
    if (!confirm('Cancel the job? It stops without a savepoint.')) return;
    withBusy(e.target, actSt, 'Canceling…', () => api('PATCH', `/jobs/${id}?mode=cancel`)).then((r) => { if (r) actSt.ok('Cancel requested.'); });
  } }, 'Cancel');
  const resumeBtn = h('button', { id: 'resume-open', onclick: () => openResume() }, 'Resume from savepoint');

  async function savepoint(btn, stop) {
    btn.disabled = true;
    actSt.busy(stop ? 'Stopping with a savepoint…' : 'Taking a savepoint…');
    try {
      const r = await api('POST', stop ? `/jobs/${id}/stop` : `/jobs/${id}/savepoints`);
      for (let i = 0; i < 600; i++) {
        const s = await api('GET', `/jobs/${id}/savepoints/${r['request-id']}`);
        if (s.status?.id === 'COMPLETED') {
          if (s.operation?.location) {
            lastSavepoint = s.operation.location;
            actSt.ok(`Savepoint written: ${lastSavepoint}`);
          } else {
            actSt.error(new Error(`Savepoint failed: ${s.operation?.['failure-cause']?.message || 'unknown cause'}`));
          }
          return;
        }
        await new Promise((res) => setTimeout(res, 500));
      }
      actSt.error(new Error('The savepoint did not finish within 5 minutes.'));
    } catch (e) { actSt.error(e); } finally { btn.disabled = view?.state !== 'RUNNING'; }
  }

  function openResume() {
    if (!view?.job) return;
    const job = structuredClone(view.job);
    const paths = maskedPaths(job);
    const spInput = h('input', { type: 'text', id: 'resume-savepoint', value: lastSavepoint, placeholder: '/data/jobs/ID/savepoints/savepoint-N' });
    const pwInputs = paths.map((p) => ({ p, input: h('input', { type: 'password', 'data-path': p.join('.'), autocomplete: 'new-password' }) }));
    const rst = statusBox();
    const go = h('button', { class: 'primary', id: 'resume-submit', onclick: async (e) => {
      if (!spInput.value.trim()) { rst.error(new Error('Enter the savepoint path.')); return; }
      const missing = pwInputs.filter((x) => !x.input.value);
      if (missing.length) { rst.error(new Error(`Enter the password for ${missing.map((x) => describePath(job, x.p)).join(', ')}.`)); return; }
      for (const x of pwInputs) setPath(job, x.p, x.input.value);
      const r = await withBusy(e.target, rst, 'Submitting…', () => api('POST', '/jobs', { ...job, savepoint: spInput.value.trim() }));
      for (const x of pwInputs) x.input.value = '';
      if (r?.jobid) location.hash = `#/jobs/${r.jobid}`;
    } }, 'Resume');
    resumeBox.replaceChildren(h('div', { class: 'card' }, h('h2', {}, 'Resume from a savepoint'),
      h('p', { class: 'muted' }, 'The stored job hides its passwords ("***"); enter them again. They are sent once and not kept.'),
      h('div', { class: 'form wide' }, h('label', { for: 'resume-savepoint' }, 'Savepoint'), spInput,
        pwInputs.map((x) => [h('label', {}, describePath(job, x.p)), x.input])),
      h('div', { class: 'actions' }, go, h('button', { onclick: () => resumeBox.replaceChildren() }, 'Close')), rst.el));
  }

  for (const b of [spBtn, stopBtn, cancelBtn, resumeBtn]) b.disabled = true; // until the first answer
  head.append(h('span', { class: 'muted' }, 'Loading…'));
  main.replaceChildren(h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')), h('h1', { id: 'job-name' }, 'Job'), st.el,
    h('div', { class: 'card' }, head, h('div', { class: 'actions' }, spBtn, stopBtn, cancelBtn, resumeBtn), actSt.el, resumeBox),
    h('div', { class: 'card' }, h('h2', { style: 'margin-top:0' }, 'Snapshot'), snap),
    h('div', { class: 'card grid2' }, rate.el, lag.el),
    h('div', { class: 'grid2' }, h('div', { class: 'card' }, h('h2', { style: 'margin-top:0' }, 'Checkpoints'), ckpt),
      h('div', { class: 'card' }, h('h2', { style: 'margin-top:0' }, 'Restarts and errors'), failure)),
    h('div', { class: 'card' }, h('h2', { style: 'margin-top:0' }, 'Graph'), graphBox));

  return poller(async () => {
    let metrics, cps;
    try {
      [view, metrics, cps] = await Promise.all([api('GET', `/jobs/${id}`), api('GET', `/jobs/${id}/metrics`).catch(() => ({ series: [] })),
        api('GET', `/jobs/${id}/checkpoints`).catch(() => null)]);
      st.clear();
    } catch (e) { st.error(e); return; }
    const running = view.state === 'RUNNING';
    spBtn.disabled = stopBtn.disabled = cancelBtn.disabled = !running;
    resumeBtn.disabled = running;
    main.querySelector('#job-name').textContent = view.name;
    head.replaceChildren(h('span', {}, 'State'), h('span', { class: `state ${view.state}`, id: 'job-state' }, view.state),
      h('span', {}, 'Started'), h('span', {}, fmtTime(view['start-time'])),
      h('span', {}, 'Uptime'), h('span', {}, fmtDuration(view.duration)),
      h('span', {}, 'Restored from'), h('span', {}, view['restored-checkpoint'] ? `#${view['restored-checkpoint']?.id ?? view['restored-checkpoint']}` : '-'),
      h('span', {}, 'Job id'), h('code', {}, id));
    if (!graphDrawn && view.job) { graphBox.replaceChildren(drawGraph(view.job)); graphDrawn = true; }

    const series = metrics.series || [];
    const tables = snapshotTables(series);
    snap.replaceChildren(tables.length ? h('table', {}, h('tr', {}, h('th', {}, 'table'), h('th', {}, 'splits'), h('th', {}, 'progress'), h('th', { class: 'num' }, 'rows')),
      tables.map(([t, e]) => {
        const done = e.splits_total > 0 && e.splits_done >= e.splits_total;
        const pct = e.splits_total > 0 ? Math.min(100, (100 * e.splits_done) / e.splits_total) : 0;
        return h('tr', { 'data-snapshot-table': t, 'data-complete': done ? 'yes' : 'no' }, h('td', {}, t),
          h('td', {}, `${e.splits_done} / ${e.splits_total}`),
          h('td', {}, h('div', { class: 'bar', title: `${pct.toFixed(0)}%` }, h('div', { style: `width:${pct}%` })), done ? h('span', { class: 'good' }, ' complete') : ''),
          h('td', { class: 'num snapshot-rows' }, e.rows_total.toLocaleString()));
      })) : h('p', { class: 'muted' }, 'No snapshot metrics (yet).'));

    // rows/s: records out of the sink (else of the sources), per poll
    const vs = view.vertices || [];
    const sinks = vs.filter((v) => !vs.some((w) => (view.job?.operators || []).find((o) => o.id === w.id)?.inputs?.some((i) => (typeof i === 'string' ? i : i.from) === v.id)));
    const ids = new Set(sinks.map((v) => v.id));
    // records into the sinks; else what the sources emitted; else the job view's counters
    const srcIds = new Set((view.job?.operators || []).filter((o) => !o.inputs?.length).map((o) => o.id));
    let total = sumBy(series, 'sluice_records_in_total', (s) => ids.has(s.labels?.vertex));
    if (!total) total = sumBy(series, 'sluice_records_out_total', (s) => ids.has(s.labels?.vertex) || srcIds.has(s.labels?.vertex));
    if (!total) total = sinks.reduce((a, v) => a + Number(v.metrics?.['read-records'] || 0), 0);
    const now = Date.now();
    if (last && now > last.t) rate.push(Math.max(0, ((total - last.total) * 1000) / (now - last.t)));
    last = { t: now, total };
    const lags = series.filter((s) => s.name === 'sluice_mysql_cdc_lag_ms').map((s) => Number(s.value || 0));
    lag.push(lags.length ? Math.max(...lags) : 0);
    head.append(h('span', {}, 'Rows through the sink'), h('span', { id: 'rows-total' }, total.toLocaleString()));

    if (cps) {
      const c = cps.latest?.completed;
      ckpt.replaceChildren(h('span', {}, 'Completed / failed'), h('span', { id: 'cp-counts' }, `${cps.counts?.completed ?? 0} / ${cps.counts?.failed ?? 0}`),
        h('span', {}, 'Latest'), h('span', { id: 'cp-latest' }, c ? `#${c.id} at ${fmtTime(c.trigger_timestamp)}` : '-'),
        h('span', {}, 'Duration'), h('span', {}, c ? `${c.end_to_end_duration} ms` : '-'),
        h('span', {}, 'Size'), h('span', {}, c ? fmtBytes(c.state_size) : '-'),
        h('span', {}, 'Latest savepoint'), h('span', {}, cps.latest?.savepoint ? `#${cps.latest.savepoint.id}` : '-'),
        h('span', {}, 'Latest failure'), h('span', { class: cps.latest?.failed ? 'bad' : '' }, cps.latest?.failed ? `#${cps.latest.failed.id}: ${cps.latest.failed.failure_message || ''}` : '-'));
    }
    const lf = view['last-failure'];
    failure.replaceChildren(h('div', { class: 'kv' }, h('span', {}, 'Restarts'), h('span', { id: 'restarts' }, view.restarts ?? 0),
      h('span', {}, 'Last error'), h('span', { class: lf ? 'bad' : 'muted' }, lf ? (typeof lf === 'string' ? lf : lf.message || JSON.stringify(lf)) : 'none')));
  });
}
