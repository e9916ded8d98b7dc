// The cascade graph: services on the left, restakers on the right, an edge for each exposure,
// and a dashed arrow from each operator to each of its delegators (a report against the
// operator reaches them once its slash lands). A slash takes from the restaker's bonded stake, so
// it reaches every service that restaker is exposed to: selecting a restaker (click, or Enter /
// Space on it) highlights them, and for an operator the arrows to its delegators. A liquid
// restaking pool is a delegator like any other; its holders are a third column, with a dotted
// arrow from the pool to each (what reaches the pool's stake reaches its shares' rate).

import { h, s } from '../dom.js';
import { shortAddress } from '../format.js';
import { serviceLabel } from './shared.js';

const WIDTH = 1500;
const ROW = 84; // vertical room per node
const SERVICE_X = 300;
const RESTAKER_X = 860;
const HOLDER_X = 1240;
const MIN_RADIUS = 8;
const MAX_RADIUS = 30;
const MAX_EDGE = 12;

/** Radius by area: `value / max` of the largest circle's area. */
function radius(value, max) {
  return (
    MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt(max === 0n ? 0 : Number(value) / Number(max))
  );
}

const maxOf = (values) => values.reduce((m, v) => (v > m ? v : m), 0n);

/** What the selected restaker's slash reaches, in words; then its delegators or its operator. */
function reachSummary(ctx, selected, reachedEdges, delegations, pools) {
  if (selected === null) {
    return 'Select a restaker (click it, or Tab to it and press Enter) to see every service its slash would reach.';
  }
  const who = shortAddress(selected);
  const services = reachedEdges.map(
    (e) => `${serviceLabel(ctx, e.service)} (exposure ${ctx.balance(e.exposure)})`,
  );
  const reach =
    reachedEdges.length === 0
      ? `A slash of ${who} reaches no service: it has no exposure.`
      : `A slash of ${who} reaches ${services.join(', ')}.`;
  const delegators = delegations.filter((d) => d.operator === selected);
  const operator = delegations.find((d) => d.delegator === selected);
  const more = [
    delegators.length > 0 &&
      `Reports against it also reach its delegators once its slash lands: ${delegators
        .map((d) => `${shortAddress(d.delegator)} (${ctx.balance(d.amount)})`)
        .join(', ')}.`,
    operator &&
      `It delegates to ${shortAddress(operator.operator)}: reports against ${shortAddress(
        operator.operator,
      )} reach it too.`,
  ].filter(Boolean);
  const pool = pools.find((p) => p.account === selected);
  if (pool) {
    more.push(
      pool.holders.length === 0
        ? `It is pool #${pool.id}, with no holders yet.`
        : `It is pool #${pool.id}: its holders bear it through the rate: ${pool.holders
            .map((holder) => `${shortAddress(holder.who)} (${ctx.balance(holder.shares)} shares)`)
            .join(', ')}.`,
    );
  }
  return [reach, ...more].join(' ');
}

/** A short sample of an edge's style, for the legend. */
function swatch(kind) {
  return s(
    'svg',
    {
      class: 'cascade swatch',
      viewBox: '0 0 36 12',
      width: 36,
      height: 12,
      'aria-hidden': 'true',
    },
    s('line', {
      x1: 2,
      y1: 6,
      x2: kind === 'exposure' ? 34 : 28,
      y2: 6,
      class: kind === 'exposure' ? 'edge' : kind,
      'stroke-width': 3,
      'marker-end': kind === 'exposure' ? null : 'url(#delegation-arrow)',
    }),
  );
}

/** The legend: which line is which. */
function legend() {
  return h(
    'ul',
    { class: 'legend', 'data-testid': 'cascade-legend' },
    h(
      'li',
      { 'data-testid': 'legend-exposure' },
      swatch('exposure'),
      ' exposure: restaker – service, as wide as the exposure',
    ),
    h(
      'li',
      { 'data-testid': 'legend-delegation' },
      swatch('delegation'),
      ' delegation: operator → delegator, dashed (lighter while the delegation is ending)',
    ),
    h(
      'li',
      { 'data-testid': 'legend-holding' },
      swatch('holding'),
      ' holding: pool → holder of its shares, dotted',
    ),
  );
}

/**
 * `restakers`: `[{ who, view }]` from `readRestakers`; `selected`: the selected restaker's
 * address or null; `onSelect(address)` toggles the selection. Returns `{ graph, summary }`:
 * the graph and, for the live region the page keeps outside it, what the selection reaches.
 */
