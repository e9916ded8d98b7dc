//! Attacks on the operator's moves passed on in pages (`FanOut::Join` / `FanOut::Leave` jobs in
//! the ejections lane) and on the delegator page that leaves its cascade to `PendingCascades`
//! (issue 24), from a helper's review of commits 2a0e241 and 78ddf3a. Mock world as in
//! `delegation.rs`: `ReportWindow` 3, `BondingDuration` 10, `MaxLeverage` 3, 15 blocks an era
//! (era `e` starts at block `15 e`); services of `SLASHER` with rule 0 at 10%, rule 1 at 50%
//! (ejecting), a dispute window and exit delay of 2 eras and a `min_stake` of 100;
//! `MaxDelegatorSlashesPerBlock` 10, `MaxOperatorSlashesPerEra` 2.
//!
//! `VALIDATOR_A` (1,000 bonded) operates; `N1`..`N4` (500 bonded each) delegate to it.
//!
//! Tests named `..._should_...` assert what a delegator (or a service) would expect; each
//! failed on the code reviewed and passes since its fix (a Leave page takes the delegator out in
//! its operator's release era, released at once if that era has come; a position whose exit is
//! released by an era was not in the service in it; an ejecting page re-syncs the delegator
//! before the ejection; a page caps the amount, not the exposure, at the stake it can reach):
//!
//! 1. `a_leave_page_in_the_operators_release_era_should_not_keep_the_delegator_exposed`: a
//!    `FanOut::Leave` page that lands in (or after) the operator's release era schedules the
//!    delegator's exit for the era after the page (`release_era.max(next)` in
//!    `follow_operator`): the delegator backs the service, counted in its total, for an era in
//!    which its operator backs nothing and no report can reach.
//! 2. `a_report_for_an_era_after_the_operators_release_should_not_slash_its_delegators`: the
//!    same, with an operator whose released exit no sync has seen yet: `was_in_service` counts
//!    its stored position as "in the service" after its release, the report is accepted (0 for
//!    the operator), and its page slashes the delegator for that era.
//! 3. `an_ejecting_page_should_not_let_stake_bonded_after_it_be_slashed_for_its_era` and
//! 4. `a_delegators_allocations_in_force_in_its_ejection_era_should_stay_within_the_leverage_cap`:
//!    since the page leaves the cascade to the queue, an ejecting report's page ejects the
//!    delegator *before* any re-sync has seen the loss: the departure keeps the pre-slash
//!    backing and the unscaled allocation, the bug `land_slash` had for a restaker's own
//!    ejection (see `second_review_attacks.rs`, tests 1 and 3).
//! 5. `two_services_slashing_one_era_should_cost_a_delegator_both_fractions`: a page caps the
//!    delegator's *exposure* at the stake left when the page lands, so a second service's page
//!    for the same offence era takes its fraction of what the first one left: 200 + 150 of a
//!    400 delegation, where docs/delegators.md ("What you risk") promises 200 + 200, and the
//!    operator's own reports, fixed at report time, take both in full.
//!
//! The others pin properties the review checked and found to hold. Each test ends with
//! `Restaking::do_try_state()` and pallet-staking's `try_state` (`build_and_execute`).

