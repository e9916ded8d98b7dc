//! The second staking world for the tests (feature `staking-async`): real pallet-balances,
//! pallet-staking-async (on-chain election, pallet-bags-list as its voter list) and this pallet,
//! wired as staking-async's event listener through [`crate::StakingAsyncSlashing`].
//!
//! On Polkadot Hub, sessions and offences come from the relay chain through
//! `pallet-staking-async-rc-client`. Here a small [`RelayChain`] plays that part, as
//! staking-async's own test mock does: it ends a session every [`PERIOD`] blocks with
//! `on_relay_session_report`, queues the validator set staking-async sends it, activates it one
//! session later, and hands offences in with `on_new_offences`.

#![allow(clippy::multiple_bound_locations)]

use crate::{self as pallet_restaking, ServiceId, ServiceParamsOf, SlashingRule};
use frame_election_provider_support::{
	bounds::{ElectionBounds, ElectionBoundsBuilder},
	onchain, SequentialPhragmen,
};
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, Hooks, Imbalance, OnUnbalanced},
	weights::constants::RocksDbWeight,
};
use frame_system::EnsureRoot;
use pallet_staking_async::{NegativeImbalanceOf, StakerStatus, UseValidatorsMap};
use pallet_staking_async_rc_client as rc_client;
use sp_core::ConstBool;
use sp_runtime::{traits::Zero, BuildStorage, Perbill};
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
/// The slasher account of the services the tests register.
pub const SLASHER: AccountId = 99;
/// Blocks per session.
pub const PERIOD: u64 = 5;
/// Sessions per era.
pub const SESSIONS_PER_ERA: SessionIndex = 3;
/// Eras of staking-async's full unbonding.
pub const BONDING_DURATION: EraIndex = 10;
/// Eras of a nominator's unbonding while `AreNominatorsSlashable` is false (Polkadot's value).
pub const FAST_UNBOND: EraIndex = 2;
/// Eras back an offence may be reported.
pub const REPORT_WINDOW: EraIndex = 3;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Staking: pallet_staking_async,
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

parameter_types! {
	pub static ElectionsBounds: ElectionBounds = ElectionBoundsBuilder::default().build();
	/// Total of the funds slashed by restaking services, as received by `OnSlash`.
	pub static ServiceSlashed: Balance = 0;
	pub const SessionsPerEra: SessionIndex = SESSIONS_PER_ERA;
	pub const BondingDuration: EraIndex = BONDING_DURATION;
	pub const NominatorFastUnbondDuration: EraIndex = FAST_UNBOND;
}

/// The on-chain election staking-async runs for every era, in one page.
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

parameter_types! {
	/// The block the running election started in, if one is running.
	static ElectionStarted: Option<u64> = None;
}

/// The on-chain election, run only when staking-async starts one: staking-async polls
/// `status` every block and fetches the result when it says the election is ready.
pub struct Election;
impl frame_election_provider_support::ElectionProvider for Election {
	type AccountId = AccountId;
	type BlockNumber = u64;
	type MaxWinnersPerPage = ConstU32<100>;
	type MaxBackersPerWinner = ConstU32<256>;
	type MaxBackersPerWinnerFinal = ConstU32<256>;
	type Pages = ConstU32<1>;
	type DataProvider = Staking;
	type Error = onchain::Error;

	fn elect(
		page: frame_election_provider_support::PageIndex,
	) -> Result<frame_election_provider_support::BoundedSupportsOf<Self>, Self::Error> {
		if page == 0 {
			ElectionStarted::set(None);
		}
		onchain::OnChainExecution::<OnChainSeqPhragmen>::elect(page)
	}
	fn start() -> Result<(), Self::Error> {
		ElectionStarted::set(Some(System::block_number()));
		Ok(())
	}
	fn duration() -> u64 {
		0
	}
	fn status() -> Result<Option<frame_support::weights::Weight>, ()> {
		ElectionStarted::get().map(|_| Some(Default::default())).ok_or(())
	}
}

/// No era payout: this world is about slashing.
pub struct NoPayout;
impl sp_staking::EraPayout<Balance> for NoPayout {
	fn era_payout(_: Balance, _: Balance, _: u64) -> (Balance, Balance) {
		(0, 0)
	}
}

