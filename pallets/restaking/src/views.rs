//! Read-only views behind the `RestakingApi` runtime API, including the slash what-if.

use crate::{
	pallet::{
		Config, Departures, Error, FundingHistory, Pallet, PendingCascades, PendingRuleChanges,
		Positions, Restakers, ServiceSlashes, Services, SlashBudgets, Slashes, UnclaimedRewards,
	},
	BalanceOf, BreakerState, ExposureView, PendingSlashOf, RestakerView, RiskFigures, RiskView,
	RuleChangeView, RuleIndex, RuleView, ServiceId, ServiceImpact, ServiceOf, ServiceRisk,
	ServiceStatus, ServiceView, SlashId, SlashSimulation, SlashingAdapter,
};
use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use frame_support::storage::{with_transaction, TransactionOutcome};
use frame_support::traits::Get;
use sp_runtime::Perbill;
use sp_runtime::{
	traits::{CheckedDiv, Saturating, Zero},
	DispatchError, SaturatedConversion,
};
use sp_staking::EraIndex;
use sp_staking::StakingInterface;

use crate::rewards::REWARD_SCALE;

/// Parts per billion in one unit of leverage.
const PPB: u128 = 1_000_000_000;

/// `numerator / denominator` in parts per billion, rounded down; zero if the denominator is.
fn ratio_ppb<B: sp_runtime::traits::UniqueSaturatedInto<u128> + Zero>(
	numerator: B,
	denominator: B,
) -> u64 {
	if denominator.is_zero() {
		return 0;
	}
	sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
		numerator.saturated_into(),
		PPB,
		denominator.saturated_into(),
		sp_arithmetic::Rounding::Down,
	)
	.unwrap_or(u128::MAX)
	.saturated_into()
}

impl<T: Config> Pallet<T> {
	/// Every registered service, by id.
	pub fn services_view() -> Vec<ServiceView<T::AccountId, BalanceOf<T>>> {
		let bonded = T::Slashing::total_bonded();
		let mut services: Vec<_> =
			Services::<T>::iter().map(|(id, info)| Self::to_view(id, info, bonded)).collect();
		services.sort_by_key(|s| s.id);
		services
	}

	/// One service, if registered.
	pub fn service_view(id: ServiceId) -> Option<ServiceView<T::AccountId, BalanceOf<T>>> {
		Services::<T>::get(id).map(|info| Self::to_view(id, info, T::Slashing::total_bonded()))
	}

	/// A restaker's stake, leverage and positions, with claimable rewards; `None` if it has
	/// neither a position nor unclaimed rewards.
	pub fn exposures_view(who: &T::AccountId) -> Option<RestakerView<BalanceOf<T>>> {
		let ledger = Restakers::<T>::get(who);
		let unclaimed: Vec<_> = UnclaimedRewards::<T>::iter_prefix(who).collect();
		if ledger.is_none() && unclaimed.is_empty() {
			return None;
		}
		let stake = Self::stake_of(who);
		let slashable = stake.reachable(T::Slashing::active_era());
		let total_allocated = ledger.as_ref().map(|l| l.total_allocated).unwrap_or_default();
		let total_claim = ledger.as_ref().map(|l| l.total_claim).unwrap_or_default();
		let mut total_exposure = BalanceOf::<T>::zero();
		let mut positions: Vec<_> = Positions::<T>::iter_prefix(who)
			.map(|(service, p)| {
				total_exposure = total_exposure.saturating_add(p.exposure);
				ExposureView {
					service,
					allocation: p.allocation,
					exposure: p.exposure,
					joined_era: p.joined_era,
					exit: p.exit.clone(),
					claimable_rewards: Self::claimable_rewards(who, service),
					history: p.history.into_inner(),
					worst_case: Services::<T>::get(service)
						.map(|info| info.params.worst_case())
						.unwrap_or_default(),
					claim: p.claim,
				}
			})
			.collect();
		for (service, amount) in unclaimed {
			if !positions.iter().any(|p| p.service == service) {
				positions.push(ExposureView {
					service,
					allocation: Zero::zero(),
					exposure: Zero::zero(),
					joined_era: 0,
					exit: None,
					claimable_rewards: amount,
					history: Vec::new(),
					worst_case: Perbill::zero(),
					claim: Zero::zero(),
				});
			}
		}
		positions.sort_by_key(|p| p.service);
		Some(RestakerView {
			stake: stake.total,
			active_stake: stake.active,
			slashable_stake: slashable,
			total_allocated,
			total_exposure,
			leverage_ppb: ratio_ppb(total_allocated, slashable),
			cascade_pending: PendingCascades::<T>::contains_key(who),
			total_claim,
			coverage_ppb: ratio_ppb(total_claim, slashable),
			positions,
		})
	}

