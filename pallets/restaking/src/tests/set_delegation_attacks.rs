//! Attacks on `set_delegation` and `stay` (issue 24), from a helper's review of commits df81903
//! and be45f25. Mock world as in `delegation.rs`: `ReportWindow` 3, `BondingDuration` 10,
//! `MaxLeverage` 3, 15 blocks an era; services of `SLASHER` with rule 0 at 10%, rule 1 at 50%
//! (ejecting), a dispute window and exit delay of 2 eras and a `min_stake` of 100.
//!
//! `VALIDATOR_A` (1,000 bonded) operates; `N1` (500 bonded) delegates 400 to it.
//!
//! Tests named `..._should_...` assert what a delegator would expect; each failed on the code
//! reviewed and passes since its fix (`stay` raises a position to the delegated amount, a new
//! operator's join keeps a leaving position, a raise of the delegation checks the stake, the
//! same amount again changes nothing). The others pin a property the review checked and found
//! to hold.

use super::mock::*;
use crate::{Delegations, DelegatorJobs, Error, Event, Positions, ServiceStatus};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

const N1: AccountId = 201;
const OPERATOR_B: AccountId = VALIDATOR_B;

fn world() -> ExtBuilder {
	ExtBuilder::default().staker(N1, 500, StakerStatus::Idle)
}

fn set_operator(who: AccountId, percent: u32) {
	assert_ok!(Restaking::set_operator(RuntimeOrigin::signed(who), Perbill::from_percent(percent)));
}

fn delegate(who: AccountId, operator: AccountId, amount: Balance) {
	assert_ok!(Restaking::delegate(RuntimeOrigin::signed(who), operator, amount));
}

fn set_delegation(who: AccountId, amount: Balance) {
	assert_ok!(Restaking::set_delegation(RuntimeOrigin::signed(who), amount));
}

fn allocation_in(who: AccountId, service: u32, era: u32) -> Balance {
	Positions::<Test>::get(who, service).map(|p| p.allocation_in(era)).unwrap_or_default()
}

fn exit_of(who: AccountId, service: u32) -> Option<(Balance, u32)> {
	Positions::<Test>::get(who, service).and_then(|p| p.exit).map(|e| (e.target, e.release_era))
}

fn amount_of(who: AccountId) -> Balance {
	Delegations::<Test>::get(who).unwrap().amount
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

/// `VALIDATOR_A` operates (10%) in `oracle` (1,000) and `bridge` (600); `N1` delegates 400.
fn two_services_with_n1() -> (u32, u32) {
	let s1 = register("oracle");
	let s2 = register("bridge");
	set_operator(VALIDATOR_A, 10);
	opt_in(VALIDATOR_A, s1, 1_000);
	opt_in(VALIDATOR_A, s2, 600);
	delegate(N1, VALIDATOR_A, 400);
	(s1, s2)
}

// ---------------------------------------------------------------------------------------------
// (d) Positions of one delegation diverge.
// ---------------------------------------------------------------------------------------------

/// Finding D1. `stay` cancels a leaving position's exit when it allocates at most the delegated
/// amount, but never raises it to that amount. Exclude `bridge` (era 1, leaving at 3), raise the
/// delegation to 500 (only `oracle` follows: `bridge` is leaving), include `bridge` again: the
/// delegation says 500 and `oracle` backs 500 from era 2, but `bridge` stays at 400 for good.
/// Had the inclusion come after the release, it would open at 500 (but `RecentlyExited` refuses
/// that for the bonding duration).
#[test]
fn including_a_service_after_a_raise_should_back_it_with_the_raised_amount() {
	world().build_and_execute(|| {
		let (s1, s2) = two_services_with_n1();
		start_active_era(1);
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s2));
		set_delegation(N1, 500);
		assert_ok!(Restaking::include_service(RuntimeOrigin::signed(N1), s2));
		assert_eq!(amount_of(N1), 500);
		assert_eq!(allocation_in(N1, s1, 2), 500);
		assert_eq!(exit_of(N1, s2), None, "the exclusion is cancelled");
		// 400 before the fix.
		assert_eq!(allocation_in(N1, s2, 2), 500, "an included service backs the delegated amount");
	});
}