use super::mock::*;
use crate::{
	Delegations, DelegatorJobs, Departures, Error, Event, OperatorSlashesLanding, Positions,
	ServiceId,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

const N1: AccountId = 201;
const N2: AccountId = 202;
const N3: AccountId = 203;
const N4: AccountId = 204;
const OPERATOR_B: AccountId = VALIDATOR_B;

fn world() -> ExtBuilder {
	ExtBuilder::default()
		.staker(N1, 500, StakerStatus::Idle)
		.staker(N2, 500, StakerStatus::Idle)
		.staker(N3, 500, StakerStatus::Idle)
		.staker(N4, 500, StakerStatus::Idle)
}

fn set_operator(who: AccountId, percent: u32) {
	assert_ok!(Restaking::set_operator(RuntimeOrigin::signed(who), Perbill::from_percent(percent)));
}

fn delegate(who: AccountId, operator: AccountId, amount: Balance) {
	assert_ok!(Restaking::delegate(RuntimeOrigin::signed(who), operator, amount));
}

/// `VALIDATOR_A` operates (10%) in a new service with 1,000, and `N1` delegates 400 to it.
fn oracle_with_n1() -> ServiceId {
	let s1 = register("oracle");
	set_operator(VALIDATOR_A, 10);
	opt_in(VALIDATOR_A, s1, 1_000);
	delegate(N1, VALIDATOR_A, 400);
	s1
}

/// [`service_params`] with an exit delay of one era (the least `register_service` takes).
fn register_fast_exit(name: &str) -> ServiceId {
	let mut params = service_params(name);
	params.exit_delay = 1;
	let id = crate::NextServiceId::<Test>::get();
	assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
	id
}

/// [`service_params`] with one rule: 1%, ejecting.
fn register_one_percent_ejecting(name: &str) -> ServiceId {
	let mut params = service_params(name);
	params.rules = vec![rule("downtime", 1, true)].try_into().unwrap();
	let id = crate::NextServiceId::<Test>::get();
	assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
	id
}

fn allocation_in(who: AccountId, service: ServiceId, era: u32) -> Balance {
	Positions::<Test>::get(who, service).map(|p| p.allocation_in(era)).unwrap_or_default()
}

fn exit_of(who: AccountId, service: ServiceId) -> Option<(Balance, u32)> {
	Positions::<Test>::get(who, service).and_then(|p| p.exit).map(|e| (e.target, e.release_era))
}

/// Run blocks until the delegator jobs are done (at most `blocks`).
fn run_jobs(blocks: u32) {
	for _ in 0..blocks {
		if DelegatorJobs::<Test>::iter().next().is_none() {
			return;
		}
		next_block();
	}
}

fn delegator_slashes() -> Vec<(AccountId, Balance)> {
	restaking_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::DelegatorSlashed { who, amount, .. } => Some((who, amount)),
			_ => None,
		})
		.collect()
}

// ---------------------------------------------------------------------------------------------
// A Leave page that lands in the operator's release era.
// ---------------------------------------------------------------------------------------------

/// Finding 1. The operator opts out in the last block of era 1 from a service with an exit
/// delay of 1: released in era 2. Its `FanOut::Leave` page lands in the next block, the first
/// of era 2, and `follow_operator` schedules N1's exit for `max(2, era after the page) = 3`.
/// The era sweep of the same block releases the operator. In era 2 N1's 400 is in force and
/// counted in the service's total (rewards, and the operator's commission on them), while
/// the operator backs nothing and a report for era 2 is refused: exposure no slash can
/// collect. A Leave page starved by the reports lane does the same with any exit delay.
#[test]
fn a_leave_page_in_the_operators_release_era_should_not_keep_the_delegator_exposed() {
	world().build_and_execute(|| {
		let s = register_fast_exit("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s, 1_000);
		delegate(N1, VALIDATOR_A, 400);
		start_active_era(1);
		run_to_last_block_of_era();
		assert_eq!(active_era(), 1);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s));
		assert_eq!(allocation_in(VALIDATOR_A, s, 2), 0);
		// The page lands in the first block of era 2; the sweep then releases the operator.
		next_block();
		assert_eq!(active_era(), 2);
		assert!(DelegatorJobs::<Test>::iter().next().is_none());
		assert!(Positions::<Test>::get(VALIDATOR_A, s).is_none());
		// The operator backed nothing in era 2: nothing can be reported for it.
		assert_noop!(report(s, VALIDATOR_A, 0, 2), Error::<Test>::NotExposedAtEra);
		// Today: N1 is in force in era 2 (exit at 3) and secures the service alone.
		assert_eq!(
			allocation_in(N1, s, 2),
			0,
			"a delegator leaves no later than its operator: 400 in force in era 2 today"
		);
		assert_eq!(secured(s), 0, "no exposure that no slash can reach (400 today)");
	});
}

