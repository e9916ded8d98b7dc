//! Operators and delegators (issue 24), against the real pallet-staking. Mock world:
//! `ReportWindow` 3, `BondingDuration` 10, `MaxLeverage` 3, 15 blocks an era; services of
//! `SLASHER` with rule 0 at 10%, rule 1 at 50% (ejecting), a dispute window and exit delay of 2
//! eras and a `min_stake` of 100; `MaxDelegatorsPerOperator` 8, `MaxCommission` 50%,
//! `MaxDelegatorSlashesPerBlock` 10, `MaxOperatorSlashesPerEra` 2.
//!
//! `VALIDATOR_A` (1,000 bonded) operates; stashes of 500 to 1,000 delegate to it.
//!
//! The second part turns each finding of the attacker's review of the change into a test.

use super::mock::*;
use crate::{
	Delegations, DelegatorJobs, Error, Event, JobLane, OperatorDelegators, OperatorSlashesLanding,
	Operators, Positions,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

const N1: AccountId = 201;
const N2: AccountId = 202;
const N3: AccountId = 203;
const N4: AccountId = 204;
const N5: AccountId = 205;
const OPERATOR_B: AccountId = VALIDATOR_B;

/// The default world and five bonded stashes that do not nominate (so that base-layer slashes
/// of the validators never reach them through staking's own exposures).
fn world() -> ExtBuilder {
	ExtBuilder::default()
		.staker(N1, 500, StakerStatus::Idle)
		.staker(N2, 500, StakerStatus::Idle)
		.staker(N3, 500, StakerStatus::Idle)
		.staker(N4, 500, StakerStatus::Idle)
		.staker(N5, 1_000, StakerStatus::Idle)
}

fn set_operator(who: AccountId, percent: u32) {
	assert_ok!(Restaking::set_operator(RuntimeOrigin::signed(who), Perbill::from_percent(percent)));
}

fn delegate(who: AccountId, operator: AccountId, amount: Balance) {
	assert_ok!(Restaking::delegate(RuntimeOrigin::signed(who), operator, amount));
}

/// `VALIDATOR_A` operates (10%) in a new service with 1,000, and `N1` delegates 400 to it.
fn oracle_with_n1() -> u32 {
	let s1 = register("oracle");
	set_operator(VALIDATOR_A, 10);
	opt_in(VALIDATOR_A, s1, 1_000);
	delegate(N1, VALIDATOR_A, 400);
	s1
}

fn allocation_in(who: AccountId, service: u32, era: u32) -> Balance {
	Positions::<Test>::get(who, service).map(|p| p.allocation_in(era)).unwrap_or_default()
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

#[test]
fn a_delegation_backs_every_service_of_the_operator_with_the_delegated_amount() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		let s2 = register("bridge");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(VALIDATOR_A, s2, 600);
		delegate(N1, VALIDATOR_A, 400);
		// One position per service, in force from this era, on the delegator's own ledger.
		assert_eq!(exposure(N1, s1), 400);
		assert_eq!(exposure(N1, s2), 400);
		assert_eq!(secured(s1), 1_400);
		assert_eq!(secured(s2), 1_000);
		let ledger = crate::Restakers::<Test>::get(N1).unwrap();
		assert_eq!(ledger.total_allocated, 800, "counted once per service for leverage");
		assert_eq!(Operators::<Test>::get(VALIDATOR_A).unwrap().delegators, 1);
		// A service the operator joins later counts for the delegator from the next era.
		let s3 = register("sequencer");
		opt_in(VALIDATOR_A, s3, 500);
		// The delegator follows in a page of the next block.
		assert!(Positions::<Test>::get(N1, s3).is_none());
		next_block();
		assert_eq!(allocation_in(N1, s3, 0), 0);
		assert_eq!(allocation_in(N1, s3, 1), 400);
		assert_eq!(exposure(N1, s3), 0);
		start_active_era(1);
		assert_eq!(exposure(N1, s3), 400);
		assert_eq!(secured(s3), 900);
	});
}

#[test]
fn a_delegator_slashed_through_its_operator_loses_the_rule_fraction_of_its_exposure() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		// The operator's own slash: 10% of 1,000; its delegators' parts wait for it to land.
		assert_eq!(last_amount(), 100);
		assert_eq!(bonded(N1), 500);
		start_active_era(3);
		run_jobs(4);
		assert_eq!(bonded(VALIDATOR_A), 900);
		// 10% of the delegator's 400, on its own ledger, with pallet-staking's event.
		assert_eq!(bonded(N1), 460);
		assert!(staking_slashed_events().contains(&(N1, 40)));
		assert!(DelegatorJobs::<Test>::iter().next().is_none());
	});
}

