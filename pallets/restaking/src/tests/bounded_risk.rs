//! Bounded restaking risk (issue 13), against the real pallet-staking: max, not sum; coverage;
//! harsher rule changes that wait; the chain-wide breaker; concentration caps. Every number is
//! worked out by hand from the mock: `ReportWindow` 3, exit delay and dispute window 2 eras,
//! `MaxLeverage` 3; [`service_params`]: rule 0 slashes 10%, rule 1 50% and ejects; validators A
//! and B bonded 1,000 each and elected, the nominator 500 behind both, so the total bonded stake
//! of an era (`ErasTotalStake`) is 2,500.
//!
//! ## Attacks considered, and the test that shows what happens
//!
//! A restaker that wants to keep its stake:
//! - reporting order / split reports (small rule first, then the big one, or the reverse):
//!   together they take the largest fraction, never less —
//!   `a_larger_fraction_schedules_only_the_difference`,
//!   `a_report_adding_nothing_is_refused`; a slash landing between two reports of one offence
//!   lowers the stake the second is measured on (450, not 500; the slasher, not the restaker,
//!   chooses the order) — `a_report_after_an_earlier_one_landed_is_measured_on_the_stake_left`;
//! - cancel / re-report: a cancelled report's rule stays spent, another rule schedules against
//!   what still stands; `cancel_all_slashes` forgets the reports —
//!   `cancelling_the_larger_report_lets_another_rule_schedule_against_the_standing_sum`,
//!   `cancel_all_slashes_lets_the_rules_be_reported_again`; disputing only the *smaller* of two
//!   reports works in the restaker's favour: the larger one keeps its difference (400 instead
//!   of 500) — `cancelling_the_smaller_report_leaves_the_larger_one_at_its_difference`;
//! - leaving around a harsher rule change: the restaker that leaves at once is released in the
//!   effective era, never exposed to the new rule, still slashed by the old rule for earlier
//!   offences and kept out until they are too old (rejoining) —
//!   `a_restaker_leaving_right_after_a_harsher_update_is_released_before_it_applies`;
//! - getting its slash held and dropped by the breaker by front-running it with small reports
//!   that fill the era's budget (needs a service's slasher key, and costs the filler its own
//!   stake): the slash is held, governance approval makes it land —
//!   `a_service_filling_the_era_budget_gets_another_services_slash_held_until_approved`; an
//!   unapproved held slash is dropped for good under its rule, but another rule of the offence
//!   can still be reported against the (now smaller) standing sum —
//!   `approve_held_slashes_approves_one_service_and_not_another`;
//! - using a held report to shed an ejection: a zero-amount ejecting report is never held, so
//!   the ejection lands even when the held amount is dropped —
//!   `an_ejection_is_never_held_by_the_breaker`;
//! - getting the smaller report of an offence held (its era's budget full) before the larger
//!   one is made: the larger schedules only the difference, and if the held part is dropped
//!   nothing makes it up (400 instead of 500) unless governance approves it in time —
//!   `a_dropped_smaller_report_is_not_made_up_by_the_larger_one`.
//!
//! A service that wants to over-slash or block another:
//! - filling the breaker budget of an era with its own reports so another service's valid slash
//!   is held: a real design consequence; it works with leverage-free amplification (two offence
//!   eras of a 125 stake fill 250 of budget for 125 of real loss), and governance approval still
//!   lets the blocked slash land —
//!   `a_service_filling_the_era_budget_gets_another_services_slash_held_until_approved`;
//! - slashing harder retroactively with a rule change: offences before the effective era keep
//!   the old (gentler) fraction, new rules are `RuleNotInForce` for them —
//!   `an_offence_before_the_effective_era_is_slashed_by_the_old_fraction`,
//!   `a_rule_added_by_a_change_is_not_in_force_for_earlier_offences`,
//!   `a_pending_slash_keeps_its_amount_across_a_rule_change`;
//! - reordering rules so that an old offence's index points at a harsher rule: per index, the
//!   gentler of old and new applies —
//!   `reordering_rules_does_not_slash_earlier_offences_harder`;
//! - two harsher changes in a row: the second merges the past records; a rule the first added
//!   stays reportable for the eras it was in force, and only those (found by this review as a
//!   lost slash, fixed) — `a_second_harsher_change_keeps_a_rule_added_by_the_first_reportable`.
//!
//! Stake counted that no slash can reach:
//! - coverage claims are rounded down per position, but so is every slash: at the coverage
//!   limit, every service's worst-case slash for one era is paid in full —
//!   `worst_case_slashes_of_every_service_for_one_era_are_paid_in_full`,
//!   `coverage_refuses_opt_ins_and_raises_by_exact_thresholds`;
//! - a stake loss (base layer or service slash) scales allocations back within coverage, exact
//!   to the unit — `a_base_layer_slash_scales_allocations_back_within_coverage`,
//!   `a_service_slash_scales_allocations_back_within_coverage`,
//!   `the_docs_example_of_coverage_scaling_after_a_base_layer_slash`;
//! - a waiting harsher change: the opt-in into that service counts it, but the stored claim is
//!   the current one, so the headroom can be taken by another opt-in and the effective era then
//!   scales the allocations — `coverage_counts_a_harsher_change_still_waiting`,
//!   `coverage_headroom_of_a_waiting_change_can_be_taken_by_another_opt_in`.

use super::mock::*;
use crate::{
	BreakerState, Departures, Error, Event, OffenceReport, PastRules, PastServiceRules,
	PendingRuleChanges, PendingSlashOf, Positions, ReportedOffences, Restakers, RuleChange,
	ServiceId, ServiceParamsOf, Services, SlashBudget, SlashBudgets, Slashes,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Perbill};

/// A bonded stash, not a validator or nominator, so not in the total bonded stake.
const SYBIL: AccountId = 41;

/// Sets the mock's risk settings for one test and puts the defaults back when dropped: after
/// the invariant check of `build_and_execute` when declared before it (mock statics are
/// thread-local, and a test thread may run another test).
struct Settings;

impl Settings {
	fn coverage() -> Self {
		FullCoverage::set(true);
		Self
	}

	fn breaker(percent: u32) -> Self {
		SlashBreaker::set(Some(Perbill::from_percent(percent)));
		Self
	}
}

impl Drop for Settings {
	fn drop(&mut self) {
		FullCoverage::set(false);
		SlashBreaker::set(None);
		MaxSlashesPerBlock::set(4);
	}
}

