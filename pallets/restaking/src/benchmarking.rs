//! Benchmarks of every call, the automatic slash application and the cascade re-sync, each at
//! its worst case: full rule lists and names, restakers in `MaxServicesPerRestaker` services,
//! full slash queues, and (where the question is whether slashing loops over stakers) a
//! component for the number of restakers in the service.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

use crate::{
	pallet::{
		Call, Config, DueSlashes, Pallet, PendingCascades, Positions, ServiceSlashes, Slashes,
	},
	BalanceOf, BreakerState, ServiceId, ServiceParamsOf, ServiceStatus, SlashingAdapter,
	SlashingRule,
};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Get, Hooks};
use frame_system::RawOrigin;
use sp_runtime::{traits::Zero, Perbill, Saturating};
use sp_staking::StakingInterface;

/// The bond every benchmark stash gets, in units of the existential deposit.
const BOND_EDS: u32 = 1_000_000;
/// Most restakers put into one service by the `r` components.
const MAX_RESTAKERS: u32 = 1_000;

fn unit<T: Config>() -> BalanceOf<T> {
	<T::Currency as frame_support::traits::fungible::Inspect<T::AccountId>>::minimum_balance()
		.max(1u32.into())
}

fn bond_amount<T: Config>() -> BalanceOf<T> {
	unit::<T>().saturating_mul(BOND_EDS.into())
}

/// A funded, bonded stash.
fn bonded_stash<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let bond = bond_amount::<T>();
	T::Currency::set_balance(&who, bond.saturating_mul(4u32.into()));
	T::Staking::bond(&who, bond, &who).expect("benchmark stash bonds");
	who
}

fn name<T: Config>(fill: u8) -> frame_support::BoundedVec<u8, T::MaxNameLen> {
	vec![fill; T::MaxNameLen::get() as usize].try_into().expect("exactly the bound")
}

/// Parameters at their largest: every rule, every name at full length. Rule 0 slashes 10%,
/// the last rule 50% and ejects.
fn params<T: Config>(slasher: T::AccountId) -> ServiceParamsOf<T> {
	let rules = (0..T::MaxRules::get())
		.map(|i| SlashingRule {
			name: name::<T>(b'a'),
			fraction: if i + 1 == T::MaxRules::get() {
				Perbill::from_percent(50)
			} else {
				Perbill::from_percent(10)
			},
			eject: i + 1 == T::MaxRules::get(),
		})
		.collect::<Vec<_>>();
	ServiceParamsOf::<T> {
		name: name::<T>(b's'),
		slasher,
		rules: rules.try_into().expect("MaxRules rules"),
		min_stake: unit::<T>().max(T::MinStakeFloor::get()),
		validators_only: false,
		exit_delay: 1,
		dispute_window: 1,
		max_share: None,
	}
}

fn register<T: Config>(slasher: &T::AccountId) -> ServiceId {
	Pallet::<T>::do_register_service(params::<T>(slasher.clone())).expect("registers")
}

/// `who` in `n` new services, each at a tenth of its bond (within any leverage cap).
fn in_services<T: Config>(who: &T::AccountId, slasher: &T::AccountId, n: u32) -> Vec<ServiceId> {
	let ids: Vec<_> = (0..n).map(|_| register::<T>(slasher)).collect();
	opt_in_each::<T>(who, &ids);
	ids
}

/// `who` in each of `ids`, at a tenth of its bond.
fn opt_in_each<T: Config>(who: &T::AccountId, ids: &[ServiceId]) {
	let amount = bond_amount::<T>() / 10u32.into();
	for id in ids {
		Pallet::<T>::do_opt_in(who.clone(), *id, amount).expect("opts in");
	}
}

/// `r` other restakers in `service`, on a chain of `MAX_RESTAKERS` other bonded stashes
/// whatever `r`: the other `MAX_RESTAKERS - r` are bonded and do not restake.
///
/// The scaling benchmarks ask how a call's cost grows with the restakers of a service. Holding
/// the number of stakers fixed keeps pallet-staking's maps (and the state trie every read walks)
/// the same size at both ends, so that what changes is restaking's own state; it also makes the
/// weights at small `r` those of a populated chain, never of a near-empty one.
fn fill_service<T: Config>(service: ServiceId, r: u32) {
	let amount = bond_amount::<T>() / 10u32.into();
	for i in 0..MAX_RESTAKERS {
		let who = bonded_stash::<T>("restaker", i);
		if i < r {
			Pallet::<T>::do_opt_in(who, service, amount).expect("opts in");
		}
	}
}

