//! The pallet against its reference model ([`super::model`]): random operation sequences run on
//! the mock runtime (real pallet-staking, balances, session, on-chain election) and on the model,
//! with every observable compared after every step.
//!
//! Each case registers three services with random rules (mostly two to four, with different
//! fractions and ejection), windows, `min_stake`, validators-only flags and sometimes a
//! `max_share`; runs with `FullCoverage` in one case in two and with a random `SlashBreaker` in
//! about two in five; then runs 40 to 60 operations over six stashes (four validators, two
//! nominators): restaking calls (valid and not, some at the exact edge of the coverage,
//! concentration or leverage check), reports (some of an offence already reported, under
//! another rule: max, not sum), `simulate_slash` (which must equal the model's report by the
//! slasher and landing, or its refusal, and change nothing), governance's cancels, approvals of
//! held slashes, status changes
//! and service updates (harsher ones wait for their effective era), reward fundings and claims,
//! era changes (the automatic slash path; in one case in five it is held and due slashes land
//! through `apply_slash`), and pallet-staking's own moves (bond_extra, unbond,
//! withdraw_unbonded, rebond, chill, a base-layer slash through `on_offence` or
//! `manual_slash`). After every step it compares positions (allocation, exposure, exit, claim,
//! the allocation in force in every era a report can name), departure records, restaker ledgers
//! (with the total claim), service parameters, totals and counts, rule changes waiting and past
//! rules, pending slashes (with their breaker state), the breaker's budgets, the reports of
//! every offence era that can still be reported, landed slashes, bonded ledgers, claimable
//! rewards, pot balances, total issuance and the step's slashing, rule-change and scaling
//! events, and runs both pallets' `try_state`. A refused call must be refused by both with the
//! same error and leave storage untouched.
//!
//! CI runs the committed seeds in [`SEEDS`], `CASES` sequences each. A long run:
//! `./scripts/model-check.sh` (see that script for the knobs).

use super::mock::*;
use super::model::{self, Bal, Model, Refusal};
use crate::{
	BreakerState, Departures, Exit, PastServiceRules, PendingRuleChanges, Positions,
	ReportedOffences, Restakers, ServiceParamsOf, ServiceSlashes, ServiceStatus, Services,
	SlashBudgets, Slashes,
};
use frame_support::traits::{GetCallName, UnfilteredDispatchable};
use frame_system::RawOrigin;
use proptest::{
	prelude::*,
	test_runner::{Config as RunnerConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner},
};
use sp_runtime::{DispatchError, Perbill};

/// A fourth validator, 800 bonded.
const VALIDATOR_D: AccountId = 41;
/// A second nominator, 600 bonded, backing C and D.
const NOMINATOR_2: AccountId = 51;
/// The stashes the operations pick from: validators first.
const STASHES: [AccountId; 6] =
	[VALIDATOR_A, VALIDATOR_B, VALIDATOR_C, VALIDATOR_D, NOMINATOR, NOMINATOR_2];
/// Services registered per case; operations also name an unknown id.
const SERVICES: u32 = 3;
const UNKNOWN_SERVICE: u32 = 7;
/// Who funds rewards: a rich account that never bonds.
const FUNDER: AccountId = UNBONDED;

/// Committed seeds CI runs, one test per seed so the two cores share them.
pub const SEEDS: [u64; 4] = [0x5eed_0001, 0x5eed_0002, 0x5eed_0003, 0x5eed_0004];
/// Sequences per seed in CI (override with `MODEL_CASES`).
pub const CASES: u32 = 500;

/// One step of a sequence.
#[derive(Clone, Debug)]
pub enum Op {
	OptIn {
		who: usize,
		service: u32,
		amount: Bal,
	},
	SetAllocation {
		at: Target,
		amount: Bal,
	},
	OptOut {
		at: Target,
	},
	CompleteOptOut {
		at: Target,
	},
	/// `back`: how many eras before the active one the offence was (-1: the future).
	Report {
		at: Target,
		rule: u32,
		back: i8,
		by_slasher: bool,
	},
	/// Another report of an offence already reported (max, not sum), under `rule`; a plain
	/// report of `at` if none can still be named.
	ReportAgain {
		pick: usize,
		rule: u32,
		at: Target,
	},
	/// An opt-in (or, with `raise`, a raise of `at`) at the edge of a check: `kind` 0 the
	/// coverage, 1 the concentration cap (the leverage cap without one), 2 the leverage cap, 3
	/// the coverage counted without a harsher change waiting (which must count);
	/// the largest amount that passes it, or with `over` the smallest that does not (at most the
	/// active stake).
	Edge {
		who: usize,
		service: u32,
		at: Target,
		raise: bool,
		kind: u8,
		over: bool,
	},
	/// `simulate_slash` of `at` under `rule` (an offence of the active era), against the model's
	/// report and landing; changes nothing.
	Simulate {
		at: Target,
		rule: u32,
	},
	ApproveSlash {
		pick: usize,
	},
	ApproveHeld {
		service: u32,
	},
	/// `update_service` to `params`, or (`gentler`) to the gentler of them and the current
	/// parameters, which applies at once.
	UpdateService {
		service: u32,
		params: model::Params,
		gentler: bool,
	},
	CancelSlash {
		pick: usize,
	},
	CancelAll {
		service: u32,
	},
	ApplySlash {
		pick: usize,
	},
	Fund {
		service: u32,
		amount: Bal,
	},
	Claim {
		at: Target,
	},
	Sync {
		who: usize,
	},
	SetStatus {
		service: u32,
		paused: bool,
	},
	NextEra,
	BondExtra {
		who: usize,
		amount: Bal,
	},
	Unbond {
		who: usize,
		amount: Bal,
	},
	Withdraw {
		who: usize,
	},
	Rebond {
		who: usize,
		amount: Bal,
	},
	Chill {
		who: usize,
	},
	/// A base-layer slash of a validator in the active era.
	BaseSlash {
		validator: usize,
		percent: u32,
		manual: bool,
	},
}

/// The `(stash, service)` an operation names: mostly an existing position (or, for reports, a
/// departure a report can still use), so that sequences go deep; otherwise any pair, unknown
/// service included.
#[derive(Clone, Copy, Debug)]
pub struct Target {
	pub pick: usize,
	pub existing: bool,
}

