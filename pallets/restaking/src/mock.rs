//! A staking world for the tests: real pallet-balances, pallet-staking (on-chain election, with
//! pallet-bags-list as its voter list), pallet-session with historical sessions, and
//! pallet-timestamp, with this pallet wired as pallet-staking's event listener.

#![allow(clippy::multiple_bound_locations)]

use crate::{self as pallet_restaking, ServiceId, ServiceParamsOf, SlashingRule};
use frame_election_provider_support::{
	bounds::{ElectionBounds, ElectionBoundsBuilder},
	onchain, SequentialPhragmen,
};
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks, Imbalance, OnUnbalanced, OneSessionHandler},
	weights::constants::RocksDbWeight,
};
use frame_system::EnsureRoot;
use pallet_staking::{NegativeImbalanceOf, StakerStatus, UseValidatorsMap};
use sp_core::ConstBool;
use sp_runtime::{testing::UintAuthorityId, traits::Zero, BuildStorage, Perbill};
use sp_staking::{EraIndex, SessionIndex};

/// Account ids are plain numbers.
pub type AccountId = u64;
/// Balances are `u128`, as on real chains.
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

/// Validators elected at genesis, 1,000 bonded each.
pub const VALIDATOR_A: AccountId = 11;
/// Second elected validator, 1,000 bonded.
pub const VALIDATOR_B: AccountId = 21;
/// A third validator, 500 bonded, not elected in a two-seat election.
pub const VALIDATOR_C: AccountId = 31;
/// A nominator backing A and B with 500.
pub const NOMINATOR: AccountId = 101;
/// A funded account that never bonds.
pub const UNBONDED: AccountId = 1;
/// The slasher account of the services the tests register.
pub const SLASHER: AccountId = 99;
/// Some other signed account.
pub const STRANGER: AccountId = 77;
/// Blocks per session.
pub const PERIOD: u64 = 5;
/// Sessions per era.
pub const SESSIONS_PER_ERA: SessionIndex = 3;
/// Eras of pallet-staking's unbonding.
pub const BONDING_DURATION: EraIndex = 10;
/// Eras back an offence may be reported.
pub const REPORT_WINDOW: EraIndex = 3;
/// Leverage cap: allocations sum to at most 3 x active stake.
pub const MAX_LEVERAGE: u32 = 3;
/// Eras in a year, for the annualised yields.
pub const ERAS_PER_YEAR: u32 = 1_000;
/// Completed eras the yields cover.
pub const YIELD_WINDOW: u32 = 4;

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

/// Pays validators 1% of the era's total stake each era, whatever its length: base yields
/// with exact figures.
pub struct OnePercentAnEra;

impl pallet_staking::EraPayout<Balance> for OnePercentAnEra {
	fn era_payout(staked: Balance, _issuance: Balance, _era_ms: u64) -> (Balance, Balance) {
		(staked / 100, 0)
	}
}

parameter_types! {
	pub const SessionsPerEra: SessionIndex = SESSIONS_PER_ERA;
	pub const BondingDuration: EraIndex = BONDING_DURATION;
	pub static ElectionsBounds: ElectionBounds = ElectionBoundsBuilder::default().build();
	/// Total of the funds slashed by restaking services, as received by `OnSlash`.
	pub static ServiceSlashed: Balance = 0;
}

/// The on-chain election pallet-staking runs at every era.
pub struct OnChainSeqPhragmen;
impl onchain::Config for OnChainSeqPhragmen {
	type System = Test;
	type Solver = SequentialPhragmen<AccountId, Perbill>;
	type DataProvider = Staking;
	type WeightInfo = ();
	type MaxBackersPerWinner = ConstU32<256>;
	type MaxWinnersPerPage = ConstU32<100>;
	type Bounds = ElectionsBounds;
	type Sort = ConstBool<true>;
}

#[derive_impl(pallet_staking::config_preludes::TestDefaultConfig)]
impl pallet_staking::Config for Test {
	type OldCurrency = Balances;
	type Currency = Balances;
	type UnixTime = Timestamp;
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
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

parameter_types! {
	/// Bag `k` holds vote weights up to `2^k`, as in the runtime.
	pub static VoterBagThresholds: &'static [u64] = &[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
}

impl pallet_bags_list::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type ScoreProvider = Staking;
	type BagThresholds = VoterBagThresholds;
	type MaxAutoRebagPerBlock = ();
	type Score = frame_election_provider_support::VoteWeight;
}

/// Receives the funds that service slashes take, and counts them.
pub struct OnSlash;
impl OnUnbalanced<NegativeImbalanceOf<Test>> for OnSlash {
	fn on_nonzero_unbalanced(amount: NegativeImbalanceOf<Test>) {
		ServiceSlashed::mutate(|total| *total += amount.peek());
	}
}

