use super::mock::*;
use crate::{Error, Event, PendingRuleChanges, RuleChange, ServiceStatus, Services, Slashes};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Perbill};

#[test]
fn register_service_stores_it_active_and_emits() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		let info = Services::<Test>::get(id).unwrap();
		assert_eq!(info.params, service_params("oracle"));
		assert_eq!(info.status, ServiceStatus::Active);
		assert_eq!((info.total_secured, info.restakers), (0, 0));
		assert_eq!(
			restaking_events(),
			vec![Event::ServiceRegistered { service: id, slasher: SLASHER }]
		);
		assert_eq!(register("bridge"), id + 1);
	});
}

#[test]
fn service_calls_need_the_service_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Restaking::register_service(RuntimeOrigin::signed(STRANGER), service_params("x")),
			DispatchError::BadOrigin
		);
		let id = register("oracle");
		assert_noop!(
			Restaking::update_service(RuntimeOrigin::signed(SLASHER), id, service_params("y")),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Restaking::set_service_status(
				RuntimeOrigin::signed(SLASHER),
				id,
				ServiceStatus::Paused
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn registration_refuses_windows_that_reach_the_bonding_duration() {
	ExtBuilder::default().build_and_execute(|| {
		// REPORT_WINDOW (3) + dispute window + one era for delegator pages + the withdraw lead
		// (one era on pallet-staking, none on staking-async) must stay below BONDING_DURATION
		// (10): 4 at most on pallet-staking, 5 on staking-async.
		let mut params = service_params("oracle");
		params.dispute_window = BONDING_DURATION - REPORT_WINDOW - 1 - WITHDRAW_LEAD;
		assert_eq!(params.dispute_window, 6 - WITHDRAW_LEAD);
		assert_noop!(
			Restaking::register_service(RuntimeOrigin::root(), params.clone()),
			Error::<Test>::WindowsExceedBondingDuration
		);
		params.dispute_window -= 1;
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params.clone()));
		params.dispute_window += 1;
		assert_noop!(
			Restaking::update_service(RuntimeOrigin::root(), 0, params),
			Error::<Test>::WindowsExceedBondingDuration
		);
	});
}

#[test]
fn registration_refuses_a_rule_that_slashes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let mut params = service_params("oracle");
		params.rules[0].fraction = Perbill::zero();
		assert_noop!(
			Restaking::register_service(RuntimeOrigin::root(), params),
			Error::<Test>::ZeroFraction
		);
	});
}

#[test]
fn registration_is_bounded_by_max_services() {
	ExtBuilder::default().build_and_execute(|| {
		for i in 0..8 {
			register(&format!("s{i}"));
		}
		assert_noop!(
			Restaking::register_service(RuntimeOrigin::root(), service_params("one too many")),
			Error::<Test>::TooManyRegisteredServices
		);
	});
}

#[test]
fn update_service_replaces_params_but_never_loosens_pending_slashes() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		start_active_era(1);
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(SLASHER),
			id,
			VALIDATOR_A,
			0,
			1
		));
		let before = Slashes::<Test>::get(0).unwrap();
		assert_eq!(before.amount, 100);

		let mut looser = service_params("oracle v2");
		looser.rules[0].fraction = Perbill::from_percent(1);
		looser.dispute_window = 4;
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), id, looser.clone()));
		// The gentler rule applies at once; the dispute window change waits the exit delay
		// (2 eras), since a longer window changes what a slash can reach.
		let mut now = looser.clone();
		now.dispute_window = 2;
		assert_eq!(Services::<Test>::get(id).unwrap().params, now);
		assert_eq!(
			PendingRuleChanges::<Test>::get(id),
			Some(RuleChange { params: looser.clone(), effective_era: 3 })
		);
		assert_eq!(Slashes::<Test>::get(0).unwrap(), before);

		start_active_era(before.apply_era);
		assert_eq!(before.apply_era, 3);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert_eq!(Services::<Test>::get(id).unwrap().params, looser);
		assert_eq!(PendingRuleChanges::<Test>::get(id), None);
	});
}

#[test]
fn update_and_status_of_an_unknown_service_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Restaking::update_service(RuntimeOrigin::root(), 7, service_params("x")),
			Error::<Test>::UnknownService
		);
		assert_noop!(
			Restaking::set_service_status(RuntimeOrigin::root(), 7, ServiceStatus::Paused),
			Error::<Test>::UnknownService
		);
	});
}

#[test]
fn paused_service_refuses_opt_ins_raises_and_reports_but_lets_restakers_leave() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500));
		assert_ok!(Restaking::set_service_status(RuntimeOrigin::root(), id, ServiceStatus::Paused));
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 500),
			Error::<Test>::ServicePaused
		);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 600),
			Error::<Test>::ServicePaused
		);
		assert_noop!(
			Restaking::report_offence(RuntimeOrigin::signed(SLASHER), id, VALIDATOR_A, 0, 0),
			Error::<Test>::ServicePaused
		);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));

		assert_ok!(Restaking::set_service_status(RuntimeOrigin::root(), id, ServiceStatus::Active));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 500));
	});
}

#[test]
fn retired_service_takes_nothing_new_and_cannot_be_resumed() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::set_service_status(
			RuntimeOrigin::root(),
			id,
			ServiceStatus::Retired
		));
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500),
			Error::<Test>::ServiceRetired
		);
		assert_noop!(
			Restaking::set_service_status(RuntimeOrigin::root(), id, ServiceStatus::Active),
			Error::<Test>::AlreadyRetired
		);
		assert_noop!(
			Restaking::update_service(RuntimeOrigin::root(), id, service_params("again")),
			Error::<Test>::ServiceRetired
		);
	});
}

/// The runtime's floor on `min_stake`: registering or updating below it is refused by name and
/// changes nothing; at the floor it is accepted. The mock's service has `min_stake` 100.
#[test]
fn min_stake_below_the_runtime_floor_is_refused() {
	struct Floor;
	impl Drop for Floor {
		fn drop(&mut self) {
			MinStakeFloor::set(0);
		}
	}
	let _floor = Floor;
	MinStakeFloor::set(150);
	ExtBuilder::default().build_and_execute(|| {
		let mut params = service_params("oracle");
		assert_noop!(
			Restaking::register_service(RuntimeOrigin::root(), params.clone()),
			Error::<Test>::MinStakeBelowFloor
		);
		params.min_stake = 150;
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params.clone()));
		let id = 0;
		params.min_stake = 149;
		assert_noop!(
			Restaking::update_service(RuntimeOrigin::root(), id, params),
			Error::<Test>::MinStakeBelowFloor
		);
		assert_eq!(Services::<Test>::get(id).unwrap().params.min_stake, 150);
	});
}