impl Target {
	fn resolve(self, m: &Model, departed: bool) -> (AccountId, u32) {
		let mut pairs: Vec<(AccountId, u32)> = m.positions.keys().copied().collect();
		if departed {
			pairs.extend(m.departures.iter().filter(|(_, d)| d.reportable(m.era)).map(|(k, _)| *k));
		}
		match pairs.len() {
			n if self.existing && n > 0 => pairs[self.pick % n],
			_ => (
				STASHES[self.pick % STASHES.len()],
				[0, 1, 2, UNKNOWN_SERVICE][(self.pick / STASHES.len()) % 4],
			),
		}
	}
}

fn target() -> impl Strategy<Value = Target> {
	(0usize..64, prop::bool::weighted(0.85)).prop_map(|(pick, existing)| Target { pick, existing })
}

impl Op {
	/// One of pallet-staking's own calls (or a base-layer slash).
	fn is_staking_move(&self) -> bool {
		matches!(
			self,
			Op::BondExtra { .. }
				| Op::Unbond { .. }
				| Op::Withdraw { .. }
				| Op::Rebond { .. }
				| Op::Chill { .. }
				| Op::BaseSlash { .. }
		)
	}
}

/// A case: three services' parameters and the operations.
#[derive(Clone, Debug)]
pub struct Case {
	pub services: Vec<model::Params>,
	/// The automatic path is held (`MaxSlashesPerBlock` 0): due slashes wait for `apply_slash`.
	pub manual_landing: bool,
	/// `FullCoverage`.
	pub full_coverage: bool,
	/// `SlashBreaker`, in percent.
	pub breaker: Option<u32>,
	pub ops: Vec<Op>,
}

fn service_id() -> impl Strategy<Value = u32> {
	prop_oneof![12 => 0..SERVICES, 1 => Just(UNKNOWN_SERVICE)]
}

fn who() -> impl Strategy<Value = usize> {
	0..STASHES.len()
}

fn amount() -> impl Strategy<Value = Bal> {
	prop_oneof![
		1 => Just(0u128),
		2 => Just(100u128),
		2 => Just(500u128),
		1 => Just(1_000u128),
		6 => 1..600u128,
		2 => 600..1_600u128,
	]
}

/// Service parameters: one to four rules (mostly two or three, with different fractions and
/// ejection, so that one offence is often reported under several), sometimes a `max_share`.
fn params() -> impl Strategy<Value = model::Params> {
	let rule = (prop_oneof![Just(10u32), Just(25), Just(50), Just(100), 1..100u32], any::<bool>())
		.prop_map(|(percent, eject)| model::Rule { ppb: percent * 10_000_000, eject });
	let max_share = prop_oneof![
		3 => Just(None),
		1 => prop_oneof![Just(10u32), Just(30), 1..60u32].prop_map(|p| Some(p * 10_000_000)),
	];
	(
		prop_oneof![1 => prop::collection::vec(rule.clone(), 1), 4 => prop::collection::vec(rule, 2..=4)],
		prop_oneof![Just(0u128), Just(1), Just(100), Just(300)],
		prop::bool::weighted(0.25),
		1u32..=3,
		1u32..=4,
		max_share,
	)
		.prop_map(|(rules, min_stake, validators_only, exit_delay, dispute_window, max_share)| {
			model::Params {
				slasher: SLASHER,
				rules,
				min_stake,
				validators_only,
				exit_delay,
				dispute_window,
				max_share,
			}
		})
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		9 => (prop_oneof![1 => 0..2usize, 2 => who()], service_id(), amount())
			.prop_map(|(who, service, amount)| Op::OptIn { who, service, amount }),
		5 => (target(), amount()).prop_map(|(at, amount)| Op::SetAllocation { at, amount }),
		3 => target().prop_map(|at| Op::OptOut { at }),
		1 => target().prop_map(|at| Op::CompleteOptOut { at }),
		10 => (target(), prop_oneof![6 => 0u32..3, 1 => 3u32..5], prop_oneof![1 => Just(-1i8), 8 => 0i8..=2, 2 => 3i8..=4], prop::bool::weighted(0.9))
			.prop_map(|(at, rule, back, by_slasher)| Op::Report { at, rule, back, by_slasher }),
		4 => (0usize..16, 0u32..4, target())
			.prop_map(|(pick, rule, at)| Op::ReportAgain { pick, rule, at }),
		1 => (0usize..6).prop_map(|pick| Op::CancelSlash { pick }),
		3 => (prop_oneof![1 => 0..2usize, 2 => who()], 0..SERVICES, target(), any::<bool>(), 0u8..4, any::<bool>()).prop_map(
			|(who, service, at, raise, kind, over)| Op::Edge { who, service, at, raise, kind, over }
		),
		3 => (target(), prop_oneof![6 => 0u32..3, 1 => 3u32..5]).prop_map(|(at, rule)| Op::Simulate { at, rule }),
		1 => (0usize..6).prop_map(|pick| Op::ApproveSlash { pick }),
		1 => service_id().prop_map(|service| Op::ApproveHeld { service }),
		2 => (prop_oneof![1 => Just(0), 2 => service_id()], params(), any::<bool>())
			.prop_map(|(service, params, gentler)| Op::UpdateService { service, params, gentler }),
		1 => service_id().prop_map(|service| Op::CancelAll { service }),
		1 => (0usize..6).prop_map(|pick| Op::ApplySlash { pick }),
		2 => (service_id(), prop_oneof![Just(1u128), 2..150u128])
			.prop_map(|(service, amount)| Op::Fund { service, amount }),
		2 => target().prop_map(|at| Op::Claim { at }),
		1 => who().prop_map(|who| Op::Sync { who }),
		1 => (service_id(), prop::bool::weighted(0.6))
			.prop_map(|(service, paused)| Op::SetStatus { service, paused }),
		6 => Just(Op::NextEra),
		1 => (who(), 1..400u128).prop_map(|(who, amount)| Op::BondExtra { who, amount }),
		2 => (who(), 1..700u128).prop_map(|(who, amount)| Op::Unbond { who, amount }),
		1 => who().prop_map(|who| Op::Withdraw { who }),
		1 => (who(), 1..700u128).prop_map(|(who, amount)| Op::Rebond { who, amount }),
		1 => (0usize..4).prop_map(|who| Op::Chill { who }),
		1 => (0usize..4, 1u32..=100, any::<bool>())
			.prop_map(|(validator, percent, manual)| Op::BaseSlash { validator, percent, manual }),
	]
}

