//! The seam between this pallet and the staking system that holds the collateral.
//!
//! Stake is read through [`sp_staking::StakingInterface`] (`Config::Staking`). The two things that
//! interface cannot do, reading the active era and slashing a ledger, go through
//! [`SlashingAdapter`] (`Config::Slashing`), so that the pallet's logic does not name
//! pallet-staking. [`StakingSlashing`] is the implementation for pallet-staking (feature
//! `pallet-staking`, on by default), [`StakingAsyncSlashing`] the one for pallet-staking-async
//! (feature `staking-async`).

use alloc::vec::Vec;
use core::marker::PhantomData;
use frame_support::traits::{Get, Imbalance, OnUnbalanced};
use sp_runtime::traits::{Saturating, Zero};
use sp_staking::EraIndex;

/// What the pallet needs from the staking system beyond `StakingInterface`.
pub trait SlashingAdapter<AccountId, Balance> {
	/// The era whose validator set is active now; eras of offences and exits are counted in it.
	fn active_era() -> EraIndex;

	/// Slash up to `amount` of `stash`'s bonded ledger for an offence in `offence_era`, including
	/// unlocking chunks that were unbonded after it, and return what was actually taken.
	///
	/// The caller has checked that `stash` is bonded. Implementations must run the staking
	/// system's own slashing path so that its events and `OnStakingUpdate::on_slash` fire.
	fn slash(stash: &AccountId, amount: Balance, offence_era: EraIndex) -> Balance;

	/// The chain's total bonded stake that the breaker and concentration caps are shares of:
	/// for pallet-staking, the stake behind the active era's validator set (`ErasTotalStake`).
	fn total_bonded() -> Balance;

	/// `(staking rewards paid for era, stake behind its validator set)`, for the base staking
	/// yield; zeros if the staking system does not know the era. For pallet-staking,
	/// `ErasValidatorReward` and `ErasTotalStake`, known once the era ended and until
	/// `HistoryDepth` eras later.
	fn era_rewards(era: EraIndex) -> (Balance, Balance)
	where
		Balance: Zero,
	{
		let _ = era;
		(Zero::zero(), Zero::zero())
	}

	/// `stash`'s bonded ledger: active stake, total, unlocking chunks, and the shortest unbonding
	/// it can get now; `None` if not bonded.
	fn stake_ledger(stash: &AccountId) -> Option<StakeLedger<Balance>>;

	/// What the staking system's own slashes, computed but not applied yet (deferred by its
	/// `SlashDeferDuration`, for governance to cancel), will take from `stash`'s ledger: its own
	/// part where it validated and its part as a nominator. A liquid restaking pool prices joins
	/// net of it, as of the service slashes reported against it. A slash whose apply era has
	/// passed unapplied (a report too late for its deferral) or that governance cancelled is not
	/// counted. It reads the deferred slashes of the eras from the active one to
	/// `SlashDeferDuration + 1` later.
	fn pending_slash(stash: &AccountId) -> Balance;

	/// The storage reads [`Self::pending_slash`] makes: one per era of deferred slashes it
	/// reads (and, where cancellations are kept apart, one more per era). A liquid restaking
	/// pool's `join` is charged the reads beyond the first, which is all its benchmark sees on a
	/// runtime that defers nothing. The deferred slashes' own size (each lists its offender's
	/// nominators) is not in it.
	fn pending_slash_reads() -> u64;

	/// The part of [`Self::pending_slash`] that a chunk unbonded now would not bear: all of it
	/// falls on the active stake, so a pool's redemption now is priced net of it. pallet-staking
	/// applies a deferred slash as of the era after the offence, so a chunk unbonded in the
	/// offence era is out of its reach: those are the slashes of the one apply era whose slash
	/// era has not started, a single read. pallet-staking-async reaches every chunk: zero, no
	/// read.
	fn escaping_slash(stash: &AccountId) -> Balance;

	/// Have the staking system bond `stash`'s staking rewards into its own ledger as they are paid
	/// (pallet-staking's `RewardDestination::Staked`), so that they compound. `stash` is bonded
	/// and is its own controller. A liquid restaking pool's stash is set so at creation: the base
	/// rewards of its nominations raise the pool's rate with no call.
	fn restake_rewards(stash: &AccountId) -> sp_runtime::DispatchResult;

	/// How many eras the staking system's unlocking clock can run ahead of the active era: an
	/// unlocking chunk of era `c` can be withdrawn once the active era reaches `c - lead`.
	/// pallet-staking unlocks by `CurrentEra`, which runs up to one era ahead of the active one
	/// while the next era is planned: 1. pallet-staking-async unlocks by the active era: 0.
	fn withdraw_lead() -> EraIndex {
		1
	}

