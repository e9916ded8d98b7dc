// Bounded restaking risk, end to end on one `--dev` node (fast-runtime: 6 s blocks, an era a
// minute): the chain-wide risk figures, max-not-sum reports, the breaker holding slashes, one
// held slash approved by governance and landing, another dropped at its apply era, and the
// coverage and concentration refusals. Real signed extrinsics and the RestakingApi runtime API,
// no custom types.
//
// The dev chain: Alice alone validates with 100,000 UNIT bonded, 50,000 of it in the sample
// service (id 0, slasher Bob, rule 0 `downtime` 10%, rule 1 `equivocation` 50% + eject, 2-era
// dispute window). She also operates at 10% for the genesis pool 0, which delegates its 10,000
// to her (10,000 more in the sample service) and nominates her: from era 1 on, the stake
// behind the validator set is 110,000. The runtime keeps every restaker covered
// (`FullCoverage`) and its breaker lets the slashes due in one era take at most 10% of the
// stake behind the active validator set: 11,000 UNIT an era here, from era 1 on.
//
// The reports are of Ferdie, who bonds 100,000 and backs the sample service with 50,000 as
// Alice does, not of Alice: a service takes at most one report against an operator with
// delegators landing in an era on fast-runtime (`MaxOperatorSlashesPerEra` 1, refused with
// `TooManyOperatorSlashes`), and max-not-sum and the breaker need three sharing one apply era.
//
// Plan, about 4.5 minutes: the figures from era 1; Ferdie opts in, then in the first blocks of
// the next era (so that all three reports share one apply era, two eras later) the reports and
// the approval; the coverage refusals while the apply era comes; then the landing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import {
  BLOCK_MS,
  DispatchFailed,
  ERA_MS,
  UNIT,
  activeEra,
  cleanup,
  connect,
  eventsOf,
  sendAndWait,
  startNode,
  theEvent,
  waitForBlocks,
  waitForEra,
  waitForEvent,
  withLogs,
} from '../lib/node.js';

const SAMPLE = 0; // the genesis sample service, "sample-oracle", slasher Bob
const PPB = 1_000_000_000n; // Perbill and the views' ratios: parts per billion
const PERCENT = 10_000_000; // 1% as a Perbill

let node;
let api;
let alice, bob, eve, ferdie; // Ferdie: the offender of the reports

// What Ferdie's reports scheduled, for the landing test.
let reportEra; // the offence era of the approved slash (the active era of the reports)
let applyEra; // every report's apply era: reportEra + 2
let downtimeId; // downtime, offence era reportEra - 1: 5,000, within the 11,000 budget
let droppedId; // equivocation, offence era reportEra - 1: 20,000 more, held, never approved
let approvedId; // equivocation, offence era reportEra: 25,000, held, approved through sudo
let firstReportBlock;

/** Run a test body; on failure, the error carries the tail of the node's log. */
const logged = (fn) => () => withLogs([node], fn);

// ---- small readers ---------------------------------------------------------------------------

/** The staking ledger of a stash that is its own controller: `{ total, active }` as BigInts. */
async function ledgerOf(who, at = api) {
  const ledger = await at.query.staking.ledger(who.address);
  if (ledger.isNone) return null;
  const { total, active } = ledger.unwrap();
  return { total: total.toBigInt(), active: active.toBigInt() };
}

async function service(id, at = api) {
  const view = await at.call.restakingApi.service(id);
  assert.ok(view.isSome, `service ${id} should exist`);
  return view.unwrap();
}

async function risk(at = api) {
  return at.call.restakingApi.risk();
}

/** `(apply era, { cap, within, approved })` of the breaker's budgets, in UNIT. */
function budgetsOf(view) {
  return view.budgets.map(([era, b]) => [
    era.toNumber(),
    {
      cap: b.cap.toBigInt() / UNIT,
      within: b.within.toBigInt() / UNIT,
      approved: b.approved.toBigInt() / UNIT,
    },
  ]);
}

