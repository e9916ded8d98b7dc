//! A fresh attacker's review of the issue-23 change (the offence era's stake, caps that count
//! what is promised and ejections in force, exact coverage scaling). Mock world: `ReportWindow`
//! 3, `BondingDuration` 10, `MaxLeverage` 3, 15 blocks an era; services of `SLASHER` with a
//! dispute window and exit delay of 2 eras and a `min_stake` of 100.
//!
//! Each test asserts the guarantee that should hold. The first three failed on the change as
//! reviewed; the others were attacks that failed, kept as regression tests.
//!
//! The three failures shared one root cause: `land_slash` ejected (`eject`, which closes the
//! position as last stored) *before* it re-synced the offender (`do_resync`). So the departure
//! record kept a backing that never saw the ejecting slash's own loss, and the re-sync that
//! scaled the remaining positions after that loss did not count the ejected allocation and
//! claim still in force in the era. Fixed: `land_slash` now runs the cascade first, then ejects
//! the re-synced position (the model does the same).
//!
//! 1. `an_ejecting_slash_does_not_let_stake_bonded_after_it_be_slashed_for_its_era`
//!    (failed before the fix): stake bonded after the ejecting slash landed is slashed for an offence
//!    of that era.
//! 2. `worst_case_reports_of_the_ejection_era_fit_the_stake_the_ejecting_slash_left`
//!    (failed before the fix): coverage is broken in the ejection era.
//! 3. `allocations_in_force_in_the_ejection_era_stay_within_the_leverage_cap`
//!    (failed before the fix): leverage is broken in the ejection era.
//! 4. A ledger kept only for an ejection in force blocks coverage in its era, and is dropped
//!    by the sync of a later era even when the sweep has not reached it.
//! 5. An exit's departure record keeps the backing of each era it was synced in.
//! 6. A scheduled decrease frees no concentration room before its release.
//! 7. The coverage scaling falls back safely when the exact product overflows `u128`.
//! 8. A gain the sweep has not seen counts from the era after the sync that sees it; a report
//!    made before the sweep reaches the restaker measures the same as one made after.

use super::mock::*;
use crate::{Departures, Error, Event, Positions, Restakers, ServiceId, ServiceParamsOf, Services};
use frame_support::{assert_noop, assert_ok};
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

// 1. The departure an ejecting slash leaves must carry the loss of that slash.

#[test]
fn an_ejecting_slash_does_not_let_stake_bonded_after_it_be_slashed_for_its_era() {
	// Failed before the fix (the cascade now runs before the ejection): `land_slash` lands the slash, then `eject` closes the position *as last
	// stored* (its backing noted in era 2, before the slash), then re-syncs. The departure's
	// backing for era 3 is 1,000, not the 900 the loss left, so once A bonds 100 more, an era-3
	// report of S1 slashes 50% x min(1,000, 1,000) = 500 instead of 450: 50 of stake bonded
	// after the loss was seen is slashed for that era. B, identical but not ejected, is slashed
	// 450, as the backing rule says (a loss counts in the era it is seen, a gain from the next).
	ExtBuilder::default().build_and_execute(|| {
		// Rule 0: 10%, ejects; rule 1: 50%.
		let s1 = register_rules("s1", &[(10, true), (50, false)]);
		// The same, but rule 0 does not eject.
		let s2 = register_rules("s2", &[(10, false), (50, false)]);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(VALIDATOR_B, s2, 1_000);
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 100);
		assert_ok!(report(s2, VALIDATOR_B, 0, 1));
		assert_eq!(last_amount(), 100);

		// Both land in the first block of era 3: 900 left each; A is ejected from S1.
		start_active_era(3);
		assert_eq!((bonded(VALIDATOR_A), bonded(VALIDATOR_B)), (900, 900));
		assert!(Positions::<Test>::get(VALIDATOR_A, s1).is_none());
		assert_eq!(Departures::<Test>::get(VALIDATOR_A, s1).unwrap().release_era, 4);
		assert_eq!(exposure(VALIDATOR_B, s2), 900);
		assert_eq!(
			Positions::<Test>::get(VALIDATOR_B, s2).unwrap().backing.into_inner(),
			vec![(0, 1_000), (3, 900)]
		);

		// Both top up by 100 in era 3: the new stake backs nothing before era 4.
		assert_ok!(Staking::bond_extra(RuntimeOrigin::signed(VALIDATOR_A), 100));
		assert_ok!(Staking::bond_extra(RuntimeOrigin::signed(VALIDATOR_B), 100));
		assert_eq!((bonded(VALIDATOR_A), bonded(VALIDATOR_B)), (1_000, 1_000));

		// Era-3 offences at 50%: 50% x 900 for both.
		assert_ok!(report(s2, VALIDATOR_B, 1, 3));
		assert_eq!(last_amount(), 450);
		assert_ok!(report(s1, VALIDATOR_A, 1, 3));
		assert_eq!(last_amount(), 450, "the ejected restaker is slashed on stake bonded later");
	});
}

