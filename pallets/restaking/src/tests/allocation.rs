use super::mock::*;
use crate::{Error, Event, Exit, Position, Positions, Restakers, Services};
use frame_support::{assert_noop, assert_ok};

#[test]
fn opt_in_allocates_bonded_stake_to_a_service() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		restaking_events();
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 600));
		assert_eq!(
			Positions::<Test>::get(VALIDATOR_A, id),
			Some(Position {
				allocation: 600,
				exposure: 600,
				joined_era: 0,
				exit: None,
				reward_debt: 0,
				history: vec![(0, 600)].try_into().unwrap(),
				// 50% (the worst rule) of 600.
				claim: 300,
				// The whole 1,000 is bonded and backs it from era 0.
				backing: vec![(0, 1_000)].try_into().unwrap(),
			})
		);
		let info = Services::<Test>::get(id).unwrap();
		assert_eq!((info.total_secured, info.restakers), (600, 1));
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().total_allocated, 600);
		assert_eq!(
			restaking_events(),
			vec![Event::OptedIn { who: VALIDATOR_A, service: id, amount: 600 }]
		);
		// Nothing moves in staking: the stake is shared, not copied.
		assert_eq!(bonded(VALIDATOR_A), 1_000);
	});
}

#[test]
fn the_same_stake_backs_several_services() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = (register("oracle"), register("bridge"));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), a, 1_000));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), b, 1_000));
		assert_eq!((secured(a), secured(b)), (1_000, 1_000));
	});
}

#[test]
fn opt_in_refuses_a_stash_that_is_not_bonded() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(UNBONDED), id, 500),
			Error::<Test>::NotBonded
		);
	});
}

#[test]
fn opt_in_refuses_unknown_services_zero_and_amounts_below_min_stake() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id + 1, 500),
			Error::<Test>::UnknownService
		);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 0),
			Error::<Test>::ZeroAllocation
		);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 99),
			Error::<Test>::BelowMinStake
		);
	});
}

#[test]
fn opt_in_refuses_more_than_the_active_stake() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_001),
			Error::<Test>::InsufficientStake
		);
	});
}

#[test]
fn leverage_cap_bounds_the_sum_of_allocations() {
	ExtBuilder::default().build_and_execute(|| {
		let ids: Vec<_> = (0..4).map(|i| register(&format!("s{i}"))).collect();
		for id in &ids[..3] {
			assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), *id, 1_000));
		}
		// 3 x 1,000 is the cap: not one unit more.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), ids[3], 100),
			Error::<Test>::LeverageExceeded
		);
	});
}

#[test]
fn services_per_restaker_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		let ids: Vec<_> = (0..5).map(|i| register(&format!("s{i}"))).collect();
		for id in &ids[..4] {
			assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), *id, 100));
		}
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), ids[4], 100),
			Error::<Test>::TooManyServices
		);
	});
}

#[test]
fn validators_only_service_refuses_other_stashes() {
	ExtBuilder::default().staker(41, 1_000, StakerStatus::Idle).build_and_execute(|| {
		let mut params = service_params("sequencer");
		params.validators_only = true;
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(NOMINATOR), 0, 200),
			Error::<Test>::NotValidator
		);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(41), 0, 200),
			Error::<Test>::NotValidator
		);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_C), 0, 200));
	});
}

#[test]
fn opting_in_twice_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500));
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 200),
			Error::<Test>::AlreadyOptedIn
		);
	});
}

#[test]
fn raising_an_allocation_counts_from_the_next_era_within_the_cap() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500));
		assert_ok!(Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().total_allocated, 800);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (500, 500));
		start_active_era(1);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (800, 800));
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 1_001),
			Error::<Test>::InsufficientStake
		);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 800),
			Error::<Test>::AllocationUnchanged
		);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_B), id, 800),
			Error::<Test>::NotOptedIn
		);
	});
}

#[test]
fn lowering_an_allocation_waits_for_the_exit_delay() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		assert_ok!(Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 300));
		assert_eq!(
			Positions::<Test>::get(VALIDATOR_A, id).unwrap().exit,
			Some(Exit { target: 300, release_era: 2 })
		);
		assert_eq!(secured(id), 800);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 99),
			Error::<Test>::BelowMinStake
		);
		start_active_era(1);
		assert_noop!(
			Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A),
			Error::<Test>::ExitDelayNotPassed
		);
		// Released by a call here; on a chain the era sweep does it if nobody calls.
		hold_sweep_until(2);
		start_active_era(2);
		restaking_events();
		assert_ok!(Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A));
		assert_eq!(exposure(VALIDATOR_A, id), 300);
		assert_eq!(secured(id), 300);
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().total_allocated, 300);
		assert_eq!(
			restaking_events(),
			vec![
				Event::AllocationDecreased { who: VALIDATOR_A, service: id, amount: 300 },
				Event::ExposureReduced {
					who: VALIDATOR_A,
					service: id,
					amount: 500,
					exposure: 300
				},
			]
		);
	});
}

#[test]
fn setting_the_current_allocation_again_cancels_a_scheduled_decrease() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		assert_ok!(Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 300));
		assert_ok!(Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id).unwrap().exit, None);
	});
}

#[test]
fn opt_out_releases_the_allocation_only_after_the_exit_delay() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		restaking_events();
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		assert_eq!(
			restaking_events(),
			vec![Event::OptOutScheduled { who: VALIDATOR_A, service: id, release_era: 2 }]
		);
		assert_noop!(
			Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id),
			Error::<Test>::ExitInProgress
		);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 900),
			Error::<Test>::ExitInProgress
		);
		// Still secured, and still slashable, during the exit delay.
		start_active_era(1);
		assert_eq!(secured(id), 800);
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(SLASHER),
			id,
			VALIDATOR_A,
			0,
			1
		));
		assert_noop!(
			Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A),
			Error::<Test>::ExitDelayNotPassed
		);

		hold_sweep_until(2);
		start_active_era(2);
		assert_ok!(Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A));
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A), None);
		let info = Services::<Test>::get(id).unwrap();
		assert_eq!((info.total_secured, info.restakers), (0, 0));
		assert!(restaking_events().contains(&Event::OptedOut { who: VALIDATOR_A, service: id }));
	});
}

#[test]
fn completing_an_exit_needs_a_scheduled_one() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_noop!(
			Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A),
			Error::<Test>::NotOptedIn
		);
		assert_noop!(
			Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id),
			Error::<Test>::NotOptedIn
		);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		assert_noop!(
			Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A),
			Error::<Test>::NoExitScheduled
		);
	});
}

#[test]
fn a_released_stash_can_opt_in_again() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		// Released by the era sweep: nobody needs to call `complete_opt_out`.
		start_active_era(2);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		// Offences of era 1 stay reportable until era 1 + REPORT_WINDOW.
		start_active_era(2 + REPORT_WINDOW);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 400));
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id).unwrap().joined_era, 2 + REPORT_WINDOW);
	});
}
