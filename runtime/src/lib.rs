//! # Restaking runtime
//!
//! A chain that runs `pallet-restaking` on real `pallet-staking`: Aura blocks, GRANDPA finality,
//! NPoS staking with an on-chain election and a reward curve, sessions with historical
//! sessions, offences (GRANDPA equivocations reach staking), sudo, and restaking wired as
//! pallet-staking's event listener so that every slash cascades.
//!
//! - [`configs`]: one `impl Config` per pallet, timing under the `fast-runtime` feature.
//! - [`apis`]: the runtime APIs, `RestakingApi` among them.
//! - [`genesis_config_presets`]: the `development` and `local_testnet` presets.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` needs a deep recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// Declared first: `define_benchmarks!` makes the macros `apis` uses.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benches;

pub mod apis;
pub mod configs;
pub mod genesis_config_presets;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use configs::*;
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_restaking::Call as RestakingCall;
pub use pallet_staking::Call as StakingCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Block numbers.
pub type BlockNumber = u32;
/// Transaction signatures: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// Account ids: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balances, in the chain's smallest unit.
pub type Balance = u128;
/// Transaction counters.
pub type Nonce = u32;
/// Block and state hashes.
pub type Hash = sp_core::H256;

/// One token: 12 decimals, as on Polkadot's test chains.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a token.
pub const MILLI_UNIT: Balance = UNIT / 1_000;
/// A millionth of a token.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
/// The existential deposit.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block id.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The session keys of a validator: Aura for authoring, GRANDPA for finality.
		pub struct SessionKeys {
			/// Block authoring key (sr25519).
			pub aura: Aura,
			/// Finality key (ed25519).
			pub grandpa: Grandpa,
		}
	}
}

pub use opaque::SessionKeys;

/// The runtime's version.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("restaking"),
	impl_name: alloc::borrow::Cow::Borrowed("restaking"),
	authoring_version: 1,
	// 102: utility, proxy and multisig pallets; `CheckMetadataHash` in the transaction extensions.
	// 103: assets (liquid restaking pools' shares), nomination pools and delegated staking.
	spec_version: 103,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	// 2: the transaction extensions gained `CheckMetadataHash`.
	transaction_version: 2,
	system_version: 1,
};

/// Milliseconds per block: Aura's slot.
pub const MILLI_SECS_PER_BLOCK: u64 = 6_000;
/// Aura's slot duration.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;

/// The address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The transaction extensions: what a signed extrinsic carries and checks.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
);
/// Extrinsics as this runtime decodes them.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;
/// Runtime migrations beyond the pallets' own.
type Migrations = (pallet_restaking::migrations::v5::MigrateV4ToV5<Runtime>,);
/// Dispatches blocks to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	/// The runtime.
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	/// Accounts, blocks, events.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	/// Block timestamps.
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	/// Block authoring.
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	/// Finality.
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	/// Balances, holds and freezes.
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	/// Fees.
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	/// A superuser for dev and test chains.
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	/// Block authors, for era points.
	#[runtime::pallet_index(7)]
	pub type Authorship = pallet_authorship;
	/// NPoS staking.
	#[runtime::pallet_index(8)]
	pub type Staking = pallet_staking;
	/// Offences, reported to staking.
	#[runtime::pallet_index(9)]
	pub type Offences = pallet_offences;
	/// Validator sessions and their keys.
	#[runtime::pallet_index(10)]
	pub type Session = pallet_session;
	/// Historical sessions, to prove key ownership in equivocation reports.
	#[runtime::pallet_index(11)]
	pub type Historical = pallet_session::historical;
	/// Restaking: bonded stake secures extra services.
	#[runtime::pallet_index(12)]
	pub type Restaking = pallet_restaking;
	/// Staking's voter list, kept in score-sorted bags.
	#[runtime::pallet_index(13)]
	pub type VoterList = pallet_bags_list;
	/// The council, which governs restaking beside Root.
	#[runtime::pallet_index(14)]
	pub type Council = pallet_collective<Instance1>;
	/// Preimages of calls governance refers to by hash.
	#[runtime::pallet_index(15)]
	pub type Preimage = pallet_preimage;
	/// Root through the council: whitelisted calls dispatched as Root.
	#[runtime::pallet_index(16)]
	pub type Whitelist = pallet_whitelist;
	/// Batches of calls.
	#[runtime::pallet_index(17)]
	pub type Utility = pallet_utility;
	/// Proxies: an operator key acts for a stash within its proxy type.
	#[runtime::pallet_index(18)]
	pub type Proxy = pallet_proxy;
	/// Multisig accounts, such as a service's slasher.
	#[runtime::pallet_index(19)]
	pub type Multisig = pallet_multisig;
	/// Fungible assets: among them, each liquid restaking pool's shares.
	#[runtime::pallet_index(20)]
	pub type Assets = pallet_assets;
	/// Nomination pools, as on Polkadot, beside restaking's own pools.
	#[runtime::pallet_index(21)]
	pub type NominationPools = pallet_nomination_pools;
	/// Delegated staking: nomination pools' members delegate to their pool.
	#[runtime::pallet_index(22)]
	pub type DelegatedStaking = pallet_delegated_staking;
}

#[cfg(test)]
mod docs_tests;
#[cfg(test)]
mod tests;
