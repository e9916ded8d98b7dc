//! The types the runtime API returns, and the pallet's records it shares with it: ids, service
//! status, pending slashes, the breaker's state and budgets, and the views.
//!
//! They live here so that a client or another runtime can use the API without depending on
//! `pallet-restaking` (and so on pallet-staking); the pallet re-exports every one of them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// An era index, as pallet-staking counts eras (`sp_staking::EraIndex`).
pub type EraIndex = u32;

/// Identifier of a service, assigned in registration order.
pub type ServiceId = u32;
/// Identifier of a scheduled slash, assigned in report order.
pub type SlashId = u32;
/// Index of a slashing rule within its service's rule list.
pub type RuleIndex = u32;

/// Where a service stands.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ServiceStatus {
	/// Takes opt-ins and offence reports.
	Active,
	/// No new opt-ins, no allocation raises and no new reports; exits and pending slashes go on.
	Paused,
	/// Closed for good: like `Paused`, and it can never be resumed.
	Retired,
}

/// Where a scheduled slash stands against the chain-wide breaker.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum BreakerState {
	/// Within its apply era's budget: it lands unless cancelled.
	Within,
	/// It would cross the budget: it lands only if governance approves it before its apply era,
	/// and is dropped then otherwise.
	Held,
	/// Held, then approved by governance: it lands like any other.
	Approved,
}

/// What the breaker has let through for one apply era.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen)]
pub struct SlashBudget<Balance> {
	/// `SlashBreaker x` the total bonded stake when the era's first slash was reported.
	pub cap: Balance,
	/// Sum of the amounts of slashes due in the era that were within the budget (landed or
	/// pending); at most `cap`.
	pub within: Balance,
	/// Sum of the amounts of held slashes that governance approved.
	pub approved: Balance,
}

/// A pending decrease of an allocation: a full exit when `target` is zero.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Exit<Balance> {
	/// The allocation once released; zero for `opt_out`.
	pub target: Balance,
	/// First active era in which `complete_opt_out` may release it.
	pub release_era: EraIndex,
}

/// A reported offence waiting for its dispute window to pass.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct PendingSlash<AccountId, Balance> {
	/// The service that reported it.
	pub service: ServiceId,
	/// The restaker to slash.
	pub offender: AccountId,
	/// The rule it was reported under.
	pub rule: RuleIndex,
	/// Whether applying it ejects the offender (copied from the rule at report time).
	pub eject: bool,
	/// The era in which the offence happened.
	pub offence_era: EraIndex,
	/// The active era when it was reported.
	pub reported_era: EraIndex,
	/// First active era in which it applies; governance may cancel it before.
	pub apply_era: EraIndex,
	/// What the report adds to the offence: `rule.fraction x exposure` at report time, less
	/// what earlier reports of the same offence scheduled; capped by the stake left when it
	/// lands.
	pub amount: Balance,
	/// Where it stands against the chain-wide breaker.
	pub breaker: BreakerState,
}

/// A slashing rule, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct RuleView {
	/// Name of the offence.
	pub name: alloc::vec::Vec<u8>,
	/// Fraction of the exposure a report slashes.
	pub fraction: Perbill,
	/// Whether an applied slash ejects the offender.
	pub eject: bool,
}

/// A service, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ServiceView<AccountId, Balance> {
	/// The service's id.
	pub id: ServiceId,
	/// Its name.
	pub name: alloc::vec::Vec<u8>,
	/// The account that may report offences.
	pub slasher: AccountId,
	/// Its slashing rules, by index.
	pub rules: alloc::vec::Vec<RuleView>,
	/// Smallest exposure it accepts.
	pub min_stake: Balance,
	/// Whether only validators may join.
	pub validators_only: bool,
	/// Eras from opt-out to release.
	pub exit_delay: EraIndex,
	/// Eras during which governance may cancel a slash.
	pub dispute_window: EraIndex,
	/// Active, paused or retired.
	pub status: ServiceStatus,
	/// Stake securing it now: the sum of its exposures.
	pub total_secured: Balance,
	/// Number of restakers in it.
	pub restakers: u32,
	/// Its worst case: the largest fraction among its rules in force.
	pub worst_case: Perbill,
	/// The largest share of the total bonded stake that may secure it; `None`: no cap.
	pub max_share: Option<Perbill>,
	/// `total_secured / total bonded stake`, in parts per billion.
	pub share_ppb: u64,
	/// A harsher change of its terms waiting for its effective era, if any.
	pub pending_change: Option<RuleChangeView>,
	/// How many of its scheduled slashes the breaker holds.
	pub held_slashes: u32,
}

