//! The cascade: whatever shrinks a restaker's bonded stake shrinks its exposure everywhere.
//!
//! pallet-staking calls [`OnStakingUpdate::on_slash`] from inside `StakingLedger::slash`, before
//! it writes the slashed ledger, for service slashes (through [`crate::adapter`]) and for its own
//! offence pipeline (`on_offence`, `manual_slash`) alike. Like pallet-delegated-staking, the hook
//! only records a restaker in [`PendingCascades`] (one read, and one write for restakers) and
//! returns: the re-sync ([`Pallet::do_resync`], in [`crate::positions`]) reads the ledger after it
//! is written, for every service of the restaker, and is weighed.
//! It runs right after a service slash, and otherwise in the next block's `on_initialize` (at
//! most `MaxCascadesPerBlock` restakers) or earlier in `on_idle` when the block has room.
//! Withdrawals of unbonded funds lower the stake too and are handled the same way.

use crate::{
	pallet::{Config, Pallet, PendingCascades, Restakers},
	weights::WeightInfo,
	BalanceOf, RESTAKERS_WEIGHED,
};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{traits::Get, weights::Weight};

use sp_staking::{EraIndex, OnStakingUpdate};

impl<T: Config> OnStakingUpdate<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn on_slash(
		stash: &T::AccountId,
		_slashed_active: BalanceOf<T>,
		slashed_unlocking: &BTreeMap<EraIndex, BalanceOf<T>>,
		_slashed_total: BalanceOf<T>,
	) {
		Self::pool_slashed(stash, slashed_unlocking);
		Self::note_stake_loss(stash);
	}

	fn on_withdraw(controller: &T::AccountId, _amount: BalanceOf<T>) {
		// Restakers are their own controllers (checked at opt-in).
		Self::note_stake_loss(controller);
	}
}

impl<T: Config> Pallet<T> {
	/// O(1) bookkeeping from the staking hook: one read, and one write if `who` restakes.
	fn note_stake_loss(who: &T::AccountId) {
		if Restakers::<T>::contains_key(who) {
			PendingCascades::<T>::insert(who, ());
		}
	}

	/// Re-sync at most `max` pending restakers; returns the weight used.
	pub(crate) fn process_cascades(max: u32) -> Weight {
		let mut weight = Weight::zero();
		let pending: alloc::vec::Vec<T::AccountId> =
			PendingCascades::<T>::iter_keys().take(max as usize).collect();
		for who in pending {
			let visited = Self::do_resync(&who);
			// The staking hook that queued `who` ran inside pallet-staking's slash or withdrawal,
			// which did not pay for it: it is charged here, with the re-sync it asked for.
			weight = weight
				.saturating_add(T::WeightInfo::resync(visited, RESTAKERS_WEIGHED))
				.saturating_add(T::WeightInfo::on_slash_hook());
		}
		weight.saturating_add(T::DbWeight::get().reads(1))
	}

	/// Re-sync pending restakers while each worst-case re-sync still fits in `limit`.
	pub(crate) fn process_cascades_within(limit: Weight) -> Weight {
		let worst = T::WeightInfo::resync(T::MaxServicesPerRestaker::get(), RESTAKERS_WEIGHED);
		let mut used = T::DbWeight::get().reads(1);
		if !used.saturating_add(worst).all_lte(limit) {
			return Weight::zero();
		}
		// One iterator: it resumes after the previous key, whatever was removed since.
		let mut pending = PendingCascades::<T>::iter_keys();
		while used.saturating_add(worst).all_lte(limit) {
			let Some(who) = pending.next() else { break };
			let visited = Self::do_resync(&who);
			used = used
				.saturating_add(T::WeightInfo::resync(visited, RESTAKERS_WEIGHED))
				.saturating_add(T::WeightInfo::on_slash_hook())
				.saturating_add(T::DbWeight::get().reads(1));
		}
		used
	}
}
