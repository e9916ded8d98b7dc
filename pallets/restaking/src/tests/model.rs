//! A reference model of the pallet: plain Rust, no FRAME, written from `SPEC.md`.
//!
//! [`Model`] holds what the SPEC talks about (services and their rules, restakers' bonded
//! ledgers, allocations by era and the stake that backed them, exits, departures, ejections
//! still in force, pending slashes, offence reports, the breaker's budgets, rule changes
//! waiting and past rules, reward pots) and computes what the SPEC says should happen.
//! `model_check.rs` runs random operation sequences on the mock runtime (real pallet-staking)
//! and on this model side by side and compares every observable after every step.
//!
//! The model follows the SPEC, not the pallet's storage layout. It keeps an allocation schedule
//! per position (`era -> allocation from that era on`, never pruned) instead of a bounded
//! history (and a backing schedule the same way), derives service totals, allocations and
//! restaker counts as sums over positions instead of keeping counters, and checks errors in the
//! order the SPEC's calls check them. The bounded risk rules (issue 13: max not sum, coverage,
//! concentration, the breaker, rule changes that wait) and the second review's (issue 23: the
//! offence era's stake, caps that count what is promised and ejections still in force, exact
//! coverage scaling) are written from the pallet's documentation of them; see below.
//!
//! What it takes from outside, because it is pallet-staking's business and pallet-staking is
//! real in the harness: the ledgers after pallet-staking's own moves (bond_extra, unbond,
//! rebond, withdraw_unbonded, a base-layer slash) and which stashes those moves reported to the
//! pallet; the order in which due slashes of one block land (storage order). The split of a
//! service slash over a ledger's active stake and unlocking chunks is pallet-staking's
//! `StakingLedger::slash`, ported in [`Ledger::slash`] so that the model predicts the ledger
//! after every slash it lands.
//!
//! # Rules the model encodes (SPEC section, then the rule)
//!
//! - *Exposure is what a slash can collect*: `exposure in era e = min(allocation in force in e,
//!   backing of e)`; a position's exposure is that of the era of its last sync. Its *backing*
//!   (`era -> stake from that era on`) is noted at every sync: the stake reachable by a slash
//!   landing after the service's dispute window, `active + unlocking chunks dated >= era +
//!   dispute_window + 2`. A loss counts in the era it is seen (the era keeps the least value seen
//!   in it); a gain (`bond_extra`, `rebond` of a chunk that had stopped counting) only from the
//!   era after the sync that sees it; a new position starts from the stake it has. A chunk
//!   withdrawable from era `c` is reachable by a slash landing in active era `e` if `c >= e + 1 +
//!   lead`, the world's `WITHDRAW_LEAD` (1 on pallet-staking, whose current era runs up to one
//!   era ahead of the active one; 0 on staking-async). Stake 1,000 in a
//!   service, a 50% base-layer slash in era 2 and `bond_extra(500)` in era 3: backing `{0: 1,000,
//!   2: 500, 4: 1,000}`, exposure 500 in eras 2 and 3, 1,000 from era 4.
//! - *Allocations change at era boundaries*: an opt-in counts from its own era, a raise from
//!   the next era, a decrease or exit from its release era (`era + exit_delay`), an ejection
//!   ends from the next era. A slash for an offence in era `e` uses the exposure of `e` (the
//!   allocation in force in `e`, capped at the backing of `e`), from the position or from the
//!   departure record (schedule and backing) a position leaves behind for `ReportWindow` eras
//!   after it is released.
//! - *Leverage at all times*: allocations sum to at most `MaxLeverage x` stake. A call that would
//!   break it is refused: an opt-in if `allocations + ejected allocations still in force (see
//!   below) + amount > MaxLeverage x active stake`, a raise (in force from the next era) if
//!   `allocations + raise > MaxLeverage x active stake`. A stake loss scales every allocation by
//!   `cap / total`, rounded down, from the current era on.
//! - *Slashing is deferred and disputable*: a report fixes `fraction x min(exposure of the
//!   offence era, stake reachable when it lands)`, lands `dispute_window` eras later, never
//!   takes more than the stake left, ejects under an ejecting rule, and cascades: every exposure
//!   of the offender is recomputed, and one of 0 or below the service's `min_stake` is ejected.
//! - *Ejections back their service until the next era*: an ejection (an ejecting rule landing,
//!   or a re-sync below `min_stake`) in era `e` is released at `e + 1`. Until then its allocation
//!   in force in `e` and its worst-case claim stay on the restaker (`leaving`: `who -> (until,
//!   allocation, claim)`) and its allocation on the service (`service_leaving`), for the caps
//!   below; what was released by the active era is forgotten before more is added.
//! - *Max, not sum*: the reports of one offender by one service for one offence era are on
//!   record once per rule ([`Report`]). A report fixes `total` as above with the rule in force
//!   for the offence era, and schedules `total` less what the *standing* reports of the offence
//!   scheduled (standing: neither cancelled by `cancel_slash` nor dropped by the breaker). A
//!   rule already on record is refused (`DuplicateOffence`, even if no longer standing); a
//!   report that adds nothing is refused (`OffenceAlreadySlashed`) unless it adds an ejection
//!   (then a zero slash that ejects is scheduled). `cancel_all_slashes` forgets its reports:
//!   they may be made again. Error order: `RuleNotInForce`, `DuplicateOffence`,
//!   `NothingToSlash`, `OffenceAlreadySlashed`, `TooManyPendingSlashes`.
//! - *Coverage* (with `FullCoverage`): a position's `claim` is its service's worst case
//!   (largest rule fraction) times its allocation, recomputed whenever the position is written
//!   (so it lags a rule change until then); the ledger's total claim is their sum. An opt-in is
//!   refused (`CoverageExceeded`, after `LeverageExceeded`) if the claims, plus the claims of
//!   ejections still in force, plus `max(worst case, worst case of a waiting change) x amount`
//!   exceed the active stake; a raise if the other positions' claims plus the same worst case
//!   times the new allocation do. A re-sync, after the leverage scaling, scales every
//!   allocation (in force now, set, an exit's target) by `reachable stake x 10^9 / sum(worst
//!   case in ppb x allocation)`, the sum exact (unrounded), each allocation rounded down once,
//!   if the rounded claims exceed the reachable stake; `AllocationsScaled` once, with the last
//!   total. Stake 1,000 at 1,000 in two services with worst cases of 50%, slashed to 900: 900
//!   each, claims 450 + 450.
//! - *Concentration*: with a `max_share`, an opt-in or raise is refused
//!   (`ConcentrationExceeded`, after coverage) if the service's allocations (a raise counts
//!   once accepted, a decrease only from its release), plus its ejected allocations still in
//!   force in the era the change takes effect (the active era for an opt-in, the next for a
//!   raise: none), plus the added allocation exceed `max_share x total bonded`
//!   (pallet-staking's `ErasTotalStake` of the active era, read from the chain).
//! - *The breaker* (with `SlashBreaker`): each apply era has a budget whose cap is `breaker x
//!   total bonded` at its first report. A report whose amount fits `cap - within` is `Within`
//!   (counted), else `Held` (`SlashHeld` with what was left). Governance may approve a held
//!   slash before its apply era (`approve_slash`: `NotHeld`, then `DisputeWindowClosed`;
//!   `approve_held_slashes` for a service). At landing a held slash is dropped
//!   (`HeldSlashDropped`): nothing slashed, no re-sync, its report no longer standing.
//!   Cancelling gives back a within or approved amount. The due-slash cursor removes the
//!   budgets of the eras before the active one (never while landing is manual).
//! - *Harsher rule changes wait*: `update_service` puts in force at once the gentler of the
//!   current and the new terms (rule by rule the smaller fraction, ejecting only if both do,
//!   rules only the new terms have left out, the longer exit delay, the old dispute window,
//!   the rest new); if that is not all of it, the new terms wait until `active era + exit
//!   delay in force` (`RuleChangeScheduled`), replacing any change waiting (a gentle update
//!   removes it). In the first block of the effective era the change is put in force
//!   (`RuleChangeApplied`), before due slashes land, and the rules it replaces are kept for
//!   offences before it (merged rule by rule with an older record still within the report
//!   window); a report of such an offence uses the gentler of the rule now and then
//!   (`RuleNotInForce` if there was none). Scheduled slashes keep what they were reported with.
//! - *Slash bounds are per service*: at most [`MAX_PENDING`] scheduled slashes per service.
//! - *Rewards*: a funding is shared pro rata to the exposures at funding time, through a
//!   per-service accumulator scaled by [`REWARD_SCALE`]; shares round down and debts round up,
//!   so the pot never owes more than it holds; the first funding keeps the existential deposit
//!   in the pot.
//!
//! # When exposures are brought up to date
//!
//! The SPEC lets stale positions wait a bounded delay. The model updates a restaker exactly
//! when the pallet's documented rules say it is: when one of its slashes lands, when a staking
//! hook reported a loss (in the next block), at the first block of each era for everyone synced
//! in an earlier era, and on `complete_opt_out` and `sync_restaker`. The harness calls
//! `sync_restaker` after pallet-staking moves that have no hook (unbond, rebond, bond_extra), so
//! the comparisons are exact at every step. Rewards depend on these points (each update settles
//! what a position earned), which is why they are modelled exactly rather than "eventually".

