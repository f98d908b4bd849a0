// deskbell's real-browser tests: one story (issue item 7) told in headless Chromium against a
// running deskbell. Started by scripts/browser-tests.sh, which starts the server on a throwaway
// database, creates the first administrator and an API token, and passes them here:
//
//   DESKBELL_URL          the server, e.g. http://127.0.0.1:41234
//   DESKBELL_TOKEN        an API token of the administrator (scopes read write admin)
//   DESKBELL_ADMIN_EMAIL  the administrator's login, DESKBELL_ADMIN_PASSWORD its password
//   SCREENSHOT_DIR        where the screenshots go (created if missing)
//   CHROMIUM              the browser binary (default /usr/bin/chromium)
//
// The rest of the scenario is seeded through the REST API (the first step). A tiny runner
// prints each step, stops at the first failure with the reason and a screenshot of the page
// that failed (FAILED-*.png), and ends with the plain line "N passed, N failed".
//
// Every page visited is watched: a console error, an uncaught exception or a
// Content-Security-Policy violation fails the step that caused it. Locators go by label and
// role wherever a page offers them, which also proves that its inputs are labelled.

import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = need('DESKBELL_URL').replace(/\/$/, '');
const TOKEN = need('DESKBELL_TOKEN');
const ADMIN = { email: need('DESKBELL_ADMIN_EMAIL'), password: need('DESKBELL_ADMIN_PASSWORD') };
const SHOTS = process.env.SCREENSHOT_DIR || 'target/browser-tests/screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 10_000;

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`run.mjs: ${name} is not set (start the tests with scripts/browser-tests.sh)`);
    process.exit(2);
  }
  return v;
}

// ------------------------------------------------------------------------------- the runner

const steps = [];
const step = (name, fn) => steps.push({ name, fn });

class Failure extends Error {}
function check(cond, message) {
  if (!cond) throw new Failure(message);
}

// Pages opened so far; the last one used is the one photographed when a step fails.
const watched = [];
let current = null;
// Problems the watched pages reported during the running step, and ones it expects.
let problems = [];
let expected = [];

/** A new page in a fresh context (its own cookies: one person), watched for errors. */
async function openPage(browser, who, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'pl-PL' });
  context.setDefaultTimeout(TIMEOUT_MS);
  // Runs in every document before the page's own scripts: a CSP violation becomes an error on
  // the console, where the listener below sees it, whatever the browser logs by itself.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile || ''}:${e.lineNumber || ''})`);
    });
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const loc = msg.location();
    const where = loc && loc.url ? loc.url : page.url();
    // The browser asks for /favicon.ico by itself and deskbell has no icon: that 404 is not an
    // error of the page.
    if (/\/favicon\.ico$/.test(where)) return;
    if (expected.some((re) => re.test(text) || re.test(where))) return;
    problems.push(`[${who}] console error on ${page.url()}: ${text}${loc && loc.url ? ` (${loc.url})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`[${who}] uncaught exception on ${page.url()}: ${err.message}`));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) current = page;
  });
  watched.push(page);
  current = page;
  return page;
}

