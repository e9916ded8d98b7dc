// The page: connects to a node, re-reads the open view at every new block, and wires the forms.

import {
  Notice,
  connect,
  parseAddress,
  readAccount,
  readDirectory,
  readOverview,
  readPools,
  readRestakers,
  simulate,
  tokenOf,
} from './chain.js';
import { EraClock } from './clock.js';
import { DEFAULT_WS } from './defaults.js';
import { h, replaceContent } from './dom.js';
import { formatBalance, shortAddress } from './format.js';
import { accountView } from './views/account.js';
import { cascadeView } from './views/cascade.js';
import { poolCards } from './views/pools.js';
import { chainFigures, serviceCards } from './views/services.js';
import { simulationView } from './views/whatif.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['services', 'account', 'whatif', 'pools', 'cascade'];

const state = {
  api: null,
  url: null, // the node `api` is connected to
  token: null,
  clock: null,
  head: null, // `{ hash, number }` of the newest block
  directory: null, // services, restakers and positions at the last rendered block
  view: 'services',
  account: null, // the address the account view shows
  simulation: null, // `{ service, offender, rule }` the what-if view shows
  shownSimulation: null, // `{ node, text }` of the simulation on screen, its block left out
  selected: null, // the restaker selected in the cascade graph
  rendering: null, // the render in progress (a promise)
  again: false, // a new block came during it
  attempt: 0, // bumped by each connect: an older attempt's results are dropped
};

/** The account view's text before any look-up. */
const ACCOUNT_HINT = 'Enter an address, or pick a known restaker.';

// ---- messages -------------------------------------------------------------------------------

/** Set an element's text only when it changes: a live region then speaks only of changes. */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/**
 * The status line: `text` (the connection) is a live region; `head` (block and era, new at
 * every block) is outside it, so that a screen reader does not announce every block.
 */
function setStatus(text, head = '') {
  setText($('status'), text);
  setText($('head'), head);
}

/** A notice above the views (unreachable node, no restaking, a read that failed), or none. */
function setNotice(text) {
  setText($('notice'), text ?? '');
  $('notice').hidden = !text;
}

/** Mark a view's panel as not drawn at the newest block yet (`busy`), or drawn. */
function setBusy(view, busy) {
  const panel = $(`view-${view}`);
  if (busy) panel.setAttribute('aria-busy', 'true');
  else panel.removeAttribute('aria-busy');
  $('reading').hidden = !$(`view-${state.view}`).hasAttribute('aria-busy');
}

/** Empty every view and form: nothing of a previous node or block stays on screen. */
function clearViews() {
  for (const slot of [
    'chain-figures-slot',
    'services-slot',
    'whatif-result',
    'pools-slot',
    'cascade-slot',
  ])
    $(slot).replaceChildren();
  replaceContent($('account-result'), h('p', { class: 'quiet' }, ACCOUNT_HINT));
  $('account-input').value = '';
  $('cascade-reach').textContent = '';
  for (const id of ['account-pick', 'whatif-service', 'whatif-offender', 'whatif-rule']) {
    $(id).replaceChildren();
    delete $(id).dataset.options;
  }
  $('whatif-run').disabled = true;
  $('whatif-hint').hidden = true;
  for (const view of VIEWS) setBusy(view, true);
}

// ---- connection -------------------------------------------------------------------------------

/** How long a closed connection waits for its render in flight (see `disconnect`). */
const CLOSE_GRACE_MS = 3_000;

/**
 * Forget the node at once, clear the views and close the connection. A render in flight is
 * dropped (its results are stale); the socket closes when it settles, or after `CLOSE_GRACE_MS`
 * on a node that stalls, so that its requests do not fail into the console meanwhile.
 */
function disconnect() {
  const { api, rendering } = state;
  Object.assign(state, {
    api: null,
    head: null,
    directory: null,
    account: null,
    simulation: null,
    shownSimulation: null,
    selected: null,
    rendering: null,
    again: false,
  });
  $('app').hidden = true;
  clearViews();
  if (api) {
    const grace = new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS));
    Promise.race([rendering, grace]).then(() => api.disconnect().catch(() => {}));
  }
}

async function connectTo(url) {
  const attempt = ++state.attempt;
  const superseded = () => attempt !== state.attempt;
  setNotice(null);
  setStatus(`Connecting to ${url}…`);
  $('ws-url').value = url;
  history.replaceState(null, '', `?ws=${encodeURIComponent(url)}`);
  disconnect();
  let api;
  try {
    api = await connect(url);
  } catch (error) {
    if (superseded()) return;
    setStatus('Not connected');
    setNotice(error instanceof Notice ? error.message : `Cannot reach ${url}: ${error.message}`);
    return;
  }
  if (superseded()) {
    api.disconnect().catch(() => {});
    return;
  }
  Object.assign(state, { api, url, token: tokenOf(api), clock: new EraClock(api) });
  // From here every callback checks `state.api === api`: a later connect has replaced it.
  api.on('disconnected', () => {
    if (state.api !== api) return; // our own disconnect
    disconnect();
    setStatus('Not connected');
    setNotice(`Lost the connection to ${url}. Press Connect to try again.`);
  });
  try {
    // Closing the connection ends the subscription: no unsubscribe needed.
    await api.rpc.chain.subscribeNewHeads((header) => {
      if (state.api !== api) return;
      state.head = { hash: header.hash.toHex(), number: header.number.toNumber() };
      refresh();
    });
  } catch (error) {
    if (superseded() || state.api !== api) return;
    disconnect();
    setStatus('Not connected');
    setNotice(`Cannot follow the new blocks of ${url}: ${error.message}`);
  }
}

