//! Delegation against a reference model: random sequences of delegations, exclusions,
//! inclusions, undelegations, redelegations, era changes and reports against operators, on the
//! mock runtime (real pallet-staking) and on a small model written from SPEC's "Operators and
//! delegators", compared after every step.
//!
//! The model is about who a report against an operator reaches, and by how much: a delegator is
//! slashed for an offence of era `e` iff it backed that operator in `e` (its delegation then,
//! or the previous one it redelegated from) and its position in the service had an allocation
//! in force in `e` (not yet released by an exclusion, an undelegation or a redelegation, and
//! not opened later); by `fraction x` that allocation, max, not sum, over the reports of the
//! era. It also predicts every refusal of the delegation calls and of the reports, and the
//! allocation each delegator has in force in every era a report can name.
//!
//! The world keeps everything else out of the way: two operators with a million bonded and
//! 100,000 in each of their services (O1 in s0 and s1, O2 in s1 and s2: a redelegation keeps
//! s1 and moves the rest), three delegators with 10,000 bonded that never unbond, rules of 10%
//! and 20% that do not eject, no breaker, no coverage cap, pages and the sweep unbounded so
//! that an era boundary is one step, and at most 9 eras (so no delegation expires).
//!
//! Reintroducing "use the current delegator set for a past offence" (`Delegation::backed`
//! replaced by `delegation.operator == job.operator` in `reach_delegator`) fails both seeds:
//! a delegator that moved to the other operator after the offence keeps the 20 the model takes.
//!
//! Not modelled here (the main model does not model delegation yet): operators' own opt-ins,
//! opt-outs and ejections passed on to delegators, `set_delegation`, commission, the breaker,
//! and stake moves of delegators; the pallet tests in `delegation.rs` cover those.

use super::mock::*;
use crate::Positions;
use frame_support::traits::UnfilteredDispatchable;
use proptest::{
	prelude::*,
	test_runner::{Config as RunnerConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner},
};
use sp_runtime::{DispatchError, Perbill};
use std::collections::{BTreeMap, BTreeSet};

type Era = u32;
type Bal = u128;

const O1: AccountId = 71;
const O2: AccountId = 72;
const OPERATORS: [AccountId; 2] = [O1, O2];
const DELEGATORS: [AccountId; 3] = [81, 82, 83];
/// The services of each operator.
const SERVICES_OF: [[u32; 2]; 2] = [[0, 1], [1, 2]];
const SERVICES: u32 = 3;
/// Rule fractions, in parts per billion.
const RULES: [u32; 2] = [100_000_000, 200_000_000];
const EXIT_DELAY: Era = 2;
const DISPUTE_WINDOW: Era = 2;
const REPORT_WINDOW: Era = 3;
/// Eras after a delegation or a position ends during which a report can still reach it.
const REACH: Era = 10;
const LAST_ERA: Era = 9;
const MAX_PENDING: usize = 4;
const MAX_OPERATOR_SLASHES: u32 = 2;
const DELEGATOR_STAKE: Bal = 10_000;

/// Committed seeds CI runs.
const SEEDS: [u64; 2] = [0xde1e_0001, 0xde1e_0002];
/// Sequences per seed in CI (override with `MODEL_CASES`).
const CASES: u32 = 64;

#[derive(Clone, Debug)]
enum Op {
	Delegate { d: usize, op: usize, amount: Bal },
	Undelegate { d: usize },
	Exclude { d: usize, service: u32 },
	Include { d: usize, service: u32 },
	Redelegate { d: usize, op: usize },
	Report { op: usize, service: u32, rule: u32, back: u32 },
	NextEra,
}