/// [`service_params`] with these `(percent, eject)` rules.
fn params(name: &str, rules: &[(u32, bool)]) -> ServiceParamsOf<Test> {
	let mut params = service_params(name);
	params.rules = rules
		.iter()
		.enumerate()
		.map(|(i, (percent, eject))| rule(&format!("rule {i}"), *percent, *eject))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap();
	params
}

fn register_params(params: ServiceParamsOf<Test>) -> ServiceId {
	let id = crate::NextServiceId::<Test>::get();
	assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
	id
}

/// A service of `SLASHER` with these `(percent, eject)` rules.
fn register_rules(name: &str, rules: &[(u32, bool)]) -> ServiceId {
	register_params(params(name, rules))
}

fn update(service: ServiceId, params: ServiceParamsOf<Test>) {
	assert_ok!(Restaking::update_service(RuntimeOrigin::root(), service, params));
}

fn slash(id: u32) -> PendingSlashOf<Test> {
	Slashes::<Test>::get(id).unwrap()
}

fn total_bonded() -> Balance {
	staking::ErasTotalStake::<Test>::get(active_era())
}

fn budget(apply_era: u32) -> (Balance, Balance, Balance) {
	let b = SlashBudgets::<Test>::get(apply_era).unwrap();
	(b.cap, b.within, b.approved)
}

fn allocation(who: AccountId, service: ServiceId) -> Balance {
	Positions::<Test>::get(who, service).map(|p| p.allocation).unwrap_or_default()
}

fn claim(who: AccountId, service: ServiceId) -> Balance {
	Positions::<Test>::get(who, service).map(|p| p.claim).unwrap_or_default()
}

fn total_claim(who: AccountId) -> Balance {
	Restakers::<Test>::get(who).map(|l| l.total_claim).unwrap_or_default()
}

fn total_allocated(who: AccountId) -> Balance {
	Restakers::<Test>::get(who).map(|l| l.total_allocated).unwrap_or_default()
}

fn report_of(
	rule: u32,
	slash_id: u32,
	percent: u32,
	amount: Balance,
	eject: bool,
	standing: bool,
) -> OffenceReport<Balance> {
	OffenceReport {
		rule,
		slash_id,
		fraction: Perbill::from_percent(percent),
		amount,
		eject,
		standing,
	}
}

fn scaled(events: &[Event<Test>]) -> Vec<(AccountId, Balance)> {
	events
		.iter()
		.filter_map(|e| match e {
			Event::AllocationsScaled { who, total_allocated } => Some((*who, *total_allocated)),
			_ => None,
		})
		.collect()
}

/// `(slash id, amount taken)` of the slashes applied, by id: slashes due in one era land in
/// storage order (of the hashed id), not by id.
fn applied(events: &[Event<Test>]) -> Vec<(u32, Balance)> {
	let mut applied: Vec<_> = events
		.iter()
		.filter_map(|e| match e {
			Event::SlashApplied { slash_id, amount, .. } => Some((*slash_id, *amount)),
			_ => None,
		})
		.collect();
	applied.sort();
	applied
}

/// The oracle ([`service_params`]) with A in it at 1,000, era 1 active, events read.
fn oracle_with_validator_a() -> ServiceId {
	let id = register("oracle");
	opt_in(VALIDATOR_A, id, 1_000);
	start_active_era(1);
	restaking_events();
	id
}

/// The oracle with A and B at 1,000 and the nominator at 500, era 1 active, events read.
fn oracle_with_three() -> ServiceId {
	let id = register("oracle");
	opt_in(VALIDATOR_A, id, 1_000);
	opt_in(VALIDATOR_B, id, 1_000);
	opt_in(NOMINATOR, id, 500);
	start_active_era(1);
	restaking_events();
	id
}

// ---------------------------------------------------------------------------------------------
// 1. Max, not sum.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_larger_fraction_schedules_only_the_difference() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!((slash(0).amount, slash(0).eject), (100, false));
		// 50% of 1,000 is 500, of which 100 is scheduled: 400 more, and it ejects.
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!((slash(1).amount, slash(1).eject), (400, true));
		assert_eq!(
			ReportedOffences::<Test>::get(1, (id, VALIDATOR_A)).into_inner(),
			vec![report_of(0, 0, 10, 100, false, true), report_of(1, 1, 50, 400, true, true)]
		);
		start_active_era(3);
		assert_eq!(applied(&restaking_events()), vec![(0, 100), (1, 400)]);
		assert_eq!(bonded(VALIDATOR_A), 500);
		assert_eq!(ServiceSlashed::get(), 500);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
	});
}

/// `simulate_slash` (an offence of the active era) shows what a report would add: after a 10%
/// report of era 1, a 50% one adds 400, not 500; the 10% rule again is refused as the report
/// would be.
#[test]
fn simulate_slash_shows_only_what_a_report_adds_to_the_offence() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_eq!(Restaking::simulate_slash(id, VALIDATOR_A, 1).unwrap().amount, 500);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		let simulation = Restaking::simulate_slash(id, VALIDATOR_A, 1).unwrap();
		assert_eq!((simulation.amount, simulation.stake_after), (400, 600));
		assert_eq!(
			Restaking::simulate_slash(id, VALIDATOR_A, 0).map(|s| s.amount),
			Err(Error::<Test>::DuplicateOffence.into())
		);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(slash(1).amount, 400);
	});
}

#[test]
fn a_report_adding_nothing_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		let twin = register_rules("twin", &[(50, false), (50, false)]);
		opt_in(VALIDATOR_A, id, 1_000);
		opt_in(VALIDATOR_B, twin, 1_000);
		start_active_era(1);
		// The larger fraction first: 500; the smaller one adds nothing.
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(slash(0).amount, 500);
		assert_noop!(report(id, VALIDATOR_A, 0, 1), Error::<Test>::OffenceAlreadySlashed);
		// The same rule again is a duplicate, checked first.
		assert_noop!(report(id, VALIDATOR_A, 1, 1), Error::<Test>::DuplicateOffence);
		// An equal fraction adds nothing either.
		assert_ok!(report(twin, VALIDATOR_B, 0, 1));
		assert_eq!(slash(1).amount, 500);
		assert_noop!(report(twin, VALIDATOR_B, 1, 1), Error::<Test>::OffenceAlreadySlashed);
		// Another offence era is another offence.
		assert_ok!(report(twin, VALIDATOR_B, 1, 0));
		assert_eq!(slash(2).amount, 500);
		start_active_era(3);
		assert_eq!((bonded(VALIDATOR_A), bonded(VALIDATOR_B)), (500, 0));
	});
}