use super::mock::WITHDRAW_LEAD;
use std::collections::{BTreeMap, BTreeSet};

/// Era index.
pub type Era = u32;
/// Balance.
pub type Bal = u128;
/// Account id.
pub type Who = u64;
/// Service id.
pub type Sid = u32;

/// The mock's `ReportWindow`.
pub const REPORT_WINDOW: Era = 3;
/// The mock's `MaxLeverage`.
pub const MAX_LEVERAGE: Bal = 3;
/// The mock's `MaxServicesPerRestaker`.
pub const MAX_SERVICES_PER_RESTAKER: usize = 4;
/// The mock's `MaxPendingSlashesPerService` (its default).
pub const MAX_PENDING: usize = 4;
/// The mock's `BondingDuration`.
pub const BONDING_DURATION: Era = 10;
/// The mock's existential deposit.
pub const ED: Bal = 1;
/// Fixed-point scale of the reward accumulator.
pub const REWARD_SCALE: u128 = 1_000_000_000_000_000_000;

/// A slashing rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
	/// Fraction of the exposure, in parts per billion.
	pub ppb: u32,
	/// Whether a landed slash under it ejects the offender from the service.
	pub eject: bool,
}

/// What governance registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
	/// The only account that may report.
	pub slasher: Who,
	/// The rules, by index.
	pub rules: Vec<Rule>,
	/// Smallest exposure a position may have.
	pub min_stake: Bal,
	/// Only validators may opt in.
	pub validators_only: bool,
	/// Eras before an exit or a decrease is released.
	pub exit_delay: Era,
	/// Eras between a report and its landing.
	pub dispute_window: Era,
	/// Largest share of the total bonded stake that may secure the service, in parts per
	/// billion; `None`: no cap.
	pub max_share: Option<u32>,
}

impl Params {
	/// The worst case: the largest rule fraction (zero without rules).
	pub fn worst(&self) -> u32 {
		self.rules.iter().map(|r| r.ppb).max().unwrap_or(0)
	}

	/// What of an update from `self` to `new` applies at once: rule by rule (as many as both
	/// have) the smaller fraction, ejecting only if both eject; the longer exit delay; the old
	/// dispute window; everything else from `new`.
	pub fn gentler(&self, new: &Params) -> Params {
		Params {
			rules: gentler_rules(&self.rules, &new.rules),
			exit_delay: self.exit_delay.max(new.exit_delay),
			dispute_window: self.dispute_window,
			..new.clone()
		}
	}
}

/// Rule by rule, as many as both lists have: the smaller fraction, ejecting only if both eject.
pub fn gentler_rules(a: &[Rule], b: &[Rule]) -> Vec<Rule> {
	a.iter()
		.zip(b.iter())
		.map(|(a, b)| Rule { ppb: a.ppb.min(b.ppb), eject: a.eject && b.eject })
		.collect()
}

/// Service status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
	/// Takes opt-ins, raises and reports.
	Active,
	/// Takes neither opt-ins, raises nor reports.
	Paused,
	/// Final.
	Retired,
}

/// A service.
#[derive(Clone, Debug)]
pub struct Service {
	/// Its parameters.
	pub params: Params,
	/// Its status.
	pub status: Status,
	/// Reward accumulator per unit of exposure, scaled by [`REWARD_SCALE`].
	pub acc: u128,
	/// Its reward pot's account (the chain derives it from the service id; with the mock's
	/// 8-byte account ids every service's pot is the same account).
	pub pot: Who,
}

/// A bonded ledger: active stake and unlocking chunks `(withdrawable from era, value)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
	/// Active stake.
	pub active: Bal,
	/// Unlocking chunks, oldest first.
	pub unlocking: Vec<(Era, Bal)>,
}

impl Ledger {
	/// Active plus unlocking.
	pub fn total(&self) -> Bal {
		self.active + self.unlocking.iter().map(|(_, v)| v).sum::<Bal>()
	}

	/// What a slash landing in active era `era` still reaches.
	pub fn reachable(&self, era: Era) -> Bal {
		self.active
			+ self
				.unlocking
				.iter()
				.filter(|(c, _)| *c >= era + 1 + WITHDRAW_LEAD)
				.map(|(_, v)| v)
				.sum::<Bal>()
	}

	/// pallet-staking's `StakingLedger::slash` (stable2609), ported: take up to `amount`, for an
	/// offence in `slash_era`, proportionally from the active stake and the chunks unlocking
	/// from `slash_era + BondingDuration` on if there are any, else from the active stake and
	/// then the latest chunks first. Returns what was taken.
	pub fn slash(&mut self, amount: Bal, slash_era: Era) -> Bal {
		use sp_runtime::{PerThing, Perquintill, Rounding};
		if amount == 0 {
			return 0;
		}
		let before = self.total();
		let start = slash_era + BONDING_DURATION;
		let first = self.unlocking.iter().position(|(c, _)| *c >= start);
		let (ratio, order): (Option<Perquintill>, Vec<usize>) = match first {
			Some(first) => {
				let affected =
					self.active + self.unlocking[first..].iter().map(|(_, v)| v).sum::<Bal>();
				let ratio =
					Perquintill::from_rational_with_rounding(amount, affected, Rounding::Up)
						.unwrap_or(Perquintill::one());
				(Some(ratio), (first..self.unlocking.len()).chain((0..first).rev()).collect())
			}
			None => (None, (0..self.unlocking.len()).rev().collect()),
		};
		let mut remaining = amount;
		let take = |target: &mut Bal, remaining: &mut Bal| {
			let mut from = match ratio {
				Some(r) => r.mul_ceil(*target),
				None => *remaining,
			}
			.min(*target)
			.min(*remaining);
			*target -= from;
			if *target < ED {
				from += std::mem::take(target);
			}
			*remaining = remaining.saturating_sub(from);
		};
		take(&mut self.active, &mut remaining);
		for i in order {
			if remaining == 0 {
				break;
			}
			take(&mut self.unlocking[i].1, &mut remaining);
		}
		self.unlocking.retain(|(_, v)| *v != 0);
		before - self.total()
	}
}

