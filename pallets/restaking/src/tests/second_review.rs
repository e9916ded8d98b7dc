//! The second attacker's review, each scenario with its numbers (issue 23). Mock world:
//! `ReportWindow` 3, `BondingDuration` 10, `MaxLeverage` 3, 15 blocks an era; services of
//! `SLASHER` with a dispute window and exit delay of 2 eras and a `min_stake` of 100.
//!
//! 1. A past offence is slashed on the stake that backed it then: not on stake bonded with
//!    `bond_extra`, nor on a chunk `rebond` brought back, after the offence era.
//! 2. Caps count what is already promised: raises accepted in this era, and opt-ins.
//! 3. An ejection frees no room in the era the ejected stake still backs: coverage (after an
//!    ejecting slash and after a `min_stake` ejection) and leverage.
//! 4. The coverage scaling is exact: whole-stake allocations stay whole, slash after slash.
//! 5. `complete_opt_out` is charged for the worst re-sync and refunded to what it ran.

use super::mock::*;
use crate::{Error, Event, Positions, Restakers, ServiceId, ServiceParamsOf, Services};
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::Get};
use sp_runtime::Perbill;

/// [`service_params`] with these `(percent, eject)` rules.
fn params(name: &str, rules: &[(u32, bool)]) -> ServiceParamsOf<Test> {
	let mut params = service_params(name);
	params.rules = rules
		.iter()
		.enumerate()
		.map(|(i, (percent, eject))| rule(&format!("rule {i}"), *percent, *eject))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap();
	params
}

fn register_params(params: ServiceParamsOf<Test>) -> ServiceId {
	let id = crate::NextServiceId::<Test>::get();
	assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
	id
}

fn register_rules(name: &str, rules: &[(u32, bool)]) -> ServiceId {
	register_params(params(name, rules))
}

fn allocation(who: AccountId, service: ServiceId) -> Balance {
	Positions::<Test>::get(who, service).map(|p| p.allocation).unwrap_or_default()
}

fn total_claim(who: AccountId) -> Balance {
	Restakers::<Test>::get(who).map(|l| l.total_claim).unwrap_or_default()
}

fn sync(who: AccountId) {
	assert_ok!(Restaking::sync_restaker(RuntimeOrigin::signed(STRANGER), who));
}

/// Puts the mock's coverage setting back when dropped (after the invariant check, when
/// declared before `build_and_execute`).
struct Coverage;

impl Coverage {
	fn on() -> Self {
		FullCoverage::set(true);
		Self
	}
}

impl Drop for Coverage {
	fn drop(&mut self) {
		FullCoverage::set(false);
	}
}

// 1. The offence era's stake.

#[test]
fn stake_bonded_after_the_offence_era_is_not_slashed_for_it() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_rules("half", &[(50, false)]);
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(2);
		// A 50% base-layer slash in era 2 leaves 500: the exposure of era 2 is 500, and
		// rewards are shared on 500.
		base_slash(VALIDATOR_A, 2, Perbill::from_percent(50));
		next_block();
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, id), secured(id)), (500, 500, 500));

		// In era 3 it tops up by 500: the new stake backs the service from era 4 only.
		start_active_era(3);
		assert_ok!(Staking::bond_extra(RuntimeOrigin::signed(VALIDATOR_A), 500));
		sync(VALIDATOR_A);
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, id)), (1_000, 500));
		assert_eq!(
			Positions::<Test>::get(VALIDATOR_A, id).unwrap().backing.into_inner(),
			vec![(0, 1_000), (2, 500), (4, 1_000)]
		);

		// An era-2 offence at 50%: 250, not 500. An era-3 one too.
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
		assert_eq!(last_amount(), 250);
		assert_ok!(report(id, VALIDATOR_A, 0, 3));
		assert_eq!(last_amount(), 250);
		// From era 4 the whole 1,000 backs it; what era 4's offence slashes is what is left
		// when it lands: 500 are scheduled already.
		start_active_era(4);
		assert_eq!(exposure(VALIDATOR_A, id), 1_000);
		assert_ok!(report(id, VALIDATOR_A, 0, 4));
		assert_eq!(last_amount(), 500);
	});
}

