// wizard.js: the five-step "new sync" wizard (#/wizard/1..5). Each step's Next asks the server
// first; the state stays in memory (passwords are never stored in the browser).
import { api, h, statusBox, withBusy, ApiError } from './app.js';
import { drawGraph } from './graph.js';

const S = {
  source: { host: '127.0.0.1', port: 3306, user: '', password: '' },
  sourceInfo: null, // the last successful /console/mysql/test answer
  catalog: null, // /console/mysql/tables answer
  selected: new Set(), // "db.table"
  columns: {}, // "db.table" -> Set of kept columns (absent = all)
  patterns: '',
  target: { fe_host: '127.0.0.1', http_port: 8030, query_port: 9030, user: 'root', password: '', database: '' },
  targetInfo: null,
  createTables: true,
  buckets: '',
  properties: '',
  names: {}, // unit key -> target table name
  mergeKey: 'ask',
  needMergeKey: false,
  name: 'mysql-to-starrocks',
  preview: null,
};

const STEPS = ['Source', 'Tables', 'Target', 'Mapping', 'Review'];

// POSIX ERE escape (the server matches whole "db.table" names)
const esc = (s) => s.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&');
const memberName = (m) => (typeof m === 'string' ? m : m.name || `${m.db || m.database}.${m.table}`);

function findTable(full) {
  for (const db of S.catalog?.databases || []) {
    for (const t of db.tables) if (`${db.name}.${t.name}` === full) return { db: db.name, t };
  }
  return null;
}

// The selection as units: whole shard groups (one target) and single tables.
function units() {
  const out = [];
  const covered = new Set();
  for (const g of S.catalog?.groups || []) {
    const members = g.members.map(memberName);
    if (members.length && members.every((m) => S.selected.has(m))) {
      members.forEach((m) => covered.add(m));
      out.push({ kind: 'group', key: `group:${g.pattern}`, regex: g.pattern, members, def: g.target,
        pk: findTable(members[0])?.t.primary_key || [] });
    }
  }
  for (const full of [...S.selected].sort()) {
    if (covered.has(full)) continue;
    const f = findTable(full);
    if (!f) continue;
    out.push({ kind: 'table', key: full, regex: `${esc(f.db)}\\.${esc(f.t.name)}`, members: [full],
      def: f.t.name, pk: f.t.primary_key || [] });
  }
  return out;
}

function parseProps(text) {
  const props = {};
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const i = l.indexOf('=');
    if (i <= 0) throw new Error(`properties: "${l}" is not key=value`);
    props[l.slice(0, i).trim()] = l.slice(i + 1).trim();
  }
  return props;
}

function sourceBody() {
  return { host: S.source.host, port: Number(S.source.port), user: S.source.user, password: S.source.password };
}

export function requestBody(mode) {
  const us = units();
  const body = {
    source: sourceBody(),
    tables: us.map((u) => u.regex),
    target: { ...S.target, http_port: Number(S.target.http_port), query_port: Number(S.target.query_port) },
    routes: [],
    merge_key: S.mergeKey,
    name: S.name,
    mode,
    create_tables: S.createTables,
    properties: parseProps(S.properties),
  };
  for (const u of us) {
    const name = (S.names[u.key] || u.def).trim();
    if (u.kind === 'group' || name !== u.def) body.routes.push({ source: u.regex, target: name });
  }
  const cols = {};
  for (const [full, set] of Object.entries(S.columns)) {
    if (!S.selected.has(full) || !set) continue;
    const [db, ...rest] = full.split('.');
    cols[`${esc(db)}\\.${esc(rest.join('.'))}`] = [...set];
  }
  if (Object.keys(cols).length) body.columns = cols;
  if (String(S.buckets).trim()) body.buckets = Number(S.buckets);
  return body;
}

// --- shared bits ----------------------------------------------------------------------------
function field(label, obj, key, type = 'text', attrs = {}) {
  const id = `f-${key}-${Math.random().toString(36).slice(2, 7)}`;
  const input = h('input', { id, type, value: obj[key] ?? '', name: key, autocomplete: type === 'password' ? 'new-password' : 'off', ...attrs,
    oninput: (e) => { obj[key] = e.target.value; } });
  return [h('label', { for: id }, label), input];
}

function stepper(step) {
  return h('ol', { class: 'steps' }, STEPS.map((s, i) =>
    h('li', { class: i + 1 === step ? 'cur' : i + 1 < step ? 'done' : '' }, `${i + 1}. ${s}`)));
}

function go(step) { location.hash = `#/wizard/${step}`; }