	/// Scheduled slashes of a service, by id.
	pub fn pending_slashes_view(service: ServiceId) -> Vec<(SlashId, PendingSlashOf<T>)> {
		Self::sorted_slashes(|s| s.service == service)
	}

	/// Scheduled slashes of a restaker, by id.
	pub fn pending_slashes_of_view(who: &T::AccountId) -> Vec<(SlashId, PendingSlashOf<T>)> {
		Self::sorted_slashes(|s| &s.offender == who)
	}

	/// What a report of `offender` under `rule` of `service` for an offence in the active era,
	/// followed by its landing, would do; the same refusal as the report if it would be refused.
	///
	/// It runs the real path in a storage transaction that is rolled back: the report as the
	/// service's slasher (`report_offence`: the exposure of the offence era, the rule
	/// in force then, the stake a slash landing after the dispute window still reaches, departed
	/// stashes a report still accepts, max not sum against standing reports of the offence),
	/// then the landing (`do_slash` with the offence era's chunk rules, ejection, re-sync).
	/// `amount` is what the landing takes from the bonded ledger, which is exactly what the
	/// report would fix unless the stake changes before it lands. The cascade figures are those
	/// of a landing now.
	///
	/// A report the breaker would hold lands only if governance approves it: `held` says so,
	/// and the figures are those of the approved slash. It also gives the offender's coverage
	/// ratio before and after, and the effective era of a harsher rule change waiting.
	pub fn simulate_slash(
		service: ServiceId,
		offender: T::AccountId,
		rule: RuleIndex,
	) -> Result<SlashSimulation<BalanceOf<T>>, DispatchError> {
		let info = Self::service(service)?;
		let stake_before = Self::bonded_stake(&offender)?.total;
		let services =
			Restakers::<T>::get(&offender).map(|l| l.services.into_inner()).unwrap_or_default();
		let secured =
			|id: &ServiceId| Services::<T>::get(id).map(|s| s.total_secured).unwrap_or_default();
		let before: Vec<_> = services.iter().map(|id| (*id, secured(id))).collect();
		let coverage = |who: &T::AccountId| {
			let claim = Restakers::<T>::get(who).map(|l| l.total_claim).unwrap_or_default();
			ratio_ppb(claim, Self::stake_of(who).reachable(T::Slashing::active_era()))
		};
		let coverage_before_ppb = coverage(&offender);
		let rule_change_era = PendingRuleChanges::<T>::get(service).map(|c| c.effective_era);
		let era = T::Slashing::active_era();
		// Pools delegating to the offender, or that did and a report can still reach.
		let pools: Vec<(crate::PoolId, u128)> = crate::Pools::<T>::iter_keys()
			.filter(|id| {
				crate::Delegations::<T>::get(Self::pool_account(*id)).is_some_and(|d| {
					d.operator == offender
						|| d.previous.as_ref().is_some_and(|p| p.operator == offender)
				})
			})
			.map(|id| (id, Self::pool_rate_ppb(id)))
			.collect();

		with_transaction(|| {
			let simulation = Self::do_report_offence(
				info.params.slasher.clone(),
				service,
				offender.clone(),
				rule,
				era,
			)
			.and_then(|slash_id| {
				let mut slash = Slashes::<T>::get(slash_id).ok_or(Error::<T>::UnknownSlash)?;
				let held = slash.breaker == BreakerState::Held;
				if held {
					slash.breaker = BreakerState::Approved;
				}
				let taken = Self::land_slash(slash_id, slash);
				let stake_after = T::Staking::total_stake(&offender).unwrap_or_default();
				let impacts = before
					.iter()
					.map(|(id, secured_before)| ServiceImpact {
						service: *id,
						secured_before: *secured_before,
						secured_after: secured(id),
						ejected: !Positions::<T>::contains_key(&offender, id),
					})
					.collect();
				Ok(SlashSimulation {
					amount: taken,
					stake_before,
					stake_after,
					services: impacts,
					worst_case: info.params.worst_case(),
					coverage_before_ppb,
					coverage_after_ppb: coverage(&offender),
					held,
					rule_change_era,
					pools: pools
						.iter()
						.map(|(pool, rate_before_ppb)| crate::PoolImpact {
							pool: *pool,
							rate_before_ppb: *rate_before_ppb,
							rate_after_ppb: Self::pool_rate_ppb(*pool),
						})
						.collect(),
				})
			});
			TransactionOutcome::Rollback(simulation)
		})
	}