#[test]
fn a_rebonded_chunk_that_had_stopped_counting_is_not_slashed_for_the_eras_it_did_not_count() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_rules("half", &[(50, false)]);
		opt_in(VALIDATOR_A, id, 1_000);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 500));
		let chunk = StakingLedgers::get(VALIDATOR_A).unwrap().unlocking[0].era;
		// A slash landing after the 2-era dispute window reaches a chunk withdrawable from era
		// `c` while `c >= era + 2 + 1 + WITHDRAW_LEAD`: from era `c - 2 - WITHDRAW_LEAD` it no
		// longer backs the service.
		let stopped = chunk - 2 - WITHDRAW_LEAD;
		start_active_era(stopped - 1);
		assert_eq!(exposure(VALIDATOR_A, id), 1_000);
		start_active_era(stopped);
		assert_eq!(exposure(VALIDATOR_A, id), 500);

		// The next era it rebonds the chunk: active again, but only from the era after.
		start_active_era(stopped + 1);
		assert_ok!(Staking::rebond(RuntimeOrigin::signed(VALIDATOR_A), 500));
		sync(VALIDATOR_A);
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, id)), (1_000, 500));
		assert_ok!(report(id, VALIDATOR_A, 0, stopped));
		assert_eq!(last_amount(), 250);
		// The era before it stopped counting, the chunk still backed the service: 500.
		assert_ok!(report(id, VALIDATOR_A, 0, stopped - 1));
		assert_eq!(last_amount(), 500);
	});
}

// 2. Caps count what is already promised.

fn capped_service() -> ServiceId {
	let mut capped = service_params("capped");
	// 40% of the 2,500 bonded: 1,000.
	capped.max_share = Some(Perbill::from_percent(40));
	register_params(capped)
}

#[test]
fn two_raises_in_one_era_cannot_both_fill_a_concentration_cap() {
	ExtBuilder::default().build_and_execute(|| {
		let id = capped_service();
		opt_in(VALIDATOR_A, id, 100);
		opt_in(VALIDATOR_B, id, 100);
		set_allocation(VALIDATOR_A, id, 700);
		// 700 + 700 = 1,400 would secure it next era: refused, though only 200 secure it now.
		assert_eq!(secured(id), 200);
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_B), id, 700),
			Error::<Test>::ConcentrationExceeded
		);
		set_allocation(VALIDATOR_B, id, 300);
		start_active_era(1);
		assert_eq!(secured(id), 1_000);
	});
}

#[test]
fn a_raise_then_an_opt_in_cannot_pass_a_concentration_cap() {
	ExtBuilder::default().build_and_execute(|| {
		let id = capped_service();
		opt_in(VALIDATOR_A, id, 100);
		set_allocation(VALIDATOR_A, id, 700);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_C), id, 301),
			Error::<Test>::ConcentrationExceeded
		);
		opt_in(VALIDATOR_C, id, 300);
		start_active_era(1);
		assert_eq!(secured(id), 1_000);
	});
}

#[test]
fn a_restaker_raising_twice_counts_its_first_raise() {
	ExtBuilder::default().build_and_execute(|| {
		let mut capped = service_params("capped");
		// 20% of the 2,500 bonded: 500.
		capped.max_share = Some(Perbill::from_percent(20));
		let id = register_params(capped);
		opt_in(VALIDATOR_A, id, 100);
		set_allocation(VALIDATOR_A, id, 300);
		// 100 secure it now; 300 are promised for the next era: 501 would pass the cap.
		assert_noop!(
			Restaking::set_allocation(RuntimeOrigin::signed(VALIDATOR_A), id, 501),
			Error::<Test>::ConcentrationExceeded
		);
		set_allocation(VALIDATOR_A, id, 500);
		assert_eq!(Services::<Test>::get(id).unwrap().allocated, 500);
		start_active_era(1);
		assert_eq!(secured(id), 500);
	});
}

// 3. An ejection frees no room in the era its stake still backs.

