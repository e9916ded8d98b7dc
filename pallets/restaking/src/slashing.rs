//! Service slashing: report, dispute, schedule and apply.
//!
//! 1. [`Pallet::do_report_offence`]: the service's slasher reports `offender` under one of the
//!    service's rules for an offence in `offence_era`. The slash is fixed now, as
//!    `rule.fraction x min(exposure of the offence era, stake a slash landing at the apply era
//!    still reaches)`, and scheduled for `active era + dispute_window`. The exposure of the
//!    offence era is the allocation in force then, capped at the stake that backed the service
//!    then (the position's `backing`: stake bonded or rebonded since counts only from the era
//!    after it was seen). A report that would slash nothing is refused (`NothingToSlash`).
//! 2. [`Pallet::do_cancel_slash`] / [`Pallet::do_cancel_all_slashes`]: governance may cancel one
//!    slash, or every slash of a service, while its dispute window is open.
//! 3. [`Pallet::apply_due_slashes`] (from `on_initialize`, `MaxSlashesPerBlock` per block, oldest
//!    apply era first) or [`Pallet::do_apply_due_slash`] (the `apply_slash` call) lands it through
//!    [`crate::SlashingAdapter::slash`], which is `pallet_staking::slashing::do_slash`.
//! 4. pallet-staking calls the cascade hook ([`crate::cascade`]); the offender's exposures are
//!    then re-synced at once, and an ejecting rule removes it from the service.
//!
//! **Max, not sum.** Every report of an offender by a service for an offence era is on record
//! ([`ReportedOffences`]), once per rule. A report fixes `fraction x exposure` as above, less
//! what the standing reports of the same offence scheduled: rules of 10% and 50% reported for
//! one era of a 1,000 exposure slash 100, then 400 more; in the other order 500, then the 10%
//! report is refused (`OffenceAlreadySlashed`), unless it adds an ejection.
//!
//! **The breaker.** With `SlashBreaker` set, the slashes due in one apply era may take at most
//! that fraction of the total bonded stake, fixed by the era's first report ([`SlashBudgets`]).
//! A report that does not fit is *held*: it lands only if governance approves it
//! ([`Pallet::do_approve_slash`], [`Pallet::do_approve_held_slashes`]) before its apply era,
//! and is dropped at its apply era otherwise. A held slash keeps its apply era, so it lands (or
//! not) exactly when it would have without the breaker: the bound below still holds.
//!
//! **Bounds are per service.** Each service holds at most `MaxPendingSlashesPerService` scheduled
//! slashes ([`ServiceSlashes`]); a full service refuses its own reports, never another's.
//!
//! **Nothing escapes.** Offences are accepted only for eras in which the offender backed the
//! service, and no older than `ReportWindow`. With `ReportWindow + dispute_window + 2 <
//! BondingDuration`, stake unbonded after the offence is still in its unlocking chunks when the
//! slash lands, provided the runtime drains a full backlog within an era (see
//! `docs/slashing.md` for the arithmetic).