fn op() -> impl Strategy<Value = Op> {
	let d = 0..DELEGATORS.len();
	let o = 0..OPERATORS.len();
	prop_oneof![
		4 => (d.clone(), o.clone(), prop_oneof![Just(200u128), Just(300), Just(1_000)])
			.prop_map(|(d, op, amount)| Op::Delegate { d, op, amount }),
		1 => d.clone().prop_map(|d| Op::Undelegate { d }),
		2 => (d.clone(), 0..SERVICES).prop_map(|(d, service)| Op::Exclude { d, service }),
		1 => (d.clone(), 0..SERVICES).prop_map(|(d, service)| Op::Include { d, service }),
		2 => (d, o.clone()).prop_map(|(d, op)| Op::Redelegate { d, op }),
		6 => (o, 0..SERVICES, 0..2u32, prop_oneof![3 => 0..=2u32, 1 => 3..=4u32])
			.prop_map(|(op, service, rule, back)| Op::Report { op, service, rule, back }),
		4 => Just(Op::NextEra),
	]
}

/// A delegation as the model keeps it.
#[derive(Clone, Debug)]
struct Delegation {
	operator: AccountId,
	amount: Bal,
	since: Era,
	until: Option<Era>,
	excluded: BTreeSet<u32>,
	/// The operator it redelegated from: `(operator, since, until)`.
	previous: Option<(AccountId, Era, Era)>,
}

impl Delegation {
	/// Whether it backed `operator` in era `e`.
	fn backed(&self, operator: AccountId, e: Era) -> bool {
		let now = self.operator == operator
			&& self.since <= e
			&& self.until.is_none_or(|until| e < until);
		now || self
			.previous
			.is_some_and(|(o, since, until)| o == operator && since <= e && e < until)
	}
}

/// One position's life: allocation `amount` in force from `from`, until `to` (exclusive).
#[derive(Clone, Copy, Debug)]
struct Span {
	from: Era,
	to: Option<Era>,
	amount: Bal,
}

/// A report job: `(service, operator, offence era, fraction, apply era)`.
type Job = (u32, AccountId, Era, u32, Era);

#[derive(Clone, Debug, Default)]
struct Model {
	era: Era,
	delegations: BTreeMap<AccountId, Delegation>,
	/// Every span of each `(delegator, service)`, oldest first.
	spans: BTreeMap<(AccountId, u32), Vec<Span>>,
	/// Operators that ever had a delegator.
	has_delegators: BTreeSet<AccountId>,
	/// Reports on record: `(offence era, service, operator) -> fractions`.
	reports: BTreeMap<(Era, u32, AccountId), Vec<(u32, u32)>>,
	/// Slashes not landed yet, with their job if any: `id -> (service, apply era, job)`.
	pending: BTreeMap<u32, (u32, Era, Option<Job>)>,
	next_id: u32,
	/// Largest fraction landed per `(offence era, service, delegator)`.
	offences: BTreeMap<(Era, u32, AccountId), u32>,
	/// Bonded stake of each delegator.
	stake: BTreeMap<AccountId, Bal>,
	/// What the step's pages took, per delegator.
	taken: BTreeMap<AccountId, Bal>,
}

type Refusal = &'static str;

impl Model {
	fn services_of(operator: AccountId) -> [u32; 2] {
		SERVICES_OF[OPERATORS.iter().position(|o| *o == operator).unwrap_or(0)]
	}

	/// The current span of `(d, s)`: the position that exists now (not released).
	fn position(&self, d: AccountId, s: u32) -> Option<Span> {
		let span = *self.spans.get(&(d, s))?.last()?;
		span.to.is_none_or(|to| to > self.era).then_some(span)
	}

	fn position_mut(&mut self, d: AccountId, s: u32) -> Option<&mut Span> {
		let era = self.era;
		self.spans.get_mut(&(d, s))?.last_mut().filter(|span| span.to.is_none_or(|to| to > era))
	}

	fn allocation_in(&self, d: AccountId, s: u32, e: Era) -> Bal {
		self.spans.get(&(d, s)).map_or(0, |spans| {
			spans
				.iter()
				.filter(|sp| sp.from <= e && sp.to.is_none_or(|to| e < to))
				.map(|sp| sp.amount)
				.sum()
		})
	}

