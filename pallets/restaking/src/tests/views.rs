use crate::{
	mock::*, Error, Event, Exit, ExposureView, NextSlashId, ServiceId, ServiceImpact,
	ServiceStatus, SlashSimulation,
};
use frame_support::assert_ok;
use sp_runtime::Perbill;

#[test]
fn services_view_lists_every_service_with_what_secures_it() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = (register("oracle"), register("bridge"));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), a, 700));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), a, 300));
		let views = Restaking::services_view();
		assert_eq!(views.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a, b]);
		let oracle = Restaking::service_view(a).unwrap();
		assert_eq!((oracle.total_secured, oracle.restakers), (1_000, 2));
		assert_eq!(oracle.name, b"oracle".to_vec());
		assert_eq!(oracle.rules[1].fraction, Perbill::from_percent(50));
		assert_eq!(oracle.status, ServiceStatus::Active);
		assert_eq!(Restaking::service_view(b + 1), None);
	});
}

#[test]
fn exposures_view_shows_positions_leverage_and_claimable_rewards() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = (register("oracle"), register("bridge"));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), a, 1_000));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), b, 500));
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), b));
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), a, 101));
		let view = Restaking::exposures_view(&VALIDATOR_A).unwrap();
		assert_eq!((view.stake, view.active_stake, view.slashable_stake), (1_000, 1_000, 1_000));
		assert_eq!((view.total_allocated, view.total_exposure), (1_500, 1_500));
		assert_eq!(view.leverage_ppb, 1_500_000_000);
		assert!(!view.cascade_pending);
		// Worst case 50% of each allocation: 500 + 250 of 1,000 slashable, 75% covered.
		assert_eq!((view.total_claim, view.coverage_ppb), (750, 750_000_000));
		assert_eq!(
			view.positions,
			vec![
				ExposureView {
					service: a,
					allocation: 1_000,
					exposure: 1_000,
					joined_era: 0,
					exit: None,
					claimable_rewards: 100,
					history: vec![(0, 1_000)],
					worst_case: Perbill::from_percent(50),
					claim: 500,
				},
				ExposureView {
					service: b,
					allocation: 500,
					exposure: 500,
					joined_era: 0,
					exit: Some(Exit { target: 0, release_era: 2 }),
					claimable_rewards: 0,
					history: vec![(0, 500), (2, 0)],
					worst_case: Perbill::from_percent(50),
					claim: 250,
				},
			]
		);
		assert_eq!(Restaking::exposures_view(&VALIDATOR_B), None);
	});
}

#[test]
fn pending_slash_views_filter_by_service_and_by_offender() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = (register("oracle"), register("bridge"));
		for service in [a, b] {
			assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), service, 500));
		}
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), a, 500));
		start_active_era(1);
		for (service, who) in [(a, VALIDATOR_A), (b, VALIDATOR_A), (a, VALIDATOR_B)] {
			assert_ok!(Restaking::report_offence(
				RuntimeOrigin::signed(SLASHER),
				service,
				who,
				0,
				1
			));
		}
		let ids = |v: Vec<(u32, _)>| v.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
		assert_eq!(ids(Restaking::pending_slashes_view(a)), vec![0, 2]);
		assert_eq!(ids(Restaking::pending_slashes_of_view(&VALIDATOR_A)), vec![0, 1]);
	});
}

#[test]
fn simulate_slash_predicts_exactly_what_the_real_slash_then_does() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge, sequencer) =
			(register("oracle"), register("bridge"), register("sequencer"));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), oracle, 1_000));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), bridge, 600));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), sequencer, 400));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), bridge, 200));
		start_active_era(1);
		restaking_events();

		// Rule 1 slashes 50% and ejects.
		let sim = Restaking::simulate_slash(oracle, VALIDATOR_A, 1).unwrap();
		assert_eq!((sim.amount, sim.stake_before, sim.stake_after), (500, 1_000, 500));
		assert_eq!(
			sim.services,
			vec![
				ServiceImpact {
					service: oracle,
					secured_before: 1_000,
					secured_after: 0,
					ejected: true
				},
				ServiceImpact {
					service: bridge,
					secured_before: 800,
					secured_after: 700,
					ejected: false
				},
				ServiceImpact {
					service: sequencer,
					secured_before: 400,
					secured_after: 400,
					ejected: false
				},
			]
		);
		// The simulation left no trace.
		assert_eq!(bonded(VALIDATOR_A), 1_000);
		assert_eq!(secured(oracle), 1_000);
		assert!(restaking_events().is_empty());
		assert!(staking_slashed_events().is_empty());

		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(SLASHER),
			oracle,
			VALIDATOR_A,
			1,
			1
		));
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), sim.stake_after);
		assert!(staking_slashed_events().contains(&(VALIDATOR_A, sim.amount)));
		for impact in sim.services {
			assert_eq!(secured(impact.service), impact.secured_after);
			assert_eq!(exposure(VALIDATOR_A, impact.service) == 0, impact.ejected);
		}
	});
}

