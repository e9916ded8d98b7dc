//! One `impl Config` per pallet.
//!
//! Timing: without `fast-runtime`, 6 s blocks, hour-long sessions, six-hour eras and a 28-era
//! bonding duration; with it, 30 s sessions and one-minute eras for local testing. In both,
//! `ReportWindow + dispute window < BondingDuration` holds for every service a preset
//! registers, and `integrity_test` checks the report window against the bonding duration.

use crate::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Historical, Nonce, Offences,
	OriginCaller, PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, RuntimeOrigin, RuntimeTask, Session, SessionKeys, Staking, System,
	Timestamp, UncheckedExtrinsic, VoterList, EXISTENTIAL_DEPOSIT, MICRO_UNIT, SLOT_DURATION, UNIT,
	VERSION,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_election_provider_support::{bounds::ElectionBoundsBuilder, onchain, SequentialPhragmen};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Balanced, Credit, HoldConsideration},
		ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, EitherOfDiverse, InstanceFilter,
		LinearStoragePrice, OnUnbalanced, VariantCountOf,
	},
	weights::{
		constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight, WeightToFeeCoefficient, WeightToFeeCoefficients,
		WeightToFeePolynomial,
	},
	PalletId,
};
use frame_system::{limits::BlockWeights as SystemBlockWeights, EnsureRoot};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use scale_info::TypeInfo;
use sp_runtime::{
	curve::PiecewiseLinear,
	traits::{Bounded, OpaqueKeys},
	FixedPointNumber, Perbill, Perquintill,
};
use sp_staking::{EraIndex, SessionIndex};
use sp_version::RuntimeVersion;

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute per six-second block.
	pub RuntimeBlockWeights: SystemBlockWeights = SystemBlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(5 * 1024 * 1024)
			.modify_max_length_for_class(frame_support::dispatch::DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO * *max
			})
			.build();
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	type DbWeight = RocksDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