/** `connectTo`, an unexpected failure shown as a notice rather than left unhandled. */
function connectNow(url) {
  const connecting = connectTo(url);
  const attempt = state.attempt; // set by `connectTo` before its first await
  connecting.catch((error) => {
    if (attempt !== state.attempt) return;
    disconnect();
    setStatus('Not connected');
    setNotice(`Cannot connect to ${url}: ${error.message}`);
  });
}

// ---- rendering --------------------------------------------------------------------------------

/** Render the open view at the newest block; a block that comes meanwhile renders after. */
function refresh() {
  if (state.rendering) {
    state.again = true;
    return;
  }
  // A disconnect drops `state.rendering`: this loop then ends with its render in flight.
  const job = (async () => {
    do {
      state.again = false;
      await render();
    } while (state.again && state.rendering === job);
    if (state.rendering === job) state.rendering = null;
  })();
  state.rendering = job;
}

/** The open view at the newest block, with everything it names read at that block. */
async function render() {
  const { api, head, view, url, clock, token } = state;
  if (!api || !head) return;
  const stale = () => api !== state.api;
  try {
    const at = await api.at(head.hash);
    const [reading, directory] = await Promise.all([
      clock.read(at, head.number),
      readDirectory(at),
    ]);
    if (stale()) return;
    const ctx = {
      balance: (planck) => formatBalance(planck, token),
      unit: 10n ** BigInt(token.decimals), // one token in planck
      clock: reading,
      block: head.number, // the block every figure is read at
      services: new Map(directory.services.map((service) => [service.id, service])),
    };
    state.directory = directory;
    await VIEW_RENDERERS[view](ctx, at, stale);
    if (stale()) return;
    setBusy(view, false);
    const { specName, specVersion } = api.runtimeVersion;
    setStatus(
      `Connected to ${url} · ${specName} ${specVersion}`,
      ` · block #${head.number} · era ${reading.era}`,
    );
    setNotice(null);
    $('app').hidden = false;
  } catch (error) {
    if (!stale()) setNotice(`Could not read block #${head.number}: ${error.message}`);
  }
}

const VIEW_RENDERERS = {
  async services(ctx, at, stale) {
    const overview = await readOverview(at, state.directory);
    if (stale()) return;
    replaceContent($('chain-figures-slot'), chainFigures(ctx, overview));
    replaceContent($('services-slot'), serviceCards(ctx, overview));
  },

  async account(ctx, at, stale) {
    setOptions(
      $('account-pick'),
      [{ value: '', label: state.directory.restakers.length ? 'pick one…' : 'none yet' }].concat(
        state.directory.restakers.map((who) => ({ value: who, label: shortAddress(who) })),
      ),
    );
    const who = state.account;
    if (!who) return;
    const account = await readAccount(at, who);
    if (stale() || who !== state.account) return;
    replaceContent($('account-result'), accountView(ctx, { who, ...account }));
  },

  async whatif(ctx, at, stale) {
    fillWhatIfForm();
    const asked = state.simulation;
    if (!asked) return;
    const result = await simulate(state.api, at, asked.service, asked.offender, asked.rule);
    if (stale() || asked !== state.simulation) return;
    showSimulation(ctx, asked, result);
  },

  async pools(ctx, at, stale) {
    const pools = await readPools(at);
    if (stale()) return;
    replaceContent($('pools-slot'), poolCards(ctx, pools));
  },

  async cascade(ctx, at, stale) {
    const [restakers, pools] = await Promise.all([
      readRestakers(at, state.directory.restakers),
      readPools(at),
    ]);
    if (stale()) return;
    const { services } = state.directory;
    const draw = () => {
      const { graph, summary } = cascadeView(ctx, {
        services,
        restakers,
        pools,
        selected: state.selected,
        onSelect,
      });
      replaceContent($('cascade-slot'), graph);
      setText($('cascade-reach'), summary);
    };
    const onSelect = (who) => {
      state.selected = state.selected === who ? null : who;
      draw();
    };
    draw();
  },
};

/**
 * Show a simulation's result. When only its block changed, only the block number is
 * rewritten: a refusal (role=alert) inserted again at every block would be announced again.
 */
