// The account view: one restaker's `exposures(who)` (positions, stake, leverage, coverage), the
// slashes pending against it (`pendingSlashesOf(who)`), and its roles (RestakingApi version 3):
// its delegation (`delegation(who)`: operator, amount, the services it backs and excludes, an
// ending) and, for an operator, `operator(who)` (commission, delegations accepted, own and
// delegated stake per service, its delegators with their amounts).

import { facts, h } from '../dom.js';
import {
  PPB,
  UNBACKED_STAKE,
  formatPercent,
  formatTimes,
  plural,
  ratioPpb,
  shortAddress,
} from '../format.js';
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
  return tableOf(
    'account-positions',
    'Positions',
    head,
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
  );
}

/** A table with a caption, `head` titles and the body rows `rows` (`tr` elements). */
function tableOf(testid, caption, head, rows) {
  return h(
    'table',
    { 'data-testid': testid },
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows),
  );
}

/** A table of `head` titles and `rows` (each `[testid, cells]`, a cell `[field, content, num]`). */
function table(testid, caption, head, rows) {
  return tableOf(
    testid,
    caption,
    head,
    rows.map(([rowId, cells]) =>
      h(
        'tr',
        { 'data-testid': rowId },
        cells.map(([field, content, num]) =>
          h('td', { class: num ? 'num' : null, 'data-field': field }, content),
        ),
      ),
    ),
  );
}

/** A position that holds nothing: released, kept only for its unclaimed rewards. */
const released = (p) => !p || (p.allocation === 0n && p.exposure === 0n && !p.exit);

/** `12% from era 5` for a commission increase waiting, or null. */
const pendingCommission = (pending) =>
  pending && `${formatPercent(pending.ppb)} from era ${pending.fromEra}`;

/**
 * The delegation of `who`: its operator, the amount, commission, since, an ending, exclusions;
 * then every service of the operator (from `operatorOf`, the operator's view), those it
 * excludes and any other position (a former operator's, leaving), with exposure and exit state.
 */
function delegationSection(ctx, delegation, operatorOf, view) {
  const positions = new Map((view?.positions ?? []).map((p) => [p.service, p]));
  const excluded = new Set(delegation.excluded);
  const operatorServices = new Set(operatorOf?.services.map((s) => s.service) ?? []);
  const ids = [...new Set([...operatorServices, ...excluded, ...positions.keys()])]
    .filter((id) => operatorServices.has(id) || excluded.has(id) || !released(positions.get(id)))
    .sort((a, b) => a - b);
  const role = (id) => {
    if (excluded.has(id)) return 'excluded';
    if (operatorServices.has(id)) return 'backs the operator';
    return delegation.previous ? "the former operator's" : "not the operator's";
  };
  const { previous, until } = delegation;
  const commission = pendingCommission(operatorOf?.pendingCommission);
  return h(
    'section',
    { 'data-testid': 'account-delegation', 'aria-labelledby': 'account-delegation-title' },
    h('h3', { id: 'account-delegation-title' }, 'Delegation'),
    facts(
      [
        // Short, the whole address in its title: a full one overflows its column.
        [
          'Operator',
          h('span', { title: delegation.operator }, shortAddress(delegation.operator)),
          'delegation-operator',
        ],
        [
          'Delegated',
          `${ctx.balance(delegation.amount)} in each service it backs`,
          'delegation-amount',
        ],
        [
          "Operator's commission",
          formatPercent(delegation.commissionPpb) + (commission ? ` (${commission})` : ''),
          'delegation-commission',
        ],
        ['Since', `era ${delegation.since}`, 'delegation-since'],
        [
          'State',
          until === null
            ? 'in force'
            : `ending: it backs none of the operator's services from era ${until}`,
          'delegation-state',
        ],
        [
          'Excluded services',
          delegation.excluded.length > 0
            ? delegation.excluded.map((id) => serviceLabel(ctx, id)).join(', ')
            : 'none',
          'delegation-excluded',
        ],
        previous && [
          'Previous operator',
          h(
            'span',
            { title: previous.operator },
            `${shortAddress(previous.operator)}: its services hold the stake until era ` +
              `${previous.until}`,
          ),
          'delegation-previous',
        ],
      ],
      { 'data-testid': 'delegation-summary' },
    ),
    table(
      'delegation-services',
      "The operator's services",
      ['Service', 'Delegation', 'Exposure', 'Exit'],
      ids.map((id) => {
        const p = positions.get(id);
        return [
          `delegation-service-${id}`,
          [
            ['service', serviceLabel(ctx, id)],
            ['role', role(id)],
            ['exposure', ctx.balance(p?.exposure ?? 0n), true],
            ['exit', released(p) ? 'released' : exitState(ctx, p.exit)],
          ],
        ];
      }),
    ),
  );
}

