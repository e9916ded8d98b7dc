// The page: connects to a node, re-reads the open view at every new block, and wires the forms.

import {
  Notice,
  connect,
  parseAddress,
  readAccount,
  readDirectory,
  readOverview,
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
import { chainFigures, serviceCards } from './views/services.js';
import { simulationView } from './views/whatif.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['services', 'account', 'whatif', 'cascade'];

const state = {
  api: null,
  url: null, // the node `api` is connected to
  token: null,
  clock: null,
  unsubscribe: null,
  head: null, // `{ hash, number }` of the newest block
  directory: null, // services, restakers and positions at the last rendered block
  view: 'services',
  account: null, // the address the account view shows
  simulation: null, // `{ service, offender, rule }` the what-if view shows
  selected: null, // the restaker selected in the cascade graph
  rendering: null, // the render in progress
  again: false, // a new block came during it
  attempt: 0, // bumped by each connect: an older attempt's results are dropped
};

// ---- messages -------------------------------------------------------------------------------

function setStatus(text) {
  $('status').textContent = text;
}

/** A notice above the views (unreachable node, no restaking, a read that failed), or none. */
function setNotice(text) {
  $('notice').textContent = text ?? '';
  $('notice').hidden = !text;
}

// ---- connection -------------------------------------------------------------------------------

async function disconnect() {
  const { api, unsubscribe, rendering } = state;
  Object.assign(state, { api: null, unsubscribe: null, head: null, directory: null });
  $('app').hidden = true;
  // Let a render in flight finish: closing under it would fail its requests.
  await rendering;
  if (unsubscribe) await unsubscribe();
  if (api) await api.disconnect();
}

async function connectTo(url) {
  const attempt = ++state.attempt;
  await disconnect();
  $('ws-url').value = url;
  history.replaceState(null, '', `?ws=${encodeURIComponent(url)}`);
  setNotice(null);
  setStatus(`Connecting to ${url}…`);
  let api;
  try {
    api = await connect(url);
  } catch (error) {
    if (attempt !== state.attempt) return;
    setStatus('Not connected');
    setNotice(error instanceof Notice ? error.message : `Cannot reach ${url}: ${error.message}`);
    return;
  }
  if (attempt !== state.attempt) {
    await api.disconnect();
    return;
  }
  Object.assign(state, { api, url, token: tokenOf(api), clock: new EraClock(api) });
  api.on('disconnected', () => {
    if (state.api !== api) return; // our own disconnect
    Object.assign(state, { api: null, unsubscribe: null, head: null });
    $('app').hidden = true;
    setStatus('Not connected');
    setNotice(`Lost the connection to ${url}. Press Connect to try again.`);
  });
  state.unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => {
    state.head = { hash: header.hash.toHex(), number: header.number.toNumber() };
    refresh();
  });
}

// ---- rendering --------------------------------------------------------------------------------

/** Render the open view at the newest block; a block that comes meanwhile renders after. */
function refresh() {
  if (state.rendering) {
    state.again = true;
    return;
  }
  state.rendering = (async () => {
    do {
      state.again = false;
      await render();
    } while (state.again && state.api);
    state.rendering = null;
  })();
}

async function render() {
  const { api, head } = state;
  if (!api || !head) return;
  try {
    const at = await api.at(head.hash);
    const [clock, directory] = await Promise.all([
      state.clock.read(at, head.number),
      readDirectory(at),
    ]);
    const ctx = {
      balance: (planck) => formatBalance(planck, state.token),
      clock,
      services: new Map(directory.services.map((service) => [service.id, service])),
    };
    const stale = () => api !== state.api;
    if (stale()) return;
    state.directory = directory;
    await VIEW_RENDERERS[state.view](ctx, at, stale);
    if (stale()) return;
    const { specName, specVersion } = api.runtimeVersion;
    setStatus(
      `Connected to ${state.url} · ${specName} ${specVersion} · block #${head.number} · era ${clock.era}`,
    );
    setNotice(null);
    $('app').hidden = false;
  } catch (error) {
    if (api === state.api) setNotice(`Could not read block #${head.number}: ${error.message}`);
  }
}

const VIEW_RENDERERS = {
  async services(ctx, at, stale) {
    const overview = await readOverview(at, state.directory.services);
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
    replaceContent(
      $('whatif-result'),
      simulationView(ctx, { ...asked, result, block: state.head.number }),
    );
  },

  async cascade(ctx, at, stale) {
    const restakers = await readRestakers(at, state.directory.restakers);
    if (stale()) return;
    const { services } = state.directory;
    const draw = () =>
      replaceContent(
        $('cascade-slot'),
        cascadeView(ctx, { services, restakers, selected: state.selected, onSelect }),
      );
    const onSelect = (who) => {
      state.selected = state.selected === who ? null : who;
      draw();
    };
    draw();
  },
};

/** Set a select's options (`[{ value, label }]`) if they changed, keeping the chosen value. */
function setOptions(select, options) {
  const signature = JSON.stringify(options);
  if (select.dataset.options === signature) return;
  const chosen = select.value;
  select.replaceChildren(...options.map(({ value, label }) => h('option', { value }, label)));
  select.dataset.options = signature;
  if (options.some((o) => String(o.value) === chosen)) select.value = chosen;
}

/** The what-if selects: services; the restakers in the chosen one; its rules. */
function fillWhatIfForm() {
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
  $('whatif-run').disabled = !$('whatif-offender').value || !$('whatif-rule').value;
  if (services.length === 0)
    replaceContent($('whatif-result'), h('p', { class: 'empty' }, 'No services registered yet.'));
}

// ---- controls ---------------------------------------------------------------------------------

function selectView(view, { focus = false } = {}) {
  state.view = view;
  for (const name of VIEWS) {
    const tab = $(`tab-${name}`);
    tab.setAttribute('aria-selected', String(name === view));
    $(`view-${name}`).hidden = name !== view;
    if (focus && name === view) tab.focus();
  }
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
  connectTo($('ws-url').value.trim());
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
  state.simulation = {
    service: Number($('whatif-service').value),
    offender: $('whatif-offender').value,
    rule: Number($('whatif-rule').value),
  };
  replaceContent($('whatif-result'), h('p', { class: 'quiet' }, 'Simulating…'));
  refresh();
});

connectTo(new URLSearchParams(location.search).get('ws') ?? DEFAULT_WS);