// plain words for the binlog checks
function binlogAdvice(b) {
  const tips = [];
  const on = String(b.log_bin).toUpperCase();
  if (on !== 'ON' && on !== '1' && on !== 'TRUE') {
    tips.push('Binary logging is off. Add log_bin=mysql-bin and server_id=1 under [mysqld] in my.cnf and restart the server (MySQL 8 has it on by default).');
  }
  if (String(b.binlog_format).toUpperCase() !== 'ROW') {
    tips.push(`binlog_format is ${b.binlog_format || 'unknown'}; change data capture needs ROW. Run SET GLOBAL binlog_format=ROW and put binlog_format=ROW in my.cnf (clients that are already connected keep the old format until they reconnect).`);
  }
  if (b.binlog_row_image && String(b.binlog_row_image).toUpperCase() !== 'FULL') {
    tips.push(`binlog_row_image is ${b.binlog_row_image}; updates must carry whole rows. Run SET GLOBAL binlog_row_image=FULL and put binlog_row_image=FULL in my.cnf.`);
  }
  return tips;
}

// --- step 1: source -------------------------------------------------------------------------
function stepSource(card) {
  const st = statusBox();
  const result = h('div', { id: 'source-result' });
  const show = (r) => {
    const b = r.binlog || {};
    const problems = b.problems?.length ? b.problems : b.ok ? [] : binlogAdvice(b);
    result.replaceChildren(
      h('p', { class: 'good' }, `Connected: server version ${r.version}`),
      h('table', {}, h('tr', {}, h('th', {}, 'log_bin'), h('th', {}, 'binlog_format'), h('th', {}, 'binlog_row_image'), h('th', {}, 'ready for CDC')),
        h('tr', {}, h('td', {}, String(b.log_bin)), h('td', {}, String(b.binlog_format)), h('td', {}, String(b.binlog_row_image ?? '-')),
          h('td', { class: b.ok ? 'good' : 'bad' }, b.ok ? 'yes' : 'no'))),
      problems.length ? h('ul', { class: 'problems bad' }, [...new Set(problems)].map((p) => h('li', {}, p))) : null,
      b.ok ? null : h('p', { class: 'warn' }, 'A snapshot-only Full import still works; real-time sync needs these fixed.'));
  };
  if (S.sourceInfo) show(S.sourceInfo);
  const test = async (btn) => withBusy(btn, st, 'Connecting…', async () => {
    const r = await api('POST', '/console/mysql/test', sourceBody());
    S.sourceInfo = r;
    show(r);
    return r;
  });
  const testBtn = h('button', { id: 'source-test', onclick: (e) => test(e.target) }, 'Test connection');
  const nextBtn = h('button', { class: 'primary', id: 'next', onclick: async (e) => {
    const r = await test(e.target);
    if (!r) return;
    S.catalog = null;
    go(2);
  } }, 'Next');
  card.append(h('h2', {}, 'MySQL / MariaDB source'),
    h('div', { class: 'form' }, field('Host', S.source, 'host'), field('Port', S.source, 'port', 'number'),
      field('User', S.source, 'user'), field('Password', S.source, 'password', 'password')),
    h('div', { class: 'actions' }, testBtn, nextBtn), st.el, result);
}

