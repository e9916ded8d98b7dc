//! A second reviewer's attacks on the slashing redesign (issue 11), one per test. Each test
//! states what the contract (../shared/SPEC.md) demands, with numbers worked out by hand from
//! the code; a failing test is a bug. Mock world: `ReportWindow` 3, `BondingDuration` 10, 15
//! blocks an era, `MaxLeverage` 3; `service_params()`: rule 0 slashes 10%, rule 1 50% and ejects,
//! min stake 100, exit delay 2, dispute window 2.
//!
//! The first four broke the first version of the redesign and pass since the fixes they led to:
//! - `a_restaker_ejected_while_stale_is_not_slashable_for_eras_after_it_left`: a departure
//!   record now prunes its history before it closes it, and a full one is an error, not a
//!   silent loss of the closing pair;
//! - `lengthening_a_dispute_window_keeps_shown_exposure_collectable`: exposures of a service
//!   updated in this era count as stale until their next sync (`ParamsUpdatedEra`); since
//!   issue 13 the longer window waits the exit delay and the era's sweep re-syncs at once;
//! - `rebonding_after_a_forced_unstake_keeps_the_invariants`: a restaker whose bonded stake
//!   fell since its last sync without a staking hook counts as stale (`synced_stake`);
//! - `the_era_sweep_reaches_every_restaker_within_a_bounded_delay`: the sweep goes round in
//!   laps that go on across era changes instead of starting over every era.
//!
//! The others are attacks the code should (and, by hand, does) withstand.

use super::mock::*;
use crate::{
	Departures, Error, Event, PendingRuleChanges, Positions, Restakers, Services, Slashes,
};
use frame_support::{assert_noop, assert_ok};

/// Attack (service over-slashes): an ejecting slash that lands on a position the sweep has not
/// re-synced for a whole era, with a full allocation history, leaves a departure record that
/// still shows an allocation after the ejection, so the service slashes eras it was not backed.
///
/// Steps: A raises its allocation in each of eras 0..=3 (100, 200, 300, 400 in force), raises to
/// 1,000 and schedules a decrease to 900 in era 3: history `(0,100) (1,200) (2,300) (3,400)
/// (4,1000) (5,900)`, 6 pairs = `ReportWindow + 3`, the bound. An ejecting era-3 report lands in
/// era 5; the sweep did not reach A in era 4 (a chain with more restakers than one era's sweep),
/// and `apply_due_slashes` runs before the sweep in era 5's first block. `eject` closes with
/// `release_era` 6 and `close` keeps every pair `< 6` (all 6), then `let _ = history.try_push((6,
/// 0))` fails silently (positions.rs, `close`): the departure ends with `(5, 900)` and
/// `allocation_in(6..)` is 900.
///
/// Contract: "a service can only slash for the time its stake actually backed it"; an ejected
/// position is "slashable for offences up to the current era, gone from the next".
#[test]
fn a_restaker_ejected_while_stale_is_not_slashable_for_eras_after_it_left() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 100);
		set_allocation(VALIDATOR_A, id, 200);
		start_active_era(1);
		set_allocation(VALIDATOR_A, id, 300);
		start_active_era(2);
		set_allocation(VALIDATOR_A, id, 400);
		start_active_era(3);
		set_allocation(VALIDATOR_A, id, 1_000);
		// Lowering waits the exit delay: 900 from era 3 + 2 = 5.
		set_allocation(VALIDATOR_A, id, 900);
		assert_eq!(
			history(VALIDATOR_A, id),
			vec![(0, 100), (1, 200), (2, 300), (3, 400), (4, 1_000), (5, 900)]
		);
		// Era-3 offence, rule 1 (50%, ejects): 50% x min(400 in force in era 3, 1,000) = 200,
		// applying in era 3 + 2 = 5.
		assert_ok!(report(id, VALIDATOR_A, 1, 3));
		assert_eq!(last_amount(), 200);

		// The sweep does not reach A in era 4.
		hold_sweep_until(4);
		start_active_era(5);
		// The slash landed (1,000 - 200) and ejected A: gone from era 6.
		assert_eq!(bonded(VALIDATOR_A), 800);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, id), None);
		assert_eq!(Departures::<Test>::get(VALIDATOR_A, id).unwrap().release_era, 6);

		start_active_era(6);
		// Era 5 was still backed by 900 (the released decrease): 10% x min(900, 800) = 80.
		assert_ok!(report(id, VALIDATOR_A, 0, 5));
		assert_eq!(last_amount(), 80);
		// Era 6 was not backed at all. The buggy record lets it through at
		// 50% x min(900, 800 reachable in era 8) = 400.
		assert_noop!(report(id, VALIDATOR_A, 1, 6), Error::<Test>::NotExposedAtEra);
		assert_eq!(Departures::<Test>::get(VALIDATOR_A, id).unwrap().history.last(), Some(&(6, 0)));
	});
}