/// Finding D1, through `redelegate`. The operator leaves `oracle` (era 1): `N1`'s position there
/// leaves with it. `N1` raises to 500 (only `bridge` follows), then moves to `OPERATOR_B`, which
/// is in both: `oracle` stays at 400 while the delegation and `bridge` are at 500.
#[test]
fn a_redelegation_keeping_a_leaving_position_should_bring_it_to_the_delegated_amount() {
	world().build_and_execute(|| {
		let (s1, s2) = two_services_with_n1();
		set_operator(OPERATOR_B, 10);
		opt_in(OPERATOR_B, s1, 1_000);
		opt_in(OPERATOR_B, s2, 1_000);
		start_active_era(1);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s1));
		// Passed on in a page of the next block.
		next_block();
		assert_eq!(exit_of(N1, s1), Some((0, 3)));
		set_delegation(N1, 500);
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		assert_eq!(exit_of(N1, s1), None, "the position stays");
		assert_eq!((amount_of(N1), allocation_in(N1, s2, 2)), (500, 500));
		// 400 before the fix.
		assert_eq!(allocation_in(N1, s1, 2), 500);
	});
}

/// Finding D2. After a redelegation, a position in a service only the former operator was in is
/// leaving. If the new operator then joins that service, `operator_joined` tries to open a second
/// position (`AlreadyOptedIn`) and excludes the service for the delegator (`ServiceExcluded`)
/// instead of letting the leaving position stay (`stay`, as `redelegate` and `include_service`
/// do). Once released, `include_service` is refused for the bonding duration (`RecentlyExited`):
/// the delegator does not follow its operator into that service for 10 eras without asking.
#[test]
fn a_new_operator_joining_a_service_the_delegator_is_leaving_should_keep_the_position() {
	world().build_and_execute(|| {
		let (s1, s2) = two_services_with_n1();
		set_operator(OPERATOR_B, 10);
		opt_in(OPERATOR_B, s2, 1_000);
		start_active_era(1);
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		assert_eq!(exit_of(N1, s1), Some((0, 3)));
		restaking_events();
		opt_in(OPERATOR_B, s1, 1_000);
		// Passed on in a page of the next block. Failed before the fix: `ServiceExcluded`.
		next_block();
		assert!(
			!restaking_events().contains(&Event::ServiceExcluded { who: N1, service: s1 }),
			"N1 did not exclude s1"
		);
		assert!(!Delegations::<Test>::get(N1).unwrap().excluded.contains(&s1));
		assert_eq!(allocation_in(N1, s1, 3), 400, "N1 follows its new operator in s1");
	});
}

// ---------------------------------------------------------------------------------------------
// (a) / (e) Amounts and refusals.
// ---------------------------------------------------------------------------------------------

/// Finding A1. With no position to move (an operator in no service yet, or every service
/// excluded), `set_delegation` sets any amount at or above `MinStakeFloor` with none of
/// `delegate`'s checks: 600 on 500 bonded is accepted (`delegate(600)` is refused with
/// `InsufficientStake`). The record then disagrees with the stake, the views show 600, and every
/// service the operator joins later is excluded for the delegator (`open_checked` refuses 600).
#[test]
fn set_delegation_without_positions_should_check_the_amount_against_the_stake() {
	world().build_and_execute(|| {
		set_operator(VALIDATOR_A, 10);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N1), VALIDATOR_A, 600),
			Error::<Test>::InsufficientStake
		);
		delegate(N1, VALIDATOR_A, 400);
		// Accepted before the fix.
		assert_noop!(
			Restaking::set_delegation(RuntimeOrigin::signed(N1), 600),
			Error::<Test>::InsufficientStake
		);
	});
}

/// Finding E1. `set_delegation` with the amount already set is not refused
/// (`AllocationUnchanged`) while a decrease is pending: it reschedules every decrease at the
/// exit delay from now, so a repeated transaction in a later era postpones the delegator's own
/// decrease (era 3 becomes era 4), with `DelegationSet` emitted as if something changed.
#[test]
fn setting_the_same_delegation_again_should_not_postpone_a_pending_decrease() {
	world().build_and_execute(|| {
		let (s1, _) = two_services_with_n1();
		start_active_era(1);
		set_delegation(N1, 200);
		assert_eq!(exit_of(N1, s1), Some((200, 3)));
		start_active_era(2);
		// Accepted before the fix, and the decrease moved to era 4.
		assert_noop!(
			Restaking::set_delegation(RuntimeOrigin::signed(N1), 200),
			Error::<Test>::AllocationUnchanged
		);
	});
}

