// Where the chain stands in its eras, for the countdown of a pending slash (it lands in the
// first block of its apply era).
//
// An era is `staking.sessionsPerEra` sessions and starts with its first session
// (`staking.erasStartSessionIndex`). Sessions are periodic, but their length in blocks is not in
// the metadata of an Aura chain (`pallet_session::PeriodicSessions`), so it is measured once per
// connection: the first blocks of the current and the previous session, found by bisecting
// `session.currentIndex` over recent blocks (a read that fails is tried again at the next
// block). Until it is known (the first two sessions, or a session longer than the state the
// node keeps), the countdown is in eras only.

/** How far back the measurement reads state (nodes keep the last 256 blocks' state by default). */
const STATE_WINDOW = 240;

/** The node's error for the state of a block it pruned ("State already discarded for ..."). */
const PRUNED = /discarded|pruned/i;

export class EraClock {
  constructor(api) {
    this.api = api;
    this.sessionsPerEra = api.consts.staking.sessionsPerEra.toNumber();
    // Milliseconds per block: Aura's slot, or BABE's expected block time.
    const blockTime = api.consts.aura?.slotDuration ?? api.consts.babe?.expectedBlockTime;
    this.blockMs = blockTime ? blockTime.toNumber() : null;
    // `{ length, anchorIndex, anchorStart }` once measured; `false` when it cannot be.
    this.sessions = null;
  }

  /** The clock at block `number` (`at` = the api at that block). */
  async read(at, number) {
    const [activeEra, session] = await Promise.all([
      at.query.staking.activeEra(),
      at.query.session.currentIndex(),
    ]);
    const era = activeEra.isSome ? activeEra.unwrap().index.toNumber() : 0;
    const eraStart = (await at.query.staking.erasStartSessionIndex(era)).unwrapOr(null);
    const current = session.toNumber();
    if (this.sessions === null && current >= 2) {
      // Once: a node that pruned the state it needs will not have it later either. A read that
      // failed otherwise (the connection, a busy node) is tried again at the next block.
      try {
        this.sessions = (await this.#measure(number, current)) ?? false;
      } catch (error) {
        if (PRUNED.test(error.message)) this.sessions = false;
      }
    }
    return new ClockReading({
      block: number,
      era,
      session: current,
      eraStartSession: eraStart === null ? null : eraStart.toNumber(),
      sessionsPerEra: this.sessionsPerEra,
      sessions: this.sessions || null,
      unmeasurable: this.sessions === false,
      blockMs: this.blockMs,
    });
  }

  async #sessionAt(number) {
    const hash = await this.api.rpc.chain.getBlockHash(number);
    return (await this.api.query.session.currentIndex.at(hash)).toNumber();
  }

  /** The session length in blocks and where the current session began; null if out of reach. */
  async #measure(best, session) {
    const floor = Math.max(0, best - STATE_WINDOW);
    // A block from before the previous session, doubling the distance back each time.
    let lo = best;
    for (let step = 1; ; step *= 2) {
      lo = Math.max(floor, best - step);
      if ((await this.#sessionAt(lo)) < session - 1) break;
      if (lo === floor) return null;
    }
    // The first block in (lo, hi] of session `index` or later.
    const firstOf = async (index, low, hi) => {
      while (hi - low > 1) {
        const mid = Math.floor((low + hi) / 2);
        if ((await this.#sessionAt(mid)) < index) low = mid;
        else hi = mid;
      }
      return hi;
    };
    const start = await firstOf(session, lo, best);
    const previous = await firstOf(session - 1, lo, start);
    return { length: start - previous, anchorIndex: session, anchorStart: start };
  }
}

class ClockReading {
  constructor(fields) {
    Object.assign(this, fields);
  }

  /** Blocks per era, or null while the session length is unknown. */
  get blocksPerEra() {
    return this.sessions ? this.sessions.length * this.sessionsPerEra : null;
  }

  /**
   * How far the start of era `era` is: `{ eras, blocks, ms }`, `blocks` and `ms` null when
   * unknown; `eras` <= 0 once it has started. `blocks` is 0, not less, when the era is late
   * (sessions or eras stopped rotating on time).
   */
  untilEra(era) {
    const eras = era - this.era;
    if (eras <= 0 || !this.sessions || this.eraStartSession === null)
      return { eras, blocks: null, ms: null };
    const { length, anchorIndex, anchorStart } = this.sessions;
    const firstSession = this.eraStartSession + eras * this.sessionsPerEra;
    const blocks = Math.max(0, anchorStart + (firstSession - anchorIndex) * length - this.block);
    return { eras, blocks, ms: this.blockMs === null ? null : blocks * this.blockMs };
  }
}