#[test]
fn simulate_slash_refuses_what_a_report_would_refuse() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		let refusal = |service, offender, rule| {
			Restaking::simulate_slash(service, offender, rule).map(|s| s.amount)
		};
		assert_eq!(refusal(id + 1, VALIDATOR_A, 0), Err(Error::<Test>::UnknownService.into()));
		assert_eq!(refusal(id, VALIDATOR_A, 0), Err(Error::<Test>::NotOptedIn.into()));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500));
		assert_eq!(refusal(id, VALIDATOR_A, 9), Err(Error::<Test>::UnknownRule.into()));
		assert_eq!(refusal(id, UNBONDED, 0), Err(Error::<Test>::NotBonded.into()));
		assert_eq!(refusal(id, VALIDATOR_A, 0), Ok(50));
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(SLASHER),
			id,
			VALIDATOR_A,
			1,
			0
		));
		// The same rule again, and a gentler rule that adds nothing to the 50% standing.
		assert_eq!(refusal(id, VALIDATOR_A, 1), Err(Error::<Test>::DuplicateOffence.into()));
		assert_eq!(refusal(id, VALIDATOR_A, 0), Err(Error::<Test>::OffenceAlreadySlashed.into()));
		assert_ok!(Restaking::set_service_status(RuntimeOrigin::root(), id, ServiceStatus::Paused));
		assert_eq!(refusal(id, VALIDATOR_A, 0), Err(Error::<Test>::ServicePaused.into()));
	});
}

/// Report the offence `sim` simulated (of the active era) through the real path: the call, an
/// approval if the breaker holds it, the eras to its landing; then check that what landed is what
/// the simulation said, given that `withdrawn` of the offender's stake left in between.
fn assert_lands_as_simulated(
	service: ServiceId,
	offender: AccountId,
	rule: u32,
	sim: &SlashSimulation<Balance>,
	before_landing: impl FnOnce(),
	withdrawn: Balance,
) {
	let era = active_era();
	let slash_id = NextSlashId::<Test>::get();
	restaking_events();
	assert_ok!(Restaking::report_offence(
		RuntimeOrigin::signed(SLASHER),
		service,
		offender,
		rule,
		era
	));
	if sim.held {
		assert_ok!(Restaking::approve_slash(RuntimeOrigin::root(), slash_id));
	}
	before_landing();
	start_active_era(era + service_params("").dispute_window);
	assert!(restaking_events().contains(&Event::SlashApplied {
		slash_id,
		service,
		offender,
		amount: sim.amount
	}));
	assert_eq!(bonded(offender), sim.stake_after - withdrawn);
	for impact in &sim.services {
		assert_eq!(secured(impact.service), impact.secured_after);
		assert_eq!(exposure(offender, impact.service) == 0, impact.ejected);
	}
}

/// A stash that an ejection has just taken out of a service is still reportable for the eras
/// its allocation was in force, the active one included: the simulation accepts it as the
/// report does, on the allocation of its departure record.
#[test]
fn simulate_slash_accepts_a_departed_stash_a_report_still_accepts() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge) = (register("oracle"), register("bridge"));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), oracle, 1_000));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), bridge, 600));
		start_active_era(1);
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(SLASHER),
			oracle,
			VALIDATOR_A,
			1,
			1
		));
		start_active_era(3);
		// 50% of 1,000 landed and ejected A from the oracle; 500 is left.
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, oracle)), (500, 0));
		let sim = Restaking::simulate_slash(oracle, VALIDATOR_A, 0).unwrap();
		// 10% of min(1,000 allocated in era 3, 500 reachable).
		assert_eq!((sim.amount, sim.stake_before, sim.stake_after), (50, 500, 450));
		assert_eq!(
			sim.services,
			vec![ServiceImpact {
				service: bridge,
				secured_before: 500,
				secured_after: 450,
				ejected: false
			}]
		);
		assert_lands_as_simulated(oracle, VALIDATOR_A, 0, &sim, || {}, 0);
	});
}

/// Stake unbonded long ago that can be withdrawn before the slash lands is not counted: the
/// simulation takes 50% of the 400 still reachable at the apply era, not of the 1,000 bonded.
#[test]
fn simulate_slash_counts_only_the_stake_reachable_when_it_lands() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), oracle, 1_000));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 600));
		start_active_era(BONDING_DURATION - 1);
		let sim = Restaking::simulate_slash(oracle, VALIDATOR_A, 1).unwrap();
		assert_eq!((sim.amount, sim.stake_before, sim.stake_after), (200, 1_000, 800));
		// The chunk becomes withdrawable before the apply era, and A takes it out.
		assert_lands_as_simulated(
			oracle,
			VALIDATOR_A,
			1,
			&sim,
			|| {
				start_active_era(BONDING_DURATION);
				assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(VALIDATOR_A), 0));
			},
			600,
		);
	});
}