async function run() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Containers have a small /dev/shm; Chromium then crashes tabs without this.
    args: ['--disable-dev-shm-usage'],
  });
  const started = Date.now();
  let passed = 0;
  let failed = 0;
  try {
    for (const [i, s] of steps.entries()) {
      const t0 = Date.now();
      problems = [];
      expected = [];
      try {
        await s.fn(browser);
        // Messages arrive asynchronously; give the last ones a moment to land.
        await new Promise((r) => setTimeout(r, 50));
        check(problems.length === 0, `the pages reported problems:\n  ${problems.join('\n  ')}`);
        passed++;
        console.log(`ok ${i + 1} - ${s.name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`not ok ${i + 1} - ${s.name}`);
        console.log(`  ${(e instanceof Failure ? e.message : e.stack || String(e)).split('\n').join('\n  ')}`);
        if (problems.length && !(e instanceof Failure)) console.log(`  the pages also reported:\n    ${problems.join('\n    ')}`);
        if (current && current.isClosed()) current = watched.filter((p) => !p.isClosed()).pop() || null;
        if (current) {
          const file = join(SHOTS, `FAILED-${String(i + 1).padStart(2, '0')}.png`);
          try {
            await current.screenshot({ path: file, fullPage: true });
            console.log(`  page: ${current.url()}\n  screenshot: ${file}`);
          } catch (err) {
            console.log(`  (no screenshot: ${err.message})`);
          }
        }
        break;
      }
    }
  } finally {
    await browser.close();
    smtp.close();
  }
  console.log(`\n${steps.length - passed - failed} not run, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed || passed !== steps.length ? 1 : 0;
}

// ------------------------------------------------------------------------------- helpers

/** A call of the REST API as the administrator; the answer's JSON, or a clear failure. */
async function api(method, path, body) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  check(res.ok, `${method} /api/v1${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Closes a person's browser, once its pages have reported no problem (while it can still be photographed). */
async function done(page) {
  await new Promise((r) => setTimeout(r, 50));
  check(problems.length === 0, `the pages reported problems:\n  ${problems.join('\n  ')}`);
  await page.context().close();
}

/** A full-page screenshot of the page as it is now. */
async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function goto(page, path) {
  const res = await page.goto(`${BASE}${path}`);
  check(res, `no answer for ${path}`);
  return res;
}

/** Logs in through the login form, as a person would. */
async function login(page, who) {
  await goto(page, '/login');
  await page.getByLabel('Adres e-mail').fill(who.email);
  await page.getByLabel('Hasło').fill(who.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Zaloguj' }).click()]);
}

/** Clicks something that submits a form or follows a link, and waits for the next page. */
async function clickAndLoad(page, locator) {
  await Promise.all([page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }), locator.click()]);
  await page.waitForLoadState('load');
}

/** The header's language switch: choose a language, press its button. */
async function switchLanguage(page, languageLabel, optionLabel, buttonLabel) {
  await page.getByLabel(languageLabel, { exact: true }).selectOption({ label: optionLabel });
  await clickAndLoad(page, page.getByRole('button', { name: buttonLabel, exact: true }));
}

async function lang(page) {
  return page.evaluate(() => document.documentElement.lang);
}

async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/** No horizontal scrolling at the page's current width. */
async function noHorizontalScroll(page, what) {
  const { scroll, width, culprit } = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    // The widest element sticking out on the right, to name in the failure.
    let worst = null;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && (!worst || r.right > worst.right)) {
        worst = { right: Math.round(r.right), tag: el.tagName.toLowerCase(), id: el.id, cls: String(el.className) };
      }
    }
    return { scroll: document.documentElement.scrollWidth, width: window.innerWidth, culprit: worst };
  });
  check(
    scroll <= width + 1,
    `${what}: horizontal scrolling at ${width} px (scrollWidth ${scroll})` +
      (culprit ? `; widest element: <${culprit.tag}${culprit.id ? ` id=${culprit.id}` : ''}${culprit.cls ? ` class="${culprit.cls}"` : ''}> reaching ${culprit.right} px` : ''),
  );
}

// A throwaway SMTP server on loopback that keeps what it is sent: deskbell's "received" mail
// carries the secret tracking link, the only way to reach the tracking page.
const mails = [];
const smtp = createServer((sock) => {
  let buf = '';
  let data = null;
  const say = (l) => sock.write(`${l}\r\n`);
  say('220 sink.test ESMTP');
  sock.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    for (;;) {
      if (data !== null) {
        const end = buf.indexOf('\r\n.\r\n');
        if (end < 0) return;
        data += buf.slice(0, end);
        buf = buf.slice(end + 5);
        mails.push(data);
        data = null;
        say('250 2.0.0 kept');
        continue;
      }
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') sock.write('250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
      else if (verb === 'HELO') say('250 sink.test');
      else if (verb === 'DATA') {
        data = '';
        say('354 go on');
      } else if (verb === 'QUIT') {
        say('221 bye');
        sock.end();
      } else say('250 ok');
    }
  });
  sock.on('error', () => {});
});
smtp.unref();

/** The key of ticket `n`'s latest tracking link in the mail the sink was sent (a later mail
 * with a link, "resolved", replaces the key of the "received" one). */
function trackingKey(n) {
  const re = new RegExp(`/track/${n}\\?key=([A-Za-z0-9_-]+)`);
  for (const m of [...mails].reverse()) {
    // Quoted-printable (soft line breaks, =3D) and base64 parts are both possible.
    const qp = m.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    const b64 = (m.match(/^[A-Za-z0-9+/=]{20,}(?:\r\n[A-Za-z0-9+/=]{4,})*/gm) || []).map((b) => Buffer.from(b.replace(/\r\n/g, ''), 'base64').toString('latin1'));
    for (const t of [qp, ...b64, m]) {
      const hit = t.match(re);
      if (hit) return hit[1];
    }
  }
  return null;
}

// ------------------------------------------------------------------------------- the story

const people = {
  agent: { email: 'agent@deskbell.test', password: 'agent-pass-1', name: 'Adam Konsultant', role: 'agent' },
  reception: { email: 'recepcja@pod-rozami.test', password: 'recepcja-pass-1', name: 'Anna Recepcja', role: 'customer_user' },
  spa: { email: 'spa@pod-rozami.test', password: 'spa-pass-1', name: 'Ewa Spa', role: 'customer_user' },
  itAdmin: { email: 'it@pod-rozami.test', password: 'it-pass-1', name: 'Piotr Informatyk', role: 'customer_admin' },
  other: { email: 'recepcja@zdroj.test', password: 'zdroj-pass-1', name: 'Jan Zdrój', role: 'customer_user' },
};
const CRITICAL_SUBJECT = 'Nie drukują się paragony na recepcji';
const SPA_SUBJECT = 'Grafik zabiegów spa wyświetla się wolno';
const REPLY = 'Zrestartowaliśmy usługę drukowania; paragony drukują się ponownie.';
const CHECKS = {
  'Czy inne programy i urządzenia w hotelu działają prawidłowo?': 'tak',
  'Czy ostatnio była aktualizacja, zmiana konfiguracji albo podłączenie nowego urządzenia?': 'nie',
  'Czy internet, sieć i serwery działają poprawnie?': 'tak',
};
const state = {};

step('seed: organisations, product, 24/7 contract, mailbox, people (REST API)', async () => {
  await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
  const hotel = await api('POST', '/organisations', { name: 'Hotel Pod Różami', time_zone: 'Europe/Warsaw', phones: ['+48 12 345 67 89'] });
  const other = await api('POST', '/organisations', { name: 'Uzdrowisko Zdrój', time_zone: 'Europe/Warsaw', phones: ['+48 18 111 22 33'] });
  const product = await api('POST', '/products', { code: 'premiumhotel', name: 'PremiumHotel' });
  const calendars = await api('GET', '/calendars');
  const always = calendars.find((c) => c.id === 2);
  check(always && always.name === '24x7', `calendar 2 should be the built-in 24x7, is ${JSON.stringify(always)}`);
  await api('POST', '/contracts', {
    organisation_id: hotel.id,
    name: 'PremiumHotel 24/7',
    valid_from: '2026-01-01',
    product_ids: [product.id],
    calendar_id: always.id,
    targets: [
      { priority: 'critical', first_response_secs: 15 * 60, resolution_secs: 2 * 3600 },
      { priority: 'fault', first_response_secs: 3600, resolution_secs: 8 * 3600 },
    ],
  });
  await api('POST', '/mailboxes', {
    name: 'support',
    address: 'support@deskbell.test',
    display_name: 'deskbell support',
    imap: null,
    smtp: { host: '127.0.0.1', port: smtp.address().port, security: 'plain' },
  });
  for (const p of Object.values(people)) {
    const org = p.role === 'agent' ? null : p === people.other ? other.id : hotel.id;
    const made = await api('POST', '/people', { email: p.email, name: p.name, role: p.role, organisation_id: org, password: p.password, language: 'pl' });
    p.id = made.id;
  }
  state.product = product;
  // An older fault of the same hotel, so the at-risk queue has more than one row: the new
  // critical (15 min to the first response) must still come first.
  const fault = await api('POST', '/tickets', {
    subject: 'Raport obłożenia liczy się bardzo długo',
    body: 'Raport dzienny obłożenia generuje się kilka minut.',
    priority: 'fault',
    kind: 'incident',
    channel: 'api',
    requester_id: people.reception.id,
    product_id: product.id,
    local_it_checks: { other_systems_work: true, recent_changes: false, network_and_servers_work: true },
  });
  state.fault = fault.ticket.number;
});

step('g. the login page renders in Polish and its form works with the keyboard alone (Tab, Enter)', async (browser) => {
  const page = await openPage(browser, 'keyboard');
  await goto(page, '/login');
  check((await lang(page)) === 'pl', `the login page should be Polish by default, <html lang> is ${await lang(page)}`);
  await page.getByRole('heading', { name: 'Logowanie' }).waitFor();
  await shot(page, 'pl-login');
  // The e-mail field has autofocus; from there on only keys.
  check(await page.getByLabel('Adres e-mail').evaluate((el) => el === document.activeElement), 'the e-mail field should have the focus when the login page opens');
  await page.keyboard.type(people.agent.email);
  await page.keyboard.press('Tab');
  check(await page.getByLabel('Hasło').evaluate((el) => el === document.activeElement), 'Tab from the e-mail field should reach the password field');
  await page.keyboard.type(people.agent.password);
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/agent')), page.keyboard.press('Enter')]);
  await done(page);
});

step('a. reception submits a CRITICAL ticket with the three local-IT checks (help centre form)', async (browser) => {
  const page = (state.reception = await openPage(browser, 'reception'));
  await login(page, people.reception);
  check((await lang(page)) === 'pl', `the help centre should be Polish, <html lang> is ${await lang(page)}`);
  await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Nowe zgłoszenie' }).click();
  await page.getByRole('heading', { name: 'Nowe zgłoszenie' }).waitFor();
  await page.getByLabel('Temat').fill(CRITICAL_SUBJECT);
  await page.getByLabel('Program').selectOption({ label: 'PremiumHotel' });
  const checks = page.getByRole('group', { name: 'Najpierw sprawdź z lokalnym IT' });
  check(!(await checks.isVisible()), 'the local-IT checks should stay hidden until critical or fault is chosen');
  await page.getByRole('radio', { name: /^awaria/ }).check();
  await checks.waitFor({ state: 'visible' });
  for (const [question, answer] of Object.entries(CHECKS)) {
    await checks.getByRole('group', { name: question }).getByLabel(answer, { exact: true }).check();
  }
  await page.getByLabel('Uwagi do odpowiedzi').fill('Drukarka fiskalna jest włączona, sieć działa.');
  await page.getByLabel('Opis').fill('Od 7:00 żaden paragon nie wychodzi z drukarki na recepcji; goście czekają przy wymeldowaniu.');
  await shot(page, 'pl-help-new-filled');
  await Promise.all([page.waitForURL(/\/help\/tickets\/\d+/), page.getByRole('button', { name: 'Wyślij zgłoszenie' }).click()]);
  state.critical = Number(new URL(page.url()).pathname.split('/').pop());
  await page.getByRole('status').filter({ hasText: 'Zgłoszenie zostało przyjęte' }).waitFor();
  const facts = await text(page.locator('aside'));
  for (const question of Object.keys(CHECKS)) check(facts.includes(question), `the ticket page should show the answered check “${question}”; the aside reads: ${facts}`);
  check(facts.includes('awaria'), `the ticket should be critical (awaria); the aside reads: ${facts}`);
});

step('b. the agent finds it in the FIRST row of the at-risk queue with a running clock', async (browser) => {
  const page = (state.agent = await openPage(browser, 'agent'));
  await login(page, people.agent);
  await shot(page, 'pl-agent-queue');
  await page.getByRole('link', { name: 'Zagrożone SLA' }).click();
  await page.waitForURL(/queue=at_risk/);
  await page.getByRole('heading', { name: 'Zagrożone SLA' }).waitFor();
  const first = page.locator('#queue tbody tr').first();
  const row = await text(first);
  check((await page.locator('#queue tbody tr').count()) >= 2, 'the at-risk queue should list the older fault too');
  check(row.includes(`#${state.critical}`) && row.includes(CRITICAL_SUBJECT), `the first at-risk row should be #${state.critical}; it reads: ${row}`);
  const clock = first.locator('[data-clock-state]');
  check((await clock.getAttribute('data-clock-state')) === 'running', `the first row's clock should be running, is ${await clock.getAttribute('data-clock-state')} (${await text(clock)})`);
  await shot(page, 'pl-agent-at-risk');
});

step('g. keyboard on the queue: j selects the first row, Enter opens it; ? opens the shortcuts', async () => {
  const page = state.agent;
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Skróty klawiszowe' });
  await dialog.waitFor({ state: 'visible' });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await page.keyboard.press('j');
  const first = page.locator('#queue tbody tr').first();
  check(/\bselected\b/.test((await first.getAttribute('class')) || ''), 'j should give the first row the class “selected”');
  await Promise.all([page.waitForURL(new RegExp(`/agent/tickets/${state.critical}$`)), page.keyboard.press('Enter')]);
});

step('c. the agent sends a public reply and sets the status to resolved', async () => {
  const page = state.agent;
  await page.getByRole('heading', { name: `#${state.critical} ${CRITICAL_SUBJECT}` }).waitFor();
  const checks = await text(page.getByRole('region', { name: 'Sprawdzenia lokalnego IT' }));
  check(/tak.*nie.*tak/.test(checks) && checks.includes('Drukarka fiskalna'), `the agent should see the customer's three local-IT answers (tak, nie, tak) and the notes; the section reads: ${checks}`);
  await shot(page, 'pl-agent-ticket');
  const compose = page.locator('form', { has: page.getByLabel('Treść') });
  await compose.getByRole('radio', { name: 'odpowiedź', exact: true }).check();
  await compose.getByLabel('Treść').fill(REPLY);
  await compose.getByLabel('Następnie zmień status').selectOption({ label: 'rozwiązane' });
  await clickAndLoad(page, compose.getByRole('button', { name: 'Wyślij' }));
  await page.locator('article', { hasText: REPLY }).waitFor();
  const badges = await text(page.locator('main > p.row'));
  check(badges.includes('rozwiązane'), `the ticket should now be resolved; its badges read: ${badges}`);
});

step('d. the customer sees the reply, confirms the solution, and the ticket is closed', async () => {
  const page = state.reception;
  await goto(page, `/help/tickets/${state.critical}`);
  await page.locator('article', { hasText: REPLY }).waitFor();
  await page.getByRole('heading', { name: 'Czy problem został rozwiązany?' }).waitFor();
  await shot(page, 'pl-help-ticket-resolved');
  await clickAndLoad(page, page.getByRole('button', { name: 'Potwierdzam rozwiązanie' }));
  await page.getByText('Zgłoszenie jest zamknięte.', { exact: true }).waitFor();
  const badges = await text(page.locator('.help-ticket > p.row'));
  check(badges.includes('zamknięte'), `the status badge should read zamknięte (closed); it reads: ${badges}`);
  await shot(page, 'pl-help-ticket-closed');
});

step('the tracking link of the latest mail shows the ticket without an account', async (browser) => {
  for (let i = 0; i < 50 && !trackingKey(state.critical); i++) await new Promise((r) => setTimeout(r, 200));
  const key = trackingKey(state.critical);
  check(key, `no tracking link for #${state.critical} arrived by mail (${mails.length} mails kept by the SMTP sink)`);
  const page = await openPage(browser, 'tracking');
  const res = await goto(page, `/track/${state.critical}?key=${key}`);
  check(res.status() === 200, `the tracking page answered ${res.status()}`);
  await page.getByRole('heading', { name: new RegExp(CRITICAL_SUBJECT) }).waitFor();
  const body = await text(page.locator('main'));
  check(!body.includes('Czy internet, sieć i serwery'), 'the tracking page should not show the local-IT answers');
  await shot(page, 'pl-track');
  expected = [/status of 404/];
  const wrong = await goto(page, `/track/${state.critical}?key=${key.slice(0, -2)}xx`);
  check(wrong.status() === 404, `a wrong tracking key should be 404, was ${wrong.status()}`);
  await done(page);
});

step('e. the customer admin sees the spa colleague\'s ticket; reception and another hotel do not', async (browser) => {
  // The spa desk reports something through the same form (standard: no checks asked).
  const spa = await openPage(browser, 'spa');
  await login(spa, people.spa);
  await goto(spa, '/help/new');
  await spa.getByLabel('Temat').fill(SPA_SUBJECT);
  await spa.getByLabel('Program').selectOption({ label: 'PremiumHotel' });
  await spa.getByRole('radio', { name: /^standardowe/ }).check();
  check(!(await spa.getByRole('group', { name: 'Najpierw sprawdź z lokalnym IT' }).isVisible()), 'the local-IT checks should not be asked for a standard ticket');
  await spa.getByLabel('Opis').fill('Od rana grafik ładuje się około minuty.');
  await Promise.all([spa.waitForURL(/\/help\/tickets\/\d+/), spa.getByRole('button', { name: 'Wyślij zgłoszenie' }).click()]);
  state.spaTicket = Number(new URL(spa.url()).pathname.split('/').pop());
  await done(spa);

  const admin = await openPage(browser, 'customer admin');
  await login(admin, people.itAdmin);
  await goto(admin, '/help?view=all');
  await admin.getByRole('heading', { name: 'Zgłoszenia organizacji' }).waitFor();
  await admin.getByRole('link', { name: SPA_SUBJECT }).waitFor();
  await shot(admin, 'pl-help-list-organisation');
  await admin.getByRole('link', { name: SPA_SUBJECT }).click();
  await admin.getByRole('heading', { name: new RegExp(SPA_SUBJECT) }).waitFor();
  await done(admin);

  const page = state.reception;
  await goto(page, '/help');
  check((await page.getByRole('link', { name: SPA_SUBJECT }).count()) === 0, 'the reception user should not see the spa ticket in their list');
  expected = [/status of 404/];
  const res = await goto(page, `/help/tickets/${state.spaTicket}`);
  check(res.status() === 404, `the reception user opening the spa ticket should get 404, got ${res.status()}`);
  await page.getByRole('heading', { name: 'Nie znaleziono' }).waitFor();
  check(!(await text(page.locator('main'))).includes(SPA_SUBJECT), 'the 404 page must not show the subject');

  const other = await openPage(browser, 'other hotel');
  await login(other, people.other);
  const res2 = await goto(other, `/help/tickets/${state.critical}`);
  check(res2.status() === 404, `a customer of another hotel opening #${state.critical} should get 404, got ${res2.status()}`);
  check(!(await text(other.locator('main'))).includes(CRITICAL_SUBJECT), 'the 404 page must not show the subject');
  await done(other);
});

step('j. screenshots of the help list, the new-ticket form, the phone form and admin pages (Polish)', async (browser) => {
  const page = state.reception;
  await goto(page, '/help');
  await page.getByRole('heading', { name: 'Moje zgłoszenia' }).waitFor();
  await shot(page, 'pl-help-list');
  await goto(page, '/help/new');
  await page.getByRole('radio', { name: /^awaria/ }).check();
  await shot(page, 'pl-help-new');

  const agent = state.agent;
  await goto(agent, '/agent/phone');
  await agent.getByLabel('Kto dzwoni?').pressSequentially('Róż', { delay: 30 });
  await agent.locator('#matches').getByText('Hotel Pod Różami').waitFor();
  await shot(agent, 'pl-agent-phone-lookup');

  const admin = await openPage(browser, 'admin');
  await login(admin, ADMIN);
  await goto(admin, '/admin');
  await admin.getByRole('heading', { name: 'Administracja', exact: false }).first().waitFor();
  await shot(admin, 'pl-admin-overview');
  await goto(admin, '/admin/organisations');
  await admin.getByRole('link', { name: 'Hotel Pod Różami' }).waitFor();
  await shot(admin, 'pl-admin-organisations');
  await done(admin);
});

step('f. English via the header\'s language switch (queue and help pages), then back to Polish', async () => {
  const agent = state.agent;
  await goto(agent, '/agent?queue=at_risk');
  await switchLanguage(agent, 'Język', 'English', 'Zmień');
  check((await lang(agent)) === 'en', `after switching, <html lang> should be en, is ${await lang(agent)}`);
  check(new URL(agent.url()).search.includes('queue=at_risk'), `the switch should come back to the same page, came to ${agent.url()}`);
  await agent.getByRole('heading', { name: 'At risk' }).waitFor();
  await agent.locator('#queue tbody tr', { hasText: `#${state.fault}` }).waitFor();
  await agent.getByRole('link', { name: 'Queues' }).first().waitFor();
  await agent.getByRole('columnheader', { name: 'Subject' }).waitFor();
  await agent.getByLabel('Priority').waitFor();
  await shot(agent, 'en-agent-at-risk');
  await goto(agent, '/agent');
  await shot(agent, 'en-agent-queue');
  await switchLanguage(agent, 'Language', 'polski', 'Change');
  check((await lang(agent)) === 'pl', `after switching back, <html lang> should be pl, is ${await lang(agent)}`);
  await agent.getByRole('link', { name: 'Kolejki' }).first().waitFor();

  const page = state.reception;
  await goto(page, '/help');
  await switchLanguage(page, 'Język', 'English', 'Zmień');
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
  await page.getByRole('link', { name: 'Report a problem' }).waitFor();
  await page.getByRole('columnheader', { name: 'Last change' }).waitFor();
  await shot(page, 'en-help-list');
  await goto(page, '/help/new');
  await page.getByLabel('Subject').waitFor();
  await page.getByRole('button', { name: 'Send the ticket' }).waitFor();
  await shot(page, 'en-help-new');
  await switchLanguage(page, 'Language', 'polski', 'Change');
  await page.getByRole('heading', { name: 'Nowe zgłoszenie' }).waitFor();
});

step('h. at 360 px the new-ticket form and the agent queue have no horizontal scrolling', async (browser) => {
  const phone = await openPage(browser, 'reception 360px', { width: 360, height: 740 });
  await login(phone, people.reception);
  await goto(phone, '/help/new');
  await phone.getByRole('radio', { name: /^awaria/ }).check();
  await phone.getByRole('group', { name: 'Najpierw sprawdź z lokalnym IT' }).waitFor({ state: 'visible' });
  await shot(phone, 'pl-help-new-360px');
  await noHorizontalScroll(phone, 'help centre /help/new');
  await goto(phone, '/help');
  await shot(phone, 'pl-help-list-360px');
  await noHorizontalScroll(phone, 'help centre /help');
  await done(phone);

  const agent = await openPage(browser, 'agent 360px', { width: 360, height: 740 });
  await login(agent, people.agent);
  await goto(agent, '/agent?queue=open');
  await agent.locator('#queue tbody tr').first().waitFor();
  await shot(agent, 'pl-agent-queue-360px');
  await noHorizontalScroll(agent, 'agent queue /agent?queue=open');
  await done(agent);
});

// ------------------------------------------------------------------------------- issue 6: knowledge base

const KB_SUBJECT = 'Jak wystawić fakturę zaliczkową dla grupy';

step('k. seed the knowledge base: a public article, a customers-only one, an internal one (REST API)', async () => {
  const text = (title, body) => [{ language: 'pl', title, body }];
  state.kbPublic = await api('POST', '/kb/articles', {
    slug: 'jak-wystawic-fakture-zaliczkowa', visibility: 'public', status: 'published', product_id: state.product.id,
    texts: [
      ...text('Jak wystawić fakturę zaliczkową', '1. Otwórz **Kasę**.\n2. Wybierz *Faktura zaliczkowa*.'),
      { language: 'en', title: 'How to issue an advance invoice', body: '1. Open the **till**.' },
    ],
  });
  await api('POST', '/kb/articles', { slug: 'faktura-grupowa', visibility: 'customers', status: 'published', texts: text('Faktura dla grupy gości', 'Zbiorcza faktura.') });
  await api('POST', '/kb/articles', { slug: 'faktura-serwis', visibility: 'internal', status: 'published', texts: text('Faktura — hasło serwisowe', 'Tylko dla wsparcia.') });
  const start = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10) + 'T10:00';
  state.training = await api('POST', '/trainings', {
    title: 'Kasa i fakturowanie od podstaw', starts_at: start, time_zone: 'Europe/Warsaw', duration_minutes: 90,
    online_url: 'https://meet.example/kasa', capacity: 1, waiting_list: true, product_id: state.product.id,
  });
});

step('l. deflection: typing a subject on the new-ticket form shows matching articles; “this solved my problem” opens no ticket', async (browser) => {
  const page = await openPage(browser, 'reception (kb)');
  await login(page, people.reception);
  await goto(page, '/help/new');
  const before = (await api('GET', '/tickets?limit=200')).items.length;
  await page.getByLabel('Temat').fill(KB_SUBJECT);
  const box = page.getByRole('region', { name: 'Te artykuły mogą pomóc:' });
  await box.waitFor();
  const found = await text(box);
  check(found.includes('Jak wystawić fakturę zaliczkową'), `the suggestions should list the public article; they read: ${found}`);
  check(found.includes('Faktura dla grupy gości'), `a logged-in customer should also get the customers-only article; the suggestions read: ${found}`);
  check(!found.includes('hasło serwisowe'), `an internal article must never be suggested to a customer; the suggestions read: ${found}`);
  await shot(page, 'pl-help-new-suggestions');
  const solved = box.getByRole('listitem').filter({ hasText: 'Jak wystawić fakturę zaliczkową' }).getByRole('button', { name: 'To rozwiązało mój problem' });
  await Promise.all([page.waitForURL(/\/help\/kb\/jak-wystawic-fakture-zaliczkowa\?done=deflected/), solved.click()]);
  await page.getByRole('status').filter({ hasText: 'Nie utworzyliśmy zgłoszenia' }).waitFor();
  await page.getByRole('heading', { name: 'Jak wystawić fakturę zaliczkową' }).waitFor();
  const after = (await api('GET', '/tickets?limit=200')).items.length;
  check(after === before, `no ticket should be opened by a deflection (${before} tickets before, ${after} after)`);
  const counts = await api('GET', '/kb/deflections');
  check(counts.some((c) => c.slug === 'jak-wystawic-fakture-zaliczkowa' && c.deflected === 1), `the deflection should be counted: ${JSON.stringify(counts)}`);
  // "Was this helpful?" on the article page.
  await clickAndLoad(page, page.getByRole('button', { name: 'tak', exact: true }));
  await page.getByRole('status').filter({ hasText: 'Dziękujemy za opinię' }).waitFor();
  await shot(page, 'pl-help-kb-article');
  await done(page);
});

step('n. reception registers for a training in the catalogue, sees the meeting link, and cancels', async (browser) => {
  const page = await openPage(browser, 'reception (trainings)');
  await login(page, people.reception);
  await page.getByRole('navigation', { name: 'Nawigacja główna' }).getByRole('link', { name: 'Szkolenia' }).click();
  await page.getByRole('heading', { name: 'Szkolenia i webinary' }).waitFor();
  const card = page.locator(`#training-${state.training.id}`);
  check(!(await text(card)).includes('meet.example'), 'the meeting link should be hidden before registering');
  await clickAndLoad(page, card.getByRole('button', { name: 'Zapisz się' }));
  await page.getByRole('status').filter({ hasText: 'Zapisaliśmy Cię' }).waitFor();
  check((await text(page.locator(`#training-${state.training.id}`))).includes('https://meet.example/kasa'), 'a registered person should see the meeting link');
  await shot(page, 'pl-help-trainings');
  await clickAndLoad(page, page.locator(`#training-${state.training.id}`).getByRole('button', { name: 'Zrezygnuj' }));
  await page.getByRole('status').filter({ hasText: 'rezygnacja została zapisana' }).waitFor();
  await done(page);
});

step('m. the knowledge base without a login shows public articles only, and follows the language', async (browser) => {
  const page = await openPage(browser, 'visitor (kb)');
  await goto(page, '/help/kb?q=faktura');
  const list = await text(page.locator('main'));
  check(list.includes('Jak wystawić fakturę zaliczkową'), `a visitor should find the public article; the page reads: ${list}`);
  check(!list.includes('Faktura dla grupy gości') && !list.includes('hasło serwisowe'), `a visitor must not see customers-only or internal articles; the page reads: ${list}`);
  // The browser logs the 404 of the next page as a console error: that one is expected.
  expected.push(/faktura-serwis/, /404/);
  const internal = await goto(page, '/help/kb/faktura-serwis');
  check(internal.status() === 404, `an internal article should be a 404 for a visitor, is ${internal.status()}`);
  await goto(page, '/help/kb/jak-wystawic-fakture-zaliczkowa');
  await switchLanguage(page, 'Język', 'English', 'Zmień');
  await page.getByRole('heading', { name: 'How to issue an advance invoice' }).waitFor();
  check((await lang(page)) === 'en', `the page should be English after the switch, <html lang> is ${await lang(page)}`);
  await shot(page, 'en-help-kb-article');
  await done(page);

  const phone = await openPage(browser, 'visitor 360px (kb)', { width: 360, height: 740 });
  for (const path of ['/help/kb', '/help/kb/jak-wystawic-fakture-zaliczkowa', '/help/trainings']) {
    await goto(phone, path);
    await noHorizontalScroll(phone, path);
  }
  await shot(phone, 'pl-help-kb-360px');
  await done(phone);
});

await run();
