// Throughput on the dev node: balance transfers per second, then restaking extrinsics
// (`fund_rewards` on the sample service) per second, in the same run of the same node.
// Prints one JSON object; scripts/benchmark.sh stores it next to the benchmark results.
//
//   node bench/throughput.js [per-signer count]
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { cleanup, connect, startNode, UNIT, waitFor } from '../lib/node.js';

const PER_SIGNER = Number(process.argv[2] ?? 100);
const SIGNERS = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'];

/** Submit `build(i)` PER_SIGNER times from every signer, without waiting, and measure when the
 * extrinsics of `section.method` land in blocks. */
async function phase(api, signers, section, method, build) {
  const included = [];
  const total = signers.length * PER_SIGNER;
  const unsub = await api.rpc.chain.subscribeNewHeads(async (header) => {
    const block = await api.rpc.chain.getBlock(header.hash);
    const at = await api.query.timestamp.now.at(header.hash);
    const count = block.block.extrinsics.filter(
      (x) => x.method.section === section && x.method.method === method,
    ).length;
    included.push({ number: header.number.toNumber(), ms: at.toNumber(), count });
  });
  const startNumber = (await api.rpc.chain.getHeader()).number.toNumber();
  for (const signer of signers) {
    let nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
    for (let i = 0; i < PER_SIGNER; i += 1) {
      await build(i).signAndSend(signer, { nonce });
      nonce += 1;
    }
  }
  await waitFor(async () => included.reduce((s, b) => s + b.count, 0) >= total, {
    timeoutMs: 600_000,
    what: `${total} ${section}.${method} included`,
  });
  unsub();
  const blocks = included.filter((b) => b.number > startNumber).sort((a, b) => a.number - b.number);
  const first = blocks.findIndex((b) => b.count > 0);
  const last = blocks.length - 1 - [...blocks].reverse().findIndex((b) => b.count > 0);
  // From the block before the first inclusion to the last inclusion.
  const fromMs = first > 0 ? blocks[first - 1].ms : blocks[first].ms - 6_000;
  const seconds = (blocks[last].ms - fromMs) / 1000;
  return { extrinsics: total, blocks: last - first + 1, seconds, perSecond: total / seconds };
}

async function main() {
  await cryptoWaitReady();
  const node = await startNode({ name: 'throughput', args: ['--dev'] });
  let api;
  try {
    api = await connect(node);
    const keyring = new Keyring({ type: 'sr25519' });
    const signers = SIGNERS.map((uri) => keyring.addFromUri(uri));
    const dest = keyring.addFromUri('//Throughput').address;

    const transfers = await phase(api, signers, 'balances', 'transferKeepAlive', () =>
      api.tx.balances.transferKeepAlive(dest, UNIT),
    );
    const restaking = await phase(api, signers, 'restaking', 'fundRewards', () =>
      api.tx.restaking.fundRewards(0, UNIT),
    );
    console.log(
      JSON.stringify({ transfers, restaking, ratio: restaking.perSecond / transfers.perSecond }),
    );
  } finally {
    // On failure too; and if this process ends first, the harness kills the node on exit.
    await cleanup({ apis: [api], nodes: [node] });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
