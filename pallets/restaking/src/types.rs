//! The records this pallet keeps: services, restaker positions, pending slashes.

// The `NoBound` derives need the bounds on the generics themselves.
#![allow(clippy::multiple_bound_locations)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::Perbill;
use sp_staking::EraIndex;

/// The ids, the service status, pending slashes, the breaker's records and the runtime API's
/// views are defined in `pallet-restaking-runtime-api`, so that clients need not depend on this
/// pallet; they are the same types here.
pub use pallet_restaking_runtime_api::types::{
	BreakerState, DelegationView, Exit, ExposureView, OperatorServiceView, OperatorView,
	PendingSlash, PoolImpact, PoolView, RestakerView, RiskFigures, RiskView, RuleChangeView,
	RuleIndex, RuleView, ServiceId, ServiceImpact, ServiceRisk, ServiceStatus, ServiceView,
	SlashBudget, SlashId, SlashSimulation,
};

/// One slashing rule of a service.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxNameLen))]
pub struct SlashingRule<MaxNameLen: Get<u32>> {
	/// Human-readable name of the offence, e.g. `b"double-sign"`.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// Fraction of the offender's exposure to the service that a report of this rule slashes.
	pub fraction: Perbill,
	/// Whether an applied slash under this rule also removes the offender from the service.
	pub eject: bool,
}

/// What governance sets when it registers or updates a service.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxRules))]
pub struct ServiceParams<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLen: Get<u32>,
	MaxRules: Get<u32>,
> {
	/// Human-readable name of the service.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// The only signed account that may report offences for the service.
	pub slasher: AccountId,
	/// The offences the service slashes for; `report_offence` names one by index.
	pub rules: BoundedVec<SlashingRule<MaxNameLen>, MaxRules>,
	/// Smallest exposure the service accepts; a cascade that leaves less ejects the restaker.
	pub min_stake: Balance,
	/// Whether only stashes that are validators in pallet-staking may opt in.
	pub validators_only: bool,
	/// Eras between `opt_out` (or lowering an allocation) and the release of the allocation.
	pub exit_delay: EraIndex,
	/// Eras during which governance may cancel a reported slash before it applies.
	pub dispute_window: EraIndex,
	/// Largest share of the chain's total bonded stake (see
	/// [`crate::SlashingAdapter::total_bonded`]) that may secure the service; opt-ins and raises
	/// beyond it are refused (`ConcentrationExceeded`). `None`: no cap.
	pub max_share: Option<Perbill>,
}

impl<AccountId, Balance, MaxNameLen, MaxRules>
	ServiceParams<AccountId, Balance, MaxNameLen, MaxRules>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLen: Get<u32>,
	MaxRules: Get<u32>,
{
	/// The service's worst case: the largest fraction among its rules (zero without rules).
	pub fn worst_case(&self) -> Perbill {
		self.rules.iter().map(|r| r.fraction).max().unwrap_or_else(Perbill::zero)
	}

	/// What of an update from `self` to `new` may apply at once: the gentler of the two terms.
	///
	/// Rules are compared by index: each rule both have takes the smaller fraction and ejects
	/// only if both eject; a rule only `new` has waits (it is harsher); a rule only `self` has is
	/// dropped (gentler). The exit delay takes the longer of the two; any change of the dispute
	/// window waits (a longer one lands later, a shorter one counts more unlocking stake as
	/// reachable). Name, slasher, `min_stake`, `validators_only` and `max_share` apply at once.
	pub fn gentler(&self, new: &Self) -> Self {
		Self {
			name: new.name.clone(),
			slasher: new.slasher.clone(),
			rules: gentler_rules(&self.rules, &new.rules),
			min_stake: new.min_stake.clone(),
			validators_only: new.validators_only,
			exit_delay: self.exit_delay.max(new.exit_delay),
			dispute_window: self.dispute_window,
			max_share: new.max_share,
		}
	}
}