	/// What of `stash`'s bonded stake a slash landing in active era `era` still reaches (see
	/// [`StakeLedger::reachable`]).
	fn slashable_stake(stash: &AccountId, era: EraIndex) -> Balance
	where
		Balance: Copy + Saturating + Zero,
	{
		Self::stake_ledger(stash).map(|ledger| ledger.reachable(era)).unwrap_or_else(Zero::zero)
	}
}

/// `stash`'s part of a deferred base-layer slash of `validator`: `own` if it is the validator,
/// plus its entries among the nominators' parts `others`.
#[cfg(any(feature = "pallet-staking", feature = "staking-async"))]
fn stash_part<AccountId: PartialEq, Balance: Copy + Saturating + Zero>(
	stash: &AccountId,
	validator: &AccountId,
	own: Balance,
	others: &[(AccountId, Balance)],
) -> Balance {
	let own = if validator == stash { own } else { Zero::zero() };
	others
		.iter()
		.filter(|(who, _)| who == stash)
		.fold(own, |sum, (_, value)| sum.saturating_add(*value))
}

/// A bonded ledger as this pallet reads it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StakeLedger<Balance> {
	/// Active (not unlocking) stake.
	pub active: Balance,
	/// Active stake plus every unlocking chunk.
	pub total: Balance,
	/// Unlocking chunks as `(era they become withdrawable, value)`.
	pub unlocking: Vec<(EraIndex, Balance)>,
	/// The eras an unbond made now would wait before its chunk can be withdrawn: the staking
	/// system's bonding duration, or less where it lets some stashes unbond faster
	/// (pallet-staking-async's fast unbonding of nominators).
	pub unbonding: EraIndex,
	/// [`SlashingAdapter::withdraw_lead`] of the staking system the ledger comes from.
	pub withdraw_lead: EraIndex,
}

impl<Balance: Copy + Saturating + Zero> StakeLedger<Balance> {
	/// What a slash landing while `era` is the active era still reaches: the active stake plus
	/// the unlocking chunks that cannot be withdrawn before then.
	///
	/// A chunk is withdrawable once the staking system's unlocking clock reaches the chunk's era,
	/// and that clock runs up to `withdraw_lead` eras ahead of the active one; so a chunk is safe
	/// in active era `era` if its era is at least `era + 1 + withdraw_lead` (`era + 2` on
	/// pallet-staking, `era + 1` on pallet-staking-async).
	pub fn reachable(&self, era: EraIndex) -> Balance {
		let safe_from = era.saturating_add(1).saturating_add(self.withdraw_lead);
		self.unlocking
			.iter()
			.filter(|(chunk_era, _)| *chunk_era >= safe_from)
			.fold(self.active, |sum, (_, value)| sum.saturating_add(*value))
	}
}

/// [`SlashingAdapter`] for pallet-staking: slashes through
/// `pallet_staking::slashing::do_slash` and hands the slashed credit to `OnSlash`.
#[cfg(feature = "pallet-staking")]
pub struct StakingSlashing<T, OnSlash>(PhantomData<(T, OnSlash)>);

#[cfg(feature = "pallet-staking")]
impl<T: pallet_staking::Config, OnSlash> StakingSlashing<T, OnSlash> {
	/// `stash`'s part of the deferred slashes pallet-staking keeps under `apply_era`.
	fn deferred_part(stash: &T::AccountId, apply_era: EraIndex) -> pallet_staking::BalanceOf<T> {
		pallet_staking::UnappliedSlashes::<T>::get(apply_era).iter().fold(
			Zero::zero(),
			|sum, slash| {
				sum.saturating_add(stash_part(stash, &slash.validator, slash.own, &slash.others))
			},
		)
	}
}

#[cfg(feature = "pallet-staking")]
impl<T, OnSlash> SlashingAdapter<T::AccountId, pallet_staking::BalanceOf<T>>
	for StakingSlashing<T, OnSlash>