#[test]
fn an_ejection_frees_no_coverage_in_the_era_it_still_backs() {
	let _coverage = Coverage::on();
	ExtBuilder::default().build_and_execute(|| {
		// Worst cases 40% each: 1,000 in S1 and S2 claim 800 of a 1,000 stake.
		let s1 = register_rules("s1", &[(1, true), (40, false)]);
		let s2 = register_rules("s2", &[(40, false)]);
		let s3 = register_rules("s3", &[(40, false)]);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(VALIDATOR_A, s2, 1_000);
		start_active_era(1);
		// A 1% ejecting slash from S1, landing in era 3.
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 10);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 990);
		assert!(restaking_events().contains(&Event::Ejected { who: VALIDATOR_A, service: s1 }));
		// S1's 1,000 backs it until era 4: its claim of 400 still counts with S2's 400, so S3
		// may claim 190 of the 990, not 396 (990 also breaks the leverage cap: 1,000 + 1,000 +
		// 990 > 3 x 990).
		assert_eq!(total_claim(VALIDATOR_A), 400);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), s3, 990),
			Error::<Test>::LeverageExceeded
		);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), s3, 478),
			Error::<Test>::CoverageExceeded
		);
		opt_in(VALIDATOR_A, s3, 477);

		// All three report era-3 offences at their worst case: every claim is paid in full.
		assert_ok!(report(s1, VALIDATOR_A, 1, 3));
		assert_ok!(report(s2, VALIDATOR_A, 0, 3));
		assert_ok!(report(s3, VALIDATOR_A, 0, 3));
		let scheduled: Vec<Balance> = Restaking::pending_slashes_of_view(&VALIDATOR_A)
			.iter()
			.map(|(_, s)| s.amount)
			.collect();
		assert_eq!(scheduled, vec![396, 396, 190]);
		start_active_era(5);
		assert_eq!(bonded(VALIDATOR_A), 990 - 396 - 396 - 190);
		// 8 left, below the services' `min_stake` of 100: ejected from S2 and S3 as well.
		assert!(Positions::<Test>::get(VALIDATOR_A, s2).is_none());
		assert!(Positions::<Test>::get(VALIDATOR_A, s3).is_none());
	});
}

#[test]
fn a_min_stake_ejection_frees_no_coverage_in_the_era_it_still_backs() {
	let _coverage = Coverage::on();
	ExtBuilder::default().build_and_execute(|| {
		let mut strict = params("strict", &[(40, false)]);
		strict.min_stake = 995;
		let s1 = register_params(strict);
		let s2 = register_rules("s2", &[(40, false)]);
		let s3 = register_rules("s3", &[(40, false)]);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(VALIDATOR_A, s2, 1_000);
		start_active_era(1);
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(1));
		next_block();
		// 990 is below S1's 995: the re-sync ejects it, in force until era 2.
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, s1)), (990, 0));
		assert!(Positions::<Test>::get(VALIDATOR_A, s1).is_none());
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), s3, 478),
			Error::<Test>::CoverageExceeded
		);
		opt_in(VALIDATOR_A, s3, 477);
		// In era 2 the ejected allocation backs nothing: a raise may use the room (claims
		// 400 + 396 of 990).
		start_active_era(2);
		set_allocation(VALIDATOR_A, s3, 990);
	});
}

#[test]
fn an_ejection_frees_no_leverage_in_the_era_it_still_backs() {
	ExtBuilder::default().build_and_execute(|| {
		let s1 = register_rules("s1", &[(1, true)]);
		let (s2, s3, s4) = (register("s2"), register("s3"), register("s4"));
		for service in [s1, s2, s3] {
			opt_in(VALIDATOR_A, service, 1_000);
		}
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		start_active_era(3);
		// 990 of stake: a cap of 2,970. The cascade ran before the ejection, so all three were
		// scaled to 990 (2,970); S1's 990 backs era 3 beside S2's and S3's.
		assert_eq!(bonded(VALIDATOR_A), 990);
		assert_eq!(allocation(VALIDATOR_A, s2) + allocation(VALIDATOR_A, s3), 1_980);
		// Its claim: S1's 1% worst case of 990.
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().leaving.in_force(3), (990, 9));
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), s4, 100),
			Error::<Test>::LeverageExceeded
		);
		start_active_era(4);
		// From era 4 the room is back: 1,980 + 990 fills the 2,970 cap exactly.
		opt_in(VALIDATOR_A, s4, 990);
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().total_allocated, 2_970);
	});
}

#[test]
fn an_ejection_frees_no_concentration_in_the_era_it_still_backs() {
	ExtBuilder::default().build_and_execute(|| {
		let mut capped = params("capped", &[(1, true)]);
		capped.max_share = Some(Perbill::from_percent(40));
		let id = register_params(capped);
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		start_active_era(3);
		assert!(Positions::<Test>::get(VALIDATOR_A, id).is_none());
		assert_eq!(Services::<Test>::get(id).unwrap().leaving.in_force(3), (1_000, 0));
		// Nothing can join in era 3: A's 1,000 still secures it. A raise would count from era
		// 4, but B has nothing to raise; an opt-in is refused.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 100),
			Error::<Test>::ConcentrationExceeded
		);
		start_active_era(4);
		opt_in(VALIDATOR_B, id, 990);
	});
}

