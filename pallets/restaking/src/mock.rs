//! A staking world for the tests: real pallet-balances, pallet-staking (on-chain election, with
//! pallet-bags-list as its voter list), pallet-session with historical sessions, and
//! pallet-timestamp, with this pallet wired as pallet-staking's event listener.

#![allow(clippy::multiple_bound_locations)]

use crate::{self as pallet_restaking, ServiceId, ServiceParamsOf, SlashingRule};
use frame_election_provider_support::onchain;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Hooks, OneSessionHandler},
	weights::constants::RocksDbWeight,
};
use frame_system::EnsureRoot;
pub use pallet_staking::StakerStatus;
use pallet_staking::UseValidatorsMap;
use sp_runtime::{testing::UintAuthorityId, traits::Zero, BuildStorage, Perbill};
use sp_staking::{EraIndex, SessionIndex};

/// Account ids are plain numbers.
pub type AccountId = u64;
/// Balances are `u128`, as on real chains.
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Staking: pallet_staking,
		Session: pallet_session,
		Historical: pallet_session::historical,
		Restaking: pallet_restaking,
		VoterList: pallet_bags_list,
		Assets: pallet_assets,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type DbWeight = RocksDbWeight;
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<5>;
	type WeightInfo = ();
}

/// Session keys are never used by these tests beyond being set.
pub struct OtherSessionHandler;
impl OneSessionHandler<AccountId> for OtherSessionHandler {
	type Key = UintAuthorityId;
	fn on_genesis_session<'a, I: 'a>(_: I)
	where
		I: Iterator<Item = (&'a AccountId, Self::Key)>,
	{
	}
	fn on_new_session<'a, I: 'a>(_: bool, _: I, _: I)
	where
		I: Iterator<Item = (&'a AccountId, Self::Key)>,
	{
	}
	fn on_disabled(_validator_index: u32) {}
}
impl sp_runtime::BoundToRuntimeAppPublic for OtherSessionHandler {
	type Public = UintAuthorityId;
}

sp_runtime::impl_opaque_keys! {
	pub struct SessionKeys {
		pub other: OtherSessionHandler,
	}
}

parameter_types! {
	/// Eras a base-layer slash waits before it is applied (0: at once); a test sets it before
	/// building its world.
	pub static SlashDeferDuration: EraIndex = 0;
}

parameter_types! {
	pub const Period: u64 = PERIOD;
	pub const Offset: u64 = 0;
}

impl pallet_session::Config for Test {
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Test, Staking>;
	type Keys = SessionKeys;
	type ShouldEndSession = pallet_session::PeriodicSessions<Period, Offset>;
	type SessionHandler = (OtherSessionHandler,);
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type NextSessionRotation = pallet_session::PeriodicSessions<Period, Offset>;
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ();
}

impl pallet_session::historical::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_staking::UnitIdentificationOf<Self>;
}

#[derive_impl(pallet_staking::config_preludes::TestDefaultConfig)]
impl pallet_staking::Config for Test {
	type OldCurrency = Balances;
	type Currency = Balances;
	type UnixTime = Timestamp;
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	type AdminOrigin = EnsureRoot<AccountId>;
	type SessionInterface = Self;
	type EraPayout = OnePercentAnEra;
	type NextNewSession = Session;
	type ElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type GenesisElectionProvider = Self::ElectionProvider;
	type VoterList = VoterList;
	type TargetList = UseValidatorsMap<Self>;
	type EventListeners = Restaking;
}

crate::mock_shared::restaking_world!(pallet_staking, StakingSlashing);

impl ExtBuilder {
	/// The externalities, with block 1 run.
	pub fn build(self) -> sp_io::TestExternalities {
		sp_tracing::try_init_simple();
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<(AccountId, Balance)> =
			self.stakers.iter().map(|(who, stake, _)| (*who, stake + 1_000)).collect();
		balances.extend([(UNBONDED, 10_000), (SLASHER, 1_000), (STRANGER, 1_000)]);
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_staking::GenesisConfig::<Test> {
			stakers: self.stakers.iter().map(|(w, s, st)| (*w, *w, *s, st.clone())).collect(),
			validator_count: 2,
			minimum_validator_count: 0,
			slash_reward_fraction: Perbill::from_percent(10),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_session::GenesisConfig::<Test> {
			keys: self
				.stakers
				.iter()
				.map(|(w, ..)| (*w, *w, SessionKeys { other: UintAuthorityId(*w) }))
				.collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::from(storage);
		ext.execute_with(|| {
			run_to_block(1);
			ServiceSlashed::set(0);
		});
		ext
	}
}

/// Run blocks up to `n`, with every pallet's hooks and the timestamp set.
pub fn run_to_block(n: u64) {
	System::run_to_block_with::<AllPalletsWithSystem>(
		n,
		frame_system::RunToBlockHooks::default().after_initialize(|bn| {
			Timestamp::set_timestamp(30_000 + bn * 6_000);
		}),
	);
}

/// The active era.
pub fn active_era() -> EraIndex {
	pallet_staking::ActiveEra::<Test>::get().map(|e| e.index).unwrap_or_default()
}

/// Run blocks until era `era` is active (its first block has run).
pub fn start_active_era(era: EraIndex) {
	let target_session = era * SESSIONS_PER_ERA;
	run_to_block(target_session as u64 * PERIOD);
	assert_eq!(active_era(), era);
}

/// Whether the next block starts an era: pallet-session starts one every [`SESSIONS_PER_ERA`]
/// sessions of [`PERIOD`] blocks.
pub fn era_starts_next_block() -> bool {
	(System::block_number() + 1).is_multiple_of(PERIOD * SESSIONS_PER_ERA as u64)
}

/// The session index, as the session pallet counts it.
pub fn current_session() -> SessionIndex {
	Session::current_index()
}

/// The share of the model harnesses' committed cases this world runs, in percent.
pub const MODEL_CASES_PERCENT: u32 = 100;

/// How far pallet-staking's unlocking clock (`CurrentEra`) runs ahead of the active era.
pub const WITHDRAW_LEAD: EraIndex = 1;

/// The reads of deferred slashes a pool's `join` pays beyond its benchmark's one,
/// deferring nothing and deferring 27 eras: pallet-staking's `UnappliedSlashes` of eras
/// `active + 1 ..= active + defer + 1`.
pub const DEFERRED_SLASH_READS: [u64; 2] = [0, 27];

/// A base-layer slash of `fraction` of `validator`'s exposure in `era`, applied at once:
/// pallet-staking's `manual_slash` by root.
pub fn base_slash(validator: AccountId, era: EraIndex, fraction: Perbill) {
	assert_ok!(manual_slash(validator, era, fraction));
}

/// Root's `manual_slash` of `validator` in `era` at `fraction`.
pub fn manual_slash(
	validator: AccountId,
	era: EraIndex,
	fraction: Perbill,
) -> sp_runtime::DispatchResult {
	Staking::manual_slash(RuntimeOrigin::root(), validator, era, fraction)
}

/// An offence of `validator` in `era` at `fraction` through the base layer's own path: the
/// session pallet's offence handler (`on_offence`), applied at once (no slash deferral here).
pub fn offence(validator: AccountId, era: EraIndex, fraction: Perbill) {
	use sp_staking::offence::{OffenceDetails, OnOffenceHandler};
	let session = pallet_staking::ErasStartSessionIndex::<Test>::get(era).expect("a started era");
	<Staking as OnOffenceHandler<_, _, _>>::on_offence(
		&[OffenceDetails { offender: (validator, ()), reporters: vec![] }],
		&[fraction],
		session,
	);
}

/// `points` era points for `validator` in the active era: its share of the era's staking
/// rewards, paid out by `payout_stakers` once the era is over.
pub fn reward_points(validator: AccountId, points: u32) {
	use frame_support::traits::RewardsReporter;
	<Staking as RewardsReporter<AccountId>>::reward_by_ids(vec![(validator, points)]);
}

/// Run one more block, finishing the current one (and its `on_idle`).
pub fn next_block() {
	let n = System::block_number();
	Restaking::on_idle(n, frame_support::weights::Weight::zero());
	run_to_block(n + 1);
}

/// The default world, for the benchmark test suite.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}