/// A scheduled harsher change of a service's terms, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct RuleChangeView {
	/// First era in which the new terms apply to every restaker.
	pub effective_era: EraIndex,
	/// The new rules, by index.
	pub rules: alloc::vec::Vec<RuleView>,
	/// The new worst case.
	pub worst_case: Perbill,
	/// The new exit delay.
	pub exit_delay: EraIndex,
	/// The new dispute window.
	pub dispute_window: EraIndex,
}

/// The chain-wide risk figures, as the runtime API shows them.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct RiskView<Balance> {
	/// The total bonded stake shares are counted against (the stake behind the active era's
	/// validator set).
	pub total_bonded: Balance,
	/// Sum of every service's secured stake (a restaker counts once per service).
	pub total_restaked: Balance,
	/// `total_restaked / total_bonded`, in parts per billion; above 1,000,000,000 with leverage.
	pub restaked_share_ppb: u64,
	/// Whether the runtime keeps every restaker covered (`FullCoverage`).
	pub full_coverage: bool,
	/// The breaker: the fraction of `total_bonded` service slashes due in one era may take.
	pub breaker: Option<Perbill>,
	/// `(apply era, budget)` for every era with slashes still to land.
	pub budgets: alloc::vec::Vec<(EraIndex, SlashBudget<Balance>)>,
	/// Scheduled slashes the breaker holds, waiting for governance.
	pub held_slashes: u32,
}

/// One position of a restaker, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ExposureView<Balance> {
	/// The service.
	pub service: ServiceId,
	/// What the restaker allocated.
	pub allocation: Balance,
	/// What the service can slash now.
	pub exposure: Balance,
	/// Era of the opt-in.
	pub joined_era: EraIndex,
	/// A scheduled exit or decrease, if any.
	pub exit: Option<Exit<Balance>>,
	/// Rewards the restaker can claim from the service now.
	pub claimable_rewards: Balance,
	/// `(era, allocation)`: the allocation in force from each era on, inside the report window.
	pub history: alloc::vec::Vec<(EraIndex, Balance)>,
	/// The service's worst case now.
	pub worst_case: Perbill,
	/// `worst_case x allocation`: what a worst-case slash of the service could claim.
	pub claim: Balance,
}

/// Everything about one restaker, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct RestakerView<Balance> {
	/// Bonded stake, unlocking chunks included.
	pub stake: Balance,
	/// Active bonded stake: raises and opt-ins must fit `MaxLeverage x` it.
	pub active_stake: Balance,
	/// Stake a slash can still reach: the active stake plus the unlocking chunks that cannot be
	/// withdrawn before the next era ends. The leverage cap holds against it at all times.
	pub slashable_stake: Balance,
	/// Sum of the allocations.
	pub total_allocated: Balance,
	/// Sum of the exposures.
	pub total_exposure: Balance,
	/// `total_allocated / slashable_stake`, in parts per billion (1x = 1_000_000_000).
	pub leverage_ppb: u64,
	/// Whether a stake loss awaits its cascade re-sync.
	pub cascade_pending: bool,
	/// Sum of the positions' worst-case claims.
	pub total_claim: Balance,
	/// `total_claim / slashable_stake`, in parts per billion: at most 1,000,000,000 means
	/// covered, every service's worst case paid in full if all slashed for the same era.
	pub coverage_ppb: u64,
	/// Every position, with claimable rewards, including services left with rewards unclaimed.
	pub positions: alloc::vec::Vec<ExposureView<Balance>>,
}

/// A service's secured stake before and after a simulated slash and its cascade.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ServiceImpact<Balance> {
	/// The service.
	pub service: ServiceId,
	/// Its secured stake now.
	pub secured_before: Balance,
	/// Its secured stake once the slash and the cascade have landed.
	pub secured_after: Balance,
	/// Whether the offender would be removed from it.
	pub ejected: bool,
}

/// What a slash would do if it landed now.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct SlashSimulation<Balance> {
	/// What it would take from the offender's bonded ledger.
	pub amount: Balance,
	/// The offender's bonded stake now.
	pub stake_before: Balance,
	/// The offender's bonded stake after it.
	pub stake_after: Balance,
	/// Every service the offender is in, before and after the cascade.
	pub services: alloc::vec::Vec<ServiceImpact<Balance>>,
	/// The service's worst case.
	pub worst_case: Perbill,
	/// The offender's coverage ratio (see [`RestakerView::coverage_ppb`]) now.
	pub coverage_before_ppb: u64,
	/// Its coverage ratio once the slash and the cascade have landed.
	pub coverage_after_ppb: u64,
	/// Whether the breaker would hold a report of it now (the era's budget is too small).
	pub held: bool,
	/// Effective era of a harsher change of the service's terms waiting, if any.
	pub rule_change_era: Option<EraIndex>,
	/// Every liquid restaking pool delegating to the offender: its rate before and after.
	pub pools: alloc::vec::Vec<PoolImpact>,
}