/// Cases of 40 to 60 operations.
pub fn case() -> impl Strategy<Value = Case> {
	(
		prop::collection::vec(params(), SERVICES as usize),
		prop::bool::weighted(0.2),
		any::<bool>(),
		prop_oneof![2 => Just(None), 1 => Just(Some(1)), 2 => (2u32..=20).prop_map(Some)],
		prop::collection::vec(op(), 40..=60),
	)
		.prop_map(|(services, manual_landing, full_coverage, breaker, ops)| Case {
			services,
			manual_landing,
			full_coverage,
			breaker,
			ops,
		})
}

fn world() -> ExtBuilder {
	ExtBuilder::default().staker(VALIDATOR_D, 800, StakerStatus::Validator).staker(
		NOMINATOR_2,
		600,
		StakerStatus::Nominator(vec![VALIDATOR_C, VALIDATOR_D]),
	)
}

fn pallet_params(i: usize, p: &model::Params) -> ServiceParamsOf<Test> {
	ServiceParamsOf::<Test> {
		name: format!("service-{i}").into_bytes().try_into().unwrap(),
		slasher: p.slasher,
		rules: p
			.rules
			.iter()
			.enumerate()
			.map(|(r, rule)| crate::SlashingRule {
				name: format!("rule-{r}").into_bytes().try_into().unwrap(),
				fraction: Perbill::from_parts(rule.ppb),
				eject: rule.eject,
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
		min_stake: p.min_stake,
		validators_only: p.validators_only,
		exit_delay: p.exit_delay,
		dispute_window: p.dispute_window,
		max_share: p.max_share.map(Perbill::from_parts),
	}
}

/// The pallet's parameters as the model's (names aside: the harness makes them from ids).
fn model_params(p: &ServiceParamsOf<Test>) -> model::Params {
	model::Params {
		slasher: p.slasher,
		rules: model_rules(&p.rules),
		min_stake: p.min_stake,
		validators_only: p.validators_only,
		exit_delay: p.exit_delay,
		dispute_window: p.dispute_window,
		max_share: p.max_share.map(|s| s.deconstruct()),
	}
}

fn model_rules<N: frame_support::traits::Get<u32>>(
	rules: &[crate::SlashingRule<N>],
) -> Vec<model::Rule> {
	rules.iter().map(|r| model::Rule { ppb: r.fraction.deconstruct(), eject: r.eject }).collect()
}

fn model_breaker(b: BreakerState) -> model::Breaker {
	match b {
		BreakerState::Within => model::Breaker::Within,
		BreakerState::Held => model::Breaker::Held,
		BreakerState::Approved => model::Breaker::Approved,
	}
}

/// The events the model predicts, from the chain's.
fn model_event(e: crate::Event<Test>) -> Option<model::Ev> {
	use crate::Event as E;
	use model::Ev;
	Some(match e {
		E::ServiceUpdated { service } => Ev::ServiceUpdated(service),
		E::RuleChangeScheduled { service, effective_era } => {
			Ev::RuleChangeScheduled(service, effective_era)
		}
		E::RuleChangeApplied { service } => Ev::RuleChangeApplied(service),
		E::SlashScheduled { slash_id, service, offender, rule, offence_era, amount, apply_era } => {
			Ev::SlashScheduled(slash_id, service, offender, rule, offence_era, amount, apply_era)
		}
		E::SlashHeld { slash_id, service, amount, cap_left, apply_era } => {
			Ev::SlashHeld(slash_id, service, amount, cap_left, apply_era)
		}
		E::SlashApproved { slash_id } => Ev::SlashApproved(slash_id),
		E::HeldSlashesApproved { service, count } => Ev::HeldSlashesApproved(service, count),
		E::HeldSlashDropped { slash_id, service, offender, amount } => {
			Ev::HeldSlashDropped(slash_id, service, offender, amount)
		}
		E::SlashCancelled { slash_id } => Ev::SlashCancelled(slash_id),
		E::AllSlashesCancelled { service, count } => Ev::AllSlashesCancelled(service, count),
		E::AllocationsScaled { who, total_allocated } => {
			Ev::AllocationsScaled(who, total_allocated)
		}
		_ => return None,
	})
}

/// Move this block's events so far into [`STEP_EVENTS`] (the compared ones), and clear them;
/// check the order the pallet documents: `SlashHeld` right after its `SlashScheduled`,
/// `RuleChangeScheduled` right after its `ServiceUpdated`, `HeldSlashesApproved` right after
/// its `SlashApproved`s.
fn take_events() -> Result<(), TestCaseError> {
	use model::Ev;
	let events: Vec<Ev> = System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Restaking(e) => model_event(e),
			_ => None,
		})
		.collect();
	for (i, e) in events.iter().enumerate() {
		let before = i.checked_sub(1).map(|j| &events[j]);
		match e {
			Ev::SlashHeld(id, ..) => prop_assert!(
				matches!(before, Some(Ev::SlashScheduled(i, ..)) if i == id),
				"SlashHeld({}) not right after its SlashScheduled: {:?}",
				id,
				events
			),
			Ev::RuleChangeScheduled(s, _) => prop_assert!(
				before == Some(&Ev::ServiceUpdated(*s)),
				"RuleChangeScheduled({}) not right after ServiceUpdated: {:?}",
				s,
				events
			),
			Ev::HeldSlashesApproved(_, n) => {
				let n = *n as usize;
				prop_assert!(
					i >= n && events[i - n..i].iter().all(|e| matches!(e, Ev::SlashApproved(_))),
					"HeldSlashesApproved not right after its approvals: {:?}",
					events
				);
			}
			_ => {}
		}
	}
	STEP_EVENTS.with(|s| s.borrow_mut().extend(events));
	System::reset_events();
	Ok(())
}

/// The name of a refusal, as polkadot-js shows it.
fn refusal(e: DispatchError) -> Refusal {
	match e {
		DispatchError::Module(m) => m.message.unwrap_or("unnamed module error"),
		DispatchError::Token(_) => "FundsUnavailable",
		DispatchError::BadOrigin => "BadOrigin",
		_ => "other",
	}
}