/** The pending slashes of a service: id -> { amount in UNIT, breaker state, apply era }. */
async function pendingOf(serviceId, at = api) {
  const pending = await at.call.restakingApi.pendingSlashes(serviceId);
  return Object.fromEntries(
    pending.map(([id, s]) => [
      id.toNumber(),
      { amount: s.amount.toBigInt() / UNIT, breaker: s.breaker.type, applyEra: s.applyEra.toNumber() },
    ]),
  );
}

async function apiAt(blockHash) {
  return api.at(blockHash ?? (await api.rpc.chain.getBlockHash()));
}

/** Everything a refused call could have touched in this pallet, as plain JSON. */
async function restakingState(at) {
  const [services, risky, nextSlashId, queue, ofAlice, ofEve, ofFerdie] = await Promise.all([
    at.call.restakingApi.services(),
    at.call.restakingApi.risk(),
    at.query.restaking.nextSlashId(),
    at.query.restaking.serviceSlashes.entries(),
    at.call.restakingApi.exposures(alice.address),
    at.call.restakingApi.exposures(eve.address),
    at.call.restakingApi.exposures(ferdie.address),
  ]);
  return JSON.parse(
    JSON.stringify({
      services: services.toJSON(),
      risk: risky.toJSON(),
      nextSlashId: nextSlashId.toJSON(),
      queue: queue.map(([key, ids]) => [key.args[0].toNumber(), ids.toJSON()]).sort(),
      exposures: { alice: ofAlice.toJSON(), eve: ofEve.toJSON(), ferdie: ofFerdie.toJSON() },
    }),
  );
}

/**
 * Submit `tx` and expect it refused with the restaking error `errorName`, with restaking state
 * the same before and in the block that refused it.
 */