/// Rule by rule, by index and as many as both lists have: the smaller fraction, `b`'s name, and
/// ejection only if both eject.
pub fn gentler_rules<MaxNameLen: Get<u32>, MaxRules: Get<u32>>(
	a: &BoundedVec<SlashingRule<MaxNameLen>, MaxRules>,
	b: &BoundedVec<SlashingRule<MaxNameLen>, MaxRules>,
) -> BoundedVec<SlashingRule<MaxNameLen>, MaxRules> {
	let mut rules = b.clone();
	rules.truncate(a.len());
	for (rule, other) in rules.iter_mut().zip(a.iter()) {
		rule.fraction = rule.fraction.min(other.fraction);
		rule.eject = rule.eject && other.eject;
	}
	rules
}

/// Rules in force for offences before `until`: kept after a harsher change takes effect, so that
/// an offence is never judged by terms harsher than those in force when it was committed.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxRules))]
pub struct PastRules<MaxNameLen: Get<u32>, MaxRules: Get<u32>> {
	/// First era from which the service's current rules apply.
	pub until: EraIndex,
	/// The rules, by index, for offences before `until` (each no harsher than the current one).
	pub rules: BoundedVec<SlashingRule<MaxNameLen>, MaxRules>,
	/// By index, the first era rule `i` of `rules` was in force (a rule an earlier harsher change
	/// added); offences before it cannot be reported under it. Zero, or missing: any era.
	pub since: BoundedVec<EraIndex, MaxRules>,
}

impl<MaxNameLen: Get<u32>, MaxRules: Get<u32>> PastRules<MaxNameLen, MaxRules> {
	/// The record a harsher change leaves when it takes effect in `until`: `before`, the rules in
	/// force until then, merged rule by rule with `older`, the record of an earlier change that
	/// is still in use. A rule both have takes the smaller fraction and ejects only if both eject
	/// (an offence is judged by the gentlest terms of the eras the record spans); a rule only
	/// `before` has came in force at `older.until`, and is reportable from then on.
	pub fn after_change(
		older: Option<&Self>,
		before: BoundedVec<SlashingRule<MaxNameLen>, MaxRules>,
		until: EraIndex,
	) -> Self {
		let mut rules = before;
		let mut since = alloc::vec::Vec::with_capacity(rules.len());
		for (i, rule) in rules.iter_mut().enumerate() {
			match older {
				Some(older) => match older.rules.get(i) {
					Some(then) => {
						rule.fraction = rule.fraction.min(then.fraction);
						rule.eject = rule.eject && then.eject;
						since.push(older.since.get(i).copied().unwrap_or_default());
					}
					None => since.push(older.until),
				},
				None => since.push(0),
			}
		}
		Self { until, rules, since: BoundedVec::truncate_from(since) }
	}

	/// Rule `rule` for an offence in `offence_era` (before `until`): `None` if it was not in
	/// force then.
	pub fn rule_at(&self, rule: usize, offence_era: EraIndex) -> Option<&SlashingRule<MaxNameLen>> {
		let since = self.since.get(rule).copied().unwrap_or_default();
		if offence_era < since {
			return None;
		}
		self.rules.get(rule)
	}
}

/// An update that makes a service's slashing harsher, waiting for its effective era.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxRules))]
pub struct RuleChange<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLen: Get<u32>,
	MaxRules: Get<u32>,
> {
	/// The parameters governance set, in force from `effective_era`.
	pub params: ServiceParams<AccountId, Balance, MaxNameLen, MaxRules>,
	/// First era in which they apply: the update's era plus the exit delay in force.
	pub effective_era: EraIndex,
}

/// One report of an offender by a service for an offence era.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct OffenceReport<Balance> {
	/// The rule it named.
	pub rule: RuleIndex,
	/// The slash it scheduled.
	pub slash_id: SlashId,
	/// The rule's fraction when it was reported.
	pub fraction: Perbill,
	/// What it scheduled: the part of `fraction x exposure` earlier reports had not.
	pub amount: Balance,
	/// Whether the rule ejects.
	pub eject: bool,
	/// False once governance cancelled it or the breaker dropped it: it no longer counts
	/// towards the offence's total, but the rule cannot be reported again for it.
	pub standing: bool,
}

/// A service's reward fundings in one era, for its organic yield.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct EraFunding<Balance> {
	/// The active era of the fundings.
	pub era: EraIndex,
	/// What they shared over the exposures (a pot's first existential deposit is not shared).
	pub funded: Balance,
	/// What they added to the service's reward per unit of exposure ([`crate::RewardPerExposure`],
	/// scaled by [`crate::rewards::REWARD_SCALE`]): what one unit of exposure held through the
	/// era earned.
	pub per_exposure: u128,
}