/// Attack (stake counted that no slash can reach): governance lengthens a service's dispute
/// window; the stored exposures were computed with the old window and nothing re-syncs them, so
/// the service shows (and pays rewards on) stake that a report now cannot collect, and
/// `do_try_state` trips on a legitimate sequence.
///
/// Steps: A allocates 1,000, unbonds all of it in era 1 (chunk withdrawable from era 1 + 10 =
/// 11). In era 5 the sweep sets its exposure to min(1,000, reachable(5 + 2 = 7)) = 1,000
/// (chunk 11 >= 7 + 2). Governance sets `dispute_window` 4 (3 + 4 + 2 = 9 < 10: accepted).
/// Since bounded risk (issue 13) a dispute window change waits the exit delay: in force from
/// era 7, where a report applies in era 11 and reachable(11) counts chunks >= 13: 0.
///
/// Contract: "Exposure is what a slash can collect ... under that service's dispute window";
/// `do_try_state` states it for every restaker synced in the active era.
#[test]
fn lengthening_a_dispute_window_keeps_shown_exposure_collectable() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(VALIDATOR_A)));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 1_000));
		start_active_era(5);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (1_000, 1_000));
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().synced_era, 5);

		let mut longer = service_params("oracle");
		longer.dispute_window = 4;
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), id, longer));
		// A change of the dispute window waits the exit delay (2 eras): until era 7 a report
		// still lands 2 eras later, while the chunk is still bonded, so the exposure shown is
		// still collectable: 10% x 1,000.
		assert_eq!(Services::<Test>::get(id).unwrap().params.dispute_window, 2);
		assert_eq!(PendingRuleChanges::<Test>::get(id).unwrap().effective_era, 7);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (1_000, 1_000));
		assert_ok!(report(id, VALIDATOR_A, 0, 5));
		assert_eq!((last_amount(), Slashes::<Test>::get(0).unwrap().apply_era), (100, 7));
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), 0));
		assert_eq!(Restaking::do_try_state(), Ok(()));
		restaking_events();

		// In era 7's first block the longer window comes into force, and then the sweep
		// re-syncs A: a report now lands in era 11, after the chunk can be withdrawn, so the
		// exposure drops to 0 at once (and A, below the service's minimum, is ejected).
		start_active_era(7);
		assert_eq!(Services::<Test>::get(id).unwrap().params.dispute_window, 4);
		assert_eq!(
			restaking_events(),
			vec![
				Event::RuleChangeApplied { service: id },
				Event::ExposureReduced {
					who: VALIDATOR_A,
					service: id,
					amount: 1_000,
					exposure: 0
				},
				Event::Ejected { who: VALIDATOR_A, service: id }
			]
		);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (0, 0));
		assert_noop!(report(id, VALIDATOR_A, 1, 7), Error::<Test>::NothingToSlash);
		assert_eq!(Restaking::do_try_state(), Ok(()));
	});
}