/// Finding 2 (findings 1 and `was_in_service` together). As above, but the era sweep has not
/// reached the operator in era 2 (`hold_sweep_until`, as on a chain whose sweep takes more than
/// a block): its position, released from era 2, is still stored. The slasher reports the
/// operator for era 2: `exposure_in_era` finds no allocation then, but `was_in_service` only
/// checks `joined_era <= 2`, so the report stands (0 for the operator, a job for its
/// delegators). N1, kept in force in era 2 by the late Leave page, is slashed 10% x 400 = 40
/// in era 4 for an era in which its operator backed nothing.
#[test]
fn a_report_for_an_era_after_the_operators_release_should_not_slash_its_delegators() {
	world().build_and_execute(|| {
		let s = register_fast_exit("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s, 1_000);
		delegate(N1, VALIDATOR_A, 400);
		start_active_era(1);
		run_to_last_block_of_era();
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s));
		// No sweep in era 2: the operator's released exit waits for its next sync.
		hold_sweep_until(2);
		next_block();
		assert_eq!(active_era(), 2);
		assert!(DelegatorJobs::<Test>::iter().next().is_none());
		// The page took N1 out with its operator, from era 2 (it kept N1 in for era 2, exit at
		// 3, on the code reviewed).
		assert_eq!(exit_of(N1, s), None);
		assert_eq!(Departures::<Test>::get(N1, s).unwrap().release_era, 2);
		// The operator's position, released from era 2, is still stored.
		assert_eq!(exit_of(VALIDATOR_A, s), Some((0, 2)));
		assert_eq!(allocation_in(VALIDATOR_A, s, 2), 0);
		restaking_events();
		// Accepted on the code reviewed: `was_in_service` saw the stored (released) position.
		let accepted = report(s, VALIDATOR_A, 0, 2).is_ok();
		start_active_era(4);
		run_jobs(4);
		assert_eq!(bonded(VALIDATOR_A), 1_000);
		assert_eq!(
			bonded(N1),
			500,
			"slashed for an era its operator did not back ({:?} today)",
			delegator_slashes()
		);
		assert!(!accepted, "an offence era after the operator's release is refused");
	});
}

// ---------------------------------------------------------------------------------------------
// An ejecting page ejects before the queued cascade.
// ---------------------------------------------------------------------------------------------

/// Finding 3. A 50% ejecting report of era 1 lands in era 3: the operator loses 500, and the
/// page (same block) slashes N1 200 of its 500 and ejects it from s1. Since 78ddf3a the page no
/// longer re-syncs N1 before `eject`: the departure keeps the backing last stored,
/// `[(0, 500)]`, instead of `[(0, 500), (3, 300)]`. N1 bonds 200 more in era 3 (backing
/// nothing before era 4). An era-3 offence of the operator (still in s1 until era 4) at 10%
/// should cost N1 10% x min(400, 300) = 30; today 10% x 400 = 40: stake bonded after the loss
/// was seen is slashed for that era. `land_slash` runs the cascade before the ejection for
/// exactly this reason (`second_review_attacks.rs`, test 1).
#[test]
fn an_ejecting_page_should_not_let_stake_bonded_after_it_be_slashed_for_its_era() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 500);
		// First block of era 3: the operator's slash, then N1's page: 50% x 400, ejected.
		start_active_era(3);
		run_jobs(4);
		assert_eq!((bonded(VALIDATOR_A), bonded(N1)), (500, 300));
		assert!(Positions::<Test>::get(N1, s1).is_none());
		assert_eq!(Departures::<Test>::get(N1, s1).unwrap().release_era, 4);
		// N1 tops up in era 3.
		assert_ok!(Staking::bond_extra(RuntimeOrigin::signed(N1), 200));
		assert_eq!(bonded(N1), 500);
		// An era-3 offence: the operator's own part is 10% of the 500 that backed era 3.
		assert_ok!(report(s1, VALIDATOR_A, 0, 3));
		assert_eq!(last_amount(), 50);
		restaking_events();
		start_active_era(5);
		run_jobs(4);
		assert_eq!(bonded(VALIDATOR_A), 450);
		assert_eq!(delegator_slashes(), vec![(N1, 30)], "10% of the 300 that backed era 3");
		assert_eq!(bonded(N1), 470);
		assert_eq!(
			Departures::<Test>::get(N1, s1).unwrap().backing.into_inner(),
			vec![(0, 500), (3, 300)],
			"the departure carries the loss the page itself caused"
		);
	});
}