/// Make `who`'s positions fully exposed at its whole bond, and every service's `min_stake`
/// `min_stake`, so that a halving of its stake lowers (or, above half, ejects) every position.
fn overexpose<T: Config>(who: &T::AccountId, ids: &[ServiceId], min_stake: BalanceOf<T>) {
	let bond = bond_amount::<T>();
	for id in ids {
		let old = Positions::<T>::get(who, id).unwrap().exposure;
		Positions::<T>::mutate(who, id, |p| {
			let p = p.as_mut().unwrap();
			p.allocation = bond;
			p.exposure = bond;
			p.history = vec![(p.joined_era, bond)].try_into().unwrap();
		});
		crate::Services::<T>::mutate(id, |s| {
			let s = s.as_mut().unwrap();
			s.total_secured = s.total_secured.saturating_sub(old).saturating_add(bond);
			s.params.min_stake = min_stake;
		});
	}
	crate::Restakers::<T>::mutate(who, |l| {
		let l = l.as_mut().unwrap();
		l.total_allocated = bond.saturating_mul((ids.len() as u32).into());
	});
}

/// Fund every service in `ids`, so that every exposure change settles rewards.
fn fund_all<T: Config>(ids: &[ServiceId]) {
	let funder: T::AccountId = account("funder", 0, 0);
	let amount = bond_amount::<T>() / 10u32.into();
	T::Currency::set_balance(&funder, bond_amount::<T>().saturating_mul(4u32.into()));
	for id in ids {
		Pallet::<T>::do_fund_rewards(funder.clone(), *id, amount).expect("funds");
	}
}

/// Fill the service's pending slashes up to one short of its bound, with slashes due in a far
/// era: one offence per era (reports of one offence era add up to its largest rule only).
fn fill_queue<T: Config>(service: ServiceId, offender: &T::AccountId) {
	let slasher = crate::Services::<T>::get(service).unwrap().params.slasher;
	let count = T::MaxPendingSlashesPerService::get().saturating_sub(1);
	for era in 0..count {
		T::Staking::set_era(era);
		Pallet::<T>::do_report_offence(slasher.clone(), service, offender.clone(), 0, era)
			.expect("reports");
	}
	// Push them out of reach of the automatic path.
	for id in Slashes::<T>::iter_keys().collect::<Vec<_>>() {
		Slashes::<T>::mutate(id, |s| {
			let s = s.as_mut().unwrap();
			DueSlashes::<T>::remove(s.apply_era, id);
			DueSlashes::<T>::insert(u32::MAX, id, ());
			s.apply_era = u32::MAX;
		});
	}
}

/// Mark `slash` held by the breaker, with a budget for its apply era, whatever the runtime's
/// breaker: the approval benchmarks measure the approval, not how the budget filled.
fn hold<T: Config>(slash: crate::SlashId) {
	Slashes::<T>::mutate(slash, |s| {
		let s = s.as_mut().unwrap();
		s.breaker = BreakerState::Held;
		crate::SlashBudgets::<T>::insert(s.apply_era, crate::SlashBudget::default());
	});
}

/// Approve `slash` if the runtime's breaker holds it: the landing benchmarks measure a slash
/// that lands (taken, ejection, cascade), not one the breaker drops.
fn approve_if_held<T: Config>(slash: crate::SlashId) {
	if Slashes::<T>::get(slash).is_some_and(|s| s.breaker == BreakerState::Held) {
		Pallet::<T>::do_approve_slash(slash).expect("approves a held slash");
	}
}

/// An operator (10% commission) in `MaxServicesPerRestaker` services.
fn operator_in_services<T: Config>() -> (T::AccountId, Vec<ServiceId>) {
	operator_named::<T>("operator", 0, T::MaxServicesPerRestaker::get())
}

/// An operator (10% commission) in `services` services of its own.
fn operator_named<T: Config>(
	name: &'static str,
	index: u32,
	services: u32,
) -> (T::AccountId, Vec<ServiceId>) {
	let operator = bonded_stash::<T>(name, index);
	Pallet::<T>::do_set_operator(operator.clone(), Perbill::from_percent(10)).expect("operates");
	let slasher: T::AccountId = account("slasher", index, 0);
	let ids = in_services::<T>(&operator, &slasher, services);
	(operator, ids)
}

/// A bonded stash delegating a tenth of its bond to `operator`.
fn delegator_of<T: Config>(operator: &T::AccountId, index: u32) -> T::AccountId {
	let who = bonded_stash::<T>("delegator", index);
	let amount = bond_amount::<T>() / 10u32.into();
	Pallet::<T>::do_delegate(who.clone(), operator.clone(), amount).expect("delegates");
	who
}