/// Attack (invariant false alarm / stale exposure): root force-unstakes a restaker and it bonds
/// again, smaller, in the same era; no staking hook fires, `synced_era` is still the active era,
/// and `do_try_state` then finds an exposure of 1,000 on 100 of stake.
///
/// Steps: A allocates 1,000 (synced by the sweep in era 1). `force_unstake` kills the ledger (no
/// `on_slash` / `on_withdraw`); A bonds 100. Invariant check: synced (era 1, no cascade pending)
/// and bonded, so it demands exposure <= min(1,000, reachable(3) = 100) = 100 and
/// allocations <= 3 x 100 = 300; both are 1,000.
///
/// Contract: `do_try_state` runs after every test and must hold after any legitimate sequence;
/// the docs only allow `force_unstake` to leave totals stale, which the invariant forbids.
#[test]
fn rebonding_after_a_forced_unstake_keeps_the_invariants() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(Staking::force_unstake(RuntimeOrigin::root(), VALIDATOR_A, 0));
		assert_ok!(Staking::bond(
			RuntimeOrigin::signed(VALIDATOR_A),
			100,
			RewardDestination::Staked
		));
		assert_eq!(bonded(VALIDATOR_A), 100);
		// A report of the era-1 offence is measured on what is bonded now: 50% x min(1,000, 100).
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 50);
		assert_eq!(Restaking::do_try_state(), Ok(()));
	});
}

/// Attack (stake counted that no slash can reach, for ever): a restaker placed after the first
/// `MaxSweepPerBlock x 15` keys of `Restakers` (hash order, which an attacker can grind its
/// account for) unbonds everything and is never re-synced: the sweep starts over from the first
/// key in every era (positions.rs, `sweep`: `SweepEra < era` resets `start_after` to `None`), so
/// its exposure, the service total and its reward share stay at 1,000 while a report is worth 0.
///
/// Steps: `MaxSweepPerBlock` 1, so the sweep visits 15 restakers an era; 16 restakers of 1,000.
/// The 16th in iteration order unbonds 1,000 in era 1 (chunk 11). From era 8 on a report lands
/// in era >= 10 and reaches no chunk < 12: the exposure must be 0 (the 15 others keep 1,000).
///
/// Contract: "the pallet brings stale positions up to date within a bounded, documented delay".
#[test]
fn the_era_sweep_reaches_every_restaker_within_a_bounded_delay() {
	let mut builder = ExtBuilder::default();
	for who in 301..=316 {
		builder = builder.staker(who, 1_000, StakerStatus::Idle);
	}
	builder.build_and_execute(|| {
		MaxSweepPerBlock::set(1);
		let id = register("oracle");
		for who in 301..=316 {
			opt_in(who, id, 1_000);
		}
		let keys: Vec<AccountId> = Restakers::<Test>::iter_keys().collect();
		assert_eq!(keys.len(), 16);
		let tail = keys[15];
		start_active_era(1);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(tail), 1_000));
		// Two full eras after the exposure ran out (era 8), with nobody calling for the tail.
		start_active_era(10);
		assert_eq!(exposure(tail, id), 0);
		// 15 x 1,000 still reachable; the tail's 1,000 is not.
		assert_eq!(secured(id), 15_000);
	});
}