/// A scheduled decrease (`target > 0`) or exit (`target == 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
	/// Allocation from `release_era` on.
	pub target: Bal,
	/// First era of the new allocation.
	pub release_era: Era,
}

/// A restaker's position in one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
	/// The allocation asked for (in force now or from the next era).
	pub allocation: Bal,
	/// A scheduled decrease or exit.
	pub exit: Option<Exit>,
	/// `era -> allocation in force from that era on`.
	pub schedule: BTreeMap<Era, Bal>,
	/// What a slash reported now could collect, as of the last update.
	pub exposure: Bal,
	/// Rewards already accounted for at the current accumulator.
	pub reward_debt: Bal,
	/// The service's worst case times the allocation, as of the last write.
	pub claim: Bal,
	/// `era -> stake that backed the service from that era on`: the stake reachable after the
	/// service's dispute window, a loss counted in the era it is seen, a gain from the next.
	pub backing: BTreeMap<Era, Bal>,
}

/// The allocation in force in `era` according to `schedule`.
pub fn allocation_at(schedule: &BTreeMap<Era, Bal>, era: Era) -> Bal {
	schedule.range(..=era).next_back().map(|(_, a)| *a).unwrap_or(0)
}

impl Position {
	/// The allocation in force in `era`.
	pub fn allocation_in(&self, era: Era) -> Bal {
		allocation_at(&self.schedule, era)
	}

	/// The exposure of era `era`: the allocation then, capped at the stake that backed it then.
	pub fn exposure_in(&self, era: Era) -> Bal {
		self.allocation_in(era).min(allocation_at(&self.backing, era))
	}
}

/// What a position leaves behind when it is released or ejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departure {
	/// First era it no longer backed the service.
	pub release_era: Era,
	/// Its schedule, zero from `release_era`.
	pub schedule: BTreeMap<Era, Bal>,
	/// The stake that backed the service, by era.
	pub backing: BTreeMap<Era, Bal>,
}

impl Departure {
	/// Whether offences from its time can still be reported in `era`.
	pub fn reportable(&self, era: Era) -> bool {
		era < self.release_era + REPORT_WINDOW
	}
}

/// A scheduled slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slash {
	/// Reporting service.
	pub service: Sid,
	/// Offender.
	pub offender: Who,
	/// Rule index.
	pub rule: u32,
	/// Whether it ejects.
	pub eject: bool,
	/// Era of the offence.
	pub offence_era: Era,
	/// Era it lands in.
	pub apply_era: Era,
	/// Amount fixed at report.
	pub amount: Bal,
	/// Where it stands against the breaker.
	pub breaker: Breaker,
}

/// Where a scheduled slash stands against the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breaker {
	/// Within its apply era's budget.
	Within,
	/// Over the budget: dropped at its apply era unless approved.
	Held,
	/// Held, then approved.
	Approved,
}

/// One report of an offence: `(offence era, service, offender)` has at most one per rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
	/// The rule it named.
	pub rule: u32,
	/// The slash it scheduled.
	pub slash_id: u32,
	/// The fraction used (the rule in force for the offence era), in parts per billion.
	pub ppb: u32,
	/// What it scheduled: its total less what the standing earlier reports scheduled.
	pub amount: Bal,
	/// Whether it ejects.
	pub eject: bool,
	/// Not cancelled by `cancel_slash` nor dropped by the breaker.
	pub standing: bool,
	/// `fraction x min(allocation, reachable stake)` at report (the model's own, not stored).
	pub total: Bal,
}

/// The breaker's budget of one apply era.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Budget {
	/// `breaker x total bonded` at the era's first report.
	pub cap: Bal,
	/// Sum of the within-budget slashes (landed or pending).
	pub within: Bal,
	/// Sum of the approved held slashes.
	pub approved: Bal,
}

/// The events the harness compares (the pallet's, by name, with their fields).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ev {
	ServiceUpdated(Sid),
	RuleChangeScheduled(Sid, Era),
	RuleChangeApplied(Sid),
	/// `(id, service, offender, rule, offence era, amount, apply era)`.
	SlashScheduled(u32, Sid, Who, u32, Era, Bal, Era),
	/// `(id, service, amount, cap left, apply era)`.
	SlashHeld(u32, Sid, Bal, Bal, Era),
	SlashApproved(u32),
	HeldSlashesApproved(Sid, u32),
	/// `(id, service, offender, amount)`.
	HeldSlashDropped(u32, Sid, Who, Bal),
	SlashCancelled(u32),
	AllSlashesCancelled(Sid, u32),
	/// `(who, total allocated)`.
	AllocationsScaled(Who, Bal),
}

/// A refusal, by the pallet's error name.
pub type Refusal = &'static str;

/// What `simulate_slash` returns, as the model predicts it: the amount taken, the offender's
/// stake before and after, `(service, secured before, secured after, ejected)` for each of its
/// services (by id), and whether the breaker would hold the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Simulation {
	pub amount: Bal,
	pub stake_before: Bal,
	pub stake_after: Bal,
	pub services: Vec<(Sid, Bal, Bal, bool)>,
	pub held: bool,
}

/// The whole model.
#[derive(Clone, Debug, Default)]
pub struct Model {
	/// Active era.
	pub era: Era,
	/// Services by id.
	pub services: BTreeMap<Sid, Service>,
	/// Bonded ledgers of bonded stashes.
	pub ledgers: BTreeMap<Who, Ledger>,
	/// Stashes that are validators.
	pub validators: BTreeSet<Who>,
	/// Positions by `(restaker, service)`.
	pub positions: BTreeMap<(Who, Sid), Position>,
	/// Departure records by `(stash, service)`.
	pub departures: BTreeMap<(Who, Sid), Departure>,
	/// Rewards settled and not yet claimed.
	pub unclaimed: BTreeMap<(Who, Sid), Bal>,
	/// Scheduled slashes by id.
	pub slashes: BTreeMap<u32, Slash>,
	/// Id of the next report.
	pub next_slash_id: u32,
	/// Reports by `(offence era, service, offender)` (never pruned: the harness compares the
	/// eras a report can still name).
	pub reports: BTreeMap<(Era, Sid, Who), Vec<Report>>,
	/// The breaker's budgets by apply era.
	pub budgets: BTreeMap<Era, Budget>,
	/// Harsher parameters waiting: `service -> (parameters, effective era)`.
	pub pending_changes: BTreeMap<Sid, (Params, Era)>,
	/// Rules before a service's last harsher change took effect:
	/// `service -> (until, rules, first era of each rule)`.
	pub past_rules: BTreeMap<Sid, (Era, Vec<Rule>, Vec<Era>)>,
	/// `FullCoverage`.
	pub full_coverage: bool,
	/// `SlashBreaker`, in parts per billion.
	pub breaker: Option<u32>,
	/// pallet-staking's total stake of the active era (`ErasTotalStake`), read from the chain.
	pub total_bonded: Bal,
	/// Events since the harness last took them.
	pub events: Vec<Ev>,
	/// Re-syncs that scaled allocations for coverage, and rule changes put in force whose
	/// past rules were merged with an older record (statistics).
	pub coverage_scalings: u64,
	pub past_merges: u64,
	/// Restakers a staking hook reported a loss for.
	pub pending_cascades: BTreeSet<Who>,
	/// Era of each restaker's last update.
	pub synced_era: BTreeMap<Who, Era>,
	/// Slashes landed so far: `(slash id, amount taken)`.
	pub landed: Vec<(u32, Bal)>,
	/// Held slashes dropped at their apply era, by id.
	pub dropped: Vec<u32>,
	/// Change of total issuance since the start: minus everything slashed.
	pub burnt: Bal,
	/// Balances of reward pot accounts.
	pub pots: BTreeMap<Who, Bal>,
	/// Due slashes wait for `apply_slash` instead of landing at the era boundary (the automatic
	/// path held, as behind a backlog).
	pub manual_landing: bool,
	/// Ejected allocations still backing until their release era: `who -> (until, allocation,
	/// claim)`.
	pub leaving: BTreeMap<Who, (Era, Bal, Bal)>,
	/// The same per service: `service -> (until, allocation)`.
	pub service_leaving: BTreeMap<Sid, (Era, Bal)>,
}

