//! Genesis presets: `development` (Alice validating and operating, a sample service with Alice in
//! it, and a sample liquid restaking pool delegating to her),
//! `local_testnet` (Alice, Bob, Charlie and Dave validating, all four in the sample service) and
//! `production` (a real network's parameters, with no well-known keys and no sudo key: the
//! operator adds its validators, their session keys, balances and council, see
//! `docs/deploying.md`).

use crate::{
	configs::SampleDisputeWindow, AccountId, BalancesConfig, CouncilConfig, RestakingConfig,
	RuntimeGenesisConfig, SessionConfig, SessionKeys, StakingConfig, SudoConfig, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_restaking::GenesisService;
use pallet_staking::StakerStatus;
use serde_json::Value;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::Perbill;

/// What every well-known account starts with.
pub const ENDOWMENT: u128 = 1_000_000 * UNIT;
/// What each genesis validator bonds.
pub const VALIDATOR_BOND: u128 = 100_000 * UNIT;
/// What each genesis validator allocates to the sample service.
pub const SAMPLE_ALLOCATION: u128 = 50_000 * UNIT;
/// Id of the sample service.
pub const SAMPLE_SERVICE: u32 = 0;
/// The `development` preset's operator commission: Alice's cut of her delegators' service
/// rewards.
pub const SAMPLE_COMMISSION: Perbill = Perbill::from_percent(10);
/// Id of the `development` preset's sample pool.
pub const SAMPLE_POOL: u32 = 0;
/// What `//Two` deposits into the sample pool: its manager's locked deposit, and the pool's
/// first shares.
pub const SAMPLE_POOL_DEPOSIT: u128 = 10_000 * UNIT;

/// Session keys of a well-known account: Aura (sr25519) and GRANDPA (ed25519).
pub fn session_keys(who: Sr25519Keyring) -> SessionKeys {
	let grandpa = match who {
		Sr25519Keyring::Alice => Ed25519Keyring::Alice,
		Sr25519Keyring::Bob => Ed25519Keyring::Bob,
		Sr25519Keyring::Charlie => Ed25519Keyring::Charlie,
		Sr25519Keyring::Dave => Ed25519Keyring::Dave,
		Sr25519Keyring::Eve => Ed25519Keyring::Eve,
		Sr25519Keyring::Ferdie => Ed25519Keyring::Ferdie,
		Sr25519Keyring::One => Ed25519Keyring::One,
		Sr25519Keyring::Two => Ed25519Keyring::Two,
		Sr25519Keyring::AliceStash => Ed25519Keyring::AliceStash,
		Sr25519Keyring::BobStash => Ed25519Keyring::BobStash,
		Sr25519Keyring::CharlieStash => Ed25519Keyring::CharlieStash,
		Sr25519Keyring::DaveStash => Ed25519Keyring::DaveStash,
		Sr25519Keyring::EveStash => Ed25519Keyring::EveStash,
		Sr25519Keyring::FerdieStash => Ed25519Keyring::FerdieStash,
	};
	SessionKeys { aura: who.public().into(), grandpa: grandpa.public().into() }
}

/// The sample service: an oracle whose slasher is Bob, with a 10% "downtime" rule and a 50%
/// ejecting "equivocation" rule.
pub fn sample_service() -> GenesisService<AccountId, u128> {
	GenesisService {
		name: b"sample-oracle".to_vec(),
		slasher: Sr25519Keyring::Bob.to_account_id(),
		rules: vec![
			(b"downtime".to_vec(), Perbill::from_percent(10), false),
			(b"equivocation".to_vec(), Perbill::from_percent(50), true),
		],
		min_stake: 1_000 * UNIT,
		validators_only: false,
		exit_delay: SampleDisputeWindow::get(),
		dispute_window: SampleDisputeWindow::get(),
		max_share: None,
	}
}

/// The council of both presets: Alice, Bob, Charlie and Dave. With four seats, two votes make
/// the half that cancels a slash and three the two thirds that register a service.
pub fn council_members() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
		.iter()
		.map(|k| k.to_account_id())
		.collect()
}

fn genesis(validators: Vec<Sr25519Keyring>) -> Value {
	genesis_with(validators, vec![], vec![])
}

