//! Liquid restaking pools: a keyless stash that bonds in staking and delegates to one operator,
//! whose shares are an asset of the runtime's `pallet-assets` that anyone can hold.
//!
//! - **Value and rate.** A pool's value is its account's *active* bonded stake as staking
//!   records it, less the slashes already reported against its stake and not landed yet
//!   ([`Pallet::pool_pending_slash`]). The rate is value over the share supply. A transfer to
//!   the pool account lands in its free balance, which no figure here counts: a donation cannot
//!   move the rate.
//! - **Creation** bonds the creator's `deposit` and mints as many shares to the pool account
//!   itself. Those shares are never redeemed while the pool lives, so the supply never falls
//!   below `MinPoolDeposit` and the first-depositor attack (donate to inflate the rate, then
//!   round the next join down to nothing) has nothing to work with.
//! - **Join** bonds `amount` into the pool's stake and mints `amount x supply / value` shares,
//!   rounding down: priced net of pending slashes, a join after a report does not pay for it.
//! - **Redeem** burns shares and unbonds their *gross* value (`shares x active / supply`) into
//!   the unbonding sub-pool of the era its chunk unlocks. A slash for an offence before the
//!   redemption takes from that chunk as staking takes from any chunk unbonded after the
//!   offence (staking's `on_slash` reports the per-era amounts, and [`Pallet::pool_slashed`]
//!   lowers the sub-pools by them): the redeemer bears its share of a slash already reported,
//!   and gets it back if governance cancels it.
//! - **Withdraw** pays a holder its matured claims, `points x balance / points` of each
//!   sub-pool, from what staking released to the pool account.
//!
//! One writer per figure: shares change only through [`Pallet::mint_shares`] and
//! [`Pallet::burn_shares`], sub-pools only through [`Pallet::add_to_sub_pool`],
//! [`Pallet::take_from_sub_pool`] and [`Pallet::pool_slashed`].