#[test]
fn a_zero_amount_report_that_ejects_is_accepted_and_ejects() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_rules("eject", &[(50, false), (10, true), (10, true)]);
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		restaking_events();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(slash(0).amount, 500);
		// 10% of 1,000 adds no stake to the 500, but it adds the ejection: a 0 slash that ejects.
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!((slash(1).amount, slash(1).eject), (0, true));
		// A third rule adds neither.
		assert_noop!(report(id, VALIDATOR_A, 2, 1), Error::<Test>::OffenceAlreadySlashed);
		restaking_events();
		start_active_era(3);
		let events = restaking_events();
		assert_eq!(applied(&events), vec![(0, 500), (1, 0)]);
		assert!(events.contains(&Event::Ejected { who: VALIDATOR_A, service: id }));
		assert_eq!(bonded(VALIDATOR_A), 500);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
	});
}

#[test]
fn cancelling_the_larger_report_lets_another_rule_schedule_against_the_standing_sum() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_rules("three", &[(10, false), (50, true), (30, false)]);
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(slash(0).amount, 500);
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 0));
		// The cancelled rule stays spent for this offence.
		assert_noop!(report(id, VALIDATOR_A, 1, 1), Error::<Test>::DuplicateOffence);
		// Nothing stands: rule 0 schedules its whole 100, then rule 2 its 300 less those 100.
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(slash(1).amount, 100);
		assert_ok!(report(id, VALIDATOR_A, 2, 1));
		assert_eq!(slash(2).amount, 200);
		assert_eq!(
			ReportedOffences::<Test>::get(1, (id, VALIDATOR_A)).into_inner(),
			vec![
				report_of(1, 0, 50, 500, true, false),
				report_of(0, 1, 10, 100, false, true),
				report_of(2, 2, 30, 200, false, true)
			]
		);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 700);
		// The ejecting report was cancelled: A stays in, its 1,000 exposed to the 700 left.
		assert_eq!((allocation(VALIDATOR_A, id), exposure(VALIDATOR_A, id)), (1_000, 700));
	});
}

#[test]
fn cancel_all_slashes_lets_the_rules_be_reported_again() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!((slash(0).amount, slash(1).amount), (100, 400));
		restaking_events();
		assert_ok!(Restaking::cancel_all_slashes(RuntimeOrigin::root(), id));
		assert_eq!(
			restaking_events(),
			vec![
				Event::SlashCancelled { slash_id: 0 },
				Event::SlashCancelled { slash_id: 1 },
				Event::AllSlashesCancelled { service: id, count: 2 }
			]
		);
		assert!(!ReportedOffences::<Test>::contains_key(1, (id, VALIDATOR_A)));
		// Both forgotten: rule 1 schedules its whole 500, and rule 0 then adds nothing.
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(slash(2).amount, 500);
		assert_noop!(report(id, VALIDATOR_A, 0, 1), Error::<Test>::OffenceAlreadySlashed);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 500);
	});
}

/// Observation (a restaker disputes the small report of an offence): the larger report only
/// scheduled the difference, so cancelling the smaller one leaves the offence at 400, below the
/// 500 of its largest valid rule, and neither rule can be reported again. "At most the largest
/// fraction" still holds; what is missing is a top-up of the standing report.
#[test]
fn cancelling_the_smaller_report_leaves_the_larger_one_at_its_difference() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 0));
		assert_eq!(slash(1).amount, 400);
		assert_noop!(report(id, VALIDATOR_A, 0, 1), Error::<Test>::DuplicateOffence);
		assert_noop!(report(id, VALIDATOR_A, 1, 1), Error::<Test>::DuplicateOffence);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 600);
	});
}

/// Observation: a report is measured on the stake a slash can reach when it is made, so a slash
/// of the same offence that landed before lowers it: 10% lands (100), then 50% of the 900 left
/// is 450, of which 350 are new. Together 450, not the 500 of one 50% report. The slasher, not
/// the restaker, chooses when to report.
#[test]
fn a_report_after_an_earlier_one_landed_is_measured_on_the_stake_left() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(slash(1).amount, 350);
		start_active_era(5);
		assert_eq!(bonded(VALIDATOR_A), 550);
	});
}

// ---------------------------------------------------------------------------------------------
// 2. Coverage.
// ---------------------------------------------------------------------------------------------

#[test]
fn coverage_docs_example_fits_at_three_times_leverage() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let ten = register_rules("ten", &[(10, false)]);
		let twenty = register_rules("twenty", &[(20, false)]);
		let half = register_rules("half", &[(50, false)]);
		let full = register_rules("full", &[(100, false)]);
		for service in [ten, twenty, half] {
			opt_in(VALIDATOR_A, service, 1_000);
		}
		assert_eq!(
			(claim(VALIDATOR_A, ten), claim(VALIDATOR_A, twenty), claim(VALIDATOR_A, half)),
			(100, 200, 500)
		);
		assert_eq!((total_allocated(VALIDATOR_A), total_claim(VALIDATOR_A)), (3_000, 800));
		// A fourth service breaks both the leverage cap and coverage: leverage is checked first.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), full, 201),
			Error::<Test>::LeverageExceeded
		);

		// B: 100 + 200 + 250 claimed with 2,500 allocated; 450 more at 100% fill it exactly.
		opt_in(VALIDATOR_B, ten, 1_000);
		opt_in(VALIDATOR_B, twenty, 1_000);
		opt_in(VALIDATOR_B, half, 500);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), full, 451),
			Error::<Test>::CoverageExceeded
		);
		opt_in(VALIDATOR_B, full, 450);
		assert_eq!((total_allocated(VALIDATOR_B), total_claim(VALIDATOR_B)), (2_950, 1_000));
	});
}

#[test]
fn coverage_refuses_opt_ins_and_raises_by_exact_thresholds() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let half = register_rules("half", &[(50, false)]);
		let twenty = register_rules("twenty", &[(20, false)]);
		let full = register_rules("full", &[(100, false)]);
		opt_in(VALIDATOR_A, half, 1_000);
		opt_in(VALIDATOR_A, twenty, 900);
		// 500 + 180 + 321 > 1,000; 320 fills it.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), full, 321),
			Error::<Test>::CoverageExceeded
		);
		opt_in(VALIDATOR_A, full, 320);
		assert_eq!(total_claim(VALIDATOR_A), 1_000);
		// A raise counts the new claim instead of the old: 20% x 905 = 181 is one too many,
		// 20% x 904 = 180.8 rounds down to the 180 already claimed.
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), twenty, 905),
			Error::<Test>::CoverageExceeded
		);
		set_allocation(VALIDATOR_A, twenty, 904);
		assert_eq!(claim(VALIDATOR_A, twenty), 180);
		assert_eq!((total_allocated(VALIDATOR_A), total_claim(VALIDATOR_A)), (2_224, 1_000));
		// Every slash rounds down too: the worst case of `twenty` takes 180, as claimed.
		start_active_era(1);
		assert_ok!(report(twenty, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 180);
	});
}