/// The bound of [`crate::FundingHistory`]: the yield window's eras and the active one.
pub struct YieldHistoryLen<T>(core::marker::PhantomData<T>);

impl<T: crate::Config> Get<u32> for YieldHistoryLen<T> {
	fn get() -> u32 {
		T::YieldWindow::get().saturating_add(1)
	}
}

/// A registered service: its parameters and what currently secures it.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxRules))]
pub struct Service<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLen: Get<u32>,
	MaxRules: Get<u32>,
> {
	/// What governance set.
	pub params: ServiceParams<AccountId, Balance, MaxNameLen, MaxRules>,
	/// Active, paused or retired.
	pub status: ServiceStatus,
	/// Sum of the exposures of every restaker in the service.
	pub total_secured: Balance,
	/// Number of restakers with a position in the service.
	pub restakers: u32,
	/// Sum of the allocations of those positions: the most that can secure the service in any
	/// era they are in force for, whatever stake is bonded later (the concentration cap counts
	/// it).
	pub allocated: Balance,
	/// Allocations ejected from the service that still back it until their release era.
	pub leaving: Leaving<Balance>,
}

/// Allocations (and their worst-case claims) of positions that were ejected and still back
/// their service until `until`, the release era: the caps count them until then, so that an
/// ejection frees no room in the era the ejected stake still backs.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen)]
pub struct Leaving<Balance> {
	/// First era in which none of it backs its service any more.
	pub until: EraIndex,
	/// Sum of the ejected allocations.
	pub allocation: Balance,
	/// Sum of their worst-case claims.
	pub claim: Balance,
}

impl<Balance: Copy + Default + sp_runtime::Saturating> Leaving<Balance> {
	/// `(allocation, claim)` still in force in active era `era`.
	pub fn in_force(&self, era: EraIndex) -> (Balance, Balance) {
		if era < self.until {
			(self.allocation, self.claim)
		} else {
			Default::default()
		}
	}

	/// Count `allocation` and `claim`, which back until `until`, in active era `era`: what was
	/// released by `era` is forgotten first.
	pub fn add(&mut self, era: EraIndex, until: EraIndex, allocation: Balance, claim: Balance) {
		if self.until <= era {
			*self = Self::default();
		}
		self.until = self.until.max(until);
		self.allocation = self.allocation.saturating_add(allocation);
		self.claim = self.claim.saturating_add(claim);
	}
}

/// When each allocation of a position took effect: `(era, allocation)` pairs, oldest first, at
/// most one per era. The allocation in force in era `e` is the one of the last pair whose era is
/// at most `e` (none before the first pair: the position did not exist yet).
///
/// Pairs older than the report window are pruned, except the one still in force at its start;
/// pairs after the next era only come from a scheduled decrease or exit. So the history holds at
/// most `ReportWindow + 3` pairs ([`crate::HistoryBound`]).
pub type AllocationHistory<Balance, MaxHistory> = BoundedVec<(EraIndex, Balance), MaxHistory>;

/// The value in force in `era` according to `history` (an allocation history, or a backing
/// history): zero before the first pair.
pub fn allocation_at<Balance: Copy + Default>(
	history: &[(EraIndex, Balance)],
	era: EraIndex,
) -> Balance {
	history
		.iter()
		.rev()
		.find(|(from, _)| *from <= era)
		.map(|(_, amount)| *amount)
		.unwrap_or_default()
}

/// A restaker's position in one service.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxHistory))]
pub struct Position<Balance: Clone + PartialEq + Eq + core::fmt::Debug, MaxHistory: Get<u32>> {
	/// The allocation the restaker set: in force from the next era on if it was just raised, and
	/// until the release era of a scheduled decrease.
	pub allocation: Balance,
	/// What a slash reported now could collect: `min(allocation in force now, stake that
	/// backed the service this era)` (see `backing`), as of the last sync.
	pub exposure: Balance,
	/// Active era of the opt-in: offences from earlier eras cannot be reported.
	pub joined_era: EraIndex,
	/// A scheduled exit or decrease, if any.
	pub exit: Option<Exit<Balance>>,
	/// Rewards already accounted for at the current exposure (see [`crate::rewards`]).
	pub reward_debt: Balance,
	/// The allocation in force in each era still inside the report window, and scheduled ones.
	pub history: AllocationHistory<Balance, MaxHistory>,
	/// The service's worst case times `allocation`, as of the last write: what a worst-case
	/// slash of the service could claim (see [`crate::Config::FullCoverage`]).
	pub claim: Balance,
	/// The stake that backed the service in each era still inside the report window: what of
	/// the restaker's bonded stake a slash landing after the service's dispute window could
	/// reach, as `(era, stake)` pairs. A loss counts in the era it is seen, a gain (`bond_extra`,
	/// `rebond`) only from the next era: stake bonded after an offence is never slashed for it.
	pub backing: AllocationHistory<Balance, MaxHistory>,
}

