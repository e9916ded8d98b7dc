//! Runtime API of `pallet-restaking`, read by polkadot-js as `api.call.restakingApi.*`.
//!
//! The runtime implements it by calling the pallet's views: `services_view`, `service_view`,
//! `exposures_view`, `pending_slashes_view`, `pending_slashes_of_view`, `simulate_slash`,
//! `risk_view` and `risk_figures`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub mod types;
use sp_runtime::DispatchError;
pub use types::*;

sp_api::decl_runtime_apis! {
	/// Read restaking state and ask what a slash would do.
	///
	/// Version 2 added `risk_figures`, version 3 `operator` and `delegation`, version 4 `pools`
	/// and `pool`.
	#[api_version(3)]
	pub trait RestakingApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// Every registered service: parameters, status, total secured stake, restaker count.
		fn services() -> Vec<ServiceView<AccountId, Balance>>;

		/// One service, if registered.
		fn service(id: ServiceId) -> Option<ServiceView<AccountId, Balance>>;

		/// A restaker's positions (allocation, exposure, exit, claimable rewards), stake and
		/// leverage; `None` if it has no position and nothing to claim.
		fn exposures(who: AccountId) -> Option<RestakerView<Balance>>;

		/// The scheduled slashes reported by a service, by id.
		fn pending_slashes(service: ServiceId) -> Vec<(SlashId, PendingSlash<AccountId, Balance>)>;

		/// The scheduled slashes of a restaker, by id.
		fn pending_slashes_of(who: AccountId) -> Vec<(SlashId, PendingSlash<AccountId, Balance>)>;

		/// What a report of `offender` under `rule` of `service` for an offence in the active era
		/// would do once it landed: the amount, the offender's stake after, and every service's
		/// secured stake before and after the cascade; or the error the report would get. Runs
		/// the real report and landing, rolled back.
		fn simulate_slash(
			service: ServiceId,
			offender: AccountId,
			rule: RuleIndex,
		) -> Result<SlashSimulation<Balance>, DispatchError>;

		/// The chain-wide risk figures: total bonded and restaked stake and their ratio, whether
		/// coverage is kept, the breaker, its budget for each era with slashes to land, and how
		/// many slashes it holds.
		fn risk() -> RiskView<Balance>;

		/// The risk figures that need every restaker, one page of at most `MaxRiskScan`
		/// restakers after `start_after` (from the first if `None`): each service's share, its
		/// largest restaker, its worst case with coverage applied and its organic yield beside
		/// the base staking yield; the restaked share and the restaking degree. Follow `next`
		/// for the other pages.
		fn risk_figures(start_after: Option<AccountId>) -> RiskFigures<AccountId, Balance>;

		/// An operator: commission (and an increase waiting), whether it takes delegations,
		/// its delegators, and its own and delegated stake per service. `None` if `who` is not
		/// an operator.
		#[api_version(3)]
		fn operator(who: AccountId) -> Option<OperatorView<AccountId, Balance>>;

		/// A delegator's delegation: operator, amount, commission, exclusions, and its end or
		/// former operator. `None` if `who` does not delegate.
		#[api_version(3)]
		fn delegation(who: AccountId) -> Option<DelegationView<AccountId, Balance>>;

		/// Every liquid restaking pool, by id.
		#[api_version(4)]
		fn pools() -> Vec<PoolView<AccountId, Balance>>;

		/// One pool: rate, supply, terms and worst case now and after its scheduled changes,
		/// pending slashes and its redemption queue. `None` if there is no such pool.
		#[api_version(4)]
		fn pool(id: u32) -> Option<PoolView<AccountId, Balance>>;
	}
}
