// The crate documentation is the README (one text for GitHub, crates.io and docs.rs); the long
// guides are in the repository's docs/.
#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`/`expect`, no indexing, no unchecked arithmetic. The
// FRAME macros in `pallet`, and the tests, mock and benchmarks, are exempt where they need it.
#![deny(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

extern crate alloc;

pub mod adapter;
pub mod allocation;
pub mod cascade;
pub mod delegation;
pub mod invariants;
pub mod migrations;
pub mod pools;
pub mod positions;
pub mod rewards;
pub mod services;
pub mod slashing;
pub mod types;
pub mod views;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(all(test, feature = "pallet-staking"))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]
mod mock;
#[cfg(all(test, feature = "staking-async"))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]
mod mock_async;
#[cfg(test)]
mod mock_shared;
#[cfg(all(test, feature = "pallet-staking"))]
mod tests;

#[cfg(feature = "staking-async")]
pub use adapter::StakingAsyncSlashing;
#[cfg(feature = "pallet-staking")]
pub use adapter::StakingSlashing;
pub use adapter::{SlashingAdapter, StakeLedger};
pub use pallet::*;
pub use pools::{AssetIdOf, PoolId};
pub use types::*;
pub use weights::WeightInfo;

/// Balance type of the collateral.
pub type BalanceOf<T> = <T as Config>::Balance;
/// Service parameters as this runtime bounds them.
pub type ServiceParamsOf<T> = ServiceParams<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	<T as Config>::MaxNameLen,
	<T as Config>::MaxRules,
>;
/// A service as this runtime stores it.
pub type ServiceOf<T> = Service<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	<T as Config>::MaxNameLen,
	<T as Config>::MaxRules,
>;
/// A restaker's ledger as this runtime stores it.
pub type RestakerLedgerOf<T> = RestakerLedger<BalanceOf<T>, <T as Config>::MaxServicesPerRestaker>;
/// How many `(era, allocation)` pairs a position's history can hold: the longest window a
/// history keeps (the report window, or for a delegator the bonding duration, see
/// `Pallet::history_window`) plus 3 (see [`AllocationHistory`]).
pub struct HistoryBound<T>(core::marker::PhantomData<T>);
impl<T: Config> frame_support::traits::Get<u32> for HistoryBound<T> {
	fn get() -> u32 {
		use sp_staking::StakingInterface;
		T::ReportWindow::get().max(T::Staking::bonding_duration()).saturating_add(3)
	}
}
/// A position as this runtime stores it.
pub type PositionOf<T> = Position<BalanceOf<T>, HistoryBound<T>>;
/// A departure record as this runtime stores it.
pub type DepartureOf<T> = Departure<BalanceOf<T>, HistoryBound<T>>;
/// A delegation as this runtime stores it.
pub type DelegationOf<T> = Delegation<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	<T as Config>::MaxServicesPerRestaker,
>;
/// A liquid restaking pool as this runtime stores it.
pub type PoolOf<T> = Pool<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
/// A pool's operator change waiting for its notice.
pub type PoolOperatorChangeOf<T> = PoolOperatorChange<
	<T as frame_system::Config>::AccountId,
	<T as Config>::MaxServicesPerRestaker,
>;
/// A holder's claims on a pool's unbonding sub-pools: `(era the chunk unlocks, points)`.
pub type RedemptionsOf<T> =
	frame_support::BoundedVec<(sp_staking::EraIndex, BalanceOf<T>), <T as Config>::MaxRedemptions>;
/// A pending slash as this runtime stores it.
pub type PendingSlashOf<T> = PendingSlash<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// Restakers per service that weights are charged for where slashing is benchmarked against
/// them; the benchmarks show those costs do not grow with it.
pub const RESTAKERS_WEIGHED: u32 = 1_000;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::restaking";