#[test]
fn coverage_counts_a_harsher_change_still_waiting() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let half = register_rules("half", &[(50, false)]);
		let ten = register_rules("ten", &[(10, false)]);
		opt_in(VALIDATOR_A, half, 1_000);
		update(ten, params("ten", &[(60, false)]));
		assert_eq!(PendingRuleChanges::<Test>::get(ten).unwrap().effective_era, 2);
		// 10% now, 60% from era 2: 60% x 835 = 501 would uncover A then.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), ten, 835),
			Error::<Test>::CoverageExceeded
		);
		opt_in(VALIDATOR_A, ten, 834);
		// The stored claim is the one of the terms in force.
		assert_eq!((claim(VALIDATOR_A, ten), total_claim(VALIDATOR_A)), (83, 583));
		start_active_era(2);
		// The change is in force and the sweep re-synced A: 500 + 60% x 834 = 1,000, covered,
		// nothing scaled.
		let events = restaking_events();
		assert!(events.contains(&Event::RuleChangeApplied { service: ten }));
		assert_eq!(scaled(&events), vec![]);
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().synced_era, 2);
		assert_eq!((claim(VALIDATOR_A, ten), total_claim(VALIDATOR_A)), (500, 1_000));
		assert_eq!(allocation(VALIDATOR_A, ten), 834);
	});
}

/// Observation (stake counted that no slash can reach, briefly): the stored claim of a position
/// is the one of the terms in force, so the headroom a waiting harsher change will take can be
/// used by an opt-in into another service. Nothing is uncovered: at the effective era the
/// re-sync scales every allocation by 1,000 / 1,417.4 (the claims summed unrounded).
#[test]
fn coverage_headroom_of_a_waiting_change_can_be_taken_by_another_opt_in() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let half = register_rules("half", &[(50, false)]);
		let ten = register_rules("ten", &[(10, false)]);
		let full = register_rules("full", &[(100, false)]);
		opt_in(VALIDATOR_A, half, 1_000);
		update(ten, params("ten", &[(60, false)]));
		opt_in(VALIDATOR_A, ten, 834);
		// 500 + 83 + 417 = 1,000.
		opt_in(VALIDATOR_A, full, 417);
		assert_eq!((total_allocated(VALIDATOR_A), total_claim(VALIDATOR_A)), (2_251, 1_000));
		restaking_events();
		start_active_era(2);
		// 500 + 500.4 + 417 = 1,417.4 claimed on 1,000: each allocation x 1,000 / 1,417.4,
		// rounded down once.
		assert_eq!(scaled(&restaking_events()), vec![(VALIDATOR_A, 705 + 588 + 294)]);
		assert_eq!(
			(
				allocation(VALIDATOR_A, half),
				allocation(VALIDATOR_A, ten),
				allocation(VALIDATOR_A, full)
			),
			(705, 588, 294)
		);
		// 352 (50% x 705 = 352.5) + 352 (60% x 588 = 352.8) + 294.
		assert_eq!(total_claim(VALIDATOR_A), 998);
	});
}

#[test]
fn a_base_layer_slash_scales_allocations_back_within_coverage() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let a = register_rules("a", &[(50, false)]);
		let b = register_rules("b", &[(50, false)]);
		opt_in(VALIDATOR_A, a, 1_000);
		opt_in(VALIDATOR_A, b, 1_000);
		assert_eq!(total_claim(VALIDATOR_A), 1_000);
		start_active_era(1);
		restaking_events();
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(10));
		assert_eq!(bonded(VALIDATOR_A), 900);
		next_block();
		// 2,000 is within 3 x 900, but 1,000 claimed on 900 is not: x 900 / 1,000, exactly.
		assert_eq!(scaled(&restaking_events()), vec![(VALIDATOR_A, 1_800)]);
		assert_eq!((allocation(VALIDATOR_A, a), allocation(VALIDATOR_A, b)), (900, 900));
		assert_eq!((claim(VALIDATOR_A, a), claim(VALIDATOR_A, b)), (450, 450));
		assert_eq!(total_claim(VALIDATOR_A), 900);
	});
}

#[test]
fn a_service_slash_scales_allocations_back_within_coverage() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let a = register_rules("a", &[(10, false), (50, false)]);
		let b = register_rules("b", &[(50, false)]);
		opt_in(VALIDATOR_A, a, 1_000);
		opt_in(VALIDATOR_A, b, 1_000);
		start_active_era(1);
		assert_ok!(report(a, VALIDATOR_A, 0, 1));
		restaking_events();
		start_active_era(3);
		let events = restaking_events();
		assert_eq!(applied(&events), vec![(0, 100)]);
		assert_eq!(scaled(&events), vec![(VALIDATOR_A, 1_800)]);
		assert_eq!((allocation(VALIDATOR_A, a), allocation(VALIDATOR_A, b)), (900, 900));
		assert_eq!(total_claim(VALIDATOR_A), 900);
	});
}

/// The example of the positions module: stake 1,000 in three services with worst cases of 50%
/// at 1,000 each (claims 1,500: only possible with coverage off, e.g. before a runtime turns it
/// on). A 50% base-layer slash leaves 500: leverage scales each allocation to 500 (claims 750),
/// then coverage to 500 x 500 / 750 = 333 each (rounded down), claiming 3 x 166 = 498.
#[test]
fn the_docs_example_of_coverage_scaling_after_a_base_layer_slash() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		FullCoverage::set(false);
		let ids: Vec<_> =
			["a", "b", "c"].iter().map(|name| register_rules(name, &[(50, false)])).collect();
		for id in &ids {
			opt_in(VALIDATOR_A, *id, 1_000);
		}
		assert_eq!(total_claim(VALIDATOR_A), 1_500);
		start_active_era(1);
		FullCoverage::set(true);
		restaking_events();
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(50));
		assert_eq!(bonded(VALIDATOR_A), 500);
		next_block();
		assert_eq!(scaled(&restaking_events()), vec![(VALIDATOR_A, 999)]);
		for id in &ids {
			assert_eq!((allocation(VALIDATOR_A, *id), claim(VALIDATOR_A, *id)), (333, 166));
		}
		assert_eq!(total_claim(VALIDATOR_A), 498);
	});
}

