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
//! than `ReportWindow`; with `ReportWindow + dispute_window + 1 < BondingDuration`, stake unbonded
//! after the offence is still in its unlocking chunks, which `do_slash` slashes, when it lands.

use crate::{
	pallet::{
		Config, Departures, Error, Event, NextSlashId, OffencePruneCursor, Pallet, Positions,
		ReportedOffences, Services, SlashQueue, Slashes,
	},
	weights::WeightInfo,
	BalanceOf, PendingSlash, PendingSlashOf, RuleIndex, ServiceId, ServiceStatus, SlashId,
	SlashingAdapter,
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
		Self::bonded_stake(&offender)?;
		let allocation = Self::allocation_in_era(&offender, service, offence_era, era)?;
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

		// What backed the service in the offence era and will still be bonded when the slash
		// lands: unlocking chunks withdrawable before then cannot be counted on.
		let exposure = allocation.min(T::Slashing::slashable_stake(&offender, apply_era));
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
		Self::unschedule(slash_id);
		Self::land_slash(slash_id, slash);
		Ok(())
	}

	/// Apply the due slashes at the front of the queue, at most `MaxSlashesPerBlock`; the rest
	/// wait for the next block. Returns the weight used.
	pub fn apply_due_slashes(era: EraIndex) -> Weight {
		// Due slashes are at the front: take them off the queue in one write.
		let mut queue = SlashQueue::<T>::get();
		let due_count = queue
			.iter()
			.take_while(|(apply_era, _)| *apply_era <= era)
			.count()
			.min(T::MaxSlashesPerBlock::get() as usize);
		if due_count == 0 {
			return T::WeightInfo::apply_due_slashes(0);
		}
		let due: alloc::vec::Vec<SlashId> = queue.drain(..due_count).map(|(_, id)| id).collect();
		SlashQueue::<T>::put(queue);
		let count = due.len() as u32;
		for slash_id in due {
			if let Some(slash) = Slashes::<T>::take(slash_id) {
				Self::land_slash(slash_id, slash);
			}
		}
		T::WeightInfo::apply_due_slashes(count)
	}

	/// Land `slash`, already taken out of the schedule, on the offender's bonded ledger, then
	/// eject and cascade.
	fn land_slash(slash_id: SlashId, slash: PendingSlashOf<T>) {
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
				let release_era = T::Slashing::active_era().saturating_add(1);
				let removed =
					Self::remove_position(&slash.offender, slash.service, &position, release_era);
				if removed.is_ok() {
					Self::deposit_event(Event::<T>::Ejected {
						who: slash.offender.clone(),
						service: slash.service,
					});
				}
			}
		}
		Self::do_resync(&slash.offender);
	}

	/// The allocation with which `who` backed `service` in `offence_era`, from its position or,
	/// if it has left since, from its departure record.
	fn allocation_in_era(
		who: &T::AccountId,
		service: ServiceId,
		offence_era: EraIndex,
		era: EraIndex,
	) -> Result<BalanceOf<T>, DispatchError> {
		let position = Positions::<T>::get(who, service);
		if let Some(position) = &position {
			if offence_era >= position.joined_era {
				if let Some(exit) = &position.exit {
					let released = exit.target.is_zero() && offence_era >= exit.release_era;
					ensure!(!released, Error::<T>::NotExposedAtEra);
				}
				return Ok(position.allocation_in(offence_era));
			}
		}
		match Departures::<T>::get(who, service) {
			Some(departure) if Self::departure_reportable(&departure, era) => {
				let backed =
					offence_era >= departure.joined_era && offence_era < departure.release_era;
				ensure!(backed, Error::<T>::NotExposedAtEra);
				Ok(departure.position.allocation_in(offence_era))
			}
			_ if position.is_some() => Err(Error::<T>::NotExposedAtEra.into()),
			_ => Err(Error::<T>::NotOptedIn.into()),
		}
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
