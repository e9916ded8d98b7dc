//! Allocations: opting in, changing an allocation, and the delayed exit.

use crate::{
	pallet::{Config, Departures, Error, Event, Pallet, Positions, Restakers, Services},
	BalanceOf, Departure, Exit, Position, RestakerLedgerOf, ServiceId, SlashingAdapter,
};
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get};
use sp_runtime::{
	traits::{CheckedAdd, Saturating, Zero},
	DispatchError,
};
use sp_staking::{EraIndex, Stake, StakingInterface};

impl<T: Config> Pallet<T> {
	/// Allocate `amount` of `who`'s bonded stake to `service`.
	pub fn do_opt_in(
		who: T::AccountId,
		service: ServiceId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let mut info = Self::active_service(service)?;
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

		let mut ledger = Restakers::<T>::get(&who).unwrap_or_else(|| RestakerLedgerOf::<T> {
			services: Default::default(),
			total_allocated: Zero::zero(),
			leverage_base: Zero::zero(),
		});
		let total =
			ledger.total_allocated.checked_add(&amount).ok_or(Error::<T>::LeverageExceeded)?;
		Self::ensure_within_leverage(total, &stake)?;
		ledger.services.try_push(service).map_err(|_| Error::<T>::TooManyServices)?;
		ledger.total_allocated = total;
		ledger.leverage_base = stake.active;

		// `amount <= active <= total stake`, so the whole allocation is exposed.
		let exposure = amount;
		info.total_secured = info.total_secured.saturating_add(exposure);
		// Bounded by the number of accounts, far below `u32::MAX` restakers per service.
		info.restakers = info.restakers.saturating_add(1);

		Departures::<T>::remove(&who, service);
		Positions::<T>::insert(
			&who,
			service,
			Position {
				allocation: amount,
				exposure,
				joined_era: era,
				exit: None,
				reward_debt: Self::reward_debt(service, exposure),
				last_raise: None,
			},
		);
		Restakers::<T>::insert(&who, ledger);
		Services::<T>::insert(service, info);
		Self::deposit_event(Event::<T>::OptedIn { who, service, amount });
		Ok(())
	}

	/// Raise an allocation now, or schedule lowering it after the service's exit delay.
	///
	/// Setting the current allocation again cancels a scheduled decrease.
	pub fn do_set_allocation(
		who: T::AccountId,
		service: ServiceId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let mut position = Positions::<T>::get(&who, service).ok_or(Error::<T>::NotOptedIn)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAllocation);
		if let Some(exit) = &position.exit {
			ensure!(!exit.target.is_zero(), Error::<T>::ExitInProgress);
		}