/// An account holding four bonds' worth, bonding nothing.
fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::set_balance(&who, bond_amount::<T>().saturating_mul(4u32.into()));
	who
}

/// A pool's creation deposit: a tenth of a bond, at least `MinPoolDeposit`.
fn pool_deposit<T: Config>() -> BalanceOf<T> {
	(bond_amount::<T>() / 10u32.into()).max(T::MinPoolDeposit::get())
}

/// An operator (10% commission) in `n` services of its own whose every rule slashes 10%: a
/// pool backs each with its whole stake, so with full coverage (the runtime's) it fits in
/// `MaxLeverage` of them only at a worst case that low.
fn pool_operator<T: Config>(index: u32, n: u32) -> (T::AccountId, Vec<ServiceId>) {
	let operator = bonded_stash::<T>("operator", index);
	Pallet::<T>::do_set_operator(operator.clone(), Perbill::from_percent(10)).expect("operates");
	let slasher: T::AccountId = account("slasher", 0, 0);
	let ids: Vec<ServiceId> = (0..n)
		.map(|_| {
			let mut gentle = params::<T>(slasher.clone());
			for rule in gentle.rules.iter_mut() {
				rule.fraction = Perbill::from_percent(10);
			}
			Pallet::<T>::do_register_service(gentle).expect("registers")
		})
		.collect();
	opt_in_each::<T>(&operator, &ids);
	(operator, ids)
}

/// Pool 0, delegating to an operator in `n` services; returns the pool, operator and services.
fn pool_of<T: Config>(n: u32) -> (crate::PoolId, T::AccountId, Vec<ServiceId>) {
	let (operator, ids) = pool_operator::<T>(0, n);
	let creator = funded::<T>("creator");
	// The chain may have pools from its genesis (the dev chain's sample pool).
	let pool = crate::NextPoolId::<T>::get();
	Pallet::<T>::do_create_pool(creator, operator.clone(), pool_deposit::<T>()).unwrap();
	(pool, operator, ids)
}