#[derive_impl(pallet_staking_async::config_preludes::TestDefaultConfig)]
impl pallet_staking_async::Config for Test {
	type OldCurrency = Balances;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type NominatorFastUnbondDuration = NominatorFastUnbondDuration;
	type PlanningEraOffset = ConstU32<1>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type EraPayout = NoPayout;
	type RewardPots = pallet_staking_async::SequentialTest;
	type ElectionProvider = Election;
	type VoterList = VoterList;
	type TargetList = UseValidatorsMap<Self>;
	type RcClientInterface = RelayChain;
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
	pub const MaxCommission: Perbill = Perbill::from_percent(50);
}

impl pallet_restaking::Config for Test {
	type Balance = Balance;
	type Staking = Staking;
	type Slashing = pallet_restaking::StakingAsyncSlashing<Test, OnSlash>;
	type ServiceOrigin = EnsureRoot<AccountId>;
	type SlashCancelOrigin = EnsureRoot<AccountId>;
	type MaxLeverage = ConstU32<3>;
	type MaxServicesPerRestaker = ConstU32<4>;
	type MaxServices = ConstU32<8>;
	type MinStakeFloor = ConstU128<0>;
	type MaxRules = ConstU32<4>;
	type MaxNameLen = ConstU32<32>;
	type MaxPendingSlashesPerService = ConstU32<4>;
	type MaxSweepPerBlock = ConstU32<4>;
	type MaxSlashesPerBlock = ConstU32<4>;
	type MaxCascadesPerBlock = ConstU32<4>;
	type ReportWindow = ConstU32<REPORT_WINDOW>;
	type FullCoverage = ConstBool<false>;
	type SlashBreaker = ();
	type Currency = Balances;
	type PalletId = RestakingPalletId;
	type ErasPerYear = ConstU32<1_000>;
	type YieldWindow = ConstU32<4>;
	type MaxRiskScan = ConstU32<16>;
	type MaxDelegatorsPerOperator = ConstU32<8>;
	type MaxCommission = MaxCommission;
	type MaxDelegatorSlashesPerBlock = ConstU32<10>;
	// 8 services x 2 reports x (8 + 1) visits = 144 <= 15 blocks x 10 delegators.
	type MaxOperatorSlashesPerEra = ConstU32<2>;
	type BlocksPerEra = ConstU32<{ PERIOD as u32 * SESSIONS_PER_ERA }>;
	type WeightInfo = ();
}

parameter_types! {
	/// The validator set staking-async sent, waiting for its session.
	static Queued: Option<(Vec<AccountId>, u32)> = None;
	/// The relay chain's session index.
	pub static CurrentSession: SessionIndex = 0;
}

/// The relay chain, as staking-async sees it: sessions end, validator sets are activated one
/// session after they are sent, offences arrive.
pub struct RelayChain;

impl rc_client::RcClientInterface for RelayChain {
	type AccountId = AccountId;

	fn validator_set(new_validator_set: Vec<AccountId>, id: u32, _prune_up_to: Option<u32>) {
		Queued::set(Some((new_validator_set, id)));
	}
}

impl RelayChain {
	/// End the current session: activate a queued validator set (with the block's timestamp),
	/// report the session to staking-async.
	fn end_session() {
		use rc_client::AHStakingInterface;
		let ending = CurrentSession::get();
		let activation = Queued::take().map(|(_, id)| (timestamp(), id));
		Staking::on_relay_session_report(rc_client::SessionReport::new_terminal(
			ending,
			vec![],
			activation,
		));
		CurrentSession::set(ending + 1);
	}

	/// Offences of the current session, with their slash fractions, as the relay chain's
	/// offences pallet would send them.
	pub fn offend(offenders: &[(AccountId, Perbill)]) {
		use rc_client::AHStakingInterface;
		let offences = offenders
			.iter()
			.map(|(offender, fraction)| rc_client::Offence {
				offender: *offender,
				reporters: vec![],
				slash_fraction: *fraction,
			})
			.collect();
		Staking::on_new_offences(CurrentSession::get(), offences);
	}
}

