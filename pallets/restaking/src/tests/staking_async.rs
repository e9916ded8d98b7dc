//! The pallet on pallet-staking-async (feature `staking-async`), Polkadot Hub's staking: its
//! slashing path, its offences from the relay chain, its unlocking clock (the active era, not a
//! current era one ahead), and its fast unbonding of nominators, which no restaker may use to
//! leave before a slash lands.
//!
//! With `ReportWindow` 3 and a dispute window of 2, a stash must not be able to withdraw stake
//! unbonded in an offence era for `3 + 2 = 5` eras after it (`unbonding_covers`: `ReportWindow +
//! backing window + withdraw lead (0 here) < unbonding`). The bonding duration is 10 eras; a
//! nominator's fast unbonding (`AreNominatorsSlashable` false) is 2, as on Polkadot.

use super::mock::*;
use crate::{Error, Event, Positions};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

/// A stash with 300 bonded that nominates A: a pure nominator, never elected.
const NEWCOMER: AccountId = 102;

#[test]
fn a_service_slash_lands_through_staking_async_with_its_event() {
	ExtBuilder::default().build_and_execute(|| {
		start_active_era(1);
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		assert_ok!(report(id, VALIDATOR_A, 0, 1));
		assert_eq!(crate::Slashes::<Test>::get(0).map(|s| (s.amount, s.apply_era)), Some((100, 3)));
		start_active_era(2);
		assert_eq!(bonded(VALIDATOR_A), 1_000);

		start_active_era(3);
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert!(staking_slashed_events().contains(&(VALIDATOR_A, 100)));
		assert_eq!(ServiceSlashed::get(), 100);
		assert!(restaking_events().contains(&Event::SlashApplied {
			slash_id: 0,
			service: id,
			offender: VALIDATOR_A,
			amount: 100
		}));
		assert_eq!(exposure(VALIDATOR_A, id), 900);
		assert_eq!(secured(id), 900);
	});
}

#[test]
fn a_relay_chain_offence_cascades_into_the_restakers_services() {
	ExtBuilder::default().build_and_execute(|| {
		start_active_era(1);
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		// The relay chain reports A in era 1 at 10%; staking-async (no slash deferral here)
		// applies it from its offence queue within a few blocks, and `on_slash` tells this
		// pallet.
		RelayChain::offend(&[(VALIDATOR_A, Perbill::from_percent(10))]);
		for _ in 0..3 {
			next_block();
		}
		assert_eq!(bonded(VALIDATOR_A), 900);
		assert!(staking_slashed_events().contains(&(VALIDATOR_A, 100)));
		assert_eq!(exposure(VALIDATOR_A, id), 900);
		assert_eq!(secured(id), 900);
		assert!(restaking_events().contains(&Event::ExposureReduced {
			who: VALIDATOR_A,
			service: id,
			amount: 100,
			exposure: 900
		}));
	});
}

#[test]
fn a_chunk_counts_until_the_era_before_staking_async_releases_it() {
	ExtBuilder::default().build_and_execute(|| {
		start_active_era(1);
		let id = register("oracle");
		opt_in(NOMINATOR, id, 500);
		// Unbonded in era 1 with the full duration (nominators are slashable): chunk of era 11,
		// withdrawable once era 11 is active. A slash landing in era 10 still reaches it.
		assert_ok!(Staking::chill(RuntimeOrigin::signed(NOMINATOR)));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(NOMINATOR), 500));
		start_active_era(8);
		// A report in era 8 lands in era 10: the chunk is still there.
		assert_eq!(exposure(NOMINATOR, id), 500);
		assert_ok!(report(id, NOMINATOR, 0, 8));
		assert_eq!(crate::Slashes::<Test>::get(0).map(|s| (s.amount, s.apply_era)), Some((50, 10)));
		// On pallet-staking, whose current era runs one ahead, the chunk stops counting an era
		// earlier; here it counts until era 9, where a slash would land in era 11.
		start_active_era(9);
		assert_eq!(exposure(NOMINATOR, id), 0);
		assert_eq!(Positions::<Test>::get(NOMINATOR, id), None);
		start_active_era(10);
		assert_eq!(bonded(NOMINATOR), 450);
		start_active_era(11);
		assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(NOMINATOR), 0));
		assert_eq!(bonded(NOMINATOR), 0);
	});
}

