//! Operators and delegators: a bonded stash backs the services of an operator it trusts.
//!
//! A delegation is not a new kind of stake. `delegate(operator, amount)` opens, on the
//! delegator's own ledger, a position of `amount` in every service the operator is in, and the
//! operator's later opt-ins open one more (from the era after a page of the
//! [`FanOut::Join`] job the opt-in leaves). Those positions are ordinary
//! positions: allocation and backing histories by era, exposure, leverage and coverage caps,
//! the cascade of any stake loss, departures kept for the report window, rewards. So every
//! guarantee of a restaker holds for a delegator, through the same code:
//!
//! - **Leverage and coverage** count the delegated amount once per service the delegator backs,
//!   against its own stake. A service the operator joins that would break them (or its
//!   `min_stake`, or a recent exit of the delegator) is excluded for that delegator instead
//!   (`ServiceExcluded`): an operator never pushes a delegator past its caps.
//! - **Exits.** `exclude_service` schedules the exit of one position (that service's exit
//!   delay); `undelegate` of all of them, each at its service's exit delay; an operator's
//!   `opt_out` leaves a [`FanOut::Leave`] job whose pages schedule its delegators' exits for
//!   the same era as its own (no sooner than the era after the page). `include_service`
//!   opens the position again from the next era.
//! - **Redelegation** keeps the positions in services both operators are in, schedules the
//!   exits of the others and opens the new operator's from the next era. Until the exits are
//!   released both sets count for leverage and coverage, and reports against the old operator
//!   for the eras it was backed still reach the delegator.
//! - **Slashing.** A delegator is never reported itself (`ReportTheOperator`). A report against
//!   an operator schedules the operator's own slash as any report, and a [`DelegatorJob`] that,
//!   once that slash has landed, walks the operator's delegators in pages of
//!   `MaxDelegatorSlashesPerBlock`: each delegator that backed the operator in the offence era
//!   ([`Delegation::backed`]) is slashed `fraction x` its exposure to the service in that era
//!   (from its position's or departure's histories, as for any report), through staking, with
//!   its cascade; max, not sum, over every report of that era ([`DelegatorOffences`]). An
//!   ejecting rule, or an ejection of the operator by a re-sync, ejects the delegators too.
//!   Cancelling the operator's slash removes the job: no page has landed before then.
//! - **The pages' deadline.** A service has at most `MaxOperatorSlashesPerEra` reports against
//!   operators with delegators landing in one era (`TooManyOperatorSlashes` past it), each
//!   visiting at most `MaxDelegatorsPerOperator + 1` entries, and report pages go before
//!   ejections. `integrity_test` checks that `MaxServices` services at that bound fit the pages
//!   of one era (`BlocksPerEra x MaxDelegatorSlashesPerBlock`), so what lands in an era is paged
//!   by the end of the next; service registration keeps that era inside the bonding duration
//!   (`ReportWindow + dispute_window + 2 < BondingDuration`), before any chunk the offence era
//!   counted can be withdrawn.
//! - **Rewards.** A delegator's position earns like any other; when its rewards are settled
//!   the operator's commission (in force then) goes to the operator.

use crate::{
	pallet::{
		Config, Delegations, DelegatorJobHead, DelegatorJobQueue, DelegatorJobTail, DelegatorJobs,
		DelegatorOffenceCursor, DelegatorOffences, Error, Event, NextSlashId, OperatorDelegators,
		OperatorJobs, OperatorSlashesLanding, Operators, Pallet, Positions, Restakers,
	},
	weights::WeightInfo,
	BalanceOf, Delegation, DelegationOf, DelegatorJob, Exit, FanOut, JobLane, Operator,
	PastOperator, ServiceId, SlashId, SlashingAdapter,
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get, weights::Weight};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, Perbill,
};
use sp_staking::{EraIndex, StakingInterface};

impl<T: Config> Pallet<T> {
	/// What a delegation call reads beyond its benchmark for each position it opens or raises,
	/// as an opt-in does ([`Self::opt_in_weight`]): the validator status and
	/// [`Self::risk_reads`].
	fn per_position_extra(positions: u32) -> Weight {
		T::DbWeight::get()
			.reads(1)
			.saturating_add(Self::risk_reads())
			.saturating_mul(positions.into())
	}

	/// Weight of `delegate` to an operator in `services` services.
	pub fn delegate_weight(services: u32) -> Weight {
		T::WeightInfo::delegate(services).saturating_add(Self::per_position_extra(services))
	}

	/// Weight of `undelegate` for a delegator in `services` services.
	pub fn undelegate_weight(services: u32) -> Weight {
		T::WeightInfo::undelegate(services)
	}

	/// Weight of `redelegate` for a delegator in `services` services when it is done (old
	/// operator's and new operator's together).
	pub fn redelegate_weight(services: u32) -> Weight {
		T::WeightInfo::redelegate(services).saturating_add(Self::per_position_extra(services))
	}

	/// Weight of `set_delegation` for a delegator in `services` services.
	pub fn set_delegation_weight(services: u32) -> Weight {
		T::WeightInfo::set_delegation(services).saturating_add(Self::per_position_extra(services))
	}

	/// Weight of `include_service`: a position opened (or an exit cancelled).
	pub fn include_service_weight() -> Weight {
		T::WeightInfo::include_service().saturating_add(Self::per_position_extra(1))
	}