parameter_types! {
	/// The most validators the chain runs: staking elects at most this many
	/// (`MaxValidatorSet`, the election's `MaxWinnersPerPage`), and Aura and GRANDPA hold as many
	/// authorities. `integrity_test` and a runtime test check that they agree.
	pub const MaxActiveValidators: u32 = 100;
	/// Nominators in one page of a validator's exposure: staking's `MaxExposurePageSize`, and the
	/// most nominators a GRANDPA equivocation proof is weighed for.
	pub const MaxExposurePageSize: u32 = 256;
	/// Held from an account when it first sets session keys, returned when it purges them: key
	/// storage is not free.
	pub const SessionKeyDeposit: Balance = UNIT;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = sp_consensus_aura::sr25519::AuthorityId;
	type DisabledValidators = Session;
	type MaxAuthorities = MaxActiveValidators;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

parameter_types! {
	/// Equivocation reports stay valid for as long as the offence could still be slashed.
	pub ReportLongevity: u64 =
		BondingDuration::get() as u64 * SessionsPerEra::get() as u64 * EpochDuration::get() as u64;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxActiveValidators;
	type MaxNominators = MaxExposurePageSize;
	type MaxSetIdSessionEntries = ConstU64<168>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// Weight to fee: 10 planck per picosecond of reference time, 10 `UNIT` per second of
/// execution. The base weight of an extrinsic (about 0.1 ms) then costs about one existential
/// deposit, and the normal share of a full block (1.5 s) 15 `UNIT`. Proof size is not charged: this
/// is a solo chain without a relay chain's proof-of-validity limit.
pub struct WeightToFee;
impl WeightToFeePolynomial for WeightToFee {
	type Balance = Balance;
	fn polynomial() -> WeightToFeeCoefficients<Balance> {
		let mut coefficients = WeightToFeeCoefficients::new();
		coefficients.push(WeightToFeeCoefficient {
			coeff_integer: FEE_PER_PICOSECOND,
			coeff_frac: Perbill::zero(),
			negative: false,
			degree: 1,
		});
		coefficients
	}
}

/// Planck per picosecond of reference time ([`WeightToFee`]).
pub const FEE_PER_PICOSECOND: Balance = 10;

parameter_types! {
	/// Fee per byte of an extrinsic: 10 micro-units (100,000 bytes cost 1 `UNIT`).
	pub const TransactionByteFee: Balance = 10 * MICRO_UNIT;
	/// The fee multiplier aims at blocks a quarter full: fuller blocks raise it, emptier ones
	/// lower it, by at most about 0.0056% a block at the extremes (as on Polkadot).
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast the multiplier reacts (Polkadot's value).
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// The multiplier never falls below a tenth: fees keep a floor on an idle chain.
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_rational(1, 10u128);
	/// No ceiling: a sustained flood keeps getting dearer.
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

/// Fees and tips go to the block's author (burnt if it has no account that can take them).
pub struct ToAuthor;
impl OnUnbalanced<Credit<AccountId, Balances>> for ToAuthor {
	fn on_nonzero_unbalanced(amount: Credit<AccountId, Balances>) {
		if let Some(author) = crate::Authorship::author() {
			// A credit that cannot be resolved is dropped, which burns it.
			let _ = <Balances as Balanced<AccountId>>::resolve(&author, amount);
		}
	}
}

/// The fee multiplier's update rule, reacting to how full blocks are.
pub type SlowAdjustingFeeUpdate = TargetedFeeAdjustment<
	Runtime,
	TargetBlockFullness,
	AdjustmentVariable,
	MinimumMultiplier,
	MaximumMultiplier,
>;

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ToAuthor>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = SlowAdjustingFeeUpdate;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	/// Staking gives era points to block authors.
	type EventHandler = (Staking,);
}

#[cfg(feature = "fast-runtime")]
parameter_types! {
	/// Blocks per session: 30 s.
	pub const EpochDuration: BlockNumber = 5;
	/// Sessions per era: an era a minute.
	pub const SessionsPerEra: SessionIndex = 2;
	/// Eras before unbonded funds can be withdrawn.
	pub const BondingDuration: EraIndex = 8;
	/// Eras a base-layer slash waits before it applies.
	pub const SlashDeferDuration: EraIndex = 0;
	/// Eras back a restaking service may report an offence.
	pub const RestakingReportWindow: EraIndex = 2;
	/// Dispute window and exit delay of the presets' sample service.
	pub const SampleDisputeWindow: EraIndex = 2;
	/// Blocks a council motion stays open: 30 s.
	pub const CouncilMotionDuration: BlockNumber = 5;
}

#[cfg(not(feature = "fast-runtime"))]
parameter_types! {
	/// Blocks per session: an hour.
	pub const EpochDuration: BlockNumber = crate::HOURS;
	/// Sessions per era: six hours.
	pub const SessionsPerEra: SessionIndex = 6;
	/// Eras before unbonded funds can be withdrawn: a week.
	pub const BondingDuration: EraIndex = 28;
	/// Eras a base-layer slash waits before it applies, for governance to cancel it.
	pub const SlashDeferDuration: EraIndex = 27;
	/// Eras back a restaking service may report an offence: a day.
	pub const RestakingReportWindow: EraIndex = 4;
	/// Dispute window and exit delay of the presets' sample service: a day.
	pub const SampleDisputeWindow: EraIndex = 4;
	/// Blocks a council motion stays open: six hours, well inside the sample dispute window.
	pub const CouncilMotionDuration: BlockNumber = 6 * crate::HOURS;
}

/// Restaking's bounds that depend on the era length. Both timings' are compiled in, so the
/// runtime tests check the production bounds in a `fast-runtime` build too.
pub struct RestakingBounds {
	/// Blocks in an era: sessions per era x blocks per session.
	pub blocks_per_era: u32,
	/// Services that can ever be registered.
	pub max_services: u32,
	/// Slashes one service can have scheduled at once.
	pub max_pending_per_service: u32,
	/// Delegators of one operator, past ones a report can reach included.
	pub max_delegators_per_operator: u32,
	/// Delegators the pages of reports against operators visit in a block.
	pub max_delegator_slashes_per_block: u32,
	/// Reports against operators with delegators one service can have landing in an era.
	pub max_operator_slashes_per_era: u32,
}

/// Six-hour eras. A full slash backlog is 64 x 64 = 4,096 slashes, which `MaxSlashesPerBlock`
/// (8) lands in 512 blocks (51 minutes) of a 3,600-block era. Reports against operators landing
/// in an era visit at most 64 services x 6 reports x (16 + 1) = 6,528 delegators, which 2 a
/// block page in 3,264 blocks: within the next era.
pub const PRODUCTION_BOUNDS: RestakingBounds = RestakingBounds {
	blocks_per_era: 6 * crate::HOURS,
	max_services: 64,
	max_pending_per_service: 64,
	max_delegators_per_operator: 16,
	max_delegator_slashes_per_block: 2,
	max_operator_slashes_per_era: 6,
};

/// `fast-runtime`'s one-minute (10-block) eras, for development and tests. The sample service
/// and the benchmarks' 16 fit in 20 services; a full backlog is 20 x 3 = 60 slashes, landed in
/// 8 blocks. Reports against operators visit at most 20 x 1 x (4 + 1) = 100 delegators an
/// era, 10 a block: so operators take 4 delegators, and a block's worst case is above the
/// production runtime's (see `worst_case_on_initialize_*` in the runtime tests).
pub const FAST_BOUNDS: RestakingBounds = RestakingBounds {
	blocks_per_era: 10,
	max_services: 20,
	max_pending_per_service: 3,
	max_delegators_per_operator: 4,
	max_delegator_slashes_per_block: 10,
	max_operator_slashes_per_era: 1,
};

/// The bounds of this build's timing.
#[cfg(feature = "fast-runtime")]
pub const RESTAKING_BOUNDS: RestakingBounds = FAST_BOUNDS;
/// The bounds of this build's timing.
#[cfg(not(feature = "fast-runtime"))]
pub const RESTAKING_BOUNDS: RestakingBounds = PRODUCTION_BOUNDS;

parameter_types! {
	/// Services that can ever be registered.
	pub const RestakingMaxServices: u32 = RESTAKING_BOUNDS.max_services;
	/// Slashes one service can have scheduled at once.
	pub const RestakingMaxPendingPerService: u32 = RESTAKING_BOUNDS.max_pending_per_service;
	/// Blocks in an era.
	pub const RestakingBlocksPerEra: u32 = RESTAKING_BOUNDS.blocks_per_era;
	/// Delegators of one operator.
	pub const RestakingMaxDelegatorsPerOperator: u32 =
		RESTAKING_BOUNDS.max_delegators_per_operator;
	/// Delegators paged in a block.
	pub const RestakingMaxDelegatorSlashesPerBlock: u32 =
		RESTAKING_BOUNDS.max_delegator_slashes_per_block;
	/// Reports against operators a service can have landing in an era.
	pub const RestakingMaxOperatorSlashesPerEra: u32 =
		RESTAKING_BOUNDS.max_operator_slashes_per_era;
}

parameter_types! {
	pub const Offset: BlockNumber = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<EpochDuration, Offset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<EpochDuration, Offset>;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Staking>;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_staking::UnitIdentificationOf<Self>;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Staking;
}

pallet_staking_reward_curve::build! {
	const REWARD_CURVE: PiecewiseLinear<'static> = curve!(
		min_inflation: 0_025_000,
		max_inflation: 0_100_000,
		ideal_stake: 0_500_000,
		falloff: 0_050_000,
		max_piece_count: 40,
		test_precision: 0_005_000,
	);
}

parameter_types! {
	pub const RewardCurve: &'static PiecewiseLinear<'static> = &REWARD_CURVE;
	pub const MaxNominators: u32 = 64;
	pub ElectionBounds: frame_election_provider_support::bounds::ElectionBounds =
		ElectionBoundsBuilder::default().voters_count(5_000.into()).targets_count(1_000.into()).build();
}

/// The on-chain election staking runs at every era.
pub struct OnChainSeqPhragmen;
impl onchain::Config for OnChainSeqPhragmen {
	type System = Runtime;
	type Solver = SequentialPhragmen<AccountId, Perbill>;
	type DataProvider = Staking;
	type WeightInfo = frame_election_provider_support::weights::SubstrateWeight<Runtime>;
	type MaxBackersPerWinner = ConstU32<512>;
	type MaxWinnersPerPage = MaxActiveValidators;
	type Bounds = ElectionBounds;
	type Sort = ConstBool<true>;
}

/// pallet-staking's own benchmark sizes.
pub struct StakingBenchmarkingConfig;
impl pallet_staking::BenchmarkingConfig for StakingBenchmarkingConfig {
	type MaxNominators = ConstU32<1000>;
	type MaxValidators = ConstU32<1000>;
}

impl pallet_staking::Config for Runtime {
	type OldCurrency = Balances;
	type Currency = Balances;
	type CurrencyBalance = Balance;
	type UnixTime = Timestamp;
	type CurrencyToVote = sp_staking::currency_to_vote::U128CurrencyToVote;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RewardRemainder = ();
	type RuntimeEvent = RuntimeEvent;
	type Slash = ();
	type Reward = ();
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	/// Staking administration (validator count, minimum bonds, chill threshold, ...): Root, or
	/// two thirds of the council, so a chain without sudo can still run it.
	type AdminOrigin = RestakingServiceOrigin;
	type SessionInterface = Self;
	type EraPayout = pallet_staking::ConvertCurve<RewardCurve>;
	type NextNewSession = Session;
	type MaxExposurePageSize = MaxExposurePageSize;
	type MaxValidatorSet = MaxActiveValidators;
	type ElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type GenesisElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type VoterList = VoterList;
	type TargetList = pallet_staking::UseValidatorsMap<Self>;
	type NominationsQuota = pallet_staking::FixedNominationsQuota<16>;
	type MaxUnlockingChunks = ConstU32<32>;
	type HistoryDepth = ConstU32<84>;
	type MaxControllersInDeprecationBatch = ConstU32<100>;
	/// Every stake change and slash reaches restaking (this is what makes slashes cascade), the
	/// nomination pools (a slash of a pool's unlocking chunks reaches its unbonding members) and
	/// delegated staking (a pool's slash is owed by its delegators).
	type EventListeners = (crate::NominationPools, crate::DelegatedStaking, crate::Restaking);
	type Filter = frame_support::traits::Nothing;
	type BenchmarkingConfig = StakingBenchmarkingConfig;
	type WeightInfo = pallet_staking::weights::SubstrateWeight<Runtime>;
}

/// The voter list's bag thresholds: 64 bags, bag `k` holding vote weights up to `2^k`.
const VOTER_BAG_THRESHOLDS: [u64; 64] = {
	let mut thresholds = [0u64; 64];
	let mut k = 0;
	while k < 64 {
		thresholds[k] = 1u64 << k;
		k += 1;
	}
	thresholds
};

parameter_types! {
	/// The voter list's bag thresholds, as the bags-list pallet reads them.
	pub const VoterBagThresholds: &'static [u64] = &VOTER_BAG_THRESHOLDS;
}

/// Staking's voter list: nominators and validators in bags sorted by stake, so the election
/// reads the heaviest voters first. Rebagging is by the permissionless `rebag` call; none runs
/// automatically.
impl pallet_bags_list::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_bags_list::weights::SubstrateWeight<Runtime>;
	type ScoreProvider = Staking;
	type BagThresholds = VoterBagThresholds;
	type MaxAutoRebagPerBlock = ();
	type Score = frame_election_provider_support::VoteWeight;
}

parameter_types! {
	/// Nomination pools' pallet id: their bonded and reward accounts derive from it.
	pub const NominationPoolsPalletId: PalletId = PalletId(*b"py/nopls");
	/// Delegated staking's pallet id: its proxy delegators' accounts derive from it.
	pub const DelegatedStakingPalletId: PalletId = PalletId(*b"py/dlstk");
	/// The part of a slash of delegated stake paid to its reporter, as on Polkadot.
	pub const DelegatedSlashRewardFraction: Perbill = Perbill::from_percent(1);
	/// Unbonding sub-pools a nomination pool keeps apart, so that a slash reaches the right ones:
	/// the bonding duration and eight more, as Polkadot's runtime has it.
	pub const MaxUnbondingPools: u32 = BondingDuration::get() + 8;
}

/// Balances as the nomination pools' reward arithmetic wants them.
pub struct BalanceToU256;
impl sp_runtime::traits::Convert<Balance, sp_core::U256> for BalanceToU256 {
	fn convert(balance: Balance) -> sp_core::U256 {
		sp_core::U256::from(balance)
	}
}

/// And back: a figure too large for a balance saturates.
pub struct U256ToBalance;
impl sp_runtime::traits::Convert<sp_core::U256, Balance> for U256ToBalance {
	fn convert(n: sp_core::U256) -> Balance {
		n.try_into().unwrap_or(Balance::MAX)
	}
}

/// Delegated staking, as on Polkadot: a nomination pool's members keep their funds, held in their
/// own accounts, and delegate them to the pool's account, which staking records as a virtual
/// staker. Restaking refuses virtual stakers (`VirtualStaker`): such a pool cannot restake.
impl pallet_delegated_staking::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type PalletId = DelegatedStakingPalletId;
	type Currency = Balances;
	/// Burnt, as staking's own slashes are here.
	type OnSlash = ();
	type SlashRewardFraction = DelegatedSlashRewardFraction;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CoreStaking = Staking;
}