fn mul_div(a: u128, b: u128, c: u128, up: bool) -> u128 {
	let product = a * b;
	if up {
		product.div_ceil(c)
	} else {
		product / c
	}
}

/// Scale every allocation of `open` (in force now, set, an exit's target) by `num / den` from
/// `era` on, rounded down, if that is below one; returns the new total allocation if it did.
fn scale(open: &mut [(Sid, Position, Position)], era: Era, num: Bal, den: Bal) -> Option<Bal> {
	if den <= num {
		return None;
	}
	let mut total = 0;
	for (_, _, after) in open.iter_mut() {
		let in_force = mul_div(after.allocation_in(era), num, den, false);
		after.schedule.insert(era, in_force);
		after.allocation = mul_div(after.allocation, num, den, false);
		if let Some(exit) = after.exit.as_mut() {
			exit.target = mul_div(exit.target, num, den, false);
		}
		total += after.allocation;
	}
	Some(total)
}

/// `ppb x amount`, rounded down (`Perbill::mul_floor`).
pub fn fraction_of(ppb: u32, amount: Bal) -> Bal {
	use sp_runtime::Perbill;
	Perbill::from_parts(ppb).mul_floor(amount)
}

impl Model {
	/// Whether `who` has a position.
	pub fn is_restaker(&self, who: Who) -> bool {
		self.positions.keys().any(|(w, _)| *w == who)
	}

	/// Services `who` has a position in.
	pub fn services_of(&self, who: Who) -> Vec<Sid> {
		self.positions.keys().filter(|(w, _)| *w == who).map(|(_, s)| *s).collect()
	}

	/// Sum of `who`'s allocations.
	pub fn total_allocated(&self, who: Who) -> Bal {
		self.positions.iter().filter(|((w, _), _)| *w == who).map(|(_, p)| p.allocation).sum()
	}

	/// A service's secured stake: the sum of its exposures.
	pub fn total_secured(&self, sid: Sid) -> Bal {
		self.positions.iter().filter(|((_, s), _)| *s == sid).map(|(_, p)| p.exposure).sum()
	}

	/// Sum of `who`'s positions' claims, as stored.
	pub fn total_claim(&self, who: Who) -> Bal {
		self.positions.iter().filter(|((w, _), _)| *w == who).map(|(_, p)| p.claim).sum()
	}

	/// The worst case an allocation to `sid` is checked against for coverage: the larger of
	/// the service's and that of a change waiting.
	pub fn coverage_worst(&self, sid: Sid) -> u32 {
		let waiting = self.pending_changes.get(&sid).map(|(p, _)| p.worst()).unwrap_or(0);
		self.services[&sid].params.worst().max(waiting)
	}

	/// `CoverageExceeded` if `others` plus the claim of `amount` in `sid` exceed `active`.
	fn ensure_covered(
		&self,
		others: Bal,
		sid: Sid,
		amount: Bal,
		active: Bal,
	) -> Result<(), Refusal> {
		if self.full_coverage && others + fraction_of(self.coverage_worst(sid), amount) > active {
			return Err("CoverageExceeded");
		}
		Ok(())
	}

	/// `ConcentrationExceeded` if `added` more, in force from era `from`, would take what may
	/// secure `sid` (its allocations, and its ejected ones still in force then) above its
	/// `max_share`.
	fn ensure_within_share(&self, sid: Sid, added: Bal, from: Era) -> Result<(), Refusal> {
		if let Some(share) = self.services[&sid].params.max_share {
			let allocated: Bal = self
				.positions
				.iter()
				.filter(|((_, s), _)| *s == sid)
				.map(|(_, p)| p.allocation)
				.sum();
			let leaving = self
				.service_leaving
				.get(&sid)
				.filter(|(until, _)| from < *until)
				.map_or(0, |l| l.1);
			if allocated + leaving + added > fraction_of(share, self.total_bonded) {
				return Err("ConcentrationExceeded");
			}
		}
		Ok(())
	}

	/// `who`'s ejected `(allocation, claim)` still in force in the active era.
	pub fn leaving_now(&self, who: Who) -> (Bal, Bal) {
		self.leaving
			.get(&who)
			.filter(|(until, ..)| self.era < *until)
			.map_or((0, 0), |l| (l.1, l.2))
	}

	/// Record in `p.backing` the stake `who` has now for `sid`: a loss counts in this era, a
	/// gain from the next one; a new position starts from the stake it has.
	fn note_backing(&self, who: Who, sid: Sid, p: &mut Position) {
		let era = self.era;
		let reachable = self.ledger(who).reachable(era + self.services[&sid].params.dispute_window);
		let counted = p.backing.range(..=era).next_back().map(|(_, v)| *v);
		let now = counted.map_or(reachable, |c| c.min(reachable));
		p.backing.retain(|from, _| *from <= era);
		p.backing.insert(era, now);
		if reachable > now {
			p.backing.insert(era + 1, reachable);
		}
	}

	/// A service's number of restakers.
	pub fn restakers(&self, sid: Sid) -> u32 {
		self.positions.keys().filter(|(_, s)| *s == sid).count() as u32
	}

	/// `who`'s ledger, empty if not bonded.
	pub fn ledger(&self, who: Who) -> Ledger {
		self.ledgers.get(&who).cloned().unwrap_or_default()
	}

	/// What `who` could claim from `sid` now.
	pub fn claimable(&self, who: Who, sid: Sid) -> Bal {
		let pending = self.positions.get(&(who, sid)).map(|p| self.pending_rewards(sid, p));
		self.unclaimed.get(&(who, sid)).copied().unwrap_or(0) + pending.unwrap_or(0)
	}

	fn pending_rewards(&self, sid: Sid, p: &Position) -> Bal {
		let acc = self.services[&sid].acc;
		mul_div(p.exposure, acc, REWARD_SCALE, false).saturating_sub(p.reward_debt)
	}

	/// The exposure of `p` now, after noting the stake `who` has now for `sid`.
	fn exposure_of(&self, who: Who, sid: Sid, p: &mut Position) -> Bal {
		self.note_backing(who, sid, p);
		p.exposure_in(self.era)
	}

	fn active_service(&self, sid: Sid) -> Result<&Service, Refusal> {
		let s = self.services.get(&sid).ok_or("UnknownService")?;
		match s.status {
			Status::Active => Ok(s),
			Status::Paused => Err("ServicePaused"),
			Status::Retired => Err("ServiceRetired"),
		}
	}

	// ---- the one place positions change -------------------------------------------------

	/// Rebuild the schedule after the current era from the allocation and the exit: a raise
	/// counts from the next era, a decrease or exit from its release era.
	fn reschedule(&self, p: &mut Position) {
		let era = self.era;
		let in_force = p.allocation_in(era);
		p.schedule.retain(|from, _| *from <= era);
		let fresh = p.schedule.is_empty();
		if fresh || p.allocation != in_force {
			p.schedule.insert(if fresh { era } else { era + 1 }, p.allocation);
		}
		if let Some(exit) = p.exit {
			p.schedule.insert(exit.release_era.max(era + 1), exit.target);
		}
	}