	/// A departure of `(d, s)` a report can still reach: opening again is refused.
	fn recently_exited(&self, d: AccountId, s: u32) -> bool {
		self.position(d, s).is_none()
			&& self
				.spans
				.get(&(d, s))
				.and_then(|spans| spans.last())
				.is_some_and(|sp| sp.to.is_some_and(|to| self.era < to + REACH))
	}

	/// Open a position from era `from` (`open_checked`).
	fn open(&mut self, d: AccountId, s: u32, amount: Bal, from: Era) -> Result<(), Refusal> {
		if self.position(d, s).is_some() {
			return Err("AlreadyOptedIn");
		}
		if self.recently_exited(d, s) {
			return Err("RecentlyExited");
		}
		self.spans.entry((d, s)).or_default().push(Span { from, to: None, amount });
		Ok(())
	}

	/// Schedule the exit of `(d, s)` (`leave_service`): returns its release era.
	fn leave(&mut self, d: AccountId, s: u32) -> Option<Era> {
		let era = self.era;
		let span = self.position_mut(d, s)?;
		let mut release = era + EXIT_DELAY;
		if let Some(to) = span.to {
			if to <= release {
				return Some(to);
			}
		}
		if span.from > era {
			release = span.from;
		}
		span.to = Some(release);
		Some(release)
	}

	/// A leaving position stays (`stay`).
	fn stay(&mut self, d: AccountId, s: u32) {
		if let Some(span) = self.position_mut(d, s) {
			span.to = None;
		}
	}

	fn running(&self, d: AccountId) -> Result<Delegation, Refusal> {
		let delegation = self.delegations.get(&d).cloned().ok_or("NotDelegating")?;
		if delegation.until.is_some() {
			return Err("UndelegationInProgress");
		}
		Ok(delegation)
	}

	fn delegate(&mut self, d: AccountId, operator: AccountId, amount: Bal) -> Result<(), Refusal> {
		if self.delegations.contains_key(&d) {
			return Err("Delegating");
		}
		if (0..SERVICES).any(|s| self.position(d, s).is_some()) {
			return Err("AlreadyRestaking");
		}
		self.has_delegators.insert(operator);
		self.delegations.insert(
			d,
			Delegation {
				operator,
				amount,
				since: self.era,
				until: None,
				excluded: BTreeSet::new(),
				previous: None,
			},
		);
		for s in Self::services_of(operator) {
			self.open(d, s, amount, self.era)?;
		}
		Ok(())
	}

	fn undelegate(&mut self, d: AccountId) -> Result<(), Refusal> {
		let mut delegation = self.running(d)?;
		let mut until = self.era + 1;
		for s in 0..SERVICES {
			if let Some(release) = self.leave(d, s) {
				until = until.max(release);
			}
		}
		delegation.until = Some(until);
		self.delegations.insert(d, delegation);
		Ok(())
	}

	fn exclude(&mut self, d: AccountId, s: u32) -> Result<(), Refusal> {
		let mut delegation = self.running(d)?;
		if delegation.excluded.contains(&s) {
			return Err("AlreadyExcluded");
		}
		self.leave(d, s);
		delegation.excluded.insert(s);
		self.delegations.insert(d, delegation);
		Ok(())
	}

	fn include(&mut self, d: AccountId, s: u32) -> Result<(), Refusal> {
		let mut delegation = self.running(d)?;
		if !delegation.excluded.remove(&s) {
			return Err("NotExcluded");
		}
		if Self::services_of(delegation.operator).contains(&s) {
			if self.position(d, s).is_some() {
				self.stay(d, s);
			} else {
				self.open(d, s, delegation.amount, self.era + 1)?;
			}
		}
		self.delegations.insert(d, delegation);
		Ok(())
	}

