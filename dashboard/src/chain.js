// Reading the chain with @polkadot/api, no custom types: the connection, and plain snapshots
// (bigints, numbers, strings) of what the views show, each read at one block.
//
// The runtime API's types and the meaning of every field are in
// pallets/restaking/runtime-api/src/types.rs; polkadot-js names the fields in camelCase.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { decodeAddress } from '@polkadot/util-crypto';

import { ratioPpb } from './format.js';

/** Pages of `riskFigures` read at most, `MaxRiskScan` restakers each. */
const MAX_RISK_PAGES = 20;

/** A failure to show as it is, without a stack: unreachable node, no restaking, bad input. */
export class Notice extends Error {}

/** Whether `url` is a ws:// or wss:// URL. */
function isWsUrl(url) {
  try {
    return ['ws:', 'wss:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * An ApiPromise on `url`, or a Notice. It never reconnects on its own (a reconnecting
 * provider would retry and log forever): the page offers its Connect button instead.
 */
export async function connect(url, { timeoutMs = 15_000 } = {}) {
  if (!isWsUrl(url)) throw new Notice(`Not a WebSocket URL: ${url} (ws://... or wss://...)`);
  const provider = new WsProvider(url, false);
  const api = new ApiPromise({ provider, noInitWarn: true, throwOnConnect: true });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  try {
    await provider.connect();
    await Promise.race([api.isReadyOrError, timeout]);
  } catch {
    await api.disconnect().catch(() => {});
    throw new Notice(`Cannot reach ${url}. Is the node running?`);
  } finally {
    clearTimeout(timer);
  }
  if (!api.call.restakingApi || !api.query.restaking) {
    await api.disconnect();
    throw new Notice(
      `This chain has no restaking: ${url} has no restaking pallet or RestakingApi runtime API.`,
    );
  }
  return api;
}

/** The chain's token, for `formatBalance`. */
export function tokenOf(api) {
  return { decimals: api.registry.chainDecimals[0], symbol: api.registry.chainTokens[0] };
}

// ---- conversions from polkadot-js codecs ------------------------------------------------------

const rule = (r) => ({
  name: r.name.toUtf8(),
  fractionPpb: r.fraction.toBigInt(),
  eject: r.eject.isTrue,
});

function service(s) {
  const change = s.pendingChange.unwrapOr(null);
  return {
    id: s.id.toNumber(),
    name: s.name.toUtf8(),
    slasher: s.slasher.toString(),
    rules: s.rules.map(rule),
    minStake: s.minStake.toBigInt(),
    exitDelay: s.exitDelay.toNumber(),
    disputeWindow: s.disputeWindow.toNumber(),
    status: s.status.type,
    totalSecured: s.totalSecured.toBigInt(),
    restakers: s.restakers.toNumber(),
    worstCasePpb: s.worstCase.toBigInt(),
    maxSharePpb: s.maxShare.isSome ? s.maxShare.unwrap().toBigInt() : null,
    sharePpb: s.sharePpb.toBigInt(),
    pendingChange: change && {
      effectiveEra: change.effectiveEra.toNumber(),
      rules: change.rules.map(rule),
      worstCasePpb: change.worstCase.toBigInt(),
    },
    heldSlashes: s.heldSlashes.toNumber(),
  };
}

const pendingSlash = ([id, p]) => ({
  id: id.toNumber(),
  service: p.service.toNumber(),
  offender: p.offender.toString(),
  rule: p.rule.toNumber(),
  eject: p.eject.isTrue,
  offenceEra: p.offenceEra.toNumber(),
  applyEra: p.applyEra.toNumber(),
  amount: p.amount.toBigInt(),
  breaker: p.breaker.type,
});

function risk(r) {
  return {
    totalBonded: r.totalBonded.toBigInt(),
    totalRestaked: r.totalRestaked.toBigInt(),
    restakedSharePpb: r.restakedSharePpb.toBigInt(),
    fullCoverage: r.fullCoverage.isTrue,
    breakerPpb: r.breaker.isSome ? r.breaker.unwrap().toBigInt() : null,
    budgets: r.budgets.map(([era, b]) => ({
      applyEra: era.toNumber(),
      cap: b.cap.toBigInt(),
      within: b.within.toBigInt(),
      approved: b.approved.toBigInt(),
    })),
    heldSlashes: r.heldSlashes.toNumber(),
  };
}

function restaker(v) {
  return {
    stake: v.stake.toBigInt(),
    activeStake: v.activeStake.toBigInt(),
    slashableStake: v.slashableStake.toBigInt(),
    totalAllocated: v.totalAllocated.toBigInt(),
    totalExposure: v.totalExposure.toBigInt(),
    leveragePpb: v.leveragePpb.toBigInt(),
    cascadePending: v.cascadePending.isTrue,
    totalClaim: v.totalClaim.toBigInt(),
    coveragePpb: v.coveragePpb.toBigInt(),
    positions: v.positions.map((p) => ({
      service: p.service.toNumber(),
      allocation: p.allocation.toBigInt(),
      exposure: p.exposure.toBigInt(),
      joinedEra: p.joinedEra.toNumber(),
      exit: p.exit.isSome
        ? {
            target: p.exit.unwrap().target.toBigInt(),
            releaseEra: p.exit.unwrap().releaseEra.toNumber(),
          }
        : null,
      claimableRewards: p.claimableRewards.toBigInt(),
      history: p.history.map(([era, allocation]) => ({
        era: era.toNumber(),
        allocation: allocation.toBigInt(),
      })),
      worstCasePpb: p.worstCase.toBigInt(),
      claim: p.claim.toBigInt(),
    })),
  };
}

function simulation(s) {
  return {
    amount: s.amount.toBigInt(),
    stakeBefore: s.stakeBefore.toBigInt(),
    stakeAfter: s.stakeAfter.toBigInt(),
    services: s.services.map((i) => ({
      service: i.service.toNumber(),
      securedBefore: i.securedBefore.toBigInt(),
      securedAfter: i.securedAfter.toBigInt(),
      ejected: i.ejected.isTrue,
    })),
    worstCasePpb: s.worstCase.toBigInt(),
    coverageBeforePpb: s.coverageBeforePpb.toBigInt(),
    coverageAfterPpb: s.coverageAfterPpb.toBigInt(),
    held: s.held.isTrue,
    ruleChangeEra: s.ruleChangeEra.isSome ? s.ruleChangeEra.unwrap().toNumber() : null,
  };
}

function operatorView(o) {
  const pending = o.pendingCommission.unwrapOr(null);
  return {
    commissionPpb: o.commission.toBigInt(),
    pendingCommission: pending && { ppb: pending[0].toBigInt(), fromEra: pending[1].toNumber() },
    accepting: o.accepting.isTrue,
    delegators: o.delegators.map((d) => d.toString()),
    pastDelegators: o.pastDelegators.toNumber(),
    services: o.services.map((s) => ({
      service: s.service.toNumber(),
      own: s.own.toBigInt(),
      delegated: s.delegated.toBigInt(),
      delegators: s.delegators.toNumber(),
    })),
  };
}

function delegationView(d) {
  const previous = d.previous.unwrapOr(null);
  return {
    operator: d.operator.toString(),
    amount: d.amount.toBigInt(),
    commissionPpb: d.commission.toBigInt(),
    since: d.since.toNumber(),
    until: d.until.isSome ? d.until.unwrap().toNumber() : null,
    excluded: d.excluded.map((id) => id.toNumber()),
    previous: previous && { operator: previous[0].toString(), until: previous[1].toNumber() },
  };
}

/**
 * `operator(who)` and `delegation(who)` (RestakingApi version 3), as `{ operator, delegation }`,
 * each null when `who` is none; both null on an older runtime, which has neither call.
 */
async function roles(at, who) {
  const { operator, delegation } = at.call.restakingApi;
  if (!operator || !delegation) return { operator: null, delegation: null };
  const [o, d] = await Promise.all([operator(who), delegation(who)]);
  return {
    operator: o.isSome ? operatorView(o.unwrap()) : null,
    delegation: d.isSome ? delegationView(d.unwrap()) : null,
  };
}

/** Whether the runtime has the operator and delegation views (RestakingApi version 3). */
const hasDelegation = (at) =>
  Boolean(at.call.restakingApi.operator && at.call.restakingApi.delegation);

/** A DispatchError by name: `restaking.NotRestaked` (with its doc line), `BadOrigin`, ... */
function errorName(api, dispatchError) {
  if (!dispatchError.isModule) return { name: dispatchError.type, docs: '' };
  const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
  return { name: `${section}.${name}`, docs: docs.join(' ') };
}

// ---- risk figures: every page of `riskFigures`, merged ----------------------------------------

const maxBy = (items, key) => items.reduce((best, x) => (x[key] > best[key] ? x : best));

/**
 * Every page of `riskFigures(startAfter)` merged into one (types.rs, `RiskFigures`): the page
 * figures add up (claims, collectables and their floor and ceiling, restakers, stake, exposure)
 * or take the largest
 * (largest exposure, largest degree); the average degree is the total exposure over the total
 * stake (0 when there is no stake: the view checks `restakerStake`). Null when the runtime API
 * is older than version 2.
 */
async function riskFigures(at) {
  const call = at.call.restakingApi.riskFigures;
  if (!call) return null;
  const pages = [];
  let next = null;
  do {
    const page = await call(next);
    pages.push(page);
    next = page.next.unwrapOr(null);
  } while (next && pages.length < MAX_RISK_PAGES);

  const [first] = pages;
  const sum = (get) => pages.reduce((total, page) => total + get(page), 0n);
  const totalBonded = first.totalBonded.toBigInt();
  const restakerStake = sum((p) => p.restakerStake.toBigInt());
  const restakerExposure = sum((p) => p.restakerExposure.toBigInt());
  const maxDegree = maxBy(
    pages.map((p) => ({
      ppb: p.maxDegreePpb.toBigInt(),
      restaker: p.maxDegreeRestaker.unwrapOr(null)?.toString(),
    })),
    'ppb',
  );
  const single = pages.length === 1; // the API's own ratios, unrounded twice
  return {
    complete: !next,
    pages: pages.length,
    firstEra: first.firstEra.toNumber(),
    windowEras: first.windowEras.toNumber(),
    baseYieldPpb: first.baseYieldPpb.toBigInt(),
    restakers: pages.reduce((n, p) => n + p.restakers.toNumber(), 0),
    restakerStake,
    restakerExposure,
    restakedSharePpb: single
      ? first.restakedSharePpb.toBigInt()
      : ratioPpb(restakerStake, totalBonded),
    averageDegreePpb: single
      ? first.averageDegreePpb.toBigInt()
      : ratioPpb(restakerExposure, restakerStake),
    maxDegreePpb: maxDegree.ppb,
    maxDegreeRestaker: maxDegree.restaker,
    services: first.services.map((s, i) => {
      const perPage = pages.map((p) => p.services[i]);
      const largest = maxBy(
        perPage.map((r) => ({
          exposure: r.largestExposure.toBigInt(),
          sharePpb: r.largestSharePpb.toBigInt(),
          restaker: r.largestRestaker.unwrapOr(null)?.toString(),
        })),
        'exposure',
      );
      return {
        service: s.service.toNumber(),
        largestRestaker: largest.restaker,
        largestExposure: largest.exposure,
        largestSharePpb: largest.sharePpb,
        worstCaseClaim: perPage.reduce((t, r) => t + r.worstCaseClaim.toBigInt(), 0n),
        worstCaseCollectable: perPage.reduce((t, r) => t + r.worstCaseCollectable.toBigInt(), 0n),
        collectableFloor: perPage.reduce((t, r) => t + r.collectableFloor.toBigInt(), 0n),
        collectableCeiling: perPage.reduce((t, r) => t + r.collectableCeiling.toBigInt(), 0n),
        funded: s.funded.toBigInt(),
        organicYieldPpb: s.organicYieldPpb.toBigInt(),
      };
    }),
  };
}

// ---- snapshots, one per view -------------------------------------------------------------------

/**
 * Each service's secured stake split into own and delegated stake, as a Map from service id to
 * `{ own, delegated }`; null on a runtime without delegation (RestakingApi older than 3).
 *
 * Where the split comes from: a delegation is ordinary positions on the delegator's own ledger,
 * so every restaker's `exposures(who)` holds its part of each service's secured stake (the
 * service's `totalSecured` is the sum of those exposures), and `delegation(who)` says whether
 * those positions follow an operator. Exposures of stashes with a delegation (current, ending or
 * kept after a redelegation) are delegated stake; those of every other restaker, operators
 * included, are own stake. The operator view's per-service `own` / `delegated` is not used: it
 * counts current delegators only, not those whose delegation is ending but still exposed.
 */
async function stakeSplit(at, restakers) {
  if (!hasDelegation(at)) return null;
  const views = await Promise.all(
    restakers.map((who) =>
      Promise.all([at.call.restakingApi.exposures(who), at.call.restakingApi.delegation(who)]),
    ),
  );
  const split = new Map();
  for (const [view, delegation] of views) {
    if (view.isNone) continue;
    const key = delegation.isSome ? 'delegated' : 'own';
    for (const p of view.unwrap().positions) {
      const id = p.service.toNumber();
      const entry = split.get(id) ?? { own: 0n, delegated: 0n };
      entry[key] += p.exposure.toBigInt();
      split.set(id, entry);
    }
  }
  return split;
}

/**
 * The chain-wide figures, the pending slashes of `services` and each service's own and
 * delegated stake (`services` and `restakers` from `readDirectory`).
 */
export async function readOverview(at, { services, restakers }) {
  const [chainRisk, figures, pending, split] = await Promise.all([
    at.call.restakingApi.risk(),
    riskFigures(at),
    Promise.all(services.map((s) => at.call.restakingApi.pendingSlashes(s.id))),
    stakeSplit(at, restakers),
  ]);
  return {
    services,
    pending: pending.flatMap((list) => list.map(pendingSlash)),
    risk: risk(chainRisk),
    figures,
    split,
  };
}

/** The services (for names and rules) and the restakers' addresses. */
export async function readDirectory(at) {
  const [services, keys, positions] = await Promise.all([
    at.call.restakingApi.services(),
    at.query.restaking.restakers.keys(),
    at.query.restaking.positions.keys(),
  ]);
  return {
    services: services.map(service),
    restakers: keys.map(({ args: [who] }) => who.toString()).sort(),
    // `(restaker, service)` of every position, for the offenders of each service.
    positions: positions.map(({ args: [who, id] }) => ({
      who: who.toString(),
      service: id.toNumber(),
    })),
  };
}

/**
 * One account: its restaking view (null without a position), the slashes pending on it, and
 * its roles (RestakingApi version 3, else null): `operator`, with each current delegator's
 * `delegation(d)` as `delegators` (address -> view), and `delegation`, with its operator's view
 * as `operatorOf` (for the operator's services).
 */
export async function readAccount(at, who) {
  const [view, pending, { operator, delegation }] = await Promise.all([
    at.call.restakingApi.exposures(who),
    at.call.restakingApi.pendingSlashesOf(who),
    roles(at, who),
  ]);
  const [delegators, operatorOf] = await Promise.all([
    operator
      ? Promise.all(operator.delegators.map((d) => at.call.restakingApi.delegation(d)))
      : [],
    delegation ? at.call.restakingApi.operator(delegation.operator) : null,
  ]);
  return {
    view: view.isSome ? restaker(view.unwrap()) : null,
    pending: pending.map(pendingSlash),
    operator: operator && {
      ...operator,
      delegations: new Map(
        operator.delegators.map((d, i) => [
          d,
          delegators[i].isSome ? delegationView(delegators[i].unwrap()) : null,
        ]),
      ),
    },
    delegation,
    operatorOf: operatorOf?.isSome ? operatorView(operatorOf.unwrap()) : null,
  };
}

/**
 * Every restaker's view, for the cascade graph, with its delegation (null when it has none, or
 * on a runtime older than RestakingApi version 3).
 */
export async function readRestakers(at, addresses) {
  const withDelegation = hasDelegation(at);
  const [views, delegations] = await Promise.all([
    Promise.all(addresses.map((who) => at.call.restakingApi.exposures(who))),
    Promise.all(
      addresses.map((who) => (withDelegation ? at.call.restakingApi.delegation(who) : null)),
    ),
  ]);
  return addresses
    .map((who, i) => ({
      who,
      view: views[i].isSome ? restaker(views[i].unwrap()) : null,
      delegation: delegations[i]?.isSome ? delegationView(delegations[i].unwrap()) : null,
    }))
    .filter(({ view }) => view);
}

/** `simulateSlash`: `{ ok }` with the simulation or `{ error: { name, docs } }`. */
export async function simulate(api, at, serviceId, offender, ruleIndex) {
  const result = await at.call.restakingApi.simulateSlash(serviceId, offender, ruleIndex);
  return result.isOk ? { ok: simulation(result.asOk) } : { error: errorName(api, result.asErr) };
}

/** An account id as 32 bytes of hex. */
const HEX_ACCOUNT = /^0x[0-9a-f]{64}$/i;

/**
 * A valid account id, re-encoded with this chain's SS58 prefix, or null: an SS58 address (its
 * checksum checked) of a 32-byte account, or exactly 32 bytes of hex. `createType` alone would
 * pad or cut anything that decodes (`0x00` included).
 */
export function parseAddress(api, text) {
  const trimmed = text.trim();
  if (!trimmed) return null;
  try {
    if (trimmed.startsWith('0x')) {
      if (!HEX_ACCOUNT.test(trimmed)) return null;
    } else if (decodeAddress(trimmed).length !== 32) {
      return null;
    }
    return api.createType('AccountId', trimmed).toString();
  } catch {
    return null;
  }
}

/** Whether the runtime has the pool views (RestakingApi version 4). */
export const hasPools = (at) => Boolean(at.call.restakingApi.pools);

/** A `PoolView` as plain values (ratios in parts per billion). */
function poolView(p) {
  const pending = p.pendingOperator.isSome ? p.pendingOperator.unwrap() : null;
  return {
    id: p.id.toNumber(),
    account: p.account.toString(),
    manager: p.manager.toString(),
    operator: p.operator.toString(),
    supply: p.supply.toBigInt(),
    active: p.active.toBigInt(),
    pendingSlash: p.pendingSlash.toBigInt(),
    ratePpb: p.ratePpb.toBigInt(),
    services: p.services.map(([service, fraction]) => ({
      service: service.toNumber(),
      fractionPpb: BigInt(fraction.toNumber()),
    })),
    worstCasePpb: BigInt(p.worstCase.toNumber()),
    scheduled: p.scheduled.map(([service, era]) => ({
      service: service.toNumber(),
      era: era.toNumber(),
    })),
    worstCaseAfterPpb: BigInt(p.worstCaseAfter.toNumber()),
    pendingOperator: pending && { operator: pending[0].toString(), era: pending[1].toNumber() },
    redemptions: p.redemptions.map(([era, amount]) => ({
      era: era.toNumber(),
      amount: amount.toBigInt(),
    })),
  };
}

/**
 * Every pool's view (RestakingApi version 4, else none), each with its share asset and its
 * holders, largest first, from pallet-assets: the pool's asset is the one its account owns.
 * The shares the pool account holds itself (its creation deposit's) are not a holder's.
 */
export async function readPools(at) {
  if (!hasPools(at)) return [];
  const pools = (await at.call.restakingApi.pools()).map(poolView);
  if (pools.length === 0 || !at.query.assets) return pools.map((p) => ({ ...p, holders: [] }));
  const assetOf = new Map();
  for (const [key, details] of await at.query.assets.asset.entries()) {
    if (details.isSome) assetOf.set(details.unwrap().owner.toString(), key.args[0]);
  }
  return Promise.all(
    pools.map(async (pool) => {
      const asset = assetOf.get(pool.account);
      if (asset === undefined) return { ...pool, asset: null, holders: [] };
      const holders = (await at.query.assets.account.entries(asset))
        .map(([key, account]) => ({
          who: key.args[1].toString(),
          shares: account.isSome ? account.unwrap().balance.toBigInt() : 0n,
        }))
        .filter((holder) => holder.who !== pool.account && holder.shares > 0n)
        .sort((a, b) => (b.shares > a.shares ? 1 : b.shares < a.shares ? -1 : 0));
      return { ...pool, asset: asset.toString(), holders };
    }),
  );
}