	fn settle(&mut self, who: Who, sid: Sid, before: &Position) {
		let pending = self.pending_rewards(sid, before);
		if pending > 0 {
			*self.unclaimed.entry((who, sid)).or_default() += pending;
		}
	}

	/// `after` replaces `before`: what `before` earned is settled, the debt restarts.
	fn commit(&mut self, who: Who, sid: Sid, before: Option<&Position>, mut after: Position) {
		if let Some(before) = before {
			self.settle(who, sid, before);
		}
		let acc = self.services[&sid].acc;
		after.reward_debt = mul_div(after.exposure, acc, REWARD_SCALE, true);
		after.claim = fraction_of(self.services[&sid].params.worst(), after.allocation);
		self.positions.insert((who, sid), after);
	}

	/// Remove a position, leaving a departure record (the histories of `closing`) that stops
	/// backing from `release_era`; an ejection (release after the active era) keeps counting
	/// in the caps until then.
	fn close(
		&mut self,
		who: Who,
		sid: Sid,
		before: &Position,
		closing: &Position,
		release_era: Era,
	) {
		let mut schedule: BTreeMap<Era, Bal> = closing
			.schedule
			.iter()
			.filter(|(from, _)| **from < release_era)
			.map(|(f, a)| (*f, *a))
			.collect();
		schedule.insert(release_era, 0);
		let backing = closing.backing.clone();
		if release_era > self.era {
			let in_force = closing.allocation_in(self.era);
			let claim = fraction_of(self.services[&sid].params.worst(), in_force);
			let era = self.era;
			let l = self.leaving.entry(who).or_default();
			if l.0 <= era {
				*l = (0, 0, 0);
			}
			*l = (l.0.max(release_era), l.1 + in_force, l.2 + claim);
			let l = self.service_leaving.entry(sid).or_default();
			if l.0 <= era {
				*l = (0, 0);
			}
			*l = (l.0.max(release_era), l.1 + in_force);
		}
		self.settle(who, sid, before);
		self.positions.remove(&(who, sid));
		self.departures.insert((who, sid), Departure { release_era, schedule, backing });
		if !self.is_restaker(who) {
			self.synced_era.remove(&who);
			self.pending_cascades.remove(&who);
		}
	}

	/// Bring `who` up to date: release due exits and decreases, restore the leverage cap,
	/// recompute exposures, eject below `min_stake`.
	pub fn sync(&mut self, who: Who) {
		self.pending_cascades.remove(&who);
		if !self.is_restaker(who) {
			return;
		}
		let era = self.era;
		let ledger = self.ledger(who);
		let mut open = Vec::new();
		for sid in self.services_of(who) {
			let before = self.positions[&(who, sid)].clone();
			let mut after = before.clone();
			match before.exit {
				Some(exit) if exit.release_era <= era && exit.target == 0 => {
					self.close(who, sid, &before, &before, exit.release_era);
					continue;
				}
				Some(exit) if exit.release_era <= era => {
					after.allocation = exit.target;
					after.exit = None;
				}
				_ => {}
			}
			self.reschedule(&mut after);
			open.push((sid, before, after));
		}
		let slashable = ledger.reachable(era);
		let total: Bal = open.iter().map(|(_, _, a)| a.allocation).sum();
		let mut scaled = scale(&mut open, era, MAX_LEVERAGE * slashable, total);
		if self.full_coverage {
			let claim: Bal = open
				.iter()
				.map(|(sid, _, a)| fraction_of(self.services[sid].params.worst(), a.allocation))
				.sum();
			if claim > slashable {
				// Exact: the stake over the claims summed in parts per billion, unrounded.
				let exact: Bal = open
					.iter()
					.map(|(sid, _, a)| self.services[sid].params.worst() as Bal * a.allocation)
					.sum();
				scaled = scale(&mut open, era, slashable * 1_000_000_000, exact).or(scaled);
				self.coverage_scalings += 1;
			}
		}
		if let Some(total_allocated) = scaled {
			self.events.push(Ev::AllocationsScaled(who, total_allocated));
		}
		for (sid, before, mut after) in open {
			self.reschedule(&mut after);
			let exposure = self.exposure_of(who, sid, &mut after);
			if exposure == 0 || exposure < self.services[&sid].params.min_stake {
				self.close(who, sid, &before, &after, era + 1);
				continue;
			}
			after.exposure = exposure;
			self.commit(who, sid, Some(&before), after);
		}
		if self.is_restaker(who) {
			self.synced_era.insert(who, era);
		}
	}

	/// `update_service` (root).
	pub fn update_service(&mut self, sid: Sid, new: Params) -> Result<(), Refusal> {
		if new.rules.iter().any(|r| r.ppb == 0) {
			return Err("ZeroFraction");
		}
		if new.exit_delay == 0 {
			return Err("ZeroExitDelay");
		}
		if new.dispute_window == 0 {
			return Err("ZeroDisputeWindow");
		}
		if REPORT_WINDOW + new.dispute_window + 1 + WITHDRAW_LEAD >= BONDING_DURATION {
			return Err("WindowsExceedBondingDuration");
		}
		let era = self.era;
		let s = self.services.get_mut(&sid).ok_or("UnknownService")?;
		if s.status == Status::Retired {
			return Err("ServiceRetired");
		}
		let now = s.params.gentler(&new);
		s.params = now.clone();
		self.events.push(Ev::ServiceUpdated(sid));
		if now == new {
			self.pending_changes.remove(&sid);
		} else {
			let effective = era + now.exit_delay;
			self.pending_changes.insert(sid, (new, effective));
			self.events.push(Ev::RuleChangeScheduled(sid, effective));
		}
		Ok(())
	}

	/// The first block of an era: put the due rule changes in force, keeping the rules they
	/// replace (merged with an older record still in use) for earlier offences.
	fn promote_rule_changes(&mut self) {
		let era = self.era;
		let due: Vec<Sid> =
			self.pending_changes.iter().filter(|(_, (_, e))| *e <= era).map(|(s, _)| *s).collect();
		for sid in due {
			let (params, effective) = self.pending_changes.remove(&sid).expect("listed above");
			let s = self.services.get_mut(&sid).expect("changes are for known services");
			// Rule by rule: merged with a record still in use (the gentler, and the era the
			// rule came in force), or a rule the older record lacks, in force from its `until`.
			let older = self.past_rules.get(&sid).filter(|(until, ..)| until + REPORT_WINDOW > era);
			let mut rules = s.params.rules.clone();
			let mut since = Vec::new();
			for (i, rule) in rules.iter_mut().enumerate() {
				match older {
					Some((until, then, then_since)) => match then.get(i) {
						Some(then) => {
							*rule = Rule {
								ppb: rule.ppb.min(then.ppb),
								eject: rule.eject && then.eject,
							};
							since.push(then_since[i]);
						}
						None => since.push(*until),
					},
					None => since.push(0),
				}
			}
			if older.is_some() {
				self.past_merges += 1;
			}
			self.past_rules.insert(sid, (effective, rules, since));
			s.params = params;
			self.events.push(Ev::RuleChangeApplied(sid));
		}
	}

	fn ensure_synced(&mut self, who: Who) {
		let stale = self.synced_era.get(&who).is_some_and(|e| *e < self.era)
			|| self.pending_cascades.contains(&who);
		if stale {
			self.sync(who);
		}
	}

