// The docs' code examples, run so that they cannot rot silently.
//
// - Every ```js block in the READMEs and docs/*.md is a program run against a fresh `--dev` node
//   (one node per document, blocks in document order, so a block may build on the chain state
//   of the blocks before it). The documents run at the same time, each on its own node: their
//   examples mostly wait for blocks and eras. Each block runs as its own ES module: the ```js
//   setup block of docs/polkadot-js.md (connect, keyring, `send`, ...), then the block, then a
//   disconnect. A block passes when it exits with code 0; examples check their claims with
//   `assert`.
// - Every ```rust and ```toml block names the file it is taken from in an HTML comment on the
//   line before it (<!-- source: runtime/src/configs/mod.rs -->); its lines must appear in that
//   file, in order and adjacent (indentation and blank lines aside). The file is compiled and
//   tested by `cargo test`, so the example is too.
// - Every ```sh block line that runs `./scripts/...` names a script that exists and is
//   executable.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { logFile, spawnTracked, startNode, stopProcess } from '../lib/node.js';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(E2E_DIR, '..');
const SETUP_DOC = 'docs/polkadot-js.md';
const RUN_DIR = path.join(E2E_DIR, '.docs-run');
const BLOCK_TIMEOUT_MS = 6 * 60_000;

/** The documents whose examples are checked, relative to the repository root. */
function documents() {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', 'pallets/restaking/README.md', 'e2e/README.md', ...docs];
}

/**
 * A document's name in file names, unique among the documents: `docs/governance.md` ->
 * `governance`, `pallets/restaking/README.md` -> `pallets-restaking-README`.
 */
const slug = (doc) => doc.replace(/^docs\//, '').replace(/\.md$/, '').replaceAll('/', '-');

/** The fenced code blocks of a Markdown file: `{ info, code, line, source }`. */
function codeBlocks(doc) {
  const lines = fs.readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)```(.*)$/);
    if (!open) continue;
    const info = open[2].trim();
    const body = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++]);
    const before = i > 0 ? lines[i - 1].match(/<!--\s*source:\s*(\S+)\s*-->/) : null;
    blocks.push({ info, code: body.join('\n'), line: i + 1, source: before?.[1] ?? null });
    i = j;
  }
  return blocks;
}

/** Lines without indentation, blank lines dropped. */
const normalized = (text) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

function containsInOrder(haystack, needle) {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((line, k) => haystack[start + k] === line)) return true;
  }
  return false;
}

/**
 * Run `file` with node; resolve with `{ code, output }`. The process is registered with the
 * harness (killed if the test process ends first) and stopped after `timeoutMs`: the docs'
 * examples have no bound of their own.
 */
function runModule(file, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawnTracked(process.execPath, [file], {
      cwd: E2E_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[stopped after ${timeoutMs} ms]`;
      stopProcess(child, { graceMs: 2_000 }).catch(() => {});
    }, timeoutMs);
    const done = (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    };
    child.on('error', (e) => {
      output += `\n[could not run: ${e.message}]`;
      done(null);
    });
    // 'close' once its output is read; but no later than 2 s after it exited, in case something
    // it started still holds the pipes.
    child.on('close', (code, signal) => done(code ?? signal));
    child.on('exit', (code, signal) => setTimeout(() => done(code ?? signal), 2_000).unref());
  });
}

const setup = codeBlocks(SETUP_DOC)
  .filter((b) => b.info === 'js setup')
  .map((b) => b.code)
  .join('\n');

describe('docs: sources of the Rust and TOML examples', () => {
  for (const doc of documents()) {
    const blocks = codeBlocks(doc).filter((b) => b.info === 'rust' || b.info === 'toml');
    if (blocks.length === 0) continue;
    it(`${doc}: every Rust and TOML block is code from the named file`, () => {
      for (const block of blocks) {
        const where = `${doc}:${block.line}`;
        assert.ok(block.source, `${where}: no <!-- source: path --> comment before the block`);
        const file = path.join(ROOT, block.source);
        assert.ok(fs.existsSync(file), `${where}: ${block.source} does not exist`);
        const ok = containsInOrder(normalized(fs.readFileSync(file, 'utf8')), normalized(block.code));
        assert.ok(ok, `${where}: the block is not (any longer) in ${block.source}`);
      }
    });
  }
});

describe('docs: scripts named in shell examples', () => {
  it('exist and are executable', () => {
    for (const doc of documents()) {
      for (const block of codeBlocks(doc).filter((b) => b.info === 'sh')) {
        for (const match of block.code.matchAll(/\.\/(scripts\/[\w.-]+)/g)) {
          const file = path.join(ROOT, match[1]);
          assert.ok(fs.existsSync(file), `${doc}:${block.line}: ${match[1]} does not exist`);
          fs.accessSync(file, fs.constants.X_OK);
        }
      }
    }
  });
});

// The documents at the same time (each on its own node); the blocks of one in order.
describe('docs: JavaScript examples on a dev chain', { concurrency: true }, () => {
  it('the setup block exists', () => {
    assert.match(setup, /ApiPromise\.create/, `${SETUP_DOC} has no \`\`\`js setup block`);
  });

  for (const doc of documents()) {
    const blocks = codeBlocks(doc).filter((b) => b.info === 'js');
    if (blocks.length === 0) continue;
    describe(doc, { concurrency: 1 }, () => {
      let node;
      let failed = false;
      it(`starts a dev node`, { timeout: 240_000 }, async () => {
        // The second longest file: its nodes start after dev-chain's, before those of the others.
        node = await startNode({ name: `docs-${slug(doc)}`, args: ['--dev'], startOrder: 1 });
      });
      for (const block of blocks) {
        it(`runs the example at line ${block.line}`, { timeout: BLOCK_TIMEOUT_MS + 30_000 }, async (t) => {
          if (!node || failed) {
            t.skip('an earlier example of this document failed');
            return;
          }
          fs.mkdirSync(RUN_DIR, { recursive: true });
          const file = path.join(RUN_DIR, `${slug(doc)}-${block.line}.mjs`);
          fs.writeFileSync(
            file,
            `${setup}\n\n// ---- ${doc}:${block.line}\n${block.code}\n\nawait api.disconnect();\nprocess.exit(0);\n`,
          );
          const { code, output } = await runModule(file, { WS: node.wsUrl }, BLOCK_TIMEOUT_MS);
          fs.writeFileSync(logFile(`docs-${path.basename(file, '.mjs')}.out`), output);
          if (code !== 0) failed = true;
          assert.equal(
            code,
            0,
            `${doc}:${block.line} exited with ${code}:\n${output}\n----- node log -----\n${node.tail(40)}`,
          );
        });
      }
      // Runs even when starting the node or an example failed or timed out.
      after(() => node?.stop(), { timeout: 60_000 });
    });
  }
});