/// Finding 4, the leverage side of finding 3. N1 delegates all of its 500 to three services
/// (1,500: its cap). A 1% ejecting report of era 1 in s1 lands in era 3: N1 loses 5 (cap
/// 1,485) and is ejected from s1 before any re-sync, so s1's unscaled 500 stays in force in era
/// 3; the queued cascade then scales s2 and s3 alone (1,000, within the cap: nothing). In force
/// in era 3: 1,500 on 495 of stake. A re-sync before the ejection scales all three to 495
/// (1,485), as `land_slash` does for the operator (`second_review_attacks.rs`, test 3).
#[test]
fn a_delegators_allocations_in_force_in_its_ejection_era_should_stay_within_the_leverage_cap() {
	world().build_and_execute(|| {
		let s1 = register_one_percent_ejecting("s1");
		let (s2, s3) = (register("s2"), register("s3"));
		set_operator(VALIDATOR_A, 10);
		for service in [s1, s2, s3] {
			opt_in(VALIDATOR_A, service, 1_000);
		}
		delegate(N1, VALIDATOR_A, 500);
		assert_eq!(crate::Restakers::<Test>::get(N1).unwrap().total_allocated, 1_500);
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 10);
		start_active_era(3);
		run_jobs(4);
		assert_eq!((bonded(VALIDATOR_A), bonded(N1)), (990, 495));
		assert!(Positions::<Test>::get(N1, s1).is_none());
		let ejected = Departures::<Test>::get(N1, s1).unwrap().allocation_in(3);
		let kept: Balance = [s2, s3].into_iter().map(|s| allocation_in(N1, s, 3)).sum();
		assert!(
			ejected + kept <= 3 * 495,
			"{} in force in era 3 on 495 of stake (cap {})",
			ejected + kept,
			3 * 495
		);
	});
}

// ---------------------------------------------------------------------------------------------
// Two services' pages for one offence era.
// ---------------------------------------------------------------------------------------------

/// Finding 5. docs/delegators.md ("What you risk"): "Delegating 400 to an operator in two
/// services ... If both services slash their worst case (50%) for the same era, you lose
/// 200 + 200 = 400 of your 500". The operator's own reports are fixed at report time (500 of
/// its 1,000 in s1, 300 of its 600 in s2) and both land: 200 left. N1's pages land in the same
/// block, one after the other; each caps N1's *exposure* at the stake left when it lands
/// (`exposure.min(slashable_stake(who, reach))` in `reach_delegator`), so the second takes 50%
/// of the 300 the first left: 150, not 200. N1 keeps 150 instead of 100.
#[test]
fn two_services_slashing_one_era_should_cost_a_delegator_both_fractions() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		let s2 = register("bridge");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(VALIDATOR_A, s2, 600);
		delegate(N1, VALIDATOR_A, 400);
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 500);
		assert_ok!(report(s2, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 300);
		restaking_events();
		start_active_era(3);
		run_jobs(4);
		// The operator pays both reports in full.
		assert_eq!(bonded(VALIDATOR_A), 200);
		let mut slashed = delegator_slashes();
		slashed.sort();
		assert_eq!(slashed, vec![(N1, 200), (N1, 200)], "50% of 400 in each service");
		assert_eq!(bonded(N1), 100);
	});
}

// ---------------------------------------------------------------------------------------------
// Properties that hold.
// ---------------------------------------------------------------------------------------------