#[test]
fn fast_unbonding_is_refused_and_a_flag_flip_brings_positions_down() {
	ExtBuilder::default()
		.staker(NEWCOMER, 300, StakerStatus::Nominator(vec![VALIDATOR_A]))
		.build_and_execute(|| {
			start_active_era(1);
			let id = register("oracle");
			// Nominators are slashable: a nominator unbonds in 10 eras, and restakes.
			opt_in(NOMINATOR, id, 400);
			opt_in(NEWCOMER, id, 300);
			assert_eq!(secured(id), 700);

			// Root lets nominators unbond in 2 eras. No hook fires.
			set_nominators_slashable(false);
			// A new position of a stash that can leave in 2 eras is refused; an elected
			// validator (elected for era 1: it keeps the full 10 eras until era 11) is not.
			assert_noop!(
				Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_C), id, 500),
				Error::<Test>::UnbondingTooShort
			);
			assert_noop!(
				Restaking::set_allocation(RuntimeOrigin::signed(NOMINATOR), id, 500),
				Error::<Test>::UnbondingTooShort
			);
			opt_in(VALIDATOR_A, id, 1_000);
			assert_eq!(secured(id), 1_700);
			// Nor can it back the service through an operator.
			assert_ok!(Restaking::set_operator(
				RuntimeOrigin::signed(VALIDATOR_A),
				Perbill::from_percent(10)
			));
			assert_noop!(
				Restaking::delegate(RuntimeOrigin::signed(VALIDATOR_C), VALIDATOR_A, 500),
				Error::<Test>::UnbondingTooShort
			);

			// The permissionless sync brings a fast-unbonding position down at once: nothing
			// of it is reachable, so it falls below min_stake and is ejected.
			assert_ok!(Restaking::sync_restaker(RuntimeOrigin::signed(SLASHER), NOMINATOR));
			assert_eq!(exposure(NOMINATOR, id), 0);
			assert!(restaking_events().contains(&Event::Ejected { who: NOMINATOR, service: id }));
			assert_eq!(secured(id), 1_300);
			// The era's sweep does the same for the others.
			start_active_era(2);
			assert_eq!(exposure(NEWCOMER, id), 0);
			assert_eq!(secured(id), 1_000);
			assert_eq!(exposure(VALIDATOR_A, id), 1_000);
		});
}

#[test]
fn a_validator_keeps_its_positions_until_its_last_election_ages_out() {
	ExtBuilder::default().build_and_execute(|| {
		start_active_era(1);
		let id = register("oracle");
		opt_in(VALIDATOR_A, id, 1_000);
		// A stops validating in era 1, before era 2's election: last elected for era 1.
		assert_ok!(Staking::chill(RuntimeOrigin::signed(VALIDATOR_A)));
		set_nominators_slashable(false);
		// The flag changed no stake: the exposure synced this era stands until the next sync.
		check_invariants();
		let unbonding = || {
			<crate::StakingAsyncSlashing<Test, OnSlash> as crate::SlashingAdapter<_, _>>::stake_ledger(
				&VALIDATOR_A,
			)
			.unwrap()
			.unbonding
		};
		start_active_era(2);
		assert_eq!(pallet_staking_async::LastValidatorEra::<Test>::get(VALIDATOR_A), Some(1));
		// An unbond before era 11 waits 10 eras; from era 11 it waits 2. The earliest
		// withdrawal from era a is min(a + 10, max(a, 11) + 2): 11 eras off in era 2, 6 in era 7,
		// 5 in era 8, which a report (3 eras) plus the dispute window (2) no longer fits.
		assert_eq!(unbonding(), 10);
		start_active_era(7);
		assert_eq!((unbonding(), exposure(VALIDATOR_A, id)), (6, 1_000));
		start_active_era(8);
		assert_eq!((unbonding(), exposure(VALIDATOR_A, id)), (5, 0));
		assert_eq!(secured(id), 0);
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 500),
			Error::<Test>::UnbondingTooShort
		);
		// Long after, it unbonds like a nominator: 2 eras, never less.
		start_active_era(12);
		assert_eq!(unbonding(), FAST_UNBOND);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(VALIDATOR_A), 100));
		assert_eq!(StakingLedgers::get(VALIDATOR_A).unwrap().unlocking[0].era, 12 + FAST_UNBOND);
	});
}

