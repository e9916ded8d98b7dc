// Number formatting shared by every view (and by the e2e test, which compares the page's text
// with the runtime API's numbers formatted the same way). No dependencies: it runs in Node too.

/** Parts per billion: the runtime API's ratios (Perbill and `*_ppb` fields); 1e9 = 100%. */
export const PPB = 1_000_000_000n;

const grouping = new Intl.NumberFormat('en-US');

/** `1234567` -> `1,234,567` (a bigint, any size). */
function group(integer) {
  return grouping.format(integer);
}

/**
 * A balance in planck as whole tokens: thousands separators, trailing zeros of the decimals
 * trimmed, the chain's token symbol: `50000000000000000n` with 12 decimals -> `50,000 RSTK`,
 * `100410000000n` -> `0.10041 RSTK`.
 */
export function formatBalance(planck, { decimals, symbol }) {
  const value = BigInt(planck);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const unit = 10n ** BigInt(decimals);
  const fraction = (abs % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${sign}${group(abs / unit)}${fraction ? `.${fraction}` : ''} ${symbol}`;
}

/** A ratio in parts per billion, rounded down to 2 decimals: `500000000` -> `50%`. */
export function formatPercent(ppb) {
  const hundredths = (BigInt(ppb) * 10_000n) / PPB; // percent x 100
  const fraction = (hundredths % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${group(hundredths / 100n)}${fraction ? `.${fraction}` : ''}%`;
}

/** `u64::MAX`: the runtime's degree of exposure with no slashable stake behind it. */
const UNBACKED = 2n ** 64n - 1n;

/**
 * A degree or leverage in parts per billion, 1e9 = 1x, rounded down: `500000000` -> `0.50x`;
 * `u64::MAX` (exposure with nothing slashable behind it) -> `unbacked`.
 */
export function formatTimes(ppb) {
  if (BigInt(ppb) === UNBACKED) return 'unbacked';
  const hundredths = (BigInt(ppb) * 100n) / PPB;
  return `${group(hundredths / 100n)}.${(hundredths % 100n).toString().padStart(2, '0')}x`;
}

/**
 * What a ratio over a slashable stake of zero shows instead of the runtime's 0 when there is
 * something over it (claims, allocations, exposure): a stake loss waiting for its cascade.
 */
export const UNBACKED_STAKE = 'unbacked (no slashable stake)';

/** `a / b` in parts per billion, rounded down; 0 when `b` is 0. */
export function ratioPpb(a, b) {
  return b === 0n ? 0n : (BigInt(a) * PPB) / BigInt(b);
}

/** A duration in milliseconds, approximately: `84000` -> `1 min 24 s`, `7200000` -> `2 h`. */
export function formatDuration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

/** `1 era`, `2 eras`. */
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY` -> `5Grwva…GKutQY`. */
export function shortAddress(address) {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}