	/// What a delegation call charges up front: `weight` at the most services a restaker can
	/// be in, and the re-sync it may run first; refunded by [`Self::delegation_refund`].
	pub fn delegation_call_weight(weight: fn(u32) -> Weight) -> Weight {
		weight(T::MaxServicesPerRestaker::get()).saturating_add(Self::sync_weight())
	}

	/// The weight a delegation call of `who` used: `weight` at the services `who` is in after
	/// the call (every position the call opened, moved or scheduled to leave is one of them),
	/// and the re-sync if `who` was `stale` before it.
	pub(crate) fn delegation_refund(
		who: &T::AccountId,
		weight: fn(u32) -> Weight,
		stale: bool,
	) -> frame_support::dispatch::PostDispatchInfo {
		let used = weight(Self::restaker_services(who)).saturating_add(T::DbWeight::get().reads(1));
		if stale {
			Some(used.saturating_add(Self::sync_weight())).into()
		} else {
			Some(used).into()
		}
	}

	/// The services `who` holds a position in (its ledger's list): what a refund counts.
	pub(crate) fn restaker_services(who: &T::AccountId) -> u32 {
		Restakers::<T>::get(who).map_or(0, |ledger| ledger.services.len() as u32)
	}

	/// Weight of the job an operator's opt-in or opt-out leaves for its delegators (the pages
	/// are `on_initialize`'s): the operator record, a slash id, the job and its queue entry.
	pub fn fan_out_weight() -> Weight {
		T::DbWeight::get().reads_writes(3, 4)
	}

	/// [`Self::fan_out_weight`] for an operator with delegators, nothing for anyone else.
	pub fn fan_out_weight_of(who: &T::AccountId) -> Weight {
		if Self::has_delegators(who) {
			Self::fan_out_weight()
		} else {
			Weight::zero()
		}
	}

	/// Weight of a page reaching `delegators` delegators: each a slash by an ejecting rule (its
	/// benchmark, and a worst-case re-sync before the ejection: the benchmark's delegators
	/// earn no rewards), or an operator's move passed on (an opt-in or an exit, and a
	/// re-sync), whichever is heavier. A slashed delegator's cascade is otherwise queued by the
	/// staking hook and weighed where the queue is worked through.
	pub fn delegator_page_weight(delegators: u32) -> Weight {
		let slashes = T::WeightInfo::apply_delegator_slashes(delegators)
			.saturating_add(Self::sync_weight().saturating_mul(delegators.into()));
		let follow = Self::opt_in_weight()
			.saturating_add(Self::sync_weight())
			.saturating_add(T::DbWeight::get().reads_writes(4, 2))
			.saturating_mul(delegators.into())
			.saturating_add(T::DbWeight::get().reads_writes(3, 3));
		slashes.max(follow)
	}

	/// The longest exit delay of `who`'s services (at least one era).
	fn longest_exit_delay(who: &T::AccountId) -> EraIndex {
		Restakers::<T>::get(who)
			.map(|ledger| ledger.services)
			.unwrap_or_default()
			.into_iter()
			.filter_map(|service| Self::service(service).ok())
			.map(|info| info.params.exit_delay)
			.max()
			.unwrap_or_default()
			.max(1)
	}

	/// The services `operator` backs and does not leave: those its delegators follow.
	pub(crate) fn operator_services(operator: &T::AccountId) -> Vec<ServiceId> {
		Restakers::<T>::get(operator)
			.map(|ledger| ledger.services.into_inner())
			.unwrap_or_default()
			.into_iter()
			.filter(|service| {
				Positions::<T>::get(operator, service).is_some_and(|position| {
					position.exit.as_ref().is_none_or(|e| !e.target.is_zero())
				})
			})
			.collect()
	}

	/// Whether `who` is an operator with delegators (current or still reachable).
	pub(crate) fn has_delegators(who: &T::AccountId) -> bool {
		Operators::<T>::get(who).is_some_and(|op| op.delegators > 0)
	}

	/// Eras after a delegation ends during which a report against its operator can still reach
	/// it: the bonding duration (see [`Self::history_window`]).
	fn reach_window() -> EraIndex {
		T::Staking::bonding_duration().max(T::ReportWindow::get())
	}

	/// The operator that takes a commission of `who`'s rewards in `service`, and the rate for
	/// rewards earned since active era `since` (the restaker's last sync): the lower of the
	/// rates in force then and now, so an increase never reaches rewards earned before it
	/// applied. After a `redelegate`, rewards of a service only the former operator is in go to
	/// the former operator.
	pub(crate) fn commission_for(
		who: &T::AccountId,
		service: ServiceId,
		since: EraIndex,
	) -> Option<(T::AccountId, Perbill)> {
		let delegation = Delegations::<T>::get(who)?;
		let operator = match delegation.previous {
			Some(past) if !Positions::<T>::contains_key(&delegation.operator, service) => {
				past.operator
			}
			_ => delegation.operator,
		};
		let info = Operators::<T>::get(&operator)?;
		let now = T::Slashing::active_era();
		let rate = info.commission_in(since).min(info.commission_in(now));
		Some((operator, rate))
	}