	fn change(&mut self, who: Who, sid: Sid, f: impl FnOnce(&mut Position)) {
		let before = self.positions[&(who, sid)].clone();
		let mut after = before.clone();
		f(&mut after);
		self.reschedule(&mut after);
		self.commit(who, sid, Some(&before), after);
	}

	// ---- calls ----------------------------------------------------------------------------

	/// Run `f` on a copy and keep it only if it succeeds: a refusal changes nothing.
	pub fn call(
		&mut self,
		f: impl FnOnce(&mut Model) -> Result<(), Refusal>,
	) -> Result<(), Refusal> {
		let mut next = self.clone();
		f(&mut next)?;
		*self = next;
		Ok(())
	}

	/// `opt_in`.
	pub fn opt_in(&mut self, who: Who, sid: Sid, amount: Bal) -> Result<(), Refusal> {
		let params = self.active_service(sid)?.params.clone();
		if amount == 0 {
			return Err("ZeroAllocation");
		}
		if amount < params.min_stake {
			return Err("BelowMinStake");
		}
		let ledger = self.ledgers.get(&who).cloned().ok_or("NotBonded")?;
		if params.validators_only && !self.validators.contains(&who) {
			return Err("NotValidator");
		}
		if self.positions.contains_key(&(who, sid)) {
			return Err("AlreadyOptedIn");
		}
		if amount > ledger.active {
			return Err("InsufficientStake");
		}
		if self.departures.get(&(who, sid)).is_some_and(|d| d.reportable(self.era)) {
			return Err("RecentlyExited");
		}
		self.ensure_synced(who);
		// In force from now: this era's ejections count too.
		let (leaving, leaving_claim) = self.leaving_now(who);
		if self.total_allocated(who) + leaving + amount > MAX_LEVERAGE * ledger.active {
			return Err("LeverageExceeded");
		}
		self.ensure_covered(self.total_claim(who) + leaving_claim, sid, amount, ledger.active)?;
		self.ensure_within_share(sid, amount, self.era)?;
		if self.services_of(who).len() >= MAX_SERVICES_PER_RESTAKER {
			return Err("TooManyServices");
		}
		let new_restaker = !self.is_restaker(who);
		let mut p = Position {
			allocation: amount,
			exit: None,
			schedule: BTreeMap::new(),
			exposure: 0,
			reward_debt: 0,
			claim: 0,
			backing: BTreeMap::new(),
		};
		self.reschedule(&mut p);
		p.exposure = self.exposure_of(who, sid, &mut p);
		self.departures.remove(&(who, sid));
		self.commit(who, sid, None, p);
		if new_restaker {
			self.synced_era.insert(who, self.era);
		}
		Ok(())
	}

	/// `set_allocation`.
	pub fn set_allocation(&mut self, who: Who, sid: Sid, amount: Bal) -> Result<(), Refusal> {
		if !self.positions.contains_key(&(who, sid)) {
			return Err("NotOptedIn");
		}
		if amount == 0 {
			return Err("ZeroAllocation");
		}
		self.ensure_synced(who);
		let p = self.positions.get(&(who, sid)).cloned().ok_or("NotOptedIn")?;
		if p.exit.is_some_and(|e| e.target == 0) {
			return Err("ExitInProgress");
		}
		if amount > p.allocation {
			self.active_service(sid)?;
			let ledger = self.ledgers.get(&who).cloned().ok_or("NotBonded")?;
			if amount > ledger.active {
				return Err("InsufficientStake");
			}
			if self.total_allocated(who) + (amount - p.allocation) > MAX_LEVERAGE * ledger.active {
				return Err("LeverageExceeded");
			}
			self.ensure_covered(self.total_claim(who) - p.claim, sid, amount, ledger.active)?;
			self.ensure_within_share(sid, amount - p.allocation, self.era + 1)?;
			self.change(who, sid, |p| {
				p.allocation = amount;
				p.exit = None;
			});
		} else if amount < p.allocation {
			let params = &self.services[&sid].params;
			if amount < params.min_stake {
				return Err("BelowMinStake");
			}
			let release_era = self.era + params.exit_delay;
			self.change(who, sid, |p| p.exit = Some(Exit { target: amount, release_era }));
		} else {
			if p.exit.is_none() {
				return Err("AllocationUnchanged");
			}
			self.change(who, sid, |p| p.exit = None);
		}
		Ok(())
	}

	/// `opt_out`.
	pub fn opt_out(&mut self, who: Who, sid: Sid) -> Result<(), Refusal> {
		if !self.positions.contains_key(&(who, sid)) {
			return Err("NotOptedIn");
		}
		self.ensure_synced(who);
		let p = self.positions.get(&(who, sid)).cloned().ok_or("NotOptedIn")?;
		if p.exit.is_some_and(|e| e.target == 0) {
			return Err("ExitInProgress");
		}
		let release_era = self.era + self.services[&sid].params.exit_delay;
		self.change(who, sid, |p| p.exit = Some(Exit { target: 0, release_era }));
		Ok(())
	}

	/// `complete_opt_out`.
	pub fn complete_opt_out(&mut self, who: Who, sid: Sid) -> Result<(), Refusal> {
		let p = self.positions.get(&(who, sid)).ok_or("NotOptedIn")?;
		let exit = p.exit.ok_or("NoExitScheduled")?;
		if self.era < exit.release_era {
			return Err("ExitDelayNotPassed");
		}
		self.sync(who);
		Ok(())
	}

	/// `sync_restaker`.
	pub fn sync_restaker(&mut self, who: Who) -> Result<(), Refusal> {
		if !self.is_restaker(who) {
			return Err("NotOptedIn");
		}
		self.sync(who);
		Ok(())
	}

	/// The exposure with which `who` backed `sid` in `offence_era`: the allocation then, capped
	/// at the stake that backed it then.
	pub fn exposure_in_era(&self, who: Who, sid: Sid, offence_era: Era) -> Result<Bal, Refusal> {
		let p = self.positions.get(&(who, sid));
		if let Some(p) = p.filter(|p| p.allocation_in(offence_era) > 0) {
			return Ok(p.exposure_in(offence_era));
		}
		match self.departures.get(&(who, sid)) {
			Some(d) if d.reportable(self.era) => match allocation_at(&d.schedule, offence_era) {
				0 => Err("NotExposedAtEra"),
				a => Ok(a.min(allocation_at(&d.backing, offence_era))),
			},
			_ if p.is_some() => Err("NotExposedAtEra"),
			_ => Err("NotOptedIn"),
		}
	}

	/// The fraction and ejection of `rule` of `sid` for an offence in `offence_era`: the rule
	/// now, or for an offence before the last harsher change took effect, the gentler of it and
	/// the rule then.
	fn rule_in_force(&self, sid: Sid, rule: u32, offence_era: Era) -> Result<Rule, Refusal> {
		let now =
			self.services[&sid].params.rules.get(rule as usize).cloned().ok_or("UnknownRule")?;
		match self.past_rules.get(&sid) {
			Some((until, rules, since)) if offence_era < *until => {
				let in_force = since.get(rule as usize).is_none_or(|since| offence_era >= *since);
				let then = rules.get(rule as usize).filter(|_| in_force).ok_or("RuleNotInForce")?;
				Ok(Rule { ppb: now.ppb.min(then.ppb), eject: now.eject && then.eject })
			}
			_ => Ok(now),
		}
	}

