//! The slashing guarantees a service buys, each tried the way an attacker would: a restaker that
//! wants to keep its stake, a slasher that wants to block other services, and stake shown to a
//! service that no slash could collect. Mock world: `ReportWindow` 3, `BondingDuration` 10,
//! 15 blocks an era; rule 0 slashes 10%, rule 1 50% and ejects; exit delay and dispute window
//! 2 eras.

use super::mock::*;
use crate::{
	DepartureExpiries, Departures, DueSlashes, Error, Event, Positions, Restakers, ServiceSlashes,
};
use frame_support::{assert_noop, assert_ok, traits::Hooks, weights::Weight};
use sp_runtime::{DispatchError, Perbill};

// 1. One service can never block another.

#[test]
fn a_service_at_its_slash_bound_blocks_only_itself() {
	ExtBuilder::default().build_and_execute(|| {
		let flooder = register("flooder");
		let oracle = register_with_slasher("oracle", STRANGER);
		opt_in(VALIDATOR_A, flooder, 1_000);
		opt_in(VALIDATOR_A, oracle, 1_000);
		start_active_era(1);
		// The flooder fills its own bound (4 in the mock) ...
		for (rule, era) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
			assert_ok!(report(flooder, VALIDATOR_A, rule, era));
		}
		assert_eq!(ServiceSlashes::<Test>::get(flooder).len(), 4);
		opt_in(VALIDATOR_B, flooder, 1_000);
		assert_noop!(report(flooder, VALIDATOR_B, 0, 1), Error::<Test>::TooManyPendingSlashes);
		// ... and the oracle's valid report is accepted all the same: 10% of 1,000.
		assert_ok!(report_by(STRANGER, oracle, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 100);
		assert_eq!(ServiceSlashes::<Test>::get(oracle).into_inner(), vec![4]);
	});
}

#[test]
fn a_report_that_would_slash_nothing_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let mut params = service_params("dust");
		params.rules = vec![rule("one-ppb", 0, false)].try_into().unwrap();
		params.rules[0].fraction = Perbill::from_parts(1);
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		opt_in(VALIDATOR_A, 0, 1_000);
		// 1 ppb of 1,000 rounds down to 0: such a report could only fill the service's bound.
		assert_noop!(report(0, VALIDATOR_A, 0, 0), Error::<Test>::NothingToSlash);
	});
}

#[test]
fn governance_cancels_every_pending_slash_of_a_compromised_service_in_one_call() {
	ExtBuilder::default().build_and_execute(|| {
		let compromised = register("compromised");
		let oracle = register_with_slasher("oracle", STRANGER);
		for who in [VALIDATOR_A, VALIDATOR_B, VALIDATOR_C] {
			opt_in(who, compromised, 500);
		}
		opt_in(VALIDATOR_A, oracle, 500);
		start_active_era(1);
		for who in [VALIDATOR_A, VALIDATOR_B, VALIDATOR_C] {
			assert_ok!(report(compromised, who, 1, 1));
		}
		assert_ok!(report_by(STRANGER, oracle, VALIDATOR_A, 0, 1));
		restaking_events();

		assert_noop!(
			Restaking::cancel_all_slashes(RuntimeOrigin::signed(SLASHER), compromised),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Restaking::cancel_all_slashes(RuntimeOrigin::root(), 9),
			Error::<Test>::UnknownService
		);
		assert_ok!(Restaking::cancel_all_slashes(RuntimeOrigin::root(), compromised));
		assert_eq!(
			restaking_events(),
			vec![
				Event::SlashCancelled { slash_id: 0 },
				Event::SlashCancelled { slash_id: 1 },
				Event::SlashCancelled { slash_id: 2 },
				Event::AllSlashesCancelled { service: compromised, count: 3 },
			]
		);
		assert!(ServiceSlashes::<Test>::get(compromised).is_empty());
		// The other service's slash is untouched and lands: 10% of 500.
		assert_eq!(ServiceSlashes::<Test>::get(oracle).into_inner(), vec![3]);
		// The reports are treated as never made: after rotating the slasher, a real offence
		// among them can be reported again; a single cancelled slash cannot.
		let mut rotated = service_params("compromised");
		rotated.slasher = 98;
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), compromised, rotated));
		assert_ok!(report_by(98, compromised, VALIDATOR_C, 1, 1));
		assert_eq!(last_amount(), 250);
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 4));
		assert_noop!(
			report_by(98, compromised, VALIDATOR_C, 1, 1),
			Error::<Test>::DuplicateOffence
		);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 950);
		assert_eq!((bonded(VALIDATOR_B), bonded(VALIDATOR_C)), (1_000, 500));
	});
}