#[test]
fn only_delegators_that_backed_the_service_in_the_offence_era_are_slashed() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		delegate(N1, VALIDATOR_A, 400); // backs s1 throughout
		delegate(N2, VALIDATOR_A, 400); // excludes s1 in era 0: released in era 2
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N2), s1));
		delegate(N4, VALIDATOR_A, 400); // leaves after the offence era, inside the window
		start_active_era(2);
		delegate(N3, VALIDATOR_A, 400); // joins after the offence era
		assert_ok!(Restaking::undelegate(RuntimeOrigin::signed(N4)));
		restaking_events();
		// An offence in era 2: N2's exclusion was released in era 2, N3 joined in era 2
		// (its position is in force from era 2: it is slashed too), N4 left after it.
		assert_ok!(report(s1, VALIDATOR_A, 0, 2));
		start_active_era(4);
		run_jobs(4);
		let mut slashed = delegator_slashes();
		slashed.sort();
		assert_eq!(slashed, vec![(N1, 40), (N3, 40), (N4, 40)]);
		assert_eq!(bonded(N2), 500);
	});
}

#[test]
fn a_delegator_that_joined_after_the_offence_era_is_untouched() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(2);
		delegate(N3, VALIDATOR_A, 400);
		restaking_events();
		// An era-1 offence, reported in era 2: N3 was not there.
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		start_active_era(4);
		run_jobs(4);
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert_eq!(bonded(N3), 500);
	});
}

#[test]
fn a_redelegated_delegator_is_still_slashed_for_its_old_operators_offence() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		let s2 = register("bridge");
		set_operator(VALIDATOR_A, 10);
		set_operator(OPERATOR_B, 5);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(OPERATOR_B, s2, 1_000);
		delegate(N1, VALIDATOR_A, 400);
		start_active_era(1);
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		// The old operator's service keeps the stake for its exit delay; the new one's
		// counts from the next era, and both count for leverage in between.
		assert_eq!(allocation_in(N1, s1, 2), 400);
		assert_eq!(allocation_in(N1, s1, 3), 0);
		assert_eq!(allocation_in(N1, s2, 1), 0);
		assert_eq!(allocation_in(N1, s2, 2), 400);
		assert_eq!(crate::Restakers::<Test>::get(N1).unwrap().total_allocated, 800);
		restaking_events();
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		start_active_era(3);
		run_jobs(4);
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert_eq!(bonded(N1), 460);
		// A report against the new operator in its service does not reach back before the
		// delegation: era 1 is not N1's there.
		assert_eq!(Delegations::<Test>::get(N1).unwrap().operator, OPERATOR_B);
	});
}

#[test]
fn pages_land_a_bounded_number_of_delegators_per_block_and_a_cancel_stops_them() {
	world().build_and_execute(|| {
		MaxDelegatorSlashesPerBlock::set(2);
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		for who in [N1, N2, N3, N4, N5] {
			delegate(who, VALIDATOR_A, 400);
		}
		start_active_era(1);
		let cancelled = crate::NextSlashId::<Test>::get();
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		// Governance cancels the 50% report: its job goes with it, no page has landed.
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), cancelled + 1));
		assert!(DelegatorJobs::<Test>::get(cancelled + 1).is_none());
		restaking_events();
		start_active_era(3);
		// The first block of era 3 landed the operator's slash and the first page: 2 of 5.
		assert_eq!(delegator_slashes().len(), 2);
		next_block();
		assert_eq!(delegator_slashes().len(), 2);
		next_block();
		assert_eq!(delegator_slashes().len(), 1);
		assert!(DelegatorJobs::<Test>::get(cancelled).is_none());
		for who in [N1, N2, N3, N4, N5] {
			assert_eq!(bonded(who), if who == N5 { 960 } else { 460 });
		}
		MaxDelegatorSlashesPerBlock::set(10);
	});
}

#[test]
fn max_not_sum_holds_for_delegators_across_reports_of_one_era() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1)); // 10%
		assert_ok!(report(s1, VALIDATOR_A, 1, 1)); // 50%, ejecting
		restaking_events();
		start_active_era(3);
		run_jobs(4);
		// 50% of 400 in all, not 60%: 40 then 160 (or 200 then nothing).
		let total: Balance = delegator_slashes().iter().map(|(_, amount)| amount).sum();
		assert_eq!(total, 200);
		assert_eq!(bonded(N1), 300);
		// The ejecting rule ejects the delegator with its operator.
		assert!(Positions::<Test>::get(N1, s1).is_none());
		assert!(Positions::<Test>::get(VALIDATOR_A, s1).is_none());
	});
}

