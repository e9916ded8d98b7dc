//! A pool and the base layer, on pallet-staking only: its staking rewards (staking-async pays an
//! era's rewards from a reward pot that its mock does not fund, so a payout there pays nobody),
//! and pallet-staking's deferred slashes, which it applies as of the era after the offence.
//!
//! The world: `VALIDATOR_A` (1,000 bonded, 0% staking commission) operates in an oracle; pool 0,
//! created by `UNBONDED` with the minimum deposit of 100, nominates it and delegates to it.

use super::mock::*;
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect as _};
use sp_runtime::Perbill;

/// The pool every test creates.
const POOL: u32 = 0;

/// The base layer's rewards compound with no call: the pool's stash is paid `Staked`, so staking
/// bonds its nominator reward into the pool's ledger and the rate rises by exactly that; a join
/// then buys shares at the new rate.
#[test]
fn base_staking_rewards_compound_into_the_rate() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		assert_ok!(Restaking::join(RuntimeOrigin::signed(UNBONDED), POOL, 400));
		let pool = Restaking::pool_account(POOL);
		assert_eq!(staking::Payee::<Test>::get(pool), Some(RewardDestination::Staked));

		// Era 3 elects the pool's 500 behind VALIDATOR_A: 1,800 with its own 1,000 and another
		// nominator's 300, of the 3,000 staked. The mock pays 1% of that, 30, all of it to
		// VALIDATOR_A, the only validator with points.
		start_active_era(3);
		let exposure = staking::ErasStakersOverview::<Test>::get(3, VALIDATOR_A).unwrap();
		assert_eq!((exposure.total, exposure.own), (1_800, 1_000));
		reward_points(VALIDATOR_A, 20);
		start_active_era(4);
		assert_eq!(staking::ErasValidatorReward::<Test>::get(3), Some(30));
		let free_before = Balances::balance(&pool);
		assert_ok!(Staking::payout_stakers(RuntimeOrigin::signed(STRANGER), VALIDATOR_A, 3));

		// The pool's part: 30 x 500 / 1,800 = 8.33, 8, bonded into its ledger, not its free
		// balance. 508 for 500 shares: the rate is 1.016.
		assert!(System::events().iter().any(|record| record.event
			== RuntimeEvent::Staking(staking::Event::Rewarded {
				stash: pool,
				dest: RewardDestination::Staked,
				amount: 8
			})));
		assert_eq!(Balances::balance(&pool), free_before);
		assert_eq!(
			(bonded(pool), Restaking::pool_value(POOL), Restaking::pool_supply(POOL)),
			(508, 508, 500)
		);
		assert_eq!(Restaking::pool_view(POOL).unwrap().rate_ppb, 1_016_000_000);
		// A join now buys at that rate: 254 x 500 / 508 = 250 shares.
		assert_ok!(Restaking::join(RuntimeOrigin::signed(STRANGER), POOL, 254));
		assert_eq!(
			<Assets as frame_support::traits::fungibles::Inspect<AccountId>>::balance(
				POOL, &STRANGER
			),
			250
		);
	});
}

/// pallet-staking applies a deferred slash as of the era after the offence, so a chunk unbonded
/// in the offence era is out of its reach and the slash falls on the active stake alone: a
/// redemption then is priced net of it, and bears its share all the same.
#[test]
fn a_redemption_in_the_offence_era_bears_its_share_of_a_deferred_base_slash() {
	use crate::SlashingAdapter;
	SlashDeferDuration::set(2);
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		assert_ok!(Restaking::join(RuntimeOrigin::signed(UNBONDED), POOL, 400));
		let pool = Restaking::pool_account(POOL);
		// Era 3: the pool's 500 are behind VALIDATOR_A, reported at 10%; staking defers the
		// slash to era 3 + 2 + 1.
		start_active_era(3);
		offence(VALIDATOR_A, 3, Perbill::from_percent(10));
		assert_eq!(staking::UnappliedSlashes::<Test>::get(6).len(), 1);
		type Adapter = <Test as crate::Config>::Slashing;
		assert_eq!((Adapter::pending_slash(&pool), Adapter::escaping_slash(&pool)), (50, 50));
		assert_eq!(Restaking::pool_pending_slash(POOL), 50);
		assert_eq!(Restaking::pool_view(POOL).unwrap().rate_ppb, 900_000_000);
		assert_noop!(
			Restaking::join(RuntimeOrigin::signed(STRANGER), POOL, 90),
			crate::Error::<Test>::PoolSlashPending
		);
		// 100 shares now: 100 x 450 / 500 = 90, into the sub-pool of era 3 + 10.
		assert_ok!(Restaking::redeem(RuntimeOrigin::signed(UNBONDED), POOL, 100));
		assert_eq!(crate::Redemptions::<Test>::get(POOL, UNBONDED).into_inner(), vec![(13, 90)]);
		// From era 4 a chunk would bear it: nothing escapes any more.
		start_active_era(4);
		assert_eq!((Adapter::pending_slash(&pool), Adapter::escaping_slash(&pool)), (50, 0));
		// Era 6: the 50 come from the 410 active alone; the claim keeps its 90, and the 400
		// shares left are worth 360: the same 0.9 a share.
		start_active_era(6);
		assert_eq!((bonded(pool), Restaking::pool_value(POOL)), (450, 360));
		assert_eq!(crate::SubPools::<Test>::get(POOL, 13).unwrap().balance, 90);
		assert_eq!(Restaking::pool_pending_slash(POOL), 0);
		assert_eq!(Restaking::pool_view(POOL).unwrap().rate_ppb, 900_000_000);
	});
}

/// A report too late for its deferral (its apply era has already started) leaves a slash that
/// pallet-staking never applies: it does not count against the pool, whose joins go on.
#[test]
fn a_deferred_slash_past_its_apply_era_does_not_hold_the_pools_joins() {
	SlashDeferDuration::set(2);
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		assert_ok!(Restaking::join(RuntimeOrigin::signed(UNBONDED), POOL, 400));
		// Era 3's offence reported in era 7: kept under era 3 + 2 + 1 = 6, already started.
		start_active_era(7);
		offence(VALIDATOR_A, 3, Perbill::from_percent(10));
		assert_eq!(staking::UnappliedSlashes::<Test>::get(6).len(), 1);
		assert_eq!(Restaking::pool_pending_slash(POOL), 0);
		assert_ok!(Restaking::join(RuntimeOrigin::signed(STRANGER), POOL, 100));
		start_active_era(8);
		assert_eq!(bonded(Restaking::pool_account(POOL)), 600);
	});
}
