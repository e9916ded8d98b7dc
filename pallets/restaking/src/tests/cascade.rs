use super::mock::*;
use crate::{Event, PendingCascades, Positions, Services};
use frame_support::{assert_ok, traits::Hooks, weights::Weight};
use sp_runtime::Perbill;
use sp_staking::OnStakingUpdate;

/// The worked example of the docs: VALIDATOR_A (1,000 bonded) in an oracle at 1,000, a bridge
/// at 600 and a sequencer at 400.
fn validator_a_in_three_services() -> (u32, u32, u32) {
	let (oracle, bridge, sequencer) =
		(register("oracle"), register("bridge"), register("sequencer"));
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), oracle, 1_000));
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), bridge, 600));
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), sequencer, 400));
	start_active_era(1);
	restaking_events();
	(oracle, bridge, sequencer)
}

fn reductions(events: &[Event<Test>]) -> Vec<(u32, Balance, Balance)> {
	events
		.iter()
		.filter_map(|e| match e {
			Event::ExposureReduced { service, amount, exposure, .. } => {
				Some((*service, *amount, *exposure))
			}
			_ => None,
		})
		.collect()
}

#[test]
fn a_service_slash_cascades_to_every_service_of_the_restaker() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge, sequencer) = validator_a_in_three_services();
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(SLASHER),
			oracle,
			VALIDATOR_A,
			0,
			1
		));
		// Make the oracle's rule 0 a 50% slash for the worked example.
		crate::Slashes::<Test>::mutate(0, |s| s.as_mut().unwrap().amount = 500);
		restaking_events();
		start_active_era(3);

		assert_eq!(bonded(VALIDATOR_A), 500);
		// 2,000 allocated on 500 is above the 3x cap of 1,500: every allocation is scaled by
		// 1,500 / 2,000 to 750, 450 and 300, and each exposure is capped by the 500 left.
		assert_eq!(
			(
				exposure(VALIDATOR_A, oracle),
				exposure(VALIDATOR_A, bridge),
				exposure(VALIDATOR_A, sequencer)
			),
			(500, 450, 300)
		);
		assert_eq!((secured(oracle), secured(bridge), secured(sequencer)), (500, 450, 300));
		let events = restaking_events();
		assert!(matches!(events[0], Event::SlashApplied { amount: 500, .. }));
		assert_eq!(
			reductions(&events),
			vec![(oracle, 500, 500), (bridge, 150, 450), (sequencer, 100, 300)]
		);
		// The cascade ran with the slash: nothing is left pending.
		assert!(!PendingCascades::<Test>::contains_key(VALIDATOR_A));
	});
}

#[test]
fn a_base_layer_slash_through_manual_slash_cascades_in_the_next_block() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge, sequencer) = validator_a_in_three_services();
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(70));
		assert_eq!(bonded(VALIDATOR_A), 300);
		// The hook only took note; the exposures are re-synced in the next block.
		assert_eq!(PendingCascades::<Test>::get(VALIDATOR_A), Some(()));
		assert_eq!(exposure(VALIDATOR_A, oracle), 1_000);

		next_block();
		assert_eq!(PendingCascades::<Test>::get(VALIDATOR_A), None);
		assert_eq!(
			(
				exposure(VALIDATOR_A, oracle),
				exposure(VALIDATOR_A, bridge),
				exposure(VALIDATOR_A, sequencer)
			),
			(300, 270, 180)
		);
		// 300 left, a cap of 900: allocations scaled by 900 / 2,000 to 450, 270 and 180.
		assert_eq!(
			reductions(&restaking_events()),
			vec![(oracle, 700, 300), (bridge, 330, 270), (sequencer, 220, 180)]
		);
	});
}

#[test]
fn a_base_layer_slash_through_on_offence_cascades_to_validators_and_nominators() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(NOMINATOR), id, 500));
		start_active_era(1);
		let nominator_before = bonded(NOMINATOR);
		offence(VALIDATOR_A, 1, Perbill::from_percent(10));
		let nominator_after = bonded(NOMINATOR);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert!(nominator_after < nominator_before);

		next_block();
		assert_eq!(exposure(VALIDATOR_A, id), 900);
		assert_eq!(exposure(NOMINATOR, id), nominator_after);
		assert_eq!(secured(id), 900 + nominator_after);
	});
}

