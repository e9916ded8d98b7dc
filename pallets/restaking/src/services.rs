//! Services: registration, updates and status, under `ServiceOrigin`.

use crate::{
	pallet::{Config, Error, Event, NextServiceId, Pallet, ParamsUpdatedEra, Services},
	ServiceId, ServiceOf, ServiceParamsOf, ServiceStatus, SlashingAdapter,
};
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get};
use sp_runtime::{traits::Zero, DispatchError};
use sp_staking::StakingInterface;

impl<T: Config> Pallet<T> {
	/// Register a service and return its id.
	pub fn do_register_service(params: ServiceParamsOf<T>) -> Result<ServiceId, DispatchError> {
		Self::ensure_valid_params(&params)?;
		ensure!(
			Services::<T>::count() < T::MaxServices::get(),
			Error::<T>::TooManyRegisteredServices
		);
		let id = NextServiceId::<T>::get();
		// Ids are never reused; `MaxServices` keeps the count far below `u32::MAX`.
		let next = id.checked_add(1).ok_or(Error::<T>::TooManyRegisteredServices)?;
		let slasher = params.slasher.clone();
		Services::<T>::insert(
			id,
			ServiceOf::<T> {
				params,
				status: ServiceStatus::Active,
				total_secured: Zero::zero(),
				restakers: 0,
			},
		);
		NextServiceId::<T>::put(next);
		Self::deposit_event(Event::<T>::ServiceRegistered { service: id, slasher });
		Ok(id)
	}

	/// Replace a service's parameters.
	///
	/// Existing positions keep their allocations, even below a raised `min_stake` (the next
	/// re-sync applies it); scheduled slashes keep the amount and `apply_era` they were reported
	/// with, so an update never loosens them.
	pub fn do_update_service(service: ServiceId, params: ServiceParamsOf<T>) -> DispatchResult {
		Self::ensure_valid_params(&params)?;
		Services::<T>::try_mutate(service, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::UnknownService)?;
			ensure!(info.status != ServiceStatus::Retired, Error::<T>::ServiceRetired);
			info.params = params;
			Ok::<_, DispatchError>(())
		})?;
		ParamsUpdatedEra::<T>::insert(service, T::Slashing::active_era());
		Self::deposit_event(Event::<T>::ServiceUpdated { service });
		Ok(())
	}

	/// Pause, resume or retire a service. Retiring is final.
	pub fn do_set_service_status(service: ServiceId, status: ServiceStatus) -> DispatchResult {
		Services::<T>::try_mutate(service, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::UnknownService)?;
			ensure!(info.status != ServiceStatus::Retired, Error::<T>::AlreadyRetired);
			info.status = status;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::<T>::ServiceStatusChanged { service, status });
		Ok(())
	}

	/// Refuse parameters that would let stake escape a slash or that slash nothing.
	fn ensure_valid_params(params: &ServiceParamsOf<T>) -> DispatchResult {
		ensure!(params.rules.iter().all(|r| !r.fraction.is_zero()), Error::<T>::ZeroFraction);
		// An exit delay of zero would let an offender leave in the era of its offence, before
		// anyone can report it; a dispute window of zero would land slashes nobody could cancel.
		ensure!(params.exit_delay > 0, Error::<T>::ZeroExitDelay);
		ensure!(params.dispute_window > 0, Error::<T>::ZeroDisputeWindow);
		// A slash lands at most `ReportWindow + dispute_window` eras after its offence; unlocking
		// chunks unbonded after the offence are withdrawable `BondingDuration` eras after it,
		// counted in pallet-staking's current era, which may run one era ahead of the active one.
		let latest_landing = T::ReportWindow::get().saturating_add(params.dispute_window);
		ensure!(
			latest_landing.saturating_add(1) < T::Staking::bonding_duration(),
			Error::<T>::WindowsExceedBondingDuration
		);
		Ok(())
	}

	/// The service, or `UnknownService`.
	pub(crate) fn service(service: ServiceId) -> Result<ServiceOf<T>, DispatchError> {
		Services::<T>::get(service).ok_or_else(|| Error::<T>::UnknownService.into())
	}

	/// The service, if it takes new opt-ins, raises and reports.
	pub(crate) fn active_service(service: ServiceId) -> Result<ServiceOf<T>, DispatchError> {
		let info = Self::service(service)?;
		match info.status {
			ServiceStatus::Active => Ok(info),
			ServiceStatus::Paused => Err(Error::<T>::ServicePaused.into()),
			ServiceStatus::Retired => Err(Error::<T>::ServiceRetired.into()),
		}
	}
}