where
	T: pallet_staking::Config,
	OnSlash: OnUnbalanced<pallet_staking::NegativeImbalanceOf<T>>,
{
	fn active_era() -> EraIndex {
		pallet_staking::ActiveEra::<T>::get().map(|info| info.index).unwrap_or_default()
	}

	fn total_bonded() -> pallet_staking::BalanceOf<T> {
		pallet_staking::ErasTotalStake::<T>::get(Self::active_era())
	}

	fn era_rewards(era: EraIndex) -> (pallet_staking::BalanceOf<T>, pallet_staking::BalanceOf<T>) {
		(
			pallet_staking::ErasValidatorReward::<T>::get(era).unwrap_or_default(),
			pallet_staking::ErasTotalStake::<T>::get(era),
		)
	}

	fn slash(
		stash: &T::AccountId,
		amount: pallet_staking::BalanceOf<T>,
		offence_era: EraIndex,
	) -> pallet_staking::BalanceOf<T> {
		// A service slash has no reporters to reward: the whole credit goes to `OnSlash`.
		let mut reward_payout = Zero::zero();
		let mut credit = pallet_staking::NegativeImbalanceOf::<T>::zero();
		pallet_staking::slashing::do_slash::<T>(
			stash,
			amount,
			&mut reward_payout,
			&mut credit,
			offence_era,
		);
		let taken = credit.peek();
		OnSlash::on_unbalanced(credit);
		taken
	}

	fn pending_slash(stash: &T::AccountId) -> pallet_staking::BalanceOf<T> {
		// A deferred slash is kept under its apply era and taken at that era's start, as of
		// slash era `apply era - defer` (the era after the offence): those of eras not started
		// yet are pending; one under an era already started never applies.
		let era = Self::active_era();
		let last = era.saturating_add(T::SlashDeferDuration::get()).saturating_add(1);
		(era.saturating_add(1)..=last).fold(Zero::zero(), |pending, apply_era| {
			pending.saturating_add(Self::deferred_part(stash, apply_era))
		})
	}

	fn escaping_slash(stash: &T::AccountId) -> pallet_staking::BalanceOf<T> {
		// Only the last apply era's slash era (`active + 1`) has not started: a chunk unbonded
		// now is dated before it.
		let era = Self::active_era();
		Self::deferred_part(
			stash,
			era.saturating_add(T::SlashDeferDuration::get()).saturating_add(1),
		)
	}

	fn pending_slash_reads() -> u64 {
		// `UnappliedSlashes` of eras `active + 1 ..= active + defer + 1`.
		u64::from(T::SlashDeferDuration::get()).saturating_add(1)
	}

	fn restake_rewards(stash: &T::AccountId) -> sp_runtime::DispatchResult {
		pallet_staking::Pallet::<T>::set_payee(
			frame_system::RawOrigin::Signed(stash.clone()).into(),
			pallet_staking::RewardDestination::Staked,
		)
	}

	fn stake_ledger(stash: &T::AccountId) -> Option<StakeLedger<pallet_staking::BalanceOf<T>>> {
		let ledger =
			pallet_staking::Pallet::<T>::ledger(sp_staking::StakingAccount::Stash(stash.clone()))
				.ok()?;
		Some(StakeLedger {
			active: ledger.active,
			total: ledger.total,
			unlocking: ledger.unlocking.iter().map(|chunk| (chunk.era, chunk.value)).collect(),
			// pallet-staking has one bonding duration for every stash.
			unbonding: T::BondingDuration::get(),
			withdraw_lead: Self::withdraw_lead(),
		})
	}
}

/// [`SlashingAdapter`] for pallet-staking-async (Polkadot Hub's staking): slashes through
/// `pallet_staking_async::slashing::do_slash` and hands the slashed credit to `OnSlash`.
///
/// Two things differ from pallet-staking, and both live here:
/// - chunks unlock by the active era (`withdraw_lead` 0): a chunk of era `c` can be withdrawn
///   once the active era reaches `c`;
/// - while `AreNominatorsSlashable` is false, a stash that was not elected in the last
///   `BondingDuration` eras unbonds in `NominatorFastUnbondDuration` eras. `unbonding` is the
///   shortest wait the stash can get from now on: `NominatorFastUnbondDuration` if it was never
///   elected or too long ago, else until its last election leaves the bonding duration, plus the
///   fast duration, and at most `BondingDuration`. The exposure a sync records counts on it
///   until the next sync: a stash whose election ages out, or a flag Root flips, in an era the
///   sweep has already passed is counted as before until the next era's lap (or a
///   `sync_restaker` call).
#[cfg(feature = "staking-async")]
pub struct StakingAsyncSlashing<T, OnSlash>(PhantomData<(T, OnSlash)>);

#[cfg(feature = "staking-async")]
impl<T, OnSlash> SlashingAdapter<T::AccountId, pallet_staking_async::BalanceOf<T>>
	for StakingAsyncSlashing<T, OnSlash>
