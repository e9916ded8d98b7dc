//! Read-only views behind the `RestakingApi` runtime API, including the slash what-if.

use crate::{
	pallet::{
		Config, Error, Pallet, PendingCascades, Positions, Restakers, Services, Slashes,
		UnclaimedRewards,
	},
	BalanceOf, ExposureView, PendingSlashOf, RestakerView, RuleIndex, RuleView, ServiceId,
	ServiceImpact, ServiceOf, ServiceView, SlashId, SlashSimulation, SlashingAdapter,
};
use alloc::vec::Vec;
use frame_support::storage::{with_transaction, TransactionOutcome};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, SaturatedConversion,
};
use sp_staking::StakingInterface;

/// Parts per billion in one unit of leverage.
const PPB: u128 = 1_000_000_000;

impl<T: Config> Pallet<T> {
	/// Every registered service, by id.
	pub fn services_view() -> Vec<ServiceView<T::AccountId, BalanceOf<T>>> {
		let mut services: Vec<_> =
			Services::<T>::iter().map(|(id, info)| Self::to_view(id, info)).collect();
		services.sort_by_key(|s| s.id);
		services
	}

	/// One service, if registered.
	pub fn service_view(id: ServiceId) -> Option<ServiceView<T::AccountId, BalanceOf<T>>> {
		Services::<T>::get(id).map(|info| Self::to_view(id, info))
	}

	/// A restaker's stake, leverage and positions, with claimable rewards; `None` if it has
	/// neither a position nor unclaimed rewards.
	pub fn exposures_view(who: &T::AccountId) -> Option<RestakerView<BalanceOf<T>>> {
		let ledger = Restakers::<T>::get(who);
		let unclaimed: Vec<_> = UnclaimedRewards::<T>::iter_prefix(who).collect();
		if ledger.is_none() && unclaimed.is_empty() {
			return None;
		}
		let stake = Self::stake_of(who);
		let slashable = stake.reachable(T::Slashing::active_era());
		let total_allocated = ledger.as_ref().map(|l| l.total_allocated).unwrap_or_default();
		let leverage_ppb = if slashable.is_zero() {
			0
		} else {
			sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
				total_allocated.saturated_into(),
				PPB,
				slashable.saturated_into(),
				sp_arithmetic::Rounding::Down,
			)
			.unwrap_or(u128::MAX)
			.saturated_into()
		};
		let mut total_exposure = BalanceOf::<T>::zero();
		let mut positions: Vec<_> = Positions::<T>::iter_prefix(who)
			.map(|(service, p)| {
				total_exposure = total_exposure.saturating_add(p.exposure);
				ExposureView {
					service,
					allocation: p.allocation,
					exposure: p.exposure,
					joined_era: p.joined_era,
					exit: p.exit.clone(),
					claimable_rewards: Self::claimable_rewards(who, service),
					history: p.history.into_inner(),
				}
			})
			.collect();
		for (service, amount) in unclaimed {
			if !positions.iter().any(|p| p.service == service) {
				positions.push(ExposureView {
					service,
					allocation: Zero::zero(),
					exposure: Zero::zero(),
					joined_era: 0,
					exit: None,
					claimable_rewards: amount,
					history: Vec::new(),
				});
			}
		}
		positions.sort_by_key(|p| p.service);
		Some(RestakerView {
			stake: stake.total,
			active_stake: stake.active,
			slashable_stake: slashable,
			total_allocated,
			total_exposure,
			leverage_ppb,
			cascade_pending: PendingCascades::<T>::contains_key(who),
			positions,
		})
	}

	/// Scheduled slashes of a service, by id.
	pub fn pending_slashes_view(service: ServiceId) -> Vec<(SlashId, PendingSlashOf<T>)> {
		Self::sorted_slashes(|s| s.service == service)
	}

	/// Scheduled slashes of a restaker, by id.
	pub fn pending_slashes_of_view(who: &T::AccountId) -> Vec<(SlashId, PendingSlashOf<T>)> {
		Self::sorted_slashes(|s| &s.offender == who)
	}

	/// What a report of `offender` under `rule` of `service` for an offence in the active era
	/// would do if its slash landed now: the amount a report would fix (the rule's fraction of
	/// the allocation in force now, capped by the stake a slash landing after the dispute window
	/// still reaches), the offender's stake after, and every one of its services' secured stake
	/// before and after the cascade.
	///
	/// It runs the real path (`do_slash`, ejection, re-sync) in a storage transaction that is
	/// rolled back.
	pub fn simulate_slash(
		service: ServiceId,
		offender: T::AccountId,
		rule: RuleIndex,
	) -> Result<SlashSimulation<BalanceOf<T>>, DispatchError> {
		let info = Services::<T>::get(service).ok_or(Error::<T>::UnknownService)?;
		let rule = info.params.rules.get(rule as usize).ok_or(Error::<T>::UnknownRule)?.clone();
		let stake_before = Self::bonded_stake(&offender)?.total;
		let era = T::Slashing::active_era();
		let allocation = Self::allocation_in_era(&offender, service, era, era)?;
		let apply_era = era.saturating_add(info.params.dispute_window);
		let amount = Self::slash_amount(rule.fraction, allocation, &offender, apply_era);
		let services =
			Restakers::<T>::get(&offender).map(|l| l.services.into_inner()).unwrap_or_default();
		let secured =
			|id: &ServiceId| Services::<T>::get(id).map(|s| s.total_secured).unwrap_or_default();
		let before: Vec<_> = services.iter().map(|id| (*id, secured(id))).collect();

		with_transaction(|| {
			let taken = if amount.is_zero() {
				Zero::zero()
			} else {
				T::Slashing::slash(&offender, amount, T::Slashing::active_era())
			};
			if rule.eject {
				Self::eject(&offender, service);
			}
			Self::do_resync(&offender);
			let stake_after = T::Staking::total_stake(&offender).unwrap_or_default();
			let impacts = before
				.iter()
				.map(|(id, secured_before)| ServiceImpact {
					service: *id,
					secured_before: *secured_before,
					secured_after: secured(id),
					ejected: !Positions::<T>::contains_key(&offender, id),
				})
				.collect();
			TransactionOutcome::Rollback(Ok(SlashSimulation {
				amount: taken,
				stake_before,
				stake_after,
				services: impacts,
			}))
		})
	}

	fn sorted_slashes(
		keep: impl Fn(&PendingSlashOf<T>) -> bool,
	) -> Vec<(SlashId, PendingSlashOf<T>)> {
		let mut slashes: Vec<_> = Slashes::<T>::iter().filter(|(_, s)| keep(s)).collect();
		slashes.sort_by_key(|(id, _)| *id);
		slashes
	}

	fn to_view(id: ServiceId, info: ServiceOf<T>) -> ServiceView<T::AccountId, BalanceOf<T>> {
		ServiceView {
			id,
			name: info.params.name.into_inner(),
			slasher: info.params.slasher,
			rules: info
				.params
				.rules
				.into_iter()
				.map(|r| RuleView {
					name: r.name.into_inner(),
					fraction: r.fraction,
					eject: r.eject,
				})
				.collect(),
			min_stake: info.params.min_stake,
			validators_only: info.params.validators_only,
			exit_delay: info.params.exit_delay,
			dispute_window: info.params.dispute_window,
			status: info.status,
			total_secured: info.total_secured,
			restakers: info.restakers,
		}
	}
}