export function cascadeView(ctx, { services, restakers, pools = [], selected, onSelect }) {
  if (restakers.length === 0)
    return {
      graph: h('p', { class: 'empty', 'data-testid': 'cascade-empty' }, 'No restakers yet.'),
      summary: '',
    };
  // Pools shown: those whose account is in the graph; each holder once, whatever it holds.
  const shownPools = pools.filter((p) => restakers.some(({ who }) => who === p.account));
  const holders = [...new Set(shownPools.flatMap((p) => p.holders.map((x) => x.who)))];
  const rows = Math.max(services.length, restakers.length, holders.length);
  const height = rows * ROW + 40;
  const yOf = (index, count) => 20 + (height - 40) * ((index + 0.5) / count);
  const serviceY = new Map(services.map((service, i) => [service.id, yOf(i, services.length)]));
  const restakerY = new Map(restakers.map(({ who }, i) => [who, yOf(i, restakers.length)]));
  const holderY = new Map(holders.map((who, i) => [who, yOf(i, holders.length)]));
  const holdings = shownPools.flatMap((pool) =>
    pool.holders.map((holder) => ({ pool, ...holder })),
  );
  const maxSecured = maxOf(services.map((x) => x.totalSecured));
  const maxStake = maxOf(restakers.map((r) => r.view.slashableStake));
  const edges = restakers.flatMap(({ who, view }) =>
    view.positions
      .filter((p) => p.exposure > 0n && serviceY.has(p.service))
      .map((p) => ({ who, ...p })),
  );
  const maxExposure = maxOf(edges.map((e) => e.exposure));
  // Operator -> delegator, from each delegator's `delegation(who)`: ending ones included (their
  // positions are still exposed and reports against the operator still reach them).
  const delegations = restakers
    .filter(({ delegation }) => delegation && restakerY.has(delegation.operator))
    .map(({ who, delegation }) => ({
      operator: delegation.operator,
      delegator: who,
      amount: delegation.amount,
      until: delegation.until,
    }));
  const radiusOf = new Map(
    restakers.map(({ who, view }) => [who, radius(view.slashableStake, maxStake)]),
  );
  /** A curve left of the restakers' column, from the operator's circle to the delegator's. */
  const curve = ({ operator, delegator }) => {
    const [y1, y2] = [restakerY.get(operator), restakerY.get(delegator)];
    const [x1, x2] = [RESTAKER_X - radiusOf.get(operator), RESTAKER_X - radiusOf.get(delegator)];
    const bend = RESTAKER_X - MAX_RADIUS - 50 - Math.abs(y2 - y1) * 0.25;
    return `M ${x1} ${y1} Q ${bend} ${(y1 + y2) / 2} ${x2} ${y2}`;
  };
  const reached = new Set(edges.filter((e) => e.who === selected).map((e) => e.service));
  const poolOf = new Map(shownPools.map((p) => [p.account, p.id]));
  const state = (hit) => (selected === null ? '' : hit ? 'reached' : 'dim');

  const keydown = (who) => (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(who);
    }
  };

  const graph = s(
    'svg',
    {
      class: 'cascade',
      'data-testid': 'cascade-graph',
      viewBox: `0 0 ${WIDTH} ${height}`,
      width: WIDTH,
      height,
      role: 'group',
      'aria-label':
        'Cascade graph: services, restakers and their exposures; operators and their delegators; pools and their holders',
    },
    s(
      'defs',
      null,
      s(
        'marker',
        {
          id: 'delegation-arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 4,
          markerHeight: 4,
          orient: 'auto',
        },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'delegation-arrow' }),
      ),
    ),
    s(
      'g',
      { class: 'edges' },
      edges.map((e) =>
        s(
          'line',
          {
            x1: SERVICE_X,
            y1: serviceY.get(e.service),
            x2: RESTAKER_X,
            y2: restakerY.get(e.who),
            'stroke-width': 1 + (MAX_EDGE - 1) * (Number(e.exposure) / Number(maxExposure)),
            class: `edge ${state(e.who === selected)}`,
            'data-testid': `edge-${e.who}-${e.service}`,
          },
          s(
            'title',
            null,
            `${shortAddress(e.who)} → ${serviceLabel(ctx, e.service)}: ${ctx.balance(e.exposure)}`,
          ),
        ),
      ),
    ),
    s(
      'g',
      { class: 'delegations' },
      delegations.map((d) =>
        s(
          'path',
          {
            d: curve(d),
            fill: 'none',
            'marker-end': 'url(#delegation-arrow)',
            class:
              `delegation${d.until === null ? '' : ' ending'} ` +
              state(d.operator === selected),
            'data-testid': `delegation-edge-${d.operator}-${d.delegator}`,
          },
          s(
            'title',
            null,
            `${shortAddress(d.operator)} → ${shortAddress(d.delegator)}: delegates ` +
              ctx.balance(d.amount) +
              (d.until === null ? '' : `, ending from era ${d.until}`),
          ),
        ),
      ),
    ),
    s(
      'g',
      { class: 'holdings' },
      holdings.map((x) =>
        s(
          'line',
          {
            x1: RESTAKER_X + radiusOf.get(x.pool.account),
            y1: restakerY.get(x.pool.account),
            x2: HOLDER_X - MIN_RADIUS - 2,
            y2: holderY.get(x.who),
            'marker-end': 'url(#delegation-arrow)',
            class: `holding ${state(x.pool.account === selected)}`,
            'data-testid': `holding-edge-${x.pool.id}-${x.who}`,
          },
          s(
            'title',
            null,
            `pool #${x.pool.id} → ${shortAddress(x.who)}: ${ctx.balance(x.shares)} shares`,
          ),
        ),
      ),
    ),
    holders.map((who) => {
      const y = holderY.get(who);
      const held = holdings.filter((x) => x.who === who);
      const hit = held.some((x) => x.pool.account === selected);
      return s(
        'g',
        {
          class: `node holder ${state(hit)}`,
          'data-testid': `holder-node-${who}`,
          'data-reached': selected === null ? null : String(hit),
        },
        s('circle', { cx: HOLDER_X, cy: y, r: MIN_RADIUS }),
        s('text', { x: HOLDER_X + MIN_RADIUS + 8, y: y - 4 }, shortAddress(who)),
        s(
          'text',
          { x: HOLDER_X + MIN_RADIUS + 8, y: y + 14, class: 'sub' },
          held.map((x) => `pool #${x.pool.id}: ${ctx.balance(x.shares)}`).join(', '),
        ),
      );
    }),
    services.map((service) => {
      const hit = reached.has(service.id);
      const y = serviceY.get(service.id);
      return s(
        'g',
        {
          class: `node service ${state(hit)}`,
          'data-testid': `service-node-${service.id}`,
          'data-reached': selected === null ? null : String(hit),
        },
        s('circle', { cx: SERVICE_X, cy: y, r: radius(service.totalSecured, maxSecured) }),
        s(
          'text',
          { x: SERVICE_X - MAX_RADIUS - 12, y: y - 4, 'text-anchor': 'end' },
          serviceLabel(ctx, service.id),
        ),
        s(
          'text',
          { x: SERVICE_X - MAX_RADIUS - 12, y: y + 14, 'text-anchor': 'end', class: 'sub' },
          `secured ${ctx.balance(service.totalSecured)}`,
        ),
      );
    }),
    restakers.map(({ who, view }) => {
      const y = restakerY.get(who);
      const isSelected = who === selected;
      return s(
        'g',
        {
          class: `node restaker${isSelected ? ' selected' : ''}`,
          'data-testid': `restaker-node-${who}`,
          tabindex: 0,
          role: 'button',
          'aria-pressed': String(isSelected),
          'aria-label': `Restaker ${who}, stake ${ctx.balance(view.slashableStake)}`,
          onClick: () => onSelect(who),
          onKeydown: keydown(who),
        },
        // The whole node, label included, takes the click.
        s('rect', {
          class: 'hit',
          x: RESTAKER_X - MAX_RADIUS,
          y: y - MAX_RADIUS,
          width: WIDTH - RESTAKER_X + MAX_RADIUS,
          height: 2 * MAX_RADIUS,
        }),
        s('circle', { cx: RESTAKER_X, cy: y, r: radius(view.slashableStake, maxStake) }),
        s(
          'text',
          { x: RESTAKER_X + MAX_RADIUS + 12, y: y - 4 },
          poolOf.has(who) ? `pool #${poolOf.get(who)} ${shortAddress(who)}` : shortAddress(who),
        ),
        s(
          'text',
          { x: RESTAKER_X + MAX_RADIUS + 12, y: y + 14, class: 'sub' },
          `stake ${ctx.balance(view.slashableStake)}`,
        ),
      );
    }),
  );

  const summary = reachSummary(
    ctx,
    selected,
    edges.filter((e) => e.who === selected),
    delegations,
    shownPools,
  );
  return { graph: [legend(), graph], summary };
}
