// The what-if view's result: `simulateSlash(service, offender, rule)` as figures, and the
// secured stake of every service the offender is in, before and after the slash and its cascade.

import { facts, h, s } from '../dom.js';
import { UNBACKED_STAKE, formatPercent, shortAddress } from '../format.js';
import { serviceLabel } from './shared.js';

const BAR_WIDTH = 640;
const LABEL_WIDTH = 220;
const ROW_HEIGHT = 64;

/**
 * What the slash does to a service, under its label: `reported here: −50,000 RSTK` for the
 * service of the report, `cascade: −15,000 RSTK` for another one its stake loss reaches.
 */
function impactRole(ctx, impact, reported) {
  const lost = impact.securedBefore - impact.securedAfter;
  const change = lost > 0n ? `−${ctx.balance(lost)}` : 'unchanged';
  return `${impact.service === reported ? 'reported here' : 'cascade'}: ${change}`;
}

/** Before/after bars, one pair per service, on one scale; `reported`: the report's service. */
function impactChart(ctx, impacts, reported) {
  const max = impacts.reduce((m, i) => (i.securedBefore > m ? i.securedBefore : m), 1n);
  const width = (value) => Math.max(1, Number((value * BigInt(BAR_WIDTH)) / max));
  const height = impacts.length * ROW_HEIGHT + 8;
  // A group, not an image: a screen reader reads each row's label and its figures.
  return s(
    'svg',
    {
      class: 'impact-chart',
      'data-testid': 'whatif-bars',
      viewBox: `0 0 ${LABEL_WIDTH + BAR_WIDTH + 180} ${height}`,
      width: LABEL_WIDTH + BAR_WIDTH + 180,
      height,
      role: 'group',
      'aria-label': 'Secured stake of each service before and after the slash',
    },
    impacts.map((impact, row) => {
      const y = row * ROW_HEIGHT + 8;
      const after = `${ctx.balance(impact.securedAfter)}${impact.ejected ? ' (offender ejected)' : ''}`;
      const afterX = LABEL_WIDTH + width(impact.securedAfter) + 8;
      const label = serviceLabel(ctx, impact.service);
      return s(
        'g',
        { 'data-testid': `whatif-impact-${impact.service}`, role: 'group', 'aria-label': label },
        s('text', { x: 0, y: y + 20, 'aria-hidden': 'true' }, label),
        s(
          'text',
          { x: 0, y: y + 40, class: 'sub', 'data-field': 'role' },
          impactRole(ctx, impact, reported),
        ),
        s('rect', {
          x: LABEL_WIDTH,
          y,
          width: width(impact.securedBefore),
          height: 22,
          class: 'before',
          'aria-hidden': 'true',
        }),
        s(
          'text',
          { x: LABEL_WIDTH + width(impact.securedBefore) + 8, y: y + 16, 'data-field': 'before' },
          `before ${ctx.balance(impact.securedBefore)}`,
        ),
        s('rect', {
          x: LABEL_WIDTH,
          y: y + 26,
          width: width(impact.securedAfter),
          height: 22,
          class: 'after',
          'aria-hidden': 'true',
        }),
        s(
          'text',
          {
            x: afterX,
            y: y + 42,
            'data-field': 'after',
            class: impact.ejected ? 'ejected' : null,
          },
          `after ${after}`,
        ),
      );
    }),
  );
}

/**
 * The offender's coverage before or after: a stake of 0 with positions left (claims on
 * nothing; the simulation has no claims after, so positions it is not ejected from count) is
 * unbacked, not 0%.
 */
function coverageText(ppb, stake, positionsLeft) {
  return stake === 0n && positionsLeft ? UNBACKED_STAKE : formatPercent(ppb);
}

/**
 * The result of one simulation: figures and bars, or the refusal by name. `block`: the block
 * simulated at, in a `data-field="block"` span (the page updates it alone when nothing else
 * changed).
 */
export function simulationView(ctx, { service, offender, rule, result, block }) {
  const ruleName = ctx.services.get(service)?.rules[rule]?.name ?? `rule ${rule}`;
  const title = h(
    'h2',
    null,
    `${ruleName} by ${shortAddress(offender)} in ${serviceLabel(ctx, service)}`,
    h('span', { class: 'quiet', 'data-field': 'block' }, ` at block #${block}`),
  );
  if (result.error) {
    return [
      title,
      h(
        'p',
        { class: 'error', role: 'alert', 'data-testid': 'whatif-error' },
        `Refused: ${result.error.name}`,
        result.error.docs ? ` (${result.error.docs})` : '',
      ),
    ];
  }
  const sim = result.ok;
  return [
    title,
    facts(
      [
        ['Amount', ctx.balance(sim.amount), 'whatif-amount'],
        [
          'Stake',
          `${ctx.balance(sim.stakeBefore)} → ${ctx.balance(sim.stakeAfter)}`,
          'whatif-stake',
        ],
        [
          'Coverage',
          `${coverageText(sim.coverageBeforePpb, sim.stakeBefore, sim.services.length > 0)} → ` +
            coverageText(
              sim.coverageAfterPpb,
              sim.stakeAfter,
              sim.services.some((i) => !i.ejected),
            ),
          'whatif-coverage',
        ],
        ["Service's worst case", formatPercent(sim.worstCasePpb)],
        [
          'Breaker',
          sim.held
            ? "held: more than the era's budget, it would land only if governance approved it"
            : "within the era's budget: it would land unless cancelled",
          'whatif-held',
        ],
        sim.ruleChangeEra !== null && ['Harsher terms from era', `${sim.ruleChangeEra}`],
      ],
      { 'data-testid': 'whatif-figures' },
    ),
    impactChart(ctx, sim.services, service),
  ];
}