#[test]
fn the_operator_takes_its_commission_from_its_delegators_rewards() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 600);
		delegate(N1, VALIDATOR_A, 400);
		// 1,000 shared over 1,000 of exposure: 600 to the operator, 400 to the delegator, of
		// which the operator takes 10%.
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), s1, 1_001));
		assert_eq!(Restaking::claimable_rewards(&VALIDATOR_A, s1), 600);
		assert_ok!(Restaking::claim_rewards(RuntimeOrigin::signed(N1), s1));
		assert_eq!(
			restaking_events().last(),
			Some(&Event::RewardsClaimed { who: N1, service: s1, amount: 360 })
		);
		assert_ok!(Restaking::claim_rewards(RuntimeOrigin::signed(VALIDATOR_A), s1));
		assert_eq!(
			restaking_events().last(),
			Some(&Event::RewardsClaimed { who: VALIDATOR_A, service: s1, amount: 640 })
		);
	});
}

#[test]
fn a_commission_increase_waits_for_the_operators_longest_exit_delay() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		set_operator(VALIDATOR_A, 20);
		let operator = Operators::<Test>::get(VALIDATOR_A).unwrap();
		assert_eq!(operator.pending_commission, Some((Perbill::from_percent(20), 2)));
		assert_eq!(operator.commission_in(1), Perbill::from_percent(10));
		assert_eq!(operator.commission_in(2), Perbill::from_percent(20));
		// A decrease applies at once and drops the waiting increase.
		set_operator(VALIDATOR_A, 5);
		let operator = Operators::<Test>::get(VALIDATOR_A).unwrap();
		assert_eq!(
			(operator.commission, operator.pending_commission),
			(Perbill::from_percent(5), None)
		);
	});
}

#[test]
fn an_operators_opt_out_takes_its_delegators_out_in_the_same_era() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(1);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s1));
		// In a page of the next block.
		next_block();
		assert_eq!(allocation_in(N1, s1, 2), 400);
		assert_eq!(allocation_in(N1, s1, 3), 0);
		assert_eq!(allocation_in(VALIDATOR_A, s1, 3), 0);
		start_active_era(3);
		assert_eq!(secured(s1), 0);
		assert!(Positions::<Test>::get(N1, s1).is_none());
	});
}

#[test]
fn a_service_that_cannot_take_a_delegator_is_excluded_for_it_not_refused_to_the_operator() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		assert_eq!(exposure(N1, s1), 400);
		// A service with a min_stake above the delegated amount.
		let mut params = service_params("big");
		params.min_stake = 500;
		let big = crate::NextServiceId::<Test>::get();
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		restaking_events();
		opt_in(VALIDATOR_A, big, 1_000);
		next_block();
		assert!(restaking_events().contains(&Event::ServiceExcluded { who: N1, service: big }));
		assert!(Positions::<Test>::get(N1, big).is_none());
		assert_eq!(Delegations::<Test>::get(N1).unwrap().excluded.into_inner(), vec![big]);
	});
}