// --- step 2: tables -------------------------------------------------------------------------
function stepTables(card) {
  const st = statusBox();
  const list = h('div', { id: 'tables' });
  const patBox = h('input', { type: 'text', id: 'pattern', value: S.patterns, placeholder: 'shop\\.(orders|customers), shard_[0-9]+\\.orders',
    oninput: (e) => { S.patterns = e.target.value; } });
  const splitPatterns = (s) => { // commas inside {} or [] belong to the regex
    const out = []; let depth = 0, cur = '';
    for (const c of s) {
      if (c === '[' || c === '{') depth++;
      if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
      if (c === ',' && !depth) { out.push(cur.trim()); cur = ''; } else cur += c;
    }
    if (cur.trim()) out.push(cur.trim());
    return out;
  };
  const load = (patterns) => withBusy(null, st, 'Reading information_schema…', async () => {
    const body = sourceBody();
    if (patterns) body.patterns = patterns;
    const r = await api('POST', '/console/mysql/tables', body);
    return r;
  });
  const render = () => {
    if (!S.catalog) return;
    const rows = [];
    const groupOf = new Map();
    for (const g of S.catalog.groups || []) for (const m of g.members) groupOf.set(memberName(m), g);
    for (const g of S.catalog.groups || []) {
      const members = g.members.map(memberName);
      const all = members.every((m) => S.selected.has(m));
      rows.push(h('tr', { class: 'group' },
        h('td', {}, h('input', { type: 'checkbox', 'data-group': g.pattern, checked: all, onchange: (e) => {
          members.forEach((m) => (e.target.checked ? S.selected.add(m) : S.selected.delete(m)));
          render();
        } })),
        h('td', { colspan: 3 }, h('b', {}, `Shard group → ${g.target}`), ' ', h('code', {}, g.pattern), h('br'),
          h('span', { class: 'muted' }, `members: ${members.join(', ')}`))));
    }
    for (const db of S.catalog.databases || []) {
      rows.push(h('tr', {}, h('th', { colspan: 4 }, `Database ${db.name}`)));
      for (const t of db.tables) {
        const full = `${db.name}.${t.name}`;
        const kept = S.columns[full];
        const colsRow = h('tr', { hidden: true }, h('td'), h('td', { colspan: 3 }, h('div', { class: 'cols' },
          t.columns.map((c) => h('label', {}, h('input', { type: 'checkbox', 'data-column': `${full}.${c.name}`,
            checked: !kept || kept.has(c.name), disabled: t.primary_key?.includes(c.name), onchange: (e) => {
              const set = S.columns[full] || new Set(t.columns.map((x) => x.name));
              if (e.target.checked) set.add(c.name); else set.delete(c.name);
              S.columns[full] = set.size === t.columns.length ? undefined : set;
            } }), ` ${c.name} `, h('span', { class: 'muted' }, `${c.type}${c.nullable ? '' : ' not null'}${c.key ? ` ${c.key}` : ''}`))))));
        rows.push(h('tr', {},
          h('td', {}, h('input', { type: 'checkbox', 'data-table': full, checked: S.selected.has(full), onchange: (e) => {
            if (e.target.checked) S.selected.add(full); else S.selected.delete(full);
            render();
          } })),
          h('td', {}, t.name, groupOf.has(full) ? h('span', { class: 'muted' }, ` (shard of ${groupOf.get(full).target})`) : null),
          h('td', { class: 'num' }, `~${Number(t.rows ?? 0).toLocaleString()} rows`),
          h('td', {}, t.primary_key?.length ? `key (${t.primary_key.join(', ')})` : h('span', { class: 'bad' }, 'no primary key'), ' ',
            h('button', { class: 'link', onclick: () => { colsRow.hidden = !colsRow.hidden; } }, `columns (${kept ? kept.size : t.columns.length}/${t.columns.length})`))));
        rows.push(colsRow);
      }
    }
    list.replaceChildren(h('table', {}, h('tbody', {}, rows)),
      h('p', { class: 'muted' }, `${S.selected.size} table(s) selected`, S.catalog.truncated ? ' (the list is cut short: narrow it with a pattern)' : ''));
  };
  const selectMatching = async (btn) => {
    const pats = splitPatterns(S.patterns);
    if (!pats.length) return;
    btn.disabled = true;
    const r = await load(pats);
    btn.disabled = false;
    if (!r) return;
    // the answer lists what the patterns match: select those, keep the full catalog for display
    for (const db of r.databases || []) for (const t of db.tables) S.selected.add(`${db.name}.${t.name}`);
    const known = new Set((S.catalog.groups || []).map((g) => g.pattern));
    for (const g of r.groups || []) if (!known.has(g.pattern)) S.catalog.groups.push(g);
    render();
  };
  const next = h('button', { class: 'primary', id: 'next', onclick: async (e) => {
    const us = units();
    if (!us.length) { st.error(new Error('Select at least one table.')); return; }
    const noKey = us.filter((u) => !u.pk.length);
    if (noKey.length) { st.error(new Error(`${noKey.map((u) => u.key).join(', ')}: no primary key; StarRocks primary-key tables need one.`)); return; }
    e.target.disabled = true;
    const r = await load(us.map((u) => u.regex)); // the server confirms every pattern matches
    e.target.disabled = false;
    if (r) { S.preview = null; go(3); }
  } }, 'Next');
  card.append(h('h2', {}, 'Tables'),
    h('div', { class: 'form wide' }, h('label', { for: 'pattern' }, 'Pattern (regex)'),
      h('div', { class: 'actions', style: 'margin:0; flex-wrap:nowrap' }, patBox, h('button', { id: 'select-pattern', onclick: (e) => selectMatching(e.target) }, 'Select matching'))),
    st.el, list, h('div', { class: 'actions' }, h('button', { onclick: () => go(1) }, 'Back'), next));
  if (S.catalog) render();
  else load(null).then((r) => { if (r) { S.catalog = r; S.catalog.groups ||= []; render(); } });
}

