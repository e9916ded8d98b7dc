//! A pool's base staking rewards, on pallet-staking only: staking-async pays an era's rewards
//! from a reward pot that its mock does not fund, so a payout there pays nobody.
//!
//! The world: `VALIDATOR_A` (1,000 bonded, 0% staking commission) operates in an oracle; pool 0,
//! created by `UNBONDED` with the minimum deposit of 100, nominates it and delegates to it.

use super::mock::*;
use frame_support::{assert_ok, traits::fungible::Inspect as _};

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