parameter_types! {
	pub const RestakingPalletId: frame_support::PalletId = frame_support::PalletId(*b"py/rstkg");
	pub static MaxPendingSlashesPerService: u32 = 4;
	pub static MaxSweepPerBlock: u32 = 4;
	pub static MaxRiskScan: u32 = 16;
	pub static MaxSlashesPerBlock: u32 = 4;
	pub static MaxCascadesPerBlock: u32 = 4;
	pub static FullCoverage: bool = false;
	pub static SlashBreaker: Option<Perbill> = None;
	pub static MinStakeFloor: Balance = 0;
	pub static MaxDelegatorSlashesPerBlock: u32 = 10;
	pub static MaxOperatorSlashesPerEra: u32 = 2;
	pub const MaxCommission: Perbill = Perbill::from_percent(50);
}

impl pallet_restaking::Config for Test {
	type Balance = Balance;
	type Staking = Staking;
	type Slashing = pallet_restaking::StakingSlashing<Test, OnSlash>;
	type ServiceOrigin = EnsureRoot<AccountId>;
	type SlashCancelOrigin = EnsureRoot<AccountId>;
	type MaxLeverage = ConstU32<MAX_LEVERAGE>;
	type MaxServicesPerRestaker = ConstU32<4>;
	type MaxServices = ConstU32<8>;
	type MinStakeFloor = MinStakeFloor;
	type MaxRules = ConstU32<4>;
	type MaxNameLen = ConstU32<32>;
	type MaxPendingSlashesPerService = MaxPendingSlashesPerService;
	type MaxSweepPerBlock = MaxSweepPerBlock;
	type MaxSlashesPerBlock = MaxSlashesPerBlock;
	type MaxCascadesPerBlock = MaxCascadesPerBlock;
	type ReportWindow = ConstU32<REPORT_WINDOW>;
	type FullCoverage = FullCoverage;
	type SlashBreaker = SlashBreaker;
	type Currency = Balances;
	type PalletId = RestakingPalletId;
	type ErasPerYear = ConstU32<ERAS_PER_YEAR>;
	type YieldWindow = ConstU32<YIELD_WINDOW>;
	type MaxRiskScan = MaxRiskScan;
	type MaxDelegatorsPerOperator = ConstU32<8>;
	type MaxCommission = MaxCommission;
	type MaxDelegatorSlashesPerBlock = MaxDelegatorSlashesPerBlock;
	// 8 services x 2 reports x (8 + 1) visits = 144 <= 15 blocks x 10 delegators.
	type MaxOperatorSlashesPerEra = MaxOperatorSlashesPerEra;
	type BlocksPerEra = ConstU32<{ PERIOD as u32 * SESSIONS_PER_ERA }>;
	type WeightInfo = ();
}

use frame_support::traits::ConstU128;

/// Sets up a staking world in one line per test.
pub struct ExtBuilder {
	stakers: Vec<(AccountId, Balance, StakerStatus<AccountId>)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			stakers: vec![
				(VALIDATOR_A, 1_000, StakerStatus::Validator),
				(VALIDATOR_B, 1_000, StakerStatus::Validator),
				(VALIDATOR_C, 500, StakerStatus::Validator),
				(NOMINATOR, 500, StakerStatus::Nominator(vec![VALIDATOR_A, VALIDATOR_B])),
			],
		}
	}
}

impl ExtBuilder {
	/// Add a bonded stash with the given stake and status.
	pub fn staker(
		mut self,
		who: AccountId,
		stake: Balance,
		status: StakerStatus<AccountId>,
	) -> Self {
		self.stakers.push((who, stake, status));
		self
	}

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

	/// Run `test`, then check this pallet's and pallet-staking's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(|| {
			test();
			check_invariants();
		});
	}
}

/// Both pallets' `try_state` invariants, as after every test.
pub fn check_invariants() {
	use frame_support::traits::{TryState, TryStateSelect};
	let n = System::block_number();
	Restaking::do_try_state().expect("restaking invariants");
	<Staking as TryState<u64>>::try_state(n, TryStateSelect::All).expect("staking invariants");
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

/// Run one more block, finishing the current one (and its `on_idle`).
pub fn next_block() {
	let n = System::block_number();
	Restaking::on_idle(n, frame_support::weights::Weight::zero());
	run_to_block(n + 1);
}

/// Events of this pallet since the last call, oldest first.
pub fn restaking_events() -> Vec<crate::Event<Test>> {
	let events = System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Restaking(e) => Some(e),
			_ => None,
		})
		.collect::<Vec<_>>();
	let seen = RestakingEventsSeen::get();
	RestakingEventsSeen::set(events.len());
	events.into_iter().skip(seen).collect()
}