	fn sorted_slashes(
		keep: impl Fn(&PendingSlashOf<T>) -> bool,
	) -> Vec<(SlashId, PendingSlashOf<T>)> {
		let mut slashes: Vec<_> = Slashes::<T>::iter().filter(|(_, s)| keep(s)).collect();
		slashes.sort_by_key(|(id, _)| *id);
		slashes
	}

	/// The chain-wide risk figures: total bonded and restaked stake, coverage and breaker
	/// settings, the breaker's budgets and the slashes it holds.
	pub fn risk_view() -> RiskView<BalanceOf<T>> {
		let total_bonded = T::Slashing::total_bonded();
		let total_restaked = Services::<T>::iter_values()
			.fold(BalanceOf::<T>::zero(), |sum, info| sum.saturating_add(info.total_secured));
		let mut budgets: Vec<_> = SlashBudgets::<T>::iter().collect();
		budgets.sort_by_key(|(era, _)| *era);
		RiskView {
			total_bonded,
			total_restaked,
			restaked_share_ppb: ratio_ppb(total_restaked, total_bonded),
			full_coverage: T::FullCoverage::get(),
			breaker: T::SlashBreaker::get(),
			budgets,
			held_slashes: Slashes::<T>::iter_values()
				.filter(|s| s.breaker == BreakerState::Held)
				.count() as u32,
		}
	}

	/// The risk figures that need every restaker, over one page of at most `MaxRiskScan`
	/// restakers after `start_after`; see [`RiskFigures`] for each figure.
	///
	/// Work is bounded: `MaxRiskScan` restakers, each with at most `MaxServicesPerRestaker`
	/// positions, `MaxServices` services with `YieldWindow + 1` funding records each, and
	/// `YieldWindow` eras of pallet-staking's payouts.
	pub fn risk_figures(
		start_after: Option<T::AccountId>,
	) -> RiskFigures<T::AccountId, BalanceOf<T>> {
		let total_bonded = T::Slashing::total_bonded();
		let era = T::Slashing::active_era();
		let window_eras = T::YieldWindow::get().min(era);
		let first_era = era.saturating_sub(window_eras);
		let eras_per_year = T::ErasPerYear::get();

		let (base_rewards, base_stake_sum) =
			(first_era..era).fold((BalanceOf::<T>::zero(), BalanceOf::<T>::zero()), |acc, e| {
				let (reward, stake) = T::Slashing::era_rewards(e);
				(acc.0.saturating_add(reward), acc.1.saturating_add(stake))
			});
		let base_average_stake = if window_eras == 0 {
			Zero::zero()
		} else {
			base_stake_sum.checked_div(&BalanceOf::<T>::from(window_eras)).unwrap_or_default()
		};

		let mut services: Vec<ServiceRisk<T::AccountId, BalanceOf<T>>> = Services::<T>::iter()
			.map(|(id, info)| {
				let (funded, per_exposure) = FundingHistory::<T>::get(id)
					.iter()
					.filter(|record| record.era >= first_era && record.era < era)
					.fold((BalanceOf::<T>::zero(), 0u128), |acc, r| {
						(acc.0.saturating_add(r.funded), acc.1.saturating_add(r.per_exposure))
					});
				// What one unit of exposure held through the window earned, at that pace for a
				// year: `per_exposure / REWARD_SCALE x eras per year / window eras`.
				let organic_yield_ppb = ratio_ppb(
					per_exposure.saturating_mul(eras_per_year.into()),
					REWARD_SCALE.saturating_mul(window_eras.into()),
				);
				// The stake the fundings were shared over, weighted by what each shared.
				let average_secured: BalanceOf<T> = if per_exposure == 0 {
					Zero::zero()
				} else {
					sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
						funded.saturated_into(),
						REWARD_SCALE,
						per_exposure,
						sp_arithmetic::Rounding::Down,
					)
					.unwrap_or(u128::MAX)
					.saturated_into()
				};
				ServiceRisk {
					service: id,
					secured: info.total_secured,
					share_ppb: ratio_ppb(info.total_secured, total_bonded),
					// A retired service can report no more; a harsher change waiting counts.
					worst_case: match info.status {
						ServiceStatus::Retired => Perbill::zero(),
						_ => Self::harshest_worst_case(id, &info),
					},
					largest_restaker: None,
					largest_exposure: Zero::zero(),
					largest_share_ppb: 0,
					worst_case_claim: Zero::zero(),
					worst_case_collectable: Zero::zero(),
					collectable_floor: Zero::zero(),
					collectable_ceiling: Zero::zero(),
					funded,
					average_secured,
					organic_yield_ppb,
				}
			})
			.collect();
		services.sort_by_key(|s| s.service);