/// Attack (exposure across dispute windows): a restaker that unbonds everything keeps its
/// exposure in each service exactly as long as that service's report could still collect it,
/// and not one era longer, whatever the window.
///
/// Steps: A allocates 1,000 to a service with dispute window 1 and 1,000 to one with window 4
/// (2,000 <= 3 x 1,000), unbonds 1,000 in era 1 (chunk 11). Exposure in era e is
/// min(1,000, reachable(e + window)), reachable(x) counting chunks >= x + 2:
/// - window 4: era 5 -> chunk 11 >= 11: 1,000; era 6 -> 11 >= 12 fails: 0, ejected.
/// - window 1: era 8 -> 11 >= 11: 1,000; era 9 -> 0.
///
/// An era-8 report under the window-1 service: 10% x min(1,000, reachable(9) = 1,000) = 100,
/// landing in era 9 from the chunk (1,000 -> 900).
#[test]
fn exposure_lasts_exactly_as_long_as_each_services_window_can_collect_it() {
	ExtBuilder::default().build_and_execute(|| {
		let mut params = service_params("short");
		params.dispute_window = 1;
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		let mut params = service_params("long");
		params.dispute_window = 4;
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		let (short, long) = (0, 1);
		opt_in(VALIDATOR_A, short, 1_000);
		opt_in(VALIDATOR_A, long, 1_000);
		start_active_era(1);
		assert_ok!(Staking::chill(RuntimeOrigin::signed(VALIDATOR_A)));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 1_000));

		// The chunk of era 11 backs `long` (window 4) up to era 5 on pallet-staking, 6 on
		// staking-async (`WITHDRAW_LEAD`), and `short` (window 1) three eras longer.
		let last = 6 - WITHDRAW_LEAD;
		start_active_era(last);
		assert_eq!((secured(short), secured(long)), (1_000, 1_000));
		start_active_era(last + 1);
		assert_eq!((secured(short), secured(long)), (1_000, 0));
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, long), None);
		// This era was still backed (departure), but a report now lands four eras later:
		// nothing left.
		assert_noop!(report(long, VALIDATOR_A, 1, last + 1), Error::<Test>::NothingToSlash);
		assert_noop!(
			Restaking::fund_rewards(RuntimeOrigin::signed(UNBONDED), long, 100),
			Error::<Test>::NoExposure
		);

		start_active_era(last + 3);
		assert_eq!(secured(short), 1_000);
		assert_ok!(report(short, VALIDATOR_A, 0, last + 3));
		assert_eq!(last_amount(), 100);
		start_active_era(last + 4);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert_eq!(ServiceSlashed::get(), 100);
		assert_eq!(secured(short), 0);
		// The ejection backs the service until the next era: the ledger keeps it until then.
		assert!(Restakers::<Test>::get(VALIDATOR_A).unwrap().services.is_empty());
		start_active_era(last + 5);
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A), None);
	});
}

/// Attack (leverage after a service slash that ejects): the cap must hold against the stake
/// left, and the scaling must not rewrite eras before the slash.
///
/// Steps: A allocates 750 to each of 4 services (3,000 = 3 x 1,000). s0 reports an era-1
/// offence, rule 1: 50% x min(750, 1,000) = 375, landing in era 3 (stake 625) and ejecting A
/// from s0. The cascade runs before the ejection, and s0's allocation backs era 3 with the
/// others: 4 x 750 = 3,000 > 3 x 625 = 1,875, so each becomes 750 x 1,875 / 3,000 = 468 (468.75
/// down), from era 3 on; then s0 is ejected. Exposure min(468, 625) = 468.
/// Then s1 reports era 2 (before the loss), rule 1: 50% x min(750, 625) = 312 (312.5 down);
/// and era 3, rule 0: 10% x min(468, 625) = 46 (46.8 down).
#[test]
fn a_service_slash_that_ejects_keeps_the_leverage_cap_without_rewriting_earlier_eras() {
	ExtBuilder::default().build_and_execute(|| {
		let ids: Vec<_> = (0..4).map(|i| register(&format!("s{i}"))).collect();
		for id in &ids {
			opt_in(VALIDATOR_A, *id, 750);
		}
		start_active_era(1);
		assert_ok!(report(ids[0], VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 375);
		restaking_events();
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 625);
		assert_eq!(Positions::<Test>::get(VALIDATOR_A, ids[0]), None);
		assert_eq!(secured(ids[0]), 0);
		assert!(restaking_events()
			.contains(&Event::AllocationsScaled { who: VALIDATOR_A, total_allocated: 1_872 }));
		for id in &ids[1..] {
			let position = Positions::<Test>::get(VALIDATOR_A, id).unwrap();
			assert_eq!((position.allocation, position.exposure), (468, 468));
			assert_eq!(position.history.into_inner(), vec![(0, 750), (3, 468)]);
			assert_eq!(secured(*id), 468);
		}
		assert_eq!(Restakers::<Test>::get(VALIDATOR_A).unwrap().total_allocated, 1_404);

		assert_ok!(report(ids[1], VALIDATOR_A, 1, 2));
		assert_eq!(last_amount(), 312);
		assert_ok!(report(ids[1], VALIDATOR_A, 0, 3));
		assert_eq!(last_amount(), 46);
	});
}