/// Dispatch `call` as the chain would (in its own storage layer); a refusal must leave storage
/// untouched.
///
/// Hashing the whole state costs more than the rest of a step, so the storage check runs on the
/// first refusal of each kind (call and error) in a case: a dry run in a transaction that is
/// rolled back tells whether the call is refused, and only then is the state hashed around the
/// real dispatch.
fn dispatch(call: crate::Call<Test>, origin: RuntimeOrigin) -> Result<(), Refusal> {
	use frame_support::storage::{with_transaction, TransactionOutcome};
	let name = call.get_call_name();
	// The mock counts slashed funds outside storage, where a rollback does not reach.
	let slashed = ServiceSlashed::get();
	let dry = with_transaction(|| {
		let r = RuntimeCall::Restaking(call.clone()).dispatch_bypass_filter(origin.clone());
		TransactionOutcome::Rollback(Ok::<_, DispatchError>(r.map_err(|e| refusal(e.error))))
	})
	.unwrap_or(Err("other"));
	ServiceSlashed::set(slashed);
	let check = match dry {
		Err(error) => CHECKED.with(|c| c.borrow_mut().insert((name, error))),
		Ok(_) => false,
	};
	let root = check.then(|| sp_io::storage::root(sp_runtime::StateVersion::V1));
	match RuntimeCall::Restaking(call).dispatch_bypass_filter(origin) {
		Ok(_) => Ok(()),
		Err(e) => {
			if let Some(root) = root {
				let after = sp_io::storage::root(sp_runtime::StateVersion::V1);
				assert_eq!(root, after, "a refused {name} changed storage");
			}
			Err(refusal(e.error))
		}
	}
}

/// What the sequences of one seed did, printed at its end (`--nocapture`).
#[derive(Default, Debug)]
struct Stats {
	sequences: u64,
	operations: u64,
	accepted: u64,
	refused: u64,
	reports: u64,
	landed: u64,
	eras: u64,
	/// Sequences with `FullCoverage`, with a breaker.
	with_coverage: u64,
	with_breaker: u64,
	/// Re-syncs that scaled allocations for coverage; past rules merged at a rule change.
	coverage_scalings: u64,
	past_merges: u64,
	/// Accepted reports of an offence already reported.
	repeated_reports: u64,
	/// Reports that scheduled less than their total (max, not sum), and nothing but an
	/// ejection.
	top_ups: u64,
	eject_only: u64,
	/// `simulate_slash` calls compared, and those that took stake.
	simulations: u64,
	simulated_landings: u64,
	/// Accepted calls by name.
	calls: std::collections::BTreeMap<String, u64>,
	/// Refusals by error.
	refusals: std::collections::BTreeMap<Refusal, u64>,
	/// Compared events by name.
	events: std::collections::BTreeMap<String, u64>,
}

thread_local! {
	static STATS: std::cell::RefCell<Stats> = std::cell::RefCell::new(Stats::default());
	/// `(call, error)` refusals whose storage was checked in this case.
	static CHECKED: std::cell::RefCell<std::collections::BTreeSet<(&'static str, Refusal)>> =
		const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
	/// The compared events of the current step, as the chain deposited them.
	static STEP_EVENTS: std::cell::RefCell<Vec<model::Ev>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn signed(who: AccountId) -> RuntimeOrigin {
	RawOrigin::Signed(who).into()
}

/// Run the pallet call and the model's, and require the same outcome.
fn both<R>(
	what: &str,
	pallet: Result<(), Refusal>,
	model: Result<R, Refusal>,
) -> Result<(), TestCaseError> {
	let model = model.map(|_| ());
	prop_assert_eq!(pallet, model, "{}: pallet vs model", what);
	STATS.with(|s| {
		let mut s = s.borrow_mut();
		match pallet {
			Ok(()) => {
				s.accepted += 1;
				s.reports += u64::from(what == "report_offence");
				*s.calls.entry(what.to_string()).or_default() += 1;
			}
			Err(e) => {
				s.refused += 1;
				*s.refusals.entry(e).or_default() += 1;
			}
		}
	});
	Ok(())
}

/// The ids of the slashes this block landed or dropped (`SlashApplied`, `HeldSlashDropped`), in
/// order.
fn settled_this_block() -> Vec<u32> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Restaking(crate::Event::SlashApplied { slash_id, .. })
			| RuntimeEvent::Restaking(crate::Event::HeldSlashDropped { slash_id, .. }) => Some(slash_id),
			_ => None,
		})
		.collect()
}

/// The ids of the `SlashApplied` events of this block, in order, with the amounts taken.
fn landed_this_block() -> Vec<(u32, Bal)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Restaking(crate::Event::SlashApplied { slash_id, amount, .. }) => {
				Some((slash_id, amount))
			}
			_ => None,
		})
		.collect()
}

/// Take the ledgers and validator set from pallet-staking: its own moves are inputs.
fn read_staking(m: &mut Model) {
	m.ledgers.clear();
	m.validators.clear();
	for who in STASHES {
		if let Some(l) = staking::Ledger::<Test>::get(who) {
			m.ledgers.insert(
				who,
				model::Ledger {
					active: l.active,
					unlocking: l.unlocking.iter().map(|c| (c.era, c.value)).collect(),
				},
			);
		}
		if staking::Validators::<Test>::contains_key(who) {
			m.validators.insert(who);
		}
	}
}

/// Finish the block: run the next one, and on an era change land what the model says is due
/// in the order the chain landed it.
fn advance(m: &mut Model) -> Result<(), TestCaseError> {
	let era = active_era();
	// The mock's blocks do not reset events: each block starts from none here.
	take_events()?;
	run_to_block(System::block_number() + 1);
	let now = active_era();
	if now == era {
		m.block();
		return Ok(());
	}
	prop_assert_eq!(now, era + 1);
	let landed = landed_this_block();
	let order = settled_this_block();
	let mut ids = order.clone();
	ids.sort();
	m.era = now;
	prop_assert_eq!(ids, m.due().into_iter().collect::<Vec<_>>(), "due slashes of era {}", now);
	let before = m.landed.len();
	m.start_era(now, &order);
	prop_assert_eq!(&m.landed[before..], &landed[..], "amounts landed in era {}", now);
	Ok(())
}

/// An offence already reported that can still be reported: `(service, offender, era)`.
fn pick_offence(m: &Model, pick: usize) -> Option<(u32, AccountId, u32)> {
	let keys: Vec<(u32, AccountId, u32)> = m
		.reports
		.keys()
		.filter(|(e, _, _)| e + model::REPORT_WINDOW >= m.era)
		.map(|(e, s, w)| (*s, *w, *e))
		.collect();
	match keys.len() {
		0 => None,
		n => Some(keys[pick % n]),
	}
}