async function expectRefused(tx, signer, errorName) {
  const before = await restakingState(await apiAt());
  let error = null;
  try {
    await sendAndWait(api, tx, signer);
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected ${errorName}, but the call succeeded`);
  assert.ok(error instanceof DispatchFailed, `expected a dispatch error, got: ${error.message}`);
  assert.equal(error.errorName, errorName, error.message);
  assert.equal(error.section, 'restaking', error.message);
  const afterState = await restakingState(await apiAt(error.blockHash));
  assert.deepEqual(afterState, before, `${errorName} must leave restaking state untouched`);
}

/** Bob's report of Ferdie; returns `{ scheduled, held, blockNumber }` (`held`: SlashHeld or null). */
async function report(rule, offenceEra) {
  const { events, blockNumber } = await sendAndWait(
    api,
    api.tx.restaking.reportOffence(SAMPLE, ferdie.address, rule, offenceEra),
    bob,
  );
  const scheduled = theEvent(api, events, 'restaking', 'SlashScheduled').data;
  const held = eventsOf(api, events, 'restaking', 'SlashHeld')[0]?.data ?? null;
  return { scheduled, held, blockNumber };
}

// ---- the chain -------------------------------------------------------------------------------

describe('bounded restaking risk', () => {
  before(
    async () => {
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
      [alice, bob, eve, ferdie] = ['Alice', 'Bob', 'Eve', 'Ferdie'].map((n) =>
        keyring.addFromUri(`//${n}`),
      );
      node = await startNode({ name: 'bounded-risk', args: ['--dev'] });
      api = await connect(node);
      const sessionsPerEra = api.consts.staking.sessionsPerEra.toNumber();
      assert.equal(sessionsPerEra, 2, 'build the node with --features fast-runtime');
      await waitForBlocks(api, 1); // the node is authoring
    },
    { timeout: 240_000 },
  );

  // Runs even when `before` or a test failed or timed out.
  after(() => cleanup({ apis: [api], nodes: [node] }), { timeout: 60_000 });

  it(
    'the risk figures: 110,000 bonded, 60,000 restaked, coverage kept, a 10% breaker',
    // Waits for era 1 (up to a minute).
    { timeout: 3 * 60_000 },
    logged(async () => {
      for (const call of ['approveSlash', 'approveHeldSlashes']) {
        assert.equal(typeof api.tx.restaking[call], 'function', `api.tx.restaking.${call}`);
      }
      assert.equal(typeof api.call.restakingApi.risk, 'function', 'restakingApi.risk');

      // Era 0's validator set was elected before the genesis pool bonded: its nomination of
      // Alice counts from era 1. From then on the stake behind the validators is Alice's
      // 100,000 and the pool's 10,000, and the sample service has both their 50,000 + 10,000.
      await waitForEra(api, 1);
      const figures = await risk();
      assert.equal(figures.totalBonded.toBigInt(), 110_000n * UNIT);
      assert.equal(figures.totalRestaked.toBigInt(), 60_000n * UNIT);
      assert.equal(figures.restakedSharePpb.toBigInt(), (PPB * 6n) / 11n); // 60,000 / 110,000
      assert.equal(figures.fullCoverage.isTrue, true);
      assert.ok(figures.breaker.isSome);
      assert.equal(figures.breaker.unwrap().toNumber(), 10 * PERCENT);
      assert.deepEqual(budgetsOf(figures), []);
      assert.equal(figures.heldSlashes.toNumber(), 0);

      // The sample service: its worst case is its largest rule, 50%; no cap on its share.
      const sample = await service(SAMPLE);
      assert.equal(sample.worstCase.toNumber(), 50 * PERCENT);
      assert.ok(sample.maxShare.isNone);
      assert.equal(sample.sharePpb.toBigInt(), (PPB * 6n) / 11n);
      assert.ok(sample.pendingChange.isNone);
      assert.equal(sample.heldSlashes.toNumber(), 0);

      // Alice: 50,000 at a 50% worst case claims 25,000 of her 100,000: coverage 25%.
      const view = (await api.call.restakingApi.exposures(alice.address)).unwrap();
      assert.equal(view.totalClaim.toBigInt(), 25_000n * UNIT);
      assert.equal(view.coveragePpb.toBigInt(), PPB / 4n);
      const [position] = view.positions;
      assert.equal(position.worstCase.toNumber(), 50 * PERCENT);
      assert.equal(position.claim.toBigInt(), 25_000n * UNIT);

      // What an equivocation report would do now: 25,000, more than the 11,000 budget.
      const sim = (await api.call.restakingApi.simulateSlash(SAMPLE, alice.address, 1)).asOk;
      assert.equal(sim.amount.toBigInt(), 25_000n * UNIT);
      assert.equal(sim.held.isTrue, true, 'the breaker would hold it');
      assert.equal(sim.worstCase.toNumber(), 50 * PERCENT);
      assert.equal(sim.coverageBeforePpb.toBigInt(), PPB / 4n);
      assert.equal(sim.coverageAfterPpb.toBigInt(), 0n, 'ejected: no claim left');
      assert.ok(sim.ruleChangeEra.isNone);
      const downtime = (await api.call.restakingApi.simulateSlash(SAMPLE, alice.address, 0)).asOk;
      assert.equal(downtime.amount.toBigInt(), 5_000n * UNIT);
      assert.equal(downtime.held.isTrue, false, '5,000 fits the 11,000 budget');
    }),
  );

  describe('held slashes', () => {
    it(
      'max, not sum: downtime fits the breaker, an equivocation of the same era adds 20,000 and is held',
      // Ferdie's set-up, the next era (up to a minute), then three blocks or so.
      { timeout: 4 * 60_000 },
      logged(async () => {
        // Ferdie bonds 100,000 and backs the sample service with 50,000: in force from the era
        // of his opt-in, so an offence of that era is his to answer for.
        await sendAndWait(api, api.tx.staking.bond(100_000n * UNIT, 'Staked'), ferdie);
        const joined = await sendAndWait(api, api.tx.restaking.optIn(SAMPLE, 50_000n * UNIT), ferdie);
        const joinedEra = await activeEra(await api.at(joined.blockHash));
        // All three reports must share one apply era, hence one budget: report in the first
        // blocks of an era, and for the era before it too (an era Ferdie backed the service in).
        await waitForEra(api, joinedEra + 1);
        const start = await api.query.staking.activeEra();
        const now = (await api.query.timestamp.now()).toNumber();
        const started = start.unwrap().start;
        if (started.isSome && now - started.unwrap().toNumber() > 2 * BLOCK_MS) {
          await waitForEra(api, (await activeEra(api)) + 1);
        }
        reportEra = await activeEra(api);

        // Downtime of the era before: 10% of 50,000 = 5,000, within the era's 11,000.
        const downtime = await report(0, reportEra - 1);
        firstReportBlock = downtime.blockNumber;
        downtimeId = downtime.scheduled.slashId.toNumber();
        applyEra = downtime.scheduled.applyEra.toNumber();
        assert.equal(applyEra, reportEra + 2, 'the 2-era dispute window');
        assert.equal(downtime.scheduled.amount.toBigInt(), 5_000n * UNIT);
        assert.equal(downtime.held, null, 'within the budget: not held');

        // Equivocation of the same offence era: 50% of 50,000 = 25,000 in all, so 20,000 more
        // (max, not sum). 20,000 does not fit the 6,000 left: held.
        const equivocation = await report(1, reportEra - 1);
        assert.equal(equivocation.scheduled.applyEra.toNumber(), applyEra);
        droppedId = equivocation.scheduled.slashId.toNumber();
        assert.equal(equivocation.scheduled.amount.toBigInt(), 20_000n * UNIT);
        assert.ok(equivocation.held, 'SlashHeld');
        assert.equal(equivocation.held.slashId.toNumber(), droppedId);
        assert.equal(equivocation.held.service.toNumber(), SAMPLE);
        assert.equal(equivocation.held.amount.toBigInt(), 20_000n * UNIT);
        assert.equal(equivocation.held.capLeft.toBigInt(), 6_000n * UNIT);
        assert.equal(equivocation.held.applyEra.toNumber(), applyEra);

        assert.deepEqual(await pendingOf(SAMPLE), {
          [downtimeId]: { amount: 5_000n, breaker: 'Within', applyEra },
          [droppedId]: { amount: 20_000n, breaker: 'Held', applyEra },
        });
        const figures = await risk();
        assert.equal(figures.heldSlashes.toNumber(), 1);
        // 10% of the 110,000 behind the validators (Alice's 100,000, the genesis pool's 10,000).
        assert.deepEqual(budgetsOf(figures), [[applyEra, { cap: 11_000n, within: 5_000n, approved: 0n }]]);
        assert.equal((await service(SAMPLE)).heldSlashes.toNumber(), 1);
      }),
    );

    it(
      'an equivocation of this era is held and approved through sudo in its dispute window',
      { timeout: 2 * 60_000 },
      logged(async () => {
        // 25,000, and 6,000 is left of the budget: held. Held slashes take nothing from it.
        const equivocation = await report(1, reportEra);
        approvedId = equivocation.scheduled.slashId.toNumber();
        assert.equal(equivocation.scheduled.applyEra.toNumber(), applyEra);
        assert.equal(equivocation.scheduled.amount.toBigInt(), 25_000n * UNIT);
        assert.ok(equivocation.held, 'SlashHeld');
        assert.equal(equivocation.held.amount.toBigInt(), 25_000n * UNIT);
        assert.equal(equivocation.held.capLeft.toBigInt(), 6_000n * UNIT);

        const pending = (await api.call.restakingApi.pendingSlashesOf(ferdie.address)).find(([id]) =>
          id.eq(approvedId),
        )[1];
        assert.equal(pending.breaker.type, 'Held');
        assert.equal((await risk()).heldSlashes.toNumber(), 2);
        assert.equal((await service(SAMPLE)).heldSlashes.toNumber(), 2);

        // Approving needs governance: Bob alone is refused.
        await assert.rejects(
          sendAndWait(api, api.tx.restaking.approveSlash(approvedId), bob),
          (e) => e instanceof DispatchFailed && e.errorName === 'BadOrigin',
        );
        const approved = await sendAndWait(
          api,
          api.tx.sudo.sudo(api.tx.restaking.approveSlash(approvedId)),
          alice,
        );
        assert.ok((await activeEra(api)) < applyEra, 'approved inside the dispute window');
        const event = theEvent(api, approved.events, 'restaking', 'SlashApproved');
        assert.equal(event.data.slashId.toNumber(), approvedId);
        // Approving it again: it is no longer held.
        await assert.rejects(
          sendAndWait(api, api.tx.sudo.sudo(api.tx.restaking.approveSlash(approvedId)), alice),
          (e) => e instanceof DispatchFailed && e.errorName === 'NotHeld',
        );

        assert.deepEqual(await pendingOf(SAMPLE), {
          [downtimeId]: { amount: 5_000n, breaker: 'Within', applyEra },
          [droppedId]: { amount: 20_000n, breaker: 'Held', applyEra },
          [approvedId]: { amount: 25_000n, breaker: 'Approved', applyEra },
        });
        const figures = await risk();
        assert.equal(figures.heldSlashes.toNumber(), 1);
        assert.deepEqual(budgetsOf(figures), [
          [applyEra, { cap: 11_000n, within: 5_000n, approved: 25_000n }],
        ]);
        assert.equal((await service(SAMPLE)).heldSlashes.toNumber(), 1);
      }),
    );

    it(
      'a downtime report of this era adds nothing to the 50% already reported: OffenceAlreadySlashed',
      { timeout: 60_000 },
      logged(async () => {
        await expectRefused(
          api.tx.restaking.reportOffence(SAMPLE, ferdie.address, 0, reportEra),
          bob,
          'OffenceAlreadySlashed',
        );
      }),
    );
  });

  describe('coverage and concentration refusals change nothing', () => {
    let vault;

    before(
      async () => {
        // Eve bonds 2,000 and puts all of it in the sample service: 1,000 claimed at 50%.
        await sendAndWait(api, api.tx.staking.bond(2_000n * UNIT, 'Staked'), eve);
        await sendAndWait(api, api.tx.restaking.optIn(SAMPLE, 2_000n * UNIT), eve);
        // A vault that may take everything (100%), capped at 0.5% of the bonded stake: 550.
        const registered = await sendAndWait(
          api,
          api.tx.sudo.sudo(
            api.tx.restaking.registerService({
              name: 'e2e-vault',
              slasher: bob.address,
              rules: [{ name: 'theft', fraction: 100 * PERCENT, eject: true }],
              minStake: 100n * UNIT,
              validatorsOnly: false,
              exitDelay: 2,
              disputeWindow: 2,
              maxShare: PERCENT / 2,
            }),
          ),
          alice,
        );
        vault = theEvent(api, registered.events, 'restaking', 'ServiceRegistered').data.service;
      },
      { timeout: 2 * 60_000 },
    );

    it(
      'claims above the stake: CoverageExceeded (1,000 + 100% x 1,500 > 2,000)',
      { timeout: 60_000 },
      logged(async () => {
        const view = (await api.call.restakingApi.exposures(eve.address)).unwrap();
        assert.equal(view.totalClaim.toBigInt(), 1_000n * UNIT);
        assert.equal(view.coveragePpb.toBigInt(), PPB / 2n);
        // 3,500 allocated is within leverage (3 x 2,000): coverage is what refuses it.
        await expectRefused(api.tx.restaking.optIn(vault, 1_500n * UNIT), eve, 'CoverageExceeded');
      }),
    );

    it(
      "more than the vault's max_share of the bonded stake: ConcentrationExceeded (600 > 0.5% x 110,000)",
      { timeout: 2 * 60_000 },
      logged(async () => {
        await expectRefused(api.tx.restaking.optIn(vault, 600n * UNIT), eve, 'ConcentrationExceeded');

        // 500 fits both: claims 1,000 + 500 of 2,000, and 550, 0.5% of 110,000.
        await sendAndWait(api, api.tx.restaking.optIn(vault, 500n * UNIT), eve);
        const view = (await api.call.restakingApi.exposures(eve.address)).unwrap();
        assert.equal(view.totalClaim.toBigInt(), 1_500n * UNIT);
        assert.equal(view.coveragePpb.toBigInt(), (PPB * 3n) / 4n);
        const vaultView = await service(vault);
        assert.equal(vaultView.maxShare.unwrap().toNumber(), PERCENT / 2);
        assert.equal(vaultView.worstCase.toNumber(), 100 * PERCENT);
        assert.equal(vaultView.sharePpb.toBigInt(), PPB / 220n); // 500 / 110,000
        // The sample service's 50,000 (Alice) + 10,000 (the genesis pool) + 50,000 (Ferdie) +
        // 2,000 (Eve), and the vault's 500.
        assert.equal((await risk()).totalRestaked.toBigInt(), 112_500n * UNIT);
      }),
    );
  });

  describe('at the apply era', () => {
    it(
      'the approved slash lands in full, the held one nobody approved is dropped and takes nothing',
      // The apply era starts two eras after the reports; the wait is bounded at 4 eras.
      { timeout: 5 * 60_000 },
      logged(async () => {
        const dropped = await waitForEvent(
          api,
          (ev) =>
            api.events.restaking.HeldSlashDropped.is(ev) && ev.data.slashId.toNumber() === droppedId,
          { fromBlock: firstReportBlock, timeoutMs: 4 * ERA_MS, what: `HeldSlashDropped #${droppedId}` },
        );
        const at = await api.at(dropped.blockHash);
        const header = await api.rpc.chain.getHeader(dropped.blockHash);
        const atParent = await api.at(header.parentHash);
        assert.equal(await activeEra(at), applyEra, 'dropped exactly at its apply era');
        assert.equal(dropped.event.data.service.toNumber(), SAMPLE);
        assert.equal(dropped.event.data.offender.toString(), ferdie.address);
        assert.equal(dropped.event.data.amount.toBigInt(), 20_000n * UNIT);

        // The same block lands the downtime slash and the approved equivocation, in full.
        const events = (await at.query.system.events()).map(({ event }) => event);
        const applied = Object.fromEntries(
          events
            .filter((ev) => api.events.restaking.SlashApplied.is(ev))
            .map((ev) => [ev.data.slashId.toNumber(), ev.data.amount.toBigInt() / UNIT]),
        );
        assert.deepEqual(applied, { [downtimeId]: 5_000n, [approvedId]: 25_000n });
        const slashed = events
          .filter((ev) => api.events.staking.Slashed.is(ev) && ev.data.staker.eq(ferdie.address))
          .map((ev) => ev.data.amount.toBigInt() / UNIT)
          .sort((a, b) => (a < b ? -1 : 1));
        assert.deepEqual(slashed, [5_000n, 25_000n], "pallet-staking's own Slashed events");
        assert.ok(
          events.some(
            (ev) =>
              api.events.restaking.Ejected.is(ev) &&
              ev.data.who.eq(ferdie.address) &&
              ev.data.service.toNumber() === SAMPLE,
          ),
          'the approved equivocation ejects Ferdie',
        );

        // Ferdie's bonded ledger lost exactly 5,000 + 25,000: nothing of the dropped 20,000.
        const ledgerBefore = await ledgerOf(ferdie, atParent);
        const ledgerAfter = await ledgerOf(ferdie, at);
        assert.equal(ledgerBefore.total, 100_000n * UNIT);
        assert.equal(ledgerAfter.total, 70_000n * UNIT);

        assert.deepEqual(await pendingOf(SAMPLE, at), {});
        const figures = await risk(at);
        assert.equal(figures.heldSlashes.toNumber(), 0);
        assert.equal((await service(SAMPLE, at)).heldSlashes.toNumber(), 0);
      }),
    );
  });
});