#[frame_support::pallet]
#[allow(clippy::expect_used, clippy::arithmetic_side_effects)]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;
	use sp_staking::{EraIndex, StakingInterface};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Balance of the bonded collateral; the staking system's balance type.
		type Balance: frame_support::traits::tokens::Balance;

		/// Reads bonded stake, validator status and the bonding duration.
		type Staking: StakingInterface<AccountId = Self::AccountId, Balance = Self::Balance>;

		/// Reads the active era and slashes ledgers; [`StakingSlashing`] for pallet-staking,
		/// whose second parameter receives the slashed funds.
		type Slashing: SlashingAdapter<Self::AccountId, Self::Balance>;

		/// Registers and updates services (governance).
		type ServiceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Cancels scheduled slashes during their dispute window (governance).
		type SlashCancelOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// A restaker's allocations sum to at most this many times its stake: its active stake
		/// when it opts in or raises, and the stake a slash can still reach at all times (a
		/// stake loss scales its allocations down pro rata, see [`positions`]).
		#[pallet::constant]
		type MaxLeverage: Get<u32>;

		/// Most services one restaker can be in.
		#[pallet::constant]
		type MaxServicesPerRestaker: Get<u32>;

		/// Most services that can ever be registered.
		#[pallet::constant]
		type MaxServices: Get<u32>;

		/// The lowest `min_stake` a service may set (`MinStakeBelowFloor`): no position is ever
		/// smaller, so one restaker cannot make a service's secured stake tiny and drive its
		/// reward accumulator (reward per unit of exposure) towards overflow.
		#[pallet::constant]
		type MinStakeFloor: Get<BalanceOf<Self>>;

		/// Most slashing rules per service.
		#[pallet::constant]
		type MaxRules: Get<u32>;

		/// Longest service or rule name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// Most slashes one service can have scheduled at once; other services are not affected
		/// by how many one service has.
		#[pallet::constant]
		type MaxPendingSlashesPerService: Get<u32>;

		/// Most due slashes applied by `on_initialize` in one block; the rest wait a block.
		#[pallet::constant]
		type MaxSlashesPerBlock: Get<u32>;

		/// Most restakers re-synced by `on_initialize` in one block after base-layer slashes.
		#[pallet::constant]
		type MaxCascadesPerBlock: Get<u32>;

		/// Most restakers the era sweep brings up to date in one block, and most expired
		/// departure records it forgets in one block.
		#[pallet::constant]
		type MaxSweepPerBlock: Get<u32>;

		/// How many eras back an offence may be reported.
		#[pallet::constant]
		type ReportWindow: Get<EraIndex>;

		/// Keep every restaker *covered*: the sum over its services of `allocation x worst case`
		/// (the service's largest rule fraction) is at most its stake, so that if every service
		/// slashed its worst case for the same era, every claim would be paid in full. Opt-ins and
		/// raises that would break it are refused (`CoverageExceeded`); a stake loss scales the
		/// allocations back (see [`positions`]). Off, coverage is only shown.
		#[pallet::constant]
		type FullCoverage: Get<bool>;

		/// The chain-wide breaker: service slashes due in one era may take at most this fraction
		/// of the total bonded stake ([`SlashingAdapter::total_bonded`]); a report that would
		/// cross it is held until governance approves it, and dropped at its apply era otherwise.
		/// `None`: no breaker.
		#[pallet::constant]
		type SlashBreaker: Get<Option<Perbill>>;

		/// The currency rewards are paid in: the staking currency.
		type Currency: frame_support::traits::fungible::Mutate<
			Self::AccountId,
			Balance = Self::Balance,
		>;

		/// Derives each service's reward pot account.
		#[pallet::constant]
		type PalletId: Get<frame_support::PalletId>;

		/// Eras in a year, to annualise the yields of `risk_figures` (365.25 days over the era's
		/// length).
		#[pallet::constant]
		type ErasPerYear: Get<u32>;

		/// How many completed eras the yields of `risk_figures` cover; each service keeps its
		/// fundings of that many eras and the active one ([`FundingHistory`]).
		#[pallet::constant]
		type YieldWindow: Get<u32>;

		/// Most restakers one `risk_figures` call reads; the caller follows `next` for the rest.
		#[pallet::constant]
		type MaxRiskScan: Get<u32>;

		/// Most delegators one operator can have, counting past ones a report can still reach;
		/// `delegate` is refused beyond it (`TooManyDelegators`).
		#[pallet::constant]
		type MaxDelegatorsPerOperator: Get<u32>;

		/// The highest commission an operator may set.
		#[pallet::constant]
		type MaxCommission: Get<Perbill>;

		/// Most delegators the pages of [`DelegatorJobs`] visit in one block; the rest wait a
		/// block.
		#[pallet::constant]
		type MaxDelegatorSlashesPerBlock: Get<u32>;

		/// Most reports against operators with delegators that one service can have landing in
		/// one era; a report past it is refused (`TooManyOperatorSlashes`) and can be filed in
		/// the next era. `integrity_test` checks that every service at this bound, each report
		/// visiting `MaxDelegatorsPerOperator + 1` delegators, fits the pages of one era
		/// (`BlocksPerEra x MaxDelegatorSlashesPerBlock`): then every page lands within the era
		/// after the operator's slash, before any slashed chunk can be withdrawn.
		#[pallet::constant]
		type MaxOperatorSlashesPerEra: Get<u32>;

		/// Blocks in an era (sessions per era x blocks per session): what the pages of an era
		/// can count on.
		#[pallet::constant]
		type BlocksPerEra: Get<u32>;

		/// The runtime's assets pallet: each liquid restaking pool's shares are one of its
		/// assets, created with the pool account as owner and admin, so that only this pallet
		/// mints or burns them.
		type Assets: frame_support::traits::fungibles::Inspect<Self::AccountId, Balance = Self::Balance>
			+ frame_support::traits::fungibles::Mutate<Self::AccountId>
			+ frame_support::traits::fungibles::Create<Self::AccountId>;

		/// The asset id of a pool's shares, from the pool id: a range of ids the runtime keeps
		/// for pools.
		type PoolAsset: sp_runtime::traits::Convert<PoolId, AssetIdOf<Self>>;

		/// The least a pool's creator bonds (at least `MinStakeFloor`): the pool's own shares,
		/// never redeemed while it lives, which make the first-depositor attack unprofitable.
		#[pallet::constant]
		type MinPoolDeposit: Get<BalanceOf<Self>>;

		/// Most pools.
		#[pallet::constant]
		type MaxPools: Get<u32>;

		/// Most eras with unredeemed claims one holder has on one pool (one per era it
		/// redeemed in, until it withdraws).
		#[pallet::constant]
		type MaxRedemptions: Get<u32>;

		/// Eras a change that adds to a pool's risk waits before it applies (a service its
		/// operator joins): at least the unbonding duration and the withdraw lead, so that
		/// every holder can redeem and withdraw first (`integrity_test`).
		#[pallet::constant]
		type PoolNotice: Get<EraIndex>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Id the next registered service gets.
	#[pallet::storage]
	pub type NextServiceId<T> = StorageValue<_, ServiceId, ValueQuery>;

	/// Registered services.
	#[pallet::storage]
	pub type Services<T: Config> = CountedStorageMap<_, Twox64Concat, ServiceId, ServiceOf<T>>;

	/// Each restaker's position in each of its services.
	#[pallet::storage]
	pub type Positions<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, ServiceId, PositionOf<T>>;

	/// Each restaker's services and total allocation.
	#[pallet::storage]
	pub type Restakers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, RestakerLedgerOf<T>>;

	/// Id the next reported slash gets.
	#[pallet::storage]
	pub type NextSlashId<T> = StorageValue<_, SlashId, ValueQuery>;

	/// Scheduled slashes, by id.
	#[pallet::storage]
	pub type Slashes<T: Config> = StorageMap<_, Twox64Concat, SlashId, PendingSlashOf<T>>;

	/// Each service's scheduled slashes, at most `MaxPendingSlashesPerService`.
	#[pallet::storage]
	pub type ServiceSlashes<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ServiceId,
		BoundedVec<SlashId, T::MaxPendingSlashesPerService>,
		ValueQuery,
	>;

	/// Scheduled slashes by the era they apply in, for the era-boundary path.
	#[pallet::storage]
	pub type DueSlashes<T: Config> =
		StorageDoubleMap<_, Twox64Concat, EraIndex, Twox64Concat, SlashId, ()>;

	/// Oldest apply era that may still hold slashes in [`DueSlashes`].
	#[pallet::storage]
	pub type DueCursor<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// Every report of an offender by a service for an offence era, at most one per rule: what
	/// each scheduled, so that together they slash at most the largest fraction (max, not sum).
	/// Pruned once the offence era is out of the report window.
	#[pallet::storage]
	pub type ReportedOffences<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EraIndex,
		Blake2_128Concat,
		(ServiceId, T::AccountId),
		BoundedVec<OffenceReport<BalanceOf<T>>, T::MaxRules>,
		ValueQuery,
	>;

	/// Oldest offence era whose duplicate records may still be stored.
	#[pallet::storage]
	pub type OffencePruneCursor<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// Restakers whose bonded stake fell (slash, withdrawal, unstake) and whose exposures await
	/// a re-sync.
	#[pallet::storage]
	pub type PendingCascades<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// Positions that left a service, kept until offences from their time are too old to
	/// report, so that leaving (or being ejected) never escapes a slash.
	#[pallet::storage]
	pub type Departures<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ServiceId,
		DepartureOf<T>,
	>;

	/// Departure records by the first era in which they can no longer be reported, so they are
	/// forgotten then (at most `MaxSweepPerBlock` per block).
	#[pallet::storage]
	pub type DepartureExpiries<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EraIndex,
		Blake2_128Concat,
		(T::AccountId, ServiceId),
		(),
	>;

	/// Oldest expiry era that may still hold records in [`DepartureExpiries`].
	#[pallet::storage]
	pub type DepartureCursor<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// Era in which the sweep's current (or last) lap started. A lap visits every restaker once,
	/// `MaxSweepPerBlock` a block, and brings stale ones up to date; a new lap starts when the
	/// last one is done and the era has changed since it started.
	#[pallet::storage]
	pub type SweepEra<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// The last restaker the current lap of the sweep reached; `None` between laps.
	#[pallet::storage]
	pub type SweepCursor<T: Config> = StorageValue<_, T::AccountId>;

	/// Each service's accumulated reward per unit of exposure, scaled by
	/// [`rewards::REWARD_SCALE`].
	#[pallet::storage]
	pub type RewardPerExposure<T> = StorageMap<_, Twox64Concat, ServiceId, u128, ValueQuery>;

	/// Rewards settled to a restaker in a service and not yet claimed; they outlive the position.
	#[pallet::storage]
	pub type UnclaimedRewards<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ServiceId,
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Era of each service's last `update_service`: a longer dispute window shortens what its
	/// restakers' unlocking chunks count for, which their exposures show from their next sync.
	#[pallet::storage]
	pub type ParamsUpdatedEra<T> = StorageMap<_, Twox64Concat, ServiceId, EraIndex>;

	/// Harsher parameters of a service waiting for their effective era (see
	/// [`Pallet::do_update_service`]).
	#[pallet::storage]
	pub type PendingRuleChanges<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ServiceId,
		RuleChange<T::AccountId, BalanceOf<T>, T::MaxNameLen, T::MaxRules>,
	>;

	/// The rules a service had before its last harsher change took effect, for offences from
	/// before then that can still be reported.
	#[pallet::storage]
	pub type PastServiceRules<T: Config> =
		StorageMap<_, Twox64Concat, ServiceId, PastRules<T::MaxNameLen, T::MaxRules>>;

	/// Last active era in which due rule changes were put in force.
	#[pallet::storage]
	pub type RuleChangesEra<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// Each service's reward fundings by era, for its organic yield: the yield window's eras
	/// and the active one, oldest first. Written only by [`Pallet::do_fund_rewards`].
	#[pallet::storage]
	pub type FundingHistory<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ServiceId,
		BoundedVec<EraFunding<BalanceOf<T>>, YieldHistoryLen<T>>,
		ValueQuery,
	>;

	/// What the breaker let through for each apply era that still has slashes to land.
	#[pallet::storage]
	pub type SlashBudgets<T: Config> =
		StorageMap<_, Twox64Concat, EraIndex, SlashBudget<BalanceOf<T>>>;

	/// Operators, by account.
	#[pallet::storage]
	pub type Operators<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Operator>;

	/// Each delegator's delegation.
	#[pallet::storage]
	pub type Delegations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, DelegationOf<T>>;

	/// Each operator's delegators, current and past ones a report against it can still reach:
	/// the pages of a report walk them. The value is the era from which a past delegator can no
	/// longer be reached (`None` while it delegates).
	#[pallet::storage]
	pub type OperatorDelegators<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		Option<EraIndex>,
		ValueQuery,
	>;

	/// Reports against operators (and operators' ejections) still to land on their delegators,
	/// by the id of the operator's slash (ejections take ids of their own).
	#[pallet::storage]
	pub type DelegatorJobs<T: Config> =
		StorageMap<_, Twox64Concat, SlashId, DelegatorJob<T::AccountId>>;

	/// Largest fraction each delegator was slashed by through operator reports, by offence era
	/// and `(service, delegator)`: max, not sum, across reports and operators. Kept for the
	/// bonding duration, past the last page that can reach the era.
	#[pallet::storage]
	pub type DelegatorOffences<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EraIndex,
		Blake2_128Concat,
		(ServiceId, T::AccountId),
		Perbill,
		ValueQuery,
	>;

	/// The reports against each operator still to land on its delegators ([`DelegatorJobs`]
	/// with a fraction), by operator: what a pool's pending slashes are read from.
	#[pallet::storage]
	pub type OperatorJobs<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, SlashId, ()>;

	/// Id the next pool gets.
	#[pallet::storage]
	pub type NextPoolId<T> = StorageValue<_, PoolId, ValueQuery>;

	/// Liquid restaking pools.
	#[pallet::storage]
	pub type Pools<T: Config> = CountedStorageMap<_, Twox64Concat, PoolId, PoolOf<T>>;

	/// The pool of each pool account, for the staking hook.
	#[pallet::storage]
	pub type PoolAccounts<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PoolId>;

	/// Each pool's unbonding sub-pools, by the era their chunk unlocks: the redeemed stake
	/// (`balance`, lowered by slashes that reach the chunk) and the holders' points on it.
	#[pallet::storage]
	pub type SubPools<T: Config> =
		StorageDoubleMap<_, Twox64Concat, PoolId, Twox64Concat, EraIndex, SubPool<BalanceOf<T>>>;

	/// Services each pool backs from an era to come, after its notice: `(service, era it
	/// takes effect)`, oldest first.
	#[pallet::storage]
	pub type PoolTermChanges<T: Config> = StorageMap<
		_,
		Twox64Concat,
		PoolId,
		BoundedVec<(ServiceId, EraIndex), T::MaxServicesPerRestaker>,
		ValueQuery,
	>;

	/// Each pool's operator change waiting for its notice (`set_pool_operator`).
	#[pallet::storage]
	pub type PoolOperatorChanges<T: Config> =
		StorageMap<_, Twox64Concat, PoolId, PoolOperatorChangeOf<T>>;

	/// Each pool's nominations waiting for its notice (`set_pool_nominations`): the targets and
	/// the era they are nominated from.
	#[pallet::storage]
	pub type PoolNominationChanges<T: Config> =
		StorageMap<_, Twox64Concat, PoolId, (BoundedVec<T::AccountId, ConstU32<16>>, EraIndex)>;

	/// Each holder's claims on a pool's sub-pools.
	#[pallet::storage]
	pub type Redemptions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		PoolId,
		Blake2_128Concat,
		T::AccountId,
		RedemptionsOf<T>,
		ValueQuery,
	>;

	/// Oldest offence era whose [`DelegatorOffences`] may still be stored.
	#[pallet::storage]
	pub type DelegatorOffenceCursor<T> = StorageValue<_, EraIndex, ValueQuery>;

	/// Ready delegator jobs, first in first out in each [`JobLane`]: the pages of
	/// `on_initialize` take the oldest report first, ejections after. Indexed from
	/// [`DelegatorJobHead`] (the oldest) to [`DelegatorJobTail`] (the next free).
	#[pallet::storage]
	pub type DelegatorJobQueue<T> =
		StorageDoubleMap<_, Twox64Concat, JobLane, Twox64Concat, u32, SlashId>;

	/// Index of the oldest ready job of each lane in [`DelegatorJobQueue`].
	#[pallet::storage]
	pub type DelegatorJobHead<T> = StorageMap<_, Twox64Concat, JobLane, u32, ValueQuery>;

	/// Index the next ready job of each lane takes in [`DelegatorJobQueue`].
	#[pallet::storage]
	pub type DelegatorJobTail<T> = StorageMap<_, Twox64Concat, JobLane, u32, ValueQuery>;

	/// Reports against operators with delegators still to land on them, by the era their
	/// operator's slash lands in and service: at most `MaxOperatorSlashesPerEra`. A job that
	/// is done, cancelled or dropped no longer counts.
	#[pallet::storage]
	pub type OperatorSlashesLanding<T> =
		StorageDoubleMap<_, Twox64Concat, EraIndex, Twox64Concat, ServiceId, u32, ValueQuery>;

	/// Services and opt-ins to set up at genesis, e.g. a sample service on a dev chain.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Services to register, in order: the first gets id 0.
		pub services: alloc::vec::Vec<GenesisService<T::AccountId, BalanceOf<T>>>,
		/// `(stash, service, amount)` opt-ins; the stash must be bonded in staking's genesis.
		pub opt_ins: alloc::vec::Vec<(T::AccountId, ServiceId, BalanceOf<T>)>,
		/// `(stash, commission)`: operators, after the opt-ins.
		pub operators: alloc::vec::Vec<(T::AccountId, Perbill)>,
		/// `(creator, operator, deposit)`: liquid restaking pools, after the operators; the
		/// first gets id 0. The creator pays the deposit and manages the pool.
		pub pools: alloc::vec::Vec<(T::AccountId, T::AccountId, BalanceOf<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for service in &self.services {
				let params = service.clone().into_params::<T>();
				// Genesis is built once, off-chain: a bad preset must stop the chain spec build.
				#[allow(clippy::expect_used)]
				let params = params.expect("genesis service names and rules fit their bounds");
				#[allow(clippy::expect_used)]
				Pallet::<T>::do_register_service(params).expect("genesis service is valid");
			}
			for (who, service, amount) in &self.opt_ins {
				#[allow(clippy::expect_used)]
				Pallet::<T>::do_opt_in(who.clone(), *service, *amount)
					.expect("genesis opt-in is valid: bonded stash, known service");
			}
			for (who, commission) in &self.operators {
				#[allow(clippy::expect_used)]
				Pallet::<T>::do_set_operator(who.clone(), *commission)
					.expect("genesis operator is a bonded stash");
			}
			for (creator, operator, deposit) in &self.pools {
				#[allow(clippy::expect_used)]
				Pallet::<T>::do_create_pool(creator.clone(), operator.clone(), *deposit)
					.expect("genesis pool: funded creator, an operator, at least MinPoolDeposit");
			}
		}
	}

	/// Events of this pallet. Field names say what they carry: `who`/`offender` a stash,
	/// `service` a service id, `amount` a balance, `*_era` an era index.
	#[allow(missing_docs)]
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A service was registered.
		ServiceRegistered { service: ServiceId, slasher: T::AccountId },
		/// A service's parameters were replaced.
		ServiceUpdated { service: ServiceId },
		/// A service was paused, resumed or retired.
		ServiceStatusChanged { service: ServiceId, status: ServiceStatus },
		/// A stash allocated `amount` of its bonded stake to a service.
		OptedIn { who: T::AccountId, service: ServiceId, amount: BalanceOf<T> },
		/// An allocation was raised to `amount`; slashes count it from the next era on.
		AllocationRaised { who: T::AccountId, service: ServiceId, amount: BalanceOf<T> },
		/// An allocation will be lowered to `amount` once `release_era` is active.
		AllocationDecreaseScheduled {
			who: T::AccountId,
			service: ServiceId,
			amount: BalanceOf<T>,
			release_era: EraIndex,
		},
		/// A scheduled decrease took effect: the allocation is now `amount`.
		AllocationDecreased { who: T::AccountId, service: ServiceId, amount: BalanceOf<T> },
		/// A restaker will leave a service once `release_era` is active; slashable until then.
		OptOutScheduled { who: T::AccountId, service: ServiceId, release_era: EraIndex },
		/// A restaker's allocation to a service was released.
		OptedOut { who: T::AccountId, service: ServiceId },
		/// An offence was reported; the slash applies from `apply_era` unless cancelled.
		SlashScheduled {
			slash_id: SlashId,
			service: ServiceId,
			offender: T::AccountId,
			rule: RuleIndex,
			offence_era: EraIndex,
			amount: BalanceOf<T>,
			apply_era: EraIndex,
		},
		/// A report would cross its apply era's breaker budget (`cap_left` was left): the slash
		/// lands only if governance approves it before `apply_era`.
		SlashHeld {
			slash_id: SlashId,
			service: ServiceId,
			amount: BalanceOf<T>,
			cap_left: BalanceOf<T>,
			apply_era: EraIndex,
		},
		/// Governance approved a held slash: it lands at its apply era.
		SlashApproved { slash_id: SlashId },
		/// Governance approved every held slash of a service.
		HeldSlashesApproved { service: ServiceId, count: u32 },
		/// A held slash reached its apply era unapproved and was dropped.
		HeldSlashDropped {
			slash_id: SlashId,
			service: ServiceId,
			offender: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// A harsher update of a service's slashing terms takes effect in `effective_era`, for
		/// every restaker; until then the gentler of the old and new terms apply.
		RuleChangeScheduled { service: ServiceId, effective_era: EraIndex },
		/// A scheduled rule change took effect.
		RuleChangeApplied { service: ServiceId },
		/// Governance cancelled a scheduled slash.
		SlashCancelled { slash_id: SlashId },
		/// Governance cancelled every slash of a service still in its dispute window.
		AllSlashesCancelled { service: ServiceId, count: u32 },
		/// A stake loss pushed a restaker's allocations above `MaxLeverage x` its slashable
		/// stake, or (with `FullCoverage`) its worst-case claims above that stake; each was
		/// scaled down pro rata, to `total_allocated` in all.
		AllocationsScaled { who: T::AccountId, total_allocated: BalanceOf<T> },
		/// A slash was applied to the offender's bonded ledger; `amount` is what it took.
		SlashApplied {
			slash_id: SlashId,
			service: ServiceId,
			offender: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// A cascade lowered a restaker's exposure to a service by `amount`, to `exposure`.
		ExposureReduced {
			who: T::AccountId,
			service: ServiceId,
			amount: BalanceOf<T>,
			exposure: BalanceOf<T>,
		},
		/// A restaker was removed from a service, by an ejecting rule or by falling below
		/// `min_stake`.
		Ejected { who: T::AccountId, service: ServiceId },
		/// `who` put `amount` into a service's reward pot, shared over the current exposures.
		RewardsFunded { service: ServiceId, who: T::AccountId, amount: BalanceOf<T> },
		/// A restaker was paid `amount` of a service's rewards.
		RewardsClaimed { who: T::AccountId, service: ServiceId, amount: BalanceOf<T> },
		/// A restaker became an operator, or changed its commission at once (a decrease).
		OperatorSet { who: T::AccountId, commission: Perbill },
		/// An operator's commission increase applies from `from_era`.
		CommissionIncreaseScheduled { who: T::AccountId, commission: Perbill, from_era: EraIndex },
		/// An operator takes no new delegations.
		OperatorStopped { who: T::AccountId },
		/// `who` delegates `amount` to `operator`.
		Delegated { who: T::AccountId, operator: T::AccountId, amount: BalanceOf<T> },
		/// `who` leaves its operator: each of its positions is released at its service's exit
		/// delay, the last in `until`.
		Undelegated { who: T::AccountId, operator: T::AccountId, until: EraIndex },
		/// `who` moved from `from` to `to`; `from`'s services keep its stake until `until`.
		Redelegated { who: T::AccountId, from: T::AccountId, to: T::AccountId, until: EraIndex },
		/// A delegator does not back this service of its operator: it excluded it, or the
		/// service could not take it (its caps, its `min_stake`, a recent exit).
		ServiceExcluded { who: T::AccountId, service: ServiceId },
		/// A delegator backs this service of its operator again, from the next era.
		ServiceIncluded { who: T::AccountId, service: ServiceId },
		/// A report against an operator landed on one of its delegators: `amount` taken.
		DelegatorSlashed {
			slash_id: SlashId,
			service: ServiceId,
			who: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// A delegator's part of a report against its operator did not fit the era's breaker
		/// budget, and governance had not approved the operator's slash: it was dropped.
		DelegatorSlashDropped {
			slash_id: SlashId,
			service: ServiceId,
			who: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// Every delegator of a report against an operator was reached.
		DelegatorSlashesDone { slash_id: SlashId },
		/// `who` changed its delegation to `amount`: each position backing its operator raised
		/// from the next era (`AllocationRaised`) or lowered at its service's exit delay
		/// (`AllocationDecreaseScheduled`).
		DelegationSet { who: T::AccountId, amount: BalanceOf<T> },
		/// `manager` created pool `pool`, bonding `deposit` and delegating it to `operator`.
		PoolCreated {
			pool: PoolId,
			manager: T::AccountId,
			operator: T::AccountId,
			deposit: BalanceOf<T>,
		},
		/// `who` bonded `amount` into pool `pool` for `shares` shares.
		PoolJoined { pool: PoolId, who: T::AccountId, amount: BalanceOf<T>, shares: BalanceOf<T> },
		/// `who` burnt `shares` shares of pool `pool`, unbonding `amount` into the sub-pool of
		/// `era`, when its chunk unlocks.
		PoolRedeemed {
			pool: PoolId,
			who: T::AccountId,
			shares: BalanceOf<T>,
			amount: BalanceOf<T>,
			era: EraIndex,
		},
		/// `who` withdrew `amount` of its matured claims on pool `pool`.
		PoolWithdrawn { pool: PoolId, who: T::AccountId, amount: BalanceOf<T> },
		/// Pool `pool`'s operator joined `service`: the pool backs it from `effective_era` on,
		/// after its notice, unless its terms change before.
		PoolServiceScheduled { pool: PoolId, service: ServiceId, effective_era: EraIndex },
		/// Pool `pool` took `service` into its terms: it backs it from the next era.
		PoolServiceAdded { pool: PoolId, service: ServiceId },
		/// Pool `pool` claimed `amount` of service rewards and bonded it: its rate rose.
		PoolCompounded { pool: PoolId, amount: BalanceOf<T> },
		/// Pool `pool`'s manager is now `manager`.
		PoolManagerSet { pool: PoolId, manager: T::AccountId },
		/// Pool `pool` will not take `service` into its terms: the change scheduled for it is
		/// dropped.
		PoolServiceUnscheduled { pool: PoolId, service: ServiceId },
		/// Pool `pool` delegates to `operator` from `effective_era` on, after its notice (see
		/// `apply_pool_terms`), with the services `operator` is in now.
		PoolOperatorScheduled { pool: PoolId, operator: T::AccountId, effective_era: EraIndex },
		/// Pool `pool` delegates to `operator` now: its stake backs the operator's announced
		/// services from the next era.
		PoolOperatorSet { pool: PoolId, operator: T::AccountId },
		/// Pool `pool` nominates `targets` validators its manager chose (its operator does not
		/// validate); zero: it nominates no one.
		PoolNominated { pool: PoolId, targets: u32 },
		/// Pool `pool` nominates the targets its manager chose from `effective_era` on, after its
		/// notice (see `apply_pool_terms`).
		PoolNominationsScheduled { pool: PoolId, effective_era: EraIndex },
		/// The manager cancelled pool `pool`'s operator change.
		PoolOperatorCancelled { pool: PoolId },
		/// Pool `pool`'s move to `operator` was due but refused with `error`: it stays
		/// scheduled (`apply_pool_terms` tries again) unless the manager cancels it.
		PoolOperatorRefused { pool: PoolId, operator: T::AccountId, error: DispatchError },
	}

	/// Reasons a call is refused. Every refusal leaves storage untouched.
	#[pallet::error]
	pub enum Error<T> {
		/// No service has this id.
		UnknownService,
		/// The service is paused.
		ServicePaused,
		/// The service is retired.
		ServiceRetired,
		/// A retired service cannot change status again.
		AlreadyRetired,
		/// `MaxServices` services are registered already.
		TooManyRegisteredServices,
		/// A slashing rule's fraction is zero.
		ZeroFraction,
		/// `ReportWindow + dispute_window + 1` plus the staking system's withdraw lead (one era on
		/// pallet-staking) must be shorter than the staking bonding duration, or stake could be
		/// withdrawn before its slash, or the pages that pass it on to an operator's delegators,
		/// land.
		WindowsExceedBondingDuration,
		/// The stash is not bonded in staking.
		NotBonded,
		/// The stash is a virtual staker, whose funds another pallet slashes.
		VirtualStaker,
		/// The stash's controller is another account; make the stash its own controller first.
		LegacyController,
		/// The stash left this service recently; offences from its time there can still be
		/// reported, so it may rejoin only once they are out of the report window.
		RecentlyExited,
		/// Only validators may join this service.
		NotValidator,
		/// The allocation is below the service's `min_stake`.
		BelowMinStake,
		/// An allocation cannot exceed the stash's active stake.
		InsufficientStake,
		/// The allocations would exceed `MaxLeverage` times the active stake: those promised
		/// (raises count once accepted, decreases until released) and, for an opt-in, those
		/// ejected this era, which back their services until the next one.
		LeverageExceeded,
		/// The restaker is in `MaxServicesPerRestaker` services already.
		TooManyServices,
		/// The stash already has a position in this service.
		AlreadyOptedIn,
		/// The stash has no position in this service.
		NotOptedIn,
		/// An allocation must be above zero; use `opt_out` to leave.
		ZeroAllocation,
		/// The allocation already has this value.
		AllocationUnchanged,
		/// The restaker is leaving this service.
		ExitInProgress,
		/// Nothing is scheduled to be released.
		NoExitScheduled,
		/// The exit delay has not passed yet.
		ExitDelayNotPassed,
		/// Only the service's slasher account may report offences for it.
		NotSlasher,
		/// The service has no rule with this index.
		UnknownRule,
		/// The offence era is after the active era.
		OffenceInFuture,
		/// The offence is older than `ReportWindow` eras.
		OffenceTooOld,
		/// The offender was not exposed to the service in the offence era.
		NotExposedAtEra,
		/// This offence was already reported.
		DuplicateOffence,
		/// This service has `MaxPendingSlashesPerService` slashes scheduled already.
		TooManyPendingSlashes,
		/// The report would slash nothing: no stake of the offender that backed the service then
		/// is still reachable.
		NothingToSlash,
		/// A service's `exit_delay` must be at least one era, or an offender could leave in the
		/// era of its offence.
		ZeroExitDelay,
		/// A service's `dispute_window` must be at least one era, so governance can cancel.
		ZeroDisputeWindow,
		/// The position's allocation history is full; unreachable while the history bound holds.
		AllocationHistoryFull,
		/// No scheduled slash has this id.
		UnknownSlash,
		/// The dispute window of this slash has closed.
		DisputeWindowClosed,
		/// The slash is still in its dispute window.
		SlashNotDue,
		/// Nobody is exposed to the service: a funding would have no one to pay.
		NoExposure,
		/// The funding is too small to pay anyone (or only keeps an empty pot alive).
		FundingBelowMinimum,
		/// The reward accumulator would overflow.
		RewardOverflow,
		/// There is nothing to claim.
		NothingToClaim,
		/// Earlier reports of this offence already slash at least this rule's fraction, and
		/// eject if it does: the report would add nothing (max, not sum).
		OffenceAlreadySlashed,
		/// The rule was not in force in the offence era: it came with a later rule change.
		RuleNotInForce,
		/// With `FullCoverage`, the restaker's worst-case claims (`allocation x worst case`
		/// summed over its services, and for an opt-in over the positions ejected this era)
		/// would exceed its active stake.
		CoverageExceeded,
		/// The allocations promised to the service (and those ejected from it that still back
		/// it in the era the change takes effect) would exceed its `max_share` of the total
		/// bonded stake.
		ConcentrationExceeded,
		/// The slash is not held by the breaker.
		NotHeld,
		/// The service's `min_stake` is below the runtime's `MinStakeFloor`.
		MinStakeBelowFloor,
		/// The commission is above the runtime's `MaxCommission`.
		CommissionTooHigh,
		/// The account is not an operator.
		NotOperator,
		/// The operator takes no new delegations.
		OperatorNotAccepting,
		/// The operator has `MaxDelegatorsPerOperator` delegators already.
		TooManyDelegators,
		/// The stash delegates: its positions follow its operator (use the delegation calls).
		Delegating,
		/// The stash has positions of its own, or is an operator: it cannot delegate.
		AlreadyRestaking,
		/// The stash has no delegation.
		NotDelegating,
		/// The delegation is ending already.
		UndelegationInProgress,
		/// The stash redelegated recently; reports against its former operator for that time
		/// can still be filed, so it may move again only once they are over.
		RecentlyRedelegated,
		/// The delegation already excludes this service.
		AlreadyExcluded,
		/// The delegation does not exclude this service.
		NotExcluded,
		/// The stash delegates to this operator already.
		SameOperator,
		/// A delegator is reached through its operator's reports, not reported itself.
		ReportTheOperator,
		/// No delegator job has this id.
		UnknownJob,
		/// The job's operator slash has not landed yet.
		JobNotReady,
		/// The service has `MaxOperatorSlashesPerEra` reports against operators with delegators
		/// landing in that era already: report again in the next era.
		TooManyOperatorSlashes,
		/// A report against the operator is being landed on its delegators, in pages: it takes
		/// new delegators once the pages are done, within a few blocks.
		OperatorPaging,
		/// The stash can unbond faster than a slash of this service lands (pallet-staking-async
		/// lets nominators unbond in `NominatorFastUnbondDuration` eras while
		/// `AreNominatorsSlashable` is false): its stake could be withdrawn before any slash.
		UnbondingTooShort,
		/// A pool's creation deposit is below `MinPoolDeposit`.
		PoolDepositTooLow,
		/// `MaxPools` pools exist.
		TooManyPools,
		/// No pool has this id.
		UnknownPool,
		/// The pool's pending slashes take all its stake: it takes no joins.
		PoolInsolvent,
		/// The amount is too small for one share, or the shares for one unit of stake.
		NoShares,
		/// The caller holds fewer shares of the pool.
		InsufficientShares,
		/// The caller has claims on `MaxRedemptions` eras of the pool: it withdraws first.
		TooManyRedemptions,
		/// None of the caller's claims on the pool has matured.
		NothingToWithdraw,
		/// A slash reported against the pool's stake has not landed: joins wait for it (or
		/// its cancellation), so that no join bears an offence it had no part in.
		PoolSlashPending,
		/// None of the pool's scheduled changes has reached its effective era, and the pool does
		/// not miss its validating operator's nomination.
		NoTermsDue,
		/// Only the pool's manager may change its terms.
		NotPoolManager,
		/// The service is already scheduled to enter the pool's terms.
		AlreadyScheduled,
		/// The pool's operator validates: the pool nominates it and no one else.
		OperatorValidates,
		/// More nomination targets than a pool takes (16).
		TooManyTargets,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::on_initialize_impl()
		}

		fn on_idle(_n: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			let used = Self::process_cascades_within(remaining_weight);
			used.saturating_add(Self::sweep_within(remaining_weight.saturating_sub(used)))
		}

		fn integrity_test() {
			// A dispute window of one era must be possible, with one era more for the pages of
			// reports against operators and the staking system's withdraw lead (one era on
			// pallet-staking, whose `CurrentEra` runs ahead of the active era).
			assert!(
				Pallet::<T>::unbonding_covers(
					T::Staking::bonding_duration(),
					T::Slashing::withdraw_lead(),
					2
				),
				"ReportWindow + 2 + the withdraw lead must be shorter than the bonding duration",
			);
			assert!(
				T::PoolNotice::get()
					>= T::Staking::bonding_duration().saturating_add(T::Slashing::withdraw_lead()),
				"PoolNotice must give every holder the time to redeem and withdraw",
			);
			assert!(T::MaxLeverage::get() > 0, "MaxLeverage must be at least 1");
			assert!(T::MaxSlashesPerBlock::get() > 0, "MaxSlashesPerBlock must be at least 1");
			assert!(T::MaxCascadesPerBlock::get() > 0, "MaxCascadesPerBlock must be at least 1");
			assert!(T::MaxSweepPerBlock::get() > 0, "MaxSweepPerBlock must be at least 1");
			assert!(
				T::MaxPendingSlashesPerService::get() > 0,
				"MaxPendingSlashesPerService must be at least 1"
			);
			assert!(T::MaxRiskScan::get() > 0, "MaxRiskScan must be at least 1");
			assert!(
				T::MaxDelegatorSlashesPerBlock::get() > 0,
				"MaxDelegatorSlashesPerBlock must be at least 1"
			);
			assert!(
				T::MaxDelegatorsPerOperator::get() > 0,
				"MaxDelegatorsPerOperator must be at least 1"
			);
			assert!(
				T::MaxOperatorSlashesPerEra::get() > 0,
				"MaxOperatorSlashesPerEra must be at least 1"
			);
			// Operators' slashes land in their apply era (their delegators' pages wait for them).
			assert!(
				T::MaxServices::get().saturating_mul(T::MaxPendingSlashesPerService::get())
					<= T::BlocksPerEra::get().saturating_mul(T::MaxSlashesPerBlock::get()),
				"MaxServices x MaxPendingSlashesPerService due slashes must land within \
				 BlocksPerEra x MaxSlashesPerBlock",
			);
			assert!(
				Self::delegator_visits_per_era() <= Self::delegator_page_capacity(),
				"MaxServices x MaxOperatorSlashesPerEra x (MaxDelegatorsPerOperator + 1) delegator \
				 visits must fit BlocksPerEra x MaxDelegatorSlashesPerBlock",
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a new service with its slasher account and slashing rules.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_service())]
		pub fn register_service(
			origin: OriginFor<T>,
			params: ServiceParamsOf<T>,
		) -> DispatchResult {
			T::ServiceOrigin::ensure_origin(origin)?;
			Self::do_register_service(params).map(|_| ())
		}

		/// Replace a service's parameters. Scheduled slashes keep the amount and dispute window
		/// they were reported with. A harsher change makes every pool it would reach before the
		/// pool's notice leave the service, and take it back after.
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::update_service_weight(T::MaxPools::get()))]
		pub fn update_service(
			origin: OriginFor<T>,
			service: ServiceId,
			params: ServiceParamsOf<T>,
		) -> DispatchResultWithPostInfo {
			T::ServiceOrigin::ensure_origin(origin)?;
			let left = Self::do_update_service(service, params)?;
			// Charged for every pool leaving the service; refunded for those that did not.
			Ok(Some(Self::update_service_weight(left)).into())
		}

		/// Pause, resume or retire a service.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_service_status())]
		pub fn set_service_status(
			origin: OriginFor<T>,
			service: ServiceId,
			status: ServiceStatus,
		) -> DispatchResult {
			T::ServiceOrigin::ensure_origin(origin)?;
			Self::do_set_service_status(service, status)
		}

		/// Allocate `amount` of the caller's bonded stake to a service.
		///
		/// Charged for a re-sync of the caller, refunded when none was needed; plus the read of
		/// its validator status.
		#[pallet::call_index(3)]
		///
		/// An operator's delegators follow it into the service in pages, from `on_initialize`.
		#[pallet::weight(
			Pallet::<T>::opt_in_weight()
				.saturating_add(Pallet::<T>::sync_weight())
				.saturating_add(Pallet::<T>::fan_out_weight())
		)]
		pub fn opt_in(
			origin: OriginFor<T>,
			service: ServiceId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			// A delegation no report can reach any more is forgotten first.
			Self::expire_delegation(&who);
			ensure!(!Delegations::<T>::contains_key(&who), Error::<T>::Delegating);
			let stale = Self::is_stale(&who);
			let fan_out = Self::fan_out_weight_of(&who);
			Self::do_opt_in(who, service, amount)?;
			Ok(Self::refund_sync(Self::opt_in_weight().saturating_add(fan_out), stale))
		}

		/// Change an allocation: a raise counts from the next era, a decrease from the era the
		/// service's exit delay ends.
		#[pallet::call_index(4)]
		#[pallet::weight(
			T::WeightInfo::set_allocation()
				.saturating_add(Pallet::<T>::risk_reads())
				.saturating_add(Pallet::<T>::sync_weight())
		)]
		pub fn set_allocation(
			origin: OriginFor<T>,
			service: ServiceId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!Delegations::<T>::contains_key(&who), Error::<T>::Delegating);
			let stale = Self::is_stale(&who);
			Self::do_set_allocation(who, service, amount)?;
			Ok(Self::refund_sync(
				T::WeightInfo::set_allocation().saturating_add(Self::risk_reads()),
				stale,
			))
		}

		/// Schedule leaving a service; the allocation stays slashable for its exit delay.
		#[pallet::call_index(5)]
		///
		/// An operator's delegators leave the service with it, in pages from `on_initialize`.
		#[pallet::weight(
			T::WeightInfo::opt_out()
				.saturating_add(Pallet::<T>::sync_weight())
				.saturating_add(Pallet::<T>::fan_out_weight())
		)]
		pub fn opt_out(origin: OriginFor<T>, service: ServiceId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!Delegations::<T>::contains_key(&who), Error::<T>::Delegating);
			let stale = Self::is_stale(&who);
			let fan_out = Self::fan_out_weight_of(&who);
			Self::do_opt_out(who, service)?;
			Ok(Self::refund_sync(T::WeightInfo::opt_out().saturating_add(fan_out), stale))
		}

		/// Release `who`'s exit or decrease in a service once its exit delay has passed (the era
		/// sweep does it too).
		///
		/// It re-syncs every position of `who`: charged for the worst case (a re-sync of
		/// `MaxServicesPerRestaker` positions), refunded down to the positions it visited.
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::complete_opt_out_weight(T::MaxServicesPerRestaker::get()))]
		pub fn complete_opt_out(
			origin: OriginFor<T>,
			service: ServiceId,
			who: T::AccountId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let visited = Self::do_complete_opt_out(who, service)?;
			Ok(Some(Self::complete_opt_out_weight(visited)).into())
		}

		/// Report an offence of `offender` under one of the service's rules; signed by the
		/// service's slasher.
		#[pallet::call_index(7)]
		#[pallet::weight(
			T::WeightInfo::report_offence(RESTAKERS_WEIGHED)
				.max(T::WeightInfo::report_offence_against_operator(T::MaxDelegatorsPerOperator::get()))
				.saturating_add(Pallet::<T>::departure_read())
		)]
		pub fn report_offence(
			origin: OriginFor<T>,
			service: ServiceId,
			offender: T::AccountId,
			rule: RuleIndex,
			offence_era: EraIndex,
		) -> DispatchResult {
			let reporter = ensure_signed(origin)?;
			Self::do_report_offence(reporter, service, offender, rule, offence_era).map(|_| ())
		}

		/// Cancel a scheduled slash during its dispute window.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_slash())]
		pub fn cancel_slash(origin: OriginFor<T>, slash_id: SlashId) -> DispatchResult {
			T::SlashCancelOrigin::ensure_origin(origin)?;
			Self::do_cancel_slash(slash_id)
		}

		/// Apply a due slash that the automatic path has not reached yet.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::apply_slash(
			T::MaxServicesPerRestaker::get(),
			RESTAKERS_WEIGHED,
		))]
		pub fn apply_slash(origin: OriginFor<T>, slash_id: SlashId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_apply_due_slash(slash_id)
		}

		/// Put `amount` into a service's reward pot, shared pro rata to the current exposures.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::fund_rewards().saturating_add(Pallet::<T>::funding_record_weight()))]
		pub fn fund_rewards(
			origin: OriginFor<T>,
			service: ServiceId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_fund_rewards(who, service, amount)
		}

		/// Pay the caller its rewards from a service.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::claim_rewards())]
		pub fn claim_rewards(origin: OriginFor<T>, service: ServiceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim_rewards(who, service)
		}

		/// Cancel every slash of a service still in its dispute window: incident response to a
		/// compromised slasher. Slashes already due still land.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::cancel_all_slashes(T::MaxPendingSlashesPerService::get()))]
		pub fn cancel_all_slashes(origin: OriginFor<T>, service: ServiceId) -> DispatchResult {
			T::SlashCancelOrigin::ensure_origin(origin)?;
			Self::do_cancel_all_slashes(service).map(|_| ())
		}

		/// Bring `who`'s exposures up to date with its stake and the active era now: anyone (a
		/// service, a watcher) may call it, e.g. after an unbond or before funding rewards.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::resync(
			T::MaxServicesPerRestaker::get(),
			RESTAKERS_WEIGHED
		))]
		pub fn sync_restaker(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_sync_restaker(who)
		}

		/// Approve a slash the breaker held, during its dispute window: it lands at its apply era
		/// even though it crosses the era's budget.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::approve_slash())]
		pub fn approve_slash(origin: OriginFor<T>, slash_id: SlashId) -> DispatchResult {
			T::SlashCancelOrigin::ensure_origin(origin)?;
			Self::do_approve_slash(slash_id)
		}

		/// Approve every held slash of a service still in its dispute window, in one call.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::approve_held_slashes(
			T::MaxPendingSlashesPerService::get()
		))]
		pub fn approve_held_slashes(origin: OriginFor<T>, service: ServiceId) -> DispatchResult {
			T::SlashCancelOrigin::ensure_origin(origin)?;
			Self::do_approve_held_slashes(service).map(|_| ())
		}

		/// Become an operator with `commission` (at most `MaxCommission`), or change it: a
		/// decrease applies at once, an increase after the longest exit delay of the
		/// operator's services.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::set_operator())]
		pub fn set_operator(origin: OriginFor<T>, commission: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_operator(who, commission)
		}

		/// Take no new delegations; existing ones stay until they leave.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::stop_operating())]
		pub fn stop_operating(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_stop_operating(who)
		}

		/// Delegate `amount` of the caller's bonded stake to `operator`: it backs every service
		/// of the operator, now and later, but those the caller excludes.
		///
		/// Charged for an operator in `MaxServicesPerRestaker` services, refunded to its own.
		#[pallet::call_index(18)]
		#[pallet::weight(Pallet::<T>::delegation_call_weight(Pallet::<T>::delegate_weight))]
		pub fn delegate(
			origin: OriginFor<T>,
			operator: T::AccountId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let stale = Self::is_stale(&who);
			Self::do_delegate(who.clone(), operator, amount)?;
			Ok(Self::delegation_refund(&who, Self::delegate_weight, stale))
		}

		/// Leave the operator: each position is released after its service's exit delay.
		#[pallet::call_index(19)]
		#[pallet::weight(Pallet::<T>::delegation_call_weight(Pallet::<T>::undelegate_weight))]
		pub fn undelegate(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let stale = Self::is_stale(&who);
			Self::do_undelegate(who.clone())?;
			Ok(Self::delegation_refund(&who, Self::undelegate_weight, stale))
		}

		/// Stop backing one service of the operator, after that service's exit delay.
		#[pallet::call_index(20)]
		#[pallet::weight(
			T::WeightInfo::exclude_service().saturating_add(Pallet::<T>::sync_weight())
		)]
		pub fn exclude_service(origin: OriginFor<T>, service: ServiceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_exclude_service(who, service)
		}

		/// Back an excluded service of the operator again, from the next era.
		#[pallet::call_index(21)]
		#[pallet::weight(
			Pallet::<T>::include_service_weight().saturating_add(Pallet::<T>::sync_weight())
		)]
		pub fn include_service(origin: OriginFor<T>, service: ServiceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_include_service(who, service)
		}

		/// Move to `operator` without unbonding: the old operator's services keep the stake
		/// until their exit delays pass, the new operator's count it from the next era.
		#[pallet::call_index(22)]
		#[pallet::weight(Pallet::<T>::delegation_call_weight(Pallet::<T>::redelegate_weight))]
		pub fn redelegate(
			origin: OriginFor<T>,
			operator: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let stale = Self::is_stale(&who);
			Self::do_redelegate(who.clone(), operator)?;
			Ok(Self::delegation_refund(&who, Self::redelegate_weight, stale))
		}

		/// Land the next page of a report against an operator on its delegators, once the
		/// operator's slash has landed (`on_initialize` does it too). Charged for a full page,
		/// refunded to the delegators it visited.
		#[pallet::call_index(23)]
		#[pallet::weight(Pallet::<T>::delegator_page_weight(T::MaxDelegatorSlashesPerBlock::get()))]
		pub fn apply_delegator_slashes(
			origin: OriginFor<T>,
			job: SlashId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let visited =
				Self::do_apply_delegator_page(job, T::MaxDelegatorSlashesPerBlock::get())?;
			Ok(Some(Self::delegator_page_weight(visited)).into())
		}

		/// Change the delegated amount: a raise counts from the next era in every service the
		/// delegation backs, a decrease waits each service's exit delay, like `set_allocation`.
		/// All or nothing: refused if one service refuses its part.
		#[pallet::call_index(24)]
		#[pallet::weight(Pallet::<T>::delegation_call_weight(Pallet::<T>::set_delegation_weight))]
		pub fn set_delegation(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let stale = Self::is_stale(&who);
			Self::do_set_delegation(who.clone(), amount)?;
			Ok(Self::delegation_refund(&who, Self::set_delegation_weight, stale))
		}

		/// Create a liquid restaking pool delegating to `operator`: its keyless account bonds
		/// `deposit` from the caller (who becomes its manager) with its staking rewards `Staked`
		/// (so base rewards compound), nominates the operator where it validates, and delegates;
		/// `deposit` shares are minted to the pool account and stay there while the pool lives.
		#[pallet::call_index(25)]
		#[pallet::weight(T::WeightInfo::create_pool(T::MaxLeverage::get()))]
		pub fn create_pool(
			origin: OriginFor<T>,
			operator: T::AccountId,
			#[pallet::compact] deposit: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_create_pool(who, operator, deposit)
		}

		/// Bond `amount` into pool `pool` for `amount x supply / value` shares, rounded down.
		///
		/// Charged for a pool in `MaxServicesPerRestaker` services, refunded to its own.
		#[pallet::call_index(26)]
		#[pallet::weight(Pallet::<T>::join_weight(T::MaxServicesPerRestaker::get()))]
		pub fn join(
			origin: OriginFor<T>,
			pool: PoolId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let before = Self::pool_services(pool);
			Self::do_join(who, pool, amount)?;
			Ok(Self::pool_call_refund(pool, before, Self::join_weight))
		}

		/// Burn `shares` of pool `pool` and unbond their value into the sub-pool of the era
		/// its chunk unlocks.
		///
		/// Charged for a pool in `MaxServicesPerRestaker` services, refunded to its own.
		#[pallet::call_index(27)]
		#[pallet::weight(Pallet::<T>::redeem_weight(T::MaxServicesPerRestaker::get()))]
		pub fn redeem(
			origin: OriginFor<T>,
			pool: PoolId,
			#[pallet::compact] shares: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let before = Self::pool_services(pool);
			Self::do_redeem(who, pool, shares)?;
			Ok(Self::pool_call_refund(pool, before, Self::redeem_weight))
		}

		/// Pay the caller its matured claims on pool `pool`.
		#[pallet::call_index(28)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who, pool)
		}

		/// Claim pool `pool`'s service rewards and bond them: anyone may.
		#[pallet::call_index(30)]
		#[pallet::weight(T::WeightInfo::compound())]
		pub fn compound(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_compound(pool)
		}

		/// Apply pool `pool`'s scheduled term changes whose notice has passed, and nominate its
		/// validating operator again if the pool lost that nomination (kicked, chilled): anyone
		/// may.
		#[pallet::call_index(29)]
		#[pallet::weight(T::WeightInfo::apply_pool_terms().saturating_add(
			T::WeightInfo::include_service().saturating_mul(T::MaxServicesPerRestaker::get().into())
		))]
		pub fn apply_pool_terms(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_apply_pool_terms(pool)
		}

		/// Hand pool `pool`'s management to `manager`. Manager only.
		#[pallet::call_index(31)]
		#[pallet::weight(T::WeightInfo::set_pool_manager())]
		pub fn set_pool_manager(
			origin: OriginFor<T>,
			pool: PoolId,
			manager: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_pool_manager(who, pool, manager)
		}

		/// Take `service` out of pool `pool`'s terms, at once (it lowers the pool's risk): the
		/// pool leaves it at its exit delay, or a change scheduled for it is dropped. Manager
		/// only.
		#[pallet::call_index(32)]
		#[pallet::weight(T::WeightInfo::exclude_pool_service())]
		pub fn exclude_pool_service(
			origin: OriginFor<T>,
			pool: PoolId,
			service: ServiceId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_exclude_pool_service(who, pool, service)
		}

		/// Schedule `service`, one of the operator's the pool excludes, to enter pool `pool`'s
		/// terms after `PoolNotice` eras (`PoolServiceScheduled`). Manager only.
		#[pallet::call_index(33)]
		#[pallet::weight(T::WeightInfo::include_pool_service())]
		pub fn include_pool_service(
			origin: OriginFor<T>,
			pool: PoolId,
			service: ServiceId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_include_pool_service(who, pool, service)
		}

		/// Schedule pool `pool` to delegate to `operator` after `PoolNotice` eras
		/// (`PoolOperatorScheduled`), with the services `operator` is in now; one it joins
		/// later waits its own notice. Its current operator cancels a change waiting. Manager
		/// only.
		#[pallet::call_index(34)]
		#[pallet::weight(T::WeightInfo::set_pool_operator())]
		pub fn set_pool_operator(
			origin: OriginFor<T>,
			pool: PoolId,
			operator: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_pool_operator(who, pool, operator)
		}

		/// Nominate `targets` with pool `pool`'s stake after `PoolNotice` eras, where its operator
		/// does not validate (`OperatorValidates` otherwise); no targets: nominate no one, at
		/// once. Manager only.
		#[pallet::call_index(35)]
		#[pallet::weight(T::WeightInfo::set_pool_nominations())]
		pub fn set_pool_nominations(
			origin: OriginFor<T>,
			pool: PoolId,
			targets: BoundedVec<T::AccountId, ConstU32<16>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_pool_nominations(who, pool, targets.into_inner())
		}
	}
}