/// The allocation of `who` to `sid` (replacing `current`) at the edge of check `kind` (see
/// [`Op::Edge`]): the largest that passes it, plus one if `over`.
fn edge_amount(
	m: &Model,
	who: AccountId,
	sid: u32,
	current: Option<&model::Position>,
	kind: u8,
	over: bool,
) -> Bal {
	let active = m.ledger(who).active;
	let base = current.map_or(0, |p| p.allocation);
	if !m.services.contains_key(&sid) {
		return base + 1;
	}
	let share = m.services.get(&sid).and_then(|s| s.params.max_share);
	let fit = match (kind, share) {
		(0 | 3, _) => {
			let others = m.total_claim(who) - current.map_or(0, |p| p.claim);
			let room = active.saturating_sub(others);
			let worst = match kind {
				0 => m.coverage_worst(sid),
				_ => m.services[&sid].params.worst(),
			};
			if worst == 0 {
				return base + 1;
			}
			let mut a = room * 1_000_000_000 / Bal::from(worst);
			while model::fraction_of(worst, a + 1) <= room {
				a += 1;
			}
			while a > 0 && model::fraction_of(worst, a) > room {
				a -= 1;
			}
			a
		}
		(1, Some(share)) => {
			let cap = model::fraction_of(share, m.total_bonded);
			base + cap.saturating_sub(m.total_secured(sid))
		}
		_ => base + (model::MAX_LEVERAGE * active).saturating_sub(m.total_allocated(who)),
	};
	// Beyond the active stake, `InsufficientStake` would come first: take all of it instead,
	// which brings the next edge closer.
	(fit + Bal::from(over)).min(active)
}

fn pick_slash(m: &Model, pick: usize) -> u32 {
	let ids: Vec<u32> = m.slashes.keys().copied().collect();
	ids.get(pick).copied().unwrap_or(m.next_slash_id + 5)
}

