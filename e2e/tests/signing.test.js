// Signing as validators and services do, end to end on one `--dev` node:
// - a hardware wallet's generic app signs with the metadata hash (`CheckMetadataHash`, mode 1):
//   the hash is computed here from the node's metadata with @polkadot-api/merkleize-metadata,
//   as the wallet computes it, and a transaction signed with it is accepted; one signed with a
//   wrong hash is refused with a bad signature;
// - a `Restaking` proxy opts a stash in (and a transfer through it is filtered);
// - a 2-of-3 multisig is a service's slasher and reports an offence.
// Real signed extrinsics, no custom types. About a minute and a half.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { createKeyMulti, cryptoWaitReady, encodeAddress, sortAddresses } from '@polkadot/util-crypto';

import {
  UNIT,
  activeEra,
  cleanup,
  connect,
  eventsOf,
  sendAndWait,
  startNode,
  theEvent,
  waitForBlocks,
  withLogs,
} from '../lib/node.js';

const PERCENT = 10_000_000; // 1% as a Perbill

let node;
let api;
let alice, bob, charlie, dave, eve, ferdie;

const logged = (fn) => () => withLogs([node], fn);

/** Register a service through sudo; its id. */
async function register(name, slasher) {
  const { events } = await sendAndWait(
    api,
    api.tx.sudo.sudo(
      api.tx.restaking.registerService({
        name,
        slasher,
        rules: [{ name: 'downtime', fraction: 10 * PERCENT, eject: false }],
        minStake: 100n * UNIT,
        validatorsOnly: false,
        exitDelay: 2,
        disputeWindow: 2,
        maxShare: null,
      }),
    ),
    alice,
  );
  return theEvent(api, events, 'restaking', 'ServiceRegistered').data.service.toNumber();
}

