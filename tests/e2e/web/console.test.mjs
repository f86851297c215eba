// console.test.mjs: walks the web console in Debian's chromium (playwright-core, no download).
// Environment (run.sh sets it): BASE (console URL), SRC_HOST/PORT/USER/PASSWORD, SR_HOST,
// SR_HTTP_PORT, SR_QUERY_PORT, SR_USER, SR_PASSWORD, SR_DATABASE, SQL_CMD (a shell command that
// reads SQL on stdin, run against the source; empty = mock run, no data checks), SHOTS (dir).
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const E = process.env;
const shots = E.SHOTS || 'web-screenshots';
fs.mkdirSync(shots, { recursive: true });
const errors = [];
let step = 0;
const log = (m) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const sql = (q) => execSync(E.SQL_CMD, { input: q, encoding: 'utf8' });

const browser = await chromium.launch({ executablePath: E.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
// The page runs under the daemon's Content-Security-Policy: first load it as a user does and see
// it render with no violation; the walk below bypasses the CSP because playwright's
// waitForFunction evaluates strings in the page, which 'script-src self' rightly forbids.
{
  const strict = await browser.newPage();
  const violations = [];
  strict.on('console', (m) => { if (m.type() === 'error') violations.push(m.text()); });
  strict.on('pageerror', (e) => violations.push(e.message));
  await strict.goto(E.BASE);
  await strict.waitForSelector('#source-test');
  await strict.close();
  if (violations.length) { console.error(`FAIL: errors under the CSP:\n${violations.join('\n')}`); process.exit(1); }
  log('page renders under its Content-Security-Policy');
}
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`console: ${m.text()}`); });
page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
page.setDefaultTimeout(30000);