/// Nomination pools, as on Polkadot (`DelegateStake`): members delegate to the pool's account,
/// which nominates in pallet-staking. They stand beside restaking's pools: a nomination pool
/// cannot restake, and the benchmarks measure its `join` and `unbond` against restaking pools'
/// `join` and `redeem` (docs/performance.md).
impl pallet_nomination_pools::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_nomination_pools::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type RewardCounter = sp_runtime::FixedU128;
	type BalanceToU256 = BalanceToU256;
	type U256ToBalance = U256ToBalance;
	type StakeAdapter =
		pallet_nomination_pools::adapter::DelegateStake<Self, Staking, crate::DelegatedStaking>;
	type MaxUnbondingPools = MaxUnbondingPools;
	type MaxMetadataLen = ConstU32<256>;
	type MaxUnbonding = ConstU32<8>;
	type PalletId = NominationPoolsPalletId;
	type MaxPointsToBalance = ConstU8<10>;
	/// Pool-wide settings (minimum bonds, maximum pools and members): Root or the council.
	type AdminOrigin = RestakingServiceOrigin;
	type BlockNumberProvider = System;
	type Filter = frame_support::traits::Nothing;
}

parameter_types! {
	/// Largest weight a council motion may dispatch: half a block.
	pub CouncilMaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

/// The council: a `pallet-collective` instance whose members govern restaking.
pub type CouncilCollective = pallet_collective::Instance1;

/// The council. Its members are set at genesis (Alice, Bob, Charlie and Dave in the presets) and
/// changed by Root.
impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = ConstU32<100>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = CouncilMaxProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}

