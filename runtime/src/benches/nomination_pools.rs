//! pallet-nomination-pools' `join` and `unbond`, measured on this runtime's pallet-staking, so
//! that `docs/performance.md` can compare restaking pools' `join` and `redeem` with them.
//!
//! The nomination pools' own benchmarks (`pallet-nomination-pools-benchmarking`) run only on
//! pallet-staking-async in this release; these two are theirs, with pallet-staking in its place:
//! the same worst case for the voter list (the pool leaves a bag that holds another node for a
//! bag that has a node), the same amounts, the same checks. The runtime's pools delegate
//! (`DelegateStake`), as Polkadot's do.

use alloc::vec;
use frame_benchmarking::v2::*;
use frame_election_provider_support::SortedListProvider;
use frame_support::traits::fungible::{Inspect, Mutate, Unbalanced};
use frame_system::RawOrigin;
use pallet_nomination_pools::{
	adapter::{Pool, StakeStrategy},
	BalanceOf, BondedPools, Call, LastPoolId, MaxPools, MinJoinBond, PoolMembers,
};
use sp_runtime::{
	traits::{StaticLookup, Zero},
	Perbill,
};
use sp_staking::StakingInterface;

/// The benchmarks' pallet: nomination pools, run by this runtime.
pub struct Pallet<T: Config>(core::marker::PhantomData<T>);

/// A runtime with nomination pools on pallet-staking.
pub trait Config: pallet_nomination_pools::Config + pallet_staking::Config {}

impl Config for crate::Runtime {}

type Pools<T> = pallet_nomination_pools::Pallet<T>;
type CurrencyOf<T> = <T as pallet_nomination_pools::Config>::Currency;

const USER_SEED: u32 = 0;

fn funded<T: Config>(string: &'static str, n: u32, balance: BalanceOf<T>) -> T::AccountId {
	let user = account(string, n, USER_SEED);
	CurrencyOf::<T>::set_balance(&user, balance);
	user
}

/// A validator the pools can nominate, bonding half of `balance`.
fn create_validator<T: Config>(balance: BalanceOf<T>) -> Result<T::AccountId, BenchmarkError>
where
	pallet_staking::BalanceOf<T>: From<u128>,
	BalanceOf<T>: Into<u128>,
{
	let validator = funded::<T>("validator", 0, balance);
	let stake: pallet_staking::BalanceOf<T> = (balance.into() / 2).into();
	pallet_staking::Pallet::<T>::bond(
		RawOrigin::Signed(validator.clone()).into(),
		stake,
		pallet_staking::RewardDestination::Staked,
	)?;
	pallet_staking::Pallet::<T>::validate(
		RawOrigin::Signed(validator.clone()).into(),
		Default::default(),
	)?;
	Ok(validator)
}

/// A pool created by a new account with `balance` bonded, at 50% commission, nominating
/// `validator`; returns its bonded account.
fn create_pool<T: Config>(
	n: u32,
	balance: BalanceOf<T>,
	validator: &T::AccountId,
) -> Result<T::AccountId, BenchmarkError> {
	let ed = CurrencyOf::<T>::minimum_balance();
	let creator = funded::<T>("pool_creator", n, ed + balance * 2u32.into());
	let lookup = T::Lookup::unlookup(creator.clone());
	Pools::<T>::create(
		RawOrigin::Signed(creator.clone()).into(),
		balance,
		lookup.clone(),
		lookup.clone(),
		lookup,
	)?;
	let pool_id = LastPoolId::<T>::get();
	Pools::<T>::set_commission(
		RawOrigin::Signed(creator.clone()).into(),
		pool_id,
		Some((Perbill::from_percent(50), creator)),
	)?;
	let pool_account = Pools::<T>::generate_bonded_account(pool_id);
	T::StakeAdapter::nominate(Pool::from(pool_account.clone()), vec![validator.clone()])?;
	Ok(pool_account)
}

/// The voter list's worst case, as the nomination pools' benchmarks build it: pool 1 (`origin`)
/// shares its bag with pool 2, and pool 3 waits in the bag that moving pool 1 by
/// `dest_weight - origin_weight` reaches.
struct ListScenario<T: Config> {
	origin: T::AccountId,
	dest_weight: BalanceOf<T>,
}

