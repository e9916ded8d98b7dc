//! The invariants of the pallet's storage, checked by `try_state` and after every test.

use crate::{
	pallet::{
		Config, DepartureCursor, DepartureExpiries, Departures, DueCursor, DueSlashes,
		FundingHistory, NextServiceId, NextSlashId, Pallet, ParamsUpdatedEra, PendingCascades,
		PendingRuleChanges, Positions, ReportedOffences, Restakers, RewardPerExposure,
		RuleChangesEra, ServiceSlashes, Services, SlashBudgets, Slashes, UnclaimedRewards,
	},
	BalanceOf, BreakerState, JobLane, ServiceId, SlashingAdapter,
};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use frame_support::{
	ensure,
	traits::{fungible::Inspect, Get},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};
use sp_staking::EraIndex;
use sp_staking::StakingInterface;

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - each service's `total_secured` is the sum of its exposures, `allocated` the sum of its
	///   allocations, and `restakers` the number of its positions;
	/// - ejected allocations still in force (`leaving`, of a service or a restaker) are released
	///   no later than the next era: an ejection backs its service until then, never longer;
	/// - every backing history (the stake that backed a service in each era) is ordered, one
	///   pair per era, with nothing after the next era; a position's exposure is at most what
	///   its allocation and backing give for the active era;
	/// - every allocation history is ordered, one pair per era, and schedules nothing after the
	///   next era but the position's own decrease or exit; no exposure exceeds its allocation;
	/// - for a restaker synced in the active era with no cascade pending and no stake lost
	///   since without a staking hook, and a service not updated in this era, no exposure is
	///   above `min(allocation in force now, stake reachable after the service's dispute
	///   window)`, nor above what its allocation and backing give for the active era (a stake
	///   increase counts only from the next era, so it may stay lower than the first), and both its allocations and its exposures sum to
	///   at most `MaxLeverage x` the stake a slash can reach now (the cap against the current
	///   stake);
	/// - each restaker's ledger lists exactly its positions, with `total_allocated` their sum; a
	///   ledger without positions is kept only while an ejected allocation is still in force;
	///   `PendingCascades` only holds restakers;
	/// - pending slashes: each service holds at most `MaxPendingSlashesPerService`, listed in
	///   its `ServiceSlashes` and in `DueSlashes` under its apply era, no earlier than the
	///   era-boundary cursor, each for a known service;
	/// - every departure record ends with zero from its release era and is indexed for pruning
	///   no earlier than the pruning cursor;
	/// - each reward pot holds at least what it owes, settled or pending, plus its existential
	///   deposit;
	/// - every service has `exit_delay` and `dispute_window` of at least one era, and
	///   `ReportWindow + dispute_window + 2` below the bonding duration;
	/// - ids handed out are below the next ids, and registered services within `MaxServices`;
	/// - each restaker's `total_claim` is the sum of its positions' claims, and with
	///   `FullCoverage` a synced restaker's claims are at most the stake a slash can reach now;
	/// - the breaker: each era's budget lets through at most its cap (`within <= cap`), and at
	///   least what its pending within-budget and approved slashes add up to; a held slash has
	///   a budget and is still before (or at) its apply era, waiting for the era-boundary path;
	/// - max, not sum: an offence's reports name each rule once, and a pending slash's report
	///   is on record with the slash's amount;
	/// - a rule change waiting is for a known service and not yet due;
	/// - each service's funding history is for a known service, one record per era, oldest
	///   first, no era after the active one, within `YieldWindow` eras of its last, each record
	///   with something shared, and all of it at most the service's reward accumulator.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let era = T::Slashing::active_era();
		let mut totals: BTreeMap<ServiceId, (BalanceOf<T>, u32)> = BTreeMap::new();
		let mut owed: BTreeMap<ServiceId, BalanceOf<T>> = BTreeMap::new();
		for (_, service, amount) in UnclaimedRewards::<T>::iter() {
			let entry = owed.entry(service).or_default();
			*entry = entry.saturating_add(amount);
		}
		// Per service: sum of allocations.
		let mut allocated: BTreeMap<ServiceId, BalanceOf<T>> = BTreeMap::new();
		// Per restaker: (positions, allocations, exposures, claims).
		type Sums<B> = (u32, B, B, B);
		let mut per_restaker: BTreeMap<T::AccountId, Sums<BalanceOf<T>>> = BTreeMap::new();
		for (who, service, position) in Positions::<T>::iter() {
			ensure!(position.exposure <= position.allocation, "exposure above its allocation");
			let history = &position.history;
			ensure!(!history.is_empty(), "position without allocation history");
			ensure!(
				history.iter().zip(history.iter().skip(1)).all(|(a, b)| a.0 < b.0),
				"history not one pair per era"
			);
			let scheduled_exit = position.exit.as_ref().map(|exit| exit.release_era);
			ensure!(
				history.iter().all(
					|(from, _)| *from <= era.saturating_add(1) || Some(*from) == scheduled_exit
				),
				"history schedules a change that is not the position's exit"
			);
			let backing = &position.backing;
			ensure!(
				backing.iter().zip(backing.iter().skip(1)).all(|(a, b)| a.0 < b.0)
					&& backing.iter().all(|(from, _)| *from <= era.saturating_add(1)),
				"backing history not one pair per era up to the next"
			);
			let sum = allocated.entry(service).or_default();
			*sum = sum.saturating_add(position.allocation);
			let ledger = Restakers::<T>::get(&who).ok_or("position without restaker ledger")?;
			ensure!(ledger.services.contains(&service), "position missing from restaker ledger");
			let updated = ParamsUpdatedEra::<T>::get(service) == Some(era);
			if let (Some(stake), false) = (Self::synced_stake(&who, &ledger, era), updated) {
				let info = Services::<T>::get(service).ok_or("position in an unknown service")?;
				let window = Self::backing_window(&who, info.params.dispute_window);
				let collectable = Self::exposure_for(&position, &stake, window, era);
				// Below it while a stake increase waits for the next era (the backing rule).
				// Staking-async's fast unbonding switched on since the sync (Root's flag, no
				// hook) leaves the exposure stale until the next sync, like an unbond.
				ensure!(
					position.exposure <= collectable
						|| !Self::unbonding_covers(stake.unbonding, stake.withdraw_lead, window),
					"synced exposure above what a slash could collect"
				);
				ensure!(
					position.exposure <= position.exposure_in(era),
					"synced exposure above its allocation or the stake that backed it this era"
				);
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
			mine.2 = mine.2.saturating_add(position.exposure);
			mine.3 = mine.3.saturating_add(position.claim);
		}

		let next_service = NextServiceId::<T>::get();
		ensure!(Services::<T>::count() <= T::MaxServices::get(), "more services than MaxServices");
		let bonding = T::Staking::bonding_duration();
		for (id, info) in Services::<T>::iter() {
			ensure!(id < next_service, "service id not below NextServiceId");
			// Re-checked here because a runtime upgrade may have changed either side.
			ensure!(
				Self::unbonding_covers(
					bonding,
					T::Slashing::withdraw_lead(),
					info.params.dispute_window.saturating_add(1)
				),
				"service windows reach BondingDuration"
			);
			ensure!(info.params.exit_delay > 0, "service with a zero exit delay");
			ensure!(info.params.dispute_window > 0, "service with a zero dispute window");
			let (secured, restakers) = totals.remove(&id).unwrap_or_default();
			ensure!(info.total_secured == secured, "service total is not the sum of exposures");
			ensure!(info.restakers == restakers, "service restaker count is off");
			ensure!(
				info.allocated == allocated.remove(&id).unwrap_or_default(),
				"service allocated is not the sum of allocations"
			);
			ensure!(info.leaving.until <= era.saturating_add(1), "ejection in force past next era");
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
			ensure!(
				ledger.leaving.until <= era.saturating_add(1),
				"ejection in force past next era"
			);
			let Some((count, allocated, exposed, claims)) = per_restaker.remove(&who) else {
				// Kept for an ejection that was in force when it was last written; the next sync
				// (the sweep's, in a later era) removes it.
				ensure!(
					ledger.services.is_empty() && ledger.leaving.until > ledger.synced_era,
					"restaker ledger without positions or ejections in force"
				);
				continue;
			};
			ensure!(ledger.services.len() as u32 == count, "ledger lists other services");
			ensure!(ledger.total_allocated == allocated, "total_allocated is not the sum");
			ensure!(ledger.total_claim == claims, "total_claim is not the sum of claims");
			if let Some(stake) = Self::synced_stake(&who, &ledger, era) {
				let cap = Self::leverage_cap(stake.reachable(era));
				ensure!(allocated <= cap, "allocations above the leverage cap");
				ensure!(exposed <= cap, "exposures above the leverage cap");
				ensure!(
					!T::FullCoverage::get() || claims <= stake.reachable(era),
					"a synced restaker is not covered"
				);
			}
		}
		ensure!(per_restaker.is_empty(), "positions without restaker ledger");
		for who in PendingCascades::<T>::iter_keys() {
			ensure!(Restakers::<T>::contains_key(&who), "cascade pending for a non-restaker");
		}

		let due_cursor = DueCursor::<T>::get();
		let next_slash = NextSlashId::<T>::get();
		let mut listed: BTreeSet<u32> = BTreeSet::new();
		for (service, pending) in ServiceSlashes::<T>::iter() {
			ensure!(
				pending.len() as u32 <= T::MaxPendingSlashesPerService::get(),
				"service over its pending slash bound"
			);
			for id in pending.iter() {
				let slash = Slashes::<T>::get(id).ok_or("listed slash not stored")?;
				ensure!(slash.service == service, "slash listed under another service");
				ensure!(listed.insert(*id), "slash listed twice");
			}
		}
		let mut stored = 0u32;
		// Per apply era: pending within-budget and approved amounts.
		let mut due: BTreeMap<EraIndex, (BalanceOf<T>, BalanceOf<T>)> = BTreeMap::new();
		for (id, slash) in Slashes::<T>::iter() {
			let entry = due.entry(slash.apply_era).or_default();
			match slash.breaker {
				BreakerState::Within => entry.0 = entry.0.saturating_add(slash.amount),
				BreakerState::Approved => entry.1 = entry.1.saturating_add(slash.amount),
				BreakerState::Held => {}
			}
			if slash.breaker != BreakerState::Within {
				ensure!(
					SlashBudgets::<T>::contains_key(slash.apply_era),
					"held or approved slash without a budget"
				);
			}
			let reports = ReportedOffences::<T>::get(
				slash.offence_era,
				(slash.service, slash.offender.clone()),
			);
			if slash.offence_era.saturating_add(T::ReportWindow::get()) >= era {
				ensure!(
					reports
						.iter()
						.any(|r| r.slash_id == id && r.standing && r.amount == slash.amount),
					"pending slash not on record as a standing report"
				);
			}
			stored = stored.saturating_add(1);
			ensure!(listed.contains(&id), "stored slash not listed under its service");
			ensure!(id < next_slash, "slash id not below NextSlashId");
			ensure!(Services::<T>::contains_key(slash.service), "slash for an unknown service");
			ensure!(DueSlashes::<T>::contains_key(slash.apply_era, id), "slash not indexed as due");
			ensure!(slash.apply_era >= due_cursor, "slash due before the era-boundary cursor");
		}
		ensure!(
			DueSlashes::<T>::iter_keys().count() as u32 == stored,
			"due index and slashes differ"
		);

		for (apply_era, budget) in SlashBudgets::<T>::iter() {
			ensure!(budget.within <= budget.cap, "breaker budget let through more than its cap");
			let (within, approved) = due.get(&apply_era).copied().unwrap_or_default();
			ensure!(within <= budget.within, "pending slashes above the budget's within total");
			ensure!(approved <= budget.approved, "approved slashes above the budget's total");
		}
		for (_, _, reports) in ReportedOffences::<T>::iter() {
			let rules: BTreeSet<_> = reports.iter().map(|r| r.rule).collect();
			ensure!(rules.len() == reports.len(), "an offence reported twice under one rule");
		}
		let promoted = RuleChangesEra::<T>::get();
		for (service, change) in PendingRuleChanges::<T>::iter() {
			ensure!(Services::<T>::contains_key(service), "rule change for an unknown service");
			ensure!(change.effective_era > promoted, "rule change overdue");
		}

		let active = T::Slashing::active_era();
		for (service, history) in FundingHistory::<T>::iter() {
			ensure!(Services::<T>::contains_key(service), "funding history of an unknown service");
			ensure!(
				history.iter().zip(history.iter().skip(1)).all(|(a, b)| a.era < b.era),
				"funding history not one record per era, oldest first"
			);
			ensure!(
				history.iter().all(|record| record.era <= active && record.per_exposure > 0),
				"funding record from the future or with nothing shared"
			);
			ensure!(
				history.first().zip(history.last()).is_none_or(|(first, last)| {
					first.era.saturating_add(T::YieldWindow::get()) >= last.era
				}),
				"funding history wider than the yield window"
			);
			let recorded =
				history.iter().fold(0u128, |sum, record| sum.saturating_add(record.per_exposure));
			ensure!(
				recorded <= RewardPerExposure::<T>::get(service),
				"funding history above the service's reward accumulator"
			);
		}

		let departure_cursor = DepartureCursor::<T>::get();
		let mut indexed: BTreeSet<(T::AccountId, ServiceId)> = BTreeSet::new();
		for (expiry, key, ()) in DepartureExpiries::<T>::iter() {
			if expiry >= departure_cursor {
				indexed.insert(key);
			}
		}
		for (who, service, departure) in Departures::<T>::iter() {
			ensure!(
				departure.history.last().map(|(from, amount)| (*from, amount.is_zero()))
					== Some((departure.release_era, true)),
				"departure history does not end at its release"
			);
			ensure!(indexed.contains(&(who, service)), "departure not indexed for pruning");
		}
		Self::check_delegations()
	}

	/// Operators and delegators:
	/// - each operator's `delegators` counts its entries in `OperatorDelegators`, at most
	///   `MaxDelegatorsPerOperator`, and its commission (and one waiting) is at most
	///   `MaxCommission`;
	/// - every delegation is to an operator and listed among its delegators (and its former
	///   operator's, while it can be reached); a delegator is not an operator;
	/// - a delegator's positions are in its operator's services or leaving (its own opt-ins
	///   are refused), each allocation at most the delegated amount;
	/// - delegator jobs are for known services and operators.
	fn check_delegations() -> Result<(), TryRuntimeError> {
		use crate::pallet::{
			Delegations, DelegatorJobHead, DelegatorJobQueue, DelegatorJobTail, DelegatorJobs,
			OperatorDelegators, OperatorSlashesLanding, Operators,
		};
		let mut counted: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (operator, _, _) in OperatorDelegators::<T>::iter() {
			let entry = counted.entry(operator).or_default();
			*entry = entry.saturating_add(1);
		}
		for (who, operator) in Operators::<T>::iter() {
			ensure!(
				counted.get(&who).copied().unwrap_or_default() == operator.delegators,
				"operator's delegator count differs from its entries"
			);
			ensure!(
				operator.delegators <= T::MaxDelegatorsPerOperator::get(),
				"more delegators than MaxDelegatorsPerOperator"
			);
			let max = T::MaxCommission::get();
			ensure!(
				operator.commission <= max
					&& operator.pending_commission.is_none_or(|(c, _)| c <= max),
				"commission above MaxCommission"
			);
			ensure!(!Delegations::<T>::contains_key(&who), "an operator delegates");
		}
		for operator in counted.keys() {
			ensure!(Operators::<T>::contains_key(operator), "delegators of a non-operator");
		}
		// An operator's ejection or exit reaches its delegators in pages.
		let ejecting: BTreeSet<(T::AccountId, ServiceId)> = DelegatorJobs::<T>::iter_values()
			.filter(|job| job.eject || matches!(job.fan_out, Some(crate::FanOut::Leave(_))))
			.map(|job| (job.operator, job.service))
			.collect();
		for (who, delegation) in Delegations::<T>::iter() {
			ensure!(
				OperatorDelegators::<T>::contains_key(&delegation.operator, &who),
				"delegation missing from its operator's delegators"
			);
			for service in Restakers::<T>::get(&who).map(|l| l.services).unwrap_or_default() {
				let position =
					Positions::<T>::get(&who, service).ok_or("ledger lists a missing position")?;
				// Above it only on its way down: leaving, or lowered to it at its exit delay.
				ensure!(
					position.allocation <= delegation.amount
						|| position
							.exit
							.as_ref()
							.is_some_and(|exit| exit.target <= delegation.amount),
					"delegated position above the delegated amount"
				);
				let operator_in = Positions::<T>::contains_key(&delegation.operator, service);
				let leaving = position.exit.as_ref().is_some_and(|exit| exit.target.is_zero());
				ensure!(
					operator_in
						|| leaving || delegation.until.is_some()
						|| ejecting.contains(&(delegation.operator.clone(), service)),
					"delegated position in a service its operator is not in"
				);
			}
		}
		let mut landing: BTreeMap<(EraIndex, ServiceId), u32> = BTreeMap::new();
		let mut paging: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (_, job) in DelegatorJobs::<T>::iter() {
			if job.cursor.is_some() {
				let entry = paging.entry(job.operator.clone()).or_default();
				*entry = entry.saturating_add(1);
			}
			ensure!(
				Services::<T>::contains_key(job.service),
				"delegator job of an unknown service"
			);
			ensure!(Operators::<T>::contains_key(&job.operator), "delegator job of a non-operator");
			if job.lane() == JobLane::Reports {
				let entry = landing.entry((job.apply_era, job.service)).or_default();
				*entry = entry.saturating_add(1);
			}
		}
		// The deadline's bound: every report job counted in the era its operator's slash lands.
		for (era, service, count) in OperatorSlashesLanding::<T>::iter() {
			ensure!(
				landing.remove(&(era, service)) == Some(count),
				"operator slashes landing differ from the report jobs"
			);
			ensure!(
				count <= T::MaxOperatorSlashesPerEra::get(),
				"more operator slashes landing than MaxOperatorSlashesPerEra"
			);
		}
		ensure!(landing.is_empty(), "report job not counted in OperatorSlashesLanding");
		for (who, operator) in Operators::<T>::iter() {
			ensure!(
				paging.get(&who).copied().unwrap_or_default() == operator.paging,
				"operator's paging count differs from its jobs under way"
			);
		}
		// Each queued job is ready, in its lane, between the lane's head and tail.
		for (lane, index, id) in DelegatorJobQueue::<T>::iter() {
			let (head, tail) = (DelegatorJobHead::<T>::get(lane), DelegatorJobTail::<T>::get(lane));
			ensure!(index.wrapping_sub(head) < tail.wrapping_sub(head), "queue entry out of range");
			if let Some(job) = DelegatorJobs::<T>::get(id) {
				ensure!(job.ready && job.lane() == lane, "queued job not ready or in another lane");
			}
		}
		// The operator index of reports holds exactly the jobs with a fraction.
		for (operator, id, ()) in crate::OperatorJobs::<T>::iter() {
			ensure!(
				DelegatorJobs::<T>::get(id).is_some_and(|job| job.operator == operator),
				"operator job index names no job of that operator"
			);
		}
		Self::check_pools()?;
		Ok(())
	}

	/// `who`'s staking ledger if its positions are synced: synced in active era `era`, no cascade
	/// pending, and no stake lost since without a staking hook (`force_unstake`, `reap_stash`).
	fn synced_stake(
		who: &T::AccountId,
		ledger: &crate::RestakerLedgerOf<T>,
		era: sp_staking::EraIndex,
	) -> Option<crate::StakeLedger<BalanceOf<T>>> {
		if ledger.synced_era != era || PendingCascades::<T>::contains_key(who) {
			return None;
		}
		T::Slashing::stake_ledger(who).filter(|stake| stake.total >= ledger.synced_stake)
	}
}
