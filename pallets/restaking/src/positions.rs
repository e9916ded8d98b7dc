//! Positions: the one writer of a restaker's positions and of everything that must stay
//! consistent with them.
//!
//! Like pallet-staking's `ledger.rs`, this module alone writes [`Positions`], [`Restakers`],
//! [`Departures`] (and their expiry index), a service's `total_secured` and `restakers`, and the
//! reward settlement ([`UnclaimedRewards`] and `reward_debt`) that follows an exposure change.
//! Allocation, slashing, the cascade and rewards ask it for changes:
//!
//! - `Pallet::open_position` for an opt-in;
//! - `Pallet::change_position` for a raise, a scheduled decrease or exit, or a cancelled one;
//! - `Pallet::eject` for an ejecting rule;
//! - [`Pallet::do_sync_restaker`], the re-sync: it releases exits and decreases whose release era
//!   has come, restores the leverage cap after a stake loss, recomputes every exposure and ejects
//!   positions below a service's `min_stake`;
//! - `Pallet::settle_position_rewards` before a claim.
//!
//! Each of them ends in `Pallet::commit` (or `close`) per position and one write of the
//! restaker's ledger, so the arithmetic that keeps `total_secured`, `restakers`,
//! `total_allocated` and the reward debts in step is written once.
//!
//! ## The model it keeps
//!
//! - **Allocations by era.** A position's `history` says which allocation was in force in each
//!   era: an opt-in from its own era, a raise from the next era, a decrease or exit from its
//!   release era. A slash for an offence in era `e` uses exactly the allocation in force in `e`.
//! - **Exposure is what a slash reported now could collect:** `min(allocation in force now,
//!   stake that backed the service this era)`. The stake side is the position's `backing`: the
//!   stake reachable by a slash landing after the service's dispute window (the active stake
//!   plus the unlocking chunks that cannot be withdrawn before then,
//!   [`crate::StakeLedger::reachable`]), recorded at each sync; a loss counts in the era it is
//!   seen, a gain only from the next era, so a report for era `e` uses exactly the exposure of
//!   `e` on both sides (`Pallet::note_backing`).
//! - **Leverage at all times.** The allocations of a synced restaker sum to at most
//!   `MaxLeverage x` its slashable stake now (`reachable(active era)`). A stake loss that breaks
//!   this scales every allocation down by the same factor, from the current era on: stake 1,000
//!   with four allocations of 750 (3,000, at `MaxLeverage` 3) and a 50% base-layer slash leave
//!   500 of stake and a cap of 1,500, so each allocation becomes 750 x 1,500 / 3,000 = 375.
//! - **Coverage at all times** (with `FullCoverage`). Each position's `claim` is its service's
//!   worst case (largest rule fraction) times its allocation, and the ledger's `total_claim`
//!   their sum. Opt-ins and raises that would take it above the active stake are refused
//!   (`CoverageExceeded`), counting the positions ejected this era (they back their services
//!   until the next one); after a stake loss and the leverage scaling above, claims above the
//!   slashable stake scale every allocation again, by `stake / sum(worst case x allocation)`,
//!   the sum taken exactly in parts per billion, each allocation rounded down once: the
//!   scaled claims then sum to at most the stake. Stake 1,000 in services with worst cases
//!   10%, 20% and 50% at 1,000 each claims 100 + 200 + 500 = 800: covered at 3x leverage. A
//!   50% base-layer slash leaves 500: leverage scales each allocation to 500 (claims 400),
//!   within coverage; had the worst cases been 50% each (claims 750 of 500), coverage would
//!   scale them on to 500 x 500 / 750 = 333 each (claims 3 x 166 = 498).
//!
//! ## Staleness
//!
//! pallet-staking calls a hook on slashes and withdrawals (the cascade re-syncs at once or within
//! `MaxCascadesPerBlock` per block), but not on `unbond`, `force_unstake` or `reap_stash`, and
//! nothing tells the pallet that an era has started. So exposures are brought up to date:
//! - by the era sweep, `MaxSweepPerBlock` restakers per block from the first block of each era
//!   (a chain with `R` restakers is swept `ceil(R / MaxSweepPerBlock)` blocks into the era);
//! - by any call of the restaker, which re-syncs it first if it was last synced in an earlier
//!   era;
//! - at once by the permissionless `sync_restaker`.
//!
//! Slashes never rely on a stored exposure: a report reads the allocation history and the
//! staking ledger itself, so a stale exposure can only overstate a service's total and reward
//! share, for at most the sweep's delay.

use crate::{
	pallet::{
		Config, DepartureCursor, DepartureExpiries, Departures, Error, Event, Pallet,
		PendingCascades, Positions, Restakers, Services, UnclaimedRewards,
	},
	weights::WeightInfo,
	AllocationHistory, BalanceOf, Departure, HistoryBound, PositionOf, RestakerLedgerOf, ServiceId,
	SlashingAdapter, StakeLedger, RESTAKERS_WEIGHED,
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get, weights::Weight};
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, SaturatedConversion,
};
use sp_staking::{EraIndex, StakingInterface};