/// The chain of `validators` with `operators` `(stash, commission)` and liquid restaking `pools`
/// `(creator, operator, deposit)`.
fn genesis_with(
	validators: Vec<Sr25519Keyring>,
	operators: Vec<(AccountId, Perbill)>,
	pools: Vec<(AccountId, AccountId, u128)>,
) -> Value {
	let endowed: Vec<(AccountId, u128)> =
		Sr25519Keyring::iter().map(|k| (k.to_account_id(), ENDOWMENT)).collect();
	let stakers: Vec<_> = validators
		.iter()
		.map(|v| (v.to_account_id(), v.to_account_id(), VALIDATOR_BOND, StakerStatus::Validator))
		.collect();
	let keys: Vec<_> = validators
		.iter()
		.map(|v| (v.to_account_id(), v.to_account_id(), session_keys(*v)))
		.collect();
	let opt_ins: Vec<_> =
		validators.iter().map(|v| (v.to_account_id(), SAMPLE_SERVICE, SAMPLE_ALLOCATION)).collect();
	let count = validators.len() as u32;

	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: endowed },
		session: SessionConfig { keys },
		staking: StakingConfig {
			validator_count: count,
			minimum_validator_count: 1,
			stakers,
			slash_reward_fraction: Perbill::from_percent(10),
		},
		sudo: SudoConfig { key: Some(Sr25519Keyring::Alice.to_account_id()) },
		council: CouncilConfig { members: council_members() },
		restaking: RestakingConfig { services: vec![sample_service()], opt_ins, operators, pools },
	})
}

/// The `development` preset: Alice validates alone and operates at [`SAMPLE_COMMISSION`];
/// `//Two` manages pool [`SAMPLE_POOL`], which delegates its [`SAMPLE_POOL_DEPOSIT`] to Alice,
/// nominates her and so backs the sample service with her.
pub fn development_config_genesis() -> Value {
	let alice = Sr25519Keyring::Alice.to_account_id();
	genesis_with(
		vec![Sr25519Keyring::Alice],
		vec![(alice.clone(), SAMPLE_COMMISSION)],
		vec![(Sr25519Keyring::Two.to_account_id(), alice, SAMPLE_POOL_DEPOSIT)],
	)
}

/// The `local_testnet` preset: four validators, so one can fail without stopping finality.
pub fn local_testnet_genesis() -> Value {
	genesis(vec![
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
	])
}

/// The `production` preset's smallest validator bond: 10,000 `UNIT`.
pub const PRODUCTION_MIN_VALIDATOR_BOND: u128 = 10_000 * UNIT;
/// The `production` preset's smallest nominator bond: 100 `UNIT`.
pub const PRODUCTION_MIN_NOMINATOR_BOND: u128 = 100 * UNIT;
/// The `production` preset's validator count (staking elects this many).
pub const PRODUCTION_VALIDATOR_COUNT: u32 = 20;
/// The name of the `production` preset.
pub const PRODUCTION_PRESET: &str = "production";

/// The `production` preset: a real network's staking parameters and nothing well known. No
/// account is endowed, nobody validates and the council is empty: the operator's chain spec adds
/// its validators (`staking.stakers`, `session.keys`), their balances and the council; genesis
/// fails without validators. Sudo has no key, so Root is reached only through the council
/// (`pallet-whitelist`). The election reads at most `ElectionBounds`' 1,000 targets and 5,000
/// voters: `max_validator_count` and `max_nominator_count` keep every registered validator and
/// nominator within them, so no validator is dropped for its place in the target list, and
/// registering one costs the minimum bond.
pub fn production_genesis() -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		staking: StakingConfig {
			validator_count: PRODUCTION_VALIDATOR_COUNT,
			minimum_validator_count: 4,
			slash_reward_fraction: Perbill::from_percent(10),
			min_validator_bond: PRODUCTION_MIN_VALIDATOR_BOND,
			min_nominator_bond: PRODUCTION_MIN_NOMINATOR_BOND,
			max_validator_count: Some(1_000),
			max_nominator_count: Some(4_000),
		},
		sudo: SudoConfig { key: None },
	})
}

/// The preset called `id`, as JSON.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		PRODUCTION_PRESET => production_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(|s| s.into_bytes())
}

/// The presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(PRODUCTION_PRESET),
	]
}