/// A pool's rate before and after a simulated slash of its operator (see
/// [`PoolView::rate_ppb`]).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct PoolImpact {
	/// The pool.
	pub pool: u32,
	/// Value per share now, in parts per billion of a unit, net of pending slashes.
	pub rate_before_ppb: u128,
	/// Value per share once the simulated slash is reported: its part of it is pending.
	pub rate_after_ppb: u128,
}

/// One service's risk figures, as [`RiskFigures`] shows them.
///
/// The figures named *page* are over the restakers of one page of [`RiskFigures`]; a client
/// reading every page adds them up (`worst_case_claim`, `worst_case_collectable`,
/// `collectable_floor`, `collectable_ceiling`) or takes the largest (`largest_exposure` and its
/// share). The others are the service's own and the same on every page.
///
/// The worst case is one offence era: every service reporting every restaker it can still
/// report under its harshest rule, for the same era. A service may also report the other eras
/// of its report window, each a separate offence, until the stake is gone; and the breaker may
/// hold what lands in one era.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ServiceRisk<AccountId, Balance> {
	/// The service.
	pub service: ServiceId,
	/// Its secured stake now: the sum of its exposures.
	pub secured: Balance,
	/// `secured / total bonded stake`, in parts per billion.
	pub share_ppb: u64,
	/// The fraction its claims count: the larger of its worst case (its largest rule) and that
	/// of a harsher change waiting; zero once retired, when it can report no more.
	pub worst_case: Perbill,
	/// *Page:* the restaker with the largest exposure to it, if any.
	pub largest_restaker: Option<AccountId>,
	/// *Page:* that restaker's exposure.
	pub largest_exposure: Balance,
	/// *Page:* `largest_exposure / secured`, in parts per billion.
	pub largest_share_ppb: u64,
	/// *Page:* the sum over the restakers it can still report (its positions, and departures
	/// still reportable) of `worst_case x` the largest exposure a report can name (offence
	/// eras of the report window and the next era: the allocation then, capped at the stake
	/// that backed it then), capped at the stake the report reaches when it lands: what its
	/// worst-case reports would fix.
	pub worst_case_claim: Balance,
	/// *Page:* its share if every service claimed its worst case of every restaker for the same
	/// era: each claim, scaled down pro rata when a restaker's claims exceed its stake left
	/// (slashable stake less its pending slashes): `claim x left / total claim`.
	pub worst_case_collectable: Balance,
	/// *Page:* what it collects for sure in that case, its slashes landing after every other
	/// service's: the sum of `min(claim, left - other claims)`.
	pub collectable_floor: Balance,
	/// *Page:* what it collects at most, its slashes landing first: the sum of
	/// `min(claim, left)`.
	pub collectable_ceiling: Balance,
	/// Rewards funded to it in the yield window's eras and shared with others than the funder
	/// (a funder's share of its own funding comes back to it and is not counted).
	pub funded: Balance,
	/// The stake those fundings were shared over, weighted by what each shared:
	/// `funded / (sum of each funding's shared / secured)`; zero if it had none.
	pub average_secured: Balance,
	/// What one unit of exposure held through the window earned, at that pace for a year:
	/// `sum of each funding's shared / secured x eras per year / window eras`, in parts per
	/// billion a year (equal to `funded / average_secured x eras per year / window eras`).
	pub organic_yield_ppb: u64,
}

/// The risk figures that need every restaker: shares, worst cases with coverage, yields and
/// restaking degree. One call reads one page of at most `MaxRiskScan` restakers.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct RiskFigures<AccountId, Balance> {
	/// The total bonded stake shares are counted against.
	pub total_bonded: Balance,
	/// First era of the yield window: the `window_eras` completed eras before the active one.
	pub first_era: EraIndex,
	/// How many eras the window has: `YieldWindow`, or fewer while the chain is younger (none
	/// in era 0, when every yield is zero).
	pub window_eras: u32,
	/// The eras in a year, as the runtime counts them (`ErasPerYear`).
	pub eras_per_year: u32,
	/// Staking rewards pallet-staking paid for the window's eras (`ErasValidatorReward`).
	pub base_rewards: Balance,
	/// Average stake behind those eras' validator sets (`ErasTotalStake`).
	pub base_average_stake: Balance,
	/// `base_rewards x eras per year / (sum of the window's era stakes)`, that is
	/// `base_rewards / base_average_stake x eras per year / window eras` before rounding, in parts
	/// per billion a year: the base staking yield of the same eras.
	pub base_yield_ppb: u64,
	/// Every service, by id.
	pub services: alloc::vec::Vec<ServiceRisk<AccountId, Balance>>,
	/// *Page:* restakers read.
	pub restakers: u32,
	/// *Page:* their slashable stake, summed.
	pub restaker_stake: Balance,
	/// *Page:* their exposures, summed over every service.
	pub restaker_exposure: Balance,
	/// *Page:* `restaker_stake / total_bonded`, in parts per billion: how much stake is
	/// restaked at all, against the stake behind the active validator set. It can exceed
	/// 1,000,000,000: a restaker need not be in that set.
	pub restaked_share_ppb: u64,
	/// *Page:* `restaker_exposure / restaker_stake`, in parts per billion: the stake-weighted
	/// average restaking degree (1,000,000,000 = every unit backs one service).
	pub average_degree_ppb: u64,
	/// *Page:* the largest restaking degree, `sum of exposures / slashable stake`; `u64::MAX`
	/// for exposure with nothing slashable behind it (a stake loss not re-synced yet).
	pub max_degree_ppb: u64,
	/// *Page:* the restaker with that degree, if any.
	pub max_degree_restaker: Option<AccountId>,
	/// The restaker to pass as `start_after` for the next page; `None` on the last page. Read
	/// every page at the same block, or restakers may be missed or counted twice.
	pub next: Option<AccountId>,
}

