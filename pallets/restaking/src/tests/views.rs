use super::mock::*;
use crate::{
	Error, Event, Exit, ExposureView, NextSlashId, ServiceId, ServiceImpact, ServiceStatus,
	SlashSimulation,
};
use frame_support::assert_ok;
use sp_runtime::Perbill;
use sp_staking::EraIndex;

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
				// The cascade runs before the ejection: 500 left caps the three allocations
				// (2,000) at 1,500, so each is scaled by 3/4 (oracle's 750 backs this era until
				// it is ejected): bridge 450 + B's 200, sequencer 300.
				ServiceImpact {
					service: bridge,
					secured_before: 800,
					secured_after: 650,
					ejected: false
				},
				ServiceImpact {
					service: sequencer,
					secured_before: 400,
					secured_after: 300,
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

/// Three services with the mock's rules (worst case 50%) and coverage off: Validator A
/// (1,000 bonded) allocates 1,000 to each, claiming 1,500 of its 1,000; B (1,000) puts 400 in
/// the oracle, C (500) 500 in the bridge.
fn three_services_one_uncovered_restaker() -> (ServiceId, ServiceId, ServiceId) {
	let (oracle, bridge, sequencer) =
		(register("oracle"), register("bridge"), register("sequencer"));
	for service in [oracle, bridge, sequencer] {
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), service, 1_000));
	}
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), oracle, 400));
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_C), bridge, 500));
	(oracle, bridge, sequencer)
}

#[test]
fn risk_figures_show_shares_largest_restakers_worst_cases_with_coverage_and_degrees() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge, sequencer) = three_services_one_uncovered_restaker();
		let figures = Restaking::risk_figures(None);
		// A and B validate, the nominator's 500 split between them: 2,500 behind era 0's set.
		assert_eq!(figures.total_bonded, 2_500);
		let by_service = |id| figures.services.iter().find(|s| s.service == id).unwrap().clone();
		let (o, b, s) = (by_service(oracle), by_service(bridge), by_service(sequencer));
		assert_eq!((o.secured, o.share_ppb), (1_400, 560_000_000));
		assert_eq!((b.secured, b.share_ppb), (1_500, 600_000_000));
		assert_eq!((s.secured, s.share_ppb), (1_000, 400_000_000));
		// A is the largest restaker everywhere: 1,000 of 1,400, of 1,500, of 1,000.
		for (risk, share) in [(&o, 714_285_714), (&b, 666_666_666), (&s, 1_000_000_000)] {
			assert_eq!(risk.largest_restaker, Some(VALIDATOR_A));
			assert_eq!((risk.largest_exposure, risk.largest_share_ppb), (1_000, share));
			assert_eq!(risk.worst_case, Perbill::from_percent(50));
		}
		// Worst cases: A's claims are 500 in each, 1,500 of its 1,000, so each service collects
		// 500 x 1,000 / 1,500 = 333 from A; B and C are covered and pay their 200 and 250 whole.
		assert_eq!((o.worst_case_claim, o.worst_case_collectable), (700, 533));
		assert_eq!((b.worst_case_claim, b.worst_case_collectable), (750, 583));
		assert_eq!((s.worst_case_claim, s.worst_case_collectable), (500, 333));
		// What every service collects from A together never exceeds A's stake.
		assert!(333 * 3 <= Restaking::exposures_view(&VALIDATOR_A).unwrap().slashable_stake);
		// Landing order decides A's split: a service landing after the other two gets nothing
		// of A (1,000 - 1,000 left), landing first it gets all its 500. B and C pay in full.
		assert_eq!((o.collectable_floor, o.collectable_ceiling), (200, 700));
		assert_eq!((b.collectable_floor, b.collectable_ceiling), (250, 750));
		assert_eq!((s.collectable_floor, s.collectable_ceiling), (0, 500));
		// Degrees: A 3,000 / 1,000 = 3x, B 400 / 1,000, C 500 / 500; stake-weighted
		// 3,900 / 2,500 = 1.56x. Restakers' stake, 2,500 (C's 500 is not in the active set), is
		// set against the active set's 2,500 (the nominator's 500 is not restaked).
		assert_eq!((figures.restakers, figures.restaker_stake), (3, 2_500));
		assert_eq!(figures.restaker_exposure, 3_900);
		assert_eq!(figures.restaked_share_ppb, 1_000_000_000);
		assert_eq!(figures.average_degree_ppb, 1_560_000_000);
		assert_eq!(
			(figures.max_degree_ppb, figures.max_degree_restaker),
			(3_000_000_000, Some(VALIDATOR_A))
		);
		assert_eq!(figures.next, None);
		// Era 0: no completed era, no yield.
		assert_eq!(
			(figures.first_era, figures.window_eras, figures.eras_per_year),
			(0, 0, ERAS_PER_YEAR)
		);
		assert_eq!((figures.base_rewards, figures.base_yield_ppb, o.organic_yield_ppb), (0, 0, 0));
	});
}