/// Run one operation on both.
fn step(m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
	use crate::Call;
	let stash = |i: usize| STASHES[i];
	// The total stake of the active era's validator set: pallet-staking's business.
	m.total_bonded = staking::ErasTotalStake::<Test>::get(active_era());
	match op.clone() {
		Op::OptIn { who, service, amount } => {
			let w = stash(who);
			let p = dispatch(Call::opt_in { service, amount }, signed(w));
			both("opt_in", p, m.call(|m| m.opt_in(w, service, amount)))?;
		}
		Op::SetAllocation { at, amount } => {
			let (w, service) = at.resolve(m, false);
			let p = dispatch(Call::set_allocation { service, amount }, signed(w));
			both("set_allocation", p, m.call(|m| m.set_allocation(w, service, amount)))?;
		}
		Op::OptOut { at } => {
			let (w, service) = at.resolve(m, false);
			let p = dispatch(Call::opt_out { service }, signed(w));
			both("opt_out", p, m.call(|m| m.opt_out(w, service)))?;
		}
		Op::CompleteOptOut { at } => {
			let (w, service) = at.resolve(m, false);
			let p = dispatch(Call::complete_opt_out { service, who: w }, signed(STRANGER));
			both("complete_opt_out", p, m.call(|m| m.complete_opt_out(w, service)))?;
		}
		Op::Report { at, rule, back, by_slasher } => {
			let (w, service) = at.resolve(m, true);
			let era = if back < 0 { m.era + 1 } else { m.era.saturating_sub(back as u32) };
			let reporter = if by_slasher { SLASHER } else { STRANGER };
			let p = dispatch(
				Call::report_offence { service, offender: w, rule, offence_era: era },
				signed(reporter),
			);
			both(
				"report_offence",
				p,
				m.call(|m| m.report(reporter, service, w, rule, era).map(|_| ())),
			)?;
		}
		Op::ReportAgain { pick, rule, at } => {
			let offence = pick_offence(m, pick);
			let (service, w, era) = offence.unwrap_or_else(|| {
				let (w, service) = at.resolve(m, true);
				(service, w, m.era)
			});
			// A rule the service has (`UnknownRule` is the plain report's business).
			let rules = m.services.get(&service).map_or(1, |s| s.params.rules.len().max(1));
			let rule = rule % rules as u32;
			let p = dispatch(
				Call::report_offence { service, offender: w, rule, offence_era: era },
				signed(SLASHER),
			);
			let repeated = offence.is_some() && p.is_ok();
			both(
				"report_offence",
				p,
				m.call(|m| m.report(SLASHER, service, w, rule, era).map(|_| ())),
			)?;
			STATS.with(|s| s.borrow_mut().repeated_reports += u64::from(repeated));
		}
		Op::Edge { who, service, at, raise, kind, over } => {
			if raise {
				let (w, service) = at.resolve(m, false);
				let p = m.positions.get(&(w, service));
				let amount = edge_amount(m, w, service, p, kind, over);
				let r = dispatch(Call::set_allocation { service, amount }, signed(w));
				both("set_allocation", r, m.call(|m| m.set_allocation(w, service, amount)))?;
			} else {
				let w = stash(who);
				let amount = edge_amount(m, w, service, None, kind, over);
				let p = dispatch(Call::opt_in { service, amount }, signed(w));
				both("opt_in", p, m.call(|m| m.opt_in(w, service, amount)))?;
			}
		}
		Op::Simulate { at, rule } => {
			let (w, service) = at.resolve(m, true);
			// The mock counts slashed funds outside storage, where the rollback does not reach.
			let slashed = ServiceSlashed::get();
			let chain = Restaking::simulate_slash(service, w, rule);
			ServiceSlashed::set(slashed);
			let chain = chain.map_err(refusal).map(|c| {
				let mut services: Vec<_> = c
					.services
					.iter()
					.map(|i| (i.service, i.secured_before, i.secured_after, i.ejected))
					.collect();
				services.sort();
				model::Simulation {
					amount: c.amount,
					stake_before: c.stake_before,
					stake_after: c.stake_after,
					services,
					held: c.held,
				}
			});
			let landed = chain.as_ref().is_ok_and(|c| c.amount > 0);
			prop_assert_eq!(chain, m.simulate(service, w, rule), "simulate_slash vs the model");
			STATS.with(|s| {
				let mut s = s.borrow_mut();
				s.simulations += 1;
				s.simulated_landings += u64::from(landed);
			});
		}
		Op::ApproveSlash { pick } => {
			// Mostly a held slash, if there is one.
			let held: Vec<u32> = m
				.slashes
				.iter()
				.filter(|(_, x)| x.breaker == model::Breaker::Held)
				.map(|(i, _)| *i)
				.collect();
			let id = match held.len() {
				n if n > 0 && pick % 4 != 0 => held[pick % n],
				_ => pick_slash(m, pick),
			};
			let p = dispatch(Call::approve_slash { slash_id: id }, RuntimeOrigin::root());
			both("approve_slash", p, m.call(|m| m.approve_slash(id)))?;
		}
		Op::ApproveHeld { service } => {
			let p = dispatch(Call::approve_held_slashes { service }, RuntimeOrigin::root());
			both("approve_held_slashes", p, m.call(|m| m.approve_held(service).map(|_| ())))?;
		}
		Op::UpdateService { service, params, gentler } => {
			let params = match m.services.get(&service) {
				Some(s) if gentler => s.params.gentler(&params),
				_ => params,
			};
			let p = dispatch(
				Call::update_service { service, params: pallet_params(service as usize, &params) },
				RuntimeOrigin::root(),
			);
			both("update_service", p, m.call(|m| m.update_service(service, params)))?;
		}
		Op::CancelSlash { pick } => {
			let id = pick_slash(m, pick);
			let p = dispatch(Call::cancel_slash { slash_id: id }, RuntimeOrigin::root());
			both("cancel_slash", p, m.call(|m| m.cancel_slash(id)))?;
		}
		Op::CancelAll { service } => {
			let p = dispatch(Call::cancel_all_slashes { service }, RuntimeOrigin::root());
			both("cancel_all_slashes", p, m.call(|m| m.cancel_all(service).map(|_| ())))?;
		}
		Op::ApplySlash { pick } => {
			let id = pick_slash(m, pick);
			let seen = landed_this_block().len();
			let p = dispatch(Call::apply_slash { slash_id: id }, signed(STRANGER));
			let before = m.landed.len();
			both("apply_slash", p, m.call(|m| m.apply_slash(id)))?;
			prop_assert_eq!(&m.landed[before..], &landed_this_block()[seen..]);
		}
		Op::Fund { service, amount } => {
			let p = dispatch(Call::fund_rewards { service, amount }, signed(FUNDER));
			let r = m.call(|m| m.fund(service, amount));
			both("fund_rewards", p, r)?;
		}
		Op::Claim { at } => {
			let (w, service) = at.resolve(m, false);
			let p = dispatch(Call::claim_rewards { service }, signed(w));
			both("claim_rewards", p, m.call(|m| m.claim(w, service).map(|_| ())))?;
		}
		Op::Sync { who } => {
			let w = stash(who);
			let p = dispatch(Call::sync_restaker { who: w }, signed(STRANGER));
			both("sync_restaker", p, m.call(|m| m.sync_restaker(w)))?;
		}
		Op::SetStatus { service, paused } => {
			let status = if paused { ServiceStatus::Paused } else { ServiceStatus::Active };
			let p = dispatch(Call::set_service_status { service, status }, RuntimeOrigin::root());
			let r = m.call(|m| {
				let s = m.services.get_mut(&service).ok_or("UnknownService")?;
				if s.status == model::Status::Retired {
					return Err("AlreadyRetired");
				}
				s.status = if paused { model::Status::Paused } else { model::Status::Active };
				Ok(())
			});
			both("set_service_status", p, r)?;
		}
		Op::NextEra => {
			// Blocks up to the next era; pallet-staking starts none while its election has no
			// validators (all chilled), so give up after four eras' worth.
			let era = m.era;
			for _ in 0..4 * PERIOD * SESSIONS_PER_ERA as u64 {
				advance(m)?;
				if m.era != era {
					break;
				}
			}
			return Ok(());
		}
		Op::BondExtra { who, amount } => {
			let w = stash(who);
			let _ = Staking::bond_extra(signed(w), amount);
			staking_moved(m, w)?;
		}
		Op::Unbond { who, amount } => {
			let w = stash(who);
			let _ = Staking::unbond(signed(w), amount);
			staking_moved(m, w)?;
		}
		Op::Rebond { who, amount } => {
			let w = stash(who);
			let _ = Staking::rebond(signed(w), amount);
			staking_moved(m, w)?;
		}
		Op::Withdraw { who } => {
			let w = stash(who);
			let before = bonded(w);
			let _ = Staking::withdraw_unbonded(signed(w), 0);
			read_staking(m);
			if bonded(w) < before {
				m.staking_hook(w);
			}
		}
		Op::Chill { who } => {
			let _ = Staking::chill(signed(stash(who)));
			read_staking(m);
		}
		Op::BaseSlash { validator, percent, manual } => {
			let v = stash(validator);
			let era = active_era();
			let fraction = Perbill::from_percent(percent);
			let seen = staking_slashed_events().len();
			if manual {
				let _ = manual_slash(v, era, fraction);
			} else {
				offence(v, era, fraction);
			}
			read_staking(m);
			for (who, amount) in staking_slashed_events().into_iter().skip(seen) {
				m.burnt += amount;
				if amount > 0 {
					m.staking_hook(who);
				}
			}
		}
	}
	advance(m)
}

/// After a pallet-staking move without a hook: take its ledgers, and bring the stash up to date
/// with the permissionless call (as a keeper would), on both.
fn staking_moved(m: &mut Model, who: AccountId) -> Result<(), TestCaseError> {
	read_staking(m);
	if m.is_restaker(who) {
		let p = dispatch(crate::Call::sync_restaker { who }, signed(STRANGER));
		both("sync_restaker", p, m.call(|m| m.sync_restaker(who)))?;
	}
	advance(m)
}

fn eras_to_check(m: &Model) -> core::ops::RangeInclusive<u32> {
	m.era.saturating_sub(model::REPORT_WINDOW)..=m.era + 6
}