// 4. Exact scaling.

/// A stash bonded with `stake`, neither validating nor nominating.
const RESTAKER: AccountId = 500;
/// A unit of the dev chain: 10^12 planck.
const UNIT: Balance = 1_000_000_000_000;

#[test]
fn the_coverage_scaling_keeps_whole_stake_allocations_whole() {
	let _coverage = Coverage::on();
	ExtBuilder::default().staker(RESTAKER, 1_000 * UNIT, StakerStatus::Idle).build_and_execute(
		|| {
			// Worst cases 50%: 1,000 units in each claim exactly the stake.
			let s1 = register_rules("s1", &[(10, false), (50, false)]);
			let s2 = register_rules("s2", &[(50, false)]);
			opt_in(RESTAKER, s1, 1_000 * UNIT);
			opt_in(RESTAKER, s2, 1_000 * UNIT);
			assert_eq!(total_claim(RESTAKER), 1_000 * UNIT);
			start_active_era(1);
			assert_ok!(report(s1, RESTAKER, 0, 1));
			assert_eq!(last_amount(), 100 * UNIT);
			start_active_era(3);
			// 900 units left: each allocation and exposure is exactly 900 units (not
			// 899.999999999998), the claims exactly the stake.
			assert_eq!(bonded(RESTAKER), 900 * UNIT);
			for service in [s1, s2] {
				assert_eq!(allocation(RESTAKER, service), 900 * UNIT);
				assert_eq!(exposure(RESTAKER, service), 900 * UNIT);
			}
			assert_eq!(total_claim(RESTAKER), 900 * UNIT);
			assert!(restaking_events().contains(&Event::AllocationsScaled {
				who: RESTAKER,
				total_allocated: 1_800 * UNIT
			}));
		},
	);
}

#[test]
fn successive_slashes_leave_no_dust_between_stake_and_exposures() {
	let _coverage = Coverage::on();
	// An odd stake, so that the 10% slashes do not divide evenly.
	let start = 1_000 * UNIT + 7;
	ExtBuilder::default().staker(RESTAKER, start, StakerStatus::Idle).build_and_execute(|| {
		let s1 = register_rules("s1", &[(10, false), (50, false)]);
		let s2 = register_rules("s2", &[(50, false)]);
		opt_in(RESTAKER, s1, start);
		opt_in(RESTAKER, s2, start);
		let mut expected = start;
		// Twelve offences, every other era, each 10% of the exposure of its era; each lands two
		// eras later, and the next report is made after it.
		for era in 1..=25 {
			start_active_era(era);
			if era >= 3 && era % 2 == 1 {
				expected -= Perbill::from_percent(10).mul_floor(expected);
			}
			assert_eq!(bonded(RESTAKER), expected, "stake in era {era}");
			for service in [s1, s2] {
				// Each service holds exactly what remains; an allocation is never scaled below
				// it, and at most one planck above it (an odd allocation's 50% rounds down, so
				// its claim still fits).
				assert_eq!(exposure(RESTAKER, service), expected, "exposure in era {era}");
				let allocation = allocation(RESTAKER, service);
				assert!(allocation == expected || allocation == expected + 1, "era {era}");
			}
			assert!(total_claim(RESTAKER) <= expected);
			if era % 2 == 1 && era <= 23 {
				assert_ok!(report(s1, RESTAKER, 0, era));
			}
		}
		// 0.9^12 of the stake, to the planck.
		assert!(expected > 282 * UNIT && expected < 283 * UNIT);
	});
}

// 5. Weights.

#[test]
fn complete_opt_out_is_charged_the_worst_re_sync_and_refunded_to_what_it_ran() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 500);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		start_active_era(1);
		// The sweep does not reach it: the exit waits for the call.
		hold_sweep_until(2);
		start_active_era(2);
		let call = crate::Call::<Test>::complete_opt_out { service: id, who: VALIDATOR_A };
		let max = <Test as crate::Config>::MaxServicesPerRestaker::get();
		assert_eq!(call.get_dispatch_info().call_weight, Restaking::complete_opt_out_weight(max));
		let info =
			Restaking::complete_opt_out(RuntimeOrigin::signed(STRANGER), id, VALIDATOR_A).unwrap();
		assert_eq!(info.actual_weight, Some(Restaking::complete_opt_out_weight(1)));
		assert!(Positions::<Test>::get(VALIDATOR_A, id).is_none());
	});
}