#[test]
fn refusals_are_named_and_change_nothing() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		assert_noop!(
			Restaking::set_operator(RuntimeOrigin::signed(VALIDATOR_A), Perbill::from_percent(51)),
			Error::<Test>::CommissionTooHigh
		);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N1), VALIDATOR_A, 100),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Restaking::stop_operating(RuntimeOrigin::signed(VALIDATOR_A)),
			Error::<Test>::NotOperator
		);
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N1), VALIDATOR_A, 0),
			Error::<Test>::ZeroAllocation
		);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N1), VALIDATOR_A, 501),
			Error::<Test>::InsufficientStake
		);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N1), VALIDATOR_A, 50),
			Error::<Test>::BelowMinStake
		);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(UNBONDED), VALIDATOR_A, 100),
			Error::<Test>::NotBonded
		);
		// A restaker with positions of its own, or an operator, does not delegate.
		opt_in(VALIDATOR_B, s1, 500);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(VALIDATOR_B), VALIDATOR_A, 100),
			Error::<Test>::AlreadyRestaking
		);
		delegate(N1, VALIDATOR_A, 400);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N1), VALIDATOR_A, 100),
			Error::<Test>::Delegating
		);
		assert_noop!(
			Restaking::set_operator(RuntimeOrigin::signed(N1), Perbill::from_percent(1)),
			Error::<Test>::Delegating
		);
		// A delegator's positions follow its operator.
		assert_noop!(Restaking::opt_out(RuntimeOrigin::signed(N1), s1), Error::<Test>::Delegating);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(N1), s1, 300),
			Error::<Test>::Delegating
		);
		// Reports name the operator.
		assert_noop!(report(s1, N1, 0, 0), Error::<Test>::ReportTheOperator);
		assert_noop!(
			Restaking::include_service(RuntimeOrigin::signed(N1), s1),
			Error::<Test>::NotExcluded
		);
		assert_noop!(
			Restaking::redelegate(RuntimeOrigin::signed(N1), VALIDATOR_A),
			Error::<Test>::SameOperator
		);
		assert_noop!(
			Restaking::undelegate(RuntimeOrigin::signed(N2)),
			Error::<Test>::NotDelegating
		);
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s1));
		assert_noop!(
			Restaking::exclude_service(RuntimeOrigin::signed(N1), s1),
			Error::<Test>::AlreadyExcluded
		);
		assert_ok!(Restaking::undelegate(RuntimeOrigin::signed(N1)));
		assert_noop!(
			Restaking::undelegate(RuntimeOrigin::signed(N1)),
			Error::<Test>::UndelegationInProgress
		);
		assert_ok!(Restaking::stop_operating(RuntimeOrigin::signed(VALIDATOR_A)));
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N2), VALIDATOR_A, 400),
			Error::<Test>::OperatorNotAccepting
		);
		assert_noop!(
			Restaking::apply_delegator_slashes(RuntimeOrigin::signed(STRANGER), 99),
			Error::<Test>::UnknownJob
		);
	});
}

#[test]
fn an_operator_takes_at_most_max_delegators_per_operator() {
	let mut builder = world();
	for who in 300..310 {
		builder = builder.staker(who, 500, StakerStatus::Idle);
	}
	builder.build_and_execute(|| {
		set_operator(VALIDATOR_A, 10);
		for who in 300..308 {
			delegate(who, VALIDATOR_A, 100);
		}
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(308), VALIDATOR_A, 100),
			Error::<Test>::TooManyDelegators
		);
		assert_eq!(OperatorDelegators::<Test>::iter_prefix(VALIDATOR_A).count(), 8);
	});
}

// The attacker's review (each finding a test).

/// Finding 1: delegating does not shield a stash's own past offences.
#[test]
fn a_restaker_that_delegates_is_still_reported_for_its_own_past_offences() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(N1, s1, 400);
		start_active_era(1);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(N1), s1));
		start_active_era(3);
		// Its position is released; it delegates to an operator in no service.
		assert!(Positions::<Test>::get(N1, s1).is_none());
		delegate(N1, VALIDATOR_A, 100);
		// Its own era-1 offence: 50% of its 400, as before it delegated.
		assert_ok!(report(s1, N1, 1, 1));
		assert_eq!(last_amount(), 200);
		// An era in which it delegated is its operator's to answer for.
		assert_noop!(report(s1, N1, 1, 3), Error::<Test>::ReportTheOperator);
	});
}

/// Finding 2: a report filed late in the window still reaches a delegator that left.
#[test]
fn a_late_report_still_reaches_a_delegator_that_left() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(2);
		assert_ok!(Restaking::undelegate(RuntimeOrigin::signed(N1)));
		// Released in era 4; the era-3 offence is reported at the end of the window (era 6)
		// and lands in era 8, after the report window of the release.
		start_active_era(6);
		assert!(Positions::<Test>::get(N1, s1).is_none());
		assert_ok!(report(s1, VALIDATOR_A, 0, 3));
		restaking_events();
		start_active_era(8);
		run_jobs(4);
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert_eq!(bonded(N1), 460);
	});
}

/// Finding 3: max, not sum, holds for a harsher report filed after the first one landed.
#[test]
fn a_harsher_report_after_the_first_landed_slashes_only_the_difference() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		start_active_era(3);
		run_jobs(4);
		assert_eq!(bonded(N1), 460);
		start_active_era(4);
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		start_active_era(7);
		run_jobs(4);
		// 50% of 400 in all: 40, then 160.
		assert_eq!(bonded(N1), 300);
	});
}

/// Finding 4: an operator's ejection takes out every delegator in the service, also one that
/// joined after the offence (and is not slashed for it).
#[test]
fn an_ejection_of_the_operator_reaches_every_delegator_in_the_service() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		start_active_era(2);
		delegate(N3, VALIDATOR_A, 400);
		start_active_era(3);
		run_jobs(4);
		assert_eq!(bonded(N1), 300);
		assert_eq!(bonded(N3), 500);
		for who in [VALIDATOR_A, N1, N3] {
			assert!(Positions::<Test>::get(who, s1).is_none(), "{who} left the service");
		}
		start_active_era(4);
		assert_eq!(secured(s1), 0);
	});
}