/// All or nothing: a refusal by a later service leaves the earlier ones untouched (the call's
/// storage layer). Also pins finding E2: one paused (or retired) service of the operator refuses
/// every raise of the delegation (`ServicePaused`), until the delegator excludes it; lowering
/// still works.
#[test]
fn a_refusal_by_one_service_leaves_every_position_as_it_was() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		let s2 = crate::NextServiceId::<Test>::get();
		let mut params = service_params("bridge");
		params.min_stake = 200;
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(VALIDATOR_A, s2, 600);
		delegate(N1, VALIDATOR_A, 400);
		start_active_era(1);
		// s1 (min 100) would take 150, s2 (min 200) refuses: nothing written.
		assert_noop!(
			Restaking::set_delegation(RuntimeOrigin::signed(N1), 150),
			Error::<Test>::BelowMinStake
		);
		assert_ok!(Restaking::set_service_status(RuntimeOrigin::root(), s2, ServiceStatus::Paused));
		// s1 would be raised first, then s2 refuses: nothing written.
		assert_noop!(
			Restaking::set_delegation(RuntimeOrigin::signed(N1), 500),
			Error::<Test>::ServicePaused
		);
		set_delegation(N1, 300);
		assert_eq!((exit_of(N1, s1), exit_of(N1, s2)), (Some((300, 3)), Some((300, 3))));
		// Excluding the paused service is the way to raise again.
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s2));
		set_delegation(N1, 500);
		assert_eq!(allocation_in(N1, s1, 2), 500);
	});
}

// ---------------------------------------------------------------------------------------------
// (b) Dodging a slash through timing: each of these holds.
// ---------------------------------------------------------------------------------------------

/// Lowering right after an offence, waiting for the release and undelegating does not shrink
/// the slash: the era-1 offence, reported in era 4 (the last era the report window allows), costs
/// 10% of the 400 that backed era 1, not of the 200 left.
#[test]
fn lowering_then_undelegating_before_a_late_report_does_not_shrink_the_slash() {
	world().build_and_execute(|| {
		let (s1, _) = two_services_with_n1();
		start_active_era(1);
		set_delegation(N1, 200);
		start_active_era(3);
		assert_eq!(exposure(N1, s1), 200);
		assert_ok!(Restaking::undelegate(RuntimeOrigin::signed(N1)));
		start_active_era(4);
		restaking_events();
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 100);
		start_active_era(6);
		run_jobs(4);
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert_eq!(bonded(N1), 460);
	});
}

/// Raising and lowering in one era: the raise is in force from the next era and a decrease
/// cannot undo it (as with `set_allocation`): era 2 counts 500 while the delegation says 300,
/// and a report for era 2 collects 10% of 500. Above the delegated amount, never above what a
/// slash collects.
#[test]
fn a_raise_and_a_decrease_in_one_era_count_the_raise_for_one_era_and_slash_it() {
	world().build_and_execute(|| {
		let (s1, _) = two_services_with_n1();
		start_active_era(1);
		set_delegation(N1, 500);
		set_delegation(N1, 300);
		assert_eq!(exit_of(N1, s1), Some((300, 3)));
		start_active_era(2);
		assert_eq!((amount_of(N1), exposure(N1, s1)), (300, 500));
		restaking_events();
		assert_ok!(report(s1, VALIDATOR_A, 0, 2));
		start_active_era(3);
		assert_eq!(exposure(N1, s1), 300);
		start_active_era(4);
		run_jobs(4);
		assert_eq!(delegator_slashes(), vec![(N1, 50)]);
	});
}