impl<Balance, MaxHistory> Position<Balance, MaxHistory>
where
	Balance: Copy + Default + PartialEq + Eq + Ord + core::fmt::Debug,
	MaxHistory: Get<u32>,
{
	/// The allocation that backed the service in `era`.
	pub fn allocation_in(&self, era: EraIndex) -> Balance {
		allocation_at(&self.history, era)
	}

	/// The exposure of era `era`: its allocation, capped at the stake that backed it then.
	pub fn exposure_in(&self, era: EraIndex) -> Balance {
		self.allocation_in(era).min(allocation_at(&self.backing, era))
	}
}

/// A position that left its service (exit or ejection), kept while offences from the time it
/// backed the service can still be reported.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxHistory))]
pub struct Departure<Balance: Clone + PartialEq + Eq + core::fmt::Debug, MaxHistory: Get<u32>> {
	/// First era in which it no longer backed the service.
	pub release_era: EraIndex,
	/// The allocation it had in each era, ending with zero from `release_era`.
	pub history: AllocationHistory<Balance, MaxHistory>,
	/// The stake that backed the service in each era (see [`Position::backing`]).
	pub backing: AllocationHistory<Balance, MaxHistory>,
}

impl<Balance, MaxHistory> Departure<Balance, MaxHistory>
where
	Balance: Copy + Default + PartialEq + Eq + Ord + core::fmt::Debug,
	MaxHistory: Get<u32>,
{
	/// The allocation that backed the service in `era`.
	pub fn allocation_in(&self, era: EraIndex) -> Balance {
		allocation_at(&self.history, era)
	}

	/// The exposure of era `era`: its allocation, capped at the stake that backed it then.
	pub fn exposure_in(&self, era: EraIndex) -> Balance {
		self.allocation_in(era).min(allocation_at(&self.backing, era))
	}
}

/// Per-restaker summary across services.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxServices))]
pub struct RestakerLedger<Balance: Clone + PartialEq + Eq + core::fmt::Debug, MaxServices: Get<u32>>
{
	/// Every service the restaker has a position in.
	pub services: BoundedVec<ServiceId, MaxServices>,
	/// Sum of the allocations of those positions.
	pub total_allocated: Balance,
	/// Active era of the last full sync: exposures are exact for this era (see
	/// [`crate::positions`]).
	pub synced_era: EraIndex,
	/// Bonded stake at the last sync; staking reports no loss through `force_unstake` or
	/// `reap_stash`, so less than this means the exposures may be stale.
	pub synced_stake: Balance,
	/// Sum of the positions' worst-case claims: with `FullCoverage`, at most the stake.
	pub total_claim: Balance,
	/// Positions ejected from their services that still back them until their release era;
	/// the leverage and coverage of an opt-in count them until then. The ledger is kept while
	/// they are in force, even without positions.
	pub leaving: Leaving<Balance>,
}

/// A service to register at genesis, in a form chain-spec JSON can carry.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct GenesisService<AccountId, Balance> {
	/// Name, as UTF-8 bytes.
	pub name: alloc::vec::Vec<u8>,
	/// The slasher account.
	pub slasher: AccountId,
	/// Rules as `(name, fraction, eject)`.
	pub rules: alloc::vec::Vec<(alloc::vec::Vec<u8>, Perbill, bool)>,
	/// Smallest exposure accepted.
	pub min_stake: Balance,
	/// Whether only validators may join.
	pub validators_only: bool,
	/// Eras from opt-out to release.
	pub exit_delay: EraIndex,
	/// Eras during which governance may cancel a slash.
	pub dispute_window: EraIndex,
	/// Largest share of the total bonded stake that may secure it; none if absent.
	#[serde(default)]
	pub max_share: Option<Perbill>,
}