// --- step 3: target -------------------------------------------------------------------------
function stepTarget(card) {
  const st = statusBox();
  const result = h('div', { id: 'target-result' });
  const dbList = h('datalist', { id: 'sr-dbs' });
  const show = (r) => {
    dbList.replaceChildren(...(r.databases || []).map((d) => h('option', { value: d })));
    result.replaceChildren(h('p', { class: 'good' }, `Connected: StarRocks ${r.version}`),
      h('p', { class: 'muted' }, `databases: ${(r.databases || []).join(', ') || '(none)'}`));
  };
  if (S.targetInfo) show(S.targetInfo);
  const conn = () => ({ fe_host: S.target.fe_host, http_port: Number(S.target.http_port), query_port: Number(S.target.query_port),
    user: S.target.user, password: S.target.password });
  const test = (btn) => withBusy(btn, st, 'Connecting…', async () => {
    const r = await api('POST', '/console/starrocks/test', conn());
    S.targetInfo = r;
    show(r);
    return r;
  });
  const props = h('textarea', { id: 'properties', oninput: (e) => { S.properties = e.target.value; } });
  props.value = S.properties;
  const next = h('button', { class: 'primary', id: 'next', onclick: async (e) => {
    if (!S.target.database.trim()) { st.error(new Error('Enter the target database.')); return; }
    try { parseProps(S.properties); } catch (err) { st.error(err); return; }
    if (!(await test(e.target))) return;
    S.preview = null;
    go(4);
  } }, 'Next');
  card.append(h('h2', {}, 'StarRocks target'),
    h('div', { class: 'form' }, field('FE host', S.target, 'fe_host'), field('HTTP port', S.target, 'http_port', 'number'),
      field('Query port', S.target, 'query_port', 'number'), field('User', S.target, 'user'),
      field('Password', S.target, 'password', 'password'),
      field('Database', S.target, 'database', 'text', { list: 'sr-dbs' }),
      h('label', { for: 'create-tables' }, 'Create tables'),
      h('label', {}, h('input', { type: 'checkbox', id: 'create-tables', checked: S.createTables, onchange: (e) => { S.createTables = e.target.checked; } }),
        ' create missing tables on deploy'),
      field('Buckets', S, 'buckets', 'number', { placeholder: 'from size', min: 1, max: 64 }),
      h('label', { for: 'properties' }, 'Properties (k=v lines)'), props),
    dbList, h('div', { class: 'actions' }, h('button', { id: 'target-test', onclick: (e) => test(e.target) }, 'Test connection'),
      h('button', { onclick: () => go(2) }, 'Back'), next), st.el, result);
}

// --- step 4: mapping ------------------------------------------------------------------------
async function runPreview(st, btn) {
  let body;
  try { body = requestBody('sync'); } catch (e) { st.error(e); return null; }
  if (btn) btn.disabled = true;
  st.busy('Generating DDL and job…');
  try {
    const r = await api('POST', '/console/preview', body);
    st.clear();
    S.preview = r;
    S.needMergeKey = S.needMergeKey && S.mergeKey !== 'ask';
    return r;
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && e.body?.decision === 'merge_key') {
      S.needMergeKey = true;
      // the server's advice names sluice generate's flag; here the choice is the box above
      e.errors = e.errors.map((m) => m.replace(/; choose --merge-key .*$/, ''));
    }
    st.error(e);
    return null;
  } finally { if (btn) btn.disabled = false; }
}

function stepMapping(card) {
  const st = statusBox();
  const us = units();
  const mergeBox = h('div', { id: 'merge-key' });
  const renderMerge = () => {
    if (!S.needMergeKey) { mergeBox.replaceChildren(); return; }
    const opt = (v, text) => h('label', { style: 'display:block' }, h('input', { type: 'radio', name: 'merge', value: v, checked: S.mergeKey === v,
      onchange: () => { S.mergeKey = v; } }), ' ', text);
    mergeBox.replaceChildren(h('div', { class: 'card' }, h('b', {}, 'The merged shards can share key values. Choose:'),
      opt('add-source', 'add-source: add the source database and table to the primary key (no row overwrites another)'),
      opt('accept', 'accept: keep the key as is (rows with the same key overwrite each other)')));
  };
  const rows = us.map((u) => h('tr', {},
    h('td', {}, u.kind === 'group' ? h('span', {}, h('b', {}, 'group '), h('code', {}, u.regex), h('br'), h('span', { class: 'muted' }, u.members.join(', '))) : u.key),
    h('td', {}, h('input', { type: 'text', 'data-target-for': u.key, value: S.names[u.key] || u.def, oninput: (e) => { S.names[u.key] = e.target.value; } })),
    h('td', {}, u.pk.join(', '))));
  const next = h('button', { class: 'primary', id: 'next', onclick: async (e) => {
    if (S.needMergeKey && S.mergeKey === 'ask') { st.error(new Error('Choose how to merge the shards\' keys.')); return; }
    const r = await runPreview(st, e.target);
    renderMerge();
    if (r) go(5);
  } }, 'Next');
  renderMerge();
  card.append(h('h2', {}, 'Mapping'),
    h('table', {}, h('tr', {}, h('th', {}, 'source'), h('th', {}, 'target table'), h('th', {}, 'primary key')), rows),
    h('div', { class: 'form', style: 'margin-top:12px' }, field('Job name', S, 'name')),
    mergeBox, h('div', { class: 'actions' }, h('button', { onclick: () => go(3) }, 'Back'), next), st.el);
}