	/// `report_offence`; returns the new slash's id.
	pub fn report(
		&mut self,
		reporter: Who,
		sid: Sid,
		offender: Who,
		rule: u32,
		offence_era: Era,
	) -> Result<u32, Refusal> {
		let s = self.services.get(&sid).ok_or("UnknownService")?;
		if reporter != s.params.slasher {
			return Err("NotSlasher");
		}
		match s.status {
			Status::Active => {}
			Status::Paused => return Err("ServicePaused"),
			Status::Retired => return Err("ServiceRetired"),
		}
		s.params.rules.get(rule as usize).ok_or("UnknownRule")?;
		let dw = s.params.dispute_window;
		if offence_era > self.era {
			return Err("OffenceInFuture");
		}
		if offence_era + REPORT_WINDOW < self.era {
			return Err("OffenceTooOld");
		}
		let ledger = self.ledgers.get(&offender).cloned().ok_or("NotBonded")?;
		let exposure = self.exposure_in_era(offender, sid, offence_era)?;
		let r = self.rule_in_force(sid, rule, offence_era)?;
		let key = (offence_era, sid, offender);
		let reports = self.reports.get(&key).cloned().unwrap_or_default();
		if reports.iter().any(|x| x.rule == rule) {
			return Err("DuplicateOffence");
		}
		let apply_era = self.era + dw;
		let total = fraction_of(r.ppb, exposure.min(ledger.reachable(apply_era)));
		if total == 0 {
			return Err("NothingToSlash");
		}
		// Max, not sum: what the standing reports scheduled counts against this one.
		let standing = reports.iter().filter(|x| x.standing);
		let scheduled: Bal = standing.clone().map(|x| x.amount).sum();
		let ejects = standing.clone().any(|x| x.eject);
		let amount = total.saturating_sub(scheduled);
		if amount == 0 && (!r.eject || ejects) {
			return Err("OffenceAlreadySlashed");
		}
		if self.slashes.values().filter(|x| x.service == sid).count() >= MAX_PENDING {
			return Err("TooManyPendingSlashes");
		}
		let id = self.next_slash_id;
		self.next_slash_id += 1;
		let breaker = match self.breaker {
			None => Breaker::Within,
			Some(ppb) => {
				let total_bonded = self.total_bonded;
				let budget = self.budgets.entry(apply_era).or_insert_with(|| Budget {
					cap: fraction_of(ppb, total_bonded),
					..Budget::default()
				});
				let left = budget.cap.saturating_sub(budget.within);
				if amount <= left {
					budget.within += amount;
					Breaker::Within
				} else {
					self.events.push(Ev::SlashHeld(id, sid, amount, left, apply_era));
					Breaker::Held
				}
			}
		};
		self.events.push(Ev::SlashScheduled(
			id,
			sid,
			offender,
			rule,
			offence_era,
			amount,
			apply_era,
		));
		self.slashes.insert(
			id,
			Slash {
				service: sid,
				offender,
				rule,
				eject: r.eject,
				offence_era,
				apply_era,
				amount,
				breaker,
			},
		);
		self.reports.entry(key).or_default().push(Report {
			rule,
			slash_id: id,
			ppb: r.ppb,
			amount,
			eject: r.eject,
			standing: true,
			total,
		});
		Ok(id)
	}

	/// A slash that will not land (cancelled, or held and dropped) leaves its budget and its
	/// offence's total; `forget` also frees its rule to be reported again.
	fn withdraw(&mut self, id: u32, slash: &Slash, forget: bool) {
		if let Some(budget) = self.budgets.get_mut(&slash.apply_era) {
			match slash.breaker {
				Breaker::Within => budget.within = budget.within.saturating_sub(slash.amount),
				Breaker::Approved => budget.approved = budget.approved.saturating_sub(slash.amount),
				Breaker::Held => {}
			}
		}
		let key = (slash.offence_era, slash.service, slash.offender);
		if let Some(reports) = self.reports.get_mut(&key) {
			if forget {
				reports.retain(|r| r.slash_id != id);
			} else if let Some(r) = reports.iter_mut().find(|r| r.slash_id == id) {
				r.standing = false;
			}
			if reports.is_empty() {
				self.reports.remove(&key);
			}
		}
	}

	/// `cancel_slash`: the report stays on record, not standing.
	pub fn cancel_slash(&mut self, id: u32) -> Result<(), Refusal> {
		let slash = self.slashes.get(&id).ok_or("UnknownSlash")?;
		if self.era >= slash.apply_era {
			return Err("DisputeWindowClosed");
		}
		let slash = self.slashes.remove(&id).expect("checked above");
		self.withdraw(id, &slash, false);
		self.events.push(Ev::SlashCancelled(id));
		Ok(())
	}

	/// `cancel_all_slashes`: every slash of `sid` still disputable, their reports forgotten.
	pub fn cancel_all(&mut self, sid: Sid) -> Result<u32, Refusal> {
		self.services.get(&sid).ok_or("UnknownService")?;
		let era = self.era;
		let gone: Vec<u32> = self
			.slashes
			.iter()
			.filter(|(_, s)| s.service == sid && era < s.apply_era)
			.map(|(i, _)| *i)
			.collect();
		for id in &gone {
			let s = self.slashes.remove(id).expect("listed above");
			self.withdraw(*id, &s, true);
			self.events.push(Ev::SlashCancelled(*id));
		}
		self.events.push(Ev::AllSlashesCancelled(sid, gone.len() as u32));
		Ok(gone.len() as u32)
	}

	fn approve(&mut self, id: u32) {
		let slash = self.slashes.get_mut(&id).expect("approving a scheduled slash");
		slash.breaker = Breaker::Approved;
		if let Some(budget) = self.budgets.get_mut(&slash.apply_era) {
			budget.approved += slash.amount;
		}
		self.events.push(Ev::SlashApproved(id));
	}

	/// `approve_slash` (root).
	pub fn approve_slash(&mut self, id: u32) -> Result<(), Refusal> {
		let slash = self.slashes.get(&id).ok_or("UnknownSlash")?;
		if slash.breaker != Breaker::Held {
			return Err("NotHeld");
		}
		if self.era >= slash.apply_era {
			return Err("DisputeWindowClosed");
		}
		self.approve(id);
		Ok(())
	}

	/// `approve_held_slashes` (root): every held slash of `sid` before its apply era.
	pub fn approve_held(&mut self, sid: Sid) -> Result<u32, Refusal> {
		self.services.get(&sid).ok_or("UnknownService")?;
		let era = self.era;
		let held: Vec<u32> = self
			.slashes
			.iter()
			.filter(|(_, s)| s.service == sid && s.breaker == Breaker::Held && era < s.apply_era)
			.map(|(i, _)| *i)
			.collect();
		for id in &held {
			self.approve(*id);
		}
		self.events.push(Ev::HeldSlashesApproved(sid, held.len() as u32));
		Ok(held.len() as u32)
	}

	/// `apply_slash`.
	pub fn apply_slash(&mut self, id: u32) -> Result<(), Refusal> {
		let slash = self.slashes.get(&id).ok_or("UnknownSlash")?;
		if self.era < slash.apply_era {
			return Err("SlashNotDue");
		}
		self.land(id);
		Ok(())
	}

	/// Land slash `id`: take `min(amount, stake left)` through staking's slash, eject under an
	/// ejecting rule, then bring the offender up to date (the cascade).
	pub fn land(&mut self, id: u32) {
		let slash = self.slashes.remove(&id).expect("landing a scheduled slash");
		if slash.breaker == Breaker::Held {
			self.withdraw(id, &slash, false);
			self.events.push(Ev::HeldSlashDropped(id, slash.service, slash.offender, slash.amount));
			self.dropped.push(id);
			return;
		}
		let left = self.ledger(slash.offender).total();
		let taken = match self.ledgers.get_mut(&slash.offender) {
			Some(ledger) if ledger.total() > 0 => {
				let amount = slash.amount.min(ledger.total());
				ledger.slash(amount, slash.offence_era)
			}
			_ => 0,
		};
		// Property: a slash takes exactly its amount, up to the stake left when it lands; never
		// more.
		assert_eq!(taken, slash.amount.min(left), "slash {id} took {taken}");
		self.burnt += taken;
		self.landed.push((id, taken));
		// The cascade, then the ejection of the re-synced position.
		self.sync(slash.offender);
		if slash.eject {
			if let Some(p) = self.positions.get(&(slash.offender, slash.service)).cloned() {
				self.close(slash.offender, slash.service, &p, &p, self.era + 1);
			}
		}
	}