/// An operator's stake in one of its services.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct OperatorServiceView<Balance> {
	/// The service.
	pub service: ServiceId,
	/// The operator's own exposure.
	pub own: Balance,
	/// Its delegators' exposures, summed.
	pub delegated: Balance,
	/// How many of its delegators have a position in the service (in force or from the next
	/// era).
	pub delegators: u32,
}

/// An operator, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct OperatorView<AccountId, Balance> {
	/// The commission it takes of its delegators' rewards now.
	pub commission: Perbill,
	/// A commission increase waiting, and the first era it applies in.
	pub pending_commission: Option<(Perbill, EraIndex)>,
	/// Whether it takes new delegations.
	pub accepting: bool,
	/// Its delegators, current ones only, in storage order.
	pub delegators: alloc::vec::Vec<AccountId>,
	/// Its delegators that left and that a report against it can still reach.
	pub past_delegators: u32,
	/// Every service it is in, with its own and its delegators' stake.
	pub services: alloc::vec::Vec<OperatorServiceView<Balance>>,
}

/// A delegator's delegation, as the runtime API shows it; its positions are in
/// `exposures(who)`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct DelegationView<AccountId, Balance> {
	/// The operator it follows.
	pub operator: AccountId,
	/// The stake it backs each of the operator's services with.
	pub amount: Balance,
	/// The operator's commission now.
	pub commission: Perbill,
	/// First era it backed the operator's services.
	pub since: EraIndex,
	/// After `undelegate`: the first era it backs none of them.
	pub until: Option<EraIndex>,
	/// The operator's services it does not back.
	pub excluded: alloc::vec::Vec<ServiceId>,
	/// After `redelegate`: the former operator and the first era its services no longer hold
	/// the stake.
	pub previous: Option<(AccountId, EraIndex)>,
}

/// A liquid restaking pool, as the runtime API shows it: its rate, its terms with their worst
/// case, what is pending against it and its redemption queue.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct PoolView<AccountId, Balance> {
	/// The pool's id (its shares' asset is the runtime's `PoolAsset` of it).
	pub id: u32,
	/// Its keyless account: stash, controller and share admin.
	pub account: AccountId,
	/// Who manages its terms.
	pub manager: AccountId,
	/// The operator its stake is delegated to.
	pub operator: AccountId,
	/// The share supply.
	pub supply: Balance,
	/// Its active bonded stake: what the supply is worth once nothing is pending.
	pub active: Balance,
	/// What the slashes reported against its stake and not landed yet will take: services'
	/// reports against its operator, and the base layer's deferred slashes of its stash.
	pub pending_slash: Balance,
	/// Value per share in parts per billion of a unit, net of `pending_slash`.
	pub rate_ppb: u128,
	/// The services its stake backs now, with the harshest fraction each can slash.
	pub services: alloc::vec::Vec<(ServiceId, Perbill)>,
	/// The worst case of a share now: the sum of those fractions of what the pool allocates to
	/// each, over its active stake, at most all of it.
	pub worst_case: Perbill,
	/// Services its operator joined that enter its terms later: `(service, effective era)`.
	pub scheduled: alloc::vec::Vec<(ServiceId, EraIndex)>,
	/// The worst case of a share once the scheduled services are in.
	pub worst_case_after: Perbill,
	/// An operator change waiting for its notice: `(operator, effective era)`. The worst case
	/// after it is not in `worst_case_after`; the new operator's terms are in `services(id)`.
	pub pending_operator: Option<(AccountId, EraIndex)>,
	/// The redemption queue: `(era the chunk unlocks, what it holds)`.
	pub redemptions: alloc::vec::Vec<(EraIndex, Balance)>,
}