/** An operator: commission, delegations accepted, own and delegated stake, its delegators. */
function operatorSection(ctx, operator) {
  const commission = pendingCommission(operator.pendingCommission);
  const past =
    operator.pastDelegators > 0
      ? ` (and ${plural(operator.pastDelegators, 'past delegator')} a report can still reach)`
      : '';
  return h(
    'section',
    { 'data-testid': 'account-operator', 'aria-labelledby': 'account-operator-title' },
    h('h3', { id: 'account-operator-title' }, 'Operator'),
    facts(
      [
        [
          'Commission',
          formatPercent(operator.commissionPpb) + (commission ? `; ${commission}` : ''),
          'operator-commission',
        ],
        [
          'New delegations',
          operator.accepting ? 'accepted' : 'not accepted (stopped operating)',
          'operator-accepting',
        ],
        ['Delegators', `${operator.delegators.length}${past}`, 'operator-delegator-count'],
      ],
      { 'data-testid': 'operator-summary' },
    ),
    table(
      'operator-services',
      'Own and delegated stake',
      ['Service', 'Own', 'Delegated', 'Delegators'],
      operator.services.map((s) => [
        `operator-service-${s.service}`,
        [
          ['service', serviceLabel(ctx, s.service)],
          ['own', ctx.balance(s.own), true],
          ['delegated', ctx.balance(s.delegated), true],
          ['delegators', `${s.delegators}`, true],
        ],
      ]),
    ),
    operator.delegators.length === 0
      ? h('p', { class: 'quiet', 'data-testid': 'operator-delegators' }, 'No delegators.')
      : table(
          'operator-delegators',
          'Delegators',
          ['Delegator', 'Delegated', 'Since era', 'Excluded services', 'State'],
          operator.delegators.map((who) => {
            const d = operator.delegations.get(who);
            return [
              `delegator-${who}`,
              [
                ['delegator', who],
                ['amount', d ? ctx.balance(d.amount) : '?', true],
                ['since', d ? `${d.since}` : '?', true],
                [
                  'excluded',
                  d && d.excluded.length > 0
                    ? d.excluded.map((id) => serviceLabel(ctx, id)).join(', ')
                    : 'none',
                ],
                ['state', d?.until == null ? 'in force' : `ending from era ${d.until}`],
              ],
            ];
          }),
        ),
  );
}

/**
 * The account's figures; `{ who, view, pending, operator, delegation, operatorOf }` from
 * `readAccount`.
 */
export function accountView(ctx, { who, view, pending, operator, delegation, operatorOf }) {
  const slashes = pendingTable(ctx, pending, { showService: true, testid: 'account-pending' });
  const roles = [
    delegation && delegationSection(ctx, delegation, operatorOf, view),
    operator && operatorSection(ctx, operator),
  ];
  if (!view) {
    if (!operator && !delegation) {
      return [
        h(
          'p',
          { class: 'empty', 'data-testid': 'account-empty' },
          `${who} has no restaking position.`,
        ),
        pending.length > 0 && slashes,
      ];
    }
    // An operator in no service (or a delegator of one): its roles, no positions.
    return [
      h('h2', { 'data-testid': 'account-address' }, who),
      h(
        'p',
        { class: 'quiet', 'data-testid': 'account-no-positions' },
        'No restaking position.',
      ),
      ...roles,
      slashes,
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
    ...roles,
    positionsTable(ctx, view.positions),
    slashes,
  ];
}
