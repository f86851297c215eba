// mock_sluiced.mjs: a stand-in for sluiced's console API (fake data) to develop the page without
// a MariaDB or a daemon:  node tests/e2e/web/mock_sluiced.mjs [PORT] [WEB_DIR]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const port = Number(process.argv[2] || 8089);
const webDir = process.argv[3] || new URL('../../../web/', import.meta.url).pathname;
const jobs = new Map();
const send = (res, code, obj) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(obj)); };
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

const catalog = {
  databases: [
    { name: 'webshop', tables: [
      { name: 'customers', rows: 1200, primary_key: ['id'], columns: [{ name: 'id', type: 'int', nullable: false, key: 'PRI' }, { name: 'name', type: 'varchar(64)', nullable: true, key: '' }] },
      { name: 'orders', rows: 50000, primary_key: ['id'], columns: [{ name: 'id', type: 'bigint', nullable: false, key: 'PRI' }, { name: 'note', type: 'text', nullable: true, key: '' }] }] },
    { name: 'shard_1', tables: [{ name: 'events', rows: 10, primary_key: ['id'], columns: [{ name: 'id', type: 'int', nullable: false, key: 'PRI' }] }] },
    { name: 'shard_2', tables: [{ name: 'events', rows: 12, primary_key: ['id'], columns: [{ name: 'id', type: 'int', nullable: false, key: 'PRI' }] }] }],
  groups: [{ pattern: 'shard_[0-9]+\\.events', target: 'events', members: ['shard_1.events', 'shard_2.events'] }],
};

function jobFrom(b) {
  return { name: b.mode === 'snapshot' ? `${b.name}-full-import` : b.name, checkpoint: { interval: '10s' },
    operators: [
      { id: 'source', type: 'mysql_cdc', config: { hostname: b.source.host, password: '***', tables: b.tables.join(',') } },
      { id: 'route', type: 'route', inputs: ['source'], config: { routes: b.routes } },
      { id: 'sink', type: 'starrocks', inputs: [{ from: 'route', distribution: 'hash' }], config: { password: '***' } }] };
}

function console_(p, b, res) {
  if (p === '/console/mysql/test') {
    if (b.password !== 'sluice-pw') return send(res, 422, { errors: [`Access denied for user '${b.user}'@'127.0.0.1' (using password: YES)`] });
    return send(res, 200, { ok: true, version: '10.11.6-MariaDB', binlog: { log_bin: 'ON', binlog_format: 'MIXED', binlog_row_image: 'FULL', ok: false, problems: ['binlog_format is MIXED, not ROW'] } });
  }
  if (p === '/console/mysql/tables') return send(res, 200, catalog);
  if (p === '/console/starrocks/test') {
    if (b.password !== 'sr-pw') return send(res, 422, { errors: ['Access denied for user root'] });
    return send(res, 200, { ok: true, version: '3.2.0 (sr-endpoint)', databases: ['dw'] });
  }
  if (p === '/console/preview') {
    if (b.routes?.some((r) => r.target === 'events') && b.merge_key === 'ask') return send(res, 409, { errors: ['shard_1.events and shard_2.events can share key values; choose merge_key'], decision: 'merge_key' });
    return send(res, 200, { ddl: 'CREATE TABLE `dw`.`customers` (\n  `id` INT NOT NULL\n) PRIMARY KEY (`id`) DISTRIBUTED BY HASH(`id`) BUCKETS 1;', job: jobFrom(b), warnings: ['webshop.orders.note: TEXT holds up to 65535 bytes; STRING up to 1048576'], notes: ['replication_num=1'] });
  }
  if (p === '/console/create-tables') return send(res, 200, { created: ['dw.customers'], skipped: [] });
  if (p === '/console/deploy') return submit(jobFrom(b), res);
  send(res, 404, { errors: [`not found: POST ${p}`] });
}

function submit(job, res) {
  const id = crypto.randomBytes(16).toString('hex');
  jobs.set(id, { id, job, state: 'RUNNING', start: Date.now(), rows: 0, sp: 0, triggers: new Map() });
  send(res, 202, { jobid: id });
}

setInterval(() => {
  for (const j of jobs.values()) {
    if (j.state === 'RUNNING') j.rows += 100 + Math.floor(Math.random() * 50);
    if (j.state === 'RUNNING' && j.job.name.endsWith('-full-import') && Date.now() - j.start > 3000) j.state = 'FINISHED';
  }
}, 500);