#[test]
fn risk_figures_pages_add_up_to_the_whole() {
	ExtBuilder::default().build_and_execute(|| {
		three_services_one_uncovered_restaker();
		let whole = Restaking::risk_figures(None);
		MaxRiskScan::set(2);
		let first = Restaking::risk_figures(None);
		assert_eq!(first.restakers, 2);
		let after = first.next.expect("a third restaker is left");
		let second = Restaking::risk_figures(Some(after));
		assert_eq!((second.restakers, second.next), (1, None));
		// Sums add, largest take the largest; the service's own figures are on every page.
		assert_eq!(first.restaker_stake + second.restaker_stake, whole.restaker_stake);
		assert_eq!(first.restaker_exposure + second.restaker_exposure, whole.restaker_exposure);
		assert_eq!(first.max_degree_ppb.max(second.max_degree_ppb), whole.max_degree_ppb);
		for (index, service) in whole.services.iter().enumerate() {
			let (p1, p2) = (&first.services[index], &second.services[index]);
			assert_eq!((p1.secured, p2.secured), (service.secured, service.secured));
			assert_eq!(p1.worst_case_claim + p2.worst_case_claim, service.worst_case_claim);
			assert_eq!(
				p1.worst_case_collectable + p2.worst_case_collectable,
				service.worst_case_collectable
			);
			assert_eq!(p1.largest_exposure.max(p2.largest_exposure), service.largest_exposure);
		}
		assert_eq!(first.restakers + second.restakers, whole.restakers);
	});
}

#[test]
fn organic_yield_counts_the_windows_fundings_beside_the_base_staking_yield() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), oracle, 1_000));
		// Era 0: 101 funded, 100 shared (the pot keeps 1 as its existential deposit) over 1,000.
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), oracle, 101));
		start_active_era(1);
		// Era 1: 200 shared over 1,000; B joins; 300 shared over 2,000.
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), oracle, 200));
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), oracle, 1_000));
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), oracle, 300));
		start_active_era(2);
		// Era 2's funding waits for era 2 to complete.
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), oracle, 50));

		let figures = Restaking::risk_figures(None);
		assert_eq!((figures.first_era, figures.window_eras), (0, 2));
		let risk = &figures.services[0];
		// A unit of exposure held through eras 0 and 1 earned 100/1,000 + 200/1,000 + 300/2,000
		// = 0.45, in 2 of the 1,000 eras of a year: 225x a year. The 600 were shared over 1,333
		// on average, weighted by amount (600 / 0.45).
		assert_eq!((risk.funded, risk.average_secured), (600, 1_333));
		assert_eq!(risk.organic_yield_ppb, 225_000_000_000);
		// The base yield of eras 0 and 1: the mock pays 1% of each era's 2,500 bonded, 25 + 25
		// on 2,500 on average, over 2 of 1,000 eras a year: 10x a year.
		assert_eq!((figures.base_rewards, figures.base_average_stake), (50, 2_500));
		assert_eq!(figures.base_yield_ppb, 10_000_000_000);
		assert_eq!(staking::ErasValidatorReward::<Test>::get(1), Some(25));

		// Era 6: the window is eras 2 to 5; only era 2's 50, over 2,000, is left: 50 / 2,000 x
		// 1,000 / 4 = 6.25x. The history keeps the window and the active era only.
		start_active_era(6);
		let figures = Restaking::risk_figures(None);
		assert_eq!((figures.first_era, figures.window_eras), (2, 4));
		let risk = &figures.services[0];
		assert_eq!((risk.funded, risk.average_secured), (50, 2_000));
		assert_eq!(risk.organic_yield_ppb, 6_250_000_000);
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), oracle, 40));
		let eras: Vec<_> =
			crate::FundingHistory::<Test>::get(oracle).iter().map(|r| r.era).collect();
		assert_eq!(eras, vec![2, 6]);
	});
}

/// A's slashes land in the order the services report them: the real split of the
/// three-service worst case is within each service's floor and ceiling, and sums to A's stake.
#[test]
fn the_real_split_of_a_worst_case_lies_between_floor_and_ceiling() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge, sequencer) = three_services_one_uncovered_restaker();
		let figures = Restaking::risk_figures(None);
		start_active_era(1);
		for service in [oracle, bridge, sequencer] {
			assert_ok!(report(service, VALIDATOR_A, 1, 1));
		}
		restaking_events();
		start_active_era(3);
		let taken: Vec<(ServiceId, u128)> = restaking_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::SlashApplied { service, offender: VALIDATOR_A, amount, .. } => {
					Some((service, amount))
				}
				_ => None,
			})
			.collect();
		assert_eq!(taken.iter().map(|(_, amount)| amount).sum::<u128>(), 1_000);
		for (service, amount) in taken {
			let risk = figures.services.iter().find(|s| s.service == service).unwrap();
			// A's part of the service's floor and ceiling: 0 and 500 in every service.
			let (b_and_c_floor, b_and_c_ceiling) = match service {
				s if s == oracle => (200, 200),
				s if s == bridge => (250, 250),
				_ => (0, 0),
			};
			assert!(risk.collectable_floor - b_and_c_floor <= amount);
			assert!(amount <= risk.collectable_ceiling - b_and_c_ceiling);
		}
	});
}