// 2. and 3. The re-sync after an ejecting slash must count the ejection still in force.

#[test]
fn worst_case_reports_of_the_ejection_era_fit_the_stake_the_ejecting_slash_left() {
	// Failed before the fix (the cascade now runs before the ejection): after the ejecting slash lands, `eject` moves S1's allocation (1,000,
	// claim 500) to `leaving`, and only then the re-sync checks coverage, on S2 alone: its claim
	// of 500 fits the 900 left, so nothing is scaled. But S1's allocation still backs era 3:
	// worst-case reports of era 3 ask for 450 (S1: 50% x the 900 reachable) + 500 (S2: 100% x
	// 500) = 950 of 900. Opt-ins count `leaving` (the coverage doc: "what every service could
	// slash at its worst, for the same era, fits in its stake"); the re-sync does not. Had S1's
	// rule not ejected, the re-sync would have scaled both (claims 1,000 -> 900).
	let _coverage = Coverage::on();
	ExtBuilder::default().build_and_execute(|| {
		// S1: a 10% ejecting rule and a 50% worst case; S2: a 100% worst case.
		let s1 = register_rules("s1", &[(10, true), (50, false)]);
		let s2 = register_rules("s2", &[(100, false)]);
		opt_in(VALIDATOR_A, s1, 1_000);
		opt_in(VALIDATOR_A, s2, 500);
		// Claims 500 + 500: exactly the 1,000 of stake.
		assert_eq!(total_claim(VALIDATOR_A), 1_000);
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 100);

		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert!(Positions::<Test>::get(VALIDATOR_A, s1).is_none());
		// S1's allocation (today 1,000, claim 500, unscaled; S2 keeps 500, claim 500) still
		// backs era 3.
		let (leaving, _) = Restakers::<Test>::get(VALIDATOR_A).unwrap().leaving.in_force(3);
		assert!(leaving > 0);

		// Every service reports an era-3 offence at its worst case.
		assert_ok!(report(s1, VALIDATOR_A, 1, 3));
		let from_s1 = last_amount();
		assert_eq!(from_s1, 450);
		assert_ok!(report(s2, VALIDATOR_A, 0, 3));
		let from_s2 = last_amount();
		assert!(
			from_s1 + from_s2 <= bonded(VALIDATOR_A),
			"worst-case reports of era 3 ask for {} of {}",
			from_s1 + from_s2,
			bonded(VALIDATOR_A)
		);
	});
}

#[test]
fn allocations_in_force_in_the_ejection_era_stay_within_the_leverage_cap() {
	// Failed before the fix (the cascade now runs before the ejection): the 1% ejecting slash leaves 990 (a cap of 2,970). The re-sync after it
	// sees only S2 and S3 (2,000) and scales nothing, while S1's ejected 1,000 still backs era 3:
	// 3,000 is in force in era 3, above the cap. The opt-in check counts that 1,000 (see
	// `an_ejection_frees_no_leverage_in_the_era_it_still_backs`); the re-sync does not. Had S1's
	// rule not ejected, the re-sync would have scaled all three to 990 (2,970).
	ExtBuilder::default().build_and_execute(|| {
		let s1 = register_rules("s1", &[(1, true)]);
		let (s2, s3) = (register("s2"), register("s3"));
		for service in [s1, s2, s3] {
			opt_in(VALIDATOR_A, service, 1_000);
		}
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 10);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 990);
		assert!(Positions::<Test>::get(VALIDATOR_A, s1).is_none());

		// S1's allocation still backs era 3 (today 1,000, unscaled; S2 and S3 keep 1,000 each).
		let ejected = Departures::<Test>::get(VALIDATOR_A, s1).unwrap().allocation_in(3);
		assert!(ejected > 0);
		let kept: Balance = [s2, s3]
			.into_iter()
			.map(|s| Positions::<Test>::get(VALIDATOR_A, s).unwrap().allocation_in(3))
			.sum();
		assert!(
			ejected + kept <= 3 * 990,
			"{} in force in era 3 on 990 of stake (cap {})",
			ejected + kept,
			3 * 990
		);
	});
}

