//! Service rewards: services pay the stake that secures them.
//!
//! Anyone funds a service's reward pot, a keyless account derived from `Config::PalletId` and
//! the service id. A funding is shared pro rata to the exposures at funding time in O(1): the
//! service's [`RewardPerExposure`] accumulator grows by `amount / total_secured` (scaled by
//! [`REWARD_SCALE`], rounded down). A position is owed `exposure x accumulator - reward_debt`;
//! whenever its exposure changes (opt-in, release, slash, cascade, sync, ejection) that amount is
//! settled into [`UnclaimedRewards`] and the debt reset by the one writer of positions
//! ([`crate::positions`]), so each funding is split by the exposures it saw. Rewards settled before an exit or ejection stay claimable afterwards.
//!
//! Rounding never pays out more than was funded: the accumulator and each share round down, and
//! debts round up; the dust stays in the pot. The first funding of a pot keeps the existential
//! deposit in it, so claims never have to kill the pot.

use crate::{
	pallet::{
		Config, Error, Event, FundingHistory, Pallet, Positions, RewardPerExposure, Services,
		UnclaimedRewards,
	},
	BalanceOf, EraFunding, PositionOf, ServiceId, SlashingAdapter,
};
use codec::MaxEncodedLen;
use frame_support::{
	ensure,
	pallet_prelude::{DispatchResult, Weight},
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		Get,
	},
};
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};
use sp_runtime::{
	traits::{AccountIdConversion, Saturating, Zero},
	SaturatedConversion,
};

/// Proof bytes of a storage entry beyond its value, for [`FundingHistory`] and [`Positions`]: the
/// key (32-byte prefix, hashes and keys of up to 52 bytes) and a length prefix, rounded up.
const KEY_AND_LENGTH: u64 = 96;

/// Fixed-point scale of [`RewardPerExposure`]: 10^18 per unit of exposure.
pub const REWARD_SCALE: u128 = 1_000_000_000_000_000_000;

impl<T: Config> Pallet<T> {
	/// The keyless account holding `service`'s rewards.
	pub fn reward_pot(service: ServiceId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(service)
	}

	/// Move `amount` from `who` into `service`'s pot and share it over the current exposures.
	pub fn do_fund_rewards(
		who: T::AccountId,
		service: ServiceId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let info = Services::<T>::get(service).ok_or(Error::<T>::UnknownService)?;
		ensure!(!info.total_secured.is_zero(), Error::<T>::NoExposure);
		let pot = Self::reward_pot(service);
		// An empty pot first takes the existential deposit, which is never shared.
		let keep_alive = T::Currency::minimum_balance().saturating_sub(T::Currency::balance(&pot));
		let shared = amount.saturating_sub(keep_alive);
		ensure!(!shared.is_zero(), Error::<T>::FundingBelowMinimum);
		let increase = multiply_by_rational_with_rounding(
			shared.saturated_into(),
			REWARD_SCALE,
			info.total_secured.saturated_into(),
			Rounding::Down,
		)
		.ok_or(Error::<T>::RewardOverflow)?;
		ensure!(!increase.is_zero(), Error::<T>::FundingBelowMinimum);
		let acc = RewardPerExposure::<T>::get(service)
			.checked_add(increase)
			.ok_or(Error::<T>::RewardOverflow)?;

		T::Currency::transfer(&who, &pot, amount, Preservation::Preserve)?;
		RewardPerExposure::<T>::insert(service, acc);
		// The funder's share of its own funding comes back to it: only the rest is yield.
		let own = Positions::<T>::get(&who, service).map(|p| p.exposure).unwrap_or_default();
		let others = info.total_secured.saturating_sub(own);
		let to_others = |value: u128| {
			multiply_by_rational_with_rounding(
				value,
				others.saturated_into(),
				info.total_secured.saturated_into(),
				Rounding::Down,
			)
			.unwrap_or_default()
		};
		let counted = to_others(increase);
		if counted > 0 {
			Self::record_funding(
				service,
				to_others(shared.saturated_into()).saturated_into(),
				counted,
			);
		}
		Self::deposit_event(Event::<T>::RewardsFunded { service, who, amount });
		Ok(())
	}