/// Redelegating right after a decrease: the old operator's service keeps the whole old amount
/// until the exit (the decrease is replaced by the exit), and an era-2 offence of the old
/// operator reported in era 4 costs 10% of 400.
#[test]
fn redelegating_after_a_decrease_keeps_the_old_amount_until_the_exit() {
	world().build_and_execute(|| {
		let (s1, s2) = two_services_with_n1();
		set_operator(OPERATOR_B, 10);
		opt_in(OPERATOR_B, s2, 1_000);
		start_active_era(1);
		set_delegation(N1, 200);
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		assert_eq!(exit_of(N1, s1), Some((0, 3)));
		assert_eq!(exit_of(N1, s2), Some((200, 3)), "the shared service keeps the decrease");
		assert_eq!(allocation_in(N1, s1, 2), 400);
		start_active_era(4);
		restaking_events();
		assert_ok!(report(s1, VALIDATOR_A, 0, 2));
		start_active_era(6);
		run_jobs(4);
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
	});
}

/// Including a service around a decrease: `oracle` was excluded in era 0 (leaving at 2); the
/// delegation is lowered to 200 in era 1 (`bridge` at era 3), then `oracle` is included: it
/// becomes a decrease to 200 at era 2, one era before `bridge`'s. Never below what the service
/// was told (0 from era 2): no slash shrinks. An era-1 offence costs 10% of 400, an era-2 one 10%
/// of 200 in `oracle`.
#[test]
fn including_around_a_decrease_keeps_the_exit_era_and_never_lowers_the_backing() {
	world().build_and_execute(|| {
		let (s1, s2) = two_services_with_n1();
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s1));
		start_active_era(1);
		set_delegation(N1, 200);
		assert_eq!(exit_of(N1, s1), Some((0, 2)), "a leaving position is left alone");
		assert_ok!(Restaking::include_service(RuntimeOrigin::signed(N1), s1));
		assert_eq!(exit_of(N1, s1), Some((200, 2)));
		assert_eq!(exit_of(N1, s2), Some((200, 3)));
		assert_eq!((allocation_in(N1, s1, 1), allocation_in(N1, s1, 2)), (400, 200));
		assert_eq!((allocation_in(N1, s2, 2), allocation_in(N1, s2, 3)), (400, 200));
		restaking_events();
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		start_active_era(2);
		assert_ok!(report(s1, VALIDATOR_A, 1, 2));
		start_active_era(4);
		run_jobs(6);
		let mut slashed = delegator_slashes();
		slashed.sort();
		// 10% of 400 for era 1; 50% of 200 for era 2 (and the ejecting rule ejects N1).
		assert_eq!(slashed, vec![(N1, 40), (N1, 100)]);
	});
}

// ---------------------------------------------------------------------------------------------
// (c) Invariants through a long legitimate sequence.
// ---------------------------------------------------------------------------------------------

/// Lower, exclude, lower again, include, raise a little, redelegate, and let the eras pass, with
/// `do_try_state` after every step: the new invariant (a position above the delegated amount
/// only on its way down to at most it) holds throughout.
#[test]
fn invariants_hold_through_lowering_excluding_including_and_redelegating() {
	world().build_and_execute(|| {
		let (s1, s2) = two_services_with_n1();
		set_operator(OPERATOR_B, 10);
		opt_in(OPERATOR_B, s1, 1_000);
		start_active_era(1);
		set_delegation(N1, 300);
		check_invariants();
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s2));
		check_invariants();
		set_delegation(N1, 200);
		assert_eq!((exit_of(N1, s1), exit_of(N1, s2)), (Some((200, 3)), Some((0, 3))));
		check_invariants();
		assert_ok!(Restaking::include_service(RuntimeOrigin::signed(N1), s2));
		assert_eq!(exit_of(N1, s2), Some((200, 3)));
		check_invariants();
		set_delegation(N1, 350);
		assert_eq!((exit_of(N1, s1), exit_of(N1, s2)), (Some((350, 3)), Some((350, 3))));
		check_invariants();
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		assert_eq!((exit_of(N1, s1), exit_of(N1, s2)), (Some((350, 3)), Some((0, 3))));
		check_invariants();
		start_active_era(2);
		check_invariants();
		start_active_era(3);
		assert_eq!(exposure(N1, s1), 350);
		assert_eq!(Positions::<Test>::get(N1, s2), None);
		check_invariants();
		set_delegation(N1, 450);
		start_active_era(4);
		assert_eq!(exposure(N1, s1), 450);
	});
}
