//! Allocations: opting in, changing an allocation, and the delayed exit.
//!
//! The checks live here; every write goes through [`crate::positions`]. Each call first brings
//! the restaker up to date if it was last synced in an earlier era, so it starts from the
//! exposures and released exits of the active era.

use crate::{
	pallet::{Config, Departures, Error, Event, Pallet, PendingRuleChanges, Positions, Restakers},
	BalanceOf, Exit, ServiceId, SlashingAdapter,
};
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get};
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
		let era = T::Slashing::active_era();
		Self::open_checked(&who, service, amount, era, false)?;
		Self::deposit_event(Event::<T>::OptedIn { who: who.clone(), service, amount });
		// An operator's delegators follow it into the service from the next era.
		Self::operator_joined(&who, service);
		Ok(())
	}

	/// Open a position of `amount` for `who` in `service`, in force from active era `from`
	/// (the active era for an opt-in or a delegation, the next one for a delegator following
	/// its operator), after every check of an opt-in. A delegator's position (`delegated`)
	/// does not need `who` to be a validator: its operator runs the service.
	pub(crate) fn open_checked(
		who: &T::AccountId,
		service: ServiceId,
		amount: BalanceOf<T>,
		from: sp_staking::EraIndex,
		delegated: bool,
	) -> DispatchResult {
		let info = Self::active_service(service)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAllocation);
		ensure!(amount >= info.params.min_stake, Error::<T>::BelowMinStake);
		let stake = Self::bonded_stake(who)?;
		ensure!(!T::Staking::is_virtual_staker(who), Error::<T>::VirtualStaker);
		// Staking's hooks name the controller on withdrawals; positions are kept by stash.
		ensure!(
			T::Staking::stash_by_ctrl(who).ok().as_ref() == Some(who),
			Error::<T>::LegacyController
		);
		if info.params.validators_only && !delegated {
			ensure!(T::Staking::is_validator(who), Error::<T>::NotValidator);
		}
		ensure!(!Positions::<T>::contains_key(who, service), Error::<T>::AlreadyOptedIn);
		ensure!(amount <= stake.active, Error::<T>::InsufficientStake);
		let ahead = Self::backing_window(who, info.params.dispute_window);
		Self::ensure_unbonding_covers(who, ahead)?;
		let era = T::Slashing::active_era();
		if let Some(departure) = Departures::<T>::get(who, service) {
			let window = Self::history_window(who);
			ensure!(
				!Self::departure_reportable(&departure, era, window),
				Error::<T>::RecentlyExited
			);
		}

		Self::ensure_synced(who)?;
		// An opt-in is in force from now: besides every allocation already promised (set
		// allocations count from the era they take effect, decreases only from their release),
		// it shares this era with the positions ejected in it, which back their services until
		// the next era. A position from the next era does not.
		let ledger = Restakers::<T>::get(who);
		let (leaving, leaving_claim) =
			ledger.as_ref().map(|l| l.leaving.in_force(from)).unwrap_or_default();
		let allocated = ledger.as_ref().map(|l| l.total_allocated).unwrap_or_default();
		let total = allocated
			.checked_add(&leaving)
			.and_then(|sum| sum.checked_add(&amount))
			.ok_or(Error::<T>::LeverageExceeded)?;
		Self::ensure_within_leverage(total, &stake)?;
		let claims = ledger.map(|l| l.total_claim).unwrap_or_default();
		Self::ensure_covered(claims.saturating_add(leaving_claim), service, &info, amount, &stake)?;
		Self::ensure_within_share(&info, amount, from)?;
		Self::open_position(who, service, amount, ahead, from)
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
			let info = Self::active_service(service)?;
			let stake = Self::bonded_stake(&who)?;
			ensure!(amount <= stake.active, Error::<T>::InsufficientStake);
			Self::ensure_unbonding_covers(
				&who,
				Self::backing_window(&who, info.params.dispute_window),
			)?;
			let ledger = Restakers::<T>::get(&who).ok_or(Error::<T>::NotOptedIn)?;
			let raise = amount.saturating_sub(position.allocation);
			let total =
				ledger.total_allocated.checked_add(&raise).ok_or(Error::<T>::LeverageExceeded)?;
			Self::ensure_within_leverage(total, &stake)?;
			// A raise is in force from the next era, when this era's ejections back nothing.
			let others = ledger.total_claim.saturating_sub(position.claim);
			Self::ensure_covered(others, service, &info, amount, &stake)?;
			let next_era = T::Slashing::active_era().saturating_add(1);
			Self::ensure_within_share(&info, raise, next_era)?;
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
		// An operator's delegators leave the service with it, in the same era.
		Self::operator_leaving(&who, service, release_era)?;
		Self::deposit_event(Event::<T>::OptOutScheduled { who, service, release_era });
		Ok(())
	}

	/// Release a scheduled exit or decrease whose exit delay has passed (`OptedOut` or
	/// `AllocationDecreased`). The era sweep does the same for every restaker.
	///
	/// Returns the number of positions the re-sync visited, for weighing.
	pub fn do_complete_opt_out(
		who: T::AccountId,
		service: ServiceId,
	) -> Result<u32, DispatchError> {
		let position = Positions::<T>::get(&who, service).ok_or(Error::<T>::NotOptedIn)?;
		let exit = position.exit.ok_or(Error::<T>::NoExitScheduled)?;
		ensure!(T::Slashing::active_era() >= exit.release_era, Error::<T>::ExitDelayNotPassed);
		Self::sync(&who)
	}

	/// `who`'s stake in the staking system, or `NotBonded`.
	pub(crate) fn bonded_stake(who: &T::AccountId) -> Result<Stake<BalanceOf<T>>, DispatchError> {
		T::Staking::stake(who).map_err(|_| Error::<T>::NotBonded.into())
	}

	/// With `FullCoverage`, refuse an allocation of `amount` to `service` if, added to the
	/// worst-case claims of the restaker's other positions (`others`), its claim would exceed
	/// the active stake. The claim counts the harsher of the service's terms in force and a
	/// change still waiting, so a covered restaker stays covered when it takes effect.
	fn ensure_covered(
		others: BalanceOf<T>,
		service: ServiceId,
		info: &crate::ServiceOf<T>,
		amount: BalanceOf<T>,
		stake: &Stake<BalanceOf<T>>,
	) -> DispatchResult {
		if !T::FullCoverage::get() {
			return Ok(());
		}
		let claim = Self::harshest_worst_case(service, info).mul_floor(amount);
		ensure!(others.saturating_add(claim) <= stake.active, Error::<T>::CoverageExceeded);
		Ok(())
	}

	/// The larger of `service`'s worst case and that of a harsher change of its terms waiting:
	/// what a position must be covered for, and what the risk figures count.
	pub(crate) fn harshest_worst_case(
		service: ServiceId,
		info: &crate::ServiceOf<T>,
	) -> sp_runtime::Perbill {
		let waiting = PendingRuleChanges::<T>::get(service)
			.map(|change| change.params.worst_case())
			.unwrap_or_default();
		info.params.worst_case().max(waiting)
	}

	/// Refuse `added` more allocation to a service with a `max_share`, in force from active
	/// era `from`, if what could then secure the service would exceed that share of the total
	/// bonded stake: every allocation already promised to it (a raise counts from the era it
	/// was made for, a decrease only from its release), the ejected allocations still in force
	/// in `from`, and `added`.
	fn ensure_within_share(
		info: &crate::ServiceOf<T>,
		added: BalanceOf<T>,
		from: sp_staking::EraIndex,
	) -> DispatchResult {
		if let Some(share) = info.params.max_share {
			let cap = share.mul_floor(T::Slashing::total_bonded());
			let (leaving, _) = info.leaving.in_force(from);
			ensure!(
				info.allocated.saturating_add(leaving).saturating_add(added) <= cap,
				Error::<T>::ConcentrationExceeded
			);
		}
		Ok(())
	}

	/// `UnbondingTooShort` unless `who`'s shortest unbonding now outlasts a slash with backing
	/// window `backing_window` ([`Self::unbonding_covers`]).
	pub(crate) fn ensure_unbonding_covers(
		who: &T::AccountId,
		backing_window: sp_staking::EraIndex,
	) -> DispatchResult {
		let stake = Self::stake_of(who);
		ensure!(
			Self::unbonding_covers(stake.unbonding, stake.withdraw_lead, backing_window),
			Error::<T>::UnbondingTooShort
		);
		Ok(())
	}

	/// Refuse a total allocation above `MaxLeverage x active stake`.
	pub(crate) fn ensure_within_leverage(
		total: BalanceOf<T>,
		stake: &Stake<BalanceOf<T>>,
	) -> DispatchResult {
		ensure!(total <= Self::leverage_cap(stake.active), Error::<T>::LeverageExceeded);
		Ok(())
	}
}