#[test]
fn worst_case_slashes_of_every_service_for_one_era_are_paid_in_full() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let ten = register_rules("ten", &[(10, false)]);
		let twenty = register_rules("twenty", &[(20, false)]);
		let half = register_rules("half", &[(50, false)]);
		for service in [ten, twenty, half] {
			opt_in(VALIDATOR_A, service, 1_000);
		}
		start_active_era(1);
		for service in [ten, twenty, half] {
			assert_ok!(report(service, VALIDATOR_A, 0, 1));
		}
		restaking_events();
		start_active_era(3);
		// The 800 claimed are taken in full.
		assert_eq!(applied(&restaking_events()), vec![(0, 100), (1, 200), (2, 500)]);
		assert_eq!(bonded(VALIDATOR_A), 200);
		// Leverage scales each allocation to 200 (3 x 200 = 600), claiming 20 + 40 + 100.
		assert_eq!(
			(
				allocation(VALIDATOR_A, ten),
				allocation(VALIDATOR_A, twenty),
				allocation(VALIDATOR_A, half)
			),
			(200, 200, 200)
		);
		assert_eq!(total_claim(VALIDATOR_A), 160);
	});
}

// ---------------------------------------------------------------------------------------------
// 3. Rule changes.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_harsher_change_waits_the_exit_delay() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		let mut harsher = service_params("oracle");
		harsher.rules[0].fraction = Perbill::from_percent(20);
		update(id, harsher.clone());
		assert_eq!(
			restaking_events(),
			vec![
				Event::ServiceUpdated { service: id },
				Event::RuleChangeScheduled { service: id, effective_era: 3 }
			]
		);
		assert_eq!(Services::<Test>::get(id).unwrap().params, service_params("oracle"));
		assert_eq!(
			PendingRuleChanges::<Test>::get(id),
			Some(RuleChange { params: harsher.clone(), effective_era: 3 })
		);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 100);

		// The last block of era 2: still the old rule.
		start_active_era(2);
		run_to_last_block_of_era();
		assert_eq!(active_era(), 2);
		assert!(!restaking_events().contains(&Event::RuleChangeApplied { service: id }));
		assert_eq!(Services::<Test>::get(id).unwrap().params, service_params("oracle"));
		// The first block of era 3.
		next_block();
		assert_eq!(active_era(), 3);
		assert!(restaking_events().contains(&Event::RuleChangeApplied { service: id }));
		assert_eq!(Services::<Test>::get(id).unwrap().params, harsher);
		assert_eq!(PendingRuleChanges::<Test>::get(id), None);
		assert_eq!(
			PastServiceRules::<Test>::get(id),
			Some(PastRules {
				until: 3,
				rules: service_params("oracle").rules,
				since: vec![0, 0].try_into().unwrap()
			})
		);
		// The era-1 slash landed (900 left); an era-3 offence is slashed 20% of that.
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert_ok!(report(id, VALIDATOR_A, 0, 3));
		assert_eq!(last_amount(), 180);
	});
}

#[test]
fn a_gentler_change_applies_at_once_and_drops_a_waiting_one() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		let mut harsher = service_params("oracle");
		harsher.rules[0].fraction = Perbill::from_percent(20);
		update(id, harsher);
		assert!(PendingRuleChanges::<Test>::contains_key(id));
		restaking_events();
		// 5% and a longer exit delay: all of it at once.
		let mut gentler = service_params("oracle");
		gentler.rules[0].fraction = Perbill::from_percent(5);
		gentler.exit_delay = 3;
		update(id, gentler.clone());
		assert_eq!(restaking_events(), vec![Event::ServiceUpdated { service: id }]);
		assert_eq!(Services::<Test>::get(id).unwrap().params, gentler);
		assert_eq!(PendingRuleChanges::<Test>::get(id), None);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 50);
		start_active_era(3);
		assert_eq!(Services::<Test>::get(id).unwrap().params, gentler);
		assert_eq!(bonded(VALIDATOR_A), 950);
	});
}

#[test]
fn a_mixed_change_applies_the_gentler_part_now() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		let mut mixed = service_params("oracle");
		mixed.rules[0].fraction = Perbill::from_percent(5);
		mixed.rules[1].fraction = Perbill::from_percent(60);
		update(id, mixed.clone());
		assert_eq!(
			restaking_events(),
			vec![
				Event::ServiceUpdated { service: id },
				Event::RuleChangeScheduled { service: id, effective_era: 3 }
			]
		);
		let mut now = mixed.clone();
		now.rules[1].fraction = Perbill::from_percent(50);
		assert_eq!(Services::<Test>::get(id).unwrap().params, now);
		// 5% now; 50% (not 60%) until era 3, less the 50 scheduled.
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 50);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 450);
		start_active_era(3);
		assert!(restaking_events().contains(&Event::RuleChangeApplied { service: id }));
		assert_eq!(Services::<Test>::get(id).unwrap().params, mixed);
		assert_eq!(bonded(VALIDATOR_A), 500);
	});
}

#[test]
fn a_restaker_leaving_right_after_a_harsher_update_is_released_before_it_applies() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		let mut harsher = service_params("oracle");
		harsher.rules[0].fraction = Perbill::from_percent(20);
		update(id, harsher);
		restaking_events();
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		assert_eq!(
			restaking_events(),
			vec![Event::OptOutScheduled { who: VALIDATOR_A, service: id, release_era: 3 }]
		);
		start_active_era(3);
		let events = restaking_events();
		assert!(events.contains(&Event::RuleChangeApplied { service: id }));
		assert!(events.contains(&Event::OptedOut { who: VALIDATOR_A, service: id }));
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		assert!(Departures::<Test>::contains_key(VALIDATOR_A, id));
		// Never exposed under the 20% rule...
		assert_noop!(report(id, VALIDATOR_A, 0, 3), Error::<Test>::NotExposedAtEra);
		// ...still slashed by the old 10% for an offence while it was in.
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
		assert_eq!(last_amount(), 100);
		// And it may not rejoin while offences from its time can still be reported.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000),
			Error::<Test>::RecentlyExited
		);
		start_active_era(5);
		assert_eq!(bonded(VALIDATOR_A), 900);
	});
}