	/// The reads and write of a funding's record, which the generated `fund_rewards` weight
	/// predates: the funder's position and [`FundingHistory`] read, the history written; their
	/// largest encodings as proof size.
	pub fn funding_record_weight() -> Weight {
		let records = u64::from(T::YieldWindow::get()).saturating_add(1);
		let proof = records
			.saturating_mul(EraFunding::<BalanceOf<T>>::max_encoded_len() as u64)
			.saturating_add(PositionOf::<T>::max_encoded_len() as u64)
			.saturating_add(2 * KEY_AND_LENGTH);
		T::DbWeight::get().reads_writes(2, 1).saturating_add(Weight::from_parts(0, proof))
	}

	/// Add a funding that shared `shared`, `increase` per unit of exposure, to `service`'s
	/// [`FundingHistory`] for the active era, forgetting the eras that left the yield window.
	fn record_funding(service: ServiceId, shared: BalanceOf<T>, increase: u128) {
		let era = T::Slashing::active_era();
		let oldest = era.saturating_sub(T::YieldWindow::get());
		FundingHistory::<T>::mutate(service, |history| {
			history.retain(|record| record.era >= oldest);
			match history.last_mut() {
				Some(record) if record.era == era => {
					record.funded = record.funded.saturating_add(shared);
					record.per_exposure = record.per_exposure.saturating_add(increase);
				}
				_ => {
					let record = EraFunding { era, funded: shared, per_exposure: increase };
					// Cannot fail: the eras kept are `oldest..=era`, `YieldWindow + 1` of them.
					if history.try_push(record).is_err() {
						frame_support::defensive!("funding history longer than the yield window");
					}
				}
			}
		});
	}

	/// Pay `who` everything it has earned in `service`.
	pub fn do_claim_rewards(who: T::AccountId, service: ServiceId) -> DispatchResult {
		Self::settle_position_rewards(&who, service);
		let amount = UnclaimedRewards::<T>::get(&who, service);
		ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
		T::Currency::transfer(&Self::reward_pot(service), &who, amount, Preservation::Preserve)?;
		UnclaimedRewards::<T>::remove(&who, service);
		Self::deposit_event(Event::<T>::RewardsClaimed { who, service, amount });
		Ok(())
	}

	/// What `who` could claim from `service` now.
	pub fn claimable_rewards(who: &T::AccountId, service: ServiceId) -> BalanceOf<T> {
		let mut pending = Positions::<T>::get(who, service)
			.map(|position| Self::pending_rewards(service, &position))
			.unwrap_or_default();
		// A delegator's operator takes its commission when the rewards are settled.
		let since = crate::Restakers::<T>::get(who).map(|l| l.synced_era).unwrap_or_default();
		if let Some((_, commission)) = Self::commission_for(who, service, since) {
			pending = pending.saturating_sub(commission.mul_floor(pending));
		}
		UnclaimedRewards::<T>::get(who, service).saturating_add(pending)
	}

	/// `exposure x accumulator`, rounded down, minus the debt: what `position` earned since its
	/// last settlement.
	pub(crate) fn pending_rewards(service: ServiceId, position: &PositionOf<T>) -> BalanceOf<T> {
		let acc = RewardPerExposure::<T>::get(service);
		let earned = Self::scaled(position.exposure, acc, Rounding::Down);
		earned.saturating_sub(position.reward_debt)
	}

	/// The debt of a fresh position with `exposure`: `exposure x accumulator`, rounded up.
	pub(crate) fn reward_debt(service: ServiceId, exposure: BalanceOf<T>) -> BalanceOf<T> {
		Self::scaled(exposure, RewardPerExposure::<T>::get(service), Rounding::Up)
	}

	fn scaled(exposure: BalanceOf<T>, acc: u128, rounding: Rounding) -> BalanceOf<T> {
		// Saturating: the result exceeds the balance type only if more than the total issuance
		// was funded, which transfers cannot do.
		multiply_by_rational_with_rounding(exposure.saturated_into(), acc, REWARD_SCALE, rounding)
			.unwrap_or(u128::MAX)
			.saturated_into()
	}
}