describe('signing as validators do', () => {
  before(
    async () => {
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
      [alice, bob, charlie, dave, eve, ferdie] = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map(
        (n) => keyring.addFromUri(`//${n}`),
      );
      node = await startNode({ name: 'signing', args: ['--dev'] });
      api = await connect(node);
      await waitForBlocks(api, 1);
    },
    { timeout: 240_000 },
  );

  after(() => cleanup({ apis: [api], nodes: [node] }), { timeout: 60_000 });

  it(
    'a transaction signed with the metadata hash, as a hardware wallet signs, is accepted; a wrong hash is refused',
    { timeout: 120_000 },
    logged(async () => {
      assert.ok(api.registry.signedExtensions.includes('CheckMetadataHash'), 'the runtime checks the hash');
      const opaque = await api.call.metadata.metadataAtVersion(15);
      const properties = await api.rpc.system.properties();
      const digest = merkleizeMetadata(opaque.unwrap().toU8a(true), {
        decimals: properties.tokenDecimals.unwrap()[0].toNumber(),
        tokenSymbol: properties.tokenSymbol.unwrap()[0].toString(),
      }).digest();
      const metadataHash = u8aToHex(digest);
      assert.equal(metadataHash.length, 66);

      const remark = api.tx.system.remarkWithEvent('signed with the metadata hash');
      const { events } = await sendAndWait(api, remark, charlie, { sign: { mode: 1, metadataHash } });
      assert.equal(eventsOf(api, events, 'system', 'Remarked').length, 1);

      const wrong = `0x${'ab'.repeat(32)}`;
      await assert.rejects(
        sendAndWait(api, api.tx.system.remark('wrong hash'), charlie, { sign: { mode: 1, metadataHash: wrong } }),
        /bad signature/i,
      );
    }),
  );

  it(
    'a Restaking proxy opts a stash in, and cannot transfer its funds',
    { timeout: 120_000 },
    logged(async () => {
      const bridge = await register('proxy-bridge', bob.address);
      await sendAndWait(api, api.tx.proxy.addProxy(ferdie.address, 'Restaking', 0), alice);
      const proxies = await api.query.proxy.proxies(alice.address);
      assert.deepEqual(
        proxies[0].map((p) => [p.delegate.toString(), p.proxyType.toString()]),
        [[ferdie.address, 'Restaking']],
      );
      // 0.1 UNIT + 41 bytes at 10 micro-UNIT.
      assert.equal(proxies[1].toBigInt(), UNIT / 10n + 41n * 10n * 10n ** 6n);

      const { events } = await sendAndWait(
        api,
        api.tx.proxy.proxy(alice.address, null, api.tx.restaking.optIn(bridge, 20_000n * UNIT)),
        ferdie,
      );
      const optedIn = theEvent(api, events, 'restaking', 'OptedIn').data;
      assert.equal(optedIn.who.toString(), alice.address);
      assert.equal(optedIn.amount.toBigInt(), 20_000n * UNIT);
      const view = (await api.call.restakingApi.exposures(alice.address)).unwrap();
      const position = view.positions.find((p) => p.service.toNumber() === bridge);
      assert.equal(position.allocation.toBigInt(), 20_000n * UNIT);

      // A transfer to Ferdie through the proxy: filtered, and Ferdie only paid the fee (Alice,
      // the block author, earns fees, so her balance is not the measure).
      const free = async (who) => (await api.query.system.account(who.address)).data.free.toBigInt();
      const before = await free(ferdie);
      let refused;
      await assert.rejects(
        sendAndWait(
          api,
          api.tx.proxy.proxy(alice.address, null, api.tx.balances.transferKeepAlive(ferdie.address, UNIT)),
          ferdie,
        ),
        (e) => {
          refused = e;
          return e.section === 'system' && e.errorName === 'CallFiltered';
        },
      );
      const records = await (await api.at(refused.blockHash)).query.system.events();
      const paid = records
        .map(({ event }) => event)
        .find((e) => api.events.transactionPayment.TransactionFeePaid.is(e) && e.data.who.toString() === ferdie.address);
      assert.ok(paid, 'Ferdie paid a fee');
      assert.equal(await free(ferdie), before - paid.data.actualFee.toBigInt());
    }),
  );

  it(
    'a 2-of-3 multisig slasher reports an offence: one approval does nothing, the second reports',
    { timeout: 180_000 },
    logged(async () => {
      const signatories = [charlie, dave, eve];
      const slasher = encodeAddress(createKeyMulti(signatories.map((s) => s.address), 2), 42);
      const vault = await register('multisig-vault', slasher);
      await sendAndWait(api, api.tx.restaking.optIn(vault, 10_000n * UNIT), alice);

      const era = await activeEra(api);
      const report = api.tx.restaking.reportOffence(vault, alice.address, 0, era);
      const others = (me) => sortAddresses(signatories.filter((s) => s !== me).map((s) => s.address), 42);
      const weight = { refTime: 10_000_000_000n, proofSize: 1_000_000n };

      const first = await sendAndWait(api, api.tx.multisig.asMulti(2, others(charlie), null, report, weight), charlie);
      assert.equal(eventsOf(api, first.events, 'multisig', 'NewMultisig').length, 1);
      assert.equal(eventsOf(api, first.events, 'restaking', 'SlashScheduled').length, 0);
      const pending = (await api.query.multisig.multisigs(slasher, report.method.hash)).unwrap();

      const second = await sendAndWait(
        api,
        api.tx.multisig.asMulti(2, others(eve), pending.when, report, weight),
        eve,
      );
      const scheduled = theEvent(api, second.events, 'restaking', 'SlashScheduled').data;
      assert.equal(scheduled.service.toNumber(), vault);
      assert.equal(scheduled.offender.toString(), alice.address);
      assert.equal(scheduled.amount.toBigInt(), 1_000n * UNIT, '10% of 10,000');

      // One signatory alone is not the slasher.
      await assert.rejects(
        sendAndWait(api, api.tx.restaking.reportOffence(vault, alice.address, 0, era), dave),
        (e) => e.section === 'restaking' && e.errorName === 'NotSlasher',
      );
    }),
  );
});