impl<T: Config> Pallet<T> {
	/// `who`'s bonded ledger as its positions count it, or an empty one if it is not bonded
	/// (any more). A pool's unlocking chunks are its redeemers' ([`crate::pools`]): a chunk
	/// backs the pool only in the eras whose offences staking slashes it for in proportion with
	/// the active stake (chunk era `>= offence era + unbonding`), that is in the era of its
	/// redemption; from the next, the redeemed stake is out of the pool's exposures, and a
	/// later offence is charged to the holders who stayed, on what they hold.
	pub(crate) fn stake_of(who: &T::AccountId) -> StakeLedger<BalanceOf<T>> {
		let mut stake = T::Slashing::stake_ledger(who).unwrap_or_else(|| StakeLedger {
			active: Zero::zero(),
			total: Zero::zero(),
			unlocking: Vec::new(),
			unbonding: Zero::zero(),
			withdraw_lead: T::Slashing::withdraw_lead(),
		});
		if crate::PoolAccounts::<T>::contains_key(who) {
			let from = T::Slashing::active_era().saturating_add(stake.unbonding);
			stake.unlocking.retain(|(era, _)| *era >= from);
			stake.total = stake
				.unlocking
				.iter()
				.fold(stake.active, |total, (_, value)| total.saturating_add(*value));
		}
		stake
	}

	/// Eras from a sync to the last landing its stake must still be there for, in a service
	/// with dispute window `dispute_window`: the window, and for a delegator one era more, since
	/// its part of a report lands in the pages of the era after its operator's slash at the
	/// latest. The one place that says how far a position's backing looks ahead.
	pub(crate) fn backing_window(who: &T::AccountId, dispute_window: EraIndex) -> EraIndex {
		if crate::Delegations::<T>::contains_key(who) {
			dispute_window.saturating_add(1)
		} else {
			dispute_window
		}
	}

	/// Whether stake that can be unbonded in `unbonding` eras (counted as the staking system
	/// counts them, [`StakeLedger::unbonding`] and [`StakeLedger::withdraw_lead`]) is still there
	/// when the last slash for an offence of the era it was unbonded in lands, for a position
	/// with backing window `backing_window` ([`Self::backing_window`]).
	///
	/// A report comes at most `ReportWindow` eras after its offence and lands `backing_window`
	/// eras after the report; a chunk unbonded in the offence era can be withdrawn `unbonding -
	/// withdraw_lead` eras after it. The one place that says which unbonding a service's
	/// windows need: registration asks it of the bonding duration (with the delegators' window,
	/// the longest), and every sync of the stash's own, which pallet-staking-async shortens
	/// for nominators while `AreNominatorsSlashable` is false.
	pub(crate) fn unbonding_covers(
		unbonding: EraIndex,
		withdraw_lead: EraIndex,
		backing_window: EraIndex,
	) -> bool {
		T::ReportWindow::get().saturating_add(backing_window).saturating_add(withdraw_lead)
			< unbonding
	}

	/// The stake of `stake` a position with backing window `backing_window` can count in
	/// active era `era`: what a slash landing after the window still reaches, or nothing if the
	/// stash can unbond faster than a slash for this era's offences can land
	/// ([`Self::unbonding_covers`]): its active stake could be withdrawn first.
	pub(crate) fn backing_stake(
		stake: &StakeLedger<BalanceOf<T>>,
		backing_window: EraIndex,
		era: EraIndex,
	) -> BalanceOf<T> {
		if Self::unbonding_covers(stake.unbonding, stake.withdraw_lead, backing_window) {
			stake.reachable(era.saturating_add(backing_window))
		} else {
			Zero::zero()
		}
	}

	/// The most `position` can be exposed in active era `era` for the staking ledger `stake`
	/// and backing window `dispute_window` ([`Self::backing_window`]): its allocation in force,
	/// capped at the stake it can count ([`Self::backing_stake`]). Its exposure is at most
	/// this: the stake of an earlier sync in the era caps it too (`Self::note_backing`).
	pub(crate) fn exposure_for(
		position: &PositionOf<T>,
		stake: &StakeLedger<BalanceOf<T>>,
		dispute_window: EraIndex,
		era: EraIndex,
	) -> BalanceOf<T> {
		position.allocation_in(era).min(Self::backing_stake(stake, dispute_window, era))
	}

	/// `MaxLeverage x stake`, saturating: a cap beyond the balance type's range caps nothing.
	pub(crate) fn leverage_cap(stake: BalanceOf<T>) -> BalanceOf<T> {
		stake.saturating_mul(T::MaxLeverage::get().into())
	}

	/// Whether a call of `who` re-syncs it first: it was last synced before the active era, or
	/// awaits a cascade.
	pub(crate) fn is_stale(who: &T::AccountId) -> bool {
		let era = T::Slashing::active_era();
		Restakers::<T>::get(who).is_some_and(|ledger| ledger.synced_era < era)
			|| PendingCascades::<T>::contains_key(who)
	}