impl<T: Config> ListScenario<T>
where
	pallet_staking::BalanceOf<T>: From<u128>,
	BalanceOf<T>: Into<u128>,
{
	fn new(origin_weight: BalanceOf<T>, is_increase: bool) -> Result<Self, BenchmarkError> {
		if origin_weight.is_zero() || MaxPools::<T>::get().unwrap_or(0) < 3 {
			return Err(BenchmarkError::Stop("three pools with a positive bond are needed"));
		}
		CurrencyOf::<T>::set_total_issuance(Zero::zero());
		let validator = create_validator::<T>(CurrencyOf::<T>::minimum_balance() * 1000u32.into())?;
		let origin = create_pool::<T>(USER_SEED + 1, origin_weight, &validator)?;
		create_pool::<T>(USER_SEED + 2, origin_weight, &validator)?;
		let dest_weight: BalanceOf<T> =
			<T as pallet_staking::Config>::VoterList::score_update_worst_case(&origin, is_increase)
				.try_into()
				.map_err(|_| BenchmarkError::Stop("vote weight is not a balance"))?;
		let dest = create_pool::<T>(USER_SEED + 3, dest_weight, &validator)?;
		let weight_of = pallet_staking::Pallet::<T>::weight_of_fn();
		let bonded = |who: &T::AccountId| <BalanceOf<T>>::try_from(weight_of(who)).ok();
		assert_eq!(bonded(&origin), Some(origin_weight));
		assert_eq!(bonded(&dest), Some(dest_weight));
		Ok(ListScenario { origin, dest_weight })
	}

	/// A member of pool 1 with `amount`, the pool's bond unchanged: its return.
	fn add_joiner(&self, amount: BalanceOf<T>) -> Result<T::AccountId, BenchmarkError> {
		let amount = MinJoinBond::<T>::get().max(CurrencyOf::<T>::minimum_balance()).max(amount);
		let joiner: T::AccountId = account("joiner", USER_SEED, 0);
		CurrencyOf::<T>::set_balance(&joiner, amount * 2u32.into());
		let original = T::StakeAdapter::active_stake(Pool::from(self.origin.clone()));
		T::StakeAdapter::unbond(Pool::from(self.origin.clone()), amount)?;
		BondedPools::<T>::mutate(1, |pool| {
			if let Some(pool) = pool.as_mut() {
				pool.points -= amount;
			}
		});
		Pools::<T>::join(RawOrigin::Signed(joiner.clone()).into(), amount, 1)?;
		assert_eq!(T::StakeAdapter::active_stake(Pool::from(self.origin.clone())), original);
		assert_eq!(
			PoolMembers::<T>::get(&joiner).map(|m| (m.points, m.pool_id)),
			Some((amount, 1))
		);
		Ok(joiner)
	}
}

#[benchmarks(
	where
		pallet_staking::BalanceOf<T>: From<u128>,
		BalanceOf<T>: Into<u128>,
)]
mod benchmarks {
	use super::*;

	/// A new member joins pool 1 with the amount that moves it into the destination bag.
	#[benchmark]
	fn join() -> Result<(), BenchmarkError> {
		let origin_weight = Pools::<T>::depositor_min_bond() * 2u32.into();
		let scenario = ListScenario::<T>::new(origin_weight, true)?;
		let max_additional = scenario.dest_weight - origin_weight;
		let joiner_free = CurrencyOf::<T>::minimum_balance() + max_additional;
		let joiner = funded::<T>("joiner", 0, joiner_free);
		whitelist_account!(joiner);

		#[extrinsic_call]
		_(RawOrigin::Signed(joiner.clone()), max_additional, 1);

		assert_eq!(CurrencyOf::<T>::balance(&joiner), joiner_free - max_additional);
		assert_eq!(
			T::StakeAdapter::active_stake(Pool::from(scenario.origin)),
			scenario.dest_weight
		);
		Ok(())
	}

	/// A member unbonds all its points, which moves pool 1 down into the destination bag.
	#[benchmark]
	fn unbond() -> Result<(), BenchmarkError> {
		<T::StakeAdapter as StakeStrategy>::CoreStaking::set_era(0);
		let origin_weight = Pools::<T>::depositor_min_bond() * 200u32.into();
		let scenario = ListScenario::<T>::new(origin_weight, false)?;
		let amount = origin_weight - scenario.dest_weight;
		let member = scenario.add_joiner(amount)?;
		let points = PoolMembers::<T>::get(&member).map(|m| m.points).unwrap_or_default();
		whitelist_account!(member);

		#[extrinsic_call]
		_(RawOrigin::Signed(member.clone()), T::Lookup::unlookup(member.clone()), points);

		assert!(T::StakeAdapter::active_stake(Pool::from(scenario.origin)) <= scenario.dest_weight);
		let unbonding = PoolMembers::<T>::get(&member)
			.map(|m| m.unbonding_eras.into_inner().into_iter().collect::<alloc::vec::Vec<_>>());
		assert_eq!(unbonding, Some(vec![(T::StakeAdapter::bonding_duration(), points)]));
		Ok(())
	}

	// The genesis is committed: the suite wipes what each benchmark leaves in the overlay.
	impl_benchmark_test_suite!(
		Pallet,
		{
			let mut ext = crate::tests::ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET);
			ext.commit_all().expect("the genesis commits");
			ext
		},
		crate::Runtime
	);
}
