// The services view: the chain-wide figures, then one card per service with its rules, its
// stake (split into own and delegated) and risk figures, and its pending slashes.

import { facts, h } from '../dom.js';
import {
  PPB,
  UNBACKED_STAKE,
  formatDuration,
  formatPercent,
  formatTimes,
  plural,
  ratioPpb,
  shortAddress,
} from '../format.js';
import { pendingTable } from './shared.js';

/** ` (5Grwva…GKutQY)` after a figure that belongs to one restaker, or nothing. */
function ofWhom(address) {
  return address ? ` (${shortAddress(address)})` : '';
}

/** The eras yields are measured over. */
function yieldWindow({ firstEra, windowEras }) {
  if (windowEras === 0) return 'no completed era yet';
  return windowEras === 1 ? `era ${firstEra}` : `eras ${firstEra}–${firstEra + windowEras - 1}`;
}

/** Exposure over stake; the runtime's 0 over no stake is `n/a`, or unbacked with exposure. */
function averageDegree({ restakerStake, restakerExposure, averageDegreePpb }) {
  if (restakerStake > 0n) return formatTimes(averageDegreePpb);
  return restakerExposure > 0n ? UNBACKED_STAKE : 'n/a';
}

/** The chain figures panel: `risk()` and, with runtime API version 2, the merged `riskFigures`. */
export function chainFigures(ctx, { risk, figures }) {
  const { clock } = ctx;
  let eraLength = 'known after two sessions';
  if (clock.blocksPerEra) {
    const time = clock.blockMs ? ` (≈ ${formatDuration(clock.blocksPerEra * clock.blockMs)})` : '';
    eraLength = `${plural(clock.blocksPerEra, 'block')}${time}`;
  } else if (clock.unmeasurable) {
    eraLength = 'unknown: sessions longer than the state the node keeps';
  }
  const breaker =
    risk.breakerPpb === null
      ? 'none'
      : `${formatPercent(risk.breakerPpb)} of the bonded stake an era: ` +
        ctx.balance((risk.totalBonded * risk.breakerPpb) / PPB);
  const budgets = risk.budgets.map(
    (b) =>
      `era ${b.applyEra}: ${ctx.balance(b.within)} within its ${ctx.balance(b.cap)} cap` +
      (b.approved > 0n ? `, ${ctx.balance(b.approved)} approved above it` : ''),
  );
  return h(
    'section',
    { class: 'panel', 'data-testid': 'chain-figures', 'aria-labelledby': 'chain-figures-title' },
    h('h2', { id: 'chain-figures-title' }, 'Chain figures'),
    facts([
      ['Active era', `${clock.era} (session ${clock.session})`, 'chain-era'],
      ['Era length', eraLength, 'chain-era-length'],
      ['Total bonded', ctx.balance(risk.totalBonded), 'chain-total-bonded'],
      [
        'Total restaked',
        `${ctx.balance(risk.totalRestaked)}, ` +
          `${formatPercent(risk.restakedSharePpb)} of bonded (once per service)`,
        'chain-total-restaked',
      ],
      // Restakers' slashable stake over the stake behind the active validator set: a restaker
      // need not be in that set, so it can exceed 100%.
      figures && [
        'Restaked share',
        `restakers hold ${ctx.balance(figures.restakerStake)} of slashable stake, ` +
          `${formatPercent(figures.restakedSharePpb)} of the total bonded ` +
          `(${plural(figures.restakers, 'restaker')})`,
        'chain-restaked-share',
      ],
      figures && ['Average restaking degree', averageDegree(figures), 'chain-average-degree'],
      figures && [
        'Largest restaking degree',
        formatTimes(figures.maxDegreePpb) + ofWhom(figures.maxDegreeRestaker),
        'chain-max-degree',
      ],
      figures && [
        'Base staking yield',
        `${formatPercent(figures.baseYieldPpb)} a year (${yieldWindow(figures)})`,
        'chain-base-yield',
      ],
      ['Breaker budget', breaker, 'chain-breaker'],
      budgets.length > 0 && [
        'Budgets',
        h(
          'ul',
          null,
          budgets.map((b) => h('li', null, b)),
        ),
        'chain-budgets',
      ],
      ['Held slashes', `${risk.heldSlashes}`, 'chain-held'],
      [
        'Full coverage',
        risk.fullCoverage ? 'kept: every restaker can pay all its worst cases' : 'not enforced',
        'chain-coverage',
      ],
    ]),
    figures === null &&
      h(
        'p',
        { class: 'note', 'data-testid': 'risk-figures-missing' },
        'The risk figures need runtime API version 2 (RestakingApi.risk_figures); ' +
          "this node's runtime is older. Shares of the largest restakers, worst-case claims " +
          'and yields appear once it is upgraded.',
      ),
    figures &&
      !figures.complete &&
      h(
        'p',
        { class: 'note' },
        `Risk figures over the first ${figures.pages} pages of restakers only.`,
      ),
  );
}