	fn redelegate(&mut self, d: AccountId, to: AccountId) -> Result<(), Refusal> {
		let mut delegation = self.running(d)?;
		if delegation.operator == to {
			return Err("SameOperator");
		}
		if delegation.previous.is_some_and(|(_, _, until)| until + REACH > self.era) {
			return Err("RecentlyRedelegated");
		}
		self.has_delegators.insert(to);
		let keep: Vec<u32> = Self::services_of(to)
			.into_iter()
			.filter(|s| !delegation.excluded.contains(s))
			.collect();
		let mut until = self.era + 1;
		for s in 0..SERVICES {
			if !keep.contains(&s) {
				if let Some(release) = self.leave(d, s) {
					until = until.max(release);
				}
			}
		}
		for s in keep {
			if self.position(d, s).is_some() {
				self.stay(d, s);
			} else {
				self.open(d, s, delegation.amount, self.era + 1)?;
			}
		}
		delegation.previous = Some((delegation.operator, delegation.since, until));
		delegation.operator = to;
		delegation.since = self.era + 1;
		self.delegations.insert(d, delegation);
		Ok(())
	}

	fn report(&mut self, operator: AccountId, s: u32, rule: u32, e: Era) -> Result<u32, Refusal> {
		if e + REPORT_WINDOW < self.era {
			return Err("OffenceTooOld");
		}
		if !Self::services_of(operator).contains(&s) {
			return Err("NotOptedIn");
		}
		let ppb = RULES[rule as usize];
		let key = (e, s, operator);
		let reports = self.reports.get(&key).cloned().unwrap_or_default();
		if reports.iter().any(|(r, _)| *r == rule) {
			return Err("DuplicateOffence");
		}
		let has_delegators = self.has_delegators.contains(&operator);
		// The operator's own exposure is ample: only a gentler rule adds nothing to its slash,
		// and with delegators a harsher one is taken for them.
		let harsher = reports.iter().all(|(_, f)| *f < ppb);
		if !harsher {
			return Err("OffenceAlreadySlashed");
		}
		if self.pending.values().filter(|(service, ..)| *service == s).count() >= MAX_PENDING {
			return Err("TooManyPendingSlashes");
		}
		let apply_era = self.era + DISPUTE_WINDOW;
		let job = has_delegators.then_some((s, operator, e, ppb, apply_era));
		if job.is_some() {
			let landing = self
				.pending
				.values()
				.filter(|(service, apply, job)| {
					*service == s && *apply == apply_era && job.is_some()
				})
				.count() as u32;
			if landing >= MAX_OPERATOR_SLASHES {
				return Err("TooManyOperatorSlashes");
			}
		}
		let id = self.next_id;
		self.next_id += 1;
		self.pending.insert(id, (s, apply_era, job));
		self.reports.entry(key).or_default().push((rule, ppb));
		Ok(id)
	}

	/// The first block of the next era: due slashes land, their jobs' pages reach every
	/// delegator, in landing order (`order`: the chain's).
	fn next_era(&mut self, order: &[u32]) {
		self.era += 1;
		for id in order {
			let Some((_, _, job)) = self.pending.remove(id) else { continue };
			let Some((s, operator, e, ppb, _)) = job else { continue };
			for d in DELEGATORS {
				let Some(delegation) = self.delegations.get(&d) else { continue };
				if !delegation.backed(operator, e) {
					continue;
				}
				let exposure = self.allocation_in(d, s, e);
				if exposure == 0 {
					continue;
				}
				let before = self.offences.get(&(e, s, d)).copied().unwrap_or(0);
				if ppb <= before {
					continue;
				}
				let amount = Perbill::from_parts(ppb).mul_floor(exposure)
					- Perbill::from_parts(before).mul_floor(exposure);
				let stake = self.stake.entry(d).or_insert(DELEGATOR_STAKE);
				let amount = amount.min(*stake);
				*stake -= amount;
				*self.taken.entry(d).or_default() += amount;
				self.offences.insert((e, s, d), ppb);
			}
		}
	}
}