parameter_types! {
	static RestakingEventsSeen: usize = 0;
}

/// pallet-staking `Slashed` events since genesis, as `(staker, amount)`.
pub fn staking_slashed_events() -> Vec<(AccountId, Balance)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Staking(pallet_staking::Event::Slashed { staker, amount }) => {
				Some((staker, amount))
			}
			_ => None,
		})
		.collect()
}

/// A rule named `name`.
pub fn rule(name: &str, percent: u32, eject: bool) -> SlashingRule<ConstU32<32>> {
	SlashingRule {
		name: name.as_bytes().to_vec().try_into().unwrap(),
		fraction: Perbill::from_percent(percent),
		eject,
	}
}

/// Parameters of a service slashed by `SLASHER`: rule 0 slashes 10%, rule 1 slashes 50% and
/// ejects; dispute window 2 eras, exit delay 2 eras, min stake 100.
pub fn service_params(name: &str) -> ServiceParamsOf<Test> {
	ServiceParamsOf::<Test> {
		name: name.as_bytes().to_vec().try_into().unwrap(),
		slasher: SLASHER,
		rules: vec![rule("downtime", 10, false), rule("equivocation", 50, true)]
			.try_into()
			.unwrap(),
		min_stake: 100,
		validators_only: false,
		exit_delay: 2,
		dispute_window: 2,
		max_share: None,
	}
}

/// Register a service with [`service_params`] through root and return its id.
pub fn register(name: &str) -> ServiceId {
	let id = crate::NextServiceId::<Test>::get();
	assert_ok!(Restaking::register_service(RuntimeOrigin::root(), service_params(name)));
	id
}

/// A stash's total bonded stake in pallet-staking.
pub fn bonded(who: AccountId) -> Balance {
	pallet_staking::Ledger::<Test>::get(who).map(|l| l.total).unwrap_or_else(Zero::zero)
}

/// A stash's funds held by pallet-staking.
pub fn staking_hold(who: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&pallet_staking::HoldReason::Staking.into(), &who)
}

/// The exposure of `who` to `service`, zero if it has no position.
pub fn exposure(who: AccountId, service: ServiceId) -> Balance {
	crate::Positions::<Test>::get(who, service).map(|p| p.exposure).unwrap_or_default()
}

/// The stake securing `service`.
pub fn secured(service: ServiceId) -> Balance {
	crate::Services::<Test>::get(service).map(|s| s.total_secured).unwrap_or_default()
}

/// The default world, for the benchmark test suite.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Make the era sweep treat era `era` as already swept, as on a chain with more restakers than
/// it reaches in one block: exits and stale exposures then wait for a call.
pub fn hold_sweep_until(era: EraIndex) {
	crate::SweepEra::<Test>::put(era);
	crate::SweepCursor::<Test>::kill();
}

/// A service slashed by `slasher`, otherwise as [`service_params`].
pub fn register_with_slasher(name: &str, slasher: AccountId) -> ServiceId {
	let id = crate::NextServiceId::<Test>::get();
	let mut params = service_params(name);
	params.slasher = slasher;
	assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
	id
}

/// Report `offender` for an offence in `era` under `rule` of `service`, signed by `slasher`.
pub fn report_by(
	slasher: AccountId,
	service: ServiceId,
	offender: AccountId,
	rule: u32,
	era: EraIndex,
) -> sp_runtime::DispatchResult {
	Restaking::report_offence(RuntimeOrigin::signed(slasher), service, offender, rule, era)
}

/// Report as `SLASHER`, the slasher of [`service_params`].
pub fn report(
	service: ServiceId,
	offender: AccountId,
	rule: u32,
	era: EraIndex,
) -> sp_runtime::DispatchResult {
	report_by(SLASHER, service, offender, rule, era)
}

/// The amount of the last scheduled slash.
pub fn last_amount() -> Balance {
	let id = crate::NextSlashId::<Test>::get() - 1;
	crate::Slashes::<Test>::get(id).unwrap().amount
}

/// `who` opts `amount` into `service`, which must succeed.
pub fn opt_in(who: AccountId, service: ServiceId, amount: Balance) {
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(who), service, amount));
}

/// `who` sets its allocation to `service` to `amount`, which must succeed.
pub fn set_allocation(who: AccountId, service: ServiceId, amount: Balance) {
	assert_ok!(Restaking::set_allocation(RuntimeOrigin::signed(who), service, amount));
}

/// The allocation history of `who`'s position in `service`.
pub fn history(who: AccountId, service: ServiceId) -> Vec<(EraIndex, Balance)> {
	crate::Positions::<Test>::get(who, service).unwrap().history.into_inner()
}