function rulesTable(service) {
  return h(
    'table',
    { class: 'compact', 'data-testid': `service-${service.id}-rules` },
    h('caption', null, 'Rules'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['#', 'Rule', 'Fraction', 'Eject'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      null,
      service.rules.map((rule, i) =>
        h(
          'tr',
          null,
          h('td', { class: 'num' }, i),
          h('td', null, rule.name),
          h('td', { class: 'num' }, formatPercent(rule.fractionPpb)),
          h('td', null, rule.eject ? 'yes' : 'no'),
        ),
      ),
    ),
  );
}

/** The risk-figure rows of a service (runtime API version 2). */
function riskRows(ctx, figure, baseYieldPpb) {
  const { worstCaseClaim: claim, worstCaseCollectable: collectable } = figure;
  // Coverage: the part of the worst-case claim the restakers' stake could pay.
  const coverage =
    claim > 0n ? ` (${formatPercent(ratioPpb(collectable, claim))} of the claim)` : '';
  const largest = figure.largestRestaker
    ? `${shortAddress(figure.largestRestaker)}: ${formatPercent(figure.largestSharePpb)} ` +
      `of its secured stake (${ctx.balance(figure.largestExposure)})`
    : 'none';
  return [
    ['Largest restaker', largest, `service-${figure.service}-largest`],
    ['Worst-case claim', ctx.balance(figure.worstCaseClaim), `service-${figure.service}-claim`],
    [
      'Worst-case collectable',
      `${ctx.balance(figure.worstCaseCollectable)}${coverage}`,
      `service-${figure.service}-collectable`,
    ],
    [
      'Collectable by landing order',
      `${ctx.balance(figure.collectableFloor)} to ${ctx.balance(figure.collectableCeiling)}`,
      `service-${figure.service}-collectable-range`,
    ],
    [
      'Organic yield',
      `${formatPercent(figure.organicYieldPpb)} a year ` +
        `(base staking ${formatPercent(baseYieldPpb)}); ${ctx.balance(figure.funded)} funded`,
      `service-${figure.service}-yield`,
    ],
  ];
}

/**
 * `own · delegated` of a service's secured stake, from `split` (see `stakeSplit` in chain.js:
 * each restaker's exposures, delegated when the restaker has a delegation).
 */
function splitRow(ctx, service, split) {
  if (!split) return null;
  const { own, delegated } = split.get(service.id) ?? { own: 0n, delegated: 0n };
  return [
    'Own · delegated',
    `${ctx.balance(own)} own · ${ctx.balance(delegated)} delegated`,
    `service-${service.id}-split`,
  ];
}

function serviceCard(ctx, service, pending, figures, split) {
  const figure = figures?.services.find((f) => f.service === service.id);
  const change = service.pendingChange;
  return h(
    'article',
    {
      class: 'card',
      'data-testid': `service-${service.id}`,
      'aria-labelledby': `service-${service.id}-title`,
    },
    h(
      'h3',
      { id: `service-${service.id}-title` },
      h('span', { 'data-testid': `service-${service.id}-name` }, service.name),
      ` #${service.id} `,
      h(
        'span',
        { class: `status status-${service.status}`, 'data-testid': `service-${service.id}-status` },
        service.status,
      ),
    ),
    facts([
      ['Secured', ctx.balance(service.totalSecured), `service-${service.id}-secured`],
      splitRow(ctx, service, split),
      ['Restakers', `${service.restakers}`, `service-${service.id}-restakers`],
      [
        'Share of bonded stake',
        formatPercent(service.sharePpb) +
          (service.maxSharePpb === null ? '' : ` (cap ${formatPercent(service.maxSharePpb)})`),
        `service-${service.id}-share`,
      ],
      [
        'Worst case',
        `${formatPercent(service.worstCasePpb)} of an exposure`,
        `service-${service.id}-worst-case`,
      ],
      ...(figure ? riskRows(ctx, figure, figures.baseYieldPpb) : []),
      ['Slasher', h('span', { title: service.slasher }, shortAddress(service.slasher))],
      ['Minimum stake', ctx.balance(service.minStake)],
      ['Exit delay · dispute window', `${service.exitDelay} · ${service.disputeWindow} eras`],
      service.heldSlashes > 0 && ['Held slashes', `${service.heldSlashes}`],
      change && [
        'Harsher terms from era',
        `${change.effectiveEra}: worst case ${formatPercent(change.worstCasePpb)}; ` +
          change.rules
            .map((r) => `${r.name} ${formatPercent(r.fractionPpb)}${r.eject ? ' + eject' : ''}`)
            .join(', '),
        `service-${service.id}-change`,
      ],
    ]),
    rulesTable(service),
    pendingTable(ctx, pending, { showService: false, testid: `service-${service.id}-pending` }),
  );
}

/** Every service, or a note that there is none yet. */
export function serviceCards(ctx, { services, pending, figures, split }) {
  if (services.length === 0)
    return h('p', { class: 'empty', 'data-testid': 'no-services' }, 'No services registered yet.');
  return h(
    'div',
    { class: 'cards', 'data-testid': 'services' },
    services.map((service) =>
      serviceCard(
        ctx,
        service,
        pending.filter((p) => p.service === service.id),
        figures,
        split,
      ),
    ),
  );
}