/// A report of `operator` under rule 0 in each of `ids`, for the current era.
fn report_each<T: Config>(operator: &T::AccountId, ids: &[ServiceId]) {
	let era = T::Staking::current_era();
	let slasher: T::AccountId = account("slasher", 0, 0);
	for id in ids {
		let slash =
			Pallet::<T>::do_report_offence(slasher.clone(), *id, operator.clone(), 0, era).unwrap();
		approve_if_held::<T>(slash);
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_service() {
		let origin = T::ServiceOrigin::try_successful_origin().unwrap();
		let params = params::<T>(account("slasher", 0, 0));
		let before = crate::Services::<T>::count();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(crate::Services::<T>::count(), before + 1);
	}

	#[benchmark]
	/// A harsher update: every rule at 50%, so the change waits for its effective era.
	fn update_service() {
		let id = register::<T>(&account("slasher", 0, 0));
		let origin = T::ServiceOrigin::try_successful_origin().unwrap();
		let mut params = params::<T>(account("slasher", 1, 0));
		for rule in params.rules.iter_mut() {
			rule.fraction = Perbill::from_percent(50);
		}
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, params);
		assert!(crate::PendingRuleChanges::<T>::contains_key(id));
	}

	#[benchmark]
	fn set_service_status() {
		let id = register::<T>(&account("slasher", 0, 0));
		let origin = T::ServiceOrigin::try_successful_origin().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, ServiceStatus::Paused);
	}

	#[benchmark]
	fn opt_in() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		in_services::<T>(&who, &slasher, T::MaxServicesPerRestaker::get() - 1);
		let id = register::<T>(&slasher);
		let amount = bond_amount::<T>() / 10u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, amount);
		assert!(Positions::<T>::contains_key(&who, id));
	}

	#[benchmark]
	fn set_allocation() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&who, &slasher, T::MaxServicesPerRestaker::get());
		let amount = bond_amount::<T>() / 5u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), ids[0], amount);
		assert_eq!(Positions::<T>::get(&who, ids[0]).unwrap().allocation, amount);
	}

	#[benchmark]
	fn opt_out() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&who, &slasher, T::MaxServicesPerRestaker::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), ids[0]);
		assert!(Positions::<T>::get(&who, ids[0]).unwrap().exit.is_some());
	}

	#[benchmark]
	fn complete_opt_out() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&who, &slasher, T::MaxServicesPerRestaker::get());
		Pallet::<T>::do_opt_out(who.clone(), ids[0]).unwrap();
		T::Staking::set_era(T::Staking::current_era().saturating_add(1));
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), ids[0], who.clone());
		assert!(!Positions::<T>::contains_key(&who, ids[0]));
	}

	/// `r`: other restakers in the service; the report must not depend on them.
	#[benchmark]
	fn report_offence(r: Linear<1, MAX_RESTAKERS>) {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let offender = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&offender, &slasher, T::MaxServicesPerRestaker::get());
		fill_service::<T>(ids[0], r);
		fill_queue::<T>(ids[0], &offender);
		// The offender still holds its position. A report of a stash that has left reads its
		// `Departures` record as well: the call charges that read on top of this measurement
		// (`Pallet::departure_read`), so the weight covers both paths.
		let era = 1_000;
		T::Staking::set_era(era + 1);
		assert!(Positions::<T>::contains_key(&offender, ids[0]));
		// At its largest, the offence's record already holds a report under every other rule
		// (each of nothing, so this one still adds), and the offence predates a rule change.
		let others: Vec<_> = (1..T::MaxRules::get())
			.map(|rule| crate::OffenceReport {
				rule,
				slash_id: u32::MAX - rule,
				fraction: Perbill::from_percent(10),
				amount: Zero::zero(),
				eject: false,
				standing: true,
			})
			.collect();
		crate::ReportedOffences::<T>::insert(
			era,
			(ids[0], offender.clone()),
			frame_support::BoundedVec::try_from(others).unwrap(),
		);
		let rules = crate::Services::<T>::get(ids[0]).unwrap().params.rules;
		crate::PastServiceRules::<T>::insert(
			ids[0],
			crate::PastRules::after_change(None, rules, era + 1),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(slasher), ids[0], offender, 0, era);
		assert_eq!(
			ServiceSlashes::<T>::get(ids[0]).len() as u32,
			T::MaxPendingSlashesPerService::get()
		);
	}

	#[benchmark]
	fn cancel_slash() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let offender = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&offender, &slasher, 1);
		fill_queue::<T>(ids[0], &offender);
		let era = 1_000;
		T::Staking::set_era(era);
		let slash = Pallet::<T>::do_report_offence(slasher, ids[0], offender, 0, era).unwrap();
		let origin = T::SlashCancelOrigin::try_successful_origin().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, slash);
		assert!(!Slashes::<T>::contains_key(slash));
	}

	/// `n`: pending slashes of the service, all cancelled.
	#[benchmark]
	fn cancel_all_slashes(n: Linear<1, { T::MaxPendingSlashesPerService::get() }>) {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let offender = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&offender, &slasher, 1);
		for era in 0..n {
			T::Staking::set_era(era);
			Pallet::<T>::do_report_offence(slasher.clone(), ids[0], offender.clone(), 0, era)
				.unwrap();
		}
		// Every one still in its dispute window.
		T::Staking::set_era(0);
		let origin = T::SlashCancelOrigin::try_successful_origin().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ids[0]);
		assert!(ServiceSlashes::<T>::get(ids[0]).is_empty());
	}

	/// `n`: services of the offender, all re-synced; `r`: other restakers in the service.
	#[benchmark]
	fn apply_slash(
		n: Linear<1, { T::MaxServicesPerRestaker::get() }>,
		r: Linear<1, MAX_RESTAKERS>,
	) {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let offender = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&offender, &slasher, n);
		fill_service::<T>(ids[0], r);
		fill_queue::<T>(ids[0], &offender);
		let era = 1_000;
		T::Staking::set_era(era);
		// The ejecting 50% rule: the offender leaves one service, and every other exposure
		// is cut by the cascade.
		let rule = T::MaxRules::get() - 1;
		overexpose::<T>(&offender, &ids, unit::<T>());
		fund_all::<T>(&ids);
		let slash =
			Pallet::<T>::do_report_offence(slasher, ids[0], offender.clone(), rule, era).unwrap();
		approve_if_held::<T>(slash);
		T::Staking::set_era(era + 1);
		let stake = T::Staking::total_stake(&offender).unwrap();
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), slash);
		assert!(!Slashes::<T>::contains_key(slash));
		assert!(T::Staking::total_stake(&offender).unwrap() < stake, "the slash landed");
	}

	/// The automatic path: `s` due slashes on `s` offenders, each in `MaxServicesPerRestaker`
	/// services.
	#[benchmark]
	fn apply_due_slashes(s: Linear<1, { T::MaxSlashesPerBlock::get() }>) {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let era = 10;
		T::Staking::set_era(era);
		let ids: Vec<_> =
			(0..T::MaxServicesPerRestaker::get()).map(|_| register::<T>(&slasher)).collect();
		let offenders: Vec<_> = (0..s).map(|i| bonded_stash::<T>("offender", i)).collect();
		for offender in &offenders {
			opt_in_each::<T>(offender, &ids);
		}
		// Each slash ejects its offender by rule, and the cascade then scales and ejects every
		// other position of it (each allocated the whole bond, above the leverage cap once
		// halved; `min_stake` the whole bond), settling rewards in every service.
		let rule = T::MaxRules::get() - 1;
		for offender in &offenders {
			overexpose::<T>(offender, &ids, bond_amount::<T>());
		}
		fund_all::<T>(&ids);
		// One slash per service, so no service's pending bound limits `s`.
		for (i, offender) in offenders.iter().enumerate() {
			let service = ids[i % ids.len()];
			let slash = Pallet::<T>::do_report_offence(
				slasher.clone(),
				service,
				offender.clone(),
				rule,
				era,
			)
			.unwrap();
			approve_if_held::<T>(slash);
		}
		T::Staking::set_era(era + 1);
		let stakes: Vec<_> =
			offenders.iter().map(|o| T::Staking::total_stake(o).unwrap()).collect();
		// On a running chain the cursor follows the active era.
		crate::DueCursor::<T>::put(era + 1);
		#[block]
		{
			Pallet::<T>::apply_due_slashes(era + 1);
		}
		assert!(Slashes::<T>::iter_keys().next().is_none());
		for (offender, stake) in offenders.iter().zip(stakes) {
			assert!(T::Staking::total_stake(offender).unwrap() < stake, "every slash landed");
		}
	}

	/// The cascade re-sync of a restaker in `n` services whose stake fell below all of them;
	/// `r`: other restakers in its first service, which the re-sync must not visit.
	#[benchmark]
	fn resync(n: Linear<1, { T::MaxServicesPerRestaker::get() }>, r: Linear<1, MAX_RESTAKERS>) {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&who, &slasher, n);
		fill_service::<T>(ids[0], r);
		// Every position will fall below its service's minimum: ejection is the costliest path.
		overexpose::<T>(&who, &ids, bond_amount::<T>());
		fund_all::<T>(&ids);
		// Halve the stake through staking's own slashing path.
		T::Slashing::slash(&who, bond_amount::<T>() / 2u32.into(), T::Slashing::active_era());
		assert!(Positions::<T>::iter_prefix(&who).count() as u32 == n);
		assert!(PendingCascades::<T>::contains_key(&who));
		#[block]
		{
			Pallet::<T>::do_resync(&who);
		}
		assert!(!PendingCascades::<T>::contains_key(&who));
	}

	/// The staking hook itself, for a restaker.
	#[benchmark]
	fn on_slash_hook() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		in_services::<T>(&who, &slasher, 1);
		#[block]
		{
			<Pallet<T> as sp_staking::OnStakingUpdate<_, _>>::on_slash(
				&who,
				Zero::zero(),
				&Default::default(),
				Zero::zero(),
			);
		}
		assert!(PendingCascades::<T>::contains_key(&who));
	}

	#[benchmark]
	fn fund_rewards() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&who, &slasher, 1);
		let funder: T::AccountId = whitelisted_caller();
		T::Currency::set_balance(&funder, bond_amount::<T>());
		let amount = bond_amount::<T>() / 10u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(funder), ids[0], amount);
	}

	#[benchmark]
	fn claim_rewards() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let who = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&who, &slasher, 1);
		let funder: T::AccountId = account("funder", 0, 0);
		T::Currency::set_balance(&funder, bond_amount::<T>());
		Pallet::<T>::do_fund_rewards(funder, ids[0], bond_amount::<T>() / 10u32.into()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), ids[0]);
		assert!(Pallet::<T>::claimable_rewards(&who, ids[0]).is_zero());
	}

	#[benchmark]
	fn approve_slash() {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let offender = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&offender, &slasher, 1);
		let era = 1_000;
		T::Staking::set_era(era);
		let slash = Pallet::<T>::do_report_offence(slasher, ids[0], offender, 0, era).unwrap();
		hold::<T>(slash);
		let origin = T::SlashCancelOrigin::try_successful_origin().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, slash);
		assert_eq!(Slashes::<T>::get(slash).unwrap().breaker, BreakerState::Approved);
	}

	/// `n`: held slashes of the service, all approved.
	#[benchmark]
	fn approve_held_slashes(n: Linear<1, { T::MaxPendingSlashesPerService::get() }>) {
		let slasher: T::AccountId = account("slasher", 0, 0);
		let offender = bonded_stash::<T>("stash", 0);
		let ids = in_services::<T>(&offender, &slasher, 1);
		for i in 0..n {
			T::Staking::set_era(i);
			let slash =
				Pallet::<T>::do_report_offence(slasher.clone(), ids[0], offender.clone(), 0, i)
					.unwrap();
			hold::<T>(slash);
		}
		// Every one still in its dispute window.
		T::Staking::set_era(0);
		let origin = T::SlashCancelOrigin::try_successful_origin().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ids[0]);
		assert!(Slashes::<T>::iter_values().all(|s| s.breaker == BreakerState::Approved));
	}

	#[benchmark]
	fn on_initialize_idle() {
		#[block]
		{
			Pallet::<T>::on_initialize(1u32.into());
		}
	}

	/// `n`: services of the operator; the delegation opens a position in each.
	#[benchmark]
	fn delegate(n: Linear<1, { T::MaxServicesPerRestaker::get() }>) {
		let (operator, _) = operator_named::<T>("operator", 0, n);
		let who = bonded_stash::<T>("delegator", 0);
		let amount = bond_amount::<T>() / 10u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), operator, amount);
		assert_eq!(crate::Restakers::<T>::get(&who).unwrap().services.len() as u32, n);
	}

	/// A commission increase of an operator in `MaxServicesPerRestaker` services: it waits the
	/// longest exit delay among them, read from each.
	#[benchmark]
	fn set_operator() {
		let (operator, _) = operator_in_services::<T>();
		let commission = T::MaxCommission::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()), commission);
		let info = crate::Operators::<T>::get(&operator).unwrap();
		assert!(info.pending_commission.is_some_and(|(c, _)| c == commission));
	}

	#[benchmark]
	fn stop_operating() {
		let (operator, _) = operator_in_services::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()));
		assert!(!crate::Operators::<T>::get(&operator).unwrap().accepting);
	}

	/// `n`: services of the operator; the delegation is raised in each, from the next era (from
	/// a tenth of the bond to a ninth: in `MaxServicesPerRestaker` services whose worst case is
	/// 50%, within a runtime's full coverage).
	#[benchmark]
	fn set_delegation(n: Linear<1, { T::MaxServicesPerRestaker::get() }>) {
		let (operator, ids) = operator_named::<T>("operator", 0, n);
		let who = delegator_of::<T>(&operator, 0);
		let amount = bond_amount::<T>() / 9u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert_eq!(crate::Delegations::<T>::get(&who).unwrap().amount, amount);
		assert_eq!(Positions::<T>::get(&who, ids[0]).unwrap().allocation, amount);
	}

	/// `n`: services of the operator; every position of the delegation is scheduled to leave.
	#[benchmark]
	fn undelegate(n: Linear<1, { T::MaxServicesPerRestaker::get() }>) {
		let (operator, ids) = operator_named::<T>("operator", 0, n);
		let who = delegator_of::<T>(&operator, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Positions::<T>::get(&who, ids[0]).unwrap().exit.is_some());
	}

	#[benchmark]
	fn exclude_service() {
		let (operator, ids) = operator_in_services::<T>();
		let who = delegator_of::<T>(&operator, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), ids[0]);
		assert!(Positions::<T>::get(&who, ids[0]).unwrap().exit.is_some());
	}

	/// A service the delegator excluded before its operator joined it: the inclusion opens a
	/// position, with the leverage and coverage checks, in the last of `MaxServicesPerRestaker`.
	#[benchmark]
	fn include_service() {
		let services = T::MaxServicesPerRestaker::get();
		let (operator, _) = operator_named::<T>("operator", 0, services.saturating_sub(1));
		let who = delegator_of::<T>(&operator, 0);
		let slasher: T::AccountId = account("slasher", 0, 0);
		let service = register::<T>(&slasher);
		Pallet::<T>::do_exclude_service(who.clone(), service).expect("excludes in advance");
		opt_in_each::<T>(&operator, &[service]);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), service);
		assert!(Positions::<T>::contains_key(&who, service));
		assert_eq!(crate::Restakers::<T>::get(&who).unwrap().services.len() as u32, services);
		assert!(crate::Delegations::<T>::get(&who).unwrap().excluded.is_empty());
	}

	/// From an operator to another, together in `n` services, none shared (during the overlap
	/// the delegator is in all of them, so at most `MaxServicesPerRestaker`): every old
	/// position leaves, every new one opens.
	#[benchmark]
	fn redelegate(n: Linear<2, { T::MaxServicesPerRestaker::get() }>) {
		let half = n / 2;
		let (operator, old) = operator_named::<T>("operator", 0, half);
		let who = delegator_of::<T>(&operator, 0);
		let rest = n - half;
		let (other, new) = operator_named::<T>("operator", 1, rest);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), other);
		assert!(Positions::<T>::get(&who, old[0]).unwrap().exit.is_some());
		assert!(Positions::<T>::contains_key(&who, new[0]));
	}

	/// `d`: delegators of the operator; the report must not depend on them (paging).
	#[benchmark]
	fn report_offence_against_operator(d: Linear<1, { T::MaxDelegatorsPerOperator::get() }>) {
		let (operator, ids) = operator_in_services::<T>();
		for i in 0..d {
			delegator_of::<T>(&operator, i);
		}
		let slasher = crate::Services::<T>::get(ids[0]).unwrap().params.slasher;
		let era = T::Staking::current_era();
		#[extrinsic_call]
		report_offence(RawOrigin::Signed(slasher), ids[0], operator, 0, era);
		assert_eq!(crate::DelegatorJobs::<T>::iter().count(), 1);
	}

	/// `d`: delegators one page lands on, each slashed by the ejecting rule (50%) and ejected,
	/// with its cascade queued, in `MaxServicesPerRestaker` services; at most a page, and at
	/// most one operator's delegators.
	#[benchmark]
	fn apply_delegator_slashes(
		d: Linear<
			1,
			{ T::MaxDelegatorSlashesPerBlock::get().min(T::MaxDelegatorsPerOperator::get()) },
		>,
	) {
		let (operator, ids) = operator_in_services::<T>();
		for i in 0..d {
			delegator_of::<T>(&operator, i);
		}
		let slasher = crate::Services::<T>::get(ids[0]).unwrap().params.slasher;
		let era = T::Staking::current_era();
		let rule = T::MaxRules::get() - 1;
		let slash = Pallet::<T>::do_report_offence(slasher, ids[0], operator, rule, era).unwrap();
		approve_if_held::<T>(slash);
		let apply_era = Slashes::<T>::get(slash).unwrap().apply_era;
		T::Staking::set_era(apply_era);
		Pallet::<T>::do_apply_due_slash(slash).unwrap();
		crate::DelegatorJobs::<T>::mutate(slash, |job| job.as_mut().unwrap().approved = true);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), slash);
		assert!(
			!crate::DelegatorJobs::<T>::contains_key(slash)
				|| d == T::MaxDelegatorSlashesPerBlock::get()
		);
	}

	/// `n`: services of the operator, each a position the pool opens. A pool backs each with its
	/// whole deposit, so at most `MaxLeverage` of them (issue 26: not yet lifted).
	#[benchmark]
	fn create_pool(n: Linear<1, { T::MaxLeverage::get() }>) {
		let (operator, _) = pool_operator::<T>(0, n);
		let creator = funded::<T>("creator");
		let deposit = pool_deposit::<T>();
		let pool = crate::NextPoolId::<T>::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(creator), operator, deposit);
		assert_eq!(
			crate::Restakers::<T>::get(Pallet::<T>::pool_account(pool)).unwrap().services.len()
				as u32,
			n
		);
	}

	/// `n`: services of the operator; the join re-syncs the pool and raises its delegation in
	/// each service. (Not yet its worst case: jobs against the operator that have landed on
	/// the pool but not on all its delegators, which the pending check still reads.)
	#[benchmark]
	fn join(n: Linear<1, { T::MaxLeverage::get() }>) {
		let (pool, _, _) = pool_of::<T>(n);
		let who = funded::<T>("holder");
		let amount = pool_deposit::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), pool, amount);
		assert!(!Pallet::<T>::pool_supply(pool).is_zero());
	}

	/// `n`: services of the operator, with a report against it pending in each; the redemption
	/// re-syncs the pool in each.
	#[benchmark]
	fn redeem(n: Linear<1, { T::MaxLeverage::get() }>) {
		let (pool, operator, ids) = pool_of::<T>(n);
		let who = funded::<T>("holder");
		Pallet::<T>::do_join(who.clone(), pool, pool_deposit::<T>()).unwrap();
		// A report against the operator in each service, pending on the pool: the redemption
		// re-syncs the pool with them.
		report_each::<T>(&operator, &ids);
		let shares =
			<T::Assets as frame_support::traits::fungibles::Inspect<T::AccountId>>::balance(
				Pallet::<T>::pool_asset(pool),
				&who,
			);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), pool, shares);
		assert_eq!(crate::Redemptions::<T>::get(pool, &who).len(), 1);
	}

	#[benchmark]
	fn withdraw() {
		let (pool, _, _) = pool_of::<T>(1);
		let who = funded::<T>("holder");
		Pallet::<T>::do_join(who.clone(), pool, pool_deposit::<T>()).unwrap();
		let shares =
			<T::Assets as frame_support::traits::fungibles::Inspect<T::AccountId>>::balance(
				Pallet::<T>::pool_asset(pool),
				&who,
			);
		Pallet::<T>::do_redeem(who.clone(), pool, shares).unwrap();
		let unlock = crate::Redemptions::<T>::get(pool, &who)[0].0;
		T::Staking::set_era(unlock);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), pool);
		assert!(crate::Redemptions::<T>::get(pool, &who).is_empty());
	}

	/// Rewards funded in each of the `MaxLeverage` services of the pool's operator: the pool
	/// claims each and bonds the sum.
	#[benchmark]
	fn compound() {
		let (pool, _, ids) = pool_of::<T>(T::MaxLeverage::get());
		let funder: T::AccountId = account("funder", 0, 0);
		T::Currency::set_balance(&funder, bond_amount::<T>());
		for id in &ids {
			Pallet::<T>::do_fund_rewards(funder.clone(), *id, bond_amount::<T>() / 100u32.into())
				.unwrap();
		}
		let before = Pallet::<T>::pool_active(pool);
		#[extrinsic_call]
		_(RawOrigin::Signed(funder), pool);
		assert!(Pallet::<T>::pool_active(pool) > before);
	}

	/// An operator change whose notice has passed, from an operator in one service to one in
	/// `MaxLeverage - 1` others (while the old position leaves, the pool is in `MaxLeverage`):
	/// the old position leaves, every new one opens.
	#[benchmark]
	fn apply_pool_terms() {
		let (pool, _, _) = pool_of::<T>(1);
		let (other, ids) = pool_operator::<T>(1, T::MaxLeverage::get().saturating_sub(1).max(1));
		let manager: T::AccountId = account("creator", 0, 0);
		Pallet::<T>::do_set_pool_operator(manager.clone(), pool, other.clone()).unwrap();
		T::Staking::set_era(T::Staking::current_era() + T::PoolNotice::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), pool);
		assert_eq!(crate::Pools::<T>::get(pool).unwrap().operator, other);
		assert!(Positions::<T>::contains_key(Pallet::<T>::pool_account(pool), ids[0]));
	}

	#[benchmark]
	fn set_pool_manager() {
		let (pool, _, _) = pool_of::<T>(1);
		let manager: T::AccountId = account("creator", 0, 0);
		let next: T::AccountId = account("manager", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), pool, next.clone());
		assert_eq!(crate::Pools::<T>::get(pool).unwrap().manager, next);
	}

	/// The pool leaves one of its operator's `MaxLeverage` services at its exit delay.
	#[benchmark]
	fn exclude_pool_service() {
		let (pool, _, ids) = pool_of::<T>(T::MaxLeverage::get());
		let manager: T::AccountId = account("creator", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), pool, ids[0]);
		assert!(Positions::<T>::get(Pallet::<T>::pool_account(pool), ids[0])
			.unwrap()
			.exit
			.is_some());
	}

	/// A service the pool excludes is scheduled after the pool's notice.
	#[benchmark]
	fn include_pool_service() {
		let (pool, _, ids) = pool_of::<T>(T::MaxLeverage::get());
		let manager: T::AccountId = account("creator", 0, 0);
		Pallet::<T>::do_exclude_pool_service(manager.clone(), pool, ids[0]).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), pool, ids[0]);
		assert_eq!(crate::PoolTermChanges::<T>::get(pool).len(), 1);
	}

	/// The new operator is in `MaxServicesPerRestaker` services, each read for the announced
	/// terms.
	#[benchmark]
	fn set_pool_operator() {
		let (pool, _, _) = pool_of::<T>(1);
		let (other, _) = operator_named::<T>("operator", 1, T::MaxServicesPerRestaker::get());
		let manager: T::AccountId = account("creator", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), pool, other);
		assert!(crate::PoolOperatorChanges::<T>::contains_key(pool));
	}

	/// Sixteen targets, the call's bound, scheduled for a pool whose operator does not
	/// validate.
	#[benchmark]
	fn set_pool_nominations() {
		let (pool, _, _) = pool_of::<T>(1);
		let manager: T::AccountId = account("creator", 0, 0);
		let targets: Vec<T::AccountId> = (0..16).map(|i| account("target", i, 0)).collect();
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), pool, targets.try_into().unwrap());
		assert!(crate::PoolNominationChanges::<T>::contains_key(pool));
	}

	// On a chain whose genesis took pool id 0 (the dev chain's sample pool does): the pool
	// benchmarks must create and use a pool of their own.
	impl_benchmark_test_suite!(
		Pallet,
		{
			let mut ext = crate::mock::new_test_ext();
			ext.execute_with(|| crate::NextPoolId::<crate::mock::Test>::put(1));
			ext.commit_all().expect("the set-up commits");
			ext
		},
		crate::mock::Test
	);
}