// --- step 5: review -------------------------------------------------------------------------
function stepReview(card) {
  const st = statusBox();
  const out = h('div', { id: 'review' });
  const render = (p) => {
    const ddl = h('pre', { id: 'ddl' }, p.ddl || '');
    const copy = h('button', { id: 'copy-ddl', onclick: async () => {
      try { await navigator.clipboard.writeText(p.ddl || ''); copy.textContent = 'Copied'; } catch {
        const r = document.createRange(); r.selectNodeContents(ddl);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); copy.textContent = 'Selected: press Ctrl+C';
      }
    } }, 'Copy DDL');
    out.replaceChildren(
      (p.warnings || []).length ? h('div', { class: 'card', id: 'warnings' }, h('b', { class: 'warn' }, `Warnings (${p.warnings.length}): what the type mapping loses or changes`),
        h('ul', {}, p.warnings.map((w) => h('li', {}, w)))) : h('p', { class: 'good', id: 'warnings' }, 'No lossy mappings.'),
      (p.notes || []).length ? h('details', {}, h('summary', {}, `Notes (${p.notes.length})`), h('ul', {}, p.notes.map((n) => h('li', {}, n)))) : null,
      h('h2', {}, 'Job graph'), h('div', { class: 'card', id: 'graph', style: 'overflow:auto' }, drawGraph(p.job)),
      h('div', { class: 'grid2' },
        h('div', {}, h('h2', {}, 'StarRocks DDL ', copy), ddl),
        h('div', {}, h('h2', {}, 'Job JSON'), h('pre', { id: 'job-json' }, JSON.stringify(p.job, null, 2)))));
  };
  const act = (label, id, fn, cls) => h('button', { id, class: cls, onclick: async (e) => { await fn(e.target); } }, label);
  const createTables = act('Create tables', 'create-tables-btn', (btn) => withBusy(btn, st, 'Creating tables…', async () => {
    const r = await api('POST', '/console/create-tables', requestBody('sync'));
    return r;
  }).then((r) => { if (r) st.ok(`Created: ${(r.created || []).join(', ') || 'none'}; already there: ${(r.skipped || []).join(', ') || 'none'}`); }));
  const deploy = (mode) => async (btn) => {
    const r = await withBusy(btn, st, mode === 'snapshot' ? 'Starting the full import…' : 'Deploying…', () => api('POST', '/console/deploy', requestBody(mode)));
    if (r && r.jobid) location.hash = `#/jobs/${r.jobid}`;
  };
  card.append(h('h2', {}, 'Review'), out,
    h('div', { class: 'actions' }, h('button', { onclick: () => go(4) }, 'Back'), createTables,
      act('Deploy real-time sync', 'deploy', deploy('sync'), 'primary'),
      act('Full import', 'full-import', deploy('snapshot'))), st.el);
  if (S.preview) render(S.preview);
  else runPreview(st, null).then((p) => { if (p) render(p); });
}

export function renderWizard(main, step) {
  if (step < 1 || step > 5) step = 1;
  // a step needs the ones before it (e.g. after a reload)
  if (step > 1 && !S.sourceInfo) { go(1); return null; }
  if (step > 2 && !S.selected.size) { go(2); return null; }
  if (step > 3 && !S.targetInfo) { go(3); return null; }
  const card = h('div', { class: 'card' });
  main.replaceChildren(h('h1', {}, 'New MySQL → StarRocks sync'), stepper(step), card);
  [stepSource, stepTables, stepTarget, stepMapping, stepReview][step - 1](card);
  return null;
}