	/// Re-sync `who` first if [`Self::is_stale`], so that a call of the restaker starts from
	/// exact exposures and released exits.
	pub(crate) fn ensure_synced(who: &T::AccountId) -> DispatchResult {
		if Self::is_stale(who) {
			Self::sync(who)?;
		}
		Ok(())
	}

	/// What a call charges up front for the re-sync it may run: the worst case.
	pub fn sync_weight() -> Weight {
		T::WeightInfo::resync(T::MaxServicesPerRestaker::get(), RESTAKERS_WEIGHED)
			.saturating_add(T::DbWeight::get().reads(2))
	}

	/// `complete_opt_out`'s weight for a re-sync that visits `positions` positions: the re-sync,
	/// the read of the position it checks first, and at least the call's own benchmark.
	pub fn complete_opt_out_weight(positions: u32) -> Weight {
		T::WeightInfo::resync(positions, RESTAKERS_WEIGHED)
			.saturating_add(T::DbWeight::get().reads(2))
			.max(T::WeightInfo::complete_opt_out())
	}

	/// `opt_in`'s weight without a re-sync: the benchmark plus what its service does not ask
	/// for: the read of the validator status, and [`Self::risk_reads`].
	pub fn opt_in_weight() -> Weight {
		T::WeightInfo::opt_in()
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(Self::risk_reads())
	}

	/// What an opt-in or a raise reads beyond its benchmark, whose service has no concentration
	/// cap and no rule change waiting: the waiting change (for coverage) and the total bonded
	/// stake (for the cap).
	pub fn risk_reads() -> Weight {
		T::DbWeight::get().reads(2)
	}

	/// What a report of a stash that has left the service adds to the `report_offence`
	/// benchmark (measured on a stash that still holds its position): the read of its
	/// `Departures` record, and that record's size in the proof.
	pub fn departure_read() -> Weight {
		use frame_support::traits::StorageInfoTrait;
		let proof = Departures::<T>::storage_info()
			.first()
			.and_then(|info| info.max_size)
			.unwrap_or_default();
		T::DbWeight::get().reads(1).saturating_add(Weight::from_parts(0, proof.into()))
	}

	/// The weight a call used: all it was charged if it re-synced (`stale`), else `base`.
	pub(crate) fn refund_sync(
		base: Weight,
		stale: bool,
	) -> frame_support::dispatch::PostDispatchInfo {
		if stale {
			None.into()
		} else {
			Some(base).into()
		}
	}

	/// Open a position of `amount` for `who` in `service`, in force from active era `from`
	/// (the active era, or the next one for a delegator following its operator).
	pub(crate) fn open_position(
		who: &T::AccountId,
		service: ServiceId,
		amount: BalanceOf<T>,
		dispute_window: EraIndex,
		from: EraIndex,
	) -> DispatchResult {
		let era = T::Slashing::active_era();
		let mut ledger = Restakers::<T>::get(who).unwrap_or_else(|| RestakerLedgerOf::<T> {
			services: Default::default(),
			total_allocated: Zero::zero(),
			synced_era: era,
			synced_stake: Zero::zero(),
			total_claim: Zero::zero(),
			leaving: Default::default(),
		});
		let mut position = PositionOf::<T> {
			allocation: amount,
			exposure: Zero::zero(),
			joined_era: from.max(era),
			exit: None,
			reward_debt: Zero::zero(),
			history: Default::default(),
			claim: Zero::zero(),
			backing: Default::default(),
		};
		let window = Self::history_window(who);
		Self::normalize_history(&mut position, era, window)?;
		let stake = Self::stake_of(who);
		Self::note_backing(&mut position, &stake, dispute_window, era, window)?;
		position.exposure = position.exposure_in(era);
		ledger.synced_stake = stake.total;
		// A rejoin after the old record's reports are over: the record is not needed any more.
		Departures::<T>::remove(who, service);
		Self::commit(who, service, None, position, &mut ledger)?;
		Self::save_ledger(who, ledger);
		Ok(())
	}

	/// Apply `change` to `who`'s position in `service` (its allocation or exit), then rebuild
	/// the scheduled part of its history. The exposure in force now does not change: raises
	/// count from the next era, decreases from their release era.
	pub(crate) fn change_position(
		who: &T::AccountId,
		service: ServiceId,
		change: impl FnOnce(&mut PositionOf<T>),
	) -> DispatchResult {
		let era = T::Slashing::active_era();
		let before = Positions::<T>::get(who, service).ok_or(Error::<T>::NotOptedIn)?;
		let mut ledger = Restakers::<T>::get(who).ok_or(Error::<T>::NotOptedIn)?;
		let mut after = before.clone();
		change(&mut after);
		Self::normalize_history(&mut after, era, Self::history_window(who))?;
		Self::commit(who, service, Some(&before), after, &mut ledger)?;
		Self::save_ledger(who, ledger);
		Ok(())
	}