/// Attack (restaker gets ejected on purpose, then rejoins to wipe its record): an ejection keeps
/// the offence eras slashable and refuses a rejoin until they are out of the report window.
///
/// Steps: A (1,000) is reported in era 1 under rule 1 (500, ejecting), landing in era 3 (stake
/// 500, gone from era 4: departure `(0, 1000) (4, 0)`, reportable while era < 4 + 3 = 7).
/// Rejoining is refused in eras 3..=6; in era 6 an era-3 offence is still reported:
/// 10% x min(1,000, 500) = 50. In era 7 A may rejoin (500), and era 4, when it was out, is not
/// slashable.
#[test]
fn an_ejection_neither_erases_the_record_nor_allows_an_early_rejoin() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(report(id, VALIDATOR_A, 1, 1));
		assert_eq!(last_amount(), 500);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 500);
		assert_eq!(
			Departures::<Test>::get(VALIDATOR_A, id).unwrap().history.into_inner(),
			vec![(0, 1_000), (4, 0)]
		);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500),
			Error::<Test>::RecentlyExited
		);
		start_active_era(6);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500),
			Error::<Test>::RecentlyExited
		);
		assert_ok!(report(id, VALIDATOR_A, 0, 3));
		assert_eq!(last_amount(), 50);
		start_active_era(7);
		opt_in(VALIDATOR_A, id, 500);
		assert_noop!(report(id, VALIDATOR_A, 0, 4), Error::<Test>::NotExposedAtEra);
	});
}

/// Attack (raise for the reward share, pull it back before it is slashable): a raise counts from
/// the next era and a decrease made in the same era only from its release era, so the raised
/// amount backs (and is slashable for) every era in between.
///
/// Steps: A allocates 100 in era 0; in era 1 raises to 1,000 (from era 2) and at once lowers to
/// 100 (release era 1 + 2 = 3): history `(0,100) (2,1000) (3,100)`. In era 2: an era-1
/// offence, rule 0, is 10% x 100 = 10; an era-2 offence, rule 1, is 50% x 1,000 = 500 (both land
/// in era 4: 1,000 - 10 - 500 = 490, and rule 1 ejects). In era 3 the allocation and exposure are
/// 100 and an era-3 offence, rule 0, is 10% x 100 = 10 (lands in era 5).
#[test]
fn a_raise_taken_back_in_the_same_era_still_backs_the_next_one() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 100);
		start_active_era(1);
		set_allocation(VALIDATOR_A, id, 1_000);
		set_allocation(VALIDATOR_A, id, 100);
		assert_eq!(history(VALIDATOR_A, id), vec![(0, 100), (2, 1_000), (3, 100)]);
		assert_eq!(exposure(VALIDATOR_A, id), 100);
		start_active_era(2);
		assert_eq!((exposure(VALIDATOR_A, id), secured(id)), (1_000, 1_000));
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 10);
		assert_ok!(report(id, VALIDATOR_A, 1, 2));
		assert_eq!(last_amount(), 500);
		start_active_era(3);
		let position = Positions::<Test>::get(VALIDATOR_A, id).unwrap();
		assert_eq!((position.allocation, position.exposure), (100, 100));
		assert_ok!(report(id, VALIDATOR_A, 0, 3));
		assert_eq!(last_amount(), 10);
		start_active_era(4);
		assert_eq!(bonded(VALIDATOR_A), 1_000 - 10 - 500);
	});
}
