// The account view: one restaker's `exposures(who)` (positions, stake, leverage, coverage) and
// the slashes pending against it (`pendingSlashesOf(who)`).

import { facts, h } from '../dom.js';
import { PPB, UNBACKED_STAKE, formatPercent, formatTimes, ratioPpb } from '../format.js';
import { pendingTable, serviceLabel } from './shared.js';

// `release_era`: the first era in which `complete_opt_out` (or the era sweep) may release it.
function exitState(ctx, exit) {
  if (!exit) return 'in force';
  const release = `can be released (complete_opt_out) from era ${exit.releaseEra}`;
  return exit.target === 0n
    ? `leaving: ${release}`
    : `decreasing to ${ctx.balance(exit.target)}: ${release}`;
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
  // The runtime's ratios are 0 over a slashable stake of 0 (a stake loss waiting for its
  // cascade): claims or allocations on nothing are unbacked, never covered.
  const noStake = view.slashableStake === 0n;
  const leverage =
    noStake && view.totalAllocated > 0n
      ? UNBACKED_STAKE
      : `${formatTimes(view.leveragePpb)} (allocated / slashable stake)`;
  const coverage =
    noStake && view.totalClaim > 0n
      ? `${UNBACKED_STAKE}: not covered`
      : `${formatPercent(view.coveragePpb)} of the slashable stake: ` +
        (view.coveragePpb <= PPB ? 'covered' : 'not covered');
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
        ['Leverage', leverage, 'account-leverage'],
        ['Worst-case claim', ctx.balance(view.totalClaim), 'account-claim'],
        ['Coverage', coverage, 'account-coverage'],
        view.cascadePending && ['Cascade', 'a stake loss waits to reach its exposures'],
      ],
      { 'data-testid': 'account-summary' },
    ),
    positionsTable(ctx, view.positions),
    slashes,
  ];
}