	/// The `set_operator` call.
	pub fn do_set_operator(who: T::AccountId, commission: Perbill) -> DispatchResult {
		ensure!(commission <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
		Self::expire_delegation(&who);
		ensure!(!Delegations::<T>::contains_key(&who), Error::<T>::Delegating);
		Self::bonded_stake(&who)?;
		ensure!(!T::Staking::is_virtual_staker(&who), Error::<T>::VirtualStaker);
		let era = T::Slashing::active_era();
		let mut operator = Operators::<T>::get(&who).unwrap_or(Operator {
			commission,
			pending_commission: None,
			accepting: true,
			delegators: 0,
			paging: 0,
		});
		let current = operator.commission_in(era);
		operator.accepting = true;
		if commission <= current {
			// A decrease applies at once, and drops an increase still waiting.
			operator.commission = commission;
			operator.pending_commission = None;
			Operators::<T>::insert(&who, operator);
			Self::deposit_event(Event::<T>::OperatorSet { who, commission });
		} else {
			// Delegators can leave before an increase applies.
			let from_era = era.saturating_add(Self::longest_exit_delay(&who));
			operator.commission = current;
			operator.pending_commission = Some((commission, from_era));
			Operators::<T>::insert(&who, operator);
			Self::deposit_event(Event::<T>::CommissionIncreaseScheduled {
				who,
				commission,
				from_era,
			});
		}
		Ok(())
	}

	/// The `stop_operating` call.
	pub fn do_stop_operating(who: T::AccountId) -> DispatchResult {
		let mut operator = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
		operator.accepting = false;
		Operators::<T>::insert(&who, operator);
		Self::deposit_event(Event::<T>::OperatorStopped { who });
		Ok(())
	}

	/// Forget `who`'s delegation once no report can reach it any more: it ended (`until`) a
	/// report window ago and its former operator, if any, too.
	pub(crate) fn expire_delegation(who: &T::AccountId) {
		let Some(delegation) = Delegations::<T>::get(who) else { return };
		let era = T::Slashing::active_era();
		let window = Self::reach_window();
		let over = |until: EraIndex| until.saturating_add(window) <= era;
		if delegation.until.is_some_and(over)
			&& delegation.previous.as_ref().is_none_or(|past| over(past.until))
		{
			Self::drop_delegator(&delegation.operator, who);
			if let Some(past) = delegation.previous {
				Self::drop_delegator(&past.operator, who);
			}
			Delegations::<T>::remove(who);
		}
	}

	/// Remove `who` from `operator`'s delegators.
	fn drop_delegator(operator: &T::AccountId, who: &T::AccountId) {
		if OperatorDelegators::<T>::contains_key(operator, who) {
			OperatorDelegators::<T>::remove(operator, who);
			Operators::<T>::mutate_extant(operator, |op| {
				op.delegators = op.delegators.saturating_sub(1)
			});
		}
	}

	/// Add `who` to `operator`'s delegators (`TooManyDelegators` when full).
	fn add_delegator(operator: &T::AccountId, who: &T::AccountId) -> DispatchResult {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		ensure!(info.accepting, Error::<T>::OperatorNotAccepting);
		if !OperatorDelegators::<T>::contains_key(operator, who) {
			ensure!(
				info.delegators < T::MaxDelegatorsPerOperator::get(),
				Error::<T>::TooManyDelegators
			);
			// A job visits at most the entries there were when its pages started.
			ensure!(info.paging == 0, Error::<T>::OperatorPaging);
			info.delegators = info.delegators.saturating_add(1);
			Operators::<T>::insert(operator, info);
		}
		OperatorDelegators::<T>::insert(operator, who, None::<EraIndex>);
		Ok(())
	}

	/// The `delegate` call.
	pub fn do_delegate(
		who: T::AccountId,
		operator: T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAllocation);
		// No dust delegations: each takes one of the operator's `MaxDelegatorsPerOperator`.
		ensure!(amount >= T::MinStakeFloor::get(), Error::<T>::BelowMinStake);
		Self::expire_delegation(&who);
		ensure!(!Delegations::<T>::contains_key(&who), Error::<T>::Delegating);
		ensure!(!Operators::<T>::contains_key(&who), Error::<T>::AlreadyRestaking);
		ensure!(
			Restakers::<T>::get(&who).is_none_or(|ledger| ledger.services.is_empty()),
			Error::<T>::AlreadyRestaking
		);
		let stake = Self::bonded_stake(&who)?;
		ensure!(!T::Staking::is_virtual_staker(&who), Error::<T>::VirtualStaker);
		ensure!(
			T::Staking::stash_by_ctrl(&who).ok().as_ref() == Some(&who),
			Error::<T>::LegacyController
		);
		ensure!(amount <= stake.active, Error::<T>::InsufficientStake);
		Self::add_delegator(&operator, &who)?;
		let era = T::Slashing::active_era();
		Delegations::<T>::insert(
			&who,
			Delegation {
				operator: operator.clone(),
				amount,
				since: era,
				until: None,
				excluded: Default::default(),
				previous: None,
			},
		);
		// All or nothing: the call is refused if one of the operator's services refuses it.
		for service in Self::operator_services(&operator) {
			Self::open_checked(&who, service, amount, era, true)?;
		}
		Self::deposit_event(Event::<T>::Delegated { who, operator, amount });
		Ok(())
	}

	/// `who`'s delegation, still running (`NotDelegating`, `UndelegationInProgress`).
	fn running_delegation(who: &T::AccountId) -> Result<DelegationOf<T>, DispatchError> {
		let delegation = Delegations::<T>::get(who).ok_or(Error::<T>::NotDelegating)?;
		ensure!(delegation.until.is_none(), Error::<T>::UndelegationInProgress);
		Ok(delegation)
	}