fn world() -> ExtBuilder {
	let mut builder = ExtBuilder::default();
	for o in OPERATORS {
		builder = builder.staker(o, 1_000_000, StakerStatus::Idle);
	}
	for d in DELEGATORS {
		builder = builder.staker(d, DELEGATOR_STAKE, StakerStatus::Idle);
	}
	builder
}

fn error_name(e: DispatchError) -> Refusal {
	match e {
		DispatchError::Module(m) => m.message.unwrap_or("unnamed"),
		_ => "other",
	}
}

fn dispatch(who: AccountId, call: crate::Call<Test>) -> Result<(), Refusal> {
	call.dispatch_bypass_filter(RuntimeOrigin::signed(who))
		.map(|_| ())
		.map_err(|e| error_name(e.error))
}

/// Compare after a step: each delegator's bonded stake, what the step's pages took from it, and
/// the allocation it has in force in every service for every era a report can name.
fn compare(m: &Model, taken: &BTreeMap<AccountId, Bal>) -> Result<(), TestCaseError> {
	for d in DELEGATORS {
		prop_assert_eq!(
			bonded(d),
			m.stake.get(&d).copied().unwrap_or(DELEGATOR_STAKE),
			"stake of {}",
			d
		);
		prop_assert_eq!(
			taken.get(&d).copied().unwrap_or(0),
			m.taken.get(&d).copied().unwrap_or(0),
			"taken from {} this step",
			d
		);
		for s in 0..SERVICES {
			for e in m.era.saturating_sub(REPORT_WINDOW)..=m.era + 1 {
				let chain = Positions::<Test>::get(d, s).map_or(0, |p| p.allocation_in(e));
				let chain = if chain > 0 {
					chain
				} else {
					crate::Departures::<Test>::get(d, s).map_or(0, |dep| dep.allocation_in(e))
				};
				prop_assert_eq!(
					chain,
					m.allocation_in(d, s, e),
					"allocation of {} in s{} in era {}",
					d,
					s,
					e
				);
			}
		}
	}
	Restaking::do_try_state().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
	Ok(())
}

thread_local! {
	/// What the sequences did, printed per seed: outcomes by call, and delegator slashes.
	static STATS: std::cell::RefCell<BTreeMap<String, u64>> = Default::default();
}

fn count(what: String) {
	STATS.with(|s| *s.borrow_mut().entry(what).or_default() += 1);
}

