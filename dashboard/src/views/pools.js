// The pools view: one card per liquid restaking pool with its rate, supply and stake, what is
// pending against it, its terms (each service with the fraction it can slash) and its worst case
// per share now and after the changes waiting for its notice, then its holders and its
// redemption queue.

import { facts, h } from '../dom.js';
import { PPB, formatPercent, shortAddress } from '../format.js';
import { serviceLabel } from './shared.js';

/** A share's value, `ratePpb` of a unit of the token: `0.9 RSTK a share`. */
export function formatRate(ctx, ratePpb) {
  return `${ctx.balance((ratePpb * ctx.unit) / PPB)} a share`;
}

function termsTable(ctx, pool) {
  const testid = `pool-${pool.id}-terms`;
  if (pool.services.length === 0)
    return h('p', { class: 'quiet', 'data-testid': testid }, 'Backs no service.');
  return h(
    'table',
    { 'data-testid': testid },
    h('caption', null, 'Terms: the services its stake backs'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Service', 'Harshest rule'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      null,
      pool.services.map((s) =>
        h(
          'tr',
          { 'data-testid': `pool-${pool.id}-service-${s.service}` },
          h('td', null, serviceLabel(ctx, s.service)),
          h('td', null, formatPercent(s.fractionPpb)),
        ),
      ),
    ),
  );
}

function pendingChanges(ctx, pool) {
  const items = [
    ...pool.scheduled.map(
      (c) => `${serviceLabel(ctx, c.service)} joins its terms from era ${c.era}`,
    ),
    pool.pendingOperator &&
      `it moves to operator ${shortAddress(pool.pendingOperator.operator)} from era ${pool.pendingOperator.era}`,
  ].filter(Boolean);
  return items.length === 0 ? 'none' : items.join('; ');
}

function holdersTable(ctx, pool) {
  const testid = `pool-${pool.id}-holders`;
  if (pool.holders.length === 0)
    return h('p', { class: 'quiet', 'data-testid': testid }, 'No holders yet.');
  return h(
    'table',
    { 'data-testid': testid },
    h('caption', null, 'Holders'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Holder', 'Shares', 'Worth now'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      null,
      pool.holders.map((holder) =>
        h(
          'tr',
          { 'data-testid': `pool-${pool.id}-holder-${holder.who}` },
          h('td', { title: holder.who }, shortAddress(holder.who)),
          h('td', null, ctx.balance(holder.shares)),
          h('td', null, ctx.balance((holder.shares * pool.ratePpb) / PPB)),
        ),
      ),
    ),
  );
}

/** One card per pool, by id. */
export function poolCards(ctx, pools) {
  if (pools.length === 0)
    return h('p', { class: 'empty', 'data-testid': 'pools-empty' }, 'No pools yet.');
  return pools.map((pool) =>
    h(
      'section',
      {
        class: 'panel',
        'data-testid': `pool-${pool.id}`,
        'aria-labelledby': `pool-${pool.id}-title`,
      },
      h('h2', { id: `pool-${pool.id}-title` }, `Pool #${pool.id}`),
      facts([
        ['Rate', formatRate(ctx, pool.ratePpb), `pool-${pool.id}-rate`],
        ['Supply', `${ctx.balance(pool.supply)} in shares`, `pool-${pool.id}-supply`],
        ['Active stake', ctx.balance(pool.active), `pool-${pool.id}-active`],
        ['Pending slashes', ctx.balance(pool.pendingSlash), `pool-${pool.id}-pending`],
        ['Operator', shortAddress(pool.operator), `pool-${pool.id}-operator`],
        ['Manager', shortAddress(pool.manager), `pool-${pool.id}-manager`],
        ['Account', shortAddress(pool.account), `pool-${pool.id}-account`],
        pool.asset !== null && ['Share asset', `#${pool.asset}`, `pool-${pool.id}-asset`],
        [
          'Worst case of a share',
          `${formatPercent(pool.worstCasePpb)} now, ` +
            `${formatPercent(pool.worstCaseAfterPpb)} after the changes waiting`,
          `pool-${pool.id}-worst-case`,
        ],
        ['Changes waiting for notice', pendingChanges(ctx, pool), `pool-${pool.id}-changes`],
        [
          'Redemption queue',
          pool.redemptions.length === 0
            ? 'empty'
            : pool.redemptions
                .map((r) => `${ctx.balance(r.amount)} unlocking in era ${r.era}`)
                .join('; '),
          `pool-${pool.id}-redemptions`,
        ],
      ]),
      termsTable(ctx, pool),
      holdersTable(ctx, pool),
    ),
  );
}
