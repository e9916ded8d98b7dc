//! Storage migrations.

/// Version 4 to 5: operators and delegators.
///
/// Version 5 adds storage items only ([`crate::Operators`], [`crate::Delegations`],
/// [`crate::OperatorDelegators`], [`crate::DelegatorJobs`], [`crate::DelegatorOffences`]), all
/// empty on a chain that ran version 4; no existing item changes its layout. The migration bumps
/// the storage version, and with `try-runtime` checks that every position, restaker ledger,
/// departure and pending slash is still there and decodes.
pub mod v5 {
	use crate::pallet::{
		Config, Delegations, Departures, Operators, Pallet, Positions, Restakers, Slashes,
	};
	use frame_support::{migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade};

	/// The migration for a runtime's `Migrations`: runs once, on a chain at storage version 4.
	pub type MigrateV4ToV5<T> = VersionedMigration<
		4,
		5,
		InnerMigrateV4ToV5<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	/// The unversioned step of [`MigrateV4ToV5`]: nothing to translate.
	pub struct InnerMigrateV4ToV5<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV4ToV5<T> {
		fn on_runtime_upgrade() -> frame_support::weights::Weight {
			frame_support::weights::Weight::zero()
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			let counts: (u32, u32, u32, u32) = (
				Positions::<T>::iter().count() as u32,
				Restakers::<T>::iter().count() as u32,
				Departures::<T>::iter().count() as u32,
				Slashes::<T>::iter().count() as u32,
			);
			Ok(counts.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			let before = <(u32, u32, u32, u32)>::decode(&mut &state[..])
				.map_err(|_| "pre_upgrade state does not decode")?;
			// `iter` skips what does not decode: equal counts mean every record still decodes.
			let after = (
				Positions::<T>::iter().count() as u32,
				Restakers::<T>::iter().count() as u32,
				Departures::<T>::iter().count() as u32,
				Slashes::<T>::iter().count() as u32,
			);
			frame_support::ensure!(
				before == after,
				"a position, ledger, departure or slash was lost"
			);
			frame_support::ensure!(
				Operators::<T>::iter().next().is_none()
					&& Delegations::<T>::iter().next().is_none(),
				"version 4 had no operators or delegations"
			);
			Ok(())
		}
	}
}
