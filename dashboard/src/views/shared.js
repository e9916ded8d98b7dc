// Pieces more than one view shows: a service's label, the pending-slash table and its countdown.

import { h } from '../dom.js';
import { formatDuration, plural, shortAddress } from '../format.js';

/** `sample-oracle #0`, or `#7` for a service the page does not know. */
export function serviceLabel(ctx, id) {
  const service = ctx.services.get(id);
  return service ? `${service.name} #${id}` : `#${id}`;
}

/**
 * When a slash lands, from the clock: `in 2 eras, ≈ 14 blocks (≈ 1 min 24 s)`; `due now` once
 * the era should have started (eras that stopped rotating).
 */
export function countdown(clock, applyEra) {
  const { eras, blocks, ms } = clock.untilEra(applyEra);
  if (eras <= 0) return 'landing now';
  if (blocks === null) return `in ${plural(eras, 'era')}`;
  if (blocks === 0) return `in ${plural(eras, 'era')}, due now (the era is late)`;
  const time = ms === null ? '' : ` (≈ ${formatDuration(ms)})`;
  return `in ${plural(eras, 'era')}, ≈ ${plural(blocks, 'block')}${time}`;
}

const BREAKER_TEXT = {
  Within: 'within budget',
  Held: 'held: needs approval',
  Approved: 'approved',
};

/** The pending slashes as a table; `showService` adds the service column. */
export function pendingTable(ctx, pending, { showService, testid }) {
  if (pending.length === 0)
    return h('p', { class: 'quiet', 'data-testid': testid }, 'No pending slashes.');
  const ruleName = (p) => ctx.services.get(p.service)?.rules[p.rule]?.name ?? `rule ${p.rule}`;
  return h(
    'table',
    { 'data-testid': testid },
    h('caption', null, 'Pending slashes'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        [
          'Slash',
          showService && 'Service',
          'Offender',
          'Rule',
          'Amount',
          'Breaker',
          'Offence era',
          'Lands in era',
          'Countdown',
        ]
          .filter(Boolean)
          .map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      null,
      pending.map((p) =>
        h(
          'tr',
          { 'data-testid': `pending-slash-${p.id}` },
          h('td', null, `#${p.id}`),
          showService && h('td', null, serviceLabel(ctx, p.service)),
          h('td', { title: p.offender }, shortAddress(p.offender)),
          h('td', null, ruleName(p), p.eject ? ' + eject' : ''),
          h('td', { class: 'num', 'data-field': 'amount' }, ctx.balance(p.amount)),
          h('td', { class: `breaker-${p.breaker}` }, BREAKER_TEXT[p.breaker] ?? p.breaker),
          h('td', { class: 'num' }, p.offenceEra),
          h('td', { class: 'num', 'data-field': 'apply-era' }, p.applyEra),
          // A held slash does not land at its apply era: it is dropped then unless approved.
          h(
            'td',
            { 'data-field': 'countdown' },
            p.breaker === 'Held'
              ? `held: dropped in era ${p.applyEra} unless approved`
              : countdown(ctx.clock, p.applyEra),
          ),
        ),
      ),
    ),
  );
}