/// Finding 5: a report against an operator whose own stake is gone still reaches its
/// delegators.
#[test]
fn a_report_reaches_the_delegators_of_an_operator_with_nothing_left_to_slash() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		start_active_era(1);
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(100));
		next_block();
		assert_eq!(bonded(VALIDATOR_A), 0);
		// The operator's part is nothing; the report stands for its delegators.
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 0);
		restaking_events();
		start_active_era(3);
		run_jobs(4);
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
	});
}

/// Finding 6: delegators' parts count against the breaker of the era they land in; an
/// approval of the operator's held slash lets them through.
#[test]
fn delegator_slashes_count_against_the_breaker_unless_approved() {
	// (breaker, approve): 2,500 stand behind the validator set.
	for (percent, approve) in [(20, false), (10, true)] {
		world().build_and_execute(|| {
			SlashBreaker::set(Some(Perbill::from_percent(percent)));
			let s1 = register("oracle");
			set_operator(VALIDATOR_A, 10);
			opt_in(VALIDATOR_A, s1, 1_000);
			delegate(N1, VALIDATOR_A, 400);
			start_active_era(1);
			assert_ok!(report(s1, VALIDATOR_A, 1, 1));
			let id = crate::NextSlashId::<Test>::get() - 1;
			if approve {
				// 500 does not fit a budget of 250: held, then approved.
				assert_ok!(Restaking::approve_slash(RuntimeOrigin::root(), id));
			}
			restaking_events();
			start_active_era(3);
			run_jobs(4);
			assert_eq!(bonded(VALIDATOR_A), 500);
			// With a budget of 500 the operator's 500 fills it, and N1's 200 is dropped.
			assert_eq!(bonded(N1), if approve { 300 } else { 500 });
			SlashBreaker::set(None);
		});
	}
}

/// Finding 8: a commission increase never reaches rewards earned before it applied.
#[test]
fn rewards_earned_before_a_commission_increase_pay_the_old_rate() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 600);
		delegate(N1, VALIDATOR_A, 400);
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), s1, 1_001));
		set_operator(VALIDATOR_A, 50);
		start_active_era(3);
		// The increase applies from era 2; the 400 were earned in era 0, at 10%.
		assert_ok!(Restaking::claim_rewards(RuntimeOrigin::signed(N1), s1));
		assert!(restaking_events().contains(&Event::RewardsClaimed {
			who: N1,
			service: s1,
			amount: 360
		}));
	});
}

/// Finding 9: a delegation is at least `MinStakeFloor`, so dust cannot take an operator's
/// delegator slots; a finished delegation is forgotten once no report can reach it, and the
/// stash may then opt in on its own.
#[test]
fn dust_cannot_fill_an_operator_and_a_finished_delegation_is_forgotten() {
	world().build_and_execute(|| {
		MinStakeFloor::set(50);
		set_operator(VALIDATOR_A, 10);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(N1), VALIDATOR_A, 49),
			Error::<Test>::BelowMinStake
		);
		delegate(N1, VALIDATOR_A, 50);
		assert_ok!(Restaking::undelegate(RuntimeOrigin::signed(N1)));
		let until = Delegations::<Test>::get(N1).unwrap().until.unwrap();
		// Reachable for the bonding duration after it ended.
		start_active_era(until + BONDING_DURATION - 1);
		let s1 = register("oracle");
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(N1), s1, 100),
			Error::<Test>::Delegating
		);
		start_active_era(until + BONDING_DURATION);
		opt_in(N1, s1, 100);
		assert!(Delegations::<Test>::get(N1).is_none());
		assert_eq!(Operators::<Test>::get(VALIDATOR_A).unwrap().delegators, 0);
		MinStakeFloor::set(0);
	});
}

/// Finding 10: a redelegation to an operator in a service the delegator is leaving keeps it
/// there: the exit is cancelled, and the position backs the new operator's service.
#[test]
fn a_redelegation_cancels_the_exit_of_a_service_the_new_operator_is_in() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		set_operator(OPERATOR_B, 5);
		opt_in(OPERATOR_B, s1, 500);
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s1));
		assert_ok!(Restaking::include_service(RuntimeOrigin::signed(N1), s1));
		assert_ok!(Restaking::exclude_service(RuntimeOrigin::signed(N1), s1));
		assert!(Positions::<Test>::get(N1, s1).unwrap().exit.is_some());
		// Excluded services stay excluded across a move: the position keeps leaving.
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		assert!(Positions::<Test>::get(N1, s1).unwrap().exit.is_some());
		// Included again under the new operator: it stays, from now on.
		assert_ok!(Restaking::include_service(RuntimeOrigin::signed(N1), s1));
		assert!(Positions::<Test>::get(N1, s1).unwrap().exit.is_none());
		start_active_era(3);
		assert_eq!(exposure(N1, s1), 400);
	});
}

