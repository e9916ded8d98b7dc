//! Services: registration, updates and status, under `ServiceOrigin`.

use crate::{
	pallet::{
		Config, Error, Event, NextServiceId, Pallet, ParamsUpdatedEra, PastServiceRules,
		PendingRuleChanges, RuleChangesEra, Services,
	},
	PastRules, RuleChange, ServiceId, ServiceOf, ServiceParamsOf, ServiceStatus, SlashingAdapter,
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get, weights::Weight};
use sp_staking::EraIndex;

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
				allocated: Zero::zero(),
				leaving: Default::default(),
			},
		);
		NextServiceId::<T>::put(next);
		Self::deposit_event(Event::<T>::ServiceRegistered { service: id, slasher });
		Ok(id)
	}

	/// Replace a service's parameters.
	///
	/// Harsher slashing terms wait: the gentler of the current and the new terms
	/// ([`crate::ServiceParams::gentler`]) apply at once, and if that is not all of the update,
	/// the new terms are scheduled for the active era plus the exit delay now in force
	/// (`RuleChangeScheduled`), so that a restaker who does not accept them can leave first. The
	/// update replaces any change still waiting. Offences from before a harsher change took
	/// effect are judged by the gentler of the two rules ([`PastServiceRules`]).
	///
	/// Existing positions keep their allocations, even below a raised `min_stake` (the next
	/// re-sync applies it); scheduled slashes keep the amount and `apply_era` they were reported
	/// with, so an update never loosens them.
	///
	/// Returns how many pools a harsher change made leave the service
	/// ([`Self::pools_notice_rule_change`]).
	pub fn do_update_service(
		service: ServiceId,
		params: ServiceParamsOf<T>,
	) -> Result<u32, DispatchError> {
		Self::ensure_valid_params(&params)?;
		let era = T::Slashing::active_era();
		let waiting = Services::<T>::try_mutate(service, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::UnknownService)?;
			ensure!(info.status != ServiceStatus::Retired, Error::<T>::ServiceRetired);
			let now = info.params.gentler(&params);
			let waiting = if now == params {
				None
			} else {
				Some(RuleChange { params, effective_era: era.saturating_add(now.exit_delay) })
			};
			info.params = now;
			Ok::<_, DispatchError>(waiting)
		})?;
		ParamsUpdatedEra::<T>::insert(service, era);
		Self::deposit_event(Event::<T>::ServiceUpdated { service });
		match waiting {
			Some(change) => {
				let effective_era = change.effective_era;
				PendingRuleChanges::<T>::insert(service, change);
				Self::deposit_event(Event::<T>::RuleChangeScheduled { service, effective_era });
				// Pools get their own, longer notice.
				Ok(Self::pools_notice_rule_change(service, effective_era))
			}
			None => {
				PendingRuleChanges::<T>::remove(service);
				Ok(0)
			}
		}
	}

	/// Put in force the rule changes whose effective era has come, once per era (from
	/// `on_initialize`, which runs after pallet-session starts the era): at most `MaxServices`.
	pub(crate) fn promote_rule_changes(era: EraIndex) -> Weight {
		if RuleChangesEra::<T>::get() >= era {
			return T::DbWeight::get().reads(1);
		}
		RuleChangesEra::<T>::put(era);
		let mut reads = 1u64;
		let mut writes = 1u64;
		let due: Vec<_> = PendingRuleChanges::<T>::iter()
			.inspect(|_| reads = reads.saturating_add(1))
			.filter(|(_, change)| change.effective_era <= era)
			.collect();
		for (service, change) in due {
			reads = reads.saturating_add(2);
			writes = writes.saturating_add(4);
			PendingRuleChanges::<T>::remove(service);
			let Some(mut info) = Services::<T>::get(service) else { continue };
			// Offences before the change keep the gentler rules; a record still in use for
			// older offences is merged, so no offence is judged harsher than its era's rules.
			let older = PastServiceRules::<T>::get(service)
				.filter(|past| past.until.saturating_add(T::ReportWindow::get()) > era);
			PastServiceRules::<T>::insert(
				service,
				PastRules::after_change(
					older.as_ref(),
					info.params.rules.clone(),
					change.effective_era,
				),
			);
			info.params = change.params;
			Services::<T>::insert(service, info);
			ParamsUpdatedEra::<T>::insert(service, era);
			Self::deposit_event(Event::<T>::RuleChangeApplied { service });
		}
		T::DbWeight::get().reads_writes(reads, writes)
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
		ensure!(params.min_stake >= T::MinStakeFloor::get(), Error::<T>::MinStakeBelowFloor);
		// An exit delay of zero would let an offender leave in the era of its offence, before
		// anyone can report it; a dispute window of zero would land slashes nobody could cancel.
		ensure!(params.exit_delay > 0, Error::<T>::ZeroExitDelay);
		ensure!(params.dispute_window > 0, Error::<T>::ZeroDisputeWindow);
		// A slash lands at most `ReportWindow + dispute_window` eras after its offence, and the
		// pages passing a report against an operator on to its delegators take one era more;
		// unlocking chunks unbonded after the offence must still be there.
		ensure!(
			Self::unbonding_covers(
				T::Staking::bonding_duration(),
				T::Slashing::withdraw_lead(),
				params.dispute_window.saturating_add(1),
			),
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
