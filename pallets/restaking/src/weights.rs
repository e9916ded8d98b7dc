//! Weights of `pallet-restaking`.
//!
//! These are storage-access estimates, written by hand from the code, until the benchmarks of
//! issue #6 replace them with generated figures. Every function counts the reads and writes of
//! its worst case and adds a fixed execution cost.

#![deny(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weights for the calls and hooks of `pallet-restaking`.
pub trait WeightInfo {
	fn register_service() -> Weight;
	fn update_service() -> Weight;
	fn set_service_status() -> Weight;
	fn opt_in() -> Weight;
	fn set_allocation() -> Weight;
	fn opt_out() -> Weight;
	fn complete_opt_out() -> Weight;
	/// `r`: restakers in the service.
	fn report_offence(r: u32) -> Weight;
	fn cancel_slash() -> Weight;
	/// `n`: services of the offender, re-synced after the slash; `r`: restakers in the service.
	fn apply_slash(n: u32, r: u32) -> Weight;
	/// `s`: slashes applied in the block, offenders in `MaxServicesPerRestaker` services.
	fn apply_due_slashes(s: u32) -> Weight;
	/// `n`: services of the re-synced restaker.
	fn resync(n: u32) -> Weight;
	fn fund_rewards() -> Weight;
	fn claim_rewards() -> Weight;
	fn on_slash_hook() -> Weight;
	fn on_initialize_idle() -> Weight;
}

/// Estimates on the database weights `D`.
pub struct Estimates<D>(PhantomData<D>);

/// Estimates for a runtime, on its own database weights.
pub type SubstrateWeight<T> = Estimates<<T as frame_system::Config>::DbWeight>;

/// Fixed execution cost per call, before storage.
const BASE: u64 = 25_000_000;
/// Execution cost of one `do_slash` through pallet-staking, before storage.
const SLASH: u64 = 60_000_000;

fn estimate<D: Get<RuntimeDbWeight>>(base: u64, reads: u64, writes: u64) -> Weight {
	Weight::from_parts(base, 4_000).saturating_add(D::get().reads_writes(reads, writes))
}

impl<D: Get<RuntimeDbWeight>> WeightInfo for Estimates<D> {
	fn register_service() -> Weight {
		estimate::<D>(BASE, 2, 3)
	}
	fn update_service() -> Weight {
		estimate::<D>(BASE, 1, 1)
	}
	fn set_service_status() -> Weight {
		estimate::<D>(BASE, 1, 1)
	}
	fn opt_in() -> Weight {
		estimate::<D>(BASE, 8, 3)
	}
	fn set_allocation() -> Weight {
		estimate::<D>(BASE, 8, 3)
	}
	fn opt_out() -> Weight {
		estimate::<D>(BASE, 3, 1)
	}
	fn complete_opt_out() -> Weight {
		estimate::<D>(BASE, 4, 3)
	}
	fn report_offence(_r: u32) -> Weight {
		estimate::<D>(BASE, 9, 4)
	}
	fn cancel_slash() -> Weight {
		estimate::<D>(BASE, 3, 2)
	}
	fn apply_slash(n: u32, _r: u32) -> Weight {
		estimate::<D>(SLASH, 13, 10).saturating_add(Self::resync(n))
	}
	fn apply_due_slashes(s: u32) -> Weight {
		let per_slash = estimate::<D>(SLASH, 12, 10).saturating_add(Self::resync(16));
		estimate::<D>(BASE, 1, 0).saturating_add(per_slash.saturating_mul(s.into()))
	}
	fn resync(n: u32) -> Weight {
		let per_service = estimate::<D>(BASE, 4, 3);
		estimate::<D>(BASE, 4, 1).saturating_add(per_service.saturating_mul(n.into()))
	}
	fn fund_rewards() -> Weight {
		estimate::<D>(BASE, 5, 3)
	}
	fn claim_rewards() -> Weight {
		estimate::<D>(BASE, 5, 4)
	}
	fn on_slash_hook() -> Weight {
		estimate::<D>(0, 1, 1)
	}
	fn on_initialize_idle() -> Weight {
		estimate::<D>(BASE, 4, 0)
	}
}

/// The same estimates on RocksDB weights, for tests.
impl WeightInfo for () {
	fn register_service() -> Weight {
		Estimates::<RocksDbWeight>::register_service()
	}
	fn update_service() -> Weight {
		Estimates::<RocksDbWeight>::update_service()
	}
	fn set_service_status() -> Weight {
		Estimates::<RocksDbWeight>::set_service_status()
	}
	fn opt_in() -> Weight {
		Estimates::<RocksDbWeight>::opt_in()
	}
	fn set_allocation() -> Weight {
		Estimates::<RocksDbWeight>::set_allocation()
	}
	fn opt_out() -> Weight {
		Estimates::<RocksDbWeight>::opt_out()
	}
	fn complete_opt_out() -> Weight {
		Estimates::<RocksDbWeight>::complete_opt_out()
	}
	fn report_offence(r: u32) -> Weight {
		Estimates::<RocksDbWeight>::report_offence(r)
	}
	fn cancel_slash() -> Weight {
		Estimates::<RocksDbWeight>::cancel_slash()
	}
	fn apply_slash(n: u32, r: u32) -> Weight {
		Estimates::<RocksDbWeight>::apply_slash(n, r)
	}
	fn apply_due_slashes(s: u32) -> Weight {
		Estimates::<RocksDbWeight>::apply_due_slashes(s)
	}
	fn resync(n: u32) -> Weight {
		Estimates::<RocksDbWeight>::resync(n)
	}
	fn fund_rewards() -> Weight {
		Estimates::<RocksDbWeight>::fund_rewards()
	}
	fn claim_rewards() -> Weight {
		Estimates::<RocksDbWeight>::claim_rewards()
	}
	fn on_slash_hook() -> Weight {
		Estimates::<RocksDbWeight>::on_slash_hook()
	}
	fn on_initialize_idle() -> Weight {
		Estimates::<RocksDbWeight>::on_initialize_idle()
	}
}