/// Every observable, pallet against model; then the invariants of this pallet, and those of
/// pallet-staking if `staking_changed` (its `try_state` costs more than the rest of a step).
fn compare(m: &Model, initial_issuance: Bal, staking_changed: bool) -> Result<(), TestCaseError> {
	prop_assert_eq!(active_era(), m.era);
	for w in STASHES {
		// Bonded ledgers, including what service slashes took.
		let chain = staking::Ledger::<Test>::get(w)
			.map(|l| (l.active, l.unlocking.iter().map(|c| (c.era, c.value)).collect::<Vec<_>>()));
		let model = m.ledgers.get(&w).map(|l| (l.active, l.unlocking.clone()));
		prop_assert_eq!(chain, model, "ledger of {}", w);
		// The restaker's ledger.
		// A ledger without positions is only kept for an ejection still in force.
		let chain = Restakers::<Test>::get(w).filter(|l| !l.services.is_empty()).map(|l| {
			let mut services = l.services.into_inner();
			services.sort();
			(services, l.total_allocated, l.total_claim)
		});
		let model =
			m.is_restaker(w).then(|| (m.services_of(w), m.total_allocated(w), m.total_claim(w)));
		prop_assert_eq!(chain, model, "restaker ledger of {}", w);
		for s in 0..SERVICES {
			let chain = Positions::<Test>::get(w, s);
			let model = m.positions.get(&(w, s));
			prop_assert_eq!(chain.is_some(), model.is_some(), "position of {} in {}", w, s);
			if let (Some(c), Some(p)) = (chain, model) {
				let exit = p.exit.map(|e| Exit { target: e.target, release_era: e.release_era });
				prop_assert_eq!(
					(c.allocation, c.exposure, c.exit.clone(), c.claim),
					(p.allocation, p.exposure, exit, p.claim),
					"position of {} in {}",
					w,
					s
				);
				for e in eras_to_check(m) {
					prop_assert_eq!(
						c.allocation_in(e),
						p.allocation_in(e),
						"{} in {}, era {}",
						w,
						s,
						e
					);
				}
			}
			// A departure a report can still use.
			if let Some(d) = m.departures.get(&(w, s)).filter(|d| d.reportable(m.era)) {
				let c = Departures::<Test>::get(w, s);
				prop_assert!(c.is_some(), "departure of {} from {}", w, s);
				let c = c.unwrap();
				prop_assert_eq!(c.release_era, d.release_era);
				for e in m.era.saturating_sub(model::REPORT_WINDOW)..=m.era {
					prop_assert_eq!(
						c.allocation_in(e),
						model::allocation_at(&d.schedule, e),
						"departure of {} from {}, era {}",
						w,
						s,
						e
					);
				}
			}
			prop_assert_eq!(
				Restaking::claimable_rewards(&w, s),
				m.claimable(w, s),
				"claimable of {} in {}",
				w,
				s
			);
		}
	}
	for s in 0..SERVICES {
		let info = Services::<Test>::get(s).unwrap();
		prop_assert_eq!(
			(info.total_secured, info.restakers),
			(m.total_secured(s), m.restakers(s)),
			"totals of service {}",
			s
		);
		// The terms in force, a harsher change waiting, the rules of earlier offences.
		prop_assert_eq!(&model_params(&info.params), &m.services[&s].params, "params of {}", s);
		let chain =
			PendingRuleChanges::<Test>::get(s).map(|c| (model_params(&c.params), c.effective_era));
		prop_assert_eq!(chain.as_ref(), m.pending_changes.get(&s), "rule change of {}", s);
		let chain = PastServiceRules::<Test>::get(s)
			.map(|p| (p.until, model_rules(&p.rules), p.since.into_inner()));
		prop_assert_eq!(chain.as_ref(), m.past_rules.get(&s), "past rules of {}", s);
		let pot = Restaking::reward_pot(s);
		prop_assert_eq!(
			Balances::free_balance(pot),
			m.pots.get(&pot).copied().unwrap_or(0),
			"reward pot of service {}",
			s
		);
		let mut pending = ServiceSlashes::<Test>::get(s).into_inner();
		pending.sort();
		let model: Vec<u32> =
			m.slashes.iter().filter(|(_, x)| x.service == s).map(|(i, _)| *i).collect();
		prop_assert_eq!(pending, model, "pending slashes of service {}", s);
	}
	let chain: Vec<(u32, model::Slash)> = Slashes::<Test>::iter()
		.map(|(id, x)| {
			(
				id,
				model::Slash {
					service: x.service,
					offender: x.offender,
					rule: x.rule,
					eject: x.eject,
					offence_era: x.offence_era,
					apply_era: x.apply_era,
					amount: x.amount,
					breaker: model_breaker(x.breaker),
				},
			)
		})
		.collect::<std::collections::BTreeMap<_, _>>()
		.into_iter()
		.collect();
	let model: Vec<(u32, model::Slash)> = m.slashes.clone().into_iter().collect();
	prop_assert_eq!(chain, model, "scheduled slashes");
	// The breaker's budgets.
	let chain: std::collections::BTreeMap<u32, model::Budget> = SlashBudgets::<Test>::iter()
		.map(|(e, b)| (e, model::Budget { cap: b.cap, within: b.within, approved: b.approved }))
		.collect();
	prop_assert_eq!(&chain, &m.budgets, "breaker budgets");
	// The reports of every offence era that can still be reported.
	let window = m.era.saturating_sub(model::REPORT_WINDOW)..=m.era;
	let mut chain = std::collections::BTreeMap::new();
	for e in window.clone() {
		for ((s, w), reports) in ReportedOffences::<Test>::iter_prefix(e) {
			let reports: Vec<_> = reports
				.into_iter()
				.map(|r| {
					(r.rule, r.slash_id, r.fraction.deconstruct(), r.amount, r.eject, r.standing)
				})
				.collect();
			chain.insert((e, s, w), reports);
		}
	}
	let model: std::collections::BTreeMap<_, _> = m
		.reports
		.iter()
		.filter(|((e, _, _), _)| window.contains(e))
		.map(|(k, reports)| {
			let reports: Vec<_> = reports
				.iter()
				.map(|r| (r.rule, r.slash_id, r.ppb, r.amount, r.eject, r.standing))
				.collect();
			(*k, reports)
		})
		.collect();
	prop_assert_eq!(chain, model, "reported offences");
	let landed: Bal = m.landed.iter().map(|(_, a)| a).sum();
	prop_assert_eq!(ServiceSlashed::get(), landed, "funds taken by service slashes");
	prop_assert_eq!(Balances::total_issuance(), initial_issuance - m.burnt, "total issuance");
	m.check_properties().map_err(TestCaseError::fail)?;
	Restaking::do_try_state().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
	if staking_changed {
		use frame_support::traits::{TryState, TryStateSelect};
		<Staking as TryState<u64>>::try_state(System::block_number(), TryStateSelect::All)
			.map_err(|e| TestCaseError::fail(format!("staking: {e:?}")))?;
	}
	Ok(())
}