/// Finding 10, the operator's side: the old operator leaving a service takes its delegators out
/// with it, but a delegator moving to an operator in that service stays in it.
#[test]
fn a_redelegation_keeps_a_position_the_old_operator_was_taking_out() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		set_operator(OPERATOR_B, 5);
		opt_in(OPERATOR_B, s1, 500);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s1));
		next_block();
		assert!(Positions::<Test>::get(N1, s1).unwrap().exit.is_some());
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		assert!(Positions::<Test>::get(N1, s1).unwrap().exit.is_none());
		start_active_era(3);
		// The old operator is gone from the service; the delegator backs it with the new one.
		assert!(Positions::<Test>::get(VALIDATOR_A, s1).is_none());
		assert_eq!(exposure(N1, s1), 400);
		assert_eq!(secured(s1), 900);
	});
}

/// The pages' deadline: a service has at most `MaxOperatorSlashesPerEra` (2) reports against
/// operators with delegators landing in one era. A third is refused by name with nothing
/// written; another service, a report of a restaker without delegators, a cancel that frees a
/// place, and the next era are not held back.
#[test]
fn a_service_at_its_operator_slash_bound_refuses_only_its_own_reports() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		let s2 = register("bridge");
		opt_in(VALIDATOR_A, s2, 1_000);
		opt_in(VALIDATOR_B, s1, 500);
		start_active_era(1);
		let first = crate::NextSlashId::<Test>::get();
		// Two reports of the operator in s1, both landing in era 3.
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 2);
		// A third would land in era 3 too: refused, storage untouched.
		assert_noop!(report(s1, VALIDATOR_A, 0, 0), Error::<Test>::TooManyOperatorSlashes);
		// Another service's report of the same operator, landing in the same era, is not.
		assert_ok!(report(s2, VALIDATOR_A, 0, 1));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s2), 1);
		// Nor is a report of a restaker without delegators: it needs no pages.
		assert_ok!(report(s1, VALIDATOR_B, 0, 1));
		assert_eq!(last_amount(), 50);
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 2);
		// Governance cancels the first: its place is free again.
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), first));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 0));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 2);
		// A report filed in the next era lands in era 4: room again.
		start_active_era(2);
		assert_ok!(report(s2, VALIDATOR_A, 1, 2));
		assert_eq!(OperatorSlashesLanding::<Test>::get(4, s2), 1);
		// Landed and paged, the jobs stop counting.
		start_active_era(3);
		run_jobs(4);
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 0);
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s2), 0);
		assert_eq!(OperatorSlashesLanding::<Test>::get(4, s2), 1);
	});
}

/// Ejections passed on to delegators have no deadline; reports' pages do. With both waiting,
/// a block's budget goes to the report first.
#[test]
fn report_pages_go_before_ejections_passed_on_to_delegators() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		let s2 = register("bridge");
		set_operator(OPERATOR_B, 10);
		opt_in(OPERATOR_B, s2, 1_000);
		delegate(N2, OPERATOR_B, 400);
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		// No pages for a while, so that both jobs wait.
		MaxDelegatorSlashesPerBlock::set(0);
		// A base-layer slash leaves B 50 of 1,000, below s2's minimum of 100: the cascade ejects
		// it, and the ejection is passed on to N2 in pages.
		base_slash(OPERATOR_B, 1, Perbill::from_percent(95));
		next_block();
		assert!(restaking_events().contains(&Event::Ejected { who: OPERATOR_B, service: s2 }));
		let ejection = DelegatorJobs::<Test>::iter()
			.find(|(_, job)| job.lane() == JobLane::Ejections)
			.map(|(id, _)| id)
			.unwrap();
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert_eq!(DelegatorJobs::<Test>::iter().count(), 2);
		// One visit a block: the report's delegator first, though the ejection is older.
		MaxDelegatorSlashesPerBlock::set(1);
		next_block();
		assert_eq!(delegator_slashes(), vec![(N1, 40)]);
		assert!(DelegatorJobs::<Test>::contains_key(ejection));
		run_jobs(4);
		assert!(DelegatorJobs::<Test>::iter().next().is_none());
		// N2 is out of s2 (its own re-sync in the era sweep may have been first).
		assert!(!Positions::<Test>::contains_key(N2, s2));
	});
}