	/// Schedule the exit of `who`'s position in `service` at its exit delay (or at `release`
	/// if that is sooner, for an operator's own exit); returns the release era, `None` if it
	/// had no position.
	pub(crate) fn leave_service(
		who: &T::AccountId,
		service: ServiceId,
		release: Option<EraIndex>,
	) -> Result<Option<EraIndex>, DispatchError> {
		let Some(position) = Positions::<T>::get(who, service) else { return Ok(None) };
		let info = Self::service(service)?;
		let era = T::Slashing::active_era();
		let mut release_era = era.saturating_add(info.params.exit_delay);
		if let Some(release) = release {
			release_era = release_era.min(release);
		}
		if let Some(exit) = &position.exit {
			if exit.target.is_zero() && exit.release_era <= release_era {
				return Ok(Some(exit.release_era));
			}
		}
		if position.joined_era > era {
			// Not in force yet: it never backed the service, so it leaves with nothing to keep.
			release_era = position.joined_era;
		}
		Self::change_position(who, service, |position| {
			position.exit = Some(Exit { target: Zero::zero(), release_era });
		})?;
		Self::deposit_event(Event::<T>::OptOutScheduled { who: who.clone(), service, release_era });
		Ok(Some(release_era))
	}

	/// Schedule the exit of every position of `who`; returns the last release era.
	fn leave_all(who: &T::AccountId, keep: &[ServiceId]) -> Result<EraIndex, DispatchError> {
		let era = T::Slashing::active_era();
		let mut until = era.saturating_add(1);
		let services =
			Restakers::<T>::get(who).map(|l| l.services.into_inner()).unwrap_or_default();
		for service in services {
			if keep.contains(&service) {
				continue;
			}
			if let Some(release) = Self::leave_service(who, service, None)? {
				until = until.max(release);
			}
		}
		Ok(until)
	}

	/// The `undelegate` call.
	pub fn do_undelegate(who: T::AccountId) -> DispatchResult {
		let mut delegation = Self::running_delegation(&who)?;
		Self::ensure_synced(&who)?;
		let until = Self::leave_all(&who, &[])?;
		delegation.until = Some(until);
		let reachable_until = until.saturating_add(Self::reach_window());
		OperatorDelegators::<T>::insert(&delegation.operator, &who, Some(reachable_until));
		let operator = delegation.operator.clone();
		Delegations::<T>::insert(&who, delegation);
		Self::deposit_event(Event::<T>::Undelegated { who, operator, until });
		Ok(())
	}

	/// The `exclude_service` call.
	pub fn do_exclude_service(who: T::AccountId, service: ServiceId) -> DispatchResult {
		let mut delegation = Self::running_delegation(&who)?;
		Self::service(service)?;
		ensure!(!delegation.excluded.contains(&service), Error::<T>::AlreadyExcluded);
		Self::ensure_synced(&who)?;
		Self::leave_service(&who, service, None)?;
		delegation.excluded.try_push(service).map_err(|_| Error::<T>::TooManyServices)?;
		Delegations::<T>::insert(&who, delegation);
		Self::deposit_event(Event::<T>::ServiceExcluded { who, service });
		Ok(())
	}

	/// The `include_service` call.
	pub fn do_include_service(who: T::AccountId, service: ServiceId) -> DispatchResult {
		let mut delegation = Self::running_delegation(&who)?;
		ensure!(delegation.excluded.contains(&service), Error::<T>::NotExcluded);
		Self::ensure_synced(&who)?;
		delegation.excluded.retain(|s| *s != service);
		if Self::operator_services(&delegation.operator).contains(&service) {
			match Positions::<T>::get(&who, service) {
				// Still leaving: stay, as a cancelled exit.
				Some(_) => Self::stay(&who, service, delegation.amount)?,
				None => {
					let next = T::Slashing::active_era().saturating_add(1);
					Self::open_checked(&who, service, delegation.amount, next, true)?;
				}
			}
		}
		Delegations::<T>::insert(&who, delegation);
		Self::deposit_event(Event::<T>::ServiceIncluded { who, service });
		Ok(())
	}

	/// A delegated position that was leaving stays, at the delegated `amount`: its exit is
	/// cancelled, or, if it allocates more than `amount` (the delegation was lowered since),
	/// becomes a decrease to `amount` at the same release era.
	///
	/// One that allocates less than `amount` (the delegation was raised while it was leaving) is
	/// raised to it as `set_allocation` would, from the next era, if the raise passes its checks.
	fn stay(who: &T::AccountId, service: ServiceId, amount: BalanceOf<T>) -> DispatchResult {
		Self::change_position(who, service, |position| {
			if let Some(exit) = position.exit.as_mut() {
				if position.allocation <= amount {
					position.exit = None;
				} else if exit.target.is_zero() || exit.target > amount {
					exit.target = amount;
				}
			}
		})?;
		if Positions::<T>::get(who, service).is_some_and(|p| p.allocation < amount) {
			let _ = frame_support::storage::with_storage_layer(|| {
				Self::do_set_allocation(who.clone(), service, amount)
			});
		}
		Ok(())
	}