	/// Remove `who` from `service` now (an ejecting rule): slashable for offences up to the
	/// current era, gone from the next. Returns whether it had a position.
	pub(crate) fn eject(who: &T::AccountId, service: ServiceId) -> bool {
		let era = T::Slashing::active_era();
		let (Some(position), Some(mut ledger)) =
			(Positions::<T>::get(who, service), Restakers::<T>::get(who))
		else {
			return false;
		};
		let release_era = era.saturating_add(1);
		if Self::close(who, service, &position, &position, release_era, &mut ledger).is_err() {
			return false;
		}
		Self::save_ledger(who, ledger);
		Self::deposit_event(Event::<T>::Ejected { who: who.clone(), service });
		true
	}

	/// Settle what `who` earned in `service` so far into [`UnclaimedRewards`].
	pub(crate) fn settle_position_rewards(who: &T::AccountId, service: ServiceId) {
		let (Some(position), Some(mut ledger)) =
			(Positions::<T>::get(who, service), Restakers::<T>::get(who))
		else {
			return;
		};
		// Same allocation and exposure: `commit` cannot fail for a position that exists.
		if Self::commit(who, service, Some(&position), position.clone(), &mut ledger).is_ok() {
			Self::save_ledger(who, ledger);
		}
	}

	/// The `sync_restaker` call: bring `who` up to date now.
	pub fn do_sync_restaker(who: T::AccountId) -> DispatchResult {
		// A ledger kept only for an ejection still in force has no position to bring up to date.
		ensure!(
			Restakers::<T>::get(&who).is_some_and(|ledger| !ledger.services.is_empty()),
			Error::<T>::NotOptedIn
		);
		Self::sync(&who).map(|_| ())
	}

	/// Bring every position of `who` up to date with the active era and its stake: release
	/// exits and decreases whose release era has come, scale allocations back under the
	/// leverage cap, recompute exposures (`ExposureReduced`) and eject positions below a
	/// service's `min_stake` (`Ejected`).
	///
	/// Returns the number of positions visited, for weighing.
	pub fn do_resync(who: &T::AccountId) -> u32 {
		// Only a full history can fail a sync, and histories are bounded by the report window.
		// Hooks have no transaction of their own: a failure is rolled back whole, leaving the
		// restaker as it was for the next try.
		frame_support::storage::with_storage_layer(|| Self::sync(who)).unwrap_or_default()
	}

	pub(crate) fn sync(who: &T::AccountId) -> Result<u32, DispatchError> {
		PendingCascades::<T>::remove(who);
		let Some(mut ledger) = Restakers::<T>::get(who) else { return Ok(0) };
		let era = T::Slashing::active_era();
		let stake = Self::stake_of(who);
		let window = Self::history_window(who);
		let delegation = crate::Delegations::<T>::get(who);

		// 1. Exits and decreases whose release era has come.
		let mut open: Vec<(ServiceId, PositionOf<T>, PositionOf<T>)> = Vec::new();
		let mut worst: Vec<sp_runtime::Perbill> = Vec::new();
		let mut visited = 0u32;
		for service in ledger.services.clone() {
			visited = visited.saturating_add(1);
			let Some(before) = Positions::<T>::get(who, service) else { continue };
			let mut after = before.clone();
			match after.exit.clone() {
				Some(exit) if exit.release_era <= era && exit.target.is_zero() => {
					let closing = before.clone();
					Self::close(who, service, &before, &closing, exit.release_era, &mut ledger)?;
					Self::deposit_event(Event::<T>::OptedOut { who: who.clone(), service });
					continue;
				}
				Some(exit) if exit.release_era <= era => {
					after.allocation = exit.target;
					after.exit = None;
					Self::deposit_event(Event::<T>::AllocationDecreased {
						who: who.clone(),
						service,
						amount: exit.target,
					});
				}
				_ => {}
			}
			// Forget what the report window no longer needs, so the history has room.
			Self::normalize_history(&mut after, era, window)?;
			worst.push(
				Services::<T>::get(service)
					.map(|info| info.params.worst_case())
					.unwrap_or_default(),
			);
			open.push((service, before, after));
		}

		// 2. The leverage cap against the stake a slash can still reach, then (with
		//    `FullCoverage`) the worst-case claims against that stake.
		let slashable = stake.reachable(era);
		let total = open.iter().fold(BalanceOf::<T>::zero(), |sum, (_, _, after)| {
			sum.saturating_add(after.allocation)
		});
		let mut scaled = Self::scale_allocations(
			&mut open,
			Self::leverage_cap(slashable).saturated_into(),
			total.saturated_into(),
		)?;
		if T::FullCoverage::get() {
			let claim = open
				.iter()
				.zip(worst.iter())
				.fold(BalanceOf::<T>::zero(), |sum, ((_, _, after), worst)| {
					sum.saturating_add(worst.mul_floor(after.allocation))
				});
			if claim > slashable {
				let (numerator, denominator) =
					Self::coverage_ratio(&open, &worst, slashable, claim);
				scaled = Self::scale_allocations(&mut open, numerator, denominator)?.or(scaled);
			}
		}
		if let Some(total_allocated) = scaled {
			Self::deposit_event(Event::<T>::AllocationsScaled {
				who: who.clone(),
				total_allocated,
			});
		}

		// 3. Exposures, and ejection below `min_stake`.
		for (service, before, mut after) in open {
			Self::normalize_history(&mut after, era, window)?;
			let Some(info) = Services::<T>::get(service) else { continue };
			let ahead = Self::backing_window(who, info.params.dispute_window);
			Self::note_backing(&mut after, &stake, ahead, era, window)?;
			let exposure = after.exposure_in(era);
			// A delegator backs a service only with its operator: if the operator is no longer
			// in it (ejected, or gone while a page has not reached the delegator yet) and the
			// position is not leaving, it goes too, as an ejection.
			let orphaned = delegation.as_ref().is_some_and(|d| {
				d.until.is_none()
					&& !after.exit.as_ref().is_some_and(|exit| exit.target.is_zero())
					&& !Positions::<T>::contains_key(&d.operator, service)
			});
			if orphaned {
				// It backed the service only with its operator: it leaves when the operator
				// stopped backing it (its departure's release era) if this is later, else
				// from the next era, as an ejection.
				let operator_left = delegation
					.as_ref()
					.and_then(|d| Departures::<T>::get(&d.operator, service))
					.map(|departure| departure.release_era);
				let release = operator_left
					.filter(|release| *release > after.joined_era)
					.unwrap_or(era.saturating_add(1))
					.min(era.saturating_add(1));
				Self::close(who, service, &before, &after, release, &mut ledger)?;
				Self::deposit_event(Event::<T>::Ejected { who: who.clone(), service });
				continue;
			}
			if after.joined_era > era {
				// Not in force yet: nothing backs the service, nothing to eject.
				after.exposure = Zero::zero();
				Self::commit(who, service, Some(&before), after, &mut ledger)?;
				continue;
			}
			if exposure < before.exposure {
				Self::deposit_event(Event::<T>::ExposureReduced {
					who: who.clone(),
					service,
					amount: before.exposure.saturating_sub(exposure),
					exposure,
				});
			}
			if exposure.is_zero() || exposure < info.params.min_stake {
				Self::close(who, service, &before, &after, era.saturating_add(1), &mut ledger)?;
				Self::deposit_event(Event::<T>::Ejected { who: who.clone(), service });
				Self::operator_ejected(who, service);
				continue;
			}
			after.exposure = exposure;
			Self::commit(who, service, Some(&before), after, &mut ledger)?;
		}
		ledger.synced_era = era;
		ledger.synced_stake = stake.total;
		Self::save_ledger(who, ledger);
		Ok(visited)
	}