/// Who registers, updates, pauses and retires services: Root, or two thirds of the council.
pub type RestakingServiceOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

/// Who cancels a scheduled slash: Root, or half of the council. A lower bar than registering,
/// so a wrong slash can be stopped quickly.
pub type RestakingSlashCancelOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 1, 2>,
>;

parameter_types! {
	/// Derives each service's reward pot account.
	pub const RestakingPalletId: PalletId = PalletId(*b"py/rstkg");
}

parameter_types! {
	/// The restaking breaker: service slashes due in one era take at most 10% of the stake
	/// behind the active validator set; more waits for the council's approval. On the
	/// development chain (Alice bonds 100,000, and the sample pool's 10,000 nominates her from
	/// era 1) that is 11,000 an era: the sample service's downtime slash of Alice (10% of
	/// 50,000) fits, its equivocation slash (25,000) is held.
	pub RestakingSlashBreaker: Option<Perbill> = Some(Perbill::from_percent(10));
}

parameter_types! {
	/// An operator takes at most half of its delegators' rewards.
	pub const RestakingMaxCommission: Perbill = Perbill::from_percent(50);
}

parameter_types! {
	/// No service may set a `min_stake` below 1 UNIT (a thousand existential deposits).
	pub const RestakingMinStakeFloor: Balance = UNIT;
}

