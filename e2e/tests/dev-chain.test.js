// End-to-end tests against one `--dev` node (fast-runtime: 6 s blocks, an era a minute).
//
// The sections run in order and build on each other, like a user session on one chain:
// the genesis sample service, a service registered by governance, refused bad inputs, a new
// validator joining, a service slash, and a base-layer slash that cascades. Everything goes
// through real signed extrinsics and the RestakingApi runtime API, with no custom types.
//
// The dev chain's genesis also makes Alice an operator (10%) and has `//Two`'s liquid restaking
// pool 0 delegate its 10,000 to her: the pool backs the sample service with her (50,000 + 10,000)
// and nominates her, so its stake is behind the validator set from era 1 on, and her slashes
// reach it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import {
  BLOCK_MS,
  DispatchFailed,
  ERA_MS,
  UNIT,
  activeEra,
  bestNumber,
  blockEvents,
  cleanup,
  connect,
  eventsOf,
  rpcSend,
  sendAndWait,
  startNode,
  theEvent,
  waitFor,
  waitForBlocks,
  waitForEra,
  waitForEvent,
  withLogs,
} from '../lib/node.js';

const SAMPLE = 0; // the genesis sample service, "sample-oracle", slasher Bob
const PERBILL_10 = 100_000_000; // 10% as a Perbill

let node;
let api;
let alice, bob, charlie, dave, eve;
let bridge; // id of the service this file registers; its slasher is Dave
let poolAccount; // the keyless account of the genesis pool 0, which delegates to Alice

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

/** The balance pallet-staking holds for `who` (0 if none). */
async function stakingHold(who, at = api) {
  const holds = await at.query.balances.holds(who.address);
  const hold = holds.find((h) => h.id.type === 'Staking');
  return hold ? hold.amount.toBigInt() : 0n;
}

async function service(id, at = api) {
  const view = await at.call.restakingApi.service(id);
  assert.ok(view.isSome, `service ${id} should exist`);
  return view.unwrap();
}

async function exposures(who, at = api) {
  return at.call.restakingApi.exposures(who.address);
}

/** What the `ExposureReduced` events of `service` took in blocks `from` to `to`, together. */
async function reducedIn(service, from, to) {
  let sum = 0n;
  for (let n = from; n <= to; n++) {
    const { events } = await blockEvents(api, n);
    for (const { event } of events) {
      if (
        api.events.restaking.ExposureReduced.is(event) &&
        event.data.service.toNumber() === service
      ) {
        sum += event.data.amount.toBigInt();
      }
    }
  }
  return sum;
}

/** The API at the block with this hash, or at the current best block. */
async function apiAt(blockHash) {
  return api.at(blockHash ?? (await api.rpc.chain.getBlockHash()));
}

async function parentHash(blockHash) {
  return (await api.rpc.chain.getHeader(blockHash)).parentHash;
}

/** Everything a refused call could have touched in this pallet, as plain JSON. */
async function restakingState(at) {
  const [services, nextServiceId, nextSlashId, queue, ofAlice, ofEve, ofDave] = await Promise.all([
    at.call.restakingApi.services(),
    at.query.restaking.nextServiceId(),
    at.query.restaking.nextSlashId(),
    at.query.restaking.serviceSlashes.entries(),
    at.call.restakingApi.exposures(alice.address),
    at.call.restakingApi.exposures(eve.address),
    at.call.restakingApi.exposures(dave.address),
  ]);
  return JSON.parse(
    JSON.stringify({
      services: services.toJSON(),
      nextServiceId: nextServiceId.toJSON(),
      nextSlashId: nextSlashId.toJSON(),
      queue: queue.map(([key, ids]) => [key.args[0].toNumber(), ids.toJSON()]).sort(),
      exposures: { alice: ofAlice.toJSON(), eve: ofEve.toJSON(), dave: ofDave.toJSON() },
    }),
  );
}

/**
 * Submit `tx` and expect it to be refused with `errorName` (a module error of `section`, or a
 * plain DispatchError such as BadOrigin when `section` is null), with restaking state the same
 * before and in the block that refused it.
 */