/// Run one case on a fresh chain and a fresh model.
pub fn run_case(case: &Case) -> Result<(), TestCaseError> {
	// Every due slash, cascade and sweep in the first block of an era, so that the model's era
	// boundary is one step (the bounded per-block path has its own tests).
	MaxSlashesPerBlock::set(if case.manual_landing { 0 } else { 64 });
	MaxCascadesPerBlock::set(64);
	MaxSweepPerBlock::set(64);
	FullCoverage::set(case.full_coverage);
	SlashBreaker::set(case.breaker.map(Perbill::from_percent));
	CHECKED.with(|c| c.borrow_mut().clear());
	let mut ext = world().build();
	let result = run_on(&mut ext, case);
	// The mock's bounds are per thread: put them back for whatever test runs next on it.
	MaxSlashesPerBlock::set(4);
	MaxCascadesPerBlock::set(4);
	MaxSweepPerBlock::set(4);
	FullCoverage::set(false);
	SlashBreaker::set(None);
	result
}

fn run_on(ext: &mut sp_io::TestExternalities, case: &Case) -> Result<(), TestCaseError> {
	let (mut m, issuance) = ext.execute_with(|| {
		let mut m = Model {
			era: active_era(),
			manual_landing: case.manual_landing,
			full_coverage: case.full_coverage,
			breaker: case.breaker.map(|p| Perbill::from_percent(p).deconstruct()),
			..Model::default()
		};
		read_staking(&mut m);
		for (i, p) in case.services.iter().enumerate() {
			frame_support::assert_ok!(Restaking::register_service(
				RuntimeOrigin::root(),
				pallet_params(i, p)
			));
			m.services.insert(
				i as u32,
				model::Service {
					params: p.clone(),
					status: model::Status::Active,
					acc: 0,
					pot: Restaking::reward_pot(i as u32),
				},
			);
		}
		let issuance = Balances::total_issuance();
		// Registration's events are not the model's.
		System::reset_events();
		STEP_EVENTS.with(|s| s.borrow_mut().clear());
		compare(&m, issuance, true).map(|_| (m, issuance))
	})?;
	for op in &case.ops {
		ext.execute_with(|| {
			let (landed, session) = (m.landed.len(), current_session());
			step(&mut m, op)?;
			// The step's events, as multisets: the order of one block's landings, cascades and
			// sweep is storage order.
			take_events()?;
			let mut chain = STEP_EVENTS.with(|s| std::mem::take(&mut *s.borrow_mut()));
			let mut model = std::mem::take(&mut m.events);
			chain.sort();
			model.sort();
			STATS.with(|s| {
				let mut s = s.borrow_mut();
				for e in &chain {
					let name = format!("{e:?}");
					let name = name.split('(').next().unwrap_or_default().to_string();
					*s.events.entry(name).or_default() += 1;
				}
			});
			prop_assert_eq!(chain, model, "events of {:?}", op);
			// pallet-staking's storage changes with its own moves, slashes and session changes.
			let staking_changed =
				op.is_staking_move() || m.landed.len() != landed || current_session() != session;
			compare(&m, issuance, staking_changed)?;
			Ok::<_, TestCaseError>(())
		})?;
	}
	STATS.with(|s| {
		let mut s = s.borrow_mut();
		s.sequences += 1;
		s.operations += case.ops.len() as u64;
		s.landed += m.landed.len() as u64;
		s.eras += u64::from(m.era);
		s.with_coverage += u64::from(case.full_coverage);
		s.coverage_scalings += m.coverage_scalings;
		s.past_merges += m.past_merges;
		for r in m.reports.values().flatten() {
			s.top_ups += u64::from(r.amount > 0 && r.amount < r.total);
			s.eject_only += u64::from(r.amount == 0);
		}
		s.with_breaker += u64::from(case.breaker.is_some());
	});
	Ok(())
}

/// Run `cases` sequences from `seed`; panics with the shrunk failing case.
pub fn run_seed(seed: u64, cases: u32) {
	let config = RunnerConfig {
		cases,
		failure_persistence: None,
		// `MODEL_SHRINK_ITERS=0` reports the first failing sequence as found.
		max_shrink_iters: std::env::var("MODEL_SHRINK_ITERS")
			.ok()
			.and_then(|v| v.parse().ok())
			.unwrap_or(512),
		max_shrink_time: 180_000,
		..RunnerConfig::default()
	};
	let mut bytes = [0u8; 32];
	bytes[..8].copy_from_slice(&seed.to_le_bytes());
	let mut runner =
		TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
	STATS.with(|s| *s.borrow_mut() = Stats::default());
	if let Err(e) = runner.run(&case(), |c| run_case(&c)) {
		panic!("seed {seed}: {e}");
	}
	STATS.with(|s| println!("seed {seed}: {:?}", s.borrow()));
}

fn cases() -> u32 {
	std::env::var("MODEL_CASES")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(CASES * MODEL_CASES_PERCENT / 100)
}

#[test]
fn model_seed_1() {
	run_seed(SEEDS[0], cases());
}

#[test]
fn model_seed_2() {
	run_seed(SEEDS[1], cases());
}

#[test]
fn model_seed_3() {
	run_seed(SEEDS[2], cases());
}

#[test]
fn model_seed_4() {
	run_seed(SEEDS[3], cases());
}

/// The long run behind `./scripts/model-check.sh`: batches of 100 sequences from consecutive
/// seeds starting at `MODEL_SEED` (default: the clock), until `MODEL_CASES` sequences (default
/// 100,000) or `MODEL_MINUTES` minutes have run. Prints every seed and the running count, so a
/// failure can be replayed with `MODEL_SEED=<seed> MODEL_CASES=100`.
#[test]
#[ignore = "long run: ./scripts/model-check.sh"]
fn model_long_run() {
	let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
	let start = std::time::Instant::now();
	let first = var("MODEL_SEED").unwrap_or_else(|| {
		std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_secs())
			.unwrap_or_default()
	});
	let total = var("MODEL_CASES").unwrap_or(100_000);
	let budget =
		std::time::Duration::from_secs(var("MODEL_MINUTES").unwrap_or(u64::MAX / 120) * 60);
	let mut done = 0u64;
	let mut seed = first;
	while done < total && start.elapsed() < budget {
		let batch = (total - done).min(100) as u32;
		run_seed(seed, batch);
		done += u64::from(batch);
		println!("seed {seed}: {batch} sequences passed ({done} in all, {:?})", start.elapsed());
		seed += 1;
	}
	println!("{done} sequences from seed {first} passed in {:?}", start.elapsed());
}