use crate::{
	BalanceOf, Config, Delegations, DelegatorJobs, Error, Event, OperatorJobs, Pallet,
	PoolAccounts, PoolNominationChanges, PoolOf, PoolOperatorChanges, PoolTermChanges, Pools,
	Redemptions, SubPools,
};
use alloc::{collections::BTreeMap, vec, vec::Vec};
use codec::Decode;
use frame_support::{
	ensure,
	traits::Get,
	traits::{
		fungible::{Inspect as _, Mutate as _},
		fungibles::{Create, Inspect, Mutate},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};
use sp_runtime::{
	traits::{
		AccountIdConversion, BlakeTwo256, Convert, Hash, Saturating, TrailingZeroInput,
		UniqueSaturatedFrom, UniqueSaturatedInto, Zero,
	},
	DispatchError, DispatchResult, Perbill, SaturatedConversion,
};
use sp_staking::{EraIndex, StakingInterface};

use crate::{SlashingAdapter, WeightInfo};

/// Identifier of a liquid restaking pool.
pub type PoolId = u32;

/// The asset id of the runtime's assets pallet.
pub type AssetIdOf<T> =
	<<T as Config>::Assets as Inspect<<T as frame_system::Config>::AccountId>>::AssetId;

/// `value x numerator / denominator`, rounded down; zero when `denominator` is zero. Every
/// share and sub-pool figure is priced through it.
fn scale<B: UniqueSaturatedInto<u128> + UniqueSaturatedFrom<u128> + Zero>(
	value: B,
	numerator: B,
	denominator: B,
) -> B {
	if denominator.is_zero() {
		return Zero::zero();
	}
	multiply_by_rational_with_rounding(
		value.saturated_into(),
		numerator.saturated_into(),
		denominator.saturated_into(),
		Rounding::Down,
	)
	.map(B::saturated_from)
	.unwrap_or_else(Zero::zero)
}

impl<T: Config> Pallet<T> {
	/// The keyless account of pool `pool`: its stash, controller, share admin and payout. It is
	/// the hash of `("modl", PalletId, "pool", pool)`, as pure proxies' accounts are derived, so
	/// that pools never share an account, however short the runtime's account ids.
	pub fn pool_account(pool: PoolId) -> T::AccountId {
		let hash = BlakeTwo256::hash_of(&(*b"modl", T::PalletId::get(), *b"pool", pool));
		T::AccountId::decode(&mut TrailingZeroInput::new(hash.as_ref()))
			.unwrap_or_else(|_| T::PalletId::get().into_sub_account_truncating((*b"pool", pool)))
	}

	/// The asset of pool `pool`'s shares.
	pub fn pool_asset(pool: PoolId) -> AssetIdOf<T> {
		T::PoolAsset::convert(pool)
	}

	/// The share supply of pool `pool`.
	pub fn pool_supply(pool: PoolId) -> BalanceOf<T> {
		T::Assets::total_issuance(Self::pool_asset(pool))
	}

	/// The pool's active bonded stake as staking records it (zero if not bonded).
	pub fn pool_active(pool: PoolId) -> BalanceOf<T> {
		T::Staking::stake(&Self::pool_account(pool))
			.map(|s| s.active)
			.unwrap_or_else(|_| Zero::zero())
	}

	/// The pool's value: its active stake less its pending slashes. Joins are priced at it.
	pub fn pool_value(pool: PoolId) -> BalanceOf<T> {
		Self::pool_active(pool).saturating_sub(Self::pool_pending_slash(pool))
	}

	/// What the slashes reported against the pool's stake that have not reached it yet will
	/// take from it when they land, at most its stake:
	/// - the reports against its operator: for each `(offence era, service)`, the largest
	///   reported fraction of the pool's exposure then, less what earlier reports of it already
	///   took (max, not sum, as [`Pallet::delegator_slash_amount`] lands it);
	/// - the base layer's deferred slashes of the pool's stash, as a nominator
	///   ([`SlashingAdapter::pending_slash`]).
	pub fn pool_pending_slash(pool: PoolId) -> BalanceOf<T> {
		let who = Self::pool_account(pool);
		let base = T::Slashing::pending_slash(&who);
		let stake = T::Staking::total_stake(&who).unwrap_or_else(|_| Zero::zero());
		let Some(delegation) = Delegations::<T>::get(&who) else { return base.min(stake) };
		// Per (offence era, service): the largest fraction reported, and the latest era its
		// pages can land by.
		let mut largest: BTreeMap<(EraIndex, crate::ServiceId), (Perbill, EraIndex)> =
			BTreeMap::new();
		let operators = core::iter::once(delegation.operator.clone())
			.chain(delegation.previous.as_ref().map(|p| p.operator.clone()));
		for operator in operators {
			for (slash_id, ()) in OperatorJobs::<T>::iter_prefix(&operator) {
				let Some(job) = DelegatorJobs::<T>::get(slash_id) else { continue };
				if job.fan_out.is_some()
					|| job.fraction.is_zero()
					|| !delegation.backed(&job.operator, job.offence_era)
				{
					continue;
				}
				let reach = job.apply_era.saturating_add(1);
				let entry = largest.entry((job.offence_era, job.service)).or_default();
				*entry = (entry.0.max(job.fraction), entry.1.max(reach));
			}
		}
		let era = T::Slashing::active_era();
		let mut pending: BalanceOf<T> = Zero::zero();
		for ((offence_era, service), (fraction, reach)) in largest {
			if let Some(amount) =
				Self::delegator_slash_amount(&who, service, offence_era, fraction, era, reach)
			{
				pending = pending.saturating_add(amount);
			}
		}
		pending.saturating_add(base).min(stake)
	}

	/// The `create_pool` call.
	pub fn do_create_pool(
		creator: T::AccountId,
		operator: T::AccountId,
		deposit: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(deposit >= T::MinPoolDeposit::get(), Error::<T>::PoolDepositTooLow);
		ensure!(Pools::<T>::count() < T::MaxPools::get(), Error::<T>::TooManyPools);
		ensure!(crate::Operators::<T>::contains_key(&operator), Error::<T>::NotOperator);
		let pool = crate::NextPoolId::<T>::get();
		let next = pool.checked_add(1).ok_or(Error::<T>::TooManyPools)?;
		let account = Self::pool_account(pool);
		// The pool account keeps an existential deposit of its own beside what it bonds.
		let keep = T::Currency::minimum_balance();
		T::Currency::transfer(
			&creator,
			&account,
			deposit.saturating_add(keep),
			Preservation::Preserve,
		)?;
		T::Staking::bond(&account, deposit, &account)?;
		// Base rewards compound: staking bonds them into the pool's ledger as it pays them.
		T::Slashing::restake_rewards(&account)?;
		if T::Staking::is_validator(&operator) {
			T::Staking::nominate(&account, vec![operator.clone()])?;
		}
		let asset = Self::pool_asset(pool);
		T::Assets::create(asset.clone(), account.clone(), false, 1u32.into())?;
		Self::mint_shares(pool, &account, deposit)?;
		Pools::<T>::insert(
			pool,
			PoolOf::<T> {
				manager: creator.clone(),
				operator: operator.clone(),
				deposit,
				creator: creator.clone(),
			},
		);
		PoolAccounts::<T>::insert(&account, pool);
		crate::NextPoolId::<T>::put(next);
		Self::do_delegate(account, operator.clone(), deposit)?;
		Self::deposit_event(Event::<T>::PoolCreated { pool, manager: creator, operator, deposit });
		Ok(())
	}

	/// The `join` call.
	pub fn do_join(who: T::AccountId, pool: PoolId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(Pools::<T>::contains_key(pool), Error::<T>::UnknownPool);
		// While a slash reported against the pool's stake has not landed, no price is exact:
		// staking will take it from the active stake and the chunks redeemed since the offence
		// alike, so a join would bear part of it (or, priced net, shift part of it onto the
		// holders). Joins wait for it to land or be cancelled.
		ensure!(Self::pool_pending_slash(pool).is_zero(), Error::<T>::PoolSlashPending);
		let value = Self::pool_active(pool);
		ensure!(!value.is_zero(), Error::<T>::PoolInsolvent);
		let shares = scale(amount, Self::pool_supply(pool), value);
		ensure!(!shares.is_zero(), Error::<T>::NoShares);
		let account = Self::pool_account(pool);
		T::Currency::transfer(&who, &account, amount, Preservation::Preserve)?;
		T::Staking::bond_extra(&account, amount)?;
		Self::mint_shares(pool, &who, shares)?;
		// The new stake backs the operator's services from the next era: the pool's positions
		// see it now (a gain counts from the era after the sync that sees it), and its
		// delegation is raised, where the services' caps admit it; where they do not, it is
		// bonded and earns base rewards, and the next join tries again.
		Self::do_resync(&account);
		let active = Self::pool_active(pool);
		let _ = frame_support::storage::with_storage_layer(|| {
			Self::do_set_delegation(account.clone(), active)
		});
		Self::deposit_event(Event::<T>::PoolJoined { pool, who, amount, shares });
		Ok(())
	}

	/// The `redeem` call.
	pub fn do_redeem(who: T::AccountId, pool: PoolId, shares: BalanceOf<T>) -> DispatchResult {
		ensure!(Pools::<T>::contains_key(pool), Error::<T>::UnknownPool);
		let account = Self::pool_account(pool);
		ensure!(who != account, Error::<T>::NoShares);
		let asset = Self::pool_asset(pool);
		ensure!(
			!shares.is_zero() && T::Assets::balance(asset, &who) >= shares,
			Error::<T>::InsufficientShares
		);
		// A base-layer slash that the chunk unbonded now would escape falls on the active stake
		// alone: the redemption is priced net of it, and bears its share all the same.
		let escaped = T::Slashing::escaping_slash(&account);
		let active = Self::pool_active(pool).saturating_sub(escaped);
		let value = scale(shares, active, Self::pool_supply(pool));
		ensure!(!value.is_zero(), Error::<T>::NoShares);
		// Free the chunk slots of what has matured, then unbond.
		Self::release_matured(&account);
		T::Staking::unbond(&account, value)?;
		let era = T::Slashing::stake_ledger(&account)
			.and_then(|ledger| ledger.unlocking.iter().map(|(era, _)| *era).max())
			.ok_or(Error::<T>::NotBonded)?;
		Self::burn_shares(pool, &who, shares)?;
		Self::add_to_sub_pool(pool, &who, era, value)?;
		// The redeemed stake leaves the pool's exposures from the next era (see `stake_of`).
		Self::do_resync(&account);
		Self::deposit_event(Event::<T>::PoolRedeemed { pool, who, shares, amount: value, era });
		Ok(())
	}

	/// The `withdraw` call: pays `who` every claim of its on `pool` whose era has come.
	pub fn do_withdraw(who: T::AccountId, pool: PoolId) -> DispatchResult {
		ensure!(Pools::<T>::contains_key(pool), Error::<T>::UnknownPool);
		let account = Self::pool_account(pool);
		Self::release_matured(&account);
		// A claim is paid once staking released its chunk: its era has come and the chunk is
		// no longer in the ledger (staking-async may hold a chunk back while slashes of its
		// era wait; a pool whose stake was wiped out has no ledger left).
		let now = T::Staking::current_era();
		let unlocking: Vec<EraIndex> = T::Slashing::stake_ledger(&account)
			.map(|ledger| ledger.unlocking.iter().map(|(era, _)| *era).collect())
			.unwrap_or_default();
		let released = |era: &EraIndex| *era <= now && !unlocking.contains(era);
		let claims = Redemptions::<T>::get(pool, &who);
		ensure!(claims.iter().any(|(era, _)| released(era)), Error::<T>::NothingToWithdraw);
		let mut paid: BalanceOf<T> = Zero::zero();
		let mut left = Vec::new();
		for (era, points) in claims {
			if released(&era) {
				paid = paid.saturating_add(Self::take_from_sub_pool(pool, era, points));
			} else {
				left.push((era, points));
			}
		}
		if left.is_empty() {
			Redemptions::<T>::remove(pool, &who);
		} else {
			Redemptions::<T>::insert(pool, &who, crate::RedemptionsOf::<T>::truncate_from(left));
		}
		if !paid.is_zero() {
			T::Currency::transfer(&account, &who, paid, Preservation::Preserve)?;
		}
		Self::deposit_event(Event::<T>::PoolWithdrawn { pool, who, amount: paid });
		Ok(())
	}

	/// Have staking release the pool's matured chunks to its free balance. Nothing to release,
	/// a ledger already gone (a pool wiped out by slashes) or a release staking holds back is
	/// not an error here: the claims on chunks still in the ledger wait.
	fn release_matured(account: &T::AccountId) {
		// The span count is only an upper bound for staking's own weight.
		let _ = frame_support::storage::with_storage_layer(|| {
			T::Staking::withdraw_unbonded(account.clone(), u32::MAX)
		});
	}

	/// `who`'s operator joined `service`. If `who` is a pool, the service is excluded for it
	/// and scheduled to join its terms after the pool's notice (returns `true`); a pool never
	/// follows its operator into a new risk at once.
	pub(crate) fn pool_notices_join(
		who: &T::AccountId,
		delegation: &mut crate::DelegationOf<T>,
		service: crate::ServiceId,
	) -> bool {
		let Some(pool) = PoolAccounts::<T>::get(who) else { return false };
		// Already in its terms (created, or took the service in, while the operator's join was
		// still paging): nothing changes.
		if Self::pool_backs(who, service) {
			return true;
		}
		// The operator's services it left since say nothing any more: forgotten first.
		let operator = delegation.operator.clone();
		Self::forget_stale_exclusions(who, &operator, delegation);
		if Self::push_pool_exclusion(who, &operator, delegation, service) {
			Delegations::<T>::insert(who, delegation.clone());
			let _ = Self::schedule_pool_service(pool, service, Self::pool_notice_era());
		}
		true
	}

	/// Whether the pool account `account` backs `service`: a position not leaving.
	fn pool_backs(account: &T::AccountId, service: crate::ServiceId) -> bool {
		crate::Positions::<T>::get(account, service)
			.is_some_and(|p| p.exit.as_ref().is_none_or(|exit| !exit.target.is_zero()))
	}

	/// Exclude `service` for the pool account `account` whose operator is (or is about to be)
	/// `operator`. The manager's exclusions stay while the bounded list has room; a full list
	/// first forgets those of services `operator` is not in and the pool has no position in (for
	/// a pool they say nothing: it never follows its operator into a service without notice).
	/// `false` if the list is still full of ones that count.
	fn push_pool_exclusion(
		account: &T::AccountId,
		operator: &T::AccountId,
		delegation: &mut crate::DelegationOf<T>,
		service: crate::ServiceId,
	) -> bool {
		if delegation.excluded.try_push(service).is_ok() {
			return true;
		}
		Self::forget_stale_exclusions(account, operator, delegation);
		delegation.excluded.try_push(service).is_ok()
	}

	/// Forget the pool's exclusions of services `operator` is not in and the pool has no
	/// position in.
	fn forget_stale_exclusions(
		account: &T::AccountId,
		operator: &T::AccountId,
		delegation: &mut crate::DelegationOf<T>,
	) {
		let services = Self::operator_services(operator);
		delegation
			.excluded
			.retain(|s| services.contains(s) || crate::Positions::<T>::contains_key(account, *s));
	}

	/// The pool leaves `service` at its exit delay, as a delegator's exclusion, whatever its
	/// bounded lists hold: the exit never waits for room in them.
	fn pool_leave_service(account: &T::AccountId, service: crate::ServiceId) -> DispatchResult {
		let mut delegation = Delegations::<T>::get(account).ok_or(Error::<T>::NotDelegating)?;
		Self::do_resync(account);
		Self::ensure_synced(account)?;
		Self::leave_service(account, service, None)?;
		if !delegation.excluded.contains(&service) {
			// Full of services the operator is in: the position leaves all the same.
			let operator = delegation.operator.clone();
			let _ = Self::push_pool_exclusion(account, &operator, &mut delegation, service);
			Delegations::<T>::insert(account, delegation);
		}
		Self::deposit_event(Event::<T>::ServiceExcluded { who: account.clone(), service });
		Ok(())
	}

	/// The `apply_pool_terms` call: an operator change whose notice has passed takes effect
	/// (the pool redelegates; the new operator's services that were not announced with it are
	/// excluded and scheduled after a notice of their own), then every scheduled service whose
	/// era has come joins the pool's terms, from the next era, as `include_service` (with its
	/// checks; one it refuses stays out).
	pub fn do_apply_pool_terms(pool: PoolId) -> DispatchResult {
		ensure!(Pools::<T>::contains_key(pool), Error::<T>::UnknownPool);
		let era = T::Slashing::active_era();
		let change = PoolOperatorChanges::<T>::get(pool).filter(|c| c.effective_era <= era);
		let changes = PoolTermChanges::<T>::get(pool);
		let nominations = PoolNominationChanges::<T>::get(pool).filter(|(_, e)| *e <= era);
		let account = Self::pool_account(pool);
		let renominate =
			if change.is_none() { Self::pool_lost_its_nomination(pool, &account) } else { None };
		ensure!(
			change.is_some()
				|| nominations.is_some()
				|| renominate.is_some()
				|| changes.iter().any(|(_, effective)| *effective <= era),
			Error::<T>::NoTermsDue
		);
		if let Some(operator) = renominate {
			// Kicked by its validator or chilled by staking: the pool's terms say it nominates
			// its validating operator, and nothing about them changes.
			T::Staking::nominate(&account, vec![operator])?;
			Self::deposit_event(Event::<T>::PoolNominated { pool, targets: 1 });
		}
		if let Some(change) = change {
			let operator = change.operator.clone();
			// Refused (the new operator stopped, a service of it refuses the pool, ...): the
			// change stays scheduled, the manager may cancel it, and the rest still applies.
			let switched = frame_support::storage::with_storage_layer(|| {
				Self::switch_pool_operator(pool, &account, change)
			});
			if let Err(error) = switched {
				Self::deposit_event(Event::<T>::PoolOperatorRefused { pool, operator, error });
			}
		}
		let mut left = Vec::new();
		for (service, effective) in PoolTermChanges::<T>::get(pool) {
			if effective > era {
				left.push((service, effective));
				continue;
			}
			let included = frame_support::storage::with_storage_layer(|| {
				Self::do_include_service(account.clone(), service)
			});
			match included {
				Ok(()) => Self::deposit_event(Event::<T>::PoolServiceAdded { pool, service }),
				// The operator left it since: nothing to take in.
				Err(_)
					if !Self::operator_services(&Self::pool_operator(pool)).contains(&service) => {}
				// Refused for now (a cap, a pause): it stays scheduled, to try again.
				Err(_) => left.push((service, effective)),
			}
		}
		PoolTermChanges::<T>::insert(pool, frame_support::BoundedVec::truncate_from(left));
		if let Some((targets, effective)) = PoolNominationChanges::<T>::get(pool) {
			if effective <= era {
				PoolNominationChanges::<T>::remove(pool);
				let count = targets.len().saturated_into();
				let nominated = frame_support::storage::with_storage_layer(|| {
					ensure!(
						!T::Staking::is_validator(&Self::pool_operator(pool)),
						Error::<T>::OperatorValidates
					);
					T::Staking::nominate(&account, targets.into_inner())
				});
				if nominated.is_ok() {
					Self::deposit_event(Event::<T>::PoolNominated { pool, targets: count });
				}
			}
		}
		Ok(())
	}

	/// Pool `pool`'s operator, if it validates and the pool nominates nobody: its validator
	/// kicked it, or staking chilled it (`chill_other`). Its terms are to nominate the operator,
	/// so `apply_pool_terms` nominates it again, at once.
	fn pool_lost_its_nomination(pool: PoolId, account: &T::AccountId) -> Option<T::AccountId> {
		let operator = Self::pool_operator(pool);
		(T::Staking::is_validator(&operator)
			&& T::Staking::nominations(account).is_none_or(|targets| targets.is_empty()))
		.then_some(operator)
	}

	/// Pool `pool`'s operator (the default account if there is no such pool).
	fn pool_operator(pool: PoolId) -> T::AccountId {
		Pools::<T>::get(pool).map(|info| info.operator).unwrap_or_else(|| {
			T::AccountId::decode(&mut TrailingZeroInput::zeroes())
				.unwrap_or_else(|_| Self::pool_account(pool))
		})
	}

	/// Pool `pool` delegates to `change.operator` now.
	fn switch_pool_operator(
		pool: PoolId,
		account: &T::AccountId,
		change: crate::PoolOperatorChangeOf<T>,
	) -> DispatchResult {
		let mut delegation = Delegations::<T>::get(account).ok_or(Error::<T>::NotDelegating)?;
		let unannounced: Vec<crate::ServiceId> = Self::operator_services(&change.operator)
			.into_iter()
			.filter(|s| !change.services.contains(s) && !delegation.excluded.contains(s))
			.collect();
		for service in &unannounced {
			// The manager's exclusions stay where there is room: a move back to the old
			// operator must not announce a service the manager excluded.
			ensure!(
				Self::push_pool_exclusion(account, &change.operator, &mut delegation, *service),
				Error::<T>::TooManyServices
			);
		}
		Delegations::<T>::insert(account, delegation);
		Self::do_resync(account);
		Self::do_redelegate(account.clone(), change.operator.clone())?;
		let notice_era = Self::pool_notice_era();
		for service in unannounced {
			Self::schedule_pool_service(pool, service, notice_era)?;
		}
		// Base-layer nominations follow: the new operator if it validates, else none until
		// the manager picks targets.
		if T::Staking::is_validator(&change.operator) {
			T::Staking::nominate(account, vec![change.operator.clone()])?;
		} else {
			T::Staking::chill(account)?;
		}
		Pools::<T>::mutate_exists(pool, |info| {
			if let Some(info) = info.as_mut() {
				info.operator = change.operator.clone();
			}
		});
		PoolOperatorChanges::<T>::remove(pool);
		Self::deposit_event(Event::<T>::PoolOperatorSet { pool, operator: change.operator });
		Ok(())
	}

	/// `update_service`'s weight when `left` pools leave the service: each pool is read (its
	/// position, schedules and operator change), and each that leaves pays an exclusion.
	pub fn update_service_weight(left: u32) -> frame_support::weights::Weight {
		T::WeightInfo::update_service()
			.saturating_add(
				T::DbWeight::get().reads_writes(4, 1).saturating_mul(T::MaxPools::get().into()),
			)
			.saturating_add(T::WeightInfo::exclude_service().saturating_mul(left.into()))
	}

	/// What a pool's `join` reads of the base layer's deferred slashes beyond the one read its
	/// benchmark measured ([`SlashingAdapter::pending_slash_reads`]): with pallet-staking's
	/// 27-era deferral, 27 reads. A redemption reads only what escapes a new chunk
	/// ([`SlashingAdapter::escaping_slash`]), as its benchmark did.
	pub fn deferred_slash_weight() -> frame_support::weights::Weight {
		T::DbWeight::get().reads(T::Slashing::pending_slash_reads().saturating_sub(1))
	}

	/// A pool's `join` or `redeem` (`weight`, benchmarked in the services of the pool's
	/// operator, up to `MaxLeverage`) for a pool in `services` services, with the read that
	/// counts them for the refund. A pool can back more services than `MaxLeverage` (its
	/// delegation stays below its stake while a service refuses a raise, and the leverage check
	/// counts the delegation): past the benchmarks' range the weight is their linear fit, up to
	/// `MaxServicesPerRestaker`, every position a restaker can hold.
	fn pool_call_weight(
		weight: fn(u32) -> frame_support::weights::Weight,
		services: u32,
	) -> frame_support::weights::Weight {
		weight(services.clamp(1, T::MaxServicesPerRestaker::get()))
			.saturating_add(T::DbWeight::get().reads(1))
	}

	/// The services pool `pool` backs: a `join` or `redeem` re-syncs each.
	pub(crate) fn pool_services(pool: PoolId) -> u32 {
		Self::restaker_services(&Self::pool_account(pool))
	}

	/// `join`'s weight for a pool in `services` services, with the deferred slashes it reads.
	pub fn join_weight(services: u32) -> frame_support::weights::Weight {
		Self::pool_call_weight(T::WeightInfo::join, services)
			.saturating_add(Self::deferred_slash_weight())
	}

	/// `redeem`'s weight for a pool in `services` services.
	pub fn redeem_weight(services: u32) -> frame_support::weights::Weight {
		Self::pool_call_weight(T::WeightInfo::redeem, services)
	}

	/// What a pool's `join` or `redeem` used: its `weight` at the services the pool backed
	/// before it (`before`) or after it, the more: the re-sync visits every position the pool
	/// had, and may close some (an exit that matured, a position below its `min_stake`).
	pub(crate) fn pool_call_refund(
		pool: PoolId,
		before: u32,
		weight: fn(u32) -> frame_support::weights::Weight,
	) -> frame_support::dispatch::PostDispatchInfo {
		Some(weight(before.max(Self::pool_services(pool)))).into()
	}

	/// Pool `pool`, if `who` manages it (`UnknownPool`, `NotPoolManager`).
	fn managed_pool(who: &T::AccountId, pool: PoolId) -> Result<PoolOf<T>, DispatchError> {
		let info = Pools::<T>::get(pool).ok_or(Error::<T>::UnknownPool)?;
		ensure!(&info.manager == who, Error::<T>::NotPoolManager);
		Ok(info)
	}

	/// The era a change asked for now that raises a pool's risk may take effect.
	fn pool_notice_era() -> EraIndex {
		T::Slashing::active_era().saturating_add(T::PoolNotice::get())
	}

	/// The first era from `from` on in which the pool may take `service` (back) into its
	/// terms: a pool that left it, or is leaving it, may rejoin only once its time there is out
	/// of the report window (`RecentlyExited`).
	fn pool_rejoin_era(
		account: &T::AccountId,
		service: crate::ServiceId,
		from: EraIndex,
	) -> EraIndex {
		let leaving = crate::Positions::<T>::get(account, service)
			.and_then(|p| p.exit)
			.filter(|exit| exit.target.is_zero())
			.map(|exit| exit.release_era);
		let departed = crate::Departures::<T>::get(account, service).map(|d| d.release_era);
		match leaving.or(departed) {
			Some(release) => from.max(release.saturating_add(Self::history_window(account))),
			None => from,
		}
	}

	/// Schedule `service` to enter pool `pool`'s terms in `effective_era`, or, if it is
	/// scheduled sooner, push it back to then; `PoolServiceScheduled` when anything changed.
	fn schedule_pool_service(
		pool: PoolId,
		service: crate::ServiceId,
		effective_era: EraIndex,
	) -> DispatchResult {
		let changed = PoolTermChanges::<T>::try_mutate(pool, |changes| {
			match changes.iter_mut().find(|(s, _)| *s == service) {
				Some((_, era)) if *era >= effective_era => Ok(false),
				Some((_, era)) => {
					*era = effective_era;
					Ok(true)
				}
				None => {
					if changes.is_full() {
						// Services the operator left since are no change to wait for.
						let operator = Pools::<T>::get(pool).map(|info| info.operator);
						let services =
							operator.map(|o| Self::operator_services(&o)).unwrap_or_default();
						changes.retain(|(s, _)| services.contains(s));
					}
					changes
						.try_push((service, effective_era))
						.map(|_| true)
						.map_err(|_| Error::<T>::TooManyServices)
				}
			}
		})?;
		if changed {
			Self::deposit_event(Event::<T>::PoolServiceScheduled { pool, service, effective_era });
		}
		Ok(())
	}

	/// The `set_pool_manager` call.
	pub fn do_set_pool_manager(
		who: T::AccountId,
		pool: PoolId,
		manager: T::AccountId,
	) -> DispatchResult {
		let mut info = Self::managed_pool(&who, pool)?;
		// The keyless pool account could never sign again.
		ensure!(manager != Self::pool_account(pool), Error::<T>::NotPoolManager);
		info.manager = manager.clone();
		Pools::<T>::insert(pool, info);
		Self::deposit_event(Event::<T>::PoolManagerSet { pool, manager });
		Ok(())
	}

	/// The `exclude_pool_service` call: a service scheduled for the pool is dropped from its
	/// schedule (and from an operator change's announced services); one it backs is excluded
	/// as a delegator excludes it, at its exit delay.
	pub fn do_exclude_pool_service(
		who: T::AccountId,
		pool: PoolId,
		service: crate::ServiceId,
	) -> DispatchResult {
		Self::managed_pool(&who, pool)?;
		let mut dropped = PoolTermChanges::<T>::mutate(pool, |changes| {
			let before = changes.len();
			changes.retain(|(s, _)| *s != service);
			changes.len() != before
		});
		PoolOperatorChanges::<T>::mutate(pool, |change| {
			if let Some(change) = change.as_mut() {
				let before = change.services.len();
				change.services.retain(|s| *s != service);
				dropped |= change.services.len() != before;
			}
		});
		if dropped {
			Self::deposit_event(Event::<T>::PoolServiceUnscheduled { pool, service });
		}
		let account = Self::pool_account(pool);
		if Self::pool_backs(&account, service) {
			return Self::pool_leave_service(&account, service);
		}
		if dropped {
			return Ok(());
		}
		// Neither backed nor scheduled: excluded in advance, as a delegator may.
		Self::do_resync(&account);
		Self::do_exclude_service(account, service)
	}

	/// The `include_pool_service` call: a service the pool excludes enters its terms after
	/// its notice, through `apply_pool_terms`.
	pub fn do_include_pool_service(
		who: T::AccountId,
		pool: PoolId,
		service: crate::ServiceId,
	) -> DispatchResult {
		Self::managed_pool(&who, pool)?;
		Self::service(service)?;
		let account = Self::pool_account(pool);
		let delegation = Delegations::<T>::get(&account).ok_or(Error::<T>::NotDelegating)?;
		ensure!(delegation.excluded.contains(&service), Error::<T>::NotExcluded);
		ensure!(
			!PoolTermChanges::<T>::get(pool).iter().any(|(s, _)| *s == service),
			Error::<T>::AlreadyScheduled
		);
		let era = Self::pool_rejoin_era(&account, service, Self::pool_notice_era());
		Self::schedule_pool_service(pool, service, era)
	}

	/// The `set_pool_operator` call: the change waits the pool's notice, with the services
	/// `operator` is in now (less the pool's exclusions) as its announced terms.
	pub fn do_set_pool_operator(
		who: T::AccountId,
		pool: PoolId,
		operator: T::AccountId,
	) -> DispatchResult {
		let info = Self::managed_pool(&who, pool)?;
		if info.operator == operator {
			// Back to the operator it has: a change waiting is cancelled (less risk, at once).
			ensure!(PoolOperatorChanges::<T>::contains_key(pool), Error::<T>::SameOperator);
			PoolOperatorChanges::<T>::remove(pool);
			Self::deposit_event(Event::<T>::PoolOperatorCancelled { pool });
			return Ok(());
		}
		ensure!(crate::Operators::<T>::contains_key(&operator), Error::<T>::NotOperator);
		let account = Self::pool_account(pool);
		let excluded =
			Delegations::<T>::get(&account).map(|d| d.excluded.into_inner()).unwrap_or_default();
		let services: Vec<crate::ServiceId> = Self::operator_services(&operator)
			.into_iter()
			.filter(|s| !excluded.contains(s))
			.collect();
		let effective_era = Self::pool_notice_era();
		PoolOperatorChanges::<T>::insert(
			pool,
			crate::PoolOperatorChangeOf::<T> {
				operator: operator.clone(),
				effective_era,
				services: frame_support::BoundedVec::truncate_from(services),
			},
		);
		Self::deposit_event(Event::<T>::PoolOperatorScheduled { pool, operator, effective_era });
		Ok(())
	}

	/// The `set_pool_nominations` call: no targets chills the pool at once (less risk); new
	/// targets are nominated after the pool's notice, through `apply_pool_terms` (a validator's
	/// offences reach the pool's stake).
	pub fn do_set_pool_nominations(
		who: T::AccountId,
		pool: PoolId,
		targets: Vec<T::AccountId>,
	) -> DispatchResult {
		let info = Self::managed_pool(&who, pool)?;
		ensure!(!T::Staking::is_validator(&info.operator), Error::<T>::OperatorValidates);
		if targets.is_empty() {
			PoolNominationChanges::<T>::remove(pool);
			T::Staking::chill(&Self::pool_account(pool))?;
			Self::deposit_event(Event::<T>::PoolNominated { pool, targets: 0 });
			return Ok(());
		}
		let effective_era = Self::pool_notice_era();
		let targets =
			frame_support::BoundedVec::try_from(targets).map_err(|_| Error::<T>::TooManyTargets)?;
		PoolNominationChanges::<T>::insert(pool, (targets, effective_era));
		Self::deposit_event(Event::<T>::PoolNominationsScheduled { pool, effective_era });
		Ok(())
	}

	/// A harsher change of `service`'s rules takes effect in `effective_era`. Every pool it
	/// would reach before the pool's notice leaves the service now (as a restaker who does not
	/// accept the change leaves, out by `effective_era`) and takes it back after its notice; a
	/// pool scheduled to take it in sooner takes it in after its notice; an operator change
	/// announced with it brings the pool in only after a notice of its own.
	///
	/// Returns how many pools left the service.
	pub(crate) fn pools_notice_rule_change(
		service: crate::ServiceId,
		effective_era: EraIndex,
	) -> u32 {
		let notice_era = Self::pool_notice_era();
		if effective_era >= notice_era {
			return 0;
		}
		let mut left_pools = 0u32;
		for pool in Pools::<T>::iter_keys() {
			let account = Self::pool_account(pool);
			if Self::pool_backs(&account, service) {
				let left = frame_support::storage::with_storage_layer(|| {
					Self::pool_leave_service(&account, service)
				});
				if left.is_ok() {
					left_pools = left_pools.saturating_add(1);
					let era = Self::pool_rejoin_era(&account, service, notice_era);
					// No room to schedule its return: the manager takes it back by hand.
					let _ = Self::schedule_pool_service(pool, service, era);
				}
			} else if PoolTermChanges::<T>::get(pool).iter().any(|(s, _)| *s == service) {
				let _ = Self::schedule_pool_service(pool, service, notice_era);
			}
			PoolOperatorChanges::<T>::mutate(pool, |change| {
				if let Some(change) = change.as_mut() {
					change.services.retain(|s| *s != service);
				}
			});
		}
		left_pools
	}

	/// Every pool's view, by id.
	pub fn pools_view() -> Vec<crate::PoolView<T::AccountId, BalanceOf<T>>> {
		let mut ids: Vec<PoolId> = Pools::<T>::iter_keys().collect();
		ids.sort();
		ids.into_iter().filter_map(Self::pool_view).collect()
	}

	/// `value` over `supply` in parts per billion, rounded down.
	fn rate_ppb(value: BalanceOf<T>, supply: BalanceOf<T>) -> u128 {
		multiply_by_rational_with_rounding(
			value.saturated_into(),
			1_000_000_000,
			supply.saturated_into::<u128>().max(1),
			Rounding::Down,
		)
		.unwrap_or_default()
	}

	/// Pool `pool`'s value per share in parts per billion, net of its pending slashes.
	pub fn pool_rate_ppb(pool: PoolId) -> u128 {
		Self::rate_ppb(Self::pool_value(pool), Self::pool_supply(pool))
	}

	/// Pool `pool`'s view: rate, terms with their worst case now and after the scheduled
	/// changes, pending slashes, redemption queue.
	pub fn pool_view(pool: PoolId) -> Option<crate::PoolView<T::AccountId, BalanceOf<T>>> {
		let info = Pools::<T>::get(pool)?;
		let account = Self::pool_account(pool);
		let (active, pending, supply) =
			(Self::pool_active(pool), Self::pool_pending_slash(pool), Self::pool_supply(pool));
		let rate_ppb = Self::rate_ppb(active.saturating_sub(pending), supply);
		// The worst case of a service: its harshest fraction (of the rules in force and a
		// harsher change waiting), of what the pool allocates to it.
		let harshest = |service: crate::ServiceId| {
			crate::Services::<T>::get(service)
				.map(|info| Self::harshest_worst_case(service, &info))
				.unwrap_or_default()
		};
		let share = |claims: BalanceOf<T>| {
			Perbill::from_rational(claims.min(active), active.max(1u32.into()))
		};
		let services: Vec<(crate::ServiceId, Perbill)> = crate::Restakers::<T>::get(&account)
			.map(|ledger| ledger.services.into_inner())
			.unwrap_or_default()
			.into_iter()
			.map(|service| (service, harshest(service)))
			.collect();
		let claim = |service: crate::ServiceId, fraction: Perbill| {
			crate::Positions::<T>::get(&account, service)
				.map(|position| fraction.mul_floor(position.allocation))
				.unwrap_or_default()
		};
		let now: BalanceOf<T> = services.iter().fold(Zero::zero(), |sum, (service, fraction)| {
			sum.saturating_add(claim(*service, *fraction))
		});
		let scheduled = PoolTermChanges::<T>::get(pool).into_inner();
		let amount = Delegations::<T>::get(&account).map(|d| d.amount).unwrap_or_default();
		let after = scheduled.iter().fold(now, |sum, (service, _)| {
			sum.saturating_add(harshest(*service).mul_floor(amount))
		});
		Some(crate::PoolView {
			id: pool,
			account,
			manager: info.manager,
			operator: info.operator,
			supply,
			active,
			pending_slash: pending,
			rate_ppb,
			services,
			worst_case: share(now),
			scheduled,
			worst_case_after: share(after),
			pending_operator: PoolOperatorChanges::<T>::get(pool)
				.map(|change| (change.operator, change.effective_era)),
			redemptions: SubPools::<T>::iter_prefix(pool)
				.map(|(era, sub)| (era, sub.balance))
				.collect(),
		})
	}

	/// The `compound` call: the pool claims what it earned in every service it backs or
	/// backed, and bonds exactly that (a donation to its account stays unbonded).
	pub fn do_compound(pool: PoolId) -> DispatchResult {
		ensure!(Pools::<T>::contains_key(pool), Error::<T>::UnknownPool);
		let account = Self::pool_account(pool);
		let mut services: Vec<crate::ServiceId> = crate::Restakers::<T>::get(&account)
			.map(|ledger| ledger.services.into_inner())
			.unwrap_or_default();
		for (service, _) in crate::UnclaimedRewards::<T>::iter_prefix(&account) {
			if !services.contains(&service) {
				services.push(service);
			}
		}
		let mut claimed: BalanceOf<T> = Zero::zero();
		for service in services {
			let amount = Self::claimable_rewards(&account, service);
			let paid = frame_support::storage::with_storage_layer(|| {
				Self::do_claim_rewards(account.clone(), service)
			});
			if paid.is_ok() {
				claimed = claimed.saturating_add(amount);
			}
		}
		ensure!(!claimed.is_zero(), Error::<T>::NothingToClaim);
		T::Staking::bond_extra(&account, claimed)?;
		Self::do_resync(&account);
		Self::deposit_event(Event::<T>::PoolCompounded { pool, amount: claimed });
		Ok(())
	}

	/// Mint `shares` of `pool` to `who`.
	fn mint_shares(pool: PoolId, who: &T::AccountId, shares: BalanceOf<T>) -> DispatchResult {
		T::Assets::mint_into(Self::pool_asset(pool), who, shares).map(|_| ())
	}

	/// Burn `shares` of `pool` from `who`, all or nothing.
	fn burn_shares(pool: PoolId, who: &T::AccountId, shares: BalanceOf<T>) -> DispatchResult {
		T::Assets::burn_from(
			Self::pool_asset(pool),
			who,
			shares,
			Preservation::Expendable,
			Precision::Exact,
			Fortitude::Polite,
		)
		.map(|_| ())
	}

	/// `who` redeemed `value` into the sub-pool of `era`: `value` points on a balance of `value`
	/// more (a sub-pool slashed already gives points at its own rate, so the newcomer does not
	/// bear that slash).
	fn add_to_sub_pool(
		pool: PoolId,
		who: &T::AccountId,
		era: EraIndex,
		value: BalanceOf<T>,
	) -> DispatchResult {
		let mut sub = SubPools::<T>::get(pool, era).unwrap_or_default();
		let points = if sub.points.is_zero() || sub.balance.is_zero() {
			value
		} else {
			scale(value, sub.points, sub.balance)
		};
		sub.points = sub.points.saturating_add(points);
		sub.balance = sub.balance.saturating_add(value);
		let mut claims = Redemptions::<T>::get(pool, who);
		match claims.iter_mut().find(|(e, _)| *e == era) {
			Some((_, p)) => *p = p.saturating_add(points),
			None => claims.try_push((era, points)).map_err(|_| Error::<T>::TooManyRedemptions)?,
		}
		Redemptions::<T>::insert(pool, who, claims);
		SubPools::<T>::insert(pool, era, sub);
		Ok(())
	}

	/// Take `points` out of the sub-pool of `era`; returns their balance.
	fn take_from_sub_pool(pool: PoolId, era: EraIndex, points: BalanceOf<T>) -> BalanceOf<T> {
		let Some(mut sub) = SubPools::<T>::get(pool, era) else { return Zero::zero() };
		let amount = scale(points, sub.balance, sub.points);
		sub.points = sub.points.saturating_sub(points);
		sub.balance = sub.balance.saturating_sub(amount);
		if sub.points.is_zero() {
			SubPools::<T>::remove(pool, era);
		} else {
			SubPools::<T>::insert(pool, era, sub);
		}
		amount
	}

	/// Staking slashed `stash`; if it is a pool's account, `slashed_unlocking` holds what is
	/// left of each unlocking chunk the slash reached (by the era it unlocks): the sub-pools of
	/// those eras hold that much.
	pub(crate) fn pool_slashed(
		stash: &T::AccountId,
		slashed_unlocking: &BTreeMap<EraIndex, BalanceOf<T>>,
	) {
		// Most slashes reach no unlocking chunk: the hook then reads nothing more.
		if slashed_unlocking.is_empty() {
			return;
		}
		let Some(pool) = PoolAccounts::<T>::get(stash) else { return };
		for (era, left) in slashed_unlocking {
			SubPools::<T>::mutate_exists(pool, era, |sub| {
				if let Some(sub) = sub.as_mut() {
					sub.balance = *left;
				}
			});
		}
	}

	/// The pools' invariants, for `try_state`: the share supply is at least the creation
	/// deposit (its shares are never redeemed), and each sub-pool's balance is what staking
	/// still holds in the chunk of its era (or, once withdrawn, at most what the pool account
	/// holds free).
	pub(crate) fn check_pools() -> Result<(), DispatchError> {
		for pool in PoolOperatorChanges::<T>::iter_keys() {
			ensure!(Pools::<T>::contains_key(pool), "operator change of no pool");
		}
		for pool in PoolNominationChanges::<T>::iter_keys() {
			ensure!(Pools::<T>::contains_key(pool), "nomination change of no pool");
		}
		for pool in Pools::<T>::iter_keys() {
			let account = Self::pool_account(pool);
			let excluded = Delegations::<T>::get(&account).map(|d| d.excluded).unwrap_or_default();
			ensure!(
				!excluded.iter().any(|s| Self::pool_backs(&account, *s)),
				"a pool backs a service it excludes"
			);
		}
		for (pool, info) in Pools::<T>::iter() {
			let account = Self::pool_account(pool);
			ensure!(PoolAccounts::<T>::get(&account) == Some(pool), "pool account not indexed");
			// Shares anyone sends to the pool account are given up, on top of the deposit's.
			ensure!(
				T::Assets::balance(Self::pool_asset(pool), &account) >= info.deposit,
				"the creation deposit's shares moved"
			);
			// A pool wiped out by slashes has no ledger left: every sub-pool was released.
			let unlocking =
				T::Slashing::stake_ledger(&account).map(|l| l.unlocking).unwrap_or_default();
			let mut withdrawn: BalanceOf<T> = Zero::zero();
			for (era, sub) in SubPools::<T>::iter_prefix(pool) {
				match unlocking.iter().find(|(e, _)| *e == era) {
					Some((_, chunk)) => ensure!(sub.balance == *chunk, "sub-pool is not its chunk"),
					None => withdrawn = withdrawn.saturating_add(sub.balance),
				}
			}
			ensure!(
				withdrawn <= T::Currency::balance(&account),
				"withdrawn sub-pools exceed the pool's free balance"
			);
		}
		Ok(())
	}
}