#[test]
fn a_deferred_relay_chain_offence_cascades_page_by_page_and_through_apply_slash() {
	// Slashes wait 2 eras; one nominator per exposure page, so A's slash has two pages.
	SlashDeferDuration::set(2);
	MaxExposurePageSize::set(1);
	ExtBuilder::default()
		.staker(NEWCOMER, 300, StakerStatus::Nominator(vec![VALIDATOR_A]))
		.build_and_execute(|| {
			start_active_era(1);
			let id = register("oracle");
			opt_in(VALIDATOR_A, id, 1_000);
			opt_in(NOMINATOR, id, 500);
			opt_in(NEWCOMER, id, 300);
			// A is backed in era 1 by its own 1,000, NOMINATOR's 330 (the election put its
			// other 170 on B) and NEWCOMER's 300. The relay chain reports A at 10%.
			RelayChain::offend(&[(VALIDATOR_A, Perbill::from_percent(10))]);
			for _ in 0..3 {
				next_block();
			}
			// staking-async computed one slash per page, to apply in era 1 + 2.
			let page = |p: u32| (3, (VALIDATOR_A, Perbill::from_percent(10), p));
			assert_eq!(
				staking::UnappliedSlashes::<Test>::iter_keys().collect::<Vec<_>>(),
				vec![page(0), page(1)]
			);
			// Until then nothing moved: the restakers' exposures still count their whole stake.
			start_active_era(2);
			assert_eq!(
				(bonded(VALIDATOR_A), bonded(NOMINATOR), bonded(NEWCOMER)),
				(1_000, 500, 300)
			);
			assert_eq!(secured(id), 1_800);

			// Era 3's first block applies page 0 (A's own 100, NOMINATOR's 33), and the cascade
			// follows in the same block.
			start_active_era(3);
			assert_eq!((bonded(VALIDATOR_A), bonded(NOMINATOR), bonded(NEWCOMER)), (900, 467, 300));
			assert_eq!(
				restaking_events()
					.into_iter()
					.filter(|e| matches!(e, Event::ExposureReduced { .. }))
					.collect::<Vec<_>>(),
				vec![
					Event::ExposureReduced {
						who: NOMINATOR,
						service: id,
						amount: 33,
						exposure: 467
					},
					Event::ExposureReduced {
						who: VALIDATOR_A,
						service: id,
						amount: 100,
						exposure: 900
					},
				]
			);
			// Before the next block's hook takes page 1, anyone applies it with the fallback
			// call; the cascade reaches NEWCOMER's position in the next block.
			assert_ok!(Staking::apply_slash(RuntimeOrigin::signed(STRANGER), 3, page(1).1));
			assert_eq!(bonded(NEWCOMER), 270);
			assert!(staking_slashed_events().contains(&(NEWCOMER, 30)));
			assert_noop!(
				Staking::apply_slash(RuntimeOrigin::signed(STRANGER), 3, page(1).1),
				pallet_staking_async::Error::<Test>::InvalidSlashRecord
			);
			next_block();
			assert_eq!(
				restaking_events(),
				vec![Event::ExposureReduced {
					who: NEWCOMER,
					service: id,
					amount: 30,
					exposure: 270
				}]
			);
			assert_eq!(staking::UnappliedSlashes::<Test>::iter_keys().count(), 0);
			assert_eq!(secured(id), 900 + 467 + 270);
		});
}

#[test]
fn a_withdrawal_lowers_an_exposure_the_sweep_has_not_reached_and_a_sync_does_it_sooner() {
	ExtBuilder::default()
		.staker(NEWCOMER, 300, StakerStatus::Nominator(vec![VALIDATOR_A]))
		.build_and_execute(|| {
			start_active_era(1);
			let id = register("oracle");
			opt_in(NOMINATOR, id, 500);
			opt_in(NEWCOMER, id, 300);
			// A chain whose sweep is behind: no sweep until era 5.
			hold_sweep_until(5);
			// Root lets nominators leave in 2 eras, and both unbond everything at once: chunks
			// of era 1 + 2.
			set_nominators_slashable(false);
			for who in [NOMINATOR, NEWCOMER] {
				assert_ok!(Staking::chill(RuntimeOrigin::signed(who)));
				assert_ok!(Staking::unbond(RuntimeOrigin::signed(who), bonded(who)));
				assert_eq!(StakingLedgers::get(who).unwrap().unlocking[0].era, 1 + FAST_UNBOND);
			}
			next_block();
			// No staking hook fires on an unbond: both exposures stand, stale.
			assert_eq!(secured(id), 800);
			// The service syncs NOMINATOR: nothing of it can be collected, it is ejected.
			assert_ok!(Restaking::sync_restaker(RuntimeOrigin::signed(SLASHER), NOMINATOR));
			assert!(restaking_events().contains(&Event::Ejected { who: NOMINATOR, service: id }));
			assert_eq!(secured(id), 300);
			// NEWCOMER's withdrawal in era 3 is what brings its exposure down: `on_withdraw`
			// queues a cascade that runs in the next block.
			start_active_era(3);
			assert_eq!(exposure(NEWCOMER, id), 300);
			assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(NEWCOMER), 0));
			assert_eq!(bonded(NEWCOMER), 0);
			next_block();
			assert_eq!(exposure(NEWCOMER, id), 0);
			assert_eq!(Positions::<Test>::get(NEWCOMER, id), None);
			assert_eq!(secured(id), 0);
		});
}