	/// The `set_delegation` call: every position backing the operator (not leaving) moves to
	/// `amount` through [`Self::do_set_allocation`], with its checks.
	pub fn do_set_delegation(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut delegation = Self::running_delegation(&who)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAllocation);
		ensure!(amount >= T::MinStakeFloor::get(), Error::<T>::BelowMinStake);
		// A raise needs the stake, whether or not a position moves now: later positions open
		// with the delegated amount.
		if amount > delegation.amount {
			ensure!(amount <= Self::bonded_stake(&who)?.active, Error::<T>::InsufficientStake);
		}
		Self::ensure_synced(&who)?;
		let mut changed = amount != delegation.amount;
		let services =
			Restakers::<T>::get(&who).map(|l| l.services.into_inner()).unwrap_or_default();
		for service in services {
			let Some(position) = Positions::<T>::get(&who, service) else { continue };
			let leaving = position.exit.as_ref().is_some_and(|exit| exit.target.is_zero());
			// At the amount already, or lowering to it: asking again changes nothing (and does
			// not push a decrease back).
			let there = match &position.exit {
				None => position.allocation == amount,
				Some(exit) => exit.target == amount,
			};
			if leaving || there {
				continue;
			}
			Self::do_set_allocation(who.clone(), service, amount)?;
			changed = true;
		}
		ensure!(changed, Error::<T>::AllocationUnchanged);
		delegation.amount = amount;
		Delegations::<T>::insert(&who, delegation);
		Self::deposit_event(Event::<T>::DelegationSet { who, amount });
		Ok(())
	}

	/// The `redelegate` call.
	pub fn do_redelegate(who: T::AccountId, to: T::AccountId) -> DispatchResult {
		let mut delegation = Self::running_delegation(&who)?;
		ensure!(delegation.operator != to, Error::<T>::SameOperator);
		let era = T::Slashing::active_era();
		if let Some(past) = &delegation.previous {
			ensure!(
				past.until.saturating_add(Self::reach_window()) <= era,
				Error::<T>::RecentlyRedelegated
			);
			Self::drop_delegator(&past.operator, &who);
		}
		Self::ensure_synced(&who)?;
		Self::add_delegator(&to, &who)?;
		let targets = Self::operator_services(&to);
		let keep: Vec<ServiceId> =
			targets.iter().copied().filter(|s| !delegation.excluded.contains(s)).collect();
		let until = Self::leave_all(&who, &keep)?;
		let next = era.saturating_add(1);
		for service in &keep {
			match Positions::<T>::get(&who, service) {
				// A service both operators are in keeps the position; one still leaving (an
				// exclusion cancelled, or the old operator's exit) stays now.
				Some(_) => Self::stay(&who, *service, delegation.amount)?,
				None => Self::open_checked(&who, *service, delegation.amount, next, true)?,
			}
		}
		let from = delegation.operator.clone();
		OperatorDelegators::<T>::insert(
			&from,
			&who,
			Some(until.saturating_add(Self::reach_window())),
		);
		delegation.previous =
			Some(PastOperator { operator: from.clone(), since: delegation.since, until });
		delegation.operator = to.clone();
		delegation.since = next;
		Delegations::<T>::insert(&who, delegation);
		Self::deposit_event(Event::<T>::Redelegated { who, from, to, until });
		Ok(())
	}

	/// After `operator` opted into `service`: its delegators follow in pages (a
	/// [`FanOut::Join`] job), and a commission increase waiting is pushed past this service's
	/// exit delay.
	pub(crate) fn operator_joined(operator: &T::AccountId, service: ServiceId) {
		let Some(mut info) = Operators::<T>::get(operator) else { return };
		let era = T::Slashing::active_era();
		// A commission increase waits for the longest exit delay, this service's included.
		if let (Some((commission, from)), Ok(joined)) =
			(info.pending_commission, Self::service(service))
		{
			let later = era.saturating_add(joined.params.exit_delay);
			if from > era && later > from {
				info.pending_commission = Some((commission, later));
				Operators::<T>::insert(operator, info);
			}
		}
		Self::fan_out(operator, service, FanOut::Join);
	}

	/// After `operator` scheduled its exit from `service` for `release_era`: its delegators
	/// leave with it, no later, in pages (a [`FanOut::Leave`] job).
	pub(crate) fn operator_leaving(
		operator: &T::AccountId,
		service: ServiceId,
		release_era: EraIndex,
	) -> DispatchResult {
		Self::fan_out(operator, service, FanOut::Leave(release_era));
		Ok(())
	}

	/// A job passing `operator`'s move in `service` on to its delegators, in pages from this
	/// block on, after any report's pages; none for an operator without delegators.
	fn fan_out(operator: &T::AccountId, service: ServiceId, fan_out: FanOut) {
		Self::enqueue_passed_on(operator, service, false, Some(fan_out));
	}

	/// A job for `operator`'s delegators in `service` that slashes nothing (an ejection, or an
	/// operator's move), ready at once in the [`JobLane::Ejections`] lane.
	fn enqueue_passed_on(
		operator: &T::AccountId,
		service: ServiceId,
		eject: bool,
		fan_out: Option<FanOut>,
	) {
		if Operators::<T>::get(operator).is_none_or(|op| op.delegators == 0) {
			return;
		}
		let id = NextSlashId::<T>::get();
		let Some(next_id) = id.checked_add(1) else { return };
		NextSlashId::<T>::put(next_id);
		let era = T::Slashing::active_era();
		DelegatorJobs::<T>::insert(
			id,
			DelegatorJob {
				service,
				operator: operator.clone(),
				offence_era: era,
				fraction: Perbill::zero(),
				eject,
				apply_era: era,
				ready: true,
				approved: true,
				cursor: None,
				fan_out,
			},
		);
		Self::enqueue_job(id, JobLane::Ejections);
	}

	/// Pass `job`'s operator move on to delegator `who`.
	fn follow_operator(who: &T::AccountId, job: &DelegatorJob<T::AccountId>, fan_out: FanOut) {
		let Some(mut delegation) = Delegations::<T>::get(who) else { return };
		if delegation.until.is_some() || delegation.operator != job.operator {
			return;
		}
		let service = job.service;
		let next = T::Slashing::active_era().saturating_add(1);
		match fan_out {
			FanOut::Join => {
				let joins = !delegation.excluded.contains(&service)
					&& Self::operator_services(&job.operator).contains(&service);
				if !joins || Self::pool_notices_join(who, &mut delegation, service) {
					return;
				}
				if Positions::<T>::contains_key(who, service) {
					// Still leaving (its former operator's service): it stays.
					let _ = frame_support::storage::with_storage_layer(|| {
						Self::stay(who, service, delegation.amount)
					});
					return;
				}
				let opened = frame_support::storage::with_storage_layer(|| {
					Self::open_checked(who, service, delegation.amount, next, true)
				});
				if opened.is_err() && delegation.excluded.try_push(service).is_ok() {
					Delegations::<T>::insert(who, delegation);
					Self::deposit_event(Event::<T>::ServiceExcluded { who: who.clone(), service });
				}
			}
			FanOut::Leave(release_era) => {
				// It leaves with its operator: in the operator's release era, even if the page
				// comes later (the operator backs nothing from then on, so no report can reach
				// the delegator through it), and is released now if that era has come.
				// A delegator that cannot be brought up to date now is taken out at its next
				// re-sync (a position whose operator left is ejected there).
				// One re-sync at most: it brings the delegator up to date and releases the exit.
				let _ = frame_support::storage::with_storage_layer(|| {
					Self::leave_service(who, service, Some(release_era))?;
					if release_era < next || Self::is_stale(who) {
						Self::sync(who)?;
					}
					Ok::<(), DispatchError>(())
				});
			}
		}
	}

	/// After `operator` was ejected from `service` by a re-sync: a job ejects its delegators
	/// too, in pages, from this block on.
	pub(crate) fn operator_ejected(operator: &T::AccountId, service: ServiceId) {
		Self::enqueue_passed_on(operator, service, true, None);
	}

	/// Delegator visits of a full era of reports against operators: `MaxServices` services
	/// each at `MaxOperatorSlashesPerEra`, each report visiting `MaxDelegatorsPerOperator`
	/// entries and, when the last page is full, one empty page more.
	pub fn delegator_visits_per_era() -> u64 {
		u64::from(T::MaxServices::get())
			.saturating_mul(T::MaxOperatorSlashesPerEra::get().into())
			.saturating_mul(u64::from(T::MaxDelegatorsPerOperator::get()).saturating_add(1))
	}

	/// Delegator visits the pages of `on_initialize` make in one era.
	pub fn delegator_page_capacity() -> u64 {
		u64::from(T::BlocksPerEra::get())
			.saturating_mul(T::MaxDelegatorSlashesPerBlock::get().into())
	}

	/// Whether a report of `operator` in `service`, landing in `apply_era`, needs delegator
	/// pages, and if so that the service has room for it in that era
	/// (`TooManyOperatorSlashes`).
	pub(crate) fn ensure_page_room(
		service: ServiceId,
		operator: &T::AccountId,
		apply_era: EraIndex,
	) -> Result<bool, DispatchError> {
		if !Self::has_delegators(operator) {
			return Ok(false);
		}
		ensure!(
			OperatorSlashesLanding::<T>::get(apply_era, service)
				< T::MaxOperatorSlashesPerEra::get(),
			Error::<T>::TooManyOperatorSlashes
		);
		Ok(true)
	}

	/// A report of `operator` in `service` scheduled slash `slash_id`, and
	/// [`Self::ensure_page_room`] found it needs pages: record the job that will reach its
	/// delegators once that slash lands.
	pub(crate) fn note_operator_report(
		slash_id: SlashId,
		service: ServiceId,
		operator: &T::AccountId,
		offence_era: EraIndex,
		fraction: Perbill,
		eject: bool,
		apply_era: EraIndex,
	) {
		OperatorSlashesLanding::<T>::mutate(apply_era, service, |n| *n = n.saturating_add(1));
		OperatorJobs::<T>::insert(operator, slash_id, ());
		DelegatorJobs::<T>::insert(
			slash_id,
			DelegatorJob {
				service,
				operator: operator.clone(),
				offence_era,
				fraction,
				eject,
				apply_era,
				ready: false,
				approved: false,
				cursor: None,
				fan_out: None,
			},
		);
	}

	/// The operator's slash `slash_id` landed (`landed`) or was dropped: its job may run, or
	/// goes with it.
	pub(crate) fn operator_slash_done(slash_id: SlashId, landed: bool) {
		if landed {
			if let Some(mut job) = DelegatorJobs::<T>::get(slash_id) {
				job.ready = true;
				let lane = job.lane();
				DelegatorJobs::<T>::insert(slash_id, job);
				Self::enqueue_job(slash_id, lane);
			}
		} else {
			Self::remove_job(slash_id);
		}
	}

	/// Forget job `id` (done, cancelled or dropped): it no longer counts against its service's
	/// reports landing in its era. The one place jobs are removed.
	fn remove_job(id: SlashId) {
		if let Some(job) = DelegatorJobs::<T>::take(id) {
			OperatorJobs::<T>::remove(&job.operator, id);
			if job.lane() == JobLane::Reports {
				OperatorSlashesLanding::<T>::mutate_exists(job.apply_era, job.service, |n| {
					*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
				});
			}
		}
	}

	/// Put a ready job at the end of its lane of the queue `on_initialize` works through.
	fn enqueue_job(id: SlashId, lane: JobLane) {
		let tail = DelegatorJobTail::<T>::get(lane);
		DelegatorJobQueue::<T>::insert(lane, tail, id);
		DelegatorJobTail::<T>::insert(lane, tail.wrapping_add(1));
	}

	/// Land the next page of job `id`: at most `max` delegators. Returns how many it visited.
	pub fn do_apply_delegator_page(id: SlashId, max: u32) -> Result<u32, DispatchError> {
		let mut job = DelegatorJobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		let era = T::Slashing::active_era();
		ensure!(job.ready && era >= job.apply_era, Error::<T>::JobNotReady);
		let page: Vec<(T::AccountId, Option<EraIndex>)> = match &job.cursor {
			None => {
				OperatorDelegators::<T>::iter_prefix(&job.operator).take(max as usize).collect()
			}
			Some(last) => OperatorDelegators::<T>::iter_prefix_from(
				&job.operator,
				OperatorDelegators::<T>::hashed_key_for(&job.operator, last),
			)
			.take(max as usize)
			.collect(),
		};
		let visited = page.len() as u32;
		let started = job.cursor.is_some();
		for (who, reachable_until) in &page {
			if reachable_until.is_some_and(|until| until <= era) {
				// Out of reach of any report: forget it.
				Self::expire_delegation(who);
				Self::drop_delegator(&job.operator, who);
				continue;
			}
			Self::reach_delegator(id, &job, who);
		}
		if visited < max {
			if started {
				Self::note_paging(&job.operator, false);
			}
			Self::remove_job(id);
			Self::deposit_event(Event::<T>::DelegatorSlashesDone { slash_id: id });
		} else {
			if !started {
				Self::note_paging(&job.operator, true);
			}
			job.cursor = page.last().map(|(who, _)| who.clone());
			DelegatorJobs::<T>::insert(id, job);
		}
		Ok(visited)
	}

	/// One more (`start`) or one fewer job of `operator` under way.
	fn note_paging(operator: &T::AccountId, start: bool) {
		Operators::<T>::mutate_extant(operator, |info| {
			info.paging =
				if start { info.paging.saturating_add(1) } else { info.paging.saturating_sub(1) };
		});
	}

	/// Land `job` on delegator `who`: its slash, if it backed the operator in the offence era,
	/// then its ejection if the job ejects.
	fn reach_delegator(id: SlashId, job: &DelegatorJob<T::AccountId>, who: &T::AccountId) {
		if let Some(fan_out) = job.fan_out {
			return Self::follow_operator(who, job, fan_out);
		}
		let Some(delegation) = Delegations::<T>::get(who) else { return };
		let era = T::Slashing::active_era();
		if !job.fraction.is_zero() && delegation.backed(&job.operator, job.offence_era) {
			let reach = job.apply_era.saturating_add(1);
			if let Some(amount) = Self::delegator_slash_amount(
				who,
				job.service,
				job.offence_era,
				job.fraction,
				era,
				reach,
			) {
				let key = (job.service, who.clone());
				if !job.approved && !Self::breaker_admits(era, amount) {
					// Past the breaker, and governance did not approve the operator's slash.
					Self::deposit_event(Event::<T>::DelegatorSlashDropped {
						slash_id: id,
						service: job.service,
						who: who.clone(),
						amount,
					});
					return;
				}
				let taken = if amount.is_zero() {
					Zero::zero()
				} else {
					T::Slashing::slash(who, amount, job.offence_era)
				};
				DelegatorOffences::<T>::insert(job.offence_era, &key, job.fraction);
				Self::deposit_event(Event::<T>::DelegatorSlashed {
					slash_id: id,
					service: job.service,
					who: who.clone(),
					amount: taken,
				});
				// The cascade into its other positions goes through the queue the staking
				// hook put it in, as a base-layer slash's does: a page's cost per delegator
				// stays that of a slash. But an ejection comes after the cascade, as for a
				// restaker's own slash (`land_slash`): the ejected position is scaled with
				// the others and its departure keeps the stake that is left.
				if !taken.is_zero() && job.eject && delegation.operator == job.operator {
					Self::do_resync(who);
				}
			}
		}
		if job.eject && delegation.operator == job.operator {
			Self::eject(who, job.service);
		}
	}

	/// What a report of `fraction` against `who`'s operator in `service` for an offence in
	/// `offence_era` takes from `who` when its page lands in active era `era`; `None` if it
	/// takes nothing (no exposure then, or a fraction no larger than one landed already).
	///
	/// Max, not sum: what `fraction` adds to the largest fraction landed already for the era
	/// and service ([`DelegatorOffences`]), of `who`'s exposure then. At most what a page
	/// landing by the end of era `reach` can reach (a report counts on what its slash reaches
	/// when it lands; the amount is capped, not the exposure, so another service's page that
	/// landed first does not shrink this one's fraction), and at most `who`'s stake.
	pub(crate) fn delegator_slash_amount(
		who: &T::AccountId,
		service: ServiceId,
		offence_era: EraIndex,
		fraction: Perbill,
		era: EraIndex,
		reach: EraIndex,
	) -> Option<BalanceOf<T>> {
		let exposure = Self::exposure_in_era(who, service, offence_era, era).ok()?;
		let before = DelegatorOffences::<T>::get(offence_era, (service, who.clone()));
		if fraction <= before {
			return None;
		}
		let amount = fraction.mul_floor(exposure).saturating_sub(before.mul_floor(exposure));
		let amount = amount.min(T::Slashing::slashable_stake(who, reach));
		Some(match T::Staking::total_stake(who) {
			Ok(stake) => amount.min(stake),
			Err(_) => Zero::zero(),
		})
	}

	/// The pages `on_initialize` lands: the oldest ready reports first, then the oldest
	/// ejections, at most `MaxDelegatorSlashesPerBlock` delegators in all. Returns the weight
	/// used.
	pub(crate) fn apply_delegator_jobs() -> Weight {
		let mut budget = T::MaxDelegatorSlashesPerBlock::get();
		let mut weight = Weight::zero();
		for lane in [JobLane::Reports, JobLane::Ejections] {
			weight = weight.saturating_add(Self::apply_lane(lane, &mut budget));
		}
		weight
	}

	/// Pages of `lane`'s jobs, oldest first, within `budget` delegator visits (what is left of
	/// it goes back). Returns the weight used.
	fn apply_lane(lane: JobLane, budget: &mut u32) -> Weight {
		let mut head = DelegatorJobHead::<T>::get(lane);
		let tail = DelegatorJobTail::<T>::get(lane);
		let mut weight = T::DbWeight::get().reads(2);
		while *budget > 0 && head != tail {
			let Some(id) = DelegatorJobQueue::<T>::get(lane, head) else {
				head = head.wrapping_add(1);
				continue;
			};
			weight = weight.saturating_add(T::DbWeight::get().reads(1));
			match Self::do_apply_delegator_page(id, *budget) {
				Ok(visited) => {
					weight = weight.saturating_add(Self::delegator_page_weight(visited));
					*budget = budget.saturating_sub(visited.max(1));
					if DelegatorJobs::<T>::contains_key(id) {
						// Not done: it goes on in the next block, still first.
						break;
					}
				}
				Err(e) if e == Error::<T>::JobNotReady.into() => break,
				// Done by the `apply_delegator_slashes` call, or cancelled.
				Err(_) => {}
			}
			DelegatorJobQueue::<T>::remove(lane, head);
			head = head.wrapping_add(1);
			weight = weight.saturating_add(T::DbWeight::get().writes(1));
		}
		DelegatorJobHead::<T>::insert(lane, head);
		weight.saturating_add(T::DbWeight::get().writes(1))
	}

	/// The `operator` view of the runtime API.
	pub fn operator_view(
		who: &T::AccountId,
	) -> Option<crate::OperatorView<T::AccountId, BalanceOf<T>>> {
		let operator = Operators::<T>::get(who)?;
		let era = T::Slashing::active_era();
		let mut delegators = Vec::new();
		let mut past = 0u32;
		for (delegator, ended) in OperatorDelegators::<T>::iter_prefix(who) {
			let current = ended.is_none()
				&& Delegations::<T>::get(&delegator).is_some_and(|d| d.operator == *who);
			if current {
				delegators.push(delegator);
			} else {
				past = past.saturating_add(1);
			}
		}
		let services = Restakers::<T>::get(who)
			.map(|ledger| ledger.services.into_inner())
			.unwrap_or_default()
			.into_iter()
			.map(|service| {
				let own = Positions::<T>::get(who, service).map(|p| p.exposure).unwrap_or_default();
				let mut delegated = BalanceOf::<T>::zero();
				let mut count = 0u32;
				for delegator in &delegators {
					if let Some(position) = Positions::<T>::get(delegator, service) {
						delegated = delegated.saturating_add(position.exposure);
						count = count.saturating_add(1);
					}
				}
				crate::OperatorServiceView { service, own, delegated, delegators: count }
			})
			.collect();
		Some(crate::OperatorView {
			commission: operator.commission_in(era),
			pending_commission: operator.pending_commission.filter(|(_, from)| *from > era),
			accepting: operator.accepting,
			delegators,
			past_delegators: past,
			services,
		})
	}

	/// The `delegation` view of the runtime API.
	pub fn delegation_view(
		who: &T::AccountId,
	) -> Option<crate::DelegationView<T::AccountId, BalanceOf<T>>> {
		let delegation = Delegations::<T>::get(who)?;
		let era = T::Slashing::active_era();
		let commission = Operators::<T>::get(&delegation.operator)
			.map(|op| op.commission_in(era))
			.unwrap_or_default();
		Some(crate::DelegationView {
			operator: delegation.operator,
			amount: delegation.amount,
			commission,
			since: delegation.since,
			until: delegation.until,
			excluded: delegation.excluded.into_inner(),
			previous: delegation.previous.map(|past| (past.operator, past.until)),
		})
	}

	/// Forget the max-not-sum records of delegators for offence eras no page can still reach:
	/// older than the bonding duration (pages land before the slashed stake can be withdrawn),
	/// `MaxSlashesPerBlock` a block.
	pub(crate) fn prune_delegator_offences(era: EraIndex) -> Weight {
		let cursor = DelegatorOffenceCursor::<T>::get();
		if cursor.saturating_add(T::Staking::bonding_duration()) >= era {
			return T::DbWeight::get().reads(1);
		}
		#[allow(deprecated)]
		let result = DelegatorOffences::<T>::clear_prefix(cursor, T::MaxSlashesPerBlock::get(), None);
		if result.maybe_cursor.is_none() {
			DelegatorOffenceCursor::<T>::put(cursor.saturating_add(1));
		}
		T::DbWeight::get().reads_writes(
			1u64.saturating_add(result.loops.into()),
			1u64.saturating_add(result.unique.into()),
		)
	}
}