		if amount > position.allocation {
			let mut info = Self::active_service(service)?;
			let stake = Self::bonded_stake(&who)?;
			ensure!(amount <= stake.active, Error::<T>::InsufficientStake);
			let mut ledger = Restakers::<T>::get(&who).ok_or(Error::<T>::NotOptedIn)?;
			let raise = amount.saturating_sub(position.allocation);
			let total =
				ledger.total_allocated.checked_add(&raise).ok_or(Error::<T>::LeverageExceeded)?;
			Self::ensure_within_leverage(total, &stake)?;
			ledger.total_allocated = total;
			ledger.leverage_base = stake.active;

			let exposure = amount.min(stake.total);
			info.total_secured =
				info.total_secured.saturating_sub(position.exposure).saturating_add(exposure);
			// Offences from before the raise are slashed on the allocation before it. Keeping the
			// earliest raise in the window never slashes more than backed the service.
			let era = T::Slashing::active_era();
			let window_start = era.saturating_sub(T::ReportWindow::get());
			if position.last_raise.is_none_or(|(raised, _)| raised < window_start) {
				position.last_raise = Some((era, position.allocation));
			}
			position.allocation = amount;
			Self::set_exposure(&who, service, &mut position, exposure);
			position.exit = None;
			Positions::<T>::insert(&who, service, position);
			Restakers::<T>::insert(&who, ledger);
			Services::<T>::insert(service, info);
			Self::deposit_event(Event::<T>::AllocationRaised { who, service, amount });
		} else if amount < position.allocation {
			let info = Services::<T>::get(service).ok_or(Error::<T>::UnknownService)?;
			ensure!(amount >= info.params.min_stake, Error::<T>::BelowMinStake);
			let release_era = T::Slashing::active_era().saturating_add(info.params.exit_delay);
			position.exit = Some(Exit { target: amount, release_era });
			Positions::<T>::insert(&who, service, position);
			Self::deposit_event(Event::<T>::AllocationDecreaseScheduled {
				who,
				service,
				amount,
				release_era,
			});
		} else {
			ensure!(position.exit.is_some(), Error::<T>::AllocationUnchanged);
			position.exit = None;
			Positions::<T>::insert(&who, service, position);
			Self::deposit_event(Event::<T>::AllocationRaised { who, service, amount });
		}
		Ok(())
	}

	/// Schedule `who`'s exit from `service` after the service's exit delay.
	pub fn do_opt_out(who: T::AccountId, service: ServiceId) -> DispatchResult {
		let mut position = Positions::<T>::get(&who, service).ok_or(Error::<T>::NotOptedIn)?;
		if let Some(exit) = &position.exit {
			ensure!(!exit.target.is_zero(), Error::<T>::ExitInProgress);
		}
		let info = Services::<T>::get(service).ok_or(Error::<T>::UnknownService)?;
		let release_era = T::Slashing::active_era().saturating_add(info.params.exit_delay);
		position.exit = Some(Exit { target: Zero::zero(), release_era });
		Positions::<T>::insert(&who, service, position);
		Self::deposit_event(Event::<T>::OptOutScheduled { who, service, release_era });
		Ok(())
	}

	/// Release a scheduled exit or decrease whose exit delay has passed.
	pub fn do_complete_opt_out(who: T::AccountId, service: ServiceId) -> DispatchResult {
		let mut position = Positions::<T>::get(&who, service).ok_or(Error::<T>::NotOptedIn)?;
		let exit = position.exit.clone().ok_or(Error::<T>::NoExitScheduled)?;
		ensure!(T::Slashing::active_era() >= exit.release_era, Error::<T>::ExitDelayNotPassed);

		if exit.target.is_zero() {
			Self::remove_position(&who, service, &position, exit.release_era)?;
			Self::deposit_event(Event::<T>::OptedOut { who, service });
			return Ok(());
		}

		let mut info = Services::<T>::get(service).ok_or(Error::<T>::UnknownService)?;
		let mut ledger = Restakers::<T>::get(&who).ok_or(Error::<T>::NotOptedIn)?;
		let released = position.allocation.saturating_sub(exit.target);
		ledger.total_allocated = ledger.total_allocated.saturating_sub(released);
		let exposure = position.exposure.min(exit.target);
		info.total_secured =
			info.total_secured.saturating_sub(position.exposure).saturating_add(exposure);
		position.allocation = exit.target;
		Self::set_exposure(&who, service, &mut position, exposure);
		position.exit = None;
		Positions::<T>::insert(&who, service, position);
		Restakers::<T>::insert(&who, ledger);
		Services::<T>::insert(service, info);
		Self::deposit_event(Event::<T>::AllocationDecreased { who, service, amount: exit.target });
		Ok(())
	}

	/// Delete `who`'s position in `service` and take it out of the service's and the
	/// restaker's totals, remembering it as a [`Departure`] from `release_era` on. Shared by
	/// exits and ejections.
	pub(crate) fn remove_position(
		who: &T::AccountId,
		service: ServiceId,
		position: &Position<BalanceOf<T>>,
		release_era: EraIndex,
	) -> DispatchResult {
		let mut ledger = Restakers::<T>::get(who).ok_or(Error::<T>::NotOptedIn)?;
		Departures::<T>::insert(
			who,
			service,
			Departure { joined_era: position.joined_era, release_era, position: position.clone() },
		);
		// What the position earned stays claimable after it is gone.
		Self::settle_rewards(who, service, &mut position.clone());
		if let Some(mut info) = Services::<T>::get(service) {
			info.total_secured = info.total_secured.saturating_sub(position.exposure);
			info.restakers = info.restakers.saturating_sub(1);
			Services::<T>::insert(service, info);
		}
		ledger.services.retain(|s| *s != service);
		ledger.total_allocated = ledger.total_allocated.saturating_sub(position.allocation);
		if ledger.services.is_empty() {
			Restakers::<T>::remove(who);
		} else {
			Restakers::<T>::insert(who, ledger);
		}
		Positions::<T>::remove(who, service);
		Ok(())
	}

	/// Whether offences from the time `departure` backed its service can still be reported in
	/// active era `era`: the last such offence is from `release_era - 1`.
	pub(crate) fn departure_reportable(departure: &Departure<BalanceOf<T>>, era: EraIndex) -> bool {
		era < departure.release_era.saturating_add(T::ReportWindow::get())
	}

	/// `who`'s stake in the staking system, or `NotBonded`.
	pub(crate) fn bonded_stake(who: &T::AccountId) -> Result<Stake<BalanceOf<T>>, DispatchError> {
		T::Staking::stake(who).map_err(|_| Error::<T>::NotBonded.into())
	}

	/// Refuse a total allocation above `MaxLeverage x active stake`.
	fn ensure_within_leverage(total: BalanceOf<T>, stake: &Stake<BalanceOf<T>>) -> DispatchResult {
		// Saturating: a cap beyond the balance type's range caps nothing.
		let cap = stake.active.saturating_mul(T::MaxLeverage::get().into());
		ensure!(total <= cap, Error::<T>::LeverageExceeded);
		Ok(())
	}
}