/// Restaking. Governance is Root (sudo on dev chains) or the council; service slashes are burnt:
/// the credit goes to `()`. Every restaker is kept covered (`FullCoverage`).
impl pallet_restaking::Config for Runtime {
	type Balance = Balance;
	type Staking = Staking;
	type Slashing = pallet_restaking::StakingSlashing<Runtime, ()>;
	type ServiceOrigin = RestakingServiceOrigin;
	type SlashCancelOrigin = RestakingSlashCancelOrigin;
	type MaxLeverage = ConstU32<3>;
	type MaxServicesPerRestaker = ConstU32<16>;
	type MaxServices = RestakingMaxServices;
	type MinStakeFloor = RestakingMinStakeFloor;
	type MaxRules = ConstU32<8>;
	type MaxNameLen = ConstU32<64>;
	type MaxPendingSlashesPerService = RestakingMaxPendingPerService;
	type MaxSlashesPerBlock = ConstU32<8>;
	// With 8 due slashes, 2 cascade re-syncs, 4 sweep re-syncs and 2 delegator visits a block,
	// the worst-case `on_initialize` stays within 10% of a block
	// (`tests::worst_case_on_initialize_*`); more cascades and sweep visits run in `on_idle`,
	// in spare weight only.
	type MaxCascadesPerBlock = ConstU32<2>;
	type MaxSweepPerBlock = ConstU32<4>;
	type ReportWindow = RestakingReportWindow;
	type FullCoverage = ConstBool<true>;
	type SlashBreaker = RestakingSlashBreaker;
	type Currency = Balances;
	type PalletId = RestakingPalletId;
	type ErasPerYear = RestakingErasPerYear;
	type YieldWindow = RestakingYieldWindow;
	type MaxRiskScan = ConstU32<256>;
	// Every report against an operator visits all of them, in pages: the bound sizes the
	// pages' deadline.
	type MaxDelegatorsPerOperator = RestakingMaxDelegatorsPerOperator;
	type MaxCommission = RestakingMaxCommission;
	// With 8 due slashes, 2 cascades, 4 sweep visits and 2 delegators of reports against
	// operators a block, the worst-case `on_initialize` stays within 10% of a block (six-hour
	// eras; `fast-runtime` pages 10 a block).
	type MaxDelegatorSlashesPerBlock = RestakingMaxDelegatorSlashesPerBlock;
	type MaxOperatorSlashesPerEra = RestakingMaxOperatorSlashesPerEra;
	type BlocksPerEra = RestakingBlocksPerEra;
	type Assets = crate::Assets;
	type PoolAsset = RestakingPoolAsset;
	type MinPoolDeposit = RestakingMinPoolDeposit;
	type MaxPools = ConstU32<64>;
	type MaxRedemptions = ConstU32<16>;
	// A holder told of a new risk can redeem and withdraw first: the bonding duration and one
	// era of pallet-staking's withdraw lead.
	type PoolNotice = RestakingPoolNotice;
	type WeightInfo = pallet_restaking::weights::SubstrateWeight<Runtime>;
}