/// `integrity_test` refuses bounds whose reports against operators do not fit the pages of one
/// era: `MaxServices x MaxOperatorSlashesPerEra x (MaxDelegatorsPerOperator + 1)` against
/// `BlocksPerEra x MaxDelegatorSlashesPerBlock`.
#[test]
fn integrity_test_refuses_bounds_whose_pages_do_not_fit_an_era() {
	use frame_support::traits::Hooks;
	type BlockNumber = frame_system::pallet_prelude::BlockNumberFor<Test>;
	let check =
		|| std::panic::catch_unwind(<Restaking as Hooks<BlockNumber>>::integrity_test).is_ok();
	// 8 x 2 x 9 = 144 visits <= 15 blocks x 10: accepted.
	assert_eq!(Restaking::delegator_visits_per_era(), 144);
	assert_eq!(Restaking::delegator_page_capacity(), 150);
	assert!(check());
	// 8 x 3 x 9 = 216 > 150.
	MaxOperatorSlashesPerEra::set(3);
	assert!(!check());
	// 144 > 15 x 9 = 135.
	MaxOperatorSlashesPerEra::set(2);
	MaxDelegatorSlashesPerBlock::set(9);
	assert!(!check());
}

/// A delegator's part of a report lands in the pages of the era after its operator's slash at
/// the latest, so its exposure counts only the stake still there then: unlocking chunks dated at
/// least `era + dispute_window + 2 + WITHDRAW_LEAD`, one era more than for a restaker's own
/// position. The eras below are pallet-staking's (lead 1).
///
/// N1 delegates all of its 500 to A in s1 (window 2) and unbonds it in era 1 (chunk dated 11);
/// B allocates its own 500 to s1 and does the same. In era 6 both count (11 >= 6 + 5); in era 7
/// B's chunk still counts (11 >= 7 + 4) and N1's does not (11 < 7 + 5): N1 is ejected. A report
/// of era 6 lands in era 8 and its page takes 10% of N1's 500 from the chunk.
#[test]
fn a_delegators_exposure_counts_only_stake_its_pages_can_still_reach() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		delegate(N1, VALIDATOR_A, 500);
		opt_in(VALIDATOR_B, s1, 500);
		start_active_era(1);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(VALIDATOR_B)));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(N1), 500));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_B), 1_000));
		// On staking-async (no withdraw lead) every era below is one later.
		let both = 7 - WITHDRAW_LEAD;
		start_active_era(both);
		assert_eq!((exposure(N1, s1), exposure(VALIDATOR_B, s1)), (500, 500));
		assert_ok!(report(s1, VALIDATOR_A, 0, both));
		start_active_era(both + 1);
		assert_eq!((exposure(N1, s1), exposure(VALIDATOR_B, s1)), (0, 500));
		assert!(!Positions::<Test>::contains_key(N1, s1));
		start_active_era(both + 2);
		run_jobs(4);
		assert_eq!(bonded(N1), 450);
	});
}

