//! Service slashing: report, dispute, schedule and apply.
//!
//! 1. [`Pallet::do_report_offence`]: the service's slasher reports `offender` under one of the
//!    service's rules for an offence in `offence_era`. The slash, `rule.fraction x exposure`, is
//!    fixed now and scheduled for `active era + dispute_window` in [`SlashQueue`].
//! 2. [`Pallet::do_cancel_slash`]: governance may cancel it while its dispute window is open.
//! 3. [`Pallet::apply_due_slashes`] (from `on_initialize`, bounded per block) or
//!    [`Pallet::do_apply_due_slash`] (the `apply_slash` call) lands it through
//!    [`crate::SlashingAdapter::slash`], which is `pallet_staking::slashing::do_slash`.
//! 4. pallet-staking calls the cascade hook ([`crate::cascade`]); the offender's exposures are
//!    then re-synced at once, and an ejecting rule removes it from the service.
//!
//! Offences are accepted only for eras in which the offender backed the service, and no older
//! than `ReportWindow`; with `ReportWindow + dispute_window < BondingDuration`, stake unbonded
//! after the offence is still in its unlocking chunks, which `do_slash` slashes, when it lands.

#![deny(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

use crate::{
	pallet::{
		Config, Error, Event, NextSlashId, OffencePruneCursor, Pallet, Positions, ReportedOffences,
		Services, SlashQueue, Slashes,
	},
	weights::WeightInfo,
	PendingSlash, PendingSlashOf, RuleIndex, ServiceId, ServiceStatus, SlashId, SlashingAdapter,
};
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get, weights::Weight};
use sp_runtime::{traits::Zero, DispatchError};
use sp_staking::{EraIndex, StakingInterface};

impl<T: Config> Pallet<T> {
	/// Schedule a slash of `offender` for an offence in `offence_era` under `rule` of `service`.
	pub fn do_report_offence(
		reporter: T::AccountId,
		service: ServiceId,
		offender: T::AccountId,
		rule: RuleIndex,
		offence_era: EraIndex,
	) -> Result<SlashId, DispatchError> {
		let info = Services::<T>::get(service).ok_or(Error::<T>::UnknownService)?;
		ensure!(reporter == info.params.slasher, Error::<T>::NotSlasher);
		match info.status {
			ServiceStatus::Active => {}
			ServiceStatus::Paused => return Err(Error::<T>::ServicePaused.into()),
			ServiceStatus::Retired => return Err(Error::<T>::ServiceRetired.into()),
		}
		let rule_def = info.params.rules.get(rule as usize).ok_or(Error::<T>::UnknownRule)?;

		let era = T::Slashing::active_era();
		ensure!(offence_era <= era, Error::<T>::OffenceInFuture);
		ensure!(
			offence_era.saturating_add(T::ReportWindow::get()) >= era,
			Error::<T>::OffenceTooOld
		);
		let stake = Self::bonded_stake(&offender)?;
		let position = Positions::<T>::get(&offender, service).ok_or(Error::<T>::NotOptedIn)?;
		ensure!(offence_era >= position.joined_era, Error::<T>::NotExposedAtEra);
		if let Some(exit) = &position.exit {
			let released = exit.target.is_zero() && offence_era >= exit.release_era;
			ensure!(!released, Error::<T>::NotExposedAtEra);
		}
		let key = (service, offender.clone(), rule);
		ensure!(
			!ReportedOffences::<T>::contains_key(offence_era, &key),
			Error::<T>::DuplicateOffence
		);

		let slash_id = NextSlashId::<T>::get();
		let next_id = slash_id.checked_add(1).ok_or(Error::<T>::TooManyPendingSlashes)?;
		let apply_era = era.saturating_add(info.params.dispute_window);
		let mut queue = SlashQueue::<T>::get();
		// Ids only grow, so the new entry goes after every entry due no later than it.
		let at = queue.partition_point(|(due, _)| *due <= apply_era);
		queue
			.try_insert(at, (apply_era, slash_id))
			.map_err(|_| Error::<T>::TooManyPendingSlashes)?;

		// The exposure as a re-sync would set it now, even if a cascade is still pending.
		let exposure = position.allocation.min(stake.total);
		let amount = rule_def.fraction.mul_floor(exposure);
		Slashes::<T>::insert(
			slash_id,
			PendingSlash {
				service,
				offender: offender.clone(),
				rule,
				eject: rule_def.eject,
				offence_era,
				reported_era: era,
				apply_era,
				amount,
			},
		);
		SlashQueue::<T>::put(queue);
		NextSlashId::<T>::put(next_id);
		ReportedOffences::<T>::insert(offence_era, key, slash_id);
		Self::deposit_event(Event::<T>::SlashScheduled {
			slash_id,
			service,
			offender,
			rule,
			offence_era,
			amount,
			apply_era,
		});
		Ok(slash_id)
	}