/// The asset ids kept for liquid restaking pools' shares: pool `n` is asset `2^31 + n`.
/// Only Root creates other assets (`force_create`), so no one can take a pool's id first.
pub struct RestakingPoolAsset;
impl sp_runtime::traits::Convert<pallet_restaking::PoolId, u32> for RestakingPoolAsset {
	fn convert(pool: pallet_restaking::PoolId) -> u32 {
		pool | (1 << 31)
	}
}

parameter_types! {
	/// Eras a new risk waits before it applies to a pool: the bonding duration and one.
	pub RestakingPoolNotice: EraIndex = BondingDuration::get() + 1;
	/// A pool's creator bonds at least 10 UNIT: the pool's own shares, never redeemed.
	pub const RestakingMinPoolDeposit: Balance = 10 * UNIT;
	/// pallet-assets' deposits: an asset class 10 UNIT, an account of an asset 1 MILLI-UNIT.
	pub const AssetDeposit: Balance = 10 * UNIT;
	pub const AssetAccountDeposit: Balance = UNIT / 1_000;
	pub const AssetMetadataDepositBase: Balance = UNIT;
	pub const AssetMetadataDepositPerByte: Balance = UNIT / 1_000;
	pub const AssetApprovalDeposit: Balance = UNIT / 1_000;
}