function showSimulation(ctx, asked, result) {
  const slot = $('whatif-result');
  const nodes = simulationView(ctx, { ...asked, result, block: ctx.block });
  const text = nodes
    .map((node) => {
      const copy = node.cloneNode(true);
      copy.querySelector('[data-field="block"]')?.remove();
      return copy.textContent;
    })
    .join('\n');
  const shown = state.shownSimulation;
  if (shown && shown.text === text && slot.contains(shown.node)) {
    setText(slot.querySelector('[data-field="block"]'), ` at block #${ctx.block}`);
    return;
  }
  replaceContent(slot, nodes);
  state.shownSimulation = { node: nodes[0], text };
}

/** Set a select's options (`[{ value, label }]`) if they changed, keeping the chosen value. */
function setOptions(select, options) {
  const signature = JSON.stringify(options);
  if (select.dataset.options === signature) return;
  const chosen = select.value;
  select.replaceChildren(...options.map(({ value, label }) => h('option', { value }, label)));
  select.dataset.options = signature;
  if (options.some((o) => String(o.value) === chosen)) select.value = chosen;
}

/**
 * The what-if selects: services; the restakers in the chosen one; its rules. Simulate is
 * disabled, with a note why, when there is nothing to simulate.
 */
function fillWhatIfForm() {
  if (!state.directory) return;
  const { services, positions } = state.directory;
  setOptions(
    $('whatif-service'),
    services.map((s) => ({ value: s.id, label: `${s.name} #${s.id}` })),
  );
  const service = services.find((s) => String(s.id) === $('whatif-service').value);
  setOptions(
    $('whatif-offender'),
    positions
      .filter((p) => p.service === service?.id)
      .map((p) => ({ value: p.who, label: shortAddress(p.who) })),
  );
  setOptions(
    $('whatif-rule'),
    (service?.rules ?? []).map((rule, i) => ({ value: i, label: `${i}: ${rule.name}` })),
  );
  let hint = null;
  const name = service && `${service.name} #${service.id}`;
  if (service && !$('whatif-offender').value)
    hint = `${name} has no restakers: there is no one to simulate a slash of.`;
  else if (service && !$('whatif-rule').value) hint = `${name} has no rules to simulate.`;
  $('whatif-run').disabled = !$('whatif-offender').value || !$('whatif-rule').value;
  setText($('whatif-hint'), hint ?? '');
  $('whatif-hint').hidden = !hint;
  if (services.length === 0 && !state.simulation) {
    state.shownSimulation = null;
    if ($('whatif-result').textContent !== 'No services registered yet.')
      replaceContent($('whatif-result'), h('p', { class: 'empty' }, 'No services registered yet.'));
  }
}

// ---- controls ---------------------------------------------------------------------------------

/** Open `view`; it shows as busy (its content from an older block) until it is drawn again. */
function selectView(view, { focus = false } = {}) {
  state.view = view;
  for (const name of VIEWS) {
    const tab = $(`tab-${name}`);
    tab.setAttribute('aria-selected', String(name === view));
    // Only the selected tab is in the Tab order; the arrow keys move between them.
    tab.tabIndex = name === view ? 0 : -1;
    $(`view-${name}`).hidden = name !== view;
    if (focus && name === view) tab.focus();
  }
  setBusy(view, true);
  refresh();
}

for (const view of VIEWS) {
  $(`tab-${view}`).addEventListener('click', () => selectView(view));
  // Arrow keys, Home and End move between the tabs, as in any tab list.
  $(`tab-${view}`).addEventListener('keydown', (event) => {
    const i = VIEWS.indexOf(view);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: VIEWS.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    selectView(VIEWS[(next + VIEWS.length) % VIEWS.length], { focus: true });
  });
}

$('connect-form').addEventListener('submit', (event) => {
  event.preventDefault();
  connectNow($('ws-url').value.trim());
});

function lookUp(text) {
  const who = state.api && parseAddress(state.api, text);
  if (!who) {
    state.account = null;
    replaceContent(
      $('account-result'),
      h('p', { class: 'error', 'data-testid': 'account-invalid' }, `Not an address: ${text}`),
    );
    return;
  }
  state.account = who;
  $('account-input').value = who;
  replaceContent($('account-result'), h('p', { class: 'quiet' }, `Reading ${who}…`));
  refresh();
}

$('account-form').addEventListener('submit', (event) => {
  event.preventDefault();
  lookUp($('account-input').value);
});

$('account-pick').addEventListener('change', () => {
  if ($('account-pick').value) lookUp($('account-pick').value);
});

$('whatif-service').addEventListener('change', fillWhatIfForm);

$('whatif-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if ($('whatif-run').disabled) return;
  state.simulation = {
    service: Number($('whatif-service').value),
    offender: $('whatif-offender').value,
    rule: Number($('whatif-rule').value),
  };
  state.shownSimulation = null;
  replaceContent($('whatif-result'), h('p', { class: 'quiet' }, 'Simulating…'));
  refresh();
});

connectNow(new URLSearchParams(location.search).get('ws') ?? DEFAULT_WS);