/// An operator joins s2 (N1 follows from era 1), offends there in era 1, is reported and opts
/// out in the same era, before any page of the report: the Leave page schedules N1's exit for
/// the operator's release (era 3), and the report's page, landing in era 3, still takes 10% of
/// N1's 400. An era-0 report of the same service (N1 was not in it yet) costs N1 nothing.
#[test]
fn an_operator_that_joins_offends_and_leaves_before_the_pages_still_passes_the_slash_on() {
	world().build_and_execute(|| {
		let _s1 = oracle_with_n1();
		let s2 = register("bridge");
		opt_in(VALIDATOR_A, s2, 600);
		next_block();
		assert_eq!((allocation_in(N1, s2, 0), allocation_in(N1, s2, 1)), (0, 400));
		start_active_era(1);
		assert_ok!(report(s2, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 60);
		assert_ok!(report(s2, VALIDATOR_A, 0, 0));
		assert_eq!(last_amount(), 60);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s2));
		next_block();
		assert_eq!(exit_of(N1, s2), Some((0, 3)));
		restaking_events();
		start_active_era(3);
		run_jobs(4);
		assert_eq!(bonded(VALIDATOR_A), 880);
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert_eq!(bonded(N1), 460);
	});
}

/// Operator moves passed on take none of a service's `MaxOperatorSlashesPerEra` slots, and
/// their pages (older) wait behind those of reports: with three fan-out jobs of the operator
/// waiting, s1 still takes its two operator reports landing in era 3 (the third is refused by
/// the bound, not by the jobs), and a block with one visit of budget gives it to a report.
#[test]
fn fan_out_jobs_take_no_report_slot_and_wait_behind_report_pages() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		let (s2, s3) = (register("bridge"), register("sequencer"));
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		// No pages for a while: the operator's moves pile up in the ejections lane.
		MaxDelegatorSlashesPerBlock::set(0);
		opt_in(VALIDATOR_A, s2, 500);
		opt_in(VALIDATOR_A, s3, 500);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s1));
		let fan_outs =
			DelegatorJobs::<Test>::iter().filter(|(_, job)| job.fan_out.is_some()).count();
		assert_eq!(fan_outs, 3);
		assert_ok!(report(s1, VALIDATOR_A, 0, 0));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 2);
		assert_noop!(report(s1, VALIDATOR_A, 1, 1), Error::<Test>::TooManyOperatorSlashes);
		restaking_events();
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 800);
		// One visit: a report's delegator, though the fan-out jobs are older.
		MaxDelegatorSlashesPerBlock::set(1);
		next_block();
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert!(!Positions::<Test>::contains_key(N1, s2));
		MaxDelegatorSlashesPerBlock::set(10);
		run_jobs(4);
		assert!(DelegatorJobs::<Test>::iter().next().is_none());
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert_eq!(bonded(N1), 420);
		// The joins, passed on in era 3, count from era 4.
		assert_eq!((allocation_in(N1, s2, 4), allocation_in(N1, s3, 4)), (400, 400));
	});
}

/// A Join page that lands after its delegators moved: N1 excluded the new service, N2 moved to
/// another operator, N3 undelegated (none of them follows), N4 lowered its delegation to 300
/// (it follows with 300, from the era after the page).
#[test]
fn a_join_page_passes_over_delegators_that_excluded_moved_or_left() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		let s2 = register("bridge");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		set_operator(OPERATOR_B, 10);
		opt_in(OPERATOR_B, s1, 1_000);
		for who in [N1, N2, N3, N4] {
			delegate(who, VALIDATOR_A, 400);
		}
		start_active_era(1);
		opt_in(VALIDATOR_A, s2, 600);
		// In the same block, before the page.
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s2));
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N2), OPERATOR_B));
		assert_ok!(Restaking::undelegate(RuntimeOrigin::signed(N3)));
		assert_ok!(Restaking::set_delegation(RuntimeOrigin::signed(N4), 300));
		next_block();
		assert!(DelegatorJobs::<Test>::iter().next().is_none());
		for who in [N1, N2, N3] {
			assert!(!Positions::<Test>::contains_key(who, s2), "{who} does not follow");
		}
		assert_eq!(Delegations::<Test>::get(N1).unwrap().excluded.into_inner(), vec![s2]);
		assert_eq!((allocation_in(N4, s2, 1), allocation_in(N4, s2, 2)), (0, 300));
		start_active_era(2);
		// The era sweep re-syncs 4 restakers a block: these 6 take two.
		next_block();
		assert_eq!(secured(s2), 600 + 300);
		assert_eq!(exposure(N2, s1), 400, "N2 stays in s1, now for its new operator");
	});
}
