// The web dashboard (dashboard/), end to end: the built page in headless Chromium
// (puppeteer-core driving the system's /usr/bin/chromium, or $CHROMIUM) against one `--dev`
// node. The test reads the page as a user does, by its text, and compares every figure with the
// runtime API read here with @polkadot/api, formatted by the page's own formatting functions.
//
// The dev chain: Alice alone validates with 100,000 UNIT bonded, 50,000 of it in the sample
// service (id 0, `sample-oracle`, slasher Bob, rule 0 `downtime` 10%, rule 1 `equivocation`
// 50% + eject, 2-era dispute window). She operates at 10% from genesis, for the genesis pool 0
// (`//Two`'s), which delegates its 10,000 to her: 10,000 more in the sample service (60,000 in
// all), and its nomination puts 110,000 behind the validator set from era 1 on (the set-up
// waits for era 1, so that the chain figures hold still: a 11,000 breaker budget). Before the
// page opens, sudo registers a second service (id 1, `sample-bridge`, slasher Bob, rule 0
// `downtime` 10%, 2-era windows) and Alice opts into it with 90,000 (the pool does not follow
// her into it before its notice): 140,000 restaked on her 100,000 (1.40x), so a slash in one
// service shows in the other. Her equivocation in service 0 takes 25,000: she goes 100,000 ->
// 75,000, is ejected from service 0 (60,000 -> 10,000, the pool's, until its page), and the
// cascade takes service 1 from 90,000 to 75,000.
//
// Plan, about three minutes: the services view, the server's 400 for an unparsable path,
// an invalid address and Alice's account, a what-if of her downtime and one of her equivocation
// (the cascade); Bob reports that downtime and the page shows the pending slash landing in its
// apply era (and the what-if now refused); the genesis pool in the pools view; the cascade
// graph. Then operators and delegators, on a second `--dev` node of their own (so that the
// first one's figures stay as they are): the same bridge with 20,000 of Alice's, Alice at 10%
// with an increase to 12% waiting, Ferdie delegating 2,000 to her and excluding the bridge,
// Dave delegating 1,000 and undelegating, beside the genesis pool; the page, switched to that
// node, shows both sides of the delegations in the account view, the own / delegated split of
// each service (50,000 + 13,000 and 20,000 + 3,000) and the operator -> delegator arrows of the
// cascade graph; then `//Two` creates a second pool (id 1) delegating 10,000 to Alice, Eve
// joins with 4,000 and sends 1,000 shares to Charlie: the pools view and the cascade graph's
// Alice -> pool -> holders. Last, a closed port. Screenshots of
// each view go to e2e/logs/dashboard-<view>.png. The page must log no error on the way, except
// the browser's own line about the WebSocket it could not open in the closed-port step.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import puppeteer from 'puppeteer-core';

import {
  formatBalance,
  formatDuration,
  formatPercent,
  formatTimes,
  shortAddress,
} from '../../dashboard/src/format.js';
import { serve } from '../../dashboard/serve.js';
import {
  BLOCK_MS,
  ERA_MS,
  UNIT,
  activeEra,
  bestNumber,
  cleanup,
  connect,
  freePorts,
  logFile,
  sendAndWait,
  startNode,
  theEvent,
  waitForBlocks,
  waitForEra,
  withLock,
  withLogs,
  withTimeout,
} from '../lib/node.js';

const DASHBOARD_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'dashboard',
);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SAMPLE = 0;
/** The second service the test registers: `sample-bridge`, rule 0 `downtime` 10%, no eject. */
const BRIDGE = 1;
const PERCENT = 10_000_000; // Perbill parts per billion
const PPB = 1_000_000_000n;
/** Bound of every wait for the page: a new block comes every 6 s, a render takes well under 1 s. */
const PAGE_WAIT_MS = 30_000;

let node;
let api;
let dist; // the page, built for this test
let site;
let browser;
let page;
let alice, bob, charlie, dave, eve, ferdie, two;
let poolAccount; // the keyless account of the first node's genesis pool 0, delegating to Alice
// The delegation steps' own node: Alice an operator, Ferdie and Dave her delegators beside the
// genesis pool.
let delegationNode;
let delegationApi;
let setupEra; // the active era of the delegation set-up
let token; // `{ decimals, symbol }` from the chain, as the page reads it
let closedUrl; // the node-down step's URL: the browser's error line about it is expected

// Everything the page logged as an error, and its uncaught exceptions.
const pageErrors = [];

/** Run a test body; on failure, the error carries the tail of the node's log. */
const logged = (fn) => () => withLogs([node], fn);
/** The same with both nodes' logs, for the delegation steps. */
const loggedBoth = (fn) => () => withLogs(() => [node, delegationNode], fn);

/** A balance as the page prints it. */
const balance = (codec) => formatBalance(codec.toBigInt(), token);

// ---- building the page --------------------------------------------------------------------------

const run = promisify(execFile);

/**
 * `npm ci` in dashboard/ when its packages are missing or older than its lockfile, then build the
 * page into `dist`, a directory of this test's own: main-command.test.js, which may run at the
 * same time, has scripts/dashboard.sh build and serve dashboard/dist. Both hold the lock
 * `dashboard-packages` while they may install or build, so that one never runs `npm ci` under the
 * other.
 */
async function buildDashboard(dist) {
  await withLock('dashboard-packages', async () => {
    const installed = path.join(DASHBOARD_DIR, 'node_modules', '.package-lock.json');
    const lock = path.join(DASHBOARD_DIR, 'package-lock.json');
    if (!fs.existsSync(installed) || fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs) {
      await run('npm', ['ci', '--no-audit', '--no-fund'], {
        cwd: DASHBOARD_DIR,
        timeout: 5 * 60_000,
      });
    }
    const { build } = await import('../../dashboard/build.js');
    await build(dist);
  });
}

// ---- reading the page ---------------------------------------------------------------------------

const byTestId = (id) => `[data-testid="${id}"]`;

/** The text of the first element matching `selector`, trimmed, once there is one. */
async function textOf(selector) {
  await page.waitForSelector(selector, { timeout: PAGE_WAIT_MS });
  return page.$eval(selector, (el) => el.textContent.trim());
}

/** Wait until the element matching `selector` has exactly `expected` as its text. */
async function waitForText(selector, expected, { timeoutMs = PAGE_WAIT_MS } = {}) {
  try {
    await page.waitForFunction(
      (sel, text) => document.querySelector(sel)?.textContent.trim() === text,
      { timeout: timeoutMs, polling: 200 },
      selector,
      expected,
    );
  } catch (error) {
    const seen = await page
      .$eval(selector, (el) => el.textContent.trim())
      .catch(() => '(no such element)');
    throw new Error(
      `${selector}: expected ${JSON.stringify(expected)}, the page shows ${JSON.stringify(seen)}`,
      { cause: error },
    );
  }
}

/** The rows of the table matching `selector`, each as its cells' texts. */
function tableRows(selector) {
  return page.$$eval(`${selector} tbody tr`, (rows) =>
    rows.map((row) => [...row.cells].map((cell) => cell.textContent.trim())),
  );
}

/** Open a tab and wait until its panel is drawn at the newest block (no longer aria-busy). */
async function openTab(view) {
  await page.click(`#tab-${view}`);
  await page.waitForSelector(`#view-${view}:not([hidden]):not([aria-busy])`, {
    timeout: PAGE_WAIT_MS,
  });
}

/** The yield window as the page names it. */
function yieldWindow(figures) {
  const first = figures.firstEra.toNumber();
  const eras = figures.windowEras.toNumber();
  if (eras === 0) return 'no completed era yet';
  return eras === 1 ? `era ${first}` : `eras ${first}–${first + eras - 1}`;
}

async function screenshot(view) {
  await page.screenshot({ path: logFile(`dashboard-${view}.png`) });
}