#[test]
fn a_full_backlog_of_every_service_lands_within_its_era() {
	let mut builder = ExtBuilder::default();
	for who in 201..=208 {
		builder = builder.staker(who, 1_000, StakerStatus::Idle);
	}
	builder.build_and_execute(|| {
		// 8 services (MaxServices) x 4 pending slashes (the per-service bound) = 32 slashes,
		// all due in era 3; 4 land per block (MaxSlashesPerBlock), so 8 blocks of the 15.
		let services: Vec<_> = (0..8).map(|i| register(&format!("s{i}"))).collect();
		for (i, service) in services.iter().enumerate() {
			let offenders = [201 + i as u64, 201 + ((i as u64 + 1) % 8)];
			for who in offenders {
				opt_in(who, *service, 200);
			}
		}
		start_active_era(1);
		for (i, service) in services.iter().enumerate() {
			for who in [201 + i as u64, 201 + ((i as u64 + 1) % 8)] {
				assert_ok!(report(*service, who, 0, 0));
				assert_ok!(report(*service, who, 0, 1));
			}
		}
		assert_eq!(DueSlashes::<Test>::iter_prefix(3).count(), 32);
		let applied = || {
			System::events()
				.iter()
				.filter(|r| matches!(r.event, RuntimeEvent::Restaking(Event::SlashApplied { .. })))
				.count()
		};
		start_active_era(3);
		let first = System::block_number();
		assert_eq!(applied(), 4);
		run_to_block(first + 7);
		assert_eq!(applied(), 32);
		assert_eq!(active_era(), 3);
		assert_eq!(DueSlashes::<Test>::iter().count(), 0);
		// Each offender was in two services, each slashing 10% of 200 twice: 80 in all.
		for who in 201..=208 {
			assert_eq!(bonded(who), 920);
		}
	});
}

// 2. Allocations change at era boundaries; a slash uses the offence era's allocation.

#[test]
fn a_completed_decrease_keeps_the_offence_eras_allocation() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		set_allocation(VALIDATOR_A, id, 100);
		assert_eq!(history(VALIDATOR_A, id), vec![(0, 1_000), (3, 100)]);
		// The offence is in era 2; in era 3 the decrease is released (by the sweep here).
		start_active_era(3);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id).unwrap().allocation, 100);
		assert_eq!(exposure(VALIDATOR_A, id), 100);
		assert_ok!(report(id, VALIDATOR_A, 1, 2));
		// 50% of the 1,000 that backed the service in era 2, not of today's 100.
		assert_eq!(last_amount(), 500);
		start_active_era(5);
		assert_eq!(bonded(VALIDATOR_A), 500);
	});
}

#[test]
fn a_decrease_never_completed_counts_from_its_release_era() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		set_allocation(VALIDATOR_A, id, 100);
		// Nobody releases it: the sweep has not reached A and nobody called.
		hold_sweep_until(2);
		start_active_era(2);
		assert!(Positions::<Test>::get(VALIDATOR_A, id).unwrap().exit.is_some());
		assert_ok!(report(id, VALIDATOR_A, 1, 2));
		assert_eq!(last_amount(), 50);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 500);
	});
}

#[test]
fn a_raise_counts_from_the_next_era() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 100);
		start_active_era(1);
		set_allocation(VALIDATOR_A, id, 200);
		// Not exposed yet: an offence earlier in era 1 was backed by 100.
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (100, 100));
		start_active_era(2);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (200, 200));
		set_allocation(VALIDATOR_A, id, 1_000);
		assert_eq!(history(VALIDATOR_A, id), vec![(0, 100), (2, 200), (3, 1_000)]);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 50);
		assert_ok!(report(id, VALIDATOR_A, 1, 2));
		assert_eq!(last_amount(), 100);
		start_active_era(3);
		assert_eq!(exposure(VALIDATOR_A, id), 1_000);
		assert_ok!(report(id, VALIDATOR_A, 1, 3));
		assert_eq!(last_amount(), 500);
	});
}