// 4. A ledger kept only for an ejection in force.

#[test]
fn a_leaving_only_ledger_blocks_coverage_in_its_era_and_is_dropped_by_a_later_sync() {
	let _coverage = Coverage::on();
	ExtBuilder::default().build_and_execute(|| {
		// S1's worst case is 100%: A's 1,000 in it claims its whole stake.
		let s1 = register_rules("s1", &[(1, true), (100, false)]);
		let s2 = register_rules("s2", &[(50, false)]);
		opt_in(VALIDATOR_A, s1, 1_000);
		start_active_era(1);
		assert_ok!(report(s1, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 10);
		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 990);

		// Ejected from its only service: the ledger is kept, with no position, for era 3.
		let ledger = Restakers::<Test>::get(VALIDATOR_A).unwrap();
		assert!(ledger.services.is_empty());
		assert_eq!(ledger.synced_era, 3);
		// The ejected allocation and its claim still count: the claim covers the whole stake
		// (1,000 and 1,000 today, as last stored; 990 and 990 if the ejection came after the
		// re-sync that scales claims to the 990 left).
		let (leaving, leaving_claim) = ledger.leaving.in_force(3);
		assert!(leaving >= 990 && leaving_claim >= 990);
		assert_noop!(
			Restaking::sync_restaker(RuntimeOrigin::signed(STRANGER), VALIDATOR_A),
			Error::<Test>::NotOptedIn
		);
		// S1 may still claim 100% x 990 for era 3: no other claim fits (leaving claim + 50 > 990).
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), s2, 100),
			Error::<Test>::CoverageExceeded
		);

		// Era 4, before the sweep reaches A: the ledger is still there, its ejection released.
		hold_sweep_until(4);
		start_active_era(4);
		let ledger = Restakers::<Test>::get(VALIDATOR_A).unwrap();
		assert_eq!((ledger.synced_era, ledger.leaving.in_force(4)), (3, (0, 0)));
		// The opt-in's sync drops it; the whole stake can then be claimed.
		opt_in(VALIDATOR_A, s2, 990);
		assert_eq!(total_claim(VALIDATOR_A), 495);
		let ledger = Restakers::<Test>::get(VALIDATOR_A).unwrap();
		assert_eq!(ledger.services.into_inner(), vec![s2]);
		assert_eq!(ledger.leaving.in_force(4), (0, 0));
	});
}

// 5. Exits keep the backing of each era.

#[test]
fn an_exit_departure_keeps_the_backing_of_each_era() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(1);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		start_active_era(2);
		// A 50% base-layer slash in era 2, seen in era 2.
		base_slash(VALIDATOR_A, 2, Perbill::from_percent(50));
		next_block();
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, id)), (500, 500));

		// The exit is released in era 3; then A tops its stake back up to 1,000.
		start_active_era(3);
		assert!(Positions::<Test>::get(VALIDATOR_A, id).is_none());
		let departure = Departures::<Test>::get(VALIDATOR_A, id).unwrap();
		assert_eq!(departure.release_era, 3);
		assert_eq!(departure.backing.into_inner(), vec![(0, 1_000), (2, 500)]);
		assert_ok!(Staking::bond_extra(RuntimeOrigin::signed(VALIDATOR_A), 500));
		assert_eq!(bonded(VALIDATOR_A), 1_000);

		// Era 2 is measured on the 500 that backed it, not on the stake bonded since.
		assert_ok!(report(id, VALIDATOR_A, 0, 2));
		assert_eq!(last_amount(), 50);
		// Era 1 on the 1,000 that backed it then.
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(last_amount(), 100);
		// From its release era it backed nothing.
		assert_noop!(report(id, VALIDATOR_A, 0, 3), Error::<Test>::NotExposedAtEra);
	});
}

// 6. Concentration counts a decrease until its release.