impl<AccountId, Balance> GenesisService<AccountId, Balance>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The bounded parameters, or `None` if a name or the rule list is too long.
	pub fn into_params<T>(self) -> Option<crate::ServiceParamsOf<T>>
	where
		T: crate::Config<AccountId = AccountId, Balance = Balance>,
	{
		let rules = self
			.rules
			.into_iter()
			.map(|(name, fraction, eject)| {
				Some(SlashingRule { name: name.try_into().ok()?, fraction, eject })
			})
			.collect::<Option<alloc::vec::Vec<_>>>()?;
		Some(ServiceParams {
			name: self.name.try_into().ok()?,
			slasher: self.slasher,
			rules: rules.try_into().ok()?,
			min_stake: self.min_stake,
			validators_only: self.validators_only,
			exit_delay: self.exit_delay,
			dispute_window: self.dispute_window,
			max_share: self.max_share,
		})
	}
}

/// A restaker that delegators' stake follows into its services (see [`crate::delegation`]).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Operator {
	/// The share of its delegators' rewards the operator takes.
	pub commission: Perbill,
	/// A commission increase and the first era it applies in: after the longest exit delay of
	/// the operator's services, so that its delegators can leave first.
	pub pending_commission: Option<(Perbill, EraIndex)>,
	/// Whether it takes new delegations; `stop_operating` turns it off, existing delegations stay.
	pub accepting: bool,
	/// Entries of [`crate::OperatorDelegators`]: current delegators, and past ones a report
	/// against the operator can still reach. At most `MaxDelegatorsPerOperator`.
	pub delegators: u32,
	/// Reports against the operator whose pages are under way (a first page landed, not the
	/// last). While there are any it takes no new delegator entry: a place freed during the
	/// pages would otherwise let a newcomer lengthen them past the deadline's bound.
	pub paging: u32,
}

impl Operator {
	/// The commission in force in active era `era`.
	pub fn commission_in(&self, era: EraIndex) -> Perbill {
		match self.pending_commission {
			Some((commission, from)) if from <= era => commission,
			_ => self.commission,
		}
	}
}

/// An operator a delegator backed before it redelegated, for eras `since..until`: reports
/// against it for those eras still reach the delegator.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct PastOperator<AccountId> {
	/// The operator.
	pub operator: AccountId,
	/// First era the delegation backed its services.
	pub since: EraIndex,
	/// First era it no longer did: the last release of its services' positions.
	pub until: EraIndex,
}

impl<AccountId: PartialEq> PastOperator<AccountId> {
	/// Whether the delegation backed `operator`'s services in `era`.
	pub fn covers(&self, operator: &AccountId, era: EraIndex) -> bool {
		&self.operator == operator && self.since <= era && era < self.until
	}
}

/// A delegator's delegation: `amount` of its bonded stake backs every service of `operator`
/// but those it excluded, through positions on its own ledger (see [`crate::delegation`]).
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxServices))]
pub struct Delegation<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxServices: Get<u32>,
> {
	/// The operator it follows.
	pub operator: AccountId,
	/// The stake it backs each of the operator's services with.
	pub amount: Balance,
	/// First era it backed the operator's services.
	pub since: EraIndex,
	/// Set by `undelegate`: the first era it backs none of them any more.
	pub until: Option<EraIndex>,
	/// Services of the operator it refuses to back (or could not, see
	/// [`crate::Event::ServiceExcluded`]).
	pub excluded: BoundedVec<ServiceId, MaxServices>,
	/// The operator it backed before a `redelegate`, while reports against it for that time
	/// can still be filed.
	pub previous: Option<PastOperator<AccountId>>,
}

impl<AccountId, Balance, MaxServices> Delegation<AccountId, Balance, MaxServices>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxServices: Get<u32>,
{
	/// Whether the delegation backed `operator`'s services in `era`: a report against that
	/// operator for an offence in `era` reaches it (in the services it had a position in then).
	pub fn backed(&self, operator: &AccountId, era: EraIndex) -> bool {
		let current = &self.operator == operator
			&& self.since <= era
			&& self.until.is_none_or(|until| era < until);
		current || self.previous.as_ref().is_some_and(|past| past.covers(operator, era))
	}