where
	T: pallet_staking_async::Config,
	OnSlash: OnUnbalanced<pallet_staking_async::NegativeImbalanceOf<T>>,
{
	fn active_era() -> EraIndex {
		pallet_staking_async::session_rotation::Rotator::<T>::active_era()
	}

	fn withdraw_lead() -> EraIndex {
		0
	}

	fn total_bonded() -> pallet_staking_async::BalanceOf<T> {
		pallet_staking_async::ErasTotalStake::<T>::get(Self::active_era())
	}

	fn era_rewards(
		era: EraIndex,
	) -> (pallet_staking_async::BalanceOf<T>, pallet_staking_async::BalanceOf<T>) {
		(
			pallet_staking_async::ErasValidatorReward::<T>::get(era).unwrap_or_default(),
			pallet_staking_async::ErasTotalStake::<T>::get(era),
		)
	}

	fn slash(
		stash: &T::AccountId,
		amount: pallet_staking_async::BalanceOf<T>,
		offence_era: EraIndex,
	) -> pallet_staking_async::BalanceOf<T> {
		// A service slash has no reporters to reward: the whole credit goes to `OnSlash`.
		let mut reward_payout = Zero::zero();
		let mut credit = pallet_staking_async::NegativeImbalanceOf::<T>::zero();
		pallet_staking_async::slashing::do_slash::<T>(
			stash,
			amount,
			&mut reward_payout,
			&mut credit,
			offence_era,
		);
		let taken = credit.peek();
		OnSlash::on_unbalanced(credit);
		taken
	}

	fn pending_slash(stash: &T::AccountId) -> pallet_staking_async::BalanceOf<T> {
		// Staking-async applies the slashes kept under the active era page by page, as of their
		// offence era, so they reach every chunk unbonded since: nothing escapes. A cancelled
		// slash stays in `UnappliedSlashes` until its era, unapplied.
		let era = Self::active_era();
		let last = era.saturating_add(T::SlashDeferDuration::get()).saturating_add(1);
		let mut pending: pallet_staking_async::BalanceOf<T> = Zero::zero();
		for apply_era in era..=last {
			let cancelled = pallet_staking_async::CancelledSlashes::<T>::get(apply_era);
			for ((validator, fraction, _page), slash) in
				pallet_staking_async::UnappliedSlashes::<T>::iter_prefix(apply_era)
			{
				if cancelled.iter().any(|(v, f)| *v == validator && *f >= fraction) {
					continue;
				}
				pending = pending.saturating_add(stash_part(
					stash,
					&slash.validator,
					slash.own,
					&slash.others,
				));
			}
		}
		pending
	}

	fn escaping_slash(_stash: &T::AccountId) -> pallet_staking_async::BalanceOf<T> {
		Zero::zero()
	}

	fn pending_slash_reads() -> u64 {
		// `CancelledSlashes` and the first `UnappliedSlashes` key of eras
		// `active ..= active + defer + 1`.
		u64::from(T::SlashDeferDuration::get()).saturating_add(2).saturating_mul(2)
	}

	fn restake_rewards(stash: &T::AccountId) -> sp_runtime::DispatchResult {
		pallet_staking_async::Pallet::<T>::set_payee(
			frame_system::RawOrigin::Signed(stash.clone()).into(),
			pallet_staking_async::RewardDestination::Staked,
		)
	}

	fn stake_ledger(
		stash: &T::AccountId,
	) -> Option<StakeLedger<pallet_staking_async::BalanceOf<T>>> {
		let ledger = pallet_staking_async::Pallet::<T>::ledger(sp_staking::StakingAccount::Stash(
			stash.clone(),
		))
		.ok()?;
		let full = T::BondingDuration::get();
		let unbonding = if pallet_staking_async::AreNominatorsSlashable::<T>::get() {
			full
		} else {
			// Staking-async gives the full duration to an unbond made within `BondingDuration`
			// eras of the stash's last election `l`, the fast one after: the earliest
			// withdrawal of an unbond made now (era `a`) or later is the sooner of `a + full`
			// and `max(a, l + full) + fast`.
			let fast = T::NominatorFastUnbondDuration::get();
			let now = Self::active_era();
			pallet_staking_async::LastValidatorEra::<T>::get(stash).map_or(fast, |last| {
				last.saturating_add(full)
					.max(now)
					.saturating_add(fast)
					.saturating_sub(now)
					.min(full)
			})
		};
		Some(StakeLedger {
			active: ledger.active,
			total: ledger.total,
			unlocking: ledger.unlocking.iter().map(|chunk| (chunk.era, chunk.value)).collect(),
			unbonding,
			withdraw_lead: Self::withdraw_lead(),
		})
	}
}
