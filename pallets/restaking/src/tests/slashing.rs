use super::mock::*;
use crate::{
	BreakerState, DueSlashes, Error, Event, PendingSlash, Positions, ServiceSlashes, Slashes,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

/// Register an oracle with VALIDATOR_A in it at 1,000, and make era 1 active.
fn oracle_with_validator_a() -> u32 {
	let id = register("oracle");
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
	start_active_era(1);
	restaking_events();
	id
}

/// The oracle of [`oracle_with_validator_a`], which A opts out of in era 1 and leaves for good
/// in era 3, when its exit delay has passed.
fn oracle_left_by_validator_a_in_era_3() -> u32 {
	let id = oracle_with_validator_a();
	assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
	// The era sweep releases it at the start of era 3.
	start_active_era(3);
	assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
	id
}

#[test]
fn report_schedules_the_rule_fraction_of_the_exposure() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		let expected = PendingSlash {
			service: id,
			offender: VALIDATOR_A,
			rule: 0,
			eject: false,
			offence_era: 1,
			reported_era: 1,
			apply_era: 3,
			amount: 100,
			breaker: BreakerState::Within,
		};
		assert_eq!(Slashes::<Test>::get(0), Some(expected));
		assert_eq!(ServiceSlashes::<Test>::get(id).into_inner(), vec![0]);
		assert_eq!(DueSlashes::<Test>::iter_keys().collect::<Vec<_>>(), vec![(3, 0)]);
		assert_eq!(
			restaking_events(),
			vec![Event::SlashScheduled {
				slash_id: 0,
				service: id,
				offender: VALIDATOR_A,
				rule: 0,
				offence_era: 1,
				amount: 100,
				apply_era: 3,
			}]
		);
		// Nothing is taken before the dispute window passes.
		assert_eq!(bonded(VALIDATOR_A), 1_000);
	});
}

#[test]
fn only_the_slasher_account_reports() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_noop!(
			Restaking::report_offence(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A, 0, 1),
			Error::<Test>::NotSlasher
		);
		assert_noop!(
			Restaking::report_offence(RuntimeOrigin::root(), id, VALIDATOR_A, 0, 1),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn reports_with_bad_service_rule_or_offender_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_noop!(report(id + 1, VALIDATOR_A, 0, 1), Error::<Test>::UnknownService);
		assert_noop!(report(id, VALIDATOR_A, 2, 1), Error::<Test>::UnknownRule);
		assert_noop!(report(id, UNBONDED, 0, 1), Error::<Test>::NotBonded);
		assert_noop!(report(id, VALIDATOR_B, 0, 1), Error::<Test>::NotOptedIn);
	});
}

#[test]
fn offences_outside_the_report_window_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		start_active_era(5);
		assert_noop!(report(id, VALIDATOR_A, 0, 6), Error::<Test>::OffenceInFuture);
		assert_noop!(
			report(id, VALIDATOR_A, 0, 5 - REPORT_WINDOW - 1),
			Error::<Test>::OffenceTooOld
		);
		assert_ok!(report(id, VALIDATOR_A, 0, 5 - REPORT_WINDOW));
	});
}

#[test]
fn offences_before_joining_the_service_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		start_active_era(2);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		assert_noop!(report(id, VALIDATOR_A, 0, 1), Error::<Test>::NotExposedAtEra);
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
	});
}

#[test]
fn offences_after_the_release_era_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		hold_sweep_until(3);
		start_active_era(3);
		// Released from era 3, even though nobody completed the exit yet.
		assert_noop!(report(id, VALIDATOR_A, 0, 3), Error::<Test>::NotExposedAtEra);
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
		assert_ok!(Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A));
		assert_noop!(report(id, VALIDATOR_A, 1, 3), Error::<Test>::NotExposedAtEra);
		assert_noop!(report(id, STRANGER, 0, 2), Error::<Test>::NotBonded);
		assert_noop!(report(id, VALIDATOR_B, 0, 2), Error::<Test>::NotOptedIn);
	});
}

#[test]
fn completing_an_exit_does_not_escape_a_later_report() {
	ExtBuilder::default().build_and_execute(|| {
		// The offence happens in era 2, still before the release at era 3.
		let id = oracle_left_by_validator_a_in_era_3();
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		assert_ok!(report(id, VALIDATOR_A, 1, 2));
		assert_eq!(Slashes::<Test>::get(0).unwrap().amount, 500);
		start_active_era(5);
		assert_eq!(bonded(VALIDATOR_A), 500);
	});
}

#[test]
fn rejoining_waits_until_earlier_offences_are_out_of_the_window() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_left_by_validator_a_in_era_3();
		// An offence of era 2 can be reported until era 2 + REPORT_WINDOW = 5.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000),
			Error::<Test>::RecentlyExited
		);
		start_active_era(3 + REPORT_WINDOW);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		assert_noop!(report(id, VALIDATOR_A, 0, 2 + REPORT_WINDOW), Error::<Test>::NotExposedAtEra);
	});
}