/** No error logged by the page so far, but the expected one about the closed port. */
function assertNoPageErrors() {
  const expected = closedUrl && `WebSocket connection to '${closedUrl}/' failed`;
  const unexpected = pageErrors.filter((text) => !(expected && text.startsWith(expected)));
  assert.deepEqual(unexpected, [], 'errors in the page console');
}

// ---------------------------------------------------------------------------------------------

describe('the dashboard, in Chromium, on a dev node', () => {
  before(
    async () => {
      assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}; set CHROMIUM to its path`);
      dist = fs.mkdtempSync(path.join(os.tmpdir(), 'restaking-e2e-dashboard-'));
      await buildDashboard(dist);
      node = await startNode({ name: 'dashboard', args: ['--dev'] });
      api = await connect(node);
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519' });
      [alice, bob, charlie, dave, eve, ferdie, two] = [
        'Alice',
        'Bob',
        'Charlie',
        'Dave',
        'Eve',
        'Ferdie',
        'Two',
      ].map((name) => keyring.addFromUri(`//${name}`));
      token = { decimals: api.registry.chainDecimals[0], symbol: api.registry.chainTokens[0] };

      // The second service and Alice in it. Its windows fit the dev chain's rule:
      // ReportWindow 2 + dispute_window 2 + 2 < BondingDuration 8.
      assert.ok(
        api.consts.restaking.reportWindow.toNumber() + 2 + 2 <
          api.consts.staking.bondingDuration.toNumber(),
      );
      const registered = await sendAndWait(
        api,
        api.tx.sudo.sudo(
          api.tx.restaking.registerService({
            name: 'sample-bridge',
            slasher: bob.address,
            rules: [{ name: 'downtime', fraction: 10 * PERCENT, eject: false }],
            minStake: 1_000n * UNIT,
            validatorsOnly: false,
            exitDelay: 2,
            disputeWindow: 2,
            maxShare: null,
          }),
        ),
        alice,
      );
      assert.equal(
        theEvent(api, registered.events, 'restaking', 'ServiceRegistered').data.service.toNumber(),
        BRIDGE,
      );
      // 140,000 allocated on 100,000 (1.4x, within 3x); claims 25,000 + 9,000 <= 100,000; no
      // max_share. The set-up is done before the page opens: it reads both services at once.
      await sendAndWait(api, api.tx.restaking.optIn(BRIDGE, 90_000n * UNIT), alice);
      poolAccount = (await api.call.restakingApi.pool(0)).unwrap().account.toString();
      // Era 0's validators were elected before the genesis pool bonded: from era 1 on its
      // nomination of Alice is in the stake behind the validator set (110,000), which the
      // shares and the breaker are of. Wait for it, so that the figures hold still.
      await waitForEra(api, 1);

      site = await serve({ port: 0, root: dist });
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox'],
        timeout: 60_000,
      });
      page = await browser.newPage();
      page.setDefaultTimeout(PAGE_WAIT_MS);
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(`${site.url}?ws=${encodeURIComponent(node.wsUrl)}`, {
        timeout: PAGE_WAIT_MS,
      });
      await page.waitForFunction(
        (url) => document.getElementById('status').textContent.startsWith(`Connected to ${url}`),
        { timeout: PAGE_WAIT_MS },
        node.wsUrl,
      );
    },
    { timeout: 6 * 60_000 },
  );

  after(
    async () => {
      await withTimeout(browser?.close() ?? Promise.resolve(), 20_000, 'Chromium to close').catch(
        (e) => {
          browser?.process()?.kill('SIGKILL');
          console.error(e.message);
        },
      );
      await site?.close();
      if (dist) fs.rmSync(dist, { recursive: true, force: true });
      await cleanup({ apis: [api, delegationApi], nodes: [node, delegationNode] });
    },
    { timeout: 60_000 },
  );

  it(
    'services view: sample-oracle (60,000) and sample-bridge (90,000), their rules and the chain figures',
    { timeout: 2 * 60_000 },
    logged(async () => {
      const [service, bridge] = await api.call.restakingApi.services();
      const risk = await api.call.restakingApi.risk();

      assert.equal(await textOf(byTestId('service-0-name')), 'sample-oracle');
      assert.equal(await textOf(byTestId('service-0-status')), 'Active');
      // Alice's 50,000 and the genesis pool's 10,000.
      assert.equal(balance(service.totalSecured), '60,000 RSTK');
      assert.equal(await textOf(byTestId('service-0-secured')), '60,000 RSTK');
      assert.equal(await textOf(byTestId('service-0-restakers')), '2');
      assert.equal(await textOf(byTestId('service-0-worst-case')), '50% of an exposure');
      assert.deepEqual(await tableRows(byTestId('service-0-rules')), [
        ['0', 'downtime', '10%', 'no'],
        ['1', 'equivocation', '50%', 'yes'],
      ]);
      assert.equal(await textOf(byTestId('service-0-pending')), 'No pending slashes.');

      // The second card: the bridge, Alice's 90,000 in it.
      assert.equal(bridge.id.toNumber(), BRIDGE);
      assert.equal(await textOf(byTestId('service-1-name')), 'sample-bridge');
      assert.equal(await textOf(byTestId('service-1-status')), 'Active');
      assert.equal(balance(bridge.totalSecured), '90,000 RSTK');
      assert.equal(await textOf(byTestId('service-1-secured')), balance(bridge.totalSecured));
      assert.equal(await textOf(byTestId('service-1-secured')), '90,000 RSTK');
      assert.equal(await textOf(byTestId('service-1-restakers')), `${bridge.restakers}`);
      assert.equal(await textOf(byTestId('service-1-restakers')), '1');
      assert.equal(
        await textOf(byTestId('service-1-worst-case')),
        `${formatPercent(bridge.worstCase.toBigInt())} of an exposure`,
      );
      assert.equal(await textOf(byTestId('service-1-worst-case')), '10% of an exposure');
      assert.equal(
        await textOf(byTestId('service-1-share')),
        formatPercent(bridge.sharePpb.toBigInt()),
      );
      assert.equal(await textOf(byTestId('service-1-share')), '81.81%'); // 90,000 / 110,000
      assert.deepEqual(await tableRows(byTestId('service-1-rules')), [
        ['0', 'downtime', '10%', 'no'],
      ]);
      assert.equal(await textOf(byTestId('service-1-pending')), 'No pending slashes.');

      // Restaked once per service: 60,000 + 90,000 of the 110,000 behind the validators
      // (Alice's 100,000 and the pool's 10,000 nominating her).
      assert.equal(balance(risk.totalBonded), '110,000 RSTK');
      assert.equal(await textOf(byTestId('chain-total-bonded')), '110,000 RSTK');
      assert.equal(balance(risk.totalRestaked), '150,000 RSTK');
      assert.equal(
        await textOf(byTestId('chain-total-restaked')),
        `${balance(risk.totalRestaked)}, ${formatPercent(risk.restakedSharePpb.toBigInt())} of bonded (once per service)`,
      );
      assert.equal(
        await textOf(byTestId('chain-total-restaked')),
        '150,000 RSTK, 136.36% of bonded (once per service)',
      );
      assert.equal(
        await textOf(byTestId('chain-breaker')),
        '10% of the bonded stake an era: 11,000 RSTK',
      );
      assert.equal(await textOf(byTestId('chain-held')), '0');

      // This runtime has RestakingApi version 2: the risk figures must be there.
      assert.ok(api.call.restakingApi.riskFigures, 'RestakingApi.risk_figures (API version 2)');
      assert.equal(await page.$(byTestId('risk-figures-missing')), null);
      // One page on the dev chain: Alice and the pool. The share is the secured stake over the
      // bonded stake.
      const figures = await api.call.restakingApi.riskFigures(null);
      assert.ok(figures.next.isNone);
      assert.equal(figures.services.length, 2);
      // Alice is the largest restaker of both (50,000 of the sample service's 60,000, all of the
      // bridge); all of the claim is collectable: in the sample service Alice's 25,000 and the
      // pool's 5,000 (50% of its 10,000).
      const expected = [
        {
          id: SAMPLE,
          sharePpb: (PPB * 6n) / 11n,
          largest: '50,000 RSTK',
          largestShare: '83.33%',
          claim: '30,000 RSTK',
        },
        {
          id: BRIDGE,
          sharePpb: (PPB * 9n) / 11n,
          largest: '90,000 RSTK',
          largestShare: '100%',
          claim: '9,000 RSTK',
        },
      ];
      for (const { id, sharePpb, largest, largestShare, claim } of expected) {
        const figure = figures.services[id];
        const field = (name) => byTestId(`service-${id}-${name}`);
        assert.equal(figure.service.toNumber(), id);
        assert.equal(
          figure.sharePpb.toBigInt(),
          (figure.secured.toBigInt() * PPB) / figures.totalBonded.toBigInt(),
        );
        assert.equal(figure.sharePpb.toBigInt(), sharePpb);
        assert.equal(await textOf(field('share')), formatPercent(figure.sharePpb.toBigInt()));
        assert.equal(figure.largestRestaker.unwrap().toString(), alice.address);
        assert.equal(formatPercent(figure.largestSharePpb.toBigInt()), largestShare);
        assert.equal(balance(figure.largestExposure), largest);
        assert.equal(
          await textOf(field('largest')),
          `${shortAddress(alice.address)}: ${formatPercent(figure.largestSharePpb.toBigInt())} of its secured stake (${balance(figure.largestExposure)})`,
        );
        assert.equal(balance(figure.worstCaseClaim), claim);
        assert.equal(await textOf(field('claim')), balance(figure.worstCaseClaim));
        assert.equal(
          await textOf(field('collectable')),
          `${balance(figure.worstCaseCollectable)} (100% of the claim)`,
        );
        // Covered (Alice: 34,000 of claims on 100,000; the pool: 5,000 on 10,000): the whole
        // claim lands in any order.
        assert.equal(figure.collectableFloor.toBigInt(), figure.worstCaseClaim.toBigInt());
        assert.equal(
          await textOf(field('collectable-range')),
          `${balance(figure.collectableFloor)} to ${balance(figure.collectableCeiling)}`,
        );
        assert.equal(await textOf(field('collectable-range')), `${claim} to ${claim}`);
      }
      assert.equal(await textOf(byTestId('service-0-share')), '54.54%'); // 60,000 / 110,000
      assert.equal(await textOf(byTestId('service-0-claim')), '30,000 RSTK');
      assert.equal(await textOf(byTestId('service-1-claim')), '9,000 RSTK');
      // Restakers' slashable stake over the total bonded: Alice's 100,000 and the pool's 10,000
      // of 110,000.
      assert.equal(
        await textOf(byTestId('chain-restaked-share')),
        `restakers hold ${balance(figures.restakerStake)} of slashable stake, ${formatPercent(figures.restakedSharePpb.toBigInt())} of the total bonded (${figures.restakers} restakers)`,
      );
      assert.equal(
        await textOf(byTestId('chain-restaked-share')),
        'restakers hold 110,000 RSTK of slashable stake, 100% of the total bonded (2 restakers)',
      );
      // 150,000 of exposure (Alice's 140,000, the pool's 10,000) on 110,000.
      assert.equal(
        await textOf(byTestId('chain-average-degree')),
        formatTimes(figures.averageDegreePpb.toBigInt()),
      );
      assert.equal(await textOf(byTestId('chain-average-degree')), '1.36x');
      assert.equal(figures.maxDegreeRestaker.unwrap().toString(), alice.address);
      assert.equal(
        await textOf(byTestId('chain-max-degree')),
        `${formatTimes(figures.maxDegreePpb.toBigInt())} (${shortAddress(alice.address)})`,
      );
      assert.equal(
        await textOf(byTestId('chain-max-degree')),
        `1.40x (${shortAddress(alice.address)})`,
      );

      // The era and the yields change with the eras: read them with the block the page shows,
      // in one go, and compare them with the API read at that block.
      const shown = await page.evaluate(() => {
        const text = (id) => document.querySelector(`[data-testid="${id}"]`).textContent.trim();
        return {
          block: Number(text('head').match(/block #(\d+)/)[1]),
          era: text('chain-era'),
          baseYield: text('chain-base-yield'),
          yields: [text('service-0-yield'), text('service-1-yield')],
        };
      });
      const at = await api.at(await api.rpc.chain.getBlockHash(shown.block));
      const [figuresAt, eraAt, sessionAt] = await Promise.all([
        at.call.restakingApi.riskFigures(null),
        at.query.staking.activeEra(),
        at.query.session.currentIndex(),
      ]);
      assert.equal(shown.era, `${eraAt.unwrap().index.toNumber()} (session ${sessionAt})`);
      const baseYield = formatPercent(figuresAt.baseYieldPpb.toBigInt());
      assert.equal(shown.baseYield, `${baseYield} a year (${yieldWindow(figuresAt)})`);
      for (const id of [SAMPLE, BRIDGE]) {
        const figure = figuresAt.services[id];
        assert.equal(figure.service.toNumber(), id);
        assert.equal(
          shown.yields[id],
          `${formatPercent(figure.organicYieldPpb.toBigInt())} a year (base staking ${baseYield}); ${balance(figure.funded)} funded`,
        );
      }
      assertNoPageErrors();
    }),
  );

  it(
    'the server: an unparsable path is a 400, and the server goes on serving',
    { timeout: 30_000 },
    async () => {
      const bad = await fetch(`${site.url}/`); // `GET //`
      assert.equal(bad.status, 400);
      await bad.text();
      const good = await fetch(site.url);
      assert.equal(good.status, 200);
      assert.match(await good.text(), /<title>Restaking dashboard<\/title>/);
    },
  );

  it(
    "account view: Alice's positions in services 0 and 1 (140,000 on 100,000); an account with none says so",
    { timeout: 2 * 60_000 },
    logged(async () => {
      await openTab('account');
      // Not an address: one byte of hex.
      await page.type('#account-input', '0x00');
      await page.click('#account-lookup');
      await waitForText(byTestId('account-invalid'), 'Not an address: 0x00');
      await page.$eval('#account-input', (input) => {
        input.value = '';
      });
      // Ferdie, typed in: no position.
      await page.type('#account-input', ferdie.address);
      await page.click('#account-lookup');
      await waitForText(byTestId('account-empty'), `${ferdie.address} has no restaking position.`);

      // Alice, from the known restakers.
      await page.waitForSelector(`#account-pick option[value="${alice.address}"]`, {
        timeout: PAGE_WAIT_MS,
      });
      await page.select('#account-pick', alice.address);
      await waitForText(byTestId('account-address'), alice.address);
      const view = (await api.call.restakingApi.exposures(alice.address)).unwrap();
      assert.deepEqual(
        view.positions.map((p) => [
          p.service.toNumber(),
          balance(p.allocation),
          balance(p.exposure),
        ]),
        [
          [SAMPLE, '50,000 RSTK', '50,000 RSTK'],
          [BRIDGE, '90,000 RSTK', '90,000 RSTK'],
        ],
      );
      assert.equal(
        await page.$$eval(`${byTestId('account-positions')} tbody tr`, (rows) => rows.length),
        2,
      );
      const names = { [SAMPLE]: 'sample-oracle #0', [BRIDGE]: 'sample-bridge #1' };
      for (const position of view.positions) {
        const id = position.service.toNumber();
        const cell = (field) => `${byTestId(`position-${id}`)} [data-field="${field}"]`;
        assert.equal(await textOf(cell('service')), names[id]);
        assert.equal(await textOf(cell('allocation')), balance(position.allocation));
        assert.equal(await textOf(cell('exposure')), balance(position.exposure));
        assert.equal(await textOf(cell('exit')), 'in force');
      }
      assert.equal(await textOf(byTestId('account-stake')), balance(view.stake));
      assert.equal(await textOf(byTestId('account-stake')), '100,000 RSTK');
      assert.equal(await textOf(byTestId('account-allocated')), balance(view.totalAllocated));
      assert.equal(await textOf(byTestId('account-allocated')), '140,000 RSTK');
      assert.equal(await textOf(byTestId('account-exposure')), balance(view.totalExposure));
      assert.equal(await textOf(byTestId('account-exposure')), '140,000 RSTK');
      assert.equal(
        await textOf(byTestId('account-leverage')),
        `${formatTimes(view.leveragePpb.toBigInt())} (allocated / slashable stake)`,
      );
      assert.equal(
        await textOf(byTestId('account-leverage')),
        '1.40x (allocated / slashable stake)',
      );
      // 50% of 50,000 and 10% of 90,000.
      assert.equal(await textOf(byTestId('account-claim')), balance(view.totalClaim));
      assert.equal(await textOf(byTestId('account-claim')), '34,000 RSTK');
      assert.equal(
        await textOf(byTestId('account-coverage')),
        `${formatPercent(view.coveragePpb.toBigInt())} of the slashable stake: covered`,
      );
      assert.equal(
        await textOf(byTestId('account-coverage')),
        '34% of the slashable stake: covered',
      );
      assert.equal(await textOf(byTestId('account-pending')), 'No pending slashes.');
      assertNoPageErrors();
    }),
  );

  it(
    "what-if: Alice's downtime in service 0 moves nothing else; her equivocation cascades into service 1",
    { timeout: 2 * 60_000 },
    logged(async () => {
      await openTab('whatif');
      await page.select('#whatif-service', String(SAMPLE));
      await page.waitForSelector(`#whatif-offender option[value="${alice.address}"]`, {
        timeout: PAGE_WAIT_MS,
      });
      await page.select('#whatif-offender', alice.address);
      await page.select('#whatif-rule', '0');
      await page.click('#whatif-run');

      // The page's bars of one service: what the slash does to it (the reported service, or
      // one the cascade reaches), `before ...` and `after ...`.
      const bars = async (id) => {
        const field = (name) =>
          textOf(`${byTestId(`whatif-impact-${id}`)} [data-field="${name}"]`);
        return {
          role: await field('role'),
          before: await field('before'),
          after: await field('after'),
        };
      };
      const expectedBars = (impact) => {
        const lost = impact.securedBefore.toBigInt() - impact.securedAfter.toBigInt();
        const where = impact.service.toNumber() === SAMPLE ? 'reported here' : 'cascade';
        return {
          role: `${where}: ${lost > 0n ? `−${formatBalance(lost, token)}` : 'unchanged'}`,
          before: `before ${balance(impact.securedBefore)}`,
          after: `after ${balance(impact.securedAfter)}${impact.ejected.isTrue ? ' (offender ejected)' : ''}`,
        };
      };

      // Downtime, 10% of 50,000: 5,000, and 95,000 still covers both exposures. The pool's
      // part (its delegator page) is not in the what-if: the sample service keeps its 60,000.
      const sim = (await api.call.restakingApi.simulateSlash(SAMPLE, alice.address, 0)).asOk;
      assert.equal(balance(sim.amount), '5,000 RSTK');
      await waitForText(byTestId('whatif-amount'), balance(sim.amount));
      assert.equal(
        await textOf(byTestId('whatif-stake')),
        `${balance(sim.stakeBefore)} → ${balance(sim.stakeAfter)}`,
      );
      assert.equal(await textOf(byTestId('whatif-stake')), '100,000 RSTK → 95,000 RSTK');
      assert.equal(
        await textOf(byTestId('whatif-coverage')),
        `${formatPercent(sim.coverageBeforePpb.toBigInt())} → ${formatPercent(sim.coverageAfterPpb.toBigInt())}`,
      );
      assert.equal(sim.held.isTrue, false);
      assert.equal(
        await textOf(byTestId('whatif-held')),
        "within the era's budget: it would land unless cancelled",
      );
      assert.deepEqual(
        sim.services.map((i) => [
          i.service.toNumber(),
          balance(i.securedBefore),
          balance(i.securedAfter),
          i.ejected.isTrue,
        ]),
        [
          [SAMPLE, '60,000 RSTK', '60,000 RSTK', false],
          [BRIDGE, '90,000 RSTK', '90,000 RSTK', false],
        ],
      );
      for (const impact of sim.services) {
        assert.deepEqual(await bars(impact.service.toNumber()), expectedBars(impact));
      }
      assert.equal((await bars(BRIDGE)).role, 'cascade: unchanged');

      // Equivocation, 50% of 50,000 + eject: 25,000 taken from her bonded stake, so she leaves
      // service 0 (the pool's 10,000 stays there until its page ejects it) and her 90,000 in
      // service 1 shrinks to the 75,000 she has left. 25,000 is above the breaker's budget, 10%
      // of 110,000: held for governance.
      const cascade = (await api.call.restakingApi.simulateSlash(SAMPLE, alice.address, 1)).asOk;
      assert.equal(balance(cascade.amount), '25,000 RSTK');
      assert.equal(balance(cascade.stakeBefore), '100,000 RSTK');
      assert.equal(balance(cascade.stakeAfter), '75,000 RSTK');
      assert.equal(cascade.held.isTrue, true);
      assert.deepEqual(
        cascade.services.map((i) => [
          i.service.toNumber(),
          balance(i.securedBefore),
          balance(i.securedAfter),
          i.ejected.isTrue,
        ]),
        [
          [SAMPLE, '60,000 RSTK', '10,000 RSTK', true],
          [BRIDGE, '90,000 RSTK', '75,000 RSTK', false],
        ],
      );
      await page.select('#whatif-rule', '1');
      await page.click('#whatif-run');
      await waitForText(byTestId('whatif-amount'), balance(cascade.amount));
      assert.equal(
        await textOf(byTestId('whatif-stake')),
        `${balance(cascade.stakeBefore)} → ${balance(cascade.stakeAfter)}`,
      );
      assert.equal(await textOf(byTestId('whatif-stake')), '100,000 RSTK → 75,000 RSTK');
      assert.equal(
        await textOf(byTestId('whatif-coverage')),
        `${formatPercent(cascade.coverageBeforePpb.toBigInt())} → ${formatPercent(cascade.coverageAfterPpb.toBigInt())}`,
      );
      assert.equal(
        await textOf(byTestId('whatif-held')),
        "held: more than the era's budget, it would land only if governance approved it",
      );
      for (const impact of cascade.services) {
        assert.deepEqual(await bars(impact.service.toNumber()), expectedBars(impact));
      }
      assert.deepEqual(await bars(SAMPLE), {
        role: 'reported here: −50,000 RSTK',
        before: 'before 60,000 RSTK',
        after: 'after 10,000 RSTK (offender ejected)',
      });
      assert.equal(
        await page.$eval(
          `${byTestId(`whatif-impact-${SAMPLE}`)} [data-field="after"]`,
          (el) => el.getAttribute('class'),
        ),
        'ejected',
      );
      assert.deepEqual(await bars(BRIDGE), {
        role: 'cascade: −15,000 RSTK',
        before: 'before 90,000 RSTK',
        after: 'after 75,000 RSTK',
      });
      await screenshot('what-if');
      assertNoPageErrors();
    }),
  );

  it(
    'a reported slash is pending, landing in its apply era; the same what-if is then refused',
    // Up to a minute for the page to know the session length, then a few blocks.
    { timeout: 3 * 60_000 },
    logged(async () => {
      // The countdown counts blocks once the page knows the session length: from session 2,
      // a minute after genesis. fast-runtime: 10-block eras, era e starts at block 10 x e.
      const blocksPerEra = ERA_MS / BLOCK_MS;
      await openTab('services');
      await waitForText(
        byTestId('chain-era-length'),
        `${blocksPerEra} blocks (≈ ${formatDuration(ERA_MS)})`,
        {
          timeoutMs: ERA_MS + PAGE_WAIT_MS,
        },
      );

      const era = await activeEra(api);
      const reported = await sendAndWait(
        api,
        api.tx.restaking.reportOffence(SAMPLE, alice.address, 0, era),
        bob,
      );
      const slashId = theEvent(
        api,
        reported.events,
        'restaking',
        'SlashScheduled',
      ).data.slashId.toNumber();
      const pending = (await api.call.restakingApi.pendingSlashes(SAMPLE)).find(
        ([id]) => id.toNumber() === slashId,
      )[1];
      const applyEra = pending.applyEra.toNumber();
      assert.equal(applyEra, era + 2, 'the 2-era dispute window');

      const row = byTestId(`pending-slash-${slashId}`);
      await waitForText(`${row} [data-field="apply-era"]`, String(applyEra));
      assert.equal(await textOf(`${row} [data-field="amount"]`), balance(pending.amount));
      assert.equal(await textOf(`${row} [data-field="amount"]`), '5,000 RSTK');
      // The countdown, read in the same render as the block and era it counts from.
      const shown = await page.evaluate(
        (countdown) => ({
          block: Number(document.getElementById('head').textContent.match(/block #(\d+)/)[1]),
          era: Number(
            document.querySelector('[data-testid="chain-era"]').textContent.split(' ')[0],
          ),
          countdown: document.querySelector(countdown).textContent,
        }),
        `${row} [data-field="countdown"]`,
      );
      const erasLeft = applyEra - shown.era;
      const blocksLeft = blocksPerEra * applyEra - shown.block;
      assert.equal(
        shown.countdown,
        `in ${erasLeft} era${erasLeft === 1 ? '' : 's'}, ≈ ${blocksLeft} blocks (≈ ${formatDuration(blocksLeft * BLOCK_MS)})`,
      );
      // 10% of the 110,000 behind the validators.
      assert.equal(
        await textOf(byTestId('chain-budgets')),
        `era ${applyEra}: 5,000 RSTK within its 11,000 RSTK cap`,
      );
      await screenshot('services');

      // Alice's account lists it too.
      await openTab('account');
      await waitForText(
        `${byTestId('account-pending')} ${row} [data-field="apply-era"]`,
        String(applyEra),
      );
      await screenshot('account');

      // The same report again: the simulation is refused, by the error's name.
      const refusal = await api.call.restakingApi.simulateSlash(SAMPLE, alice.address, 0);
      const { section, name, docs } = api.registry.findMetaError(refusal.asErr.asModule);
      assert.equal(`${section}.${name}`, 'restaking.DuplicateOffence');
      // The what-if view last ran rule 1: back to rule 0, the reported one.
      await openTab('whatif');
      await page.select('#whatif-rule', '0');
      await page.click('#whatif-run');
      await waitForText(
        byTestId('whatif-error'),
        `Refused: ${section}.${name} (${docs.join(' ')})`,
      );
      assertNoPageErrors();
    }),
  );

  it(
    'cascade graph: selecting Alice, by keyboard or click, highlights services 0 and 1',
    { timeout: 60_000 },
    logged(async () => {
      // The tabs by keyboard (the ARIA tabs pattern): only the selected one is in the Tab order,
      // the arrow keys move the selection. The what-if tab is open: Right opens the pools,
      // Right again the cascade.
      const tabOrder = () =>
        page.$$eval('[role="tab"]', (tabs) => tabs.map((tab) => `${tab.id}:${tab.tabIndex}`));
      assert.deepEqual(await tabOrder(), [
        'tab-services:-1',
        'tab-account:-1',
        'tab-whatif:0',
        'tab-pools:-1',
        'tab-cascade:-1',
      ]);
      await page.focus('#tab-whatif');
      await page.keyboard.press('ArrowRight');
      await page.waitForSelector('#view-pools:not([hidden]):not([aria-busy])');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-pools');
      // The genesis pool 0: `//Two`'s, delegating its 10,000 to Alice. Bob's report above
      // reaches it once Alice's slash lands (10% of its 10,000 pending, or landed): rate 0.9.
      assert.equal(await page.$(byTestId('pools-empty')), null);
      assert.equal(await textOf(byTestId('pool-0-supply')), '10,000 RSTK in shares');
      assert.equal(await textOf(byTestId('pool-0-rate')), '0.9 RSTK a share');
      assert.equal(await textOf(byTestId('pool-0-operator')), shortAddress(alice.address));
      assert.equal(await textOf(byTestId('pool-0-manager')), shortAddress(two.address));
      assert.equal(await textOf(byTestId('pool-0-holders')), 'No holders yet.');
      await page.keyboard.press('ArrowRight');
      await page.waitForSelector('#view-cascade:not([hidden]):not([aria-busy])');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-cascade');
      assert.deepEqual(await tabOrder(), [
        'tab-services:-1',
        'tab-account:-1',
        'tab-whatif:-1',
        'tab-pools:-1',
        'tab-cascade:0',
      ]);
      const aliceNode = byTestId(`restaker-node-${alice.address}`);
      const serviceNodes = [SAMPLE, BRIDGE].map((id) => byTestId(`service-node-${id}`));
      await page.waitForSelector(aliceNode, { timeout: PAGE_WAIT_MS });
      // Both services, each with an edge to Alice.
      const services = await api.call.restakingApi.services();
      assert.equal(services.length, 2);
      for (const service of services) {
        const id = service.id.toNumber();
        const node = byTestId(`service-node-${id}`);
        await page.waitForSelector(node, { timeout: PAGE_WAIT_MS });
        assert.equal(await page.$eval(node, (el) => el.getAttribute('data-reached')), null);
        assert.equal(
          await page.$eval(`${node} text.sub`, (el) => el.textContent),
          `secured ${balance(service.totalSecured)}`,
        );
        await page.waitForSelector(byTestId(`edge-${alice.address}-${id}`), {
          timeout: PAGE_WAIT_MS,
        });
      }
      const allReached = () =>
        Promise.all(
          serviceNodes.map((node) =>
            page.waitForSelector(`${node}[data-reached="true"]`, { timeout: PAGE_WAIT_MS }),
          ),
        );

      // Keyboard: focus her node (an SVG element, which Frame.focus refuses) and press Enter.
      const focus = () => page.$eval(aliceNode, (el) => el.focus());
      await focus();
      await page.keyboard.press('Enter');
      await allReached();
      assert.equal(await page.$eval(aliceNode, (el) => el.getAttribute('aria-pressed')), 'true');
      const view = (await api.call.restakingApi.exposures(alice.address)).unwrap();
      const nameOf = new Map(services.map((s) => [s.id.toNumber(), s.name.toUtf8()]));
      const reach = view.positions
        .map(
          (p) =>
            `${nameOf.get(p.service.toNumber())} #${p.service} (exposure ${balance(p.exposure)})`,
        )
        .join(', ');
      // Her delegator, the genesis pool, is named too.
      await waitForText(
        byTestId('cascade-reach'),
        `A slash of ${shortAddress(alice.address)} reaches ${reach}. ` +
          `Reports against it also reach its delegators once its slash lands: ${shortAddress(poolAccount)} (10,000 RSTK).`,
      );
      assert.equal(
        await textOf(byTestId('cascade-reach')),
        `A slash of ${shortAddress(alice.address)} reaches sample-oracle #0 (exposure 50,000 RSTK), sample-bridge #1 (exposure 90,000 RSTK). ` +
          `Reports against it also reach its delegators once its slash lands: ${shortAddress(poolAccount)} (10,000 RSTK).`,
      );
      // Space toggles it off, a click on again.
      await focus();
      await page.keyboard.press('Space');
      await Promise.all(
        serviceNodes.map((node) =>
          page.waitForSelector(`${node}:not([data-reached])`, { timeout: PAGE_WAIT_MS }),
        ),
      );
      await page.click(aliceNode);
      await allReached();
      await screenshot('cascade');
      assertNoPageErrors();
    }),
  );

  it(
    'delegation set-up on a second dev node: Alice an operator (10%, 12% waiting), Ferdie delegates 2,000 and excludes the bridge, Dave delegates 1,000 and undelegates',
    { timeout: 4 * 60_000 },
    loggedBoth(async () => {
      delegationNode = await startNode({ name: 'dashboard-delegation', args: ['--dev'] });
      delegationApi = await connect(delegationNode);
      const dapi = delegationApi;
      await waitForBlocks(dapi, 1);
      // The exclusion, Dave's ending and the commission increase all take 2 eras (exit delays
      // 2): start early in an era, so that the page is read well before they are released.
      // fast-runtime: 10-block eras, era e starts at block 10 x e.
      const blocksPerEra = ERA_MS / BLOCK_MS;
      if ((await bestNumber(dapi)) % blocksPerEra >= 3) {
        await waitForEra(dapi, (await activeEra(dapi)) + 1);
      }
      const eraAt = async (hash) => {
        const era = await (await dapi.at(hash)).query.staking.activeEra();
        return era.isSome ? era.unwrap().index.toNumber() : 0;
      };

      // Alice: the bridge (id 1) with 20,000 of hers, then her commission set to 10% (her
      // genesis commission: no change) and raised to 12%: the increase waits for the longest
      // exit delay of her services (2 eras).
      const setUp = await sendAndWait(
        dapi,
        dapi.tx.utility.batchAll([
          dapi.tx.sudo.sudo(
            dapi.tx.restaking.registerService({
              name: 'sample-bridge',
              slasher: bob.address,
              rules: [{ name: 'downtime', fraction: 10 * PERCENT, eject: false }],
              minStake: 1_000n * UNIT,
              validatorsOnly: false,
              exitDelay: 2,
              disputeWindow: 2,
              maxShare: null,
            }),
          ),
          dapi.tx.restaking.optIn(BRIDGE, 20_000n * UNIT),
          dapi.tx.restaking.setOperator(10 * PERCENT),
          dapi.tx.restaking.setOperator(12 * PERCENT),
        ]),
        alice,
      );
      setupEra = await eraAt(setUp.blockHash);
      assert.equal(
        theEvent(dapi, setUp.events, 'restaking', 'ServiceRegistered').data.service.toNumber(),
        BRIDGE,
      );
      const increase = theEvent(dapi, setUp.events, 'restaking', 'CommissionIncreaseScheduled');
      assert.equal(increase.data.commission.toNumber(), 12 * PERCENT);
      assert.equal(increase.data.fromEra.toNumber(), setupEra + 2);

      // Ferdie and Dave, each in one batch, in the same block if they can.
      const [ferdieDone, daveDone] = await Promise.all([
        sendAndWait(
          dapi,
          dapi.tx.utility.batchAll([
            dapi.tx.staking.bond(5_000n * UNIT, 'Staked'),
            dapi.tx.restaking.delegate(alice.address, 2_000n * UNIT),
            dapi.tx.restaking.excludeService(BRIDGE),
          ]),
          ferdie,
        ),
        sendAndWait(
          dapi,
          dapi.tx.utility.batchAll([
            dapi.tx.staking.bond(3_000n * UNIT, 'Staked'),
            dapi.tx.restaking.delegate(alice.address, 1_000n * UNIT),
            dapi.tx.restaking.undelegate(),
          ]),
          dave,
        ),
      ]);
      theEvent(dapi, ferdieDone.events, 'restaking', 'ServiceExcluded');
      const undelegated = theEvent(dapi, daveDone.events, 'restaking', 'Undelegated');
      // Both in the set-up's era: the figures below count from it.
      assert.equal(await eraAt(ferdieDone.blockHash), setupEra);
      assert.equal(await eraAt(daveDone.blockHash), setupEra);
      assert.equal(undelegated.data.until.toNumber(), setupEra + 2);

      // The page, pointed at this node with its Node WebSocket field and Connect.
      await page.$eval('#ws-url', (input) => {
        input.value = '';
      });
      await page.type('#ws-url', delegationNode.wsUrl);
      await page.click('#connect');
      await page.waitForFunction(
        (url) => document.getElementById('status').textContent.startsWith(`Connected to ${url}`),
        { timeout: PAGE_WAIT_MS },
        delegationNode.wsUrl,
      );
      assert.equal(new URL(page.url()).searchParams.get('ws'), delegationNode.wsUrl);
      assertNoPageErrors();
    }),
  );

  it(
    "account view: the operator Alice (10%, 12% from 2 eras on), her delegators the genesis pool and Ferdie with their amounts and exclusions, and Dave's ending delegation",
    { timeout: 2 * 60_000 },
    loggedBoth(async () => {
      const dapi = delegationApi;
      const released = setupEra + 2;
      const names = { [SAMPLE]: 'sample-oracle #0', [BRIDGE]: 'sample-bridge #1' };
      await openTab('account');
      const pick = async (who) => {
        await page.waitForSelector(`#account-pick option[value="${who.address}"]`, {
          timeout: PAGE_WAIT_MS,
        });
        await page.select('#account-pick', who.address);
        await waitForText(byTestId('account-address'), who.address);
      };

      // Alice, the operator: her commission and the increase waiting, her delegators.
      await pick(alice);
      const pool = (await dapi.call.restakingApi.pool(0)).unwrap().account.toString();
      const operator = (await dapi.call.restakingApi.operator(alice.address)).unwrap();
      assert.equal(operator.commission.toNumber(), 10 * PERCENT);
      const [pendingPpb, fromEra] = operator.pendingCommission.unwrap();
      assert.equal(pendingPpb.toNumber(), 12 * PERCENT);
      assert.equal(fromEra.toNumber(), released);
      await waitForText(byTestId('operator-commission'), `10%; 12% from era ${released}`);
      assert.equal(await textOf(byTestId('operator-accepting')), 'accepted');
      // The genesis pool and Ferdie delegate (in storage order, compared sorted); Dave
      // undelegated: a past delegator a report can still reach.
      const delegators = operator.delegators.map((d) => d.toString());
      assert.deepEqual([...delegators].sort(), [ferdie.address, pool].sort());
      assert.equal(operator.pastDelegators.toNumber(), 1);
      assert.equal(
        await textOf(byTestId('operator-delegator-count')),
        '2 (and 1 past delegator a report can still reach)',
      );
      // Her own stake, and the pool's and Ferdie's in each service: the pool backs the sample
      // service only (it does not follow her into the bridge before its notice), Ferdie's
      // bridge position is leaving.
      assert.deepEqual(
        operator.services.map((s) => [
          s.service.toNumber(),
          balance(s.own),
          balance(s.delegated),
          s.delegators.toNumber(),
        ]),
        [
          [SAMPLE, '50,000 RSTK', '12,000 RSTK', 2],
          [BRIDGE, '20,000 RSTK', '2,000 RSTK', 1],
        ],
      );
      assert.deepEqual(await tableRows(byTestId('operator-services')), [
        [names[SAMPLE], '50,000 RSTK', '12,000 RSTK', '2'],
        [names[BRIDGE], '20,000 RSTK', '2,000 RSTK', '1'],
      ]);
      // The pool has delegated since genesis (era 0); Alice's bridge is excluded for it until
      // its notice has passed, as Ferdie excluded it himself.
      const rows = {
        [pool]: [pool, '10,000 RSTK', '0', names[BRIDGE], 'in force'],
        [ferdie.address]: [ferdie.address, '2,000 RSTK', String(setupEra), names[BRIDGE], 'in force'],
      };
      assert.deepEqual(
        await tableRows(byTestId('operator-delegators')),
        delegators.map((who) => rows[who]),
      );
      await screenshot('operator');

      // Ferdie: his operator and amount, the sample service backed, the bridge excluded (his
      // position there leaving at the bridge's exit delay).
      await pick(ferdie);
      const delegation = (await dapi.call.restakingApi.delegation(ferdie.address)).unwrap();
      assert.equal(delegation.operator.toString(), alice.address);
      assert.equal(balance(delegation.amount), '2,000 RSTK');
      assert.equal(delegation.since.toNumber(), setupEra);
      assert.ok(delegation.until.isNone);
      assert.deepEqual(
        delegation.excluded.map((id) => id.toNumber()),
        [BRIDGE],
      );
      assert.equal(await textOf(byTestId('delegation-operator')), shortAddress(alice.address));
      assert.equal(
        await page.$eval(`${byTestId('delegation-operator')} span`, (el) => el.title),
        alice.address,
      );
      assert.equal(
        await textOf(byTestId('delegation-amount')),
        '2,000 RSTK in each service it backs',
      );
      assert.equal(
        await textOf(byTestId('delegation-commission')),
        `10% (12% from era ${released})`,
      );
      assert.equal(await textOf(byTestId('delegation-since')), `era ${setupEra}`);
      assert.equal(await textOf(byTestId('delegation-state')), 'in force');
      assert.equal(await textOf(byTestId('delegation-excluded')), names[BRIDGE]);
      const ferdieView = (await dapi.call.restakingApi.exposures(ferdie.address)).unwrap();
      assert.deepEqual(
        ferdieView.positions.map((p) => [
          p.service.toNumber(),
          balance(p.exposure),
          p.exit.isSome ? p.exit.unwrap().releaseEra.toNumber() : null,
        ]),
        [
          [SAMPLE, '2,000 RSTK', null],
          [BRIDGE, '2,000 RSTK', released],
        ],
      );
      assert.deepEqual(await tableRows(byTestId('delegation-services')), [
        [names[SAMPLE], 'backs the operator', '2,000 RSTK', 'in force'],
        [
          names[BRIDGE],
          'excluded',
          '2,000 RSTK',
          `leaving: can be released (complete_opt_out) from era ${released}`,
        ],
      ]);
      // His own positions table shows the same positions.
      assert.equal(await textOf(byTestId('account-allocated')), '4,000 RSTK');
      await screenshot('delegator');

      // Dave: undelegated, his delegation ends when both positions are released.
      await pick(dave);
      const ending = (await dapi.call.restakingApi.delegation(dave.address)).unwrap();
      assert.equal(ending.until.unwrap().toNumber(), released);
      assert.equal(
        await textOf(byTestId('delegation-amount')),
        '1,000 RSTK in each service it backs',
      );
      assert.equal(
        await textOf(byTestId('delegation-state')),
        `ending: it backs none of the operator's services from era ${released}`,
      );
      assert.equal(await textOf(byTestId('delegation-excluded')), 'none');
      const leaving = `leaving: can be released (complete_opt_out) from era ${released}`;
      assert.deepEqual(await tableRows(byTestId('delegation-services')), [
        [names[SAMPLE], 'backs the operator', '1,000 RSTK', leaving],
        [names[BRIDGE], 'backs the operator', '1,000 RSTK', leaving],
      ]);
      // Before the releases: the set-up's era or the next.
      assert.ok((await activeEra(dapi)) < released, 'read before the releases');
      assertNoPageErrors();
    }),
  );

  it(
    "services view: each service's secured stake split into own (Alice) and delegated (the genesis pool, Ferdie and Dave) stake",
    { timeout: 60_000 },
    loggedBoth(async () => {
      const dapi = delegationApi;
      await openTab('services');
      const services = await dapi.call.restakingApi.services();
      // Own: Alice's exposures; delegated: Ferdie's 2,000 and Dave's 1,000 in each (Ferdie's
      // bridge position leaving, Dave's both, but still exposed), and the genesis pool's 10,000
      // in the sample service only.
      const expected = [
        {
          id: SAMPLE,
          secured: '63,000 RSTK',
          own: 50_000n * UNIT,
          delegated: 13_000n * UNIT,
          restakers: '4',
        },
        {
          id: BRIDGE,
          secured: '23,000 RSTK',
          own: 20_000n * UNIT,
          delegated: 3_000n * UNIT,
          restakers: '3',
        },
      ];
      for (const { id, secured, own, delegated, restakers } of expected) {
        const service = services[id];
        assert.equal(service.id.toNumber(), id);
        assert.equal(balance(service.totalSecured), secured);
        assert.equal(own + delegated, service.totalSecured.toBigInt());
        await waitForText(byTestId(`service-${id}-secured`), secured);
        assert.equal(await textOf(byTestId(`service-${id}-restakers`)), restakers);
        assert.equal(
          await textOf(byTestId(`service-${id}-split`)),
          `${formatBalance(own, token)} own · ${formatBalance(delegated, token)} delegated`,
        );
      }
      assert.equal(
        await textOf(byTestId('service-0-split')),
        '50,000 RSTK own · 13,000 RSTK delegated',
      );
      assert.equal(
        await textOf(byTestId('service-1-split')),
        '20,000 RSTK own · 3,000 RSTK delegated',
      );
      await screenshot('services-split');
      assertNoPageErrors();
    }),
  );

  it(
    'cascade graph: a dashed arrow from the operator Alice to each delegator, in the legend; selecting Alice names them',
    { timeout: 60_000 },
    loggedBoth(async () => {
      await openTab('cascade');
      // The genesis pool's keyless account is a delegator of Alice too.
      const pool = {
        address: (await delegationApi.call.restakingApi.pool(0)).unwrap().account.toString(),
      };
      const edgeId = (who) => `delegation-edge-${alice.address}-${who.address}`;
      const edge = (who) => byTestId(edgeId(who));
      await page.waitForSelector(edge(ferdie), { timeout: PAGE_WAIT_MS });
      await page.waitForSelector(edge(dave), { timeout: PAGE_WAIT_MS });
      await page.waitForSelector(edge(pool), { timeout: PAGE_WAIT_MS });
      // Exactly those three: no arrow from or to anyone else.
      assert.deepEqual(
        await page.$$eval('[data-testid^="delegation-edge-"]', (edges) =>
          edges.map((e) => e.getAttribute('data-testid')).sort(),
        ),
        [edgeId(ferdie), edgeId(dave), edgeId(pool)].sort(),
      );
      const classOf = (selector) => page.$eval(selector, (el) => el.getAttribute('class').trim());
      assert.equal(await classOf(edge(ferdie)), 'delegation');
      assert.equal(await classOf(edge(pool)), 'delegation');
      assert.equal(await classOf(edge(dave)), 'delegation ending');
      assert.equal(
        await page.$eval(`${edge(ferdie)} title`, (el) => el.textContent),
        `${shortAddress(alice.address)} → ${shortAddress(ferdie.address)}: delegates 2,000 RSTK`,
      );
      assert.equal(
        await page.$eval(`${edge(dave)} title`, (el) => el.textContent),
        `${shortAddress(alice.address)} → ${shortAddress(dave.address)}: delegates 1,000 RSTK, ending from era ${setupEra + 2}`,
      );
      // Told apart from the exposure edges: dashed, with an arrow at the delegator.
      const style = (selector) =>
        page.$eval(selector, (el) => ({
          dash: getComputedStyle(el).strokeDasharray,
          marker: el.getAttribute('marker-end'),
        }));
      assert.deepEqual(await style(byTestId(`edge-${alice.address}-${SAMPLE}`)), {
        dash: 'none',
        marker: null,
      });
      const arrow = await style(edge(ferdie));
      assert.notEqual(arrow.dash, 'none');
      assert.equal(arrow.marker, 'url(#delegation-arrow)');
      assert.equal(
        await textOf(byTestId('legend-delegation')),
        'delegation: operator → delegator, dashed (lighter while the delegation is ending)',
      );
      assert.equal(
        await textOf(byTestId('legend-exposure')),
        'exposure: restaker – service, as wide as the exposure',
      );

      // Selecting Alice lights her arrows and names her delegators, in the graph's order.
      await page.click(byTestId(`restaker-node-${alice.address}`));
      await page.waitForSelector(`${edge(ferdie)}.reached`, { timeout: PAGE_WAIT_MS });
      await page.waitForSelector(`${edge(dave)}.reached`, { timeout: PAGE_WAIT_MS });
      await page.waitForSelector(`${edge(pool)}.reached`, { timeout: PAGE_WAIT_MS });
      const delegators = [
        [ferdie.address, '2,000 RSTK'],
        [dave.address, '1,000 RSTK'],
        [pool.address, '10,000 RSTK'],
      ].sort(([a], [b]) => (a < b ? -1 : 1));
      await waitForText(
        byTestId('cascade-reach'),
        `A slash of ${shortAddress(alice.address)} reaches sample-oracle #0 (exposure 50,000 RSTK), sample-bridge #1 (exposure 20,000 RSTK). ` +
          `Reports against it also reach its delegators once its slash lands: ${delegators
            .map(([who, amount]) => `${shortAddress(who)} (${amount})`)
            .join(', ')}.`,
      );
      // Ferdie's own slash reaches his two services; he names his operator.
      await page.click(byTestId(`restaker-node-${ferdie.address}`));
      await waitForText(
        byTestId('cascade-reach'),
        `A slash of ${shortAddress(ferdie.address)} reaches sample-oracle #0 (exposure 2,000 RSTK), sample-bridge #1 (exposure 2,000 RSTK). ` +
          `It delegates to ${shortAddress(alice.address)}: reports against ${shortAddress(alice.address)} reach it too.`,
      );
      assert.equal(await classOf(edge(ferdie)), 'delegation dim');
      await screenshot('cascade-delegation');
      assert.ok((await activeEra(delegationApi)) < setupEra + 2, 'read before the releases');
      assertNoPageErrors();
    }),
  );

  it(
    "pools view: a pool delegating to Alice with its rate, terms and holders; in the cascade graph Alice → the pool → its holders",
    { timeout: 2 * 60_000 },
    loggedBoth(async () => {
      const dapi = delegationApi;
      // Pool 1: the genesis pool is 0. Alice's fourth delegator entry (the genesis pool,
      // Ferdie, Dave's ending one), the most fast-runtime lets an operator have.
      const created = await sendAndWait(
        dapi,
        dapi.tx.restaking.createPool(alice.address, 10_000n * UNIT),
        two,
      );
      const pool = theEvent(dapi, created.events, 'restaking', 'PoolCreated').data.pool.toNumber();
      assert.equal(pool, 1);
      await sendAndWait(dapi, dapi.tx.restaking.join(pool, 4_000n * UNIT), eve);
      const asset = 0x8000_0000 + pool; // the runtime's `RestakingPoolAsset`
      await sendAndWait(dapi, dapi.tx.assets.transfer(asset, charlie.address, 1_000n * UNIT), eve);

      await openTab('pools');
      const view = (await dapi.call.restakingApi.pool(pool)).unwrap();
      const id = (name) => byTestId(`pool-${pool}-${name}`);
      assert.equal(view.ratePpb.toBigInt(), PPB);
      await waitForText(id('supply'), '14,000 RSTK in shares');
      assert.equal(await textOf(id('rate')), '1 RSTK a share');
      assert.equal(await textOf(id('active')), '14,000 RSTK');
      assert.equal(await textOf(id('pending')), '0 RSTK');
      assert.equal(await textOf(id('operator')), shortAddress(alice.address));
      assert.equal(await textOf(id('manager')), shortAddress(two.address));
      assert.equal(await textOf(id('asset')), `#${asset}`);
      // The terms: Alice's two services, each with its harshest rule; the worst case of a
      // share as the runtime computes it.
      assert.deepEqual(
        view.services.map(([service, fraction]) => [service.toNumber(), fraction.toNumber()]),
        [
          [SAMPLE, 50 * PERCENT],
          [BRIDGE, 10 * PERCENT],
        ],
      );
      assert.deepEqual(await tableRows(id('terms')), [
        ['sample-oracle #0', '50%'],
        ['sample-bridge #1', '10%'],
      ]);
      assert.equal(
        await textOf(id('worst-case')),
        `${formatPercent(view.worstCase.toNumber())} now, ` +
          `${formatPercent(view.worstCaseAfter.toNumber())} after the changes waiting`,
      );
      assert.equal(await textOf(id('changes')), 'none');
      assert.equal(await textOf(id('redemptions')), 'empty');
      // Holders, largest first, worth their shares at the rate.
      const holders = [
        [shortAddress(eve.address), '3,000 RSTK', '3,000 RSTK'],
        [shortAddress(charlie.address), '1,000 RSTK', '1,000 RSTK'],
      ];
      assert.deepEqual(await tableRows(id('holders')), holders);
      await screenshot('pools');

      // The cascade graph: Alice's delegation arrow to the pool, the pool's to each holder.
      await openTab('cascade');
      const account = view.account.toString();
      await page.waitForSelector(byTestId(`delegation-edge-${alice.address}-${account}`), {
        timeout: PAGE_WAIT_MS,
      });
      for (const who of [eve, charlie]) {
        await page.waitForSelector(byTestId(`holding-edge-${pool}-${who.address}`), {
          timeout: PAGE_WAIT_MS,
        });
        await page.waitForSelector(byTestId(`holder-node-${who.address}`), {
          timeout: PAGE_WAIT_MS,
        });
      }
      assert.equal(
        await page.$eval(`${byTestId(`holding-edge-${pool}-${eve.address}`)} title`, (el) => el.textContent),
        `pool #${pool} → ${shortAddress(eve.address)}: 3,000 RSTK shares`,
      );
      assert.equal(
        await textOf(byTestId('legend-holding')),
        'holding: pool → holder of its shares, dotted',
      );
      await page.click(byTestId(`restaker-node-${account}`));
      await page.waitForSelector(`${byTestId(`holding-edge-${pool}-${eve.address}`)}.reached`, {
        timeout: PAGE_WAIT_MS,
      });
      const reach = await textOf(byTestId('cascade-reach'));
      assert.ok(
        reach.endsWith(
          `It is pool #${pool}: its holders bear it through the rate: ` +
            `${shortAddress(eve.address)} (3,000 RSTK shares), ${shortAddress(charlie.address)} (1,000 RSTK shares).`,
        ),
        reach,
      );
      await screenshot('cascade-pool');
      assertNoPageErrors();
    }),
  );

  it(
    'node down: pointed at a closed port, the page says it cannot reach it',
    { timeout: 60_000 },
    logged(async () => {
      const [port] = await freePorts(1); // free: nothing listens there
      closedUrl = `ws://127.0.0.1:${port}`;
      await page.$eval('#ws-url', (input) => {
        input.value = '';
      });
      await page.type('#ws-url', closedUrl);
      await page.click('#connect');
      await waitForText(byTestId('notice'), `Cannot reach ${closedUrl}. Is the node running?`);
      assert.equal(await textOf(byTestId('status')), 'Not connected');
      assert.equal(await page.$eval('#app', (el) => el.hidden), true, 'no stale figures');
      assert.equal(new URL(page.url()).searchParams.get('ws'), closedUrl);
      await screenshot('node-down');
      assertNoPageErrors();
    }),
  );
});