/// Fungible assets. No signed origin creates one (`create` is refused); Root can
/// `force_create`. Ids from `2^31` are liquid restaking pools' shares, created by the restaking
/// pallet.
impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1_000>;
	type AssetId = u32;
	type AssetIdParameter = codec::Compact<u32>;
	type ReserveData = ();
	type Currency = Balances;
	type CreateOrigin = frame_support::traits::AsEnsureOriginWithArg<
		frame_support::traits::NeverEnsureOrigin<AccountId>,
	>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = AssetDeposit;
	type AssetAccountDeposit = AssetAccountDeposit;
	type MetadataDepositBase = AssetMetadataDepositBase;
	type MetadataDepositPerByte = AssetMetadataDepositPerByte;
	type ApprovalDeposit = AssetApprovalDeposit;
	type StringLimit = ConstU32<50>;
	type Freezer = ();
	type Holder = ();
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	/// Eras in a year of 365.25 days (36,525 x 24 x 3,600 x 10 ms), for the annualised yields
	/// of `risk_figures`: 525,960 with `fast-runtime` (an era a minute), 1,461 otherwise
	/// (six-hour eras).
	pub const RestakingErasPerYear: u32 = (36_525 * 24 * 3_600 * 10
		/ (SessionsPerEra::get() as u64 * EpochDuration::get() as u64 * crate::MILLI_SECS_PER_BLOCK))
		as u32;
	/// The completed eras the yields of `risk_figures` cover: 28, a week of six-hour eras, well
	/// inside pallet-staking's `HistoryDepth` (84).
	pub const RestakingYieldWindow: u32 = 28;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

parameter_types! {
	/// A preimage holds 1 `UNIT` plus 10 micro-units a byte from whoever notes it.
	pub const PreimageBaseDeposit: Balance = UNIT;
	/// Per byte of a preimage.
	pub const PreimageByteDeposit: Balance = 10 * MICRO_UNIT;
	/// The hold reason of preimage deposits.
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// A deferred whitelisted dispatch expires after a day.
	pub const WhitelistDeferredExpiration: BlockNumber = crate::HOURS * 24;
}

/// Preimages: calls too large for a motion (a runtime upgrade) are noted here and referred to
/// by hash.
impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

/// Whitelisting a call for Root: half the council (or Root).
pub type WhitelistOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 1, 2>,
>;

/// Dispatching a whitelisted call as Root: three quarters of the council (or Root).
pub type RootMotionOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 3, 4>,
>;