#[test]
fn an_offence_before_the_effective_era_is_slashed_by_the_old_fraction() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		opt_in(VALIDATOR_B, id, 1_000);
		start_active_era(1);
		let mut harsher = service_params("oracle");
		harsher.rules[0].fraction = Perbill::from_percent(20);
		update(id, harsher);
		start_active_era(3);
		// Era 2 was under 10%, era 3 is under 20%.
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
		assert_eq!(last_amount(), 100);
		assert_ok!(report(id, VALIDATOR_B, 0, 3));
		assert_eq!(last_amount(), 200);
		// The 50% rule did not change: 500 less the 100.
		assert_ok!(report(id, VALIDATOR_A, 1, 2));
		assert_eq!(last_amount(), 400);
		start_active_era(5);
		assert_eq!((bonded(VALIDATOR_A), bonded(VALIDATOR_B)), (500, 800));
	});
}

#[test]
fn a_rule_added_by_a_change_is_not_in_force_for_earlier_offences() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		let mut more = service_params("oracle");
		more.rules.try_push(rule("bribery", 30, false)).unwrap();
		update(id, more.clone());
		assert_eq!(Services::<Test>::get(id).unwrap().params.rules.len(), 2);
		assert_noop!(report(id, VALIDATOR_A, 2, 1), Error::<Test>::UnknownRule);
		start_active_era(3);
		assert_eq!(Services::<Test>::get(id).unwrap().params, more);
		assert_noop!(report(id, VALIDATOR_A, 2, 2), Error::<Test>::RuleNotInForce);
		assert_ok!(report(id, VALIDATOR_A, 2, 3));
		assert_eq!(last_amount(), 300);
	});
}

#[test]
fn a_pending_slash_keeps_its_amount_across_a_rule_change() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		let before = slash(0);
		assert_eq!((before.amount, before.apply_era), (100, 3));
		let mut harsher = service_params("oracle");
		harsher.rules[0].fraction = Perbill::from_percent(30);
		harsher.rules[1].eject = true;
		update(id, harsher);
		start_active_era(2);
		assert_eq!(slash(0), before);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert_eq!(allocation(VALIDATOR_A, id), 1_000);
	});
}

#[test]
fn reordering_rules_does_not_slash_earlier_offences_harder() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		let mut reordered = service_params("oracle");
		reordered.rules =
			vec![rule("equivocation", 50, true), rule("downtime", 10, false)].try_into().unwrap();
		update(id, reordered.clone());
		// Per index, the gentler of the two: 10% each, neither ejects.
		let rules = Services::<Test>::get(id).unwrap().params.rules;
		assert_eq!(
			rules.iter().map(|r| (r.fraction, r.eject)).collect::<Vec<_>>(),
			vec![(Perbill::from_percent(10), false), (Perbill::from_percent(10), false)]
		);
		start_active_era(3);
		assert_eq!(Services::<Test>::get(id).unwrap().params, reordered);
		// An era-2 offence under index 0 (10% then, 50% now): 10%, no ejection.
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
		assert_eq!((last_amount(), slash(0).eject), (100, false));
		assert_noop!(report(id, VALIDATOR_A, 1, 2), Error::<Test>::OffenceAlreadySlashed);
		// An era-3 offence: the new rule.
		assert_ok!(report(id, VALIDATOR_A, 0, 3));
		assert_eq!((last_amount(), slash(1).eject), (500, true));
	});
}

/// Two harsher changes in a row: the second merges the record of the first with the rules in
/// force before it, and keeps a rule the first added, reportable for the eras it was in force
/// (not before). Era 1: add rule 2 (30%), effective 3. Era 3: rule 0 to 20%, effective 5. In era
/// 5 the record is `{ until: 5, rules: [10%, 50%, 30%], since: [0, 0, 3] }`: an era-3 offence
/// under rule 2 is slashed 30%, an era-2 one is refused `RuleNotInForce`.
#[test]
fn a_second_harsher_change_keeps_a_rule_added_by_the_first_reportable() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		let mut more = service_params("oracle");
		more.rules.try_push(rule("bribery", 30, false)).unwrap();
		update(id, more.clone());
		start_active_era(3);
		assert_eq!(Services::<Test>::get(id).unwrap().params, more);
		let mut harsher = more.clone();
		harsher.rules[0].fraction = Perbill::from_percent(20);
		update(id, harsher.clone());
		start_active_era(5);
		assert_eq!(Services::<Test>::get(id).unwrap().params, harsher);
		let record = PastServiceRules::<Test>::get(id).unwrap();
		assert_eq!((record.until, record.since.into_inner()), (5, vec![0, 0, 3]));
		assert_eq!(record.rules, more.rules);
		// Rule 2 (30%) was not in force in era 2, and was in era 3.
		assert_noop!(report(id, VALIDATOR_A, 2, 2), Error::<Test>::RuleNotInForce);
		assert_ok!(report(id, VALIDATOR_A, 2, 3));
		assert_eq!(last_amount(), 300);
	});
}

// ---------------------------------------------------------------------------------------------
// 4. The breaker.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_report_crossing_the_breaker_is_held_and_lands_once_approved() {
	let _settings = Settings::breaker(10);
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_three();
		// A and B, 1,000 each elected, and the nominator's 500 behind them.
		assert_eq!(total_bonded(), 2_500);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(slash(0).breaker, BreakerState::Within);
		assert_eq!(
			SlashBudgets::<Test>::get(3),
			Some(SlashBudget { cap: 250, within: 100, approved: 0 })
		);
		assert_ok!(report(id, VALIDATOR_B, 0, 1));
		assert_eq!(budget(3), (250, 200, 0));
		restaking_events();
		// 250 on the 50 left: held.
		assert_ok!(report(id, NOMINATOR, 1, 1));
		assert_eq!(
			restaking_events(),
			vec![
				Event::SlashScheduled {
					slash_id: 2,
					service: id,
					offender: NOMINATOR,
					rule: 1,
					offence_era: 1,
					amount: 250,
					apply_era: 3
				},
				Event::SlashHeld {
					slash_id: 2,
					service: id,
					amount: 250,
					cap_left: 50,
					apply_era: 3
				}
			]
		);
		assert_eq!((slash(2).breaker, budget(3)), (BreakerState::Held, (250, 200, 0)));
		assert_ok!(Restaking::approve_slash(RuntimeOrigin::root(), 2));
		assert_eq!(restaking_events(), vec![Event::SlashApproved { slash_id: 2 }]);
		assert_eq!((slash(2).breaker, budget(3)), (BreakerState::Approved, (250, 200, 250)));
		start_active_era(3);
		assert_eq!(applied(&restaking_events()), vec![(0, 100), (1, 100), (2, 250)]);
		assert_eq!((bonded(VALIDATOR_A), bonded(VALIDATOR_B), bonded(NOMINATOR)), (900, 900, 250));
		assert_eq!(Positions::<Test>::get(NOMINATOR, id), None);
		// The budget of an era the due slashes have passed is removed.
		start_active_era(4);
		assert_eq!(SlashBudgets::<Test>::get(3), None);
	});
}

