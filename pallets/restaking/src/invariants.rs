//! The invariants of the pallet's storage, checked by `try_state` and after every test.

use crate::{
	pallet::{
		Config, NextServiceId, NextSlashId, Pallet, PendingCascades, Positions, Restakers,
		Services, SlashQueue, Slashes, UnclaimedRewards,
	},
	BalanceOf, ServiceId,
};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::{fungible::Inspect, Get},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};
use sp_staking::StakingInterface;

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - each service's `total_secured` is the sum of its exposures, and `restakers` the number
	///   of its positions;
	/// - no exposure exceeds its allocation, nor, once synced (no pending cascade), the
	///   restaker's bonded stake;
	/// - each restaker's ledger lists exactly its positions, at most `MaxServicesPerRestaker`,
	///   with `total_allocated` their sum, within `MaxLeverage x` the active stake it was last
	///   checked against;
	/// - the slash queue holds exactly the scheduled slashes, ordered by due era, each for a
	///   known service, and is within `MaxPendingSlashes`;
	/// - each reward pot holds at least what it owes, settled or pending, plus its existential
	///   deposit;
	/// - every service's `ReportWindow + dispute_window + 1` is below the bonding duration;
	/// - ids handed out are below the next ids, and registered services within `MaxServices`.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut totals: BTreeMap<ServiceId, (BalanceOf<T>, u32)> = BTreeMap::new();
		let mut owed: BTreeMap<ServiceId, BalanceOf<T>> = BTreeMap::new();
		for (_, service, amount) in UnclaimedRewards::<T>::iter() {
			let entry = owed.entry(service).or_default();
			*entry = entry.saturating_add(amount);
		}
		let mut per_restaker: BTreeMap<T::AccountId, (u32, BalanceOf<T>)> = BTreeMap::new();
		for (who, service, position) in Positions::<T>::iter() {
			ensure!(position.exposure <= position.allocation, "exposure above its allocation");
			if !PendingCascades::<T>::contains_key(&who) {
				let stake = T::Staking::total_stake(&who).unwrap_or_default();
				ensure!(position.exposure <= stake, "synced exposure above the bonded stake");
			}
			let pending = Self::pending_rewards(service, &position);
			let owed_here = owed.entry(service).or_default();
			*owed_here = owed_here.saturating_add(pending);
			let entry = totals.entry(service).or_default();
			entry.0 = entry.0.saturating_add(position.exposure);
			entry.1 = entry.1.saturating_add(1);
			let mine = per_restaker.entry(who.clone()).or_default();
			mine.0 = mine.0.saturating_add(1);
			mine.1 = mine.1.saturating_add(position.allocation);
			let ledger = Restakers::<T>::get(&who).ok_or("position without restaker ledger")?;
			ensure!(ledger.services.contains(&service), "position missing from restaker ledger");
		}

		let next_service = NextServiceId::<T>::get();
		ensure!(Services::<T>::count() <= T::MaxServices::get(), "more services than MaxServices");
		let bonding = T::Staking::bonding_duration();
		for (id, info) in Services::<T>::iter() {
			ensure!(id < next_service, "service id not below NextServiceId");
			// Re-checked here because a runtime upgrade may have changed either side.
			let landing = T::ReportWindow::get().saturating_add(info.params.dispute_window);
			ensure!(landing.saturating_add(1) < bonding, "service windows reach BondingDuration");
			let (secured, restakers) = totals.remove(&id).unwrap_or_default();
			ensure!(info.total_secured == secured, "service total is not the sum of exposures");
			ensure!(info.restakers == restakers, "service restaker count is off");
		}
		ensure!(totals.is_empty(), "position in an unknown service");

		let ed = T::Currency::minimum_balance();
		for (service, owed) in owed {
			let pot = T::Currency::balance(&Self::reward_pot(service));
			// The pot keeps its existential deposit on top of what it owes.
			ensure!(
				owed.is_zero() || owed.saturating_add(ed) <= pot,
				"reward pot holds less than it owes"
			);
		}

		for (who, ledger) in Restakers::<T>::iter() {
			let (count, allocated) =
				per_restaker.remove(&who).ok_or("restaker ledger without positions")?;
			ensure!(ledger.services.len() as u32 == count, "ledger lists other services");
			ensure!(ledger.total_allocated == allocated, "total_allocated is not the sum");
			let cap = ledger.leverage_base.saturating_mul(T::MaxLeverage::get().into());
			ensure!(ledger.total_allocated <= cap, "allocations above the leverage cap");
		}
		ensure!(per_restaker.is_empty(), "positions without restaker ledger");

		let queue = SlashQueue::<T>::get();
		ensure!(queue.len() as u32 <= T::MaxPendingSlashes::get(), "slash queue over its bound");
		ensure!(queue.iter().is_sorted(), "slash queue out of order");
		ensure!(
			queue.len() as u32 == Slashes::<T>::iter_keys().count() as u32,
			"queue/slashes mismatch"
		);
		let next_slash = NextSlashId::<T>::get();
		for (apply_era, id) in queue.iter() {
			let slash = Slashes::<T>::get(id).ok_or("queued slash not stored")?;
			ensure!(slash.apply_era == *apply_era, "queued under another era");
			ensure!(*id < next_slash, "slash id not below NextSlashId");
			ensure!(Services::<T>::contains_key(slash.service), "slash for an unknown service");
		}
		Ok(())
	}
}