#[test]
fn an_ejected_restaker_is_still_slashed_for_earlier_offences() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		// Rule 1 ejects; an offence of the next era under rule 0 comes later.
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		start_active_era(3);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		// Max, not sum: the era-1 offence already slashed 50%, rule 0 (10%) adds nothing.
		assert_noop!(report(id, VALIDATOR_A, 0, 1), Error::<Test>::OffenceAlreadySlashed);
		// Era 2 is another offence, from before the ejection took effect.
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
		// 10% of what backed the service then (1,000), capped by the 500 still bonded.
		assert_eq!(Slashes::<Test>::get(1).unwrap().amount, 50);
	});
}

#[test]
fn raising_an_allocation_after_an_offence_does_not_raise_its_slash() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 100));
		start_active_era(1);
		start_active_era(2);
		assert_ok!(Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(Slashes::<Test>::get(0).unwrap().amount, 50);
		// The raise counts from era 3: era 2 was still backed by 100.
		assert_ok!(report(id, VALIDATOR_A, 1, 2));
		assert_eq!(Slashes::<Test>::get(1).unwrap().amount, 50);
	});
}

#[test]
fn stake_withdrawable_before_the_slash_lands_is_not_counted() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(NOMINATOR), id, 500));
		// Unbonded in era 0: withdrawable from era BONDING_DURATION.
		assert_ok!(Staking::chill(RuntimeOrigin::signed(NOMINATOR)));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(NOMINATOR), 500));
		start_active_era(BONDING_DURATION - 1);
		// A slash reported now would land two eras later, after the chunk can be withdrawn:
		// an offence of era 7, when it still backed the service, collects nothing.
		assert_noop!(report(id, NOMINATOR, 1, 7), Error::<Test>::NothingToSlash);
	});
}

#[test]
fn the_same_offence_cannot_be_reported_twice() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_noop!(report(id, VALIDATOR_A, 0, 1), Error::<Test>::DuplicateOffence);
		// Another rule, or another era, is another offence.
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_ok!(report(id, VALIDATOR_A, 0, 0));
	});
}

#[test]
fn pending_slashes_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		MaxPendingSlashesPerService::set(2);
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_noop!(report(id, VALIDATOR_A, 0, 0), Error::<Test>::TooManyPendingSlashes);
	});
}

#[test]
fn governance_cancels_a_slash_during_its_dispute_window() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		restaking_events();
		assert_noop!(
			Restaking::cancel_slash(RuntimeOrigin::signed(SLASHER), 0),
			DispatchError::BadOrigin
		);
		start_active_era(2);
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 0));
		assert_eq!(restaking_events(), vec![Event::SlashCancelled { slash_id: 0 }]);
		assert_eq!(Slashes::<Test>::get(0), None);
		assert!(ServiceSlashes::<Test>::get(id).is_empty());
		assert_eq!(DueSlashes::<Test>::iter().count(), 0);
		assert_noop!(
			Restaking::cancel_slash(RuntimeOrigin::root(), 0),
			Error::<Test>::UnknownSlash
		);
		start_active_era(4);
		assert_eq!(bonded(VALIDATOR_A), 1_000);
	});
}

#[test]
fn a_slash_cannot_be_cancelled_once_its_window_closed() {
	ExtBuilder::default().build_and_execute(|| {
		MaxSlashesPerBlock::set(1);
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_ok!(report(id, VALIDATOR_A, 0, 0));
		// Era 3 applies one slash in its first block; the other is due but not yet applied.
		start_active_era(3);
		let waiting: Vec<_> = Slashes::<Test>::iter_keys().collect();
		assert_eq!(waiting.len(), 1);
		assert_noop!(
			Restaking::cancel_slash(RuntimeOrigin::root(), waiting[0]),
			Error::<Test>::DisputeWindowClosed
		);
	});
}

#[test]
fn a_due_slash_lands_through_pallet_staking_at_the_era_boundary() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		restaking_events();
		let hold_before = staking_hold(VALIDATOR_A);
		start_active_era(2);
		assert_eq!(bonded(VALIDATOR_A), 1_000);

		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert_eq!(staking_hold(VALIDATOR_A), hold_before - 100);
		assert!(staking_slashed_events().contains(&(VALIDATOR_A, 100)));
		assert_eq!(ServiceSlashed::get(), 100);
		let events = restaking_events();
		assert_eq!(
			events[0],
			Event::SlashApplied { slash_id: 0, service: id, offender: VALIDATOR_A, amount: 100 }
		);
		assert!(events.contains(&Event::ExposureReduced {
			who: VALIDATOR_A,
			service: id,
			amount: 100,
			exposure: 900
		}));
		assert_eq!(secured(id), 900);
		assert!(Slashes::<Test>::get(0).is_none());
	});
}