/// Root without sudo: half the council whitelists a call's hash (`whitelist_call`), which
/// anyone can then read; three quarters of it dispatch the call as Root
/// (`dispatch_whitelisted_call_with_preimage`, or `dispatch_whitelisted_call` for a noted
/// preimage). Runtime upgrades (`system.set_code`), council membership and anything else that
/// needs Root go this way on a chain whose sudo has no key.
impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WhitelistOrigin = WhitelistOrigin;
	type DispatchWhitelistedOrigin = RootMotionOrigin;
	type Preimages = crate::Preimage;
	type DeferredDispatchExpiration = WhitelistDeferredExpiration;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_whitelist::weights::SubstrateWeight<Runtime>;
}

/// A deposit for storing `items` entries of `bytes` bytes in all: 0.1 `UNIT` an item and, as
/// for preimages, 10 micro-units a byte. Proxies, announcements and multisig operations hold it
/// until they are removed.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	items as Balance * (UNIT / 10) + bytes as Balance * 10 * MICRO_UNIT
}

/// Batches (`batch`, `batch_all`, `force_batch`), as signed, proxied or multisig calls.
impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// What a proxy may do for the account that added it.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Default,
)]
pub enum ProxyType {
	/// Every call.
	#[default]
	Any,
	/// The restaking calls a stash delegates to an operator key: `opt_in`, `set_allocation`,
	/// `opt_out`, `complete_opt_out`, `sync_restaker` and `claim_rewards`, alone or in a batch.
	/// Not transfers, not staking's own calls, and nothing a service or governance does.
	Restaking,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, call: &RuntimeCall) -> bool {
		use pallet_restaking::Call as R;
		match self {
			ProxyType::Any => true,
			ProxyType::Restaking => matches!(
				call,
				RuntimeCall::Restaking(
					R::opt_in { .. }
						| R::set_allocation { .. }
						| R::opt_out { .. }
						| R::complete_opt_out { .. }
						| R::sync_restaker { .. }
						| R::claim_rewards { .. }
				) | RuntimeCall::Utility(
					pallet_utility::Call::batch { .. }
						| pallet_utility::Call::batch_all { .. }
						| pallet_utility::Call::force_batch { .. }
				)
			),
		}
	}

	fn is_superset(&self, other: &Self) -> bool {
		match (self, other) {
			(ProxyType::Any, _) => true,
			(_, ProxyType::Any) => false,
			(ProxyType::Restaking, ProxyType::Restaking) => true,
		}
	}
}

parameter_types! {
	/// A proxy list holds 0.1 `UNIT` plus 8 bytes' worth ...
	pub const ProxyDepositBase: Balance = deposit(1, 8);
	/// ... and 33 bytes' worth per proxy.
	pub const ProxyDepositFactor: Balance = deposit(0, 33);
	/// An announcement list holds 0.1 `UNIT` plus 8 bytes' worth ...
	pub const AnnouncementDepositBase: Balance = deposit(1, 8);
	/// ... and 68 bytes' worth per announcement.
	pub const AnnouncementDepositFactor: Balance = deposit(0, 68);
	/// A multisig operation holds 0.1 `UNIT` plus 88 bytes' worth ...
	pub const MultisigDepositBase: Balance = deposit(1, 88);
	/// ... and 32 bytes' worth per unit of its threshold (pallet-multisig charges the factor
	/// per approval it stores).
	pub const MultisigDepositFactor: Balance = deposit(0, 32);
}

/// Proxies: a stash can let an operator key run its restaking (`ProxyType::Restaking`) without
/// handing it the stash's funds. The key still decides how much of the stash is at stake (it can
/// opt into any active service up to the coverage and leverage caps): give it a `delay`, so that
/// the stash sees its announcements and can reject them, if it is less trusted than that.
impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = ConstU32<32>;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
	type MaxPending = ConstU32<32>;
	type CallHasher = sp_runtime::traits::BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}

/// Multisig accounts: the governance guide's slasher is a 2-of-3 multisig.
impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	type MaxSignatories = ConstU32<100>;
	type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
	type BlockNumberProvider = System;
}
