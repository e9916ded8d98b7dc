//! Allocations: opting in, changing an allocation, and the delayed exit.
//!
//! The checks live here; every write goes through [`crate::positions`]. Each call first brings
//! the restaker up to date if it was last synced in an earlier era, so it starts from the
//! exposures and released exits of the active era.

use crate::{
	pallet::{Config, Departures, Error, Event, Pallet, Positions, Restakers},
	BalanceOf, Exit, ServiceId, SlashingAdapter,
};
use frame_support::{ensure, pallet_prelude::DispatchResult};
use sp_runtime::{
	traits::{CheckedAdd, Saturating, Zero},
	DispatchError,
};
use sp_staking::{Stake, StakingInterface};

impl<T: Config> Pallet<T> {
	/// Allocate `amount` of `who`'s bonded stake to `service`, in force from the active era.
	pub fn do_opt_in(
		who: T::AccountId,
		service: ServiceId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let info = Self::active_service(service)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAllocation);
		ensure!(amount >= info.params.min_stake, Error::<T>::BelowMinStake);
		let stake = Self::bonded_stake(&who)?;
		ensure!(!T::Staking::is_virtual_staker(&who), Error::<T>::VirtualStaker);
		// Staking's hooks name the controller on withdrawals; positions are kept by stash.
		ensure!(
			T::Staking::stash_by_ctrl(&who).ok().as_ref() == Some(&who),
			Error::<T>::LegacyController
		);
		if info.params.validators_only {
			ensure!(T::Staking::is_validator(&who), Error::<T>::NotValidator);
		}
		ensure!(!Positions::<T>::contains_key(&who, service), Error::<T>::AlreadyOptedIn);
		ensure!(amount <= stake.active, Error::<T>::InsufficientStake);
		let era = T::Slashing::active_era();
		if let Some(departure) = Departures::<T>::get(&who, service) {
			ensure!(!Self::departure_reportable(&departure, era), Error::<T>::RecentlyExited);
		}

		Self::ensure_synced(&who)?;
		let allocated = Restakers::<T>::get(&who).map(|l| l.total_allocated).unwrap_or_default();
		let total = allocated.checked_add(&amount).ok_or(Error::<T>::LeverageExceeded)?;
		Self::ensure_within_leverage(total, &stake)?;
		Self::open_position(&who, service, amount, info.params.dispute_window)?;
		Self::deposit_event(Event::<T>::OptedIn { who, service, amount });
		Ok(())
	}

	/// Raise an allocation from the next era, or schedule lowering it from the era the
	/// service's exit delay ends.
	///
	/// Setting the current allocation again cancels a scheduled decrease.
	pub fn do_set_allocation(
		who: T::AccountId,
		service: ServiceId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(Positions::<T>::contains_key(&who, service), Error::<T>::NotOptedIn);
		ensure!(!amount.is_zero(), Error::<T>::ZeroAllocation);
		Self::ensure_synced(&who)?;
		// The sync may have released or ejected the position.
		let position = Positions::<T>::get(&who, service).ok_or(Error::<T>::NotOptedIn)?;
		if let Some(exit) = &position.exit {
			ensure!(!exit.target.is_zero(), Error::<T>::ExitInProgress);
		}

		if amount > position.allocation {
			Self::active_service(service)?;
			let stake = Self::bonded_stake(&who)?;
			ensure!(amount <= stake.active, Error::<T>::InsufficientStake);
			let ledger = Restakers::<T>::get(&who).ok_or(Error::<T>::NotOptedIn)?;
			let raise = amount.saturating_sub(position.allocation);
			let total =
				ledger.total_allocated.checked_add(&raise).ok_or(Error::<T>::LeverageExceeded)?;
			Self::ensure_within_leverage(total, &stake)?;
			Self::change_position(&who, service, |position| {
				position.allocation = amount;
				position.exit = None;
			})?;
			Self::deposit_event(Event::<T>::AllocationRaised { who, service, amount });
		} else if amount < position.allocation {
			let info = Self::service(service)?;
			ensure!(amount >= info.params.min_stake, Error::<T>::BelowMinStake);
			let release_era = T::Slashing::active_era().saturating_add(info.params.exit_delay);
			Self::change_position(&who, service, |position| {
				position.exit = Some(Exit { target: amount, release_era });
			})?;
			Self::deposit_event(Event::<T>::AllocationDecreaseScheduled {
				who,
				service,
				amount,
				release_era,
			});
		} else {
			ensure!(position.exit.is_some(), Error::<T>::AllocationUnchanged);
			Self::change_position(&who, service, |position| position.exit = None)?;
			Self::deposit_event(Event::<T>::AllocationRaised { who, service, amount });
		}
		Ok(())
	}

	/// Schedule `who`'s exit from `service` from the era the service's exit delay ends.
	pub fn do_opt_out(who: T::AccountId, service: ServiceId) -> DispatchResult {
		ensure!(Positions::<T>::contains_key(&who, service), Error::<T>::NotOptedIn);
		Self::ensure_synced(&who)?;
		let position = Positions::<T>::get(&who, service).ok_or(Error::<T>::NotOptedIn)?;
		if let Some(exit) = &position.exit {
			ensure!(!exit.target.is_zero(), Error::<T>::ExitInProgress);
		}
		let info = Self::service(service)?;
		let release_era = T::Slashing::active_era().saturating_add(info.params.exit_delay);
		Self::change_position(&who, service, |position| {
			position.exit = Some(Exit { target: Zero::zero(), release_era });
		})?;
		Self::deposit_event(Event::<T>::OptOutScheduled { who, service, release_era });
		Ok(())
	}

	/// Release a scheduled exit or decrease whose exit delay has passed (`OptedOut` or
	/// `AllocationDecreased`). The era sweep does the same for every restaker.
	pub fn do_complete_opt_out(who: T::AccountId, service: ServiceId) -> DispatchResult {
		let position = Positions::<T>::get(&who, service).ok_or(Error::<T>::NotOptedIn)?;
		let exit = position.exit.ok_or(Error::<T>::NoExitScheduled)?;
		ensure!(T::Slashing::active_era() >= exit.release_era, Error::<T>::ExitDelayNotPassed);
		Self::sync(&who).map(|_| ())
	}

	/// `who`'s stake in the staking system, or `NotBonded`.
	pub(crate) fn bonded_stake(who: &T::AccountId) -> Result<Stake<BalanceOf<T>>, DispatchError> {
		T::Staking::stake(who).map_err(|_| Error::<T>::NotBonded.into())
	}

	/// Refuse a total allocation above `MaxLeverage x active stake`.
	fn ensure_within_leverage(total: BalanceOf<T>, stake: &Stake<BalanceOf<T>>) -> DispatchResult {
		ensure!(total <= Self::leverage_cap(stake.active), Error::<T>::LeverageExceeded);
		Ok(())
	}
}