#[test]
fn an_opt_in_counts_from_its_own_era() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		start_active_era(1);
		opt_in(VALIDATOR_A, id, 1_000);
		assert_eq!(exposure(VALIDATOR_A, id), 1_000);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 500);
		assert_noop!(report(id, VALIDATOR_A, 0, 0), Error::<Test>::NotExposedAtEra);
	});
}

#[test]
fn any_number_of_changes_keeps_one_record_per_era_of_the_window() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 100);
		for era in 1..=12u32 {
			start_active_era(era);
			let raised = 100 + 10 * era as Balance;
			set_allocation(VALIDATOR_A, id, raised);
			// A decrease scheduled and cancelled again in the same era.
			set_allocation(VALIDATOR_A, id, 100);
			set_allocation(VALIDATOR_A, id, raised);
			let kept = history(VALIDATOR_A, id);
			assert!(kept.len() as u32 <= REPORT_WINDOW + 3, "{kept:?}");
			// Every era of the window still has the allocation it had: raises made in eras
			// 1..e count in era e.
			let position = Positions::<Test>::get(VALIDATOR_A, id).unwrap();
			for e in era.saturating_sub(REPORT_WINDOW).max(1)..=era {
				assert_eq!(position.allocation_in(e), 100 + 10 * (e as Balance - 1));
			}
		}
		// In era 12, an era-9 offence at 10% is measured on 100 + 10 x 8.
		assert_ok!(report(id, VALIDATOR_A, 0, 9));
		assert_eq!(last_amount(), 18);
	});
}

// 3. Exposure is what a slash reported now could collect.

#[test]
fn unbonding_without_opting_out_loses_exposure_once_a_slash_could_not_reach_it() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		let funder = STRANGER;
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(VALIDATOR_A)));
		// The chunk is withdrawable from era 11; a slash reported in era e lands in e + 2 and
		// still reaches it while e + 2 + 1 + WITHDRAW_LEAD <= 11: up to era 7 on pallet-staking,
		// 8 on staking-async.
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 1_000));
		let last = 8 - WITHDRAW_LEAD;
		start_active_era(last);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (1_000, 1_000));
		restaking_events();
		start_active_era(last + 1);
		// A report now would land when the chunk may already be withdrawn.
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		assert_eq!(secured(id), 0);
		assert!(restaking_events().contains(&Event::Ejected { who: VALIDATOR_A, service: id }));
		assert_noop!(report(id, VALIDATOR_A, 1, last), Error::<Test>::NothingToSlash);
		// No reward share for stake no slash could take.
		assert_noop!(
			Restaking::fund_rewards(RuntimeOrigin::signed(funder), id, 100),
			Error::<Test>::NoExposure
		);
	});
}

#[test]
fn a_partial_unbond_lowers_exposure_to_the_reachable_stake() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 400));
		// The chunk of era 11 stops counting in era 8 (9 on staking-async).
		let stopped = 9 - WITHDRAW_LEAD;
		start_active_era(stopped);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (600, 600));
		assert_ok!(report(id, VALIDATOR_A, 1, stopped));
		assert_eq!(last_amount(), 300);
	});
}

#[test]
fn anyone_brings_a_stale_restaker_up_to_date_at_once() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(VALIDATOR_A)));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 1_000));
		// The sweep has not reached A in the era its chunk stops counting: its exposure is
		// stale ...
		let stopped = 9 - WITHDRAW_LEAD;
		hold_sweep_until(stopped);
		start_active_era(stopped);
		assert_eq!(secured(id), 1_000);
		// ... until a watcher calls.
		assert_noop!(
			Restaking::sync_restaker(RuntimeOrigin::signed(STRANGER), VALIDATOR_B),
			Error::<Test>::NotOptedIn
		);
		assert_ok!(Restaking::sync_restaker(RuntimeOrigin::signed(STRANGER), VALIDATOR_A));
		assert_eq!(secured(id), 0);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
	});
}

#[test]
fn a_forced_unstake_is_caught_by_the_sweep_of_the_next_era() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(Staking::force_unstake(RuntimeOrigin::root(), VALIDATOR_A, 0));
		start_active_era(2);
		assert_eq!((secured(id), Restakers::<Test>::get(VALIDATOR_A)), (0, None));
	});
}

