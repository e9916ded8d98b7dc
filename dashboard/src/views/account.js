// The account view: one restaker's `exposures(who)` (positions, stake, leverage, coverage) and
// the slashes pending against it (`pendingSlashesOf(who)`).

import { facts, h } from '../dom.js';
import { PPB, formatPercent, formatTimes, ratioPpb } from '../format.js';
import { pendingTable, serviceLabel } from './shared.js';

function exitState(ctx, exit) {
  if (!exit) return 'in force';
  return exit.target === 0n
    ? `leaving: released from era ${exit.releaseEra}`
    : `decreasing to ${ctx.balance(exit.target)} from era ${exit.releaseEra}`;
}

/** A bar of `part / whole`, for exposure against allocation. */
function bar(part, whole, label) {
  const percent = Number(ratioPpb(part, whole)) / 1e7;
  return h(
    'span',
    { class: 'bar', role: 'img', 'aria-label': label },
    h('span', { class: 'bar-fill', style: `width: ${Math.min(100, percent)}%` }),
  );
}

function positionsTable(ctx, positions) {
  const head = [
    'Service',
    'Allocation',
    'Exposure',
    'Worst case',
    'Claim',
    'Joined era',
    'Exit',
    'Claimable rewards',
    'History (era: allocation)',
  ];
  return h(
    'table',
    { 'data-testid': 'account-positions' },
    h('caption', null, 'Positions'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      null,
      positions.map((p) =>
        h(
          'tr',
          { 'data-testid': `position-${p.service}` },
          h('td', { 'data-field': 'service' }, serviceLabel(ctx, p.service)),
          h('td', { class: 'num', 'data-field': 'allocation' }, ctx.balance(p.allocation)),
          h(
            'td',
            { class: 'num' },
            h('span', { 'data-field': 'exposure' }, ctx.balance(p.exposure)),
            bar(
              p.exposure,
              p.allocation,
              `exposure ${formatPercent(ratioPpb(p.exposure, p.allocation))} of the allocation`,
            ),
          ),
          h('td', { class: 'num' }, formatPercent(p.worstCasePpb)),
          h('td', { class: 'num' }, ctx.balance(p.claim)),
          h('td', { class: 'num' }, p.joinedEra),
          h('td', { 'data-field': 'exit' }, exitState(ctx, p.exit)),
          h('td', { class: 'num' }, ctx.balance(p.claimableRewards)),
          h(
            'td',
            null,
            p.history.map((entry) => `${entry.era}: ${ctx.balance(entry.allocation)}`).join('; '),
          ),
        ),
      ),
    ),
  );
}

/** The account's figures; `{ who, view, pending }` from `readAccount`. */
export function accountView(ctx, { who, view, pending }) {
  const slashes = pendingTable(ctx, pending, { showService: true, testid: 'account-pending' });
  if (!view) {
    return [
      h(
        'p',
        { class: 'empty', 'data-testid': 'account-empty' },
        `${who} has no restaking position.`,
      ),
      pending.length > 0 && slashes,
    ];
  }
  const covered = view.coveragePpb <= PPB;
  return [
    h('h2', { 'data-testid': 'account-address' }, who),
    facts(
      [
        ['Bonded stake', ctx.balance(view.stake), 'account-stake'],
        [
          'Active · slashable',
          `${ctx.balance(view.activeStake)} · ${ctx.balance(view.slashableStake)}`,
        ],
        ['Allocated', ctx.balance(view.totalAllocated), 'account-allocated'],
        ['Exposure', ctx.balance(view.totalExposure), 'account-exposure'],
        [
          'Leverage',
          `${formatTimes(view.leveragePpb)} (allocated / slashable stake)`,
          'account-leverage',
        ],
        ['Worst-case claim', ctx.balance(view.totalClaim), 'account-claim'],
        [
          'Coverage',
          `${formatPercent(view.coveragePpb)} of the slashable stake: ${covered ? 'covered' : 'not covered'}`,
          'account-coverage',
        ],
        view.cascadePending && ['Cascade', 'a stake loss waits to reach its exposures'],
      ],
      { 'data-testid': 'account-summary' },
    ),
    positionsTable(ctx, view.positions),
    slashes,
  ];
}