function jobApi(req, p, b, res) {
  if (p === '/jobs/overview') return send(res, 200, { jobs: [...jobs.values()].map((j) => ({ jid: j.id, name: j.job.name, state: j.state, 'start-time': j.start, 'end-time': -1, duration: Date.now() - j.start, restarts: 0 })) });
  if (p === '/jobs' && req.method === 'POST') { const { savepoint, ...job } = b; if (JSON.stringify(job).includes('***')) return send(res, 400, { errors: ['password is ***'] }); return submit(job, res); }
  const m = p.match(/^\/jobs\/([0-9a-f]{32})(\/.*)?$/);
  const j = m && jobs.get(m[1]);
  if (!j) return send(res, 404, { errors: ['no such job'] });
  const rest = m[2] || '';
  if (rest === '' && req.method === 'PATCH') { j.state = 'CANCELED'; return send(res, 202, {}); }
  if (rest === '') return send(res, 200, { jid: j.id, name: j.job.name, state: j.state, 'start-time': j.start, duration: Date.now() - j.start, restarts: 0, 'restored-checkpoint': null, 'last-failure': null,
    vertices: j.job.operators.map((o) => ({ id: o.id, type: o.type, parallelism: 1, metrics: { 'read-records': j.rows } })), job: JSON.parse(JSON.stringify(j.job).replace(/"password":"[^"]*"/g, '"password":"***"')) });
  if (rest === '/metrics') {
    const done = Math.min(4, Math.floor((Date.now() - j.start) / 1500));
    return send(res, 200, { series: [{ name: 'sluice_records_out_total', labels: { vertex: 'sink', subtask: '0' }, value: j.rows },
      { name: 'sluice_mysql_cdc_lag_ms', labels: {}, value: Math.floor(Math.random() * 300) },
      { name: 'sluice_mysql_cdc_snapshot_splits_done', labels: { table: 'webshop.customers' }, value: done },
      { name: 'sluice_mysql_cdc_snapshot_splits_total', labels: { table: 'webshop.customers' }, value: 4 },
      { name: 'sluice_mysql_cdc_snapshot_rows_total', labels: { table: 'webshop.customers' }, value: done * 300 }] });
  }
  if (rest === '/checkpoints') return send(res, 200, { counts: { completed: 3, failed: 0, in_progress: 0, total: 3 }, latest: { completed: { id: 3, trigger_timestamp: Date.now() - 2000, end_to_end_duration: 12, state_size: 4096 }, savepoint: null, failed: null, restored: null }, history: [] });
  if (rest === '/savepoints' || rest === '/stop') {
    const t = crypto.randomBytes(16).toString('hex');
    j.triggers.set(t, `/tmp/mock/jobs/${j.id}/savepoints/savepoint-${++j.sp}`);
    if (rest === '/stop') j.state = 'FINISHED';
    return send(res, 202, { 'request-id': t });
  }
  const s = rest.match(/^\/savepoints\/([0-9a-f]{32})$/);
  if (s) return send(res, 200, { status: { id: 'COMPLETED' }, operation: { location: j.triggers.get(s[1]) } });
  send(res, 404, { errors: ['not found'] });
}

http.createServer((req, res) => {
  const p = new URL(req.url, 'http://x').pathname;
  if (req.method === 'GET' && (p === '/' || p.startsWith('/web/'))) {
    const f = path.join(webDir, p === '/' ? 'index.html' : path.basename(p));
    return fs.readFile(f, (err, data) => {
      if (err) { res.writeHead(404); return res.end('not found'); }
      res.writeHead(200, { 'Content-Type': types[path.extname(f)] || 'application/octet-stream' });
      res.end(data);
    });
  }
  let raw = '';
  req.on('data', (c) => { raw += c; });
  req.on('end', () => {
    let b = {};
    try { b = raw ? JSON.parse(raw) : {}; } catch { return send(res, 400, { errors: ['malformed JSON'] }); }
    if (p.startsWith('/console/')) return console_(p, b, res);
    jobApi(req, p, b, res);
  });
}).listen(port, '127.0.0.1', () => console.log(`mock sluiced on http://127.0.0.1:${port}/`));
