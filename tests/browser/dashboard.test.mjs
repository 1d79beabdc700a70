// dashboard.test.mjs — drives the dashboard in Debian's Chromium (playwright-core): log in with
// the token, start a session with the script provider, watch streamed text and a denied tool
// call rendered as a card, then find the same call on the audit page. Screenshots go to
// $SHOTS. Prints "N passed, N failed".
import { chromium } from 'playwright-core';

const url = process.env.BOXAGENT_URL, token = process.env.BOXAGENT_TOKEN, shots = process.env.SHOTS;
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) passed++; else { failed++; console.log(`FAIL ${name} ${detail}`); }
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  // Expected HTTP errors (401 before login, 400 for the invalid edit) are not page errors.
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });

  await page.goto(url + '/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  check('login form shown', await page.isVisible('#login-token'));
  await page.fill('#login-token', 'not-the-token');
  await page.click('#login-form button');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
  check('bad token refused', (await page.textContent('#login-error')).includes('not valid'));
  await page.fill('#login-token', token);
  await page.click('#login-form button');
  await page.waitForSelector('#app:not([hidden])');
  check('logged in', await page.isVisible('.sidebar'));
  const cookies = await page.context().cookies();
  const c = cookies.find(x => x.name === 'boxagent_session');
  check('session cookie HttpOnly+Strict', c && c.httpOnly && c.sameSite === 'Strict', JSON.stringify(c));

  await page.waitForSelector('#new-session');
  await page.selectOption('#new-session select[name=agent]', 'demo');
  await page.fill('#new-session input[name=title]', 'browser test');
  await page.click('#new-session button');
  await page.waitForSelector('#prompt');
  await page.fill('#prompt', 'Summarise docs/readme.txt');
  await page.press('#prompt', 'Enter');

  await page.waitForSelector('.tool.denied', { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'idle', null, { timeout: 30000 });
  const text = await page.textContent('#messages');
  check('streamed text rendered', text.includes('The file says hello'), text.slice(0, 300));
  check('allowed tool card', (await page.locator('.tool:not(.denied) .badge.allowed').count()) >= 1);
  const denied = page.locator('.tool.denied').first();
  check('denied badge', (await denied.locator('.badge').textContent()) === 'denied');
  await denied.locator('summary').click();
  const card = await denied.textContent();
  check('denied card shows the reason', /denied/.test(card) && card.includes('/etc/shadow'), card.slice(0, 300));
  await page.screenshot({ path: `${shots}/chat.png`, fullPage: false });

  await page.click('a[data-page=audit]');
  await page.waitForSelector('#chain');
  check('audit chain verified badge', (await page.textContent('#chain')).includes('verified'));
  const rows = await page.locator('table tbody tr').allTextContents();
  check('audit shows the denied call', rows.some(r => r.includes('read_file') && r.includes('denied') && r.includes('/etc/shadow')),
        rows.slice(0, 3).join(' | '));
  await page.screenshot({ path: `${shots}/audit.png` });

  await page.click('a[data-page=agents]');
  await page.waitForSelector('[data-edit=demo]');
  check('agents page lists caps', (await page.textContent('main')).includes('read:.'));
  await page.click('[data-edit=demo]');
  await page.fill('#agent-form textarea', 'teleport:/');
  await page.click('#agent-form button');
  await page.waitForFunction(() => document.querySelector('#agent-msg')?.textContent.length > 0);
  check('invalid capability refused in the UI', (await page.textContent('#agent-msg')).length > 0);
  await page.screenshot({ path: `${shots}/agents.png` });

  await page.click('a[data-page=usage]');
  await page.waitForSelector('.stat');
  check('usage shows tool calls', (await page.textContent('main')).includes('tool calls'));
  check('no page errors', errors.length === 0, errors.join('; '));
} catch (e) {
  failed++;
  console.log('FAIL exception', e.message);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