#[test]
fn apply_slash_is_refused_before_the_window_and_works_for_anyone_after() {
	ExtBuilder::default().build_and_execute(|| {
		MaxSlashesPerBlock::set(1);
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_ok!(report(id, VALIDATOR_A, 0, 0));
		assert_noop!(
			Restaking::apply_slash(RuntimeOrigin::signed(STRANGER), 1),
			Error::<Test>::SlashNotDue
		);
		start_active_era(3);
		// The automatic path took one slash in this block; the other waits its turn.
		assert_eq!(bonded(VALIDATOR_A), 900);
		let waiting = Slashes::<Test>::iter_keys().next().unwrap();
		assert_ok!(Restaking::apply_slash(RuntimeOrigin::signed(STRANGER), waiting));
		// 10% of the exposure at report time, 1,000.
		assert_eq!(bonded(VALIDATOR_A), 800);
		assert_noop!(
			Restaking::apply_slash(RuntimeOrigin::signed(STRANGER), waiting),
			Error::<Test>::UnknownSlash
		);
	});
}

#[test]
fn due_slashes_beyond_the_per_block_bound_carry_over() {
	ExtBuilder::default().build_and_execute(|| {
		MaxSlashesPerBlock::set(2);
		let id = register("oracle");
		for who in [VALIDATOR_A, VALIDATOR_B, VALIDATOR_C] {
			assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(who), id, 500));
		}
		start_active_era(1);
		for who in [VALIDATOR_A, VALIDATOR_B, VALIDATOR_C] {
			assert_ok!(report(id, who, 0, 1));
		}
		let total = || bonded(VALIDATOR_A) + bonded(VALIDATOR_B) + bonded(VALIDATOR_C);
		start_active_era(3);
		// Two of the three 50s landed in the era's first block; the third waits a block.
		assert_eq!(Slashes::<Test>::iter().count(), 1);
		assert_eq!(total(), 2_500 - 100);
		next_block();
		assert_eq!(Slashes::<Test>::iter().count(), 0);
		assert_eq!(total(), 2_500 - 150);
	});
}

#[test]
fn an_ejecting_rule_removes_the_offender_from_the_service() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 500);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		assert_eq!(secured(id), 0);
		let events = restaking_events();
		assert!(events.contains(&Event::Ejected { who: VALIDATOR_A, service: id }));
	});
}

#[test]
fn a_slash_never_takes_more_than_the_stake_left() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with_validator_a();
		// Two 50% reports against 1,000 of exposure, and a base-layer slash in between.
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_ok!(report(id, VALIDATOR_A, 1, 0));
		base_slash(VALIDATOR_A, 1, sp_runtime::Perbill::from_percent(60));
		assert_eq!(bonded(VALIDATOR_A), 400);
		start_active_era(3);
		next_block();
		// 500 + 500 scheduled, 400 left: the ledger is emptied, nothing more.
		assert_eq!(bonded(VALIDATOR_A), 0);
		assert_eq!(ServiceSlashed::get(), 400);
	});
}

#[test]
fn a_pending_slash_survives_the_offenders_exit() {
	ExtBuilder::default().build_and_execute(|| {
		let mut params = service_params("oracle");
		params.exit_delay = 1;
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		let id = 0;
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		start_active_era(1);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		start_active_era(2);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 900);
	});
}

#[test]
fn stake_unbonded_after_an_offence_is_still_slashed_and_cannot_be_withdrawn() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(NOMINATOR), id, 500));
		start_active_era(1);
		assert_ok!(report(id, NOMINATOR, 1, 1));
		// Right after the offence the nominator unbonds everything.
		assert_ok!(Staking::chill(RuntimeOrigin::signed(NOMINATOR)));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(NOMINATOR), 500));
		let ledger = StakingLedgers::get(NOMINATOR).unwrap();
		assert_eq!((ledger.active, ledger.unlocking.len()), (0, 1));
		assert_eq!(exposure(NOMINATOR, id), 500);

		// The slash lands from the unlocking chunk.
		start_active_era(3);
		let ledger = StakingLedgers::get(NOMINATOR).unwrap();
		assert_eq!(ledger.total, 250);
		assert_eq!(ledger.unlocking[0].value, 250);
		assert!(staking_slashed_events().contains(&(NOMINATOR, 250)));

		// When the chunk unlocks only what the slash left can be withdrawn.
		let free_before = Balances::free_balance(NOMINATOR);
		start_active_era(1 + BONDING_DURATION);
		assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(NOMINATOR), 0));
		assert_eq!(Balances::free_balance(NOMINATOR), free_before + 250);
		assert_eq!(staking_hold(NOMINATOR), 0);
		assert_eq!(
			<Balances as frame_support::traits::fungible::Inspect<_>>::total_balance(&NOMINATOR),
			1_000 + 250
		);

		// Rule 1 ejected it when the slash landed: it is out of the service, which has no
		// exposure left.
		next_block();
		assert_eq!(Positions::<Test>::get(NOMINATOR, id), None);
		assert_eq!(secured(id), 0);
	});
}