	/// The ratio that brings the worst-case claims of `open` (`claim`, each rounded down) back
	/// to `slashable`, as `(numerator, denominator)`.
	///
	/// Exact where it fits: `slashable / sum(worst case x allocation)`, the sum taken in parts
	/// per billion without rounding, so that each scaled allocation rounds down only once and
	/// whole-stake allocations stay whole (stake 1,000 in two services with worst cases of 50%
	/// at 1,000 each, slashed to 900: each allocation becomes exactly 900, claims 450 + 450).
	/// The scaled claims then sum to at most `slashable`. Only if that product overflows
	/// `u128` does it fall back to the rounded claims, aiming one unit per position below the
	/// stake so that the rounded sum stays within it.
	fn coverage_ratio(
		open: &[(ServiceId, PositionOf<T>, PositionOf<T>)],
		worst: &[sp_runtime::Perbill],
		slashable: BalanceOf<T>,
		claim: BalanceOf<T>,
	) -> (u128, u128) {
		use sp_runtime::PerThing;
		let exact = open.iter().zip(worst.iter()).try_fold(0u128, |sum, ((_, _, after), worst)| {
			let allocation: u128 = after.allocation.saturated_into();
			u128::from(worst.deconstruct()).checked_mul(allocation)?.checked_add(sum)
		});
		let stake: u128 = slashable.saturated_into();
		match (exact, stake.checked_mul(u128::from(sp_runtime::Perbill::ACCURACY))) {
			(Some(denominator), Some(numerator)) if !denominator.is_zero() => {
				(numerator, denominator)
			}
			_ => (
				slashable.saturating_sub((open.len() as u32).into()).saturated_into(),
				claim.saturated_into(),
			),
		}
	}

	/// Scale every allocation of `open` (in force now, set, and an exit's target) by
	/// `numerator / denominator` from the active era on, rounding down, if the ratio is below
	/// one. Returns the new total allocation if it scaled.
	fn scale_allocations(
		open: &mut [(ServiceId, PositionOf<T>, PositionOf<T>)],
		numerator: u128,
		denominator: u128,
	) -> Result<Option<BalanceOf<T>>, DispatchError> {
		if denominator <= numerator {
			return Ok(None);
		}
		let era = T::Slashing::active_era();
		let scale = |amount: BalanceOf<T>| -> BalanceOf<T> {
			multiply_by_rational_with_rounding(
				amount.saturated_into(),
				numerator,
				denominator,
				Rounding::Down,
			)
			.unwrap_or_default()
			.saturated_into()
		};
		let mut scaled_total = BalanceOf::<T>::zero();
		for (_, _, after) in open.iter_mut() {
			let in_force = scale(after.allocation_in(era));
			Self::set_from(&mut after.history, era, in_force)?;
			after.allocation = scale(after.allocation);
			if let Some(exit) = after.exit.as_mut() {
				exit.target = scale(exit.target);
			}
			scaled_total = scaled_total.saturating_add(after.allocation);
		}
		Ok(Some(scaled_total))
	}

