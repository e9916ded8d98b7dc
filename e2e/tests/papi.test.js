// polkadot-api (PAPI) beside polkadot-js, end to end on one `--dev` node: the descriptors are
// generated from the running node's metadata by PAPI's own CLI (`papi add restaking -w <node>`),
// in a scratch directory of this run's own (`e2e/.papi-run/<pid>/`, not committed, removed at the
// end); then a typed client reads `RestakingApi` and sends `opt_in`, with no hand-written types.
// About a minute.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { createClient } from 'polkadot-api';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { getWsProvider } from 'polkadot-api/ws';
import { WebSocket } from 'ws';

import { UNIT, cleanup, logFile, startNode, withLogs } from '../lib/node.js';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Under e2e/, so that the generated descriptors find e2e's own polkadot-api; one per process.
const RUN_DIR = path.join(E2E_DIR, '.papi-run', String(process.pid));
const PAPI = path.join(E2E_DIR, 'node_modules', '.bin', 'papi');

// PAPI's WebSocket provider uses the global WebSocket, which Node.js has from version 22.
globalThis.WebSocket ??= WebSocket;

let node;
let client;
let api;
let alice;

const logged = (fn) => () => withLogs([node], fn);
const text = (bytes) => (typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));

describe('polkadot-api with descriptors generated from the node', () => {
  before(
    async () => {
      await cryptoWaitReady();
      alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
      node = await startNode({ name: 'papi', args: ['--dev'] });

      // The CLI writes `.papi/` (metadata and descriptors) and installs the descriptors package
      // in its working directory: a scratch project, so that e2e/package.json stays as committed.
      fs.rmSync(RUN_DIR, { recursive: true, force: true });
      fs.mkdirSync(RUN_DIR, { recursive: true });
      fs.writeFileSync(
        path.join(RUN_DIR, 'package.json'),
        JSON.stringify({ name: 'papi-run', private: true, type: 'module' }, null, 2),
      );
      const { stdout, stderr } = await promisify(execFile)(PAPI, ['add', 'restaking', '-w', node.wsUrl], {
        cwd: RUN_DIR,
        timeout: 180_000,
        env: {
          ...process.env,
          NODE_OPTIONS: '--experimental-websocket',
          // The descriptors' peer dependency (polkadot-api) is e2e's own: not installed again.
          npm_config_legacy_peer_deps: 'true',
          npm_config_audit: 'false',
          npm_config_fund: 'false',
        },
      });
      fs.writeFileSync(logFile('papi-cli.log'), `${stdout}\n${stderr}`);

      const descriptors = path.join(RUN_DIR, '.papi', 'descriptors', 'dist', 'index.js');
      const { restaking } = await import(pathToFileURL(descriptors).href);
      client = createClient(getWsProvider(node.wsUrl));
      api = client.getTypedApi(restaking);
    },
    { timeout: 300_000 },
  );

  after(
    async () => {
      client?.destroy();
      fs.rmSync(RUN_DIR, { recursive: true, force: true });
      await cleanup({ nodes: [node] });
    },
    { timeout: 60_000 },
  );

  it(
    'the CLI saved the node metadata and the descriptors are for this chain',
    { timeout: 60_000 },
    logged(async () => {
      const config = JSON.parse(fs.readFileSync(path.join(RUN_DIR, '.papi', 'polkadot-api.json'), 'utf8'));
      assert.equal(config.entries.restaking.wsUrl, node.wsUrl);
      assert.ok(fs.statSync(path.join(RUN_DIR, config.entries.restaking.metadata)).size > 100_000);
      assert.equal(await api.constants.Restaking.MaxLeverage(), 3);
    }),
  );

  it(
    'reads RestakingApi and sends opt_in, typed from the descriptors',
    { timeout: 180_000 },
    logged(async () => {
      // Alice's 50,000 and the 10,000 of the dev chain's genesis pool, delegated to her.
      const [sample] = await api.apis.RestakingApi.services();
      assert.deepEqual(
        [sample.id, text(sample.name), sample.total_secured, sample.restakers],
        [0, 'sample-oracle', 60_000n * UNIT, 2],
      );

      const signer = getPolkadotSigner(alice.publicKey, 'Sr25519', (payload) => alice.sign(payload));
      const encode = (s) => new TextEncoder().encode(s);
      const register = api.tx.Restaking.register_service({
        params: {
          name: encode('papi-feed'),
          slasher: alice.address,
          rules: [{ name: encode('late-price'), fraction: 100_000_000, eject: false }], // 10%
          min_stake: 100n * UNIT,
          validators_only: false,
          exit_delay: 1,
          dispute_window: 2,
          max_share: undefined,
        },
      });
      const registered = await api.tx.Sudo.sudo({ call: register.decodedCall }).signAndSubmit(signer);
      assert.ok(registered.ok);
      const event = registered.events.find((e) => e.type === 'Restaking' && e.value.type === 'ServiceRegistered');
      const service = event.value.value.service;
      assert.equal(service, 1);

      const optIn = await api.tx.Restaking.opt_in({ service, amount: 1_000n * UNIT }).signAndSubmit(signer);
      assert.ok(optIn.ok);
      const optedIn = optIn.events.find((e) => e.type === 'Restaking' && e.value.type === 'OptedIn').value.value;
      assert.deepEqual(optedIn, { who: alice.address, service, amount: 1_000n * UNIT });

      const view = await api.apis.RestakingApi.exposures(alice.address);
      assert.deepEqual(
        view.positions.map((p) => [p.service, p.allocation]),
        [
          [0, 50_000n * UNIT],
          [1, 1_000n * UNIT],
        ],
      );
      const simulation = await api.apis.RestakingApi.simulate_slash(service, alice.address, 0);
      assert.equal(simulation.success, true);
      assert.equal(simulation.value.amount, 100n * UNIT, '10% of 1,000');
    }),
  );
});