#[test]
fn a_cascade_below_min_stake_ejects_from_that_service_only() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge, sequencer) = validator_a_in_three_services();
		let mut params = service_params("bridge");
		params.min_stake = 550;
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), bridge, params));
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(50));
		restaking_events();
		next_block();
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, bridge), None);
		let info = Services::<Test>::get(bridge).unwrap();
		assert_eq!((info.total_secured, info.restakers), (0, 0));
		// The leverage cap scaled the bridge to 450 and the sequencer to 300.
		assert_eq!((exposure(VALIDATOR_A, oracle), exposure(VALIDATOR_A, sequencer)), (500, 300));
		let events = restaking_events();
		assert!(events.contains(&Event::Ejected { who: VALIDATOR_A, service: bridge }));
		assert_eq!(events.iter().filter(|e| matches!(e, Event::Ejected { .. })).count(), 1);
	});
}

#[test]
fn the_staking_hook_only_records_the_loss() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, ..) = validator_a_in_three_services();
		let position = Positions::<Test>::get(VALIDATOR_A, oracle);
		<Restaking as OnStakingUpdate<AccountId, Balance>>::on_slash(
			&VALIDATOR_A,
			900,
			&Default::default(),
			100,
		);
		<Restaking as OnStakingUpdate<AccountId, Balance>>::on_slash(
			&VALIDATOR_A,
			850,
			&Default::default(),
			50,
		);
		assert_eq!(PendingCascades::<Test>::get(VALIDATOR_A), Some(()));
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, oracle), position);
		assert!(restaking_events().is_empty());
		// Nothing was really slashed: the re-sync finds the exposures right and clears the note.
		next_block();
		assert_eq!(PendingCascades::<Test>::get(VALIDATOR_A), None);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, oracle), position);
	});
}

#[test]
fn cascades_are_bounded_per_block_and_carried_over() {
	ExtBuilder::default().build_and_execute(|| {
		MaxCascadesPerBlock::set(1);
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 1_000));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 1_000));
		start_active_era(1);
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(10));
		base_slash(VALIDATOR_B, 1, Perbill::from_percent(10));
		// Both validators were slashed (and the nominator backing them, who does not restake).
		assert_eq!(PendingCascades::<Test>::iter().count(), 2);
		next_block();
		assert_eq!(PendingCascades::<Test>::iter().count(), 1);
		next_block();
		assert_eq!(PendingCascades::<Test>::iter().count(), 0);
		assert_eq!(secured(id), 1_800);
	});
}

#[test]
fn on_idle_runs_pending_cascades_in_the_same_block_when_there_is_room() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, ..) = validator_a_in_three_services();
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(50));
		let used =
			Restaking::on_idle(System::block_number(), Weight::from_parts(u64::MAX, u64::MAX));
		assert!(used.ref_time() > 0);
		assert_eq!(PendingCascades::<Test>::get(VALIDATOR_A), None);
		assert_eq!(exposure(VALIDATOR_A, oracle), 500);
	});
}

#[test]
fn withdrawing_unbonded_stake_lowers_exposures() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 800));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 600));
		// Unlocking stake is still slashable, so it still counts.
		assert_eq!(exposure(VALIDATOR_A, id), 800);
		start_active_era(BONDING_DURATION);
		assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(VALIDATOR_A), 0));
		next_block();
		assert_eq!(bonded(VALIDATOR_A), 400);
		assert_eq!(exposure(VALIDATOR_A, id), 400);
		assert_eq!(secured(id), 400);
	});
}

#[test]
fn base_layer_slashes_of_non_restakers_leave_nothing_pending() {
	ExtBuilder::default().build_and_execute(|| {
		start_active_era(1);
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(10));
		assert!(staking_slashed_events().contains(&(VALIDATOR_A, 100)));
		assert_eq!(PendingCascades::<Test>::iter().count(), 0);
	});
}