#[test]
fn approve_held_slashes_approves_one_service_and_not_another() {
	let _settings = Settings::breaker(10);
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		let bridge = register("bridge");
		opt_in(VALIDATOR_A, oracle, 1_000);
		opt_in(VALIDATOR_B, bridge, 1_000);
		start_active_era(1);
		assert_ok!(report(oracle, VALIDATOR_A, 1, 1));
		assert_ok!(report(bridge, VALIDATOR_B, 1, 1));
		assert_eq!((slash(0).breaker, slash(1).breaker), (BreakerState::Held, BreakerState::Held));
		restaking_events();
		assert_ok!(Restaking::approve_held_slashes(RuntimeOrigin::root(), oracle));
		assert_eq!(
			restaking_events(),
			vec![
				Event::SlashApproved { slash_id: 0 },
				Event::HeldSlashesApproved { service: oracle, count: 1 }
			]
		);
		assert_eq!(
			(slash(0).breaker, slash(1).breaker),
			(BreakerState::Approved, BreakerState::Held)
		);
		start_active_era(3);
		let events = restaking_events();
		assert_eq!(applied(&events), vec![(0, 500)]);
		assert!(events.contains(&Event::HeldSlashDropped {
			slash_id: 1,
			service: bridge,
			offender: VALIDATOR_B,
			amount: 500
		}));
		assert_eq!((bonded(VALIDATOR_A), bonded(VALIDATOR_B)), (500, 1_000));
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, oracle), None);
		assert_eq!(exposure(VALIDATOR_B, bridge), 1_000);
		// The dropped report no longer stands, but its rule is spent for the offence; the 10%
		// rule still schedules its whole 100, due in era 5, with a fresh budget.
		assert_noop!(report(bridge, VALIDATOR_B, 1, 1), Error::<Test>::DuplicateOffence);
		assert_ok!(report(bridge, VALIDATOR_B, 0, 1));
		assert_eq!(
			(last_amount(), slash(2).apply_era, slash(2).breaker),
			(100, 5, BreakerState::Within)
		);
		assert_eq!(
			ReportedOffences::<Test>::get(1, (bridge, VALIDATOR_B)).into_inner(),
			vec![report_of(1, 1, 50, 500, true, false), report_of(0, 2, 10, 100, false, true)]
		);
		assert_eq!(budget(5), (250, 100, 0));
	});
}

#[test]
fn approving_needs_a_held_slash_in_its_dispute_window() {
	let _settings = Settings::breaker(10);
	ExtBuilder::default().build_and_execute(|| {
		MaxSlashesPerBlock::set(1);
		let id = oracle_with_three();
		// B's 500 on the 250 left: held.
		assert_ok!(report(id, VALIDATOR_B, 1, 1));
		assert_eq!(slash(0).breaker, BreakerState::Held);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(slash(1).breaker, BreakerState::Within);
		assert_noop!(Restaking::approve_slash(RuntimeOrigin::root(), 1), Error::<Test>::NotHeld);
		// The nominator's 250 on the 150 left: held.
		assert_ok!(report(id, NOMINATOR, 1, 1));
		assert_eq!(slash(2).breaker, BreakerState::Held);
		assert_noop!(
			Restaking::approve_slash(RuntimeOrigin::signed(SLASHER), 2),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Restaking::approve_slash(RuntimeOrigin::root(), 7),
			Error::<Test>::UnknownSlash
		);
		assert_ok!(Restaking::approve_slash(RuntimeOrigin::root(), 2));
		assert_noop!(Restaking::approve_slash(RuntimeOrigin::root(), 2), Error::<Test>::NotHeld);
		restaking_events();
		// One slash a block, in storage order (1, 2, 0): in era 3's first block only slash 1
		// lands; slash 0 is still stored, but its dispute window has closed.
		start_active_era(3);
		assert_eq!(applied(&restaking_events()), vec![(1, 100)]);
		assert_eq!(slash(0).breaker, BreakerState::Held);
		assert_noop!(
			Restaking::approve_slash(RuntimeOrigin::root(), 0),
			Error::<Test>::DisputeWindowClosed
		);
		assert_ok!(Restaking::approve_held_slashes(RuntimeOrigin::root(), id));
		assert_eq!(restaking_events(), vec![Event::HeldSlashesApproved { service: id, count: 0 }]);
		next_block();
		assert_eq!(applied(&restaking_events()), vec![(2, 250)]);
		next_block();
		assert_eq!(
			restaking_events(),
			vec![Event::HeldSlashDropped {
				slash_id: 0,
				service: id,
				offender: VALIDATOR_B,
				amount: 500
			}]
		);
		assert_eq!(
			(bonded(VALIDATOR_A), bonded(VALIDATOR_B), bonded(NOMINATOR)),
			(900, 1_000, 250)
		);
	});
}

#[test]
fn cancelling_gives_the_budget_back() {
	let _settings = Settings::breaker(10);
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_three();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_ok!(report(id, VALIDATOR_B, 0, 1));
		assert_eq!(budget(3), (250, 200, 0));
		// The nominator's 50% (250) would be held now.
		assert!(Restaking::simulate_slash(id, NOMINATOR, 1).unwrap().held);
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 0));
		assert_eq!(budget(3), (250, 100, 0));
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 1));
		assert_eq!(budget(3), (250, 0, 0));
		// 250 fits the 250 left exactly.
		assert_ok!(report(id, NOMINATOR, 1, 1));
		assert_eq!((slash(2).breaker, budget(3)), (BreakerState::Within, (250, 250, 0)));
		// An approved slash gives its approval back when cancelled.
		assert_ok!(report(id, VALIDATOR_B, 1, 1));
		assert_eq!((slash(3).amount, slash(3).breaker), (500, BreakerState::Held));
		assert_ok!(Restaking::approve_slash(RuntimeOrigin::root(), 3));
		assert_eq!(budget(3), (250, 250, 500));
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 3));
		assert_eq!(budget(3), (250, 250, 0));
		start_active_era(3);
		assert_eq!(
			(bonded(VALIDATOR_A), bonded(VALIDATOR_B), bonded(NOMINATOR)),
			(1_000, 1_000, 250)
		);
	});
}