		// Per service: the fraction claims count and the dispute window, for the stake a report
		// can count on.
		let terms: Vec<(ServiceId, Perbill, EraIndex)> = services
			.iter()
			.map(|s| {
				let window =
					Services::<T>::get(s.service).map(|i| i.params.dispute_window).unwrap_or(0);
				(s.service, s.worst_case, window)
			})
			.collect();
		// What the slashes already scheduled will take from each offender first.
		let mut pending: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for slash in Slashes::<T>::iter_values() {
			let sum = pending.entry(slash.offender).or_insert_with(Zero::zero);
			*sum = sum.saturating_add(slash.amount);
		}
		let report_eras = era.saturating_sub(T::ReportWindow::get())..=era.saturating_add(1);

		let mut restakers = 0u32;
		let mut restaker_stake = BalanceOf::<T>::zero();
		let mut restaker_exposure = BalanceOf::<T>::zero();
		let mut max_degree_ppb = 0u64;
		let mut max_degree_restaker = None;
		let mut last = None;
		let mut page = match start_after {
			Some(after) => Restakers::<T>::iter_keys_from(Restakers::<T>::hashed_key_for(after)),
			None => Restakers::<T>::iter_keys(),
		};
		for who in page.by_ref().take(T::MaxRiskScan::get() as usize) {
			let stake = T::Slashing::slashable_stake(&who, era);
			// `(service, exposure, worst-case claim)` of every service that can still report
			// `who`: its positions and the departures a report still reaches.
			let mut claims: Vec<(ServiceId, BalanceOf<T>, BalanceOf<T>)> = Vec::new();
			let services_of = Positions::<T>::iter_prefix(&who)
				.map(|(id, p)| (id, p.exposure))
				.chain(Departures::<T>::iter_key_prefix(&who).map(|id| (id, Zero::zero())));
			for (id, exposure) in services_of {
				let Some(&(_, worst_case, window)) = terms.iter().find(|(s, ..)| *s == id) else {
					continue;
				};
				if claims.iter().any(|(s, ..)| *s == id) {
					continue;
				}
				// The largest allocation a report can still name, for an offence era in the
				// report window or the next era, capped at what it reaches when it lands.
				let allocation = report_eras
					.clone()
					.filter_map(|e| Self::exposure_in_era(&who, id, e, era).ok())
					.max()
					.unwrap_or_default();
				let ahead = Self::backing_window(&who, window);
				let reachable = T::Slashing::slashable_stake(&who, era.saturating_add(ahead));
				claims.push((id, exposure, worst_case.mul_floor(allocation.min(reachable))));
			}
			let exposure =
				claims.iter().fold(BalanceOf::<T>::zero(), |sum, (_, e, _)| sum.saturating_add(*e));
			let claim =
				claims.iter().fold(BalanceOf::<T>::zero(), |sum, (_, _, c)| sum.saturating_add(*c));
			// The stake the claims share: what a slash reaches now, less what is scheduled.
			let left = stake.saturating_sub(pending.get(&who).copied().unwrap_or_default());
			for (id, position_exposure, position_claim) in claims {
				let Some(service) = services.iter_mut().find(|s| s.service == id) else {
					continue;
				};
				if position_exposure > service.largest_exposure {
					service.largest_exposure = position_exposure;
					service.largest_restaker = Some(who.clone());
					service.largest_share_ppb = ratio_ppb(position_exposure, service.secured);
				}
				let others = claim.saturating_sub(position_claim);
				// Pro rata when the claims exceed the stake: `claim x left / total claim`.
				let collectable = if claim <= left {
					position_claim
				} else {
					sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
						position_claim.saturated_into(),
						left.saturated_into(),
						claim.saturated_into(),
						sp_arithmetic::Rounding::Down,
					)
					.unwrap_or_default()
					.saturated_into()
				};
				service.worst_case_claim = service.worst_case_claim.saturating_add(position_claim);
				service.worst_case_collectable =
					service.worst_case_collectable.saturating_add(collectable);
				// Landing last, after every other claim; landing first.
				service.collectable_floor = service
					.collectable_floor
					.saturating_add(position_claim.min(left.saturating_sub(others)));
				service.collectable_ceiling =
					service.collectable_ceiling.saturating_add(position_claim.min(left));
			}
			// Exposure with nothing slashable behind it is the largest degree there is.
			let degree = if stake.is_zero() && !exposure.is_zero() {
				u64::MAX
			} else {
				ratio_ppb(exposure, stake)
			};
			if degree > max_degree_ppb {
				max_degree_ppb = degree;
				max_degree_restaker = Some(who.clone());
			}
			restakers = restakers.saturating_add(1);
			restaker_stake = restaker_stake.saturating_add(stake);
			restaker_exposure = restaker_exposure.saturating_add(exposure);
			last = Some(who);
		}
		let next = if page.next().is_some() { last } else { None };

		RiskFigures {
			total_bonded,
			first_era,
			window_eras,
			eras_per_year,
			base_rewards,
			base_average_stake,
			// `base_rewards x eras per year / sum of the eras' stakes`.
			base_yield_ppb: ratio_ppb(
				base_rewards.saturated_into::<u128>().saturating_mul(eras_per_year.into()),
				base_stake_sum.saturated_into::<u128>(),
			),
			services,
			restakers,
			restaker_stake,
			restaker_exposure,
			restaked_share_ppb: ratio_ppb(restaker_stake, total_bonded),
			average_degree_ppb: ratio_ppb(restaker_exposure, restaker_stake),
			max_degree_ppb,
			max_degree_restaker,
			next,
		}
	}

	fn to_view(
		id: ServiceId,
		info: ServiceOf<T>,
		total_bonded: BalanceOf<T>,
	) -> ServiceView<T::AccountId, BalanceOf<T>> {
		let held_slashes = ServiceSlashes::<T>::get(id)
			.iter()
			.filter(|slash_id| {
				Slashes::<T>::get(slash_id).is_some_and(|s| s.breaker == BreakerState::Held)
			})
			.count() as u32;
		let rule_views = |rules: &[crate::SlashingRule<T::MaxNameLen>]| -> Vec<RuleView> {
			rules
				.iter()
				.map(|r| RuleView {
					name: r.name.clone().into_inner(),
					fraction: r.fraction,
					eject: r.eject,
				})
				.collect()
		};
		let pending_change = PendingRuleChanges::<T>::get(id).map(|change| RuleChangeView {
			effective_era: change.effective_era,
			rules: rule_views(&change.params.rules),
			worst_case: change.params.worst_case(),
			exit_delay: change.params.exit_delay,
			dispute_window: change.params.dispute_window,
		});
		ServiceView {
			worst_case: info.params.worst_case(),
			max_share: info.params.max_share,
			share_ppb: ratio_ppb(info.total_secured, total_bonded),
			pending_change,
			held_slashes,
			id,
			name: info.params.name.into_inner(),
			slasher: info.params.slasher,
			rules: rule_views(&info.params.rules),
			min_stake: info.params.min_stake,
			validators_only: info.params.validators_only,
			exit_delay: info.params.exit_delay,
			dispute_window: info.params.dispute_window,
			status: info.status,
			total_secured: info.total_secured,
			restakers: info.restakers,
		}
	}
}
