//! What the two test worlds share: the accounts and constants the tests name, this pallet's
//! configuration, and the helpers the tests call. Each world ([`crate::mock`] on pallet-staking,
//! `crate::mock_async` on pallet-staking-async) expands [`restaking_world`] with its staking
//! pallet and its adapter, so the same test bodies run on both.

/// Expand the shared part of a test world, given the staking pallet's crate (`pallet_staking`
/// or `pallet_staking_async`) and this pallet's adapter for it. The world defines `Test`,
/// `AccountId`, `Balance`, the `Staking`, `Balances` and `Restaking` pallets, and imports
/// what the expansion names.
macro_rules! restaking_world {
	($staking:ident, $slashing:ident) => {
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

		parameter_types! {
			pub const SessionsPerEra: SessionIndex = SESSIONS_PER_ERA;
			pub const BondingDuration: EraIndex = BONDING_DURATION;
			pub static ElectionsBounds: frame_election_provider_support::bounds::ElectionBounds =
				frame_election_provider_support::bounds::ElectionBoundsBuilder::default().build();
			/// Bag `k` holds vote weights up to `2^k`, as in the runtime.
			pub static VoterBagThresholds: &'static [u64] =
				&[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
		}

		/// The on-chain election the staking pallet runs for every era, in one page.
		pub struct OnChainSeqPhragmen;
		impl frame_election_provider_support::onchain::Config for OnChainSeqPhragmen {
			type System = Test;
			type Solver = frame_election_provider_support::SequentialPhragmen<AccountId, Perbill>;
			type DataProvider = Staking;
			type WeightInfo = ();
			type MaxBackersPerWinner = ConstU32<256>;
			type MaxWinnersPerPage = ConstU32<100>;
			type Bounds = ElectionsBounds;
			type Sort = sp_core::ConstBool<true>;
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
		impl frame_support::traits::OnUnbalanced<$staking::NegativeImbalanceOf<Test>> for OnSlash {
			fn on_nonzero_unbalanced(amount: $staking::NegativeImbalanceOf<Test>) {
				ServiceSlashed::mutate(|total| *total += frame_support::traits::Imbalance::peek(&amount));
			}
		}

		parameter_types! {
			/// Total of the funds slashed by restaking services, as received by `OnSlash`.
			pub static ServiceSlashed: Balance = 0;
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
			type Slashing = pallet_restaking::$slashing<Test, OnSlash>;
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
			type Assets = Assets;
			type PoolAsset = sp_runtime::traits::ConvertInto;
			type MinPoolDeposit = frame_support::traits::ConstU128<MIN_POOL_DEPOSIT>;
			type MaxPools = ConstU32<4>;
			type MaxRedemptions = ConstU32<4>;
			type PoolNotice = ConstU32<{ BONDING_DURATION + 1 }>;
			type WeightInfo = ();
		}

		/// The least a pool's creator bonds.
		pub const MIN_POOL_DEPOSIT: Balance = 100;

		#[frame_support::derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
		impl pallet_assets::Config for Test {
			type Balance = Balance;
			type Currency = Balances;
			type CreateOrigin =
				frame_support::traits::AsEnsureOriginWithArg<frame_system::EnsureSigned<AccountId>>;
			type ForceOrigin = EnsureRoot<AccountId>;
			type Freezer = ();
			type Holder = ();
		}

		/// Sets up a staking world in one line per test; each world adds its `build`.
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

			/// Run `test`, then check this pallet's and the staking pallet's invariants.
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
					RuntimeEvent::Staking($staking::Event::Slashed { staker, amount }) => {
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

		/// The staking pallet's ledgers, by stash (`active`, `total`, `unlocking` with `era` and
		/// `value`: the same fields in both staking pallets).
		pub type StakingLedgers = $staking::Ledger<Test>;

		pub use $staking::RewardDestination;

		/// The world's staking pallet (`pallet_staking` or `pallet_staking_async`), for the
		/// storage items both have under the same names (`Ledger`, `Validators`,
		/// `ErasTotalStake`, ...).
		pub use $staking as staking;

		/// Pays validators 1% of the era's total stake each era, whatever its length: base
		/// yields with exact figures.
		pub struct OnePercentAnEra;

		impl sp_staking::EraPayout<Balance> for OnePercentAnEra {
			fn era_payout(staked: Balance, _issuance: Balance, _era_ms: u64) -> (Balance, Balance) {
				(staked / 100, 0)
			}
		}

		/// Run blocks up to the last block of the active era.
		pub fn run_to_last_block_of_era() {
			while !era_starts_next_block() {
				next_block();
			}
		}

		/// A stash's total bonded stake in pallet-staking.
		pub fn bonded(who: AccountId) -> Balance {
			$staking::Ledger::<Test>::get(who).map(|l| l.total).unwrap_or_else(Zero::zero)
		}

		/// A stash's funds held by pallet-staking.
		pub fn staking_hold(who: AccountId) -> Balance {
			use frame_support::traits::fungible::InspectHold;
			Balances::balance_on_hold(&$staking::HoldReason::Staking.into(), &who)
		}

		/// The exposure of `who` to `service`, zero if it has no position.
		pub fn exposure(who: AccountId, service: ServiceId) -> Balance {
			crate::Positions::<Test>::get(who, service).map(|p| p.exposure).unwrap_or_default()
		}

		/// The stake securing `service`.
		pub fn secured(service: ServiceId) -> Balance {
			crate::Services::<Test>::get(service).map(|s| s.total_secured).unwrap_or_default()
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

		/// The pools tests' world from era 1: `VALIDATOR_A` operates at 10% in an oracle with
		/// 1,000, and `UNBONDED` creates pool 0 delegating to it with the minimum deposit (100).
		/// Returns the oracle's id.
		pub fn oracle_and_pool() -> ServiceId {
			start_active_era(1);
			let oracle = register("oracle");
			assert_ok!(Restaking::set_operator(
				RuntimeOrigin::signed(VALIDATOR_A),
				sp_runtime::Perbill::from_percent(10)
			));
			opt_in(VALIDATOR_A, oracle, 1_000);
			assert_ok!(Restaking::create_pool(
				RuntimeOrigin::signed(UNBONDED),
				VALIDATOR_A,
				MIN_POOL_DEPOSIT
			));
			oracle
		}

		/// `who` sets its allocation to `service` to `amount`, which must succeed.
		pub fn set_allocation(who: AccountId, service: ServiceId, amount: Balance) {
			assert_ok!(Restaking::set_allocation(RuntimeOrigin::signed(who), service, amount));
		}

		/// The allocation history of `who`'s position in `service`.
		pub fn history(who: AccountId, service: ServiceId) -> Vec<(EraIndex, Balance)> {
			crate::Positions::<Test>::get(who, service).unwrap().history.into_inner()
		}

	};
}

pub(crate) use restaking_world;
