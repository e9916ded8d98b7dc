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
use frame_election_provider_support::onchain;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, Hooks},
	weights::constants::RocksDbWeight,
};
use frame_system::EnsureRoot;
pub use pallet_staking_async::StakerStatus;
use pallet_staking_async::UseValidatorsMap;
use pallet_staking_async_rc_client as rc_client;
use sp_runtime::{traits::Zero, BuildStorage, Perbill};
use sp_staking::{EraIndex, SessionIndex};

/// Account ids are plain numbers.
pub type AccountId = u64;
/// Balances are `u128`, as on real chains.
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

/// Eras of a nominator's unbonding while `AreNominatorsSlashable` is false (Polkadot's value).
pub const FAST_UNBOND: EraIndex = 2;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Staking: pallet_staking_async,
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

parameter_types! {
	pub const NominatorFastUnbondDuration: EraIndex = FAST_UNBOND;
	/// Eras a base-layer slash waits before it is applied (0: at once); a test sets it before
	/// building its world.
	pub static SlashDeferDuration: EraIndex = 0;
	/// Nominators per exposure page (and per slash page); a test sets it before building.
	pub static MaxExposurePageSize: u32 = 64;
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

#[derive_impl(pallet_staking_async::config_preludes::TestDefaultConfig)]
impl pallet_staking_async::Config for Test {
	type OldCurrency = Balances;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type NominatorFastUnbondDuration = NominatorFastUnbondDuration;
	type SlashDeferDuration = SlashDeferDuration;
	type MaxExposurePageSize = MaxExposurePageSize;
	type PlanningEraOffset = ConstU32<1>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type EraPayout = OnePercentAnEra;
	type RewardPots = pallet_staking_async::SequentialTest;
	type ElectionProvider = Election;
	type VoterList = VoterList;
	type TargetList = UseValidatorsMap<Self>;
	type RcClientInterface = RelayChain;
	type EventListeners = Restaking;
}

crate::mock_shared::restaking_world!(pallet_staking_async, StakingAsyncSlashing);

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
		Self::offend_in(CurrentSession::get(), offenders)
	}

	/// Offences of session `session`, as [`Self::offend`].
	pub fn offend_in(session: SessionIndex, offenders: &[(AccountId, Perbill)]) {
		use rc_client::AHStakingInterface;
		let offences = offenders
			.iter()
			.map(|(offender, fraction)| rc_client::Offence {
				offender: *offender,
				reporters: vec![],
				slash_fraction: *fraction,
			})
			.collect();
		Staking::on_new_offences(session, offences);
	}
}

/// Milliseconds since the epoch at the current block: six seconds a block.
fn timestamp() -> u64 {
	30_000 + System::block_number() * 6_000
}

impl ExtBuilder {
	/// The externalities, with block 1 run in era 0.
	pub fn build(self) -> sp_io::TestExternalities {
		sp_tracing::try_init_simple();
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<(AccountId, Balance)> =
			self.stakers.iter().map(|(who, stake, _)| (*who, stake + 1_000)).collect();
		balances.extend([(UNBONDED, 10_000), (SLASHER, 1_000), (STRANGER, 1_000)]);
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
			next_block();
			// staking-async elects no set at genesis (on Polkadot Hub its state came from the
			// relay chain): store era 0's exposures from the election as it does at an era's
			// start, so era 0 has a validator set and a total stake as on pallet-staking.
			let supports =
				<Election as frame_election_provider_support::ElectionProvider>::elect(0)
					.expect("a genesis election");
			let mut total = 0;
			for (validator, support) in supports {
				let own = support
					.voters
					.iter()
					.find(|(who, _)| *who == validator)
					.map_or(0, |(_, stake)| *stake);
				let others = support
					.voters
					.iter()
					.filter(|(who, _)| *who != validator)
					.map(|(who, value)| sp_staking::IndividualExposure { who: *who, value: *value })
					.collect();
				total += support.total;
				pallet_staking_async::session_rotation::Eras::<Test>::upsert_exposure(
					0,
					&validator,
					sp_staking::Exposure { total: support.total, own, others },
				);
			}
			pallet_staking_async::ErasTotalStake::<Test>::insert(0, total);
			ServiceSlashed::set(0);
		});
		ext
	}
}