#[test]
fn a_scheduled_decrease_frees_no_concentration_until_its_release() {
	ExtBuilder::default().build_and_execute(|| {
		let mut capped = service_params("capped");
		// 40% of the 2,500 bonded: 1,000.
		capped.max_share = Some(Perbill::from_percent(40));
		let id = register_params(capped);
		opt_in(VALIDATOR_A, id, 1_000);
		// Lowered to 400 from era 2: the 1,000 secures the service until then.
		set_allocation(VALIDATOR_A, id, 400);
		assert_eq!(Services::<Test>::get(id).unwrap().allocated, 1_000);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 100),
			Error::<Test>::ConcentrationExceeded
		);
		start_active_era(1);
		assert_eq!(secured(id), 1_000);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 100),
			Error::<Test>::ConcentrationExceeded
		);
		// Released in era 2: 600 of room.
		start_active_era(2);
		assert_eq!(Services::<Test>::get(id).unwrap().allocated, 400);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 601),
			Error::<Test>::ConcentrationExceeded
		);
		opt_in(VALIDATOR_B, id, 600);
		assert_eq!(secured(id), 1_000);
	});
}

// 7. The exact coverage scaling's overflow fallback.

/// A stash bonded with [`HUGE`], neither validating nor nominating.
const WHALE: AccountId = 600;
/// 10^30: `5 x 10^8` parts per billion times it overflows `u128`.
const HUGE: Balance = 10u128.pow(30);

#[test]
fn the_coverage_scaling_falls_back_safely_when_the_exact_product_overflows() {
	let _coverage = Coverage::on();
	ExtBuilder::default().staker(WHALE, HUGE, StakerStatus::Idle).build_and_execute(|| {
		// Worst cases 50%: the whole stake in each claims exactly the stake.
		let s1 = register_rules("s1", &[(10, false), (50, false)]);
		let s2 = register_rules("s2", &[(50, false)]);
		opt_in(WHALE, s1, HUGE);
		opt_in(WHALE, s2, HUGE);
		assert_eq!(total_claim(WHALE), HUGE);
		// The exact ratio does not fit: `stake x 10^9` and `worst case in ppb x allocation`
		// both overflow.
		let half = u128::from(Perbill::from_percent(50).deconstruct());
		assert!(half.checked_mul(HUGE).is_none());
		start_active_era(1);
		assert_ok!(report(s1, WHALE, 0, 1));
		assert_eq!(last_amount(), HUGE / 10);
		start_active_era(3);
		let left = HUGE - HUGE / 10;
		assert_eq!(bonded(WHALE), left);
		// The fallback scales by (stake - one planck per position) / claims: each allocation
		// becomes `left - 2`, and the claims stay within the stake.
		for service in [s1, s2] {
			assert_eq!(allocation(WHALE, service), left - 2);
			assert_eq!(exposure(WHALE, service), left - 2);
		}
		assert_eq!(total_claim(WHALE), left - 2);
		assert!(restaking_events()
			.contains(&Event::AllocationsScaled { who: WHALE, total_allocated: 2 * (left - 2) }));
	});
}

// 8. A gain counts from the era after the sync that sees it, whenever that sync runs.

#[test]
fn a_gain_the_sweep_has_not_seen_counts_from_the_era_after_it_is_seen() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_rules("s", &[(40, false), (50, false)]);
		opt_in(VALIDATOR_A, id, 1_000);
		start_active_era(2);
		base_slash(VALIDATOR_A, 2, Perbill::from_percent(50));
		next_block();
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, id)), (500, 500));
		// Topped up after the last sync of era 2; no sync sees it in era 2, nor early in era 3.
		assert_ok!(Staking::bond_extra(RuntimeOrigin::signed(VALIDATOR_A), 500));
		hold_sweep_until(3);
		start_active_era(3);
		assert_eq!((bonded(VALIDATOR_A), exposure(VALIDATOR_A, id)), (1_000, 500));

		// Before any sync in era 3: 40% of the 500 that backs era 3.
		assert_ok!(report(id, VALIDATOR_A, 0, 3));
		assert_eq!(last_amount(), 200);
		// The sync sees the gain: it counts from era 4, so era 3 still measures 500 (50% x 500
		// = 250, of which the first report scheduled 200).
		sync(VALIDATOR_A);
		assert_eq!(
			Positions::<Test>::get(VALIDATOR_A, id).unwrap().backing.into_inner(),
			vec![(0, 1_000), (2, 500), (4, 1_000)]
		);
		assert_eq!(exposure(VALIDATOR_A, id), 500);
		assert_ok!(report(id, VALIDATOR_A, 1, 3));
		assert_eq!(last_amount(), 50);

		start_active_era(4);
		assert_eq!(exposure(VALIDATOR_A, id), 1_000);
		assert_ok!(report(id, VALIDATOR_A, 0, 4));
		assert_eq!(last_amount(), 400);
	});
}