/// Attack (a service blocks another; a restaker front-runs its own slash): the slasher of
/// `evil` fills the era-4 budget (250) with reports of its own sybil restaker, bonded 125 and
/// outside the total bonded stake, for two offence eras at 100%: 250 counted, 125 really lost.
/// The oracle's valid 100 on A is then held with nothing left. Governance approval lets it land.
#[test]
fn a_service_filling_the_era_budget_gets_another_services_slash_held_until_approved() {
	let _settings = Settings::breaker(10);
	ExtBuilder::default().staker(SYBIL, 125, StakerStatus::Idle).build_and_execute(|| {
		let oracle = register("oracle");
		let mut evil_params = params("evil", &[(100, false)]);
		evil_params.slasher = STRANGER;
		let evil = register_params(evil_params);
		opt_in(VALIDATOR_A, oracle, 1_000);
		opt_in(SYBIL, evil, 125);
		start_active_era(2);
		assert_eq!(total_bonded(), 2_500);
		assert_ok!(report_by(STRANGER, evil, SYBIL, 0, 1));
		assert_ok!(report_by(STRANGER, evil, SYBIL, 0, 2));
		assert_eq!((slash(0).amount, slash(1).amount), (125, 125));
		assert_eq!(budget(4), (250, 250, 0));
		restaking_events();
		assert_ok!(report(oracle, VALIDATOR_A, 0, 2));
		assert_eq!(
			restaking_events().last(),
			Some(&Event::SlashHeld {
				slash_id: 2,
				service: oracle,
				amount: 100,
				cap_left: 0,
				apply_era: 4
			})
		);
		assert_ok!(Restaking::approve_held_slashes(RuntimeOrigin::root(), oracle));
		start_active_era(4);
		// Whichever of the sybil's slashes lands second (in storage order, slash 0) finds
		// nothing left: the budget counted 250 for 125.
		assert_eq!(applied(&restaking_events()), vec![(0, 0), (1, 125), (2, 100)]);
		assert_eq!((bonded(SYBIL), bonded(VALIDATOR_A)), (0, 900));
		assert_eq!(ServiceSlashed::get(), 225);
	});
}

/// Attack (a restaker keeps part of its slash through the breaker): the slasher reports the
/// 10% rule first, in an era whose budget others filled, then the 50% rule an era later. The
/// larger report schedules the difference with the held 100 still standing: 400, within its
/// own era's budget. If governance does not approve the 100, it is dropped, and nothing makes
/// it up: both rules are spent, the offence costs 400 instead of 500. Approving the held
/// report in its window is the remedy.
#[test]
fn a_dropped_smaller_report_is_not_made_up_by_the_larger_one() {
	let _settings = Settings::breaker(20);
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_three();
		// 20% of 2,500: B's 500 fills era 3's budget.
		assert_ok!(report(id, VALIDATOR_B, 1, 1));
		assert_eq!(budget(3), (500, 500, 0));
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!((slash(1).amount, slash(1).breaker), (100, BreakerState::Held));
		start_active_era(2);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(
			(slash(2).amount, slash(2).apply_era, slash(2).breaker),
			(400, 4, BreakerState::Within)
		);
		restaking_events();
		start_active_era(3);
		assert!(restaking_events().contains(&Event::HeldSlashDropped {
			slash_id: 1,
			service: id,
			offender: VALIDATOR_A,
			amount: 100
		}));
		assert_noop!(report(id, VALIDATOR_A, 0, 1), Error::<Test>::DuplicateOffence);
		assert_noop!(report(id, VALIDATOR_A, 1, 1), Error::<Test>::DuplicateOffence);
		start_active_era(4);
		assert_eq!(bonded(VALIDATOR_A), 600);
	});
}

/// Attack (shed an ejection through the breaker): the 50% report is held; the ejecting 10%
/// report adds no stake, so it schedules 0, which always fits. The held amount is dropped, the
/// ejection lands.
#[test]
fn an_ejection_is_never_held_by_the_breaker() {
	let _settings = Settings::breaker(10);
	ExtBuilder::default().build_and_execute(|| {
		let id = register_rules("eject", &[(50, false), (10, true)]);
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!((slash(0).amount, slash(0).breaker), (500, BreakerState::Held));
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(
			(slash(1).amount, slash(1).eject, slash(1).breaker),
			(0, true, BreakerState::Within)
		);
		restaking_events();
		start_active_era(3);
		let events = restaking_events();
		assert!(events.contains(&Event::HeldSlashDropped {
			slash_id: 0,
			service: id,
			offender: VALIDATOR_A,
			amount: 500
		}));
		assert_eq!(applied(&events), vec![(1, 0)]);
		assert_eq!(bonded(VALIDATOR_A), 1_000);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
	});
}

// ---------------------------------------------------------------------------------------------
// 5. Concentration caps.
// ---------------------------------------------------------------------------------------------

#[test]
fn max_share_caps_opt_ins_and_raises_exactly() {
	ExtBuilder::default().build_and_execute(|| {
		let mut capped = service_params("capped");
		capped.max_share = Some(Perbill::from_percent(40));
		let id = register_params(capped);
		// 40% of 2,500.
		assert_eq!(total_bonded(), 2_500);
		opt_in(VALIDATOR_A, id, 600);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 401),
			Error::<Test>::ConcentrationExceeded
		);
		opt_in(VALIDATOR_B, id, 400);
		assert_eq!(secured(id), 1_000);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 601),
			Error::<Test>::ConcentrationExceeded
		);
		// Without a cap, the same raise is fine.
		let mut uncapped = service_params("capped");
		uncapped.max_share = None;
		update(id, uncapped);
		set_allocation(VALIDATOR_A, id, 601);
		// A raise counts from the next era.
		assert_eq!((allocation(VALIDATOR_A, id), secured(id)), (601, 1_000));
		start_active_era(1);
		assert_eq!(secured(id), 1_001);
	});
}

#[test]
fn concentration_is_checked_after_coverage() {
	let _settings = Settings::coverage();
	ExtBuilder::default().build_and_execute(|| {
		let full = register_rules("full", &[(100, false)]);
		let mut capped = params("capped", &[(50, false)]);
		capped.max_share = Some(Perbill::from_percent(40));
		let id = register_params(capped);
		opt_in(VALIDATOR_B, id, 1_000);
		opt_in(VALIDATOR_A, full, 1_000);
		// Both broken: coverage (1,000 + 50% x 100) is reported.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 100),
			Error::<Test>::CoverageExceeded
		);
		// Covered, but the service is full.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(NOMINATOR), id, 100),
			Error::<Test>::ConcentrationExceeded
		);
	});
}