/// Run the next block with every pallet's hooks. The relay chain ends a session every
/// [`PERIOD`] blocks, at the start of the block before its hooks, as pallet-session's
/// `on_initialize` does on pallet-staking: an era starts in a block this pallet's hooks see.
pub fn next_block() {
	let n = System::block_number();
	Restaking::on_idle(n, frame_support::weights::Weight::zero());
	System::run_to_block_with::<AllPalletsWithSystem>(
		n + 1,
		frame_system::RunToBlockHooks::default().before_initialize(|bn: u64| {
			if bn.is_multiple_of(PERIOD) {
				RelayChain::end_session();
			}
		}),
	);
	// staking-async fetches election pages in `on_poll`.
	<AllPalletsWithSystem as frame_support::traits::OnPoll<u64>>::on_poll(
		n + 1,
		&mut frame_support::weights::WeightMeter::new(),
	);
}

/// Whether the next block starts an era: its session ends and the relay chain activates the
/// validator set staking-async sent.
pub fn era_starts_next_block() -> bool {
	(System::block_number() + 1).is_multiple_of(PERIOD) && Queued::get().is_some()
}

/// The relay chain's session index.
pub fn current_session() -> SessionIndex {
	CurrentSession::get()
}

/// The share of the model harnesses' committed cases this world runs, in percent: the second
/// world repeats the first's sequences with fewer cases, to keep CI in budget.
pub const MODEL_CASES_PERCENT: u32 = 25;

/// staking-async unlocks by the active era.
pub const WITHDRAW_LEAD: EraIndex = 0;

/// The reads of deferred slashes a pool's `join` pays beyond its benchmark's one,
/// deferring nothing and deferring 27 eras: `CancelledSlashes` and `UnappliedSlashes` of eras
/// `active ..= active + defer + 1`, 4 and 58 reads.
pub const DEFERRED_SLASH_READS: [u64; 2] = [3, 57];

/// A base-layer slash of `fraction` of `validator`'s exposure in `era`, applied at once: the
/// offence path of [`offence`], the only one staking-async has.
pub fn base_slash(validator: AccountId, era: EraIndex, fraction: Perbill) {
	offence(validator, era, fraction)
}

/// staking-async has no `manual_slash`: Root's slash is an offence from the relay chain.
pub fn manual_slash(
	validator: AccountId,
	era: EraIndex,
	fraction: Perbill,
) -> sp_runtime::DispatchResult {
	offence(validator, era, fraction);
	Ok(())
}

/// An offence of `validator` in `era` at `fraction`, applied at once: the relay chain reports
/// it in the era's first session, and staking-async's `on_initialize` takes it from its offence
/// queue and applies it (no slash deferral unless [`SlashDeferDuration`] is set).
pub fn offence(validator: AccountId, era: EraIndex, fraction: Perbill) {
	let session = pallet_staking_async::BondedEras::<Test>::get()
		.iter()
		.find(|(bonded, _)| *bonded == era)
		.map(|(_, session)| *session)
		.expect("a bonded era");
	RelayChain::offend_in(session, &[(validator, fraction)]);
	Staking::on_initialize(System::block_number());
}

/// Run blocks up to `n`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		next_block();
	}
}

/// The active era.
pub fn active_era() -> EraIndex {
	pallet_staking_async::ActiveEra::<Test>::get().map(|e| e.index).unwrap_or_default()
}

/// Run blocks until era `era` is active (its first block has run).
pub fn start_active_era(era: EraIndex) {
	while active_era() < era {
		assert!(System::block_number() < 1_000, "era {era} never starts");
		next_block();
	}
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