use crate::{
	pallet::{
		Config, Delegations, DelegatorJobs, Departures, DueCursor, DueSlashes, Error, Event,
		NextSlashId, OffencePruneCursor, Pallet, PastServiceRules, Positions, ReportedOffences,
		ServiceSlashes, SlashBudgets, Slashes,
	},
	weights::WeightInfo,
	BalanceOf, BreakerState, OffenceReport, PendingSlash, PendingSlashOf, RuleIndex, ServiceId,
	ServiceOf, ServiceStatus, SlashBudget, SlashId, SlashingAdapter,
};
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get, weights::Weight};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, Perbill,
};
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
		let info = Self::service(service)?;
		ensure!(reporter == info.params.slasher, Error::<T>::NotSlasher);
		match info.status {
			ServiceStatus::Active => {}
			ServiceStatus::Paused => return Err(Error::<T>::ServicePaused.into()),
			ServiceStatus::Retired => return Err(Error::<T>::ServiceRetired.into()),
		}
		info.params.rules.get(rule as usize).ok_or(Error::<T>::UnknownRule)?;

		let era = T::Slashing::active_era();
		ensure!(offence_era <= era, Error::<T>::OffenceInFuture);
		ensure!(
			offence_era.saturating_add(T::ReportWindow::get()) >= era,
			Error::<T>::OffenceTooOld
		);
		// A delegator runs nothing: reports against its operator reach it (for eras before it
		// delegated, its own positions answer for themselves).
		ensure!(
			!Delegations::<T>::get(&offender).is_some_and(|d| d.delegating_in(offence_era)),
			Error::<T>::ReportTheOperator
		);
		// An operator's report reaches its delegators even when its own stake is gone.
		let has_delegators = Self::has_delegators(&offender);
		if !has_delegators {
			Self::bonded_stake(&offender)?;
		}
		let exposure = match Self::exposure_in_era(&offender, service, offence_era, era) {
			Ok(exposure) => exposure,
			// An operator whose own allocation a stake loss scaled to nothing in the offence
			// era still answers for its delegators' exposures of that era.
			Err(_) if has_delegators && Self::was_in_service(&offender, service, offence_era) => {
				Zero::zero()
			}
			Err(e) => return Err(e),
		};
		let (fraction, eject) = Self::rule_in_force(service, &info, rule, offence_era)?;
		let key = (service, offender.clone());
		let mut reports = ReportedOffences::<T>::get(offence_era, &key);
		ensure!(!reports.iter().any(|r| r.rule == rule), Error::<T>::DuplicateOffence);
		let apply_era = era.saturating_add(info.params.dispute_window);
		let total = Self::slash_amount(fraction, exposure, &offender, apply_era);
		ensure!(!total.is_zero() || has_delegators, Error::<T>::NothingToSlash);
		let (amount, ejects) = Self::beyond_standing(total, &reports);
		// Max, not sum, for the operator; its delegators' pages apply it per delegator, so a
		// harsher rule still reaches them when it adds nothing to the operator's own slash.
		let harsher = reports.iter().filter(|r| r.standing).all(|r| r.fraction < fraction);
		ensure!(
			!amount.is_zero() || (eject && !ejects) || (has_delegators && harsher),
			Error::<T>::OffenceAlreadySlashed
		);

		let slash_id = NextSlashId::<T>::get();
		let next_id = slash_id.checked_add(1).ok_or(Error::<T>::TooManyPendingSlashes)?;
		let mut pending = ServiceSlashes::<T>::get(service);
		pending.try_push(slash_id).map_err(|_| Error::<T>::TooManyPendingSlashes)?;
		// Its delegators' pages must fit the era after the slash lands.
		let paged = Self::ensure_page_room(service, &offender, apply_era)?;
		// One report per rule, and rule indices are below `MaxRules`.
		reports
			.try_push(OffenceReport { rule, slash_id, fraction, amount, eject, standing: true })
			.map_err(|_| Error::<T>::DuplicateOffence)?;
		let (breaker, cap_left) = Self::breaker_check(apply_era, amount);

		Slashes::<T>::insert(
			slash_id,
			PendingSlash {
				service,
				offender: offender.clone(),
				rule,
				eject,
				offence_era,
				reported_era: era,
				apply_era,
				amount,
				breaker,
			},
		);
		ServiceSlashes::<T>::insert(service, pending);
		DueSlashes::<T>::insert(apply_era, slash_id, ());
		NextSlashId::<T>::put(next_id);
		ReportedOffences::<T>::insert(offence_era, key, reports);
		if paged {
			Self::note_operator_report(
				slash_id,
				service,
				&offender,
				offence_era,
				fraction,
				eject,
				apply_era,
			);
		}
		Self::deposit_event(Event::<T>::SlashScheduled {
			slash_id,
			service,
			offender,
			rule,
			offence_era,
			amount,
			apply_era,
		});
		if breaker == BreakerState::Held {
			Self::deposit_event(Event::<T>::SlashHeld {
				slash_id,
				service,
				amount,
				cap_left,
				apply_era,
			});
		}
		Ok(slash_id)
	}

	/// Max, not sum: what a report of an offence worth `total` adds to the standing `reports`
	/// of the same offence (together they slash at most the largest of them), and whether one of
	/// those already ejects.
	pub(crate) fn beyond_standing(
		total: BalanceOf<T>,
		reports: &[OffenceReport<BalanceOf<T>>],
	) -> (BalanceOf<T>, bool) {
		let (scheduled, ejects) = reports
			.iter()
			.filter(|r| r.standing)
			.fold((BalanceOf::<T>::zero(), false), |(sum, ejects), r| {
				(sum.saturating_add(r.amount), ejects || r.eject)
			});
		(total.saturating_sub(scheduled), ejects)
	}

	/// The fraction and ejection of `rule` for an offence in `offence_era`: the rule in force
	/// now, or, for an offence from before the service's last harsher change took effect, the
	/// gentler of it and the rule in force then (`RuleNotInForce` if there was none).
	pub(crate) fn rule_in_force(
		service: ServiceId,
		info: &ServiceOf<T>,
		rule: RuleIndex,
		offence_era: EraIndex,
	) -> Result<(Perbill, bool), DispatchError> {
		let now = info.params.rules.get(rule as usize).ok_or(Error::<T>::UnknownRule)?;
		match PastServiceRules::<T>::get(service) {
			Some(past) if offence_era < past.until => {
				let then =
					past.rule_at(rule as usize, offence_era).ok_or(Error::<T>::RuleNotInForce)?;
				Ok((now.fraction.min(then.fraction), now.eject && then.eject))
			}
			_ => Ok((now.fraction, now.eject)),
		}
	}

	/// Whether a slash of `amount` due in `apply_era` fits the era's breaker budget, which it
	/// then counts; and what was left of the budget. Without a breaker, everything fits.
	fn breaker_check(apply_era: EraIndex, amount: BalanceOf<T>) -> (BreakerState, BalanceOf<T>) {
		let Some(fraction) = T::SlashBreaker::get() else {
			return (BreakerState::Within, Zero::zero());
		};
		// The cap is fixed by the era's first report: the stake the chain has now.
		let mut budget = SlashBudgets::<T>::get(apply_era).unwrap_or_else(|| SlashBudget {
			cap: fraction.mul_floor(T::Slashing::total_bonded()),
			within: Zero::zero(),
			approved: Zero::zero(),
		});
		let left = budget.cap.saturating_sub(budget.within);
		let state = if amount <= left {
			budget.within = budget.within.saturating_add(amount);
			BreakerState::Within
		} else {
			BreakerState::Held
		};
		SlashBudgets::<T>::insert(apply_era, budget);
		(state, left)
	}

	/// Whether `amount` more landing in active era `era` (a delegator's part of a report
	/// against its operator) fits the era's breaker budget, which it then counts.
	pub(crate) fn breaker_admits(era: EraIndex, amount: BalanceOf<T>) -> bool {
		let Some(fraction) = T::SlashBreaker::get() else { return true };
		let mut budget = SlashBudgets::<T>::get(era).unwrap_or_else(|| SlashBudget {
			cap: fraction.mul_floor(T::Slashing::total_bonded()),
			within: Zero::zero(),
			approved: Zero::zero(),
		});
		if amount > budget.cap.saturating_sub(budget.within) {
			return false;
		}
		budget.within = budget.within.saturating_add(amount);
		SlashBudgets::<T>::insert(era, budget);
		true
	}

	/// Take a slash that will not land (cancelled, or held and dropped) out of its era's
	/// breaker budget, and out of its offence's total: `forget` also frees its rule to be
	/// reported again.
	fn withdraw_slash(slash_id: SlashId, slash: &PendingSlashOf<T>, forget: bool) {
		match slash.breaker {
			BreakerState::Within => SlashBudgets::<T>::mutate_extant(slash.apply_era, |b| {
				b.within = b.within.saturating_sub(slash.amount)
			}),
			BreakerState::Approved => SlashBudgets::<T>::mutate_extant(slash.apply_era, |b| {
				b.approved = b.approved.saturating_sub(slash.amount)
			}),
			BreakerState::Held => {}
		}
		let key = (slash.service, slash.offender.clone());
		if ReportedOffences::<T>::contains_key(slash.offence_era, &key) {
			ReportedOffences::<T>::mutate(slash.offence_era, &key, |reports| {
				if forget {
					reports.retain(|r| r.slash_id != slash_id);
				} else if let Some(report) = reports.iter_mut().find(|r| r.slash_id == slash_id) {
					report.standing = false;
				}
			});
			if ReportedOffences::<T>::get(slash.offence_era, &key).is_empty() {
				ReportedOffences::<T>::remove(slash.offence_era, &key);
			}
		}
	}

	/// Approve a held slash while its dispute window is open.
	pub fn do_approve_slash(slash_id: SlashId) -> DispatchResult {
		let mut slash = Slashes::<T>::get(slash_id).ok_or(Error::<T>::UnknownSlash)?;
		ensure!(slash.breaker == BreakerState::Held, Error::<T>::NotHeld);
		ensure!(T::Slashing::active_era() < slash.apply_era, Error::<T>::DisputeWindowClosed);
		Self::approve(slash_id, &mut slash);
		Ok(())
	}

	/// Approve every held slash of `service` still in its dispute window, in one call: at most
	/// `MaxPendingSlashesPerService`. Returns how many were approved.
	pub fn do_approve_held_slashes(service: ServiceId) -> Result<u32, DispatchError> {
		Self::service(service)?;
		let era = T::Slashing::active_era();
		let mut count = 0u32;
		for slash_id in ServiceSlashes::<T>::get(service) {
			let Some(mut slash) = Slashes::<T>::get(slash_id) else { continue };
			if slash.breaker == BreakerState::Held && era < slash.apply_era {
				Self::approve(slash_id, &mut slash);
				count = count.saturating_add(1);
			}
		}
		Self::deposit_event(Event::<T>::HeldSlashesApproved { service, count });
		Ok(count)
	}

	fn approve(slash_id: SlashId, slash: &mut PendingSlashOf<T>) {
		slash.breaker = BreakerState::Approved;
		DelegatorJobs::<T>::mutate_extant(slash_id, |job| job.approved = true);
		SlashBudgets::<T>::mutate_extant(slash.apply_era, |b| {
			b.approved = b.approved.saturating_add(slash.amount)
		});
		Slashes::<T>::insert(slash_id, slash.clone());
		Self::deposit_event(Event::<T>::SlashApproved { slash_id });
	}

	/// `fraction x min(exposure of the offence era, stake of `offender` a slash landing in
	/// `apply_era` still reaches)`: what a report fixes, and what `simulate_slash` predicts.
	pub(crate) fn slash_amount(
		fraction: Perbill,
		exposure: BalanceOf<T>,
		offender: &T::AccountId,
		apply_era: EraIndex,
	) -> BalanceOf<T> {
		// Unlocking chunks withdrawable before the slash lands cannot be counted on.
		fraction.mul_floor(exposure.min(T::Slashing::slashable_stake(offender, apply_era)))
	}

	/// Cancel a scheduled slash whose dispute window is still open.
	pub fn do_cancel_slash(slash_id: SlashId) -> DispatchResult {
		let slash = Slashes::<T>::get(slash_id).ok_or(Error::<T>::UnknownSlash)?;
		ensure!(T::Slashing::active_era() < slash.apply_era, Error::<T>::DisputeWindowClosed);
		Self::unschedule(slash_id, &slash);
		Self::withdraw_slash(slash_id, &slash, false);
		Self::operator_slash_done(slash_id, false);
		Self::deposit_event(Event::<T>::SlashCancelled { slash_id });
		Ok(())
	}

	/// Cancel every slash of `service` still in its dispute window, in one call: at most
	/// `MaxPendingSlashesPerService` of them. Returns how many were cancelled.
	///
	/// Unlike [`Self::do_cancel_slash`], which rules one report wrong and keeps it from being
	/// filed again, this treats the reports as never made: the offences can be reported again, by
	/// the slasher that replaces a compromised one.
	pub fn do_cancel_all_slashes(service: ServiceId) -> Result<u32, DispatchError> {
		Self::service(service)?;
		let era = T::Slashing::active_era();
		let mut pending = ServiceSlashes::<T>::get(service);
		let mut count = 0u32;
		pending.retain(|slash_id| match Slashes::<T>::get(slash_id) {
			Some(slash) if era < slash.apply_era => {
				Slashes::<T>::remove(slash_id);
				DueSlashes::<T>::remove(slash.apply_era, slash_id);
				// Nothing the compromised key reported stands: the service's next slasher may
				// report the same offences again.
				Self::withdraw_slash(*slash_id, &slash, true);
				Self::operator_slash_done(*slash_id, false);
				count = count.saturating_add(1);
				Self::deposit_event(Event::<T>::SlashCancelled { slash_id: *slash_id });
				false
			}
			Some(_) => true,
			None => false,
		});
		ServiceSlashes::<T>::insert(service, pending);
		Self::deposit_event(Event::<T>::AllSlashesCancelled { service, count });
		Ok(count)
	}

	/// Apply one slash whose dispute window has passed.
	pub fn do_apply_due_slash(slash_id: SlashId) -> DispatchResult {
		let slash = Slashes::<T>::get(slash_id).ok_or(Error::<T>::UnknownSlash)?;
		ensure!(T::Slashing::active_era() >= slash.apply_era, Error::<T>::SlashNotDue);
		Self::land_slash(slash_id, slash);
		Ok(())
	}

	/// Apply due slashes, oldest apply era first, at most `MaxSlashesPerBlock`; the rest wait for
	/// the next block. Returns the weight used.
	pub fn apply_due_slashes(era: EraIndex) -> Weight {
		let mut cursor = DueCursor::<T>::get();
		let mut budget = T::MaxSlashesPerBlock::get();
		let mut landed = 0u32;
		// Each apply era looked at costs a read even when empty: at most `budget + 1` a block.
		let mut scans = budget.saturating_add(1);
		let mut reads = 1u64;
		let mut writes = 1u64;
		while cursor <= era && budget > 0 && scans > 0 {
			scans = scans.saturating_sub(1);
			reads = reads.saturating_add(1);
			let due: alloc::vec::Vec<SlashId> =
				DueSlashes::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
			let exhausted = (due.len() as u32) < budget;
			for slash_id in due {
				budget = budget.saturating_sub(1);
				match Slashes::<T>::get(slash_id) {
					Some(slash) => {
						Self::land_slash(slash_id, slash);
						landed = landed.saturating_add(1);
					}
					None => DueSlashes::<T>::remove(cursor, slash_id),
				}
			}
			// New reports apply after the active era, so an exhausted era before it stays empty.
			if !exhausted || cursor >= era {
				break;
			}
			// Every slash due in the era has landed or been dropped: its budget is spent.
			SlashBudgets::<T>::remove(cursor);
			writes = writes.saturating_add(1);
			cursor = cursor.saturating_add(1);
		}
		DueCursor::<T>::put(cursor);
		T::WeightInfo::apply_due_slashes(landed)
			.saturating_add(T::DbWeight::get().reads_writes(reads, writes))
	}

	/// Take `slash` out of the schedule and land it on the offender's bonded ledger, then
	/// cascade and eject; or drop it if the breaker holds it and governance did not approve it.
	/// Returns what it took. The one landing path: `on_initialize`, `apply_slash` and
	/// `simulate_slash`.
	pub(crate) fn land_slash(slash_id: SlashId, slash: PendingSlashOf<T>) -> BalanceOf<T> {
		Self::unschedule(slash_id, &slash);
		if slash.breaker == BreakerState::Held {
			Self::withdraw_slash(slash_id, &slash, false);
			Self::deposit_event(Event::<T>::HeldSlashDropped {
				slash_id,
				service: slash.service,
				offender: slash.offender,
				amount: slash.amount,
			});
			Self::operator_slash_done(slash_id, false);
			return Zero::zero();
		}
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
		// The cascade first, then the ejection: the ejected position is scaled with the others
		// against the stake left (it backs its service until the next era, so the leverage and
		// coverage of this era count it), and its departure record keeps the loss in its
		// backing, so stake bonded after the slash is never slashed for this era.
		Self::do_resync(&slash.offender);
		if slash.eject {
			Self::eject(&slash.offender, slash.service);
			if !DelegatorJobs::<T>::contains_key(slash_id) {
				// An operator since the report: its delegators leave the service with it.
				Self::operator_ejected(&slash.offender, slash.service);
			}
		}
		// Its delegators' parts land in pages from now on.
		Self::operator_slash_done(slash_id, true);
		taken
	}

	/// The exposure with which `who` backed `service` in `offence_era`: the allocation in force
	/// then, capped at the stake that backed it then, from its position or, if it has left
	/// since, from its departure record. `NotExposedAtEra` if it had no allocation then.
	pub(crate) fn exposure_in_era(
		who: &T::AccountId,
		service: ServiceId,
		offence_era: EraIndex,
		era: EraIndex,
	) -> Result<BalanceOf<T>, DispatchError> {
		let position = Positions::<T>::get(who, service);
		if let Some(position) = position.as_ref() {
			if !position.allocation_in(offence_era).is_zero() {
				return Ok(position.exposure_in(offence_era));
			}
		}
		match Departures::<T>::get(who, service) {
			Some(departure)
				if Self::departure_reportable(&departure, era, Self::history_window(who)) =>
			{
				ensure!(
					!departure.allocation_in(offence_era).is_zero(),
					Error::<T>::NotExposedAtEra
				);
				Ok(departure.exposure_in(offence_era))
			}
			_ if position.is_some() => Err(Error::<T>::NotExposedAtEra.into()),
			_ => Err(Error::<T>::NotOptedIn.into()),
		}
	}

	/// Whether `who` had a position in `service` in `era`, whatever its allocation then: it had
	/// joined, and had not left (its exit, or its departure if it left, is released after
	/// `era`).
	pub(crate) fn was_in_service(who: &T::AccountId, service: ServiceId, era: EraIndex) -> bool {
		if let Some(position) = Positions::<T>::get(who, service) {
			// A position whose exit is released by `era` (the sweep has not reached it yet)
			// backed nothing in `era`.
			let gone = position
				.exit
				.as_ref()
				.is_some_and(|exit| exit.target.is_zero() && exit.release_era <= era);
			if position.joined_era <= era && !gone {
				return true;
			}
		}
		Departures::<T>::get(who, service).is_some_and(|d| {
			era < d.release_era && d.history.first().is_some_and(|(from, _)| *from <= era)
		})
	}

	/// Take a slash out of the schedule.
	fn unschedule(slash_id: SlashId, slash: &PendingSlashOf<T>) {
		Slashes::<T>::remove(slash_id);
		DueSlashes::<T>::remove(slash.apply_era, slash_id);
		ServiceSlashes::<T>::mutate(slash.service, |pending| pending.retain(|id| *id != slash_id));
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

	/// The `on_initialize` work: due slashes, duplicate records, pending cascades, the era
	/// sweep and expired departure records.
	pub(crate) fn on_initialize_impl() -> Weight {
		let era = T::Slashing::active_era();
		T::DbWeight::get()
			.reads(1)
			.saturating_add(Self::promote_rule_changes(era))
			.saturating_add(Self::apply_due_slashes(era))
			.saturating_add(Self::apply_delegator_jobs())
			.saturating_add(Self::prune_offences(era))
			.saturating_add(Self::prune_delegator_offences(era))
			.saturating_add(Self::process_cascades(T::MaxCascadesPerBlock::get()))
			.saturating_add(Self::sweep(era))
			.saturating_add(Self::prune_departures(era))
	}
}
