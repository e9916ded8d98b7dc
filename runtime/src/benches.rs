//! The pallets `restaking-node benchmark pallet` can measure.

pub use crate::{Balances, Restaking, Runtime, Staking, VoterList};
pub use frame_benchmarking::baseline::Pallet as BaselineBench;
pub use frame_system_benchmarking::Pallet as SystemBench;
pub use nomination_pools::Pallet as NominationPoolsBench;

mod nomination_pools;

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_staking, Staking]
	[pallet_bags_list, VoterList]
	[pallet_restaking, Restaking]
	[pallet_nomination_pools, NominationPoolsBench::<Runtime>]
);