/// `set_delegation`: a raise counts from the next era in every service the delegation backs; a
/// decrease waits each service's exit delay; an excluded (leaving) service is left alone; every
/// refusal by name with nothing written.
#[test]
fn set_delegation_raises_from_the_next_era_and_lowers_at_the_exit_delay() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		let s2 = register("bridge");
		opt_in(VALIDATOR_A, s2, 600);
		start_active_era(1);
		assert_eq!((exposure(N1, s1), exposure(N1, s2)), (400, 400));
		restaking_events();
		// Raise to 500 (N1 bonds 500): from era 2 in both services.
		assert_ok!(Restaking::set_delegation(RuntimeOrigin::signed(N1), 500));
		assert_eq!(Delegations::<Test>::get(N1).unwrap().amount, 500);
		assert_eq!((allocation_in(N1, s1, 1), allocation_in(N1, s1, 2)), (400, 500));
		assert_eq!((allocation_in(N1, s2, 1), allocation_in(N1, s2, 2)), (400, 500));
		assert_eq!(crate::Restakers::<Test>::get(N1).unwrap().total_allocated, 1_000);
		assert_eq!(restaking_events().last(), Some(&Event::DelegationSet { who: N1, amount: 500 }));
		// Refusals, storage untouched.
		let signed = RuntimeOrigin::signed(N1);
		assert_noop!(
			Restaking::set_delegation(signed.clone(), 500),
			Error::<Test>::AllocationUnchanged
		);
		assert_noop!(Restaking::set_delegation(signed.clone(), 0), Error::<Test>::ZeroAllocation);
		assert_noop!(
			Restaking::set_delegation(signed.clone(), 600),
			Error::<Test>::InsufficientStake
		);
		assert_noop!(Restaking::set_delegation(signed.clone(), 50), Error::<Test>::BelowMinStake);
		assert_noop!(
			Restaking::set_delegation(RuntimeOrigin::signed(N2), 300),
			Error::<Test>::NotDelegating
		);
		// N1 excludes s2 (leaving at era 4), then lowers to 300: s1 only, at era 2 + 2 = 4.
		start_active_era(2);
		assert_ok!(Restaking::exclude_service(signed.clone(), s2));
		assert_ok!(Restaking::set_delegation(signed.clone(), 300));
		let position = Positions::<Test>::get(N1, s1).unwrap();
		assert_eq!(position.exit.map(|e| (e.target, e.release_era)), Some((300, 4)));
		let position = Positions::<Test>::get(N1, s2).unwrap();
		assert_eq!(position.exit.map(|e| (e.target, e.release_era)), Some((0, 4)));
		assert_eq!(exposure(N1, s1), 500);
		start_active_era(4);
		assert_eq!(exposure(N1, s1), 300);
		assert_eq!(Positions::<Test>::get(N1, s2), None);
		// An undelegation in progress refuses it.
		assert_ok!(Restaking::undelegate(signed.clone()));
		assert_noop!(Restaking::set_delegation(signed, 400), Error::<Test>::UndelegationInProgress);
	});
}

/// A redelegation after a decrease keeps it: the position in a service both operators are in
/// is lowered at its release era, not left at the old amount.
#[test]
fn a_redelegation_keeps_a_scheduled_decrease_of_the_delegation() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		set_operator(OPERATOR_B, 10);
		opt_in(OPERATOR_B, s1, 1_000);
		start_active_era(1);
		assert_ok!(Restaking::set_delegation(RuntimeOrigin::signed(N1), 200));
		assert_ok!(Restaking::redelegate(RuntimeOrigin::signed(N1), OPERATOR_B));
		let position = Positions::<Test>::get(N1, s1).unwrap();
		assert_eq!(position.exit.map(|e| (e.target, e.release_era)), Some((200, 3)));
		start_active_era(3);
		assert_eq!(exposure(N1, s1), 200);
		assert_eq!(Delegations::<Test>::get(N1).unwrap().amount, 200);
	});
}

/// An operator's opt-in and opt-out cost the same with any number of delegators: they leave a
/// job, and its pages (after any report's) carry the delegators along in `on_initialize`. A
/// delegator follows from the era after its page; an opt-out takes it out with the operator.
#[test]
fn an_operators_moves_reach_its_delegators_in_pages_at_a_cost_independent_of_them() {
	world().build_and_execute(|| {
		let s1 = oracle_with_n1();
		for who in [N2, N3, N4, N5] {
			delegate(who, VALIDATOR_A, 400);
		}
		let s2 = register("bridge");
		let info = Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), s2, 600).unwrap();
		assert_eq!(
			info.actual_weight,
			Some(Restaking::opt_in_weight() + Restaking::fan_out_weight())
		);
		// Nobody followed yet: one job waits.
		assert!([N1, N2, N3, N4, N5].iter().all(|who| !Positions::<Test>::contains_key(who, s2)));
		assert_eq!(DelegatorJobs::<Test>::iter().count(), 1);
		// Two visits a block: the 5 delegators and the closing page take 3 blocks.
		MaxDelegatorSlashesPerBlock::set(2);
		next_block();
		let followed = || {
			[N1, N2, N3, N4, N5].iter().filter(|w| Positions::<Test>::contains_key(w, s2)).count()
		};
		assert_eq!(followed(), 2);
		run_jobs(4);
		assert_eq!(followed(), 5);
		assert_eq!((allocation_in(N1, s2, 0), allocation_in(N1, s2, 1)), (0, 400));
		// The opt-out: each delegator leaves with the operator, at era 0 + 2.
		MaxDelegatorSlashesPerBlock::set(10);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), s1));
		next_block();
		for who in [N1, N2, N3, N4, N5] {
			let exit = Positions::<Test>::get(who, s1).unwrap().exit.unwrap();
			assert_eq!((exit.target, exit.release_era), (0, 2));
		}
		start_active_era(2);
		// The era sweep re-syncs 4 restakers a block: the operator and 5 delegators take two.
		next_block();
		assert_eq!(secured(s1), 0);
		assert_eq!(secured(s2), 600 + 5 * 400);
	});
}