	/// Make `amount` the value of `history` in force from `era` on (one pair per era).
	fn set_from(
		history: &mut AllocationHistory<BalanceOf<T>, HistoryBound<T>>,
		era: EraIndex,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		match history.binary_search_by_key(&era, |(from, _)| *from) {
			Ok(at) => {
				if let Some(pair) = history.get_mut(at) {
					pair.1 = amount;
				}
			}
			Err(at) => {
				history
					.try_insert(at, (era, amount))
					.map_err(|_| Error::<T>::AllocationHistoryFull)?;
			}
		}
		Ok(())
	}

	/// Record in `position.backing` the stake a slash landing after the service's dispute
	/// window reaches now (`stake`, in active era `era`; [`Self::backing_stake`]).
	///
	/// A loss counts at once: the era's value is the least seen in it. A gain (`bond_extra`,
	/// `rebond` of a chunk that had stopped counting), which staking does not report, counts
	/// only from the next era, like a raise: an offence of this era or an earlier one is never
	/// slashed on stake bonded after it. A new position starts from the stake it has.
	pub(crate) fn note_backing(
		position: &mut PositionOf<T>,
		stake: &StakeLedger<BalanceOf<T>>,
		dispute_window: EraIndex,
		era: EraIndex,
		window: EraIndex,
	) -> DispatchResult {
		let reachable = Self::backing_stake(stake, dispute_window, era);
		let backing = &mut position.backing;
		let counted = backing.iter().rev().find(|(from, _)| *from <= era).map(|(_, value)| *value);
		let now = counted.map_or(reachable, |counted| counted.min(reachable));
		backing.retain(|(from, _)| *from <= era);
		if counted != Some(now) {
			Self::set_from(backing, era, now)?;
		}
		if reachable > now {
			Self::set_from(backing, era.saturating_add(1), reachable)?;
		}
		Self::prune_history(backing, era, window);
		Ok(())
	}

	/// Rebuild the part of `position`'s history after `era` from its allocation and exit, and
	/// forget the pairs no offence inside the report window can need.
	///
	/// Kept: every pair up to `era`, except those superseded before the report window starts;
	/// then `(era + 1, allocation)` if a raise is pending, and `(release_era, target)` for a
	/// scheduled decrease or exit.
	fn normalize_history(
		position: &mut PositionOf<T>,
		era: EraIndex,
		window: EraIndex,
	) -> DispatchResult {
		let in_force = position.allocation_in(era);
		position.history.retain(|(from, _)| *from <= era);
		Self::prune_history(&mut position.history, era, window);
		if position.history.is_empty() || position.allocation != in_force {
			// A position that starts in a later era (a delegator following its operator into a
			// service) is in force from then.
			let from = if position.history.is_empty() {
				era.max(position.joined_era)
			} else {
				era.saturating_add(1)
			};
			Self::set_from(&mut position.history, from, position.allocation)?;
		}
		if let Some(exit) = position.exit.clone() {
			Self::set_from(
				&mut position.history,
				exit.release_era.max(era.saturating_add(1)),
				exit.target,
			)?;
		}
		Ok(())
	}

	/// Forget the pairs of `history` that no offence reportable in active era `era` can need:
	/// those superseded before `window` eras ago ([`Self::history_window`]).
	fn prune_history(
		history: &mut AllocationHistory<BalanceOf<T>, HistoryBound<T>>,
		era: EraIndex,
		window: EraIndex,
	) {
		let window_start = era.saturating_sub(window);
		// The last pair at or before the window's start is in force there; earlier ones are not.
		let superseded =
			history.iter().rposition(|(from, _)| *from <= window_start).unwrap_or_default();
		if superseded > 0 {
			let mut index = 0usize;
			history.retain(|_| {
				index = index.saturating_add(1);
				index > superseded
			});
		}
	}

	/// The one write of a position: `after` replaces `before` (`None`: a new position), with
	/// the restaker's ledger, the service's totals and the reward settlement kept in step.
	fn commit(
		who: &T::AccountId,
		service: ServiceId,
		before: Option<&PositionOf<T>>,
		mut after: PositionOf<T>,
		ledger: &mut RestakerLedgerOf<T>,
	) -> DispatchResult {
		let mut info = Services::<T>::get(service).ok_or(Error::<T>::UnknownService)?;
		match before {
			Some(before) => {
				Self::settle(who, service, before, ledger.synced_era);
				info.total_secured = info.total_secured.saturating_sub(before.exposure);
				info.allocated = info.allocated.saturating_sub(before.allocation);
				ledger.total_allocated = ledger.total_allocated.saturating_sub(before.allocation);
				ledger.total_claim = ledger.total_claim.saturating_sub(before.claim);
			}
			None => {
				ledger.services.try_push(service).map_err(|_| Error::<T>::TooManyServices)?;
				// Bounded by the number of accounts, far below `u32::MAX` restakers per service.
				info.restakers = info.restakers.saturating_add(1);
			}
		}
		info.total_secured = info.total_secured.saturating_add(after.exposure);
		info.allocated = info.allocated.saturating_add(after.allocation);
		ledger.total_allocated = ledger.total_allocated.saturating_add(after.allocation);
		after.claim = info.params.worst_case().mul_floor(after.allocation);
		ledger.total_claim = ledger.total_claim.saturating_add(after.claim);
		after.reward_debt = Self::reward_debt(service, after.exposure);
		Positions::<T>::insert(who, service, after);
		Services::<T>::insert(service, info);
		Ok(())
	}