async function expectRefused(tx, signer, errorName, { section = 'restaking' } = {}) {
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
  assert.equal(error.section, section, error.message);
  const afterState = await restakingState(await apiAt(error.blockHash));
  assert.deepEqual(afterState, before, `${errorName} must leave restaking state untouched`);
}

// ---- the chain -------------------------------------------------------------------------------

describe('dev chain', () => {
  before(
    async () => {
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
      [alice, bob, charlie, dave, eve] = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve'].map((n) =>
        keyring.addFromUri(`//${n}`),
      );
      // `--rpc-methods unsafe`: the validator section asks the node to generate session keys.
      // The longest file: its node starts before those of other files waiting to start theirs.
      node = await startNode({
        name: 'dev',
        args: ['--dev', '--rpc-methods', 'unsafe'],
        startOrder: 0,
      });
      api = await connect(node);
      // The waits below assume fast-runtime timing (an era a minute, 2-era windows).
      const sessionsPerEra = api.consts.staking.sessionsPerEra.toNumber();
      const bondingDuration = api.consts.staking.bondingDuration.toNumber();
      assert.ok(
        sessionsPerEra === 2 && bondingDuration === 8,
        `build the node with --features fast-runtime (sessionsPerEra ${sessionsPerEra}, ` +
          `bondingDuration ${bondingDuration})`,
      );
      await waitForBlocks(api, 1); // the node is authoring
    },
    { timeout: 240_000 },
  );

  // Runs even when `before` or a test failed or timed out.
  after(() => cleanup({ apis: [api], nodes: [node] }), { timeout: 60_000 });

  describe('the sample service', () => {
    it(
      'is visible through the runtime API with Alice in it',
      { timeout: 60_000 },
      logged(async () => {
        assert.equal(api.registry.chainDecimals[0], 12);

        const services = await api.call.restakingApi.services();
        const sample = services.find((s) => s.id.toNumber() === SAMPLE);
        assert.ok(sample, 'service 0 is listed');
        assert.equal(sample.name.toUtf8(), 'sample-oracle');
        assert.equal(sample.slasher.toString(), bob.address);
        assert.deepEqual(
          sample.rules.map((r) => ({
            name: r.name.toUtf8(),
            fraction: r.fraction.toNumber(),
            eject: r.eject.isTrue,
          })),
          [
            { name: 'downtime', fraction: PERBILL_10, eject: false },
            { name: 'equivocation', fraction: 500_000_000, eject: true },
          ],
        );
        assert.equal(sample.minStake.toBigInt(), 1_000n * UNIT);
        assert.equal(sample.validatorsOnly.isTrue, false);
        assert.equal(sample.exitDelay.toNumber(), 2);
        assert.equal(sample.disputeWindow.toNumber(), 2);
        assert.equal(sample.status.type, 'Active');
        // Alice's 50,000 and the genesis pool's 10,000, delegated to her.
        assert.equal(sample.totalSecured.toBigInt(), 60_000n * UNIT);
        assert.equal(sample.restakers.toNumber(), 2);

        assert.equal((await service(SAMPLE)).name.toUtf8(), 'sample-oracle');
        assert.ok((await api.call.restakingApi.service(999)).isNone);
        assert.equal((await api.call.restakingApi.pendingSlashes(SAMPLE)).length, 0);

        // Alice's position: 50,000 of her 100,000 bonded, so leverage 0.5x.
        const view = await exposures(alice);
        assert.ok(view.isSome, 'Alice has a restaker view');
        const alicePos = view.unwrap();
        assert.equal(alicePos.stake.toBigInt(), 100_000n * UNIT);
        assert.equal(alicePos.activeStake.toBigInt(), 100_000n * UNIT);
        assert.equal(alicePos.totalAllocated.toBigInt(), 50_000n * UNIT);
        assert.equal(alicePos.leveragePpb.toBigInt(), 500_000_000n);
        assert.equal(alicePos.cascadePending.isTrue, false);
        assert.equal(alicePos.positions.length, 1);
        const [position] = alicePos.positions;
        assert.equal(position.service.toNumber(), SAMPLE);
        assert.equal(position.allocation.toBigInt(), 50_000n * UNIT);
        assert.equal(position.exposure.toBigInt(), 50_000n * UNIT);
        assert.ok(position.exit.isNone);
        assert.deepEqual(await ledgerOf(alice), {
          total: 100_000n * UNIT,
          active: 100_000n * UNIT,
        });

        assert.ok((await exposures(bob)).isNone, 'Bob has no position');

        // The genesis pool: its keyless account delegates 10,000 to Alice, an operator at 10%,
        // and backs the sample service with it from genesis.
        const pool = (await api.call.restakingApi.pool(0)).unwrap();
        poolAccount = pool.account.toString();
        assert.equal(pool.operator.toString(), alice.address);
        const operator = (await api.call.restakingApi.operator(alice.address)).unwrap();
        assert.equal(operator.commission.toNumber(), PERBILL_10);
        assert.deepEqual(
          operator.delegators.map((d) => d.toString()),
          [poolAccount],
        );
        const poolView = (await api.call.restakingApi.exposures(poolAccount)).unwrap();
        assert.deepEqual(
          poolView.positions.map((p) => [p.service.toNumber(), p.exposure.toBigInt()]),
          [[SAMPLE, 10_000n * UNIT]],
        );
      }),
    );

    it('the pallet offers every call of the product contract', () => {
      const expected = [
        'registerService',
        'updateService',
        'setServiceStatus',
        'optIn',
        'setAllocation',
        'optOut',
        'completeOptOut',
        'reportOffence',
        'cancelSlash',
        'applySlash',
        'fundRewards',
        'claimRewards',
        'approveSlash',
        'approveHeldSlashes',
      ];
      for (const call of expected) {
        assert.equal(typeof api.tx.restaking[call], 'function', `api.tx.restaking.${call}`);
      }
      const apis = [
        'services',
        'service',
        'exposures',
        'pendingSlashes',
        'pendingSlashesOf',
        'simulateSlash',
        'risk',
      ];
      for (const method of apis) {
        assert.equal(typeof api.call.restakingApi[method], 'function', `restakingApi.${method}`);
      }
    });
  });

  describe('a service registered by governance', () => {
    it(
      'is registered through sudo and Alice opts in with her whole active stake',
      { timeout: 120_000 },
      logged(async () => {
        const nextId = (await api.query.restaking.nextServiceId()).toNumber();
        const params = {
          name: 'e2e-bridge',
          slasher: dave.address,
          rules: [{ name: 'downtime', fraction: PERBILL_10, eject: false }],
          // Low, so that a small stake can join in the leverage check below.
          minStake: 100n * UNIT,
          validatorsOnly: false,
          exitDelay: 2,
          disputeWindow: 2,
          maxShare: null, // no cap on its share of the bonded stake
        };
        const registered = await sendAndWait(
          api,
          api.tx.sudo.sudo(api.tx.restaking.registerService(params)),
          alice,
        );
        const event = theEvent(api, registered.events, 'restaking', 'ServiceRegistered');
        bridge = event.data.service.toNumber();
        assert.equal(bridge, nextId);
        assert.equal(event.data.slasher.toString(), dave.address);

        const { active } = await ledgerOf(alice);
        const joined = await sendAndWait(api, api.tx.restaking.optIn(bridge, active), alice);
        const optedIn = theEvent(api, joined.events, 'restaking', 'OptedIn');
        assert.equal(optedIn.data.who.toString(), alice.address);
        assert.equal(optedIn.data.service.toNumber(), bridge);
        assert.equal(optedIn.data.amount.toBigInt(), active);

        const services = await api.call.restakingApi.services();
        assert.deepEqual(
          services.map((s) => s.id.toNumber()),
          [SAMPLE, bridge],
        );
        const view = services.find((s) => s.id.toNumber() === bridge);
        assert.equal(view.name.toUtf8(), 'e2e-bridge');
        assert.equal(view.slasher.toString(), dave.address);
        // Alice alone: the genesis pool does not follow its operator into a new service before
        // its notice has passed.
        assert.equal(view.totalSecured.toBigInt(), active);
        assert.equal(view.restakers.toNumber(), 1);

        const mine = (await exposures(alice)).unwrap();
        assert.deepEqual(
          mine.positions.map((p) => p.service.toNumber()),
          [SAMPLE, bridge],
        );
        assert.equal(mine.totalAllocated.toBigInt(), 50_000n * UNIT + active);
        // 150,000 allocated on 100,000 active: 1.5x.
        assert.equal(mine.leveragePpb.toBigInt(), 1_500_000_000n);
      }),
    );
  });

  describe('bad inputs are refused by name and change nothing', () => {
    before(
      async () => {
        // The genesis pool's nomination of Alice counts in the stake behind the validator set
        // (ErasTotalStake, which the services' shares are of) from era 1 on: compare states
        // from then, so that the era boundary cannot move a share under a comparison.
        await waitForEra(api, 1);
        // Eve is a plain staker (not a validator) with a small bond.
        if ((await ledgerOf(eve)) === null) {
          await sendAndWait(api, api.tx.staking.bond(3_000n * UNIT, 'Staked'), eve);
        }
      },
      { timeout: 4 * 60_000 },
    );

    it(
      'registerService without sudo: BadOrigin',
      { timeout: 60_000 },
      logged(async () => {
        const params = {
          name: 'rogue',
          slasher: bob.address,
          rules: [{ name: 'any', fraction: PERBILL_10, eject: false }],
          minStake: UNIT,
          validatorsOnly: false,
          exitDelay: 1,
          disputeWindow: 1,
          maxShare: null,
        };
        await expectRefused(api.tx.restaking.registerService(params), bob, 'BadOrigin', {
          section: null,
        });
      }),
    );

    it(
      'optIn to an unknown service: UnknownService',
      { timeout: 60_000 },
      logged(async () => {
        await expectRefused(api.tx.restaking.optIn(999, 1_000n * UNIT), eve, 'UnknownService');
      }),
    );

    it(
      'optIn above the active stake: InsufficientStake',
      { timeout: 60_000 },
      logged(async () => {
        const { active } = await ledgerOf(eve);
        await expectRefused(
          api.tx.restaking.optIn(SAMPLE, active + UNIT),
          eve,
          'InsufficientStake',
        );
      }),
    );

    it(
      'allocating beyond 3x the active stake: LeverageExceeded',
      { timeout: 120_000 },
      logged(async () => {
        // Eve allocates all 3,000 to the sample service, then unbonds 2,500: her active stake
        // is 500, so the cap is 1,500 and any further allocation breaks it.
        await sendAndWait(api, api.tx.restaking.optIn(SAMPLE, 3_000n * UNIT), eve);
        await sendAndWait(api, api.tx.staking.unbond(2_500n * UNIT), eve);
        const { active, total } = await ledgerOf(eve);
        assert.equal(active, 500n * UNIT);
        assert.equal(total, 3_000n * UNIT, 'unbonding keeps the stake bonded (and slashable)');
        await expectRefused(api.tx.restaking.optIn(bridge, 500n * UNIT), eve, 'LeverageExceeded');
      }),
    );

    it(
      'a report by an account that is not the slasher: NotSlasher',
      { timeout: 60_000 },
      logged(async () => {
        const era = await activeEra(api);
        // Bob is the sample service's slasher, not the bridge's.
        await expectRefused(
          api.tx.restaking.reportOffence(bridge, alice.address, 0, era),
          bob,
          'NotSlasher',
        );
      }),
    );

    it(
      'the same offence reported twice: DuplicateOffence',
      { timeout: 120_000 },
      logged(async () => {
        const era = await activeEra(api);
        const first = await sendAndWait(
          api,
          api.tx.restaking.reportOffence(bridge, alice.address, 0, era),
          dave,
        );
        const slashId = theEvent(api, first.events, 'restaking', 'SlashScheduled').data.slashId;
        try {
          await expectRefused(
            api.tx.restaking.reportOffence(bridge, alice.address, 0, era),
            dave,
            'DuplicateOffence',
          );
          const pending = await api.call.restakingApi.pendingSlashes(bridge);
          assert.deepEqual(
            pending.map(([id]) => id.toNumber()),
            [slashId.toNumber()],
          );
        } finally {
          // Governance disputes it, so this report never lands on Alice.
          const cancelled = await sendAndWait(
            api,
            api.tx.sudo.sudo(api.tx.restaking.cancelSlash(slashId)),
            alice,
          );
          theEvent(api, cancelled.events, 'restaking', 'SlashCancelled');
        }
        assert.equal((await api.call.restakingApi.pendingSlashes(bridge)).length, 0);
      }),
    );
  });

  describe('a new validator joins', () => {
    it(
      'Charlie bonds, sets keys the node generated with an ownership proof, validates and is elected',
      { timeout: 8 * 60_000 },
      logged(async () => {
        const bond = 100_000n * UNIT;
        await sendAndWait(api, api.tx.staking.bond(bond, 'Staked'), charlie);
        assert.deepEqual(await ledgerOf(charlie), { total: bond, active: bond });

        // Session keys with an ownership proof: `author_rotateKeysWithOwner(owner)` makes the
        // keys in the node's keystore and signs `owner` (the SCALE-encoded account id) with
        // each of them. polkadot-js does not decorate this method, so call it directly.
        const methods = (await api.rpc.rpc.methods()).methods.map((m) => m.toString());
        assert.ok(
          methods.includes('author_rotateKeysWithOwner'),
          `node RPC lacks author_rotateKeysWithOwner; author methods: ${methods
            .filter((m) => m.startsWith('author_'))
            .join(', ')}`,
        );
        const generated = await rpcSend(api, 'author_rotateKeysWithOwner', [
          u8aToHex(charlie.publicKey),
        ]);
        assert.ok(
          generated.keys && generated.proof,
          `keys and proof: ${JSON.stringify(generated)}`,
        );
        assert.ok(
          (await api.rpc.author.hasSessionKeys(generated.keys)).isTrue,
          'the private keys are in the node keystore',
        );

        // Setting keys holds the runtime's session key deposit (1 UNIT) from Charlie.
        const reservedBefore = (await api.query.system.account(charlie.address)).data.reserved.toBigInt();
        await sendAndWait(api, api.tx.session.setKeys(generated.keys, generated.proof), charlie);
        const reservedAfter = (await api.query.system.account(charlie.address)).data.reserved.toBigInt();
        assert.equal(reservedAfter - reservedBefore, UNIT, 'the session key deposit is held');
        const nextKeys = await api.query.session.nextKeys(charlie.address);
        assert.ok(nextKeys.isSome);
        assert.equal(nextKeys.unwrap().toHex(), generated.keys);

        await sendAndWait(api, api.tx.staking.validate({ commission: 0, blocked: false }), charlie);
        const declared = await api.query.staking.validators.keys();
        assert.ok(
          declared.some((key) => key.args[0].eq(charlie.address)),
          'Charlie is a declared validator',
        );
        await sendAndWait(api, api.tx.sudo.sudo(api.tx.staking.setValidatorCount(2)), alice);
        assert.equal((await api.query.staking.validatorCount()).toNumber(), 2);

        // Elected at the next era's election, active in the session once that era starts.
        await waitFor(
          async () => (await api.query.session.validators()).some((v) => v.eq(charlie.address)),
          { timeoutMs: 4 * ERA_MS, intervalMs: 2_000, what: 'Charlie in session.validators()' },
        );
        // The node holds Charlie's keys too, so it authors Charlie's slots: blocks keep coming.
        await waitForBlocks(api, 3);
      }),
    );

    it(
      'Charlie opts into the sample service',
      { timeout: 60_000 },
      logged(async () => {
        const before = await service(SAMPLE);
        const amount = 50_000n * UNIT;
        const joined = await sendAndWait(api, api.tx.restaking.optIn(SAMPLE, amount), charlie);
        const optedIn = theEvent(api, joined.events, 'restaking', 'OptedIn');
        assert.equal(optedIn.data.who.toString(), charlie.address);

        const at = await api.at(joined.blockHash);
        const afterView = await service(SAMPLE, at);
        assert.equal(afterView.totalSecured.toBigInt(), before.totalSecured.toBigInt() + amount);
        assert.equal(afterView.restakers.toNumber(), before.restakers.toNumber() + 1);
        const view = (await exposures(charlie, at)).unwrap();
        assert.equal(view.positions.length, 1);
        assert.equal(view.positions[0].exposure.toBigInt(), amount);
        assert.equal(view.positions[0].joinedEra.toNumber(), await activeEra(at));
      }),
    );
  });

  describe('a service slash', () => {
    it(
      'is simulated, reported, disputed, and lands through pallet-staking as predicted',
      // Typically 3-4 minutes (the slash applies two eras after the report); the waits inside
      // are bounded (5 eras for SlashApplied) and fail first, naming what they waited for.
      { timeout: 8 * 60_000 },
      logged(async () => {
        // The second report below is for the era before the active one.
        await waitForEra(api, 1);

        // 1. What would a "downtime" slash of Alice do if it landed now?
        const simulation = await api.call.restakingApi.simulateSlash(SAMPLE, alice.address, 0);
        assert.ok(simulation.isOk, `simulateSlash: ${JSON.stringify(simulation.toHuman())}`);
        const sim = simulation.asOk;
        const predicted = {
          amount: sim.amount.toBigInt(),
          stakeBefore: sim.stakeBefore.toBigInt(),
          stakeAfter: sim.stakeAfter.toBigInt(),
          services: sim.services.map((s) => ({
            service: s.service.toNumber(),
            before: s.securedBefore.toBigInt(),
            after: s.securedAfter.toBigInt(),
            ejected: s.ejected.isTrue,
          })),
        };
        assert.ok(predicted.amount > 0n);
        assert.equal(predicted.stakeAfter, predicted.stakeBefore - predicted.amount);
        assert.deepEqual(
          predicted.services.map((s) => s.service).sort((a, b) => a - b),
          [SAMPLE, bridge],
          'the simulation covers every service Alice is in',
        );

        // 2. Bob, the sample service's slasher, reports the offence of the era before, which
        // governance cancels in its dispute window... Cancelled first: Alice operates for the
        // genesis pool, and fast-runtime lands at most one report against an operator with
        // delegators per service and era (`MaxOperatorSlashesPerEra` 1); a cancellation frees it.
        const era = await activeEra(api);
        const second = await sendAndWait(
          api,
          api.tx.restaking.reportOffence(SAMPLE, alice.address, 0, era - 1),
          bob,
        );
        const disputedId = theEvent(api, second.events, 'restaking', 'SlashScheduled').data.slashId;
        const cancel = await sendAndWait(
          api,
          api.tx.sudo.sudo(api.tx.restaking.cancelSlash(disputedId)),
          alice,
        );
        const cancelled = theEvent(api, cancel.events, 'restaking', 'SlashCancelled');
        assert.equal(cancelled.data.slashId.toNumber(), disputedId.toNumber());

        // 3. ...then the offence of the active era, which lands.
        const report = await sendAndWait(
          api,
          api.tx.restaking.reportOffence(SAMPLE, alice.address, 0, era),
          bob,
        );
        const scheduled = theEvent(api, report.events, 'restaking', 'SlashScheduled').data;
        const slashId = scheduled.slashId.toNumber();
        const applyEra = scheduled.applyEra.toNumber();
        assert.equal(scheduled.amount.toBigInt(), predicted.amount, 'report amount = simulation');
        assert.equal(scheduled.offenceEra.toNumber(), era);
        assert.ok(applyEra >= era + 2, 'applies after the 2-era dispute window');
        const pending = await api.call.restakingApi.pendingSlashesOf(alice.address);
        assert.deepEqual(
          pending.map(([id]) => id.toNumber()),
          [slashId],
        );

        // 4. The slash lands at the start of its apply era.
        const landed = await waitForEvent(
          api,
          (ev) =>
            api.events.restaking.SlashApplied.is(ev) && ev.data.slashId.toNumber() === slashId,
          {
            fromBlock: report.blockNumber,
            timeoutMs: 5 * ERA_MS,
            what: `SlashApplied #${slashId}`,
          },
        );
        const at = await api.at(landed.blockHash);
        const atParent = await api.at(await parentHash(landed.blockHash));
        assert.ok((await activeEra(at)) >= applyEra, 'not before its apply era');
        assert.equal(landed.event.data.offender.toString(), alice.address);
        assert.equal(landed.event.data.service.toNumber(), SAMPLE);
        const taken = landed.event.data.amount.toBigInt();
        assert.equal(taken, predicted.amount, 'SlashApplied amount = simulation');

        // pallet-staking saw it: its own Slashed event in the same block...
        const events = await at.query.system.events();
        const stakingSlashed = events
          .map(({ event }) => event)
          .filter((ev) => api.events.staking.Slashed.is(ev) && ev.data.staker.eq(alice.address));
        assert.equal(stakingSlashed.length, 1, 'one Staking.Slashed for Alice');
        assert.equal(stakingSlashed[0].data.amount.toBigInt(), taken);

        // ...the ledger and the staking hold shrank by the amount...
        const ledgerBefore = await ledgerOf(alice, atParent);
        const ledgerAfter = await ledgerOf(alice, at);
        assert.equal(ledgerBefore.total, predicted.stakeBefore);
        assert.equal(ledgerAfter.total, predicted.stakeAfter, 'stake after = simulation');
        assert.equal(ledgerBefore.total - ledgerAfter.total, taken);
        const holdBefore = await stakingHold(alice, atParent);
        const holdAfter = await stakingHold(alice, at);
        assert.equal(holdBefore - holdAfter, taken, 'the staking hold shrank by the slash');

        // The genesis pool delegates to Alice: its part, 10% of its 10,000 exposure of the
        // offence era, lands in the same block (the page of her slash's delegator job), and its
        // cascade lowers the sample service by that much too. The simulation counts Alice's
        // own landing only.
        const poolSlashed = events
          .map(({ event }) => event)
          .filter(
            (ev) => api.events.restaking.DelegatorSlashed.is(ev) && ev.data.who.eq(poolAccount),
          );
        assert.equal(poolSlashed.length, 1, "the pool's part of the slash, in the same block");
        assert.equal(poolSlashed[0].data.slashId.toNumber(), slashId);
        assert.equal(poolSlashed[0].data.amount.toBigInt(), 1_000n * UNIT);
        const passedOn = { [SAMPLE]: 1_000n * UNIT };

        // ...and every service's secured stake is what the simulation said (less the pool's
        // part in the sample service).
        for (const s of predicted.services) {
          const beforeView = await service(s.service, atParent);
          assert.equal(beforeView.totalSecured.toBigInt(), s.before, `service ${s.service} before`);
          const afterView = await service(s.service, at);
          assert.equal(
            afterView.totalSecured.toBigInt(),
            s.after - (passedOn[s.service] ?? 0n),
            `service ${s.service} after`,
          );
          if (s.after < s.before) {
            // The cascade says by how much, in the same block.
            const reduced = events
              .map(({ event }) => event)
              .find(
                (ev) =>
                  api.events.restaking.ExposureReduced.is(ev) &&
                  ev.data.who.eq(alice.address) &&
                  ev.data.service.toNumber() === s.service,
              );
            assert.ok(reduced, `ExposureReduced for service ${s.service}`);
            assert.equal(reduced.data.amount.toBigInt(), s.before - s.after);
          }
        }
        assert.equal((await at.call.restakingApi.pendingSlashesOf(alice.address)).length, 0);
        const view = (await exposures(alice, at)).unwrap();
        assert.equal(view.stake.toBigInt(), predicted.stakeAfter);
        for (const p of view.positions) {
          const min =
            p.allocation.toBigInt() < ledgerAfter.total
              ? p.allocation.toBigInt()
              : ledgerAfter.total;
          assert.equal(p.exposure.toBigInt(), min, `exposure in service ${p.service}`);
        }
      }),
    );
  });

  describe('a base-layer slash', () => {
    it(
      'cascades to every service of the slashed validator',
      { timeout: 4 * 60_000 },
      logged(async () => {
        // Allocate Alice's whole active stake everywhere, so that any loss of stake reduces
        // every one of her exposures (min(allocation, stake) falls below each allocation).
        // Raises count from the next era: wait for it.
        const { active } = await ledgerOf(alice);
        let raised = false;
        for (const p of (await exposures(alice)).unwrap().positions) {
          if (p.allocation.toBigInt() < active) {
            await sendAndWait(api, api.tx.restaking.setAllocation(p.service, active), alice);
            raised = true;
          }
        }
        if (raised) await waitForEra(api, (await activeEra(api)) + 1);
        const services = (await exposures(alice))
          .unwrap()
          .positions.map((p) => p.service.toNumber());
        assert.ok(services.length >= 2, 'Alice is in several services');

        // pallet-staking's own slashing path, as governance would use it.
        const era = await activeEra(api);
        const slash = await sendAndWait(
          api,
          api.tx.sudo.sudo(api.tx.staking.manualSlash(alice.address, era, PERBILL_10)),
          alice,
        );
        const slashed = eventsOf(api, slash.events, 'staking', 'Slashed').filter((ev) =>
          ev.data.staker.eq(alice.address),
        );
        assert.equal(slashed.length, 1, 'SlashDeferDuration is 0: slashed at once');
        const amount = slashed[0].data.amount.toBigInt();
        assert.ok(amount > 0n);
        // The genesis pool nominates Alice: pallet-staking slashes it too, 10% of its part of
        // her exposure in that era (9,000 or 10,000, whether that era was elected after its
        // service slash landed or before).
        const poolSlashed = eventsOf(api, slash.events, 'staking', 'Slashed').filter((ev) =>
          ev.data.staker.eq(poolAccount),
        );
        assert.equal(poolSlashed.length, 1, 'the pool, a nominator of Alice, is slashed too');
        assert.ok(poolSlashed[0].data.amount.toBigInt() > 0n);
        const atParent = await api.at(await parentHash(slash.blockHash));
        const ledgerBefore = await ledgerOf(alice, atParent);
        const ledgerAfter = await ledgerOf(alice, await api.at(slash.blockHash));
        assert.equal(ledgerBefore.total - ledgerAfter.total, amount);

        // The cascade: an ExposureReduced for Alice in every one of her services, within a few
        // blocks (same block's on_idle, or the next on_initialize).
        let lastBlock = slash.blockNumber;
        for (const id of services) {
          const found = await waitForEvent(
            api,
            (ev) =>
              api.events.restaking.ExposureReduced.is(ev) &&
              ev.data.who.eq(alice.address) &&
              ev.data.service.toNumber() === id,
            {
              fromBlock: slash.blockNumber,
              timeoutMs: 6 * BLOCK_MS,
              what: `ExposureReduced in ${id}`,
            },
          );
          assert.ok(found.blockNumber <= slash.blockNumber + 3, 'within a few blocks');
          assert.equal(found.event.data.exposure.toBigInt(), ledgerAfter.total);
          const secured = (await service(id, atParent)).totalSecured.toBigInt();
          const securedNow = (
            await service(id, await api.at(found.blockHash))
          ).totalSecured.toBigInt();
          // Every cascade up to that block: Alice's, and in the sample service the pool's,
          // which may land in the same block as hers.
          assert.equal(
            secured - securedNow,
            await reducedIn(id, slash.blockNumber, found.blockNumber),
            `service ${id} total`,
          );
          lastBlock = Math.max(lastBlock, found.blockNumber);
        }

        // Exposures equal min(allocation, bonded stake) again, nothing pending.
        assert.ok((await bestNumber(api)) >= lastBlock);
        const ledgerNow = await ledgerOf(alice);
        const view = (await exposures(alice)).unwrap();
        assert.equal(view.cascadePending.isTrue, false);
        assert.equal(view.stake.toBigInt(), ledgerNow.total);
        for (const p of view.positions) {
          const allocation = p.allocation.toBigInt();
          const expected = allocation < ledgerNow.total ? allocation : ledgerNow.total;
          assert.equal(p.exposure.toBigInt(), expected, `exposure in service ${p.service}`);
        }
      }),
    );
  });
});