/// A decrease released in era 2 still leaves era 0 and 1 reportable at the old allocation: the
/// claim counts it, as the report does.
#[test]
fn the_worst_case_counts_a_released_decrease_a_report_still_reaches() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		opt_in(VALIDATOR_A, oracle, 1_000);
		set_allocation(VALIDATOR_A, oracle, 100);
		start_active_era(2);
		// The era sweep released it.
		assert_eq!(crate::Positions::<Test>::get(VALIDATOR_A, oracle).unwrap().allocation, 100);
		let risk = Restaking::risk_figures(None).services[0].clone();
		assert_eq!((risk.secured, risk.worst_case_claim), (100, 500));
		assert_ok!(report(oracle, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 500);
	});
}

/// A left the oracle but is still in the bridge: the oracle's claim on A comes from A's
/// departure record, as a report of an era before the exit does.
#[test]
fn the_worst_case_counts_a_departure_a_report_still_reaches() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge) = (register("oracle"), register("bridge"));
		opt_in(VALIDATOR_A, oracle, 1_000);
		opt_in(VALIDATOR_A, bridge, 500);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), oracle));
		start_active_era(2);
		// The era sweep released it.
		assert!(crate::Positions::<Test>::get(VALIDATOR_A, oracle).is_none());
		let figures = Restaking::risk_figures(None);
		let risk = figures.services.iter().find(|s| s.service == oracle).unwrap();
		assert_eq!((risk.secured, risk.worst_case_claim, risk.largest_restaker), (0, 500, None));
		assert_ok!(report(oracle, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 500);
	});
}

/// A harsher change waiting counts at once: from its effective era a report takes it all.
#[test]
fn the_worst_case_counts_a_harsher_change_waiting() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		opt_in(VALIDATOR_A, oracle, 1_000);
		let mut harsher = service_params("oracle");
		harsher.rules[1].fraction = Perbill::from_percent(100);
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), oracle, harsher));
		let risk = Restaking::risk_figures(None).services[0].clone();
		assert_eq!((risk.worst_case, risk.worst_case_claim), (Perbill::one(), 1_000));
		start_active_era(2);
		assert_ok!(report(oracle, VALIDATOR_A, 1, 2));
		assert_eq!(last_amount(), 1_000);
	});
}

/// A retired service can report no more: it claims nothing, and A's stake is shared by the
/// two services that can.
#[test]
fn a_retired_service_claims_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, _, sequencer) = three_services_one_uncovered_restaker();
		assert_ok!(Restaking::set_service_status(
			RuntimeOrigin::root(),
			sequencer,
			ServiceStatus::Retired
		));
		assert_eq!(report(sequencer, VALIDATOR_A, 1, 0), Err(Error::<Test>::ServiceRetired.into()));
		let figures = Restaking::risk_figures(None);
		let by = |id| figures.services.iter().find(|s| s.service == id).unwrap().clone();
		assert_eq!((by(sequencer).worst_case_claim, by(sequencer).worst_case_collectable), (0, 0));
		// A's claims: 500 + 500 + 0, within its 1,000: the oracle collects 500 + B's 200.
		assert_eq!(by(oracle).worst_case_collectable, 700);
		assert_eq!(by(oracle).collectable_floor, 700);
	});
}

/// A slash already scheduled lands first: what it takes is not there for the others.
#[test]
fn a_pending_slash_leaves_less_for_the_other_claims() {
	ExtBuilder::default().build_and_execute(|| {
		let (oracle, bridge) = (register("oracle"), register("bridge"));
		opt_in(VALIDATOR_A, oracle, 1_000);
		opt_in(VALIDATOR_A, bridge, 1_000);
		start_active_era(1);
		assert_ok!(report(oracle, VALIDATOR_A, 1, 0));
		assert_eq!(last_amount(), 500);
		let figures = Restaking::risk_figures(None);
		let risk = figures.services.iter().find(|s| s.service == bridge).unwrap();
		// Claims 500 + 500 on the 500 left: 250 pro rata, 0 to 500 by landing order.
		assert_eq!(risk.worst_case_claim, 500);
		assert_eq!(risk.worst_case_collectable, 250);
		assert_eq!((risk.collectable_floor, risk.collectable_ceiling), (0, 500));
	});
}