	/// Delete `who`'s position in `service` (`position` as stored), keeping the histories of
	/// `closing` (the position as the caller last brought it up to date) as a [`Departure`]
	/// that stops backing the service from `release_era`.
	///
	/// A release era after the active one (an ejection) leaves the allocation in force until
	/// then: the restaker's and the service's `leaving` count it, and its claim, until then.
	fn close(
		who: &T::AccountId,
		service: ServiceId,
		position: &PositionOf<T>,
		closing: &PositionOf<T>,
		release_era: EraIndex,
		ledger: &mut RestakerLedgerOf<T>,
	) -> DispatchResult {
		let era = T::Slashing::active_era();
		let window = Self::history_window(who);
		let mut history = closing.history.clone();
		history.retain(|(from, _)| *from < release_era);
		// At most one pair per era of the window up to the release era, which is at most the
		// next era: room for the closing pair is certain once the history is pruned.
		Self::prune_history(&mut history, era, window);
		history
			.try_push((release_era, Zero::zero()))
			.map_err(|_| Error::<T>::AllocationHistoryFull)?;
		let mut backing = closing.backing.clone();
		backing.retain(|(from, _)| *from < release_era);
		// What the position earned stays claimable after it is gone.
		Self::settle(who, service, position, ledger.synced_era);
		let in_force = closing.allocation_in(era);
		let mut claim = Zero::zero();
		if let Some(mut info) = Services::<T>::get(service) {
			info.total_secured = info.total_secured.saturating_sub(position.exposure);
			info.restakers = info.restakers.saturating_sub(1);
			info.allocated = info.allocated.saturating_sub(position.allocation);
			if release_era > era {
				claim = info.params.worst_case().mul_floor(in_force);
				info.leaving.add(era, release_era, in_force, Zero::zero());
			}
			Services::<T>::insert(service, info);
		}
		if release_era > era {
			ledger.leaving.add(era, release_era, in_force, claim);
		}
		ledger.services.retain(|s| *s != service);
		ledger.total_allocated = ledger.total_allocated.saturating_sub(position.allocation);
		ledger.total_claim = ledger.total_claim.saturating_sub(position.claim);

		Departures::<T>::insert(who, service, Departure { release_era, history, backing });
		let expiry = release_era.saturating_add(window).max(DepartureCursor::<T>::get());
		DepartureExpiries::<T>::insert(expiry, (who.clone(), service), ());
		Positions::<T>::remove(who, service);
		Ok(())
	}

	/// Move what `position` earned so far into [`UnclaimedRewards`].
	///
	/// A delegator's operator takes its commission of it, into the operator's own
	/// [`UnclaimedRewards`] of the service, at the rate of [`Self::commission_for`] for rewards
	/// earned since active era `since`.
	fn settle(who: &T::AccountId, service: ServiceId, position: &PositionOf<T>, since: EraIndex) {
		let mut pending = Self::pending_rewards(service, position);
		if pending.is_zero() {
			return;
		}
		if let Some((operator, commission)) = Self::commission_for(who, service, since) {
			let cut = commission.mul_floor(pending);
			if !cut.is_zero() {
				pending = pending.saturating_sub(cut);
				UnclaimedRewards::<T>::mutate(&operator, service, |owed| {
					*owed = owed.saturating_add(cut)
				});
			}
		}
		if !pending.is_zero() {
			UnclaimedRewards::<T>::mutate(who, service, |owed| {
				*owed = owed.saturating_add(pending)
			});
		}
	}

	/// Write `ledger`, or remove it (and any pending cascade) once it has no position and no
	/// ejected allocation still in force.
	fn save_ledger(who: &T::AccountId, ledger: RestakerLedgerOf<T>) {
		let leaving = ledger.leaving.in_force(T::Slashing::active_era());
		if ledger.services.is_empty() && leaving.0.is_zero() && leaving.1.is_zero() {
			Restakers::<T>::remove(who);
			PendingCascades::<T>::remove(who);
		} else {
			Restakers::<T>::insert(who, ledger);
		}
	}

	/// Whether offences from the time `departure` backed its service can still reach it in
	/// active era `era`, `window` eras after its release ([`Self::history_window`]): the last
	/// such offence is from `release_era - 1`.
	pub(crate) fn departure_reportable(
		departure: &crate::DepartureOf<T>,
		era: EraIndex,
		window: EraIndex,
	) -> bool {
		era < departure.release_era.saturating_add(window)
	}