async function shot(name) {
  const f = `${shots}/${String(++step).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: f, fullPage: true });
  log(`screenshot ${f}`);
}
async function fill(label, value) { await page.getByLabel(label, { exact: true }).fill(String(value)); }
async function expectError(re) {
  const box = page.locator('.status.error');
  await box.first().waitFor();
  const text = await box.first().innerText();
  if (!re.test(text)) throw new Error(`error box "${text}" does not match ${re}`);
  log(`error shown: ${text.replace(/\n/g, ' ')}`);
}

try {
  // 1. source: a wrong password first
  await page.goto(E.BASE);
  await page.waitForSelector('#source-test');
  await fill('Host', E.SRC_HOST); await fill('Port', E.SRC_PORT); await fill('User', E.SRC_USER);
  if (E.TOKEN) { // the daemon has --token-file: API calls fail until the header holds the token
    await fill('Password', E.SRC_PASSWORD);
    await page.click('#source-test');
    await expectError(/token/i);
    await shot('no-token');
    await page.fill('#token', E.TOKEN);
    await page.dispatchEvent('#token', 'change');
    await page.waitForSelector('#source-test');
    await fill('Host', E.SRC_HOST); await fill('Port', E.SRC_PORT); await fill('User', E.SRC_USER);
  }
  await fill('Password', 'wrong-password');
  await page.click('#source-test');
  await expectError(/denied|password|auth/i);
  await shot('source-wrong-password');
  await fill('Password', E.SRC_PASSWORD);
  if (E.NOBINLOG_PORT) { // a server with the binary log off: connected, but not ready for CDC
    await fill('Port', E.NOBINLOG_PORT);
    await page.click('#source-test');
    await page.waitForSelector('#source-result .problems li');
    const text = await page.locator('#source-result').innerText();
    if (!/log_bin is OFF/.test(text)) throw new Error(`binlog-off server: "${text}"`);
    log(`binlog off shown: ${text.replace(/\n/g, ' ').slice(0, 160)}`);
    await shot('source-binlog-off');
    await fill('Port', E.SRC_PORT);
  }
  await page.click('#source-test');
  await page.waitForSelector('#source-result td.good'); // ready for CDC: yes
  await shot('source-ok');
  await page.click('#next');
  await page.waitForURL(/#\/wizard\/2$/);

  // 2. tables: pick by checkbox and by pattern; the shard group selects its members
  await page.waitForSelector('[data-table="webshop.customers"]');
  await page.check('[data-table="webshop.customers"]');
  await page.fill('#pattern', 'webshop\\.orders');
  await page.click('#select-pattern');
  await page.waitForFunction(() => document.querySelector('[data-table="webshop.orders"]')?.checked);
  const group = page.locator('[data-group]');
  if (await group.count()) {
    await group.first().check();
    log(`shard group selected: ${await group.first().getAttribute('data-group')}`);
  }
  // the column picker of customers (collapsed by default): leave email out
  await page.locator('tr', { has: page.locator('[data-table="webshop.customers"]') }).locator('button', { hasText: /^columns/ }).click();
  const email = page.locator('[data-column="webshop.customers.email"]');
  if (await email.count()) await email.uncheck();
  await shot('tables');
  await page.click('#next');
  await page.waitForURL(/#\/wizard\/3$/);

  // 3. target: a wrong password first
  await fill('FE host', E.SR_HOST); await fill('HTTP port', E.SR_HTTP_PORT); await fill('Query port', E.SR_QUERY_PORT);
  await fill('User', E.SR_USER); await fill('Password', 'wrong-password');
  await page.click('#target-test');
  await expectError(/denied|password|auth|401|403/i);
  await shot('target-wrong-password');
  await fill('Password', E.SR_PASSWORD);
  await fill('Database', E.SR_DATABASE);
  await page.click('#target-test');
  await page.waitForSelector('#target-result .good');
  await shot('target-ok');
  await page.click('#next');
  await page.waitForURL(/#\/wizard\/4$/);

  // 4. mapping: rename customers; a 409 asks for the merge key
  await page.fill('[data-target-for="webshop.customers"]', 'customers_dim');
  await shot('mapping');
  await page.click('#next');
  await Promise.race([page.waitForURL(/#\/wizard\/5$/), page.waitForSelector('#merge-key input[value="add-source"]'),
    page.waitForSelector('.status.error')]);
  if (await page.locator('.status.error').count() && !(await page.locator('#merge-key input').count())) {
    throw new Error(`preview: ${await page.locator('.status.error').innerText()}`);
  }
  if (!/#\/wizard\/5$/.test(page.url())) {
    await shot('mapping-merge-key');
    await page.check('#merge-key input[value="add-source"]');
    await page.click('#next');
    await page.waitForURL(/#\/wizard\/5$/);
  }

  // 5. review: DDL, job JSON, graph; create tables, deploy
  await page.waitForSelector('#ddl');
  await page.waitForSelector('#graph svg rect');
  const ddl = await page.locator('#ddl').innerText();
  const jobJson = await page.locator('#job-json').innerText();
  if (!/CREATE TABLE/i.test(ddl)) throw new Error('no DDL');
  if (E.SQL_CMD && /email/.test(ddl)) throw new Error('the DDL keeps the column left out (email)');
  if (jobJson.includes(E.SRC_PASSWORD) || jobJson.includes(E.SR_PASSWORD)) throw new Error('the job JSON shows a password');
  await shot('review');
  await page.click('#create-tables-btn');
  await page.waitForSelector('.status.ok, .status.error');
  log(`create tables: ${await page.locator('.status').last().innerText()}`);
  await page.click('#deploy');
  await page.waitForURL(/#\/jobs\/[0-9a-f]{32}$/);
  const jobId = page.url().split('/').pop();
  log(`deployed ${jobId}`);

  // job page: the snapshot completes
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-snapshot-table]')];
    return rows.length > 0 && rows.every((r) => r.dataset.complete === 'yes');
  }, null, { timeout: 120000 });
  await page.waitForFunction(() => document.querySelector('#job-state')?.textContent === 'RUNNING');
  await shot('job-snapshot-complete');
  const rowsNow = async () => Number((await page.locator('#rows-total').innerText()).replace(/\D/g, ''));

  // changes in the source move the counts
  const before = await rowsNow();
  if (E.SQL_CMD) {
    let q = '';
    for (let i = 0; i < 200; i++) q += `INSERT INTO webshop.orders (customer_id, amount) VALUES (${1 + (i % 20)}, ${i}.50);\n`;
    q += 'UPDATE webshop.customers SET name = CONCAT(name, \'!\') WHERE id <= 5;\n';
    sql(q);
  }
  await page.waitForFunction((b) => Number(document.querySelector('#rows-total').textContent.replace(/\D/g, '')) > b, before, { timeout: 60000 });
  log(`rows through the sink: ${before} -> ${await rowsNow()}`);
  await page.waitForTimeout(2500); // a few chart points
  await shot('job-live');

  // savepoint, then stop with a savepoint, then resume with the passwords
  await page.click('#savepoint');
  await page.waitForSelector('.status.ok:has-text("Savepoint written")', { timeout: 120000 });
  await page.click('#stop');
  await page.waitForSelector('.status.ok:has-text("Savepoint written")', { timeout: 120000 });
  const location = (await page.locator('.status.ok').first().innerText()).replace(/^.*Savepoint written: /, '').trim();
  log(`stopped with savepoint ${location}`);
  await page.waitForFunction(() => document.querySelector('#job-state')?.textContent !== 'RUNNING', null, { timeout: 60000 });
  await page.click('#resume-open');
  await page.waitForSelector('#resume-savepoint');
  if ((await page.inputValue('#resume-savepoint')) !== location) throw new Error('resume form lacks the savepoint');
  const pw = page.locator('#resume input[type=password]');
  const n = await pw.count();
  for (let i = 0; i < n; i++) {
    const p = await pw.nth(i).getAttribute('data-path');
    const ops = JSON.parse(jobJson).operators || [];
    const type = ops[Number(p.split('.')[1])]?.type || '';
    await pw.nth(i).fill(/mysql/.test(type) ? E.SRC_PASSWORD : E.SR_PASSWORD);
  }
  log(`resume asks for ${n} password(s)`);
  await shot('resume-form');
  await page.click('#resume-submit');
  await page.waitForURL((u) => /#\/jobs\/[0-9a-f]{32}$/.test(u.hash) && !u.hash.endsWith(jobId));
  await page.waitForFunction(() => document.querySelector('#job-state')?.textContent === 'RUNNING', null, { timeout: 60000 });
  if (E.SQL_CMD) sql('INSERT INTO webshop.orders (customer_id, amount) VALUES (1, 1.00), (2, 2.00);\n');
  await page.waitForTimeout(3000);
  await shot('job-resumed');

  // a bounded Full import from the same wizard state (hash navigation keeps it)
  await page.evaluate(() => { location.hash = '#/wizard/5'; });
  await page.waitForSelector('#full-import');
  await page.click('#full-import');
  await page.waitForURL((u) => /#\/jobs\/[0-9a-f]{32}$/.test(u.hash));
  await page.waitForFunction(() => /full-import$/.test(document.querySelector('#job-name')?.textContent || ''));
  await page.waitForFunction(() => document.querySelector('#job-state')?.textContent === 'FINISHED', null, { timeout: 120000 });
  await shot('full-import-finished');

  await page.evaluate(() => { location.hash = '#/jobs'; });
  await page.waitForSelector('#jobs tr[data-jid]');
  await page.waitForTimeout(2200); // one refresh
  if ((await page.locator('#jobs tr[data-jid]').count()) < 3) throw new Error('the jobs list lacks jobs');
  const sunk = await page.$$eval('#jobs td[data-rows]', (tds) => tds.map((t) => Number(t.dataset.rows)));
  if (!sunk.some((n) => n > 0)) throw new Error(`the jobs list shows no rows into the sink: ${sunk}`);
  await shot('jobs-list');
  if (errors.length) throw new Error(`browser errors:\n${errors.join('\n')}`);
  log('PASS');
} catch (e) {
  await shot('failure').catch(() => {});
  console.error(`FAIL: ${e.stack || e}`);
  if (errors.length) console.error(errors.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}