/// `force_unstake` leaves A's exposure with nothing slashable behind it until a re-sync: its
/// degree is the largest there is, not zero.
#[test]
fn exposure_with_nothing_slashable_behind_it_is_the_largest_degree() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		opt_in(VALIDATOR_A, oracle, 1_000);
		opt_in(VALIDATOR_B, oracle, 400);
		hold_sweep_until(0);
		assert_ok!(Staking::force_unstake(RuntimeOrigin::root(), VALIDATOR_A, 0));
		let figures = Restaking::risk_figures(None);
		assert_eq!(
			(figures.max_degree_ppb, figures.max_degree_restaker),
			(u64::MAX, Some(VALIDATOR_A))
		);
	});
}

/// What a funder pays itself is not yield: C, alone in the oracle, funds and claims back ten
/// times for 1 (the pot's existential deposit); the oracle shows no organic yield. A funder
/// with half the exposure counts the half that goes to B.
#[test]
fn a_funders_own_share_is_not_organic_yield() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		opt_in(VALIDATOR_C, oracle, 100);
		let before = Balances::free_balance(VALIDATOR_C);
		for _ in 0..10 {
			assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(VALIDATOR_C), oracle, 900));
			assert_ok!(Restaking::claim_rewards(RuntimeOrigin::signed(VALIDATOR_C), oracle));
		}
		assert_eq!(before - Balances::free_balance(VALIDATOR_C), 1);
		assert!(crate::FundingHistory::<Test>::get(oracle).is_empty());
		start_active_era(1);
		let risk = Restaking::risk_figures(None).services[0].clone();
		assert_eq!((risk.funded, risk.organic_yield_ppb), (0, 0));

		// Era 1: A joins with 100; A funds 200 over 200 secured, 100 of it to C.
		opt_in(VALIDATOR_A, oracle, 100);
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(VALIDATOR_A), oracle, 200));
		start_active_era(2);
		let risk = Restaking::risk_figures(None).services[0].clone();
		// 0.5 a unit to others, over 2 of the 1,000 eras of a year: 250x.
		assert_eq!((risk.funded, risk.average_secured), (100, 200));
		assert_eq!(risk.organic_yield_ppb, 250_000_000_000);
	});
}

/// Funding every era for ten eras keeps the window's eras and the active one, no more.
#[test]
fn the_funding_history_keeps_the_window_and_the_active_era() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = register("oracle");
		opt_in(VALIDATOR_A, oracle, 1_000);
		for era in 0..=10 {
			if era > 0 {
				start_active_era(era);
			}
			assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), oracle, 10));
			assert!(crate::FundingHistory::<Test>::get(oracle).len() as u32 <= YIELD_WINDOW + 1);
		}
		let eras: Vec<_> =
			crate::FundingHistory::<Test>::get(oracle).iter().map(|r| r.era).collect();
		assert_eq!(eras, vec![6, 7, 8, 9, 10]);
		// Eras 6 to 9: 10 a era over 1,000, 0.04 a unit in 4 eras of 1,000 a year: 10x.
		let risk = Restaking::risk_figures(None).services[0].clone();
		assert_eq!(
			(risk.funded, risk.average_secured, risk.organic_yield_ppb),
			(40, 1_000, 10_000_000_000)
		);
	});
}

#[test]
fn try_state_refuses_a_funding_history_the_pallet_cannot_have_written() {
	let bad = |records: Vec<(EraIndex, u128)>| {
		let mut ext = ExtBuilder::default().build();
		ext.execute_with(|| {
			let oracle = register("oracle");
			opt_in(VALIDATOR_A, oracle, 1_000);
			assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), oracle, 101));
			start_active_era(6);
			assert_ok!(Restaking::do_try_state());
			let history = records
				.into_iter()
				.map(|(era, per_exposure)| crate::EraFunding { era, funded: 1, per_exposure })
				.collect::<Vec<_>>();
			crate::FundingHistory::<Test>::insert(
				oracle,
				frame_support::BoundedVec::truncate_from(history),
			);
			Restaking::do_try_state().unwrap_err()
		})
	};
	let scale = crate::rewards::REWARD_SCALE;
	assert_eq!(bad(vec![(7, 1)]), "funding record from the future or with nothing shared".into());
	assert_eq!(bad(vec![(5, 0)]), "funding record from the future or with nothing shared".into());
	assert_eq!(
		bad(vec![(5, 1), (5, 1)]),
		"funding history not one record per era, oldest first".into()
	);
	assert_eq!(bad(vec![(0, 1), (6, 1)]), "funding history wider than the yield window".into());
	assert_eq!(
		bad(vec![(6, scale)]),
		"funding history above the service's reward accumulator".into()
	);
}