	/// How long `who`'s records must let a slash reach its past: the report window; for a
	/// delegator, the bonding duration, since a report against its operator reaches it in
	/// pages that land after the report's dispute window (the registration check keeps
	/// `ReportWindow + dispute_window + 2` below it).
	pub(crate) fn history_window(who: &T::AccountId) -> EraIndex {
		if crate::Delegations::<T>::contains_key(who) {
			T::Staking::bonding_duration().max(T::ReportWindow::get())
		} else {
			T::ReportWindow::get()
		}
	}

	/// Forget departure records that can no longer be reported, at most `MaxSweepPerBlock`.
	pub(crate) fn prune_departures(era: EraIndex) -> Weight {
		let mut cursor = DepartureCursor::<T>::get();
		let mut budget = T::MaxSweepPerBlock::get();
		let mut reads = 1u64;
		let mut writes = 0u64;
		// Each era scanned costs a read even when empty; at most `budget + 1` scans a block.
		let mut scans = budget.saturating_add(1);
		while cursor <= era && budget > 0 && scans > 0 {
			scans = scans.saturating_sub(1);
			let due: Vec<(T::AccountId, ServiceId)> =
				DepartureExpiries::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
			reads = reads.saturating_add(1);
			let exhausted = (due.len() as u32) < budget;
			for (who, service) in due {
				budget = budget.saturating_sub(1);
				DepartureExpiries::<T>::remove(cursor, (who.clone(), service));
				let window = Self::history_window(&who);
				match Departures::<T>::get(&who, service) {
					Some(departure) if !Self::departure_reportable(&departure, era, window) => {
						Departures::<T>::remove(&who, service);
					}
					// Its restaker delegates since: pages of reports against its operator may
					// still need it, for longer.
					Some(departure) => DepartureExpiries::<T>::insert(
						departure.release_era.saturating_add(window).max(era.saturating_add(1)),
						(who.clone(), service),
						(),
					),
					None => {}
				}
				reads = reads.saturating_add(2);
				writes = writes.saturating_add(2);
			}
			if !exhausted || cursor >= era {
				break;
			}
			cursor = cursor.saturating_add(1);
		}
		DepartureCursor::<T>::put(cursor);
		T::DbWeight::get().reads_writes(reads, writes.saturating_add(1))
	}

	/// The era sweep of `on_initialize`: visit `MaxSweepPerBlock` restakers.
	pub(crate) fn sweep(era: EraIndex) -> Weight {
		Self::sweep_batch(era, T::MaxSweepPerBlock::get())
	}

	/// The sweep in `on_idle`: visit as many more restakers as their worst-case re-sync fits in
	/// `limit`, at most `4 x MaxSweepPerBlock`.
	pub(crate) fn sweep_within(limit: Weight) -> Weight {
		let visit = T::WeightInfo::resync(T::MaxServicesPerRestaker::get(), RESTAKERS_WEIGHED)
			.saturating_add(T::DbWeight::get().reads(1));
		let mut needed = T::DbWeight::get().reads_writes(3, 2);
		let most = T::MaxSweepPerBlock::get().saturating_mul(4);
		let mut count = 0u32;
		while count < most && needed.saturating_add(visit).all_lte(limit) {
			needed = needed.saturating_add(visit);
			count = count.saturating_add(1);
		}
		if count == 0 {
			return Weight::zero();
		}
		Self::sweep_batch(T::Slashing::active_era(), count)
			.saturating_add(T::DbWeight::get().reads(1))
	}

	/// Visit up to `max` restakers, resuming where the sweep last stopped, and re-sync those last
	/// synced before `era`.
	fn sweep_batch(era: EraIndex, max: u32) -> Weight {
		use crate::pallet::{SweepCursor, SweepEra};
		let mut weight = T::DbWeight::get().reads(2);
		// A lap visits every restaker once, in storage order, and goes on across an era change:
		// a new lap starts when the last one is done and the era has changed since it started.
		let start_after = match SweepCursor::<T>::get() {
			Some(last) => Some(last),
			None if SweepEra::<T>::get() < era => {
				SweepEra::<T>::put(era);
				None
			}
			None => return weight,
		};
		let max = max as usize;
		let batch: Vec<T::AccountId> = match start_after {
			None => Restakers::<T>::iter_keys().take(max).collect(),
			Some(last) => Restakers::<T>::iter_keys_from(Restakers::<T>::hashed_key_for(last))
				.take(max)
				.collect(),
		};
		for who in &batch {
			let stale = Restakers::<T>::get(who).is_some_and(|ledger| ledger.synced_era < era);
			weight = weight.saturating_add(T::DbWeight::get().reads(1));
			if stale {
				let visited = Self::do_resync(who);
				weight = weight.saturating_add(T::WeightInfo::resync(visited, RESTAKERS_WEIGHED));
			}
		}
		match batch.last() {
			Some(last) if batch.len() == max => SweepCursor::<T>::put(last),
			_ => SweepCursor::<T>::kill(),
		}
		weight.saturating_add(T::DbWeight::get().writes(2))
	}
}