#[test]
fn the_sweep_goes_on_in_spare_block_room() {
	let mut builder = ExtBuilder::default();
	for who in 201..=206 {
		builder = builder.staker(who, 1_000, StakerStatus::Idle);
	}
	builder.build_and_execute(|| {
		let id = register("oracle");
		for who in 201..=206 {
			opt_in(who, id, 500);
		}
		let synced_in = |era| {
			(201..=206).filter(|who| Restakers::<Test>::get(who).unwrap().synced_era == era).count()
		};
		// The era's first block visits `MaxSweepPerBlock` (4) of the 6 restakers ...
		start_active_era(1);
		assert_eq!(synced_in(1), 4);
		// ... and the same block's `on_idle` the rest, when the block has room.
		Restaking::on_idle(System::block_number(), Weight::from_parts(u64::MAX, u64::MAX));
		assert_eq!(synced_in(1), 6);
	});
}

#[test]
fn calls_pay_for_a_resync_only_when_they_run_one() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		let fresh = Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500).unwrap();
		assert_eq!(fresh.actual_weight, Some(Restaking::opt_in_weight()));
		// Era 1 starts without the sweep reaching A: its next call re-syncs it first and pays
		// the full charge.
		hold_sweep_until(1);
		start_active_era(1);
		let stale = Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 600).unwrap();
		assert_eq!(stale.actual_weight, None);
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().synced_era, 1);
	});
}

// 4. The leverage cap holds at all times.

#[test]
fn a_stake_loss_scales_allocations_back_under_the_leverage_cap() {
	ExtBuilder::default().build_and_execute(|| {
		let ids: Vec<_> = (0..4).map(|i| register(&format!("s{i}"))).collect();
		for id in &ids {
			opt_in(VALIDATOR_A, *id, 750);
		}
		start_active_era(1);
		restaking_events();
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(50));
		next_block();
		assert_eq!(bonded(VALIDATOR_A), 500);
		// 3,000 allocated on 500 of stake is 6x; each allocation is scaled by 1,500 / 3,000.
		for id in &ids {
			let position = Positions::<Test>::get(VALIDATOR_A, id).unwrap();
			assert_eq!((position.allocation, position.exposure), (375, 375));
			assert_eq!(secured(*id), 375);
			assert_eq!(position.history.into_inner(), vec![(0, 750), (1, 375)]);
		}
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().total_allocated, 1_500);
		assert!(restaking_events()
			.contains(&Event::AllocationsScaled { who: VALIDATOR_A, total_allocated: 1_500 }));
		// Era 0 was backed by 750, capped by the 500 a slash still reaches; era 1 by 375.
		assert_ok!(report(ids[0], VALIDATOR_A, 0, 0));
		assert_eq!(last_amount(), 50);
		assert_ok!(report(ids[0], VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 37);
	});
}

// 5. No window of zero.

#[test]
fn zero_exit_delays_and_dispute_windows_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		let mut params = service_params("instant-exit");
		params.exit_delay = 0;
		assert_noop!(
			Restaking::register_service(RuntimeOrigin::root(), params.clone()),
			Error::<Test>::ZeroExitDelay
		);
		assert_noop!(
			Restaking::update_service(RuntimeOrigin::root(), id, params),
			Error::<Test>::ZeroExitDelay
		);
		let mut params = service_params("no-dispute");
		params.dispute_window = 0;
		assert_noop!(
			Restaking::register_service(RuntimeOrigin::root(), params.clone()),
			Error::<Test>::ZeroDisputeWindow
		);
		assert_noop!(
			Restaking::update_service(RuntimeOrigin::root(), id, params),
			Error::<Test>::ZeroDisputeWindow
		);
	});
}

// 6. Bounded storage.

#[test]
fn departure_records_are_forgotten_once_they_cannot_be_reported() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		// Released from era 2 by the sweep; offences up to era 1 are reportable until era 4.
		start_active_era(2);
		assert_eq!(Departures::<Test>::get(VALIDATOR_A, id).unwrap().release_era, 2);
		start_active_era(4);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert!(Departures::<Test>::contains_key(VALIDATOR_A, id));
		start_active_era(5);
		assert!(!Departures::<Test>::contains_key(VALIDATOR_A, id));
		assert_eq!(DepartureExpiries::<Test>::iter().count(), 0);
		assert_noop!(report(id, VALIDATOR_A, 0, 2), Error::<Test>::NotOptedIn);
	});
}