	/// Whether the delegation backed any operator in `era`: its positions then were its
	/// operator's to answer for, so the stash itself cannot be reported for that era.
	pub fn delegating_in(&self, era: EraIndex) -> bool {
		let current = self.since <= era && self.until.is_none_or(|until| era < until);
		current || self.previous.as_ref().is_some_and(|past| past.since <= era && era < past.until)
	}
}

/// A report against an operator, to be landed on its delegators in pages once the operator's
/// own slash has landed (or an ejection of the operator to pass on to them).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct DelegatorJob<AccountId> {
	/// The service.
	pub service: ServiceId,
	/// The operator reported (or ejected).
	pub operator: AccountId,
	/// The era of the offence; for an ejection, the era it happened in.
	pub offence_era: EraIndex,
	/// The rule's fraction (zero for an ejection alone).
	pub fraction: Perbill,
	/// Whether delegators are ejected from the service too.
	pub eject: bool,
	/// First era its pages may land: the operator's slash's apply era.
	pub apply_era: EraIndex,
	/// Whether the pages may land: the operator's slash landed (a held one that was dropped
	/// drops its job; a cancelled one removes it before).
	pub ready: bool,
	/// Whether the operator's slash was approved past the breaker: its delegators' parts land
	/// whatever the era's budget has left.
	pub approved: bool,
	/// The last delegator a page reached; `None` before the first page.
	pub cursor: Option<AccountId>,
	/// An operator's opt-in or opt-out passed on to its delegators, instead of a report or an
	/// ejection.
	pub fan_out: Option<FanOut>,
}

/// An operator's move its delegators follow, in pages.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub enum FanOut {
	/// The operator opted into the service: each delegator that does not exclude it follows
	/// from the era after its page, or excludes it if the service cannot take it.
	Join,
	/// The operator leaves the service in this era: each delegator leaves no later (and no
	/// sooner than the era after its page).
	Leave(EraIndex),
}

impl<AccountId> DelegatorJob<AccountId> {
	/// The queue the job waits in once ready: a report's pages have a deadline (they must land
	/// before the slashed stake can be withdrawn) and go first; an ejection or an operator's
	/// move passed on has none.
	pub fn lane(&self) -> JobLane {
		if self.fraction.deconstruct() == 0 {
			JobLane::Ejections
		} else {
			JobLane::Reports
		}
	}
}

/// The two queues of ready delegator jobs. `on_initialize` serves [`JobLane::Reports`] first
/// and [`JobLane::Ejections`] only with what a block's budget has left, so ejections never delay
/// a report's pages past their deadline.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub enum JobLane {
	/// Reports against operators: the rule's fraction lands on each delegator.
	Reports,
	/// Ejections of operators passed on to their delegators.
	Ejections,
}

/// A liquid restaking pool (see [`crate::pools`]).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Pool<AccountId, Balance> {
	/// Who manages its terms.
	pub manager: AccountId,
	/// The operator its stake is delegated to.
	pub operator: AccountId,
	/// The creation deposit: as many shares held by the pool account, never redeemed while
	/// the pool lives.
	pub deposit: Balance,
	/// Who paid the deposit.
	pub creator: AccountId,
}

/// One era's unbonding sub-pool of a liquid restaking pool.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, Default, TypeInfo, MaxEncodedLen)]
pub struct SubPool<Balance> {
	/// The holders' points on it.
	pub points: Balance,
	/// What it holds: the redeemed stake, less what slashes took from its chunk.
	pub balance: Balance,
}

/// A pool's operator change waiting for its notice (see [`crate::Pallet::do_set_pool_operator`]).
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxServices))]
pub struct PoolOperatorChange<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxServices: Get<u32>,
> {
	/// The operator the pool will delegate to.
	pub operator: AccountId,
	/// First era it may: the pool's notice after the change was asked for.
	pub effective_era: EraIndex,
	/// The services of `operator` the notice was given for (those it was in then, less the
	/// pool's exclusions): the pool backs these at once after the change, any other after a
	/// notice of its own.
	pub services: BoundedVec<ServiceId, MaxServices>,
}