	/// `simulate_slash`: a report by the service's slasher of an offence in the active era,
	/// approved if the breaker holds it, landed now; on a copy of the model.
	pub fn simulate(&self, sid: Sid, who: Who, rule: u32) -> Result<Simulation, Refusal> {
		let slasher = self.services.get(&sid).ok_or("UnknownService")?.params.slasher;
		let stake_before = self.ledgers.get(&who).ok_or("NotBonded")?.total();
		let before: Vec<(Sid, Bal)> =
			self.services_of(who).into_iter().map(|s| (s, self.total_secured(s))).collect();
		let mut m = self.clone();
		let id = m.report(slasher, sid, who, rule, self.era)?;
		let slash = m.slashes.get_mut(&id).expect("just reported");
		let held = slash.breaker == Breaker::Held;
		if held {
			slash.breaker = Breaker::Approved;
		}
		m.land(id);
		let amount = m.landed.last().map_or(0, |(_, taken)| *taken);
		let services = before
			.into_iter()
			.map(|(s, secured)| {
				(s, secured, m.total_secured(s), !m.positions.contains_key(&(who, s)))
			})
			.collect();
		Ok(Simulation { amount, stake_before, stake_after: m.ledger(who).total(), services, held })
	}

	/// Slashes the era boundary lands in the active era, by id: every due one, unless landing
	/// is manual.
	pub fn due(&self) -> BTreeSet<u32> {
		if self.manual_landing {
			return BTreeSet::new();
		}
		self.slashes.iter().filter(|(_, s)| s.apply_era <= self.era).map(|(i, _)| *i).collect()
	}

	/// The first block of era `era`: due slashes land (in `order`, storage order), pending
	/// cascades run, and everyone last updated in an earlier era is brought up to date.
	pub fn start_era(&mut self, era: Era, order: &[u32]) {
		self.era = era;
		self.promote_rule_changes();
		for id in order {
			self.land(*id);
		}
		// The due-slash cursor passes every era before this one (not while landing is manual:
		// the automatic path then never runs), removing their budgets.
		if !self.manual_landing {
			self.budgets.retain(|e, _| *e >= era);
		}
		self.block();
		let stale: Vec<Who> =
			self.synced_era.iter().filter(|(_, e)| **e < era).map(|(w, _)| *w).collect();
		for who in stale {
			self.sync(who);
		}
	}

	/// A block: the cascades staking's hooks asked for.
	pub fn block(&mut self) {
		for who in std::mem::take(&mut self.pending_cascades) {
			self.sync(who);
		}
	}

	/// pallet-staking reported a loss of `who`'s stake (`on_slash`, `on_withdraw`).
	pub fn staking_hook(&mut self, who: Who) {
		if self.is_restaker(who) {
			self.pending_cascades.insert(who);
		}
	}

	/// `fund_rewards` by `who` (rich enough).
	pub fn fund(&mut self, sid: Sid, amount: Bal) -> Result<(), Refusal> {
		let total = self.total_secured(sid);
		let s = self.services.get(&sid).ok_or("UnknownService")?;
		if total == 0 {
			return Err("NoExposure");
		}
		let pot = s.pot;
		let balance = self.pots.get(&pot).copied().unwrap_or(0);
		let shared = amount.saturating_sub(ED.saturating_sub(balance));
		if shared == 0 {
			return Err("FundingBelowMinimum");
		}
		let increase = mul_div(shared, REWARD_SCALE, total, false);
		if increase == 0 {
			return Err("FundingBelowMinimum");
		}
		self.services.get_mut(&sid).expect("checked above").acc += increase;
		*self.pots.entry(pot).or_default() += amount;
		Ok(())
	}

	/// `claim_rewards`; returns the amount paid.
	pub fn claim(&mut self, who: Who, sid: Sid) -> Result<Bal, Refusal> {
		if let Some(p) = self.positions.get(&(who, sid)).cloned() {
			self.commit(who, sid, Some(&p), p.clone());
		}
		let amount = self.unclaimed.remove(&(who, sid)).unwrap_or(0);
		if amount == 0 {
			return Err("NothingToClaim");
		}
		let pot = self.services.get(&sid).ok_or("UnknownService")?.pot;
		let balance = self.pots.entry(pot).or_default();
		if *balance < amount + ED {
			return Err("FundsUnavailable");
		}
		*balance -= amount;
		Ok(amount)
	}

	// ---- properties -----------------------------------------------------------------------

	/// Properties the SPEC promises, checked on the model's own state after every step; the
	/// harness checks that the pallet agrees with the model, so they hold for the pallet too.
	pub fn check_properties(&self) -> Result<(), String> {
		// Leverage at all times: exposures sum to at most `MaxLeverage x` stake.
		for who in self.synced_era.keys() {
			let exposures: Bal =
				self.positions.iter().filter(|((w, _), _)| w == who).map(|(_, p)| p.exposure).sum();
			let stake = self.ledger(*who).total();
			if exposures > MAX_LEVERAGE * stake {
				return Err(format!(
					"{who}: exposures {exposures} > {MAX_LEVERAGE} x stake {stake}"
				));
			}
		}
		// Pots never owe more than they hold (and keep the existential deposit once funded).
		for (pot, balance) in &self.pots {
			let stashes: BTreeSet<Who> =
				self.positions.keys().chain(self.unclaimed.keys()).map(|(w, _)| *w).collect();
			let owed: Bal = self
				.services
				.iter()
				.filter(|(_, s)| s.pot == *pot)
				.flat_map(|(sid, _)| stashes.iter().map(move |w| (*w, *sid)))
				.map(|(w, sid)| self.claimable(w, sid))
				.sum();
			if owed + ED > *balance && owed > 0 {
				return Err(format!("pot {pot}: holds {balance}, owes {owed}"));
			}
		}
		// Coverage: a synced restaker's claims are at most the stake a slash can reach now.
		if self.full_coverage {
			for (who, era) in &self.synced_era {
				let claims = self.total_claim(*who);
				let stake = self.ledger(*who).reachable(self.era);
				if *era == self.era && !self.pending_cascades.contains(who) && claims > stake {
					return Err(format!("{who}: claims {claims} > reachable stake {stake}"));
				}
			}
		}
		// Max, not sum: the standing reports of an offence schedule at most the largest total
		// one of its reports fixed.
		for (key, reports) in &self.reports {
			let standing: Bal = reports.iter().filter(|r| r.standing).map(|r| r.amount).sum();
			let most = reports.iter().map(|r| r.total).max().unwrap_or(0);
			if standing > most {
				return Err(format!("offence {key:?}: standing {standing} > largest total {most}"));
			}
		}
		// The breaker: an era's within-budget slashes never exceed its cap.
		for (era, b) in &self.budgets {
			if b.within > b.cap {
				return Err(format!("budget of era {era}: within {} > cap {}", b.within, b.cap));
			}
		}
		// No slash takes more than the SPEC's amount: each report's amount is compared with the
		// pallet's by the harness, and `land` checks what each landing takes.
		Ok(())
	}
}