fn run_case(ops: &[Op]) -> Result<(), TestCaseError> {
	MaxSlashesPerBlock::set(64);
	MaxCascadesPerBlock::set(64);
	MaxSweepPerBlock::set(64);
	MaxDelegatorSlashesPerBlock::set(100);
	let mut ext = world().build();
	let mut m = Model::default();
	ext.execute_with(|| {
		for s in 0..SERVICES {
			let mut params = service_params(&format!("s{s}"));
			params.rules[0].fraction = Perbill::from_parts(RULES[0]);
			params.rules[1].fraction = Perbill::from_parts(RULES[1]);
			params.rules[1].eject = false;
			params.exit_delay = EXIT_DELAY;
			params.dispute_window = DISPUTE_WINDOW;
			frame_support::assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		}
		for (i, o) in OPERATORS.iter().enumerate() {
			frame_support::assert_ok!(Restaking::set_operator(
				RuntimeOrigin::signed(*o),
				Perbill::from_percent(10)
			));
			for s in SERVICES_OF[i] {
				frame_support::assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(*o), s, 100_000));
			}
		}
	});
	for op in ops {
		ext.execute_with(|| {
			System::reset_events();
			m.taken.clear();
			match op.clone() {
				Op::NextEra => {
					if m.era >= LAST_ERA {
						return Ok(());
					}
					start_active_era(m.era + 1);
					let landed: Vec<u32> = System::events()
						.into_iter()
						.filter_map(|r| match r.event {
							RuntimeEvent::Restaking(crate::Event::SlashApplied {
								slash_id,
								..
							}) => Some(slash_id),
							_ => None,
						})
						.collect();
					m.next_era(&landed);
				}
				Op::Report { op, service, rule, back } => {
					let offender = OPERATORS[op];
					let e = m.era.saturating_sub(back);
					let call =
						crate::Call::report_offence { service, offender, rule, offence_era: e };
					let chain = dispatch(SLASHER, call);
					let mut next = m.clone();
					let model = next.report(offender, service, rule, e).map(|_| ());
					if model.is_ok() {
						m = next;
					}
					count(format!("report: {chain:?}"));
					prop_assert_eq!(chain, model, "{:?}", op);
				}
				other => {
					let (who, call) = match other {
						Op::Delegate { d, op, amount } => (
							DELEGATORS[d],
							crate::Call::delegate { operator: OPERATORS[op], amount },
						),
						Op::Undelegate { d } => (DELEGATORS[d], crate::Call::undelegate {}),
						Op::Exclude { d, service } => {
							(DELEGATORS[d], crate::Call::exclude_service { service })
						}
						Op::Include { d, service } => {
							(DELEGATORS[d], crate::Call::include_service { service })
						}
						Op::Redelegate { d, op } => {
							(DELEGATORS[d], crate::Call::redelegate { operator: OPERATORS[op] })
						}
						_ => unreachable!(),
					};
					let chain = dispatch(who, call);
					let mut next = m.clone();
					let model = match other {
						Op::Delegate { d, op, amount } => {
							next.delegate(DELEGATORS[d], OPERATORS[op], amount)
						}
						Op::Undelegate { d } => next.undelegate(DELEGATORS[d]),
						Op::Exclude { d, service } => next.exclude(DELEGATORS[d], service),
						Op::Include { d, service } => next.include(DELEGATORS[d], service),
						Op::Redelegate { d, op } => next.redelegate(DELEGATORS[d], OPERATORS[op]),
						_ => unreachable!(),
					};
					if model.is_ok() {
						m = next;
					}
					let name = format!("{other:?}");
					count(format!("{}: {chain:?}", name.split(' ').next().unwrap_or_default()));
					prop_assert_eq!(chain, model, "{:?}", op);
				}
			}
			let taken: BTreeMap<AccountId, Bal> = System::events()
				.into_iter()
				.filter_map(|r| match r.event {
					RuntimeEvent::Restaking(crate::Event::DelegatorSlashed {
						who, amount, ..
					}) => Some((who, amount)),
					_ => None,
				})
				.fold(BTreeMap::new(), |mut sum, (who, amount)| {
					*sum.entry(who).or_default() += amount;
					sum
				});
			for amount in taken.values() {
				count(format!(
					"delegator slashed, {}",
					if *amount > 0 { "something" } else { "nothing" }
				));
			}
			compare(&m, &taken)
		})?;
	}
	Ok(())
}

fn run_seed(seed: u64, cases: u32) {
	let config = RunnerConfig {
		cases,
		failure_persistence: None,
		max_shrink_iters: 256,
		..RunnerConfig::default()
	};
	let mut bytes = [0u8; 32];
	bytes[..8].copy_from_slice(&seed.to_le_bytes());
	let mut runner =
		TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
	STATS.with(|s| s.borrow_mut().clear());
	if let Err(e) = runner.run(&prop::collection::vec(op(), 20..=40), |ops| run_case(&ops)) {
		panic!("seed {seed}: {e}");
	}
	STATS.with(|s| println!("seed {seed}: {:#?}", s.borrow()));
}

fn cases() -> u32 {
	std::env::var("MODEL_CASES")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(CASES * MODEL_CASES_PERCENT / 100)
}

#[test]
fn delegation_model_seed_1() {
	run_seed(SEEDS[0], cases());
}

#[test]
fn delegation_model_seed_2() {
	run_seed(SEEDS[1], cases());
}