	/// Cancel a scheduled slash whose dispute window is still open.
	pub fn do_cancel_slash(slash_id: SlashId) -> DispatchResult {
		let slash = Slashes::<T>::get(slash_id).ok_or(Error::<T>::UnknownSlash)?;
		ensure!(T::Slashing::active_era() < slash.apply_era, Error::<T>::DisputeWindowClosed);
		Self::unschedule(slash_id);
		Self::deposit_event(Event::<T>::SlashCancelled { slash_id });
		Ok(())
	}

	/// Apply one slash whose dispute window has passed.
	pub fn do_apply_due_slash(slash_id: SlashId) -> DispatchResult {
		let slash = Slashes::<T>::get(slash_id).ok_or(Error::<T>::UnknownSlash)?;
		ensure!(T::Slashing::active_era() >= slash.apply_era, Error::<T>::SlashNotDue);
		Self::land_slash(slash_id, slash);
		Ok(())
	}

	/// Apply the due slashes at the front of the queue, at most `MaxSlashesPerBlock`; the rest
	/// wait for the next block. Returns the weight used.
	pub fn apply_due_slashes(era: EraIndex) -> Weight {
		let due: alloc::vec::Vec<SlashId> = SlashQueue::<T>::get()
			.iter()
			.take_while(|(apply_era, _)| *apply_era <= era)
			.take(T::MaxSlashesPerBlock::get() as usize)
			.map(|(_, id)| *id)
			.collect();
		let count = due.len() as u32;
		for slash_id in due {
			if let Some(slash) = Slashes::<T>::get(slash_id) {
				Self::land_slash(slash_id, slash);
			}
		}
		T::WeightInfo::apply_due_slashes(count, T::MaxServicesPerRestaker::get())
	}

	/// Land `slash` on the offender's bonded ledger, then eject and cascade.
	fn land_slash(slash_id: SlashId, slash: PendingSlashOf<T>) {
		Self::unschedule(slash_id);
		// A slash never takes more than the stake left when it lands.
		let taken = match T::Staking::total_stake(&slash.offender) {
			Ok(stake) if !stake.is_zero() && !slash.amount.is_zero() => {
				T::Slashing::slash(&slash.offender, slash.amount.min(stake), slash.offence_era)
			}
			_ => Zero::zero(),
		};
		Self::deposit_event(Event::<T>::SlashApplied {
			slash_id,
			service: slash.service,
			offender: slash.offender.clone(),
			amount: taken,
		});
		if slash.eject {
			if let Some(position) = Positions::<T>::get(&slash.offender, slash.service) {
				if Self::remove_position(&slash.offender, slash.service, &position).is_ok() {
					Self::deposit_event(Event::<T>::Ejected {
						who: slash.offender.clone(),
						service: slash.service,
					});
				}
			}
		}
		Self::do_resync(&slash.offender);
	}

	/// Take a slash out of the schedule.
	fn unschedule(slash_id: SlashId) {
		Slashes::<T>::remove(slash_id);
		SlashQueue::<T>::mutate(|queue| queue.retain(|(_, id)| *id != slash_id));
	}

	/// Forget duplicate-report records of offence eras that can no longer be reported, a
	/// bounded number per block.
	pub(crate) fn prune_offences(era: EraIndex) -> Weight {
		let cursor = OffencePruneCursor::<T>::get();
		if cursor.saturating_add(T::ReportWindow::get()) >= era {
			return T::DbWeight::get().reads(1);
		}
		let limit = T::MaxSlashesPerBlock::get();
		#[allow(deprecated)]
		let result = ReportedOffences::<T>::clear_prefix(cursor, limit, None);
		if result.maybe_cursor.is_none() {
			OffencePruneCursor::<T>::put(cursor.saturating_add(1));
		}
		T::DbWeight::get().reads_writes(
			1u64.saturating_add(result.loops.into()),
			1u64.saturating_add(result.unique.into()),
		)
	}

	/// The `on_initialize` work: due slashes, duplicate records, pending cascades.
	pub(crate) fn on_initialize_impl() -> Weight {
		let era = T::Slashing::active_era();
		T::DbWeight::get()
			.reads(1)
			.saturating_add(Self::apply_due_slashes(era))
			.saturating_add(Self::prune_offences(era))
			.saturating_add(Self::process_cascades(T::MaxCascadesPerBlock::get()))
	}
}