/// Milliseconds since the epoch at the current block: six seconds a block.
fn timestamp() -> u64 {
	30_000 + System::block_number() * 6_000
}

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

	/// The externalities, with era 1 active.
	pub fn build(self) -> sp_io::TestExternalities {
		sp_tracing::try_init_simple();
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<(AccountId, Balance)> =
			self.stakers.iter().map(|(who, stake, _)| (*who, stake + 1_000)).collect();
		balances.extend([(SLASHER, 1_000)]);
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_staking_async::GenesisConfig::<Test> {
			stakers: self.stakers.clone(),
			validator_count: 2,
			active_era: (0, 0, 30_000),
			slash_reward_fraction: Perbill::from_percent(10),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::from(storage);
		ext.execute_with(|| {
			start_active_era(1);
			ServiceSlashed::set(0);
		});
		ext
	}

	/// Run `test`, then check this pallet's and staking-async's invariants.
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

/// Run the next block with every pallet's hooks; the relay chain ends a session every
/// [`PERIOD`] blocks.
pub fn next_block() {
	let n = System::block_number();
	Restaking::on_idle(n, frame_support::weights::Weight::zero());
	System::run_to_block_with::<AllPalletsWithSystem>(
		n + 1,
		frame_system::RunToBlockHooks::default(),
	);
	// staking-async fetches election pages in `on_poll`.
	<AllPalletsWithSystem as frame_support::traits::OnPoll<u64>>::on_poll(
		n + 1,
		&mut frame_support::weights::WeightMeter::new(),
	);
	if (n + 1).is_multiple_of(PERIOD) {
		RelayChain::end_session();
	}
}

/// The active era.
pub fn active_era() -> EraIndex {
	pallet_staking_async::ActiveEra::<Test>::get().map(|e| e.index).unwrap_or_default()
}

/// Run blocks until era `era` is active and its first block has run.
pub fn start_active_era(era: EraIndex) {
	while active_era() < era {
		assert!(System::block_number() < 1_000, "era {era} never starts");
		next_block();
	}
	next_block();
	assert_eq!(active_era(), era);
}

/// Root sets staking-async's `AreNominatorsSlashable` through `set_staking_configs`.
pub fn set_nominators_slashable(slashable: bool) {
	use pallet_staking_async::ConfigOp::{Noop, Set};
	assert_ok!(Staking::set_staking_configs(
		RuntimeOrigin::root(),
		Noop,
		Noop,
		Noop,
		Noop,
		Noop,
		Noop,
		Noop,
		Set(slashable),
		Noop,
	));
}

/// Events of this pallet since genesis, oldest first.
pub fn restaking_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Restaking(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// staking-async `Slashed` events since genesis, as `(staker, amount)`.
pub fn staking_slashed_events() -> Vec<(AccountId, Balance)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Staking(pallet_staking_async::Event::Slashed { staker, amount }) => {
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

/// A stash's total bonded stake in staking-async.
pub fn bonded(who: AccountId) -> Balance {
	pallet_staking_async::Ledger::<Test>::get(who).map(|l| l.total).unwrap_or_else(Zero::zero)
}

/// The exposure of `who` to `service`, zero if it has no position.
pub fn exposure(who: AccountId, service: ServiceId) -> Balance {
	crate::Positions::<Test>::get(who, service).map(|p| p.exposure).unwrap_or_default()
}

/// The stake securing `service`.
pub fn secured(service: ServiceId) -> Balance {
	crate::Services::<Test>::get(service).map(|s| s.total_secured).unwrap_or_default()
}

/// `who` opts `amount` into `service`, which must succeed.
pub fn opt_in(who: AccountId, service: ServiceId, amount: Balance) {
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(who), service, amount));
}

/// Report `offender` for an offence in `era` under `rule` of `service`, as `SLASHER`.
pub fn report(
	service: ServiceId,
	offender: AccountId,
	rule: u32,
	era: EraIndex,
) -> sp_runtime::DispatchResult {
	Restaking::report_offence(RuntimeOrigin::signed(SLASHER), service, offender, rule, era)
}