/// A base-layer offence that staking-async defers (`SlashDeferDuration`) is pending against a
/// pool that nominates the offender from the report on: its rate is net of it and joins wait, as
/// for a service's report; at the apply era the slash lands on the pool's ledger once, and joins
/// price at what is left.
#[test]
fn a_deferred_base_slash_of_the_pools_validator_prices_the_pool_from_the_report() {
	use crate::SlashingAdapter;
	SlashDeferDuration::set(2);
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		assert_ok!(Restaking::join(RuntimeOrigin::signed(UNBONDED), 0, 400));
		let pool = Restaking::pool_account(0);
		// From era 3 the pool's 500 are behind VALIDATOR_A; the relay chain reports it at 10%,
		// and staking-async computes the slash to apply in era 3 + 2.
		start_active_era(3);
		RelayChain::offend(&[(VALIDATOR_A, Perbill::from_percent(10))]);
		for _ in 0..3 {
			next_block();
		}
		// Applied as of its offence era: a chunk unbonded now bears it, nothing escapes.
		type Adapter = <Test as crate::Config>::Slashing;
		assert_eq!((Adapter::pending_slash(&pool), Adapter::escaping_slash(&pool)), (50, 0));
		assert_eq!(bonded(pool), 500);
		// 10% of the pool's 500 is pending: 450 for 500 shares, and joins wait.
		assert_eq!(Restaking::pool_pending_slash(0), 50);
		assert_eq!(Restaking::pool_view(0).unwrap().rate_ppb, 900_000_000);
		assert_noop!(
			Restaking::join(RuntimeOrigin::signed(STRANGER), 0, 90),
			Error::<Test>::PoolSlashPending
		);
		// A redemption after the report does not escape it: 100 shares unbond 100, into the
		// sub-pool of era 3 + 10.
		assert_ok!(Restaking::redeem(RuntimeOrigin::signed(UNBONDED), 0, 100));
		assert_eq!(crate::Redemptions::<Test>::get(0, UNBONDED).into_inner(), vec![(13, 100)]);
		start_active_era(5);
		// The 50 came from the 400 active and the 100 unlocking alike: 40 and 10. The claim is
		// worth 90, and the 400 shares left 360.
		assert_eq!(bonded(pool), 450);
		assert_eq!(Restaking::pool_value(0), 360);
		assert_eq!(crate::SubPools::<Test>::get(0, 13).unwrap().balance, 90);
		assert_eq!(Restaking::pool_pending_slash(0), 0);
		assert_eq!(Restaking::pool_view(0).unwrap().rate_ppb, 900_000_000);
		// 90 x 400 / 360 = 100 shares.
		assert_ok!(Restaking::join(RuntimeOrigin::signed(STRANGER), 0, 90));
		assert_eq!(
			<Assets as frame_support::traits::fungibles::Inspect<AccountId>>::balance(0, &STRANGER),
			100
		);
	});
}

/// A deferred base-layer slash that governance cancels stops counting against the pool at once,
/// though staking-async keeps it in `UnappliedSlashes` until its era: the rate goes back and
/// joins no longer wait.
#[test]
fn a_cancelled_deferred_base_slash_no_longer_holds_the_pools_joins() {
	SlashDeferDuration::set(2);
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		assert_ok!(Restaking::join(RuntimeOrigin::signed(UNBONDED), 0, 400));
		start_active_era(3);
		RelayChain::offend(&[(VALIDATOR_A, Perbill::from_percent(10))]);
		for _ in 0..3 {
			next_block();
		}
		assert_eq!(Restaking::pool_pending_slash(0), 50);
		assert_ok!(Staking::cancel_deferred_slash(
			RuntimeOrigin::root(),
			5,
			vec![(VALIDATOR_A, Perbill::from_percent(10))]
		));
		assert_eq!(staking::UnappliedSlashes::<Test>::iter_prefix(5).count(), 1);
		assert_eq!(Restaking::pool_pending_slash(0), 0);
		assert_eq!(Restaking::pool_view(0).unwrap().rate_ppb, 1_000_000_000);
		assert_ok!(Restaking::join(RuntimeOrigin::signed(STRANGER), 0, 100));
		start_active_era(6);
		assert_eq!(bonded(Restaking::pool_account(0)), 600);
	});
}
