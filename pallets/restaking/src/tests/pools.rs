//! Liquid restaking pools: shares minted and burnt at the pool's rate, net of the slashes
//! reported against its stake and not landed yet; slashes reaching the rate and the
//! redemptions; donations and the first-depositor attack; shares as an ordinary asset.
//!
//! The world: `VALIDATOR_A` operates (10% commission) in an oracle with 1,000; pool 0 is created
//! by `UNBONDED` (10,000 free) with the minimum deposit of 100 and delegates to `VALIDATOR_A`.
//! Rule 0 slashes 10%, the dispute window is 2 eras.

use super::mock::*;
use crate::{DelegatorJobs, Error, Event, NextSlashId, Redemptions};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect as _};
use sp_runtime::Perbill;

/// The pool every test creates first.
const POOL: u32 = 0;

fn pool_account() -> AccountId {
	Restaking::pool_account(POOL)
}

fn shares(who: AccountId) -> Balance {
	<Assets as frame_support::traits::fungibles::Inspect<AccountId>>::balance(POOL, &who)
}

fn supply() -> Balance {
	Restaking::pool_supply(POOL)
}

fn value() -> Balance {
	Restaking::pool_value(POOL)
}

fn join(who: AccountId, amount: Balance) {
	assert_ok!(Restaking::join(RuntimeOrigin::signed(who), POOL, amount));
}

fn redeem(who: AccountId, shares: Balance) {
	assert_ok!(Restaking::redeem(RuntimeOrigin::signed(who), POOL, shares));
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

/// Run blocks until the delegator jobs are done (at most 10).
fn run_jobs() {
	for _ in 0..10 {
		if DelegatorJobs::<Test>::iter().next().is_none() {
			return;
		}
		next_block();
	}
}

/// [`oracle_and_pool`], `UNBONDED` joining with 400 (supply and value 500), and era 2, where
/// the pool backs the oracle with all 500, with a report of `VALIDATOR_A` for era 2 under
/// rule 0 (10%): the pool's part, 50, is pending.
fn reported_pool() -> u32 {
	let oracle = oracle_and_pool();
	join(UNBONDED, 400);
	start_active_era(2);
	assert_eq!(exposure(pool_account(), oracle), 500);
	assert_ok!(report(oracle, VALIDATOR_A, 0, 2));
	oracle
}

#[test]
fn a_pool_bonds_its_deposit_delegates_it_and_joins_mint_at_rate_one() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		let pool = pool_account();
		// The deposit is bonded by the pool account, backs the operator's service, and its 100
		// shares are the pool account's own.
		assert_eq!((bonded(pool), shares(pool), supply(), value()), (100, 100, 100, 100));
		assert_eq!(exposure(pool, oracle), 100);
		assert_eq!(free(UNBONDED), 10_000 - 100 - 1);
		// Its staking rewards are bonded as they are paid: base rewards compound.
		assert_eq!(staking::Payee::<Test>::get(pool), Some(RewardDestination::Staked));
		assert!(restaking_events().contains(&Event::PoolCreated {
			pool: POOL,
			manager: UNBONDED,
			operator: VALIDATOR_A,
			deposit: 100
		}));
		// Rate 1: 400 buys 400 shares; the stake backs the oracle from the next era.
		join(UNBONDED, 400);
		assert_eq!((shares(UNBONDED), supply(), value(), bonded(pool)), (400, 500, 500, 500));
		assert_eq!(exposure(pool, oracle), 100);
		start_active_era(2);
		assert_eq!(exposure(pool, oracle), 500);
		assert_eq!(secured(oracle), 1_500);
	});
}

#[test]
fn the_operators_slash_lowers_the_rate_from_the_report_by_the_exact_amount() {
	ExtBuilder::default().build_and_execute(|| {
		reported_pool();
		// 10% of the pool's 500 in era 2 is reported: the value is 450 at once.
		assert_eq!(Restaking::pool_pending_slash(POOL), 50);
		assert_eq!((value(), supply()), (450, 500));
		// It lands in era 4 (2 + the dispute window), on the pool's ledger.
		start_active_era(4);
		run_jobs();
		assert_eq!(bonded(pool_account()), 450);
		assert!(staking_slashed_events().contains(&(pool_account(), 50)));
		assert_eq!((Restaking::pool_pending_slash(POOL), value(), supply()), (0, 450, 500));
	});
}

#[test]
fn a_join_waits_for_a_reported_slash_and_then_gets_more_shares_per_unit() {
	ExtBuilder::default().build_and_execute(|| {
		reported_pool();
		// Until the 50 lands, a join would bear part of it: it is refused.
		assert_noop!(
			Restaking::join(RuntimeOrigin::signed(STRANGER), POOL, 90),
			Error::<Test>::PoolSlashPending
		);
		start_active_era(4);
		run_jobs();
		// 90 at 450 / 500: 100 shares, worth its 90.
		join(STRANGER, 90);
		assert_eq!(shares(STRANGER), 100);
		assert_eq!((bonded(pool_account()), supply()), (540, 600));
		assert_eq!(value() * shares(STRANGER) / supply(), 90);
	});
}

/// Review finding 1: a redemption after the report moved 800 into a chunk the slash reaches
/// proportionally; a join priced on the active stake alone would have taken the slash off the
/// joiner and put it on the holders who stayed (STRANGER would keep 50 of its 100).
#[test]
fn a_redemption_then_a_join_cannot_shift_a_pending_slash_onto_the_holders() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(STRANGER, 100);
		join(UNBONDED, 800);
		start_active_era(2);
		assert_eq!(exposure(pool_account(), oracle), 1_000);
		assert_ok!(report(oracle, VALIDATOR_A, 0, 2));
		redeem(UNBONDED, 800);
		let unlock = active_era() + BONDING_DURATION;
		assert_noop!(
			Restaking::join(RuntimeOrigin::signed(UNBONDED), POOL, 1_800),
			Error::<Test>::PoolSlashPending
		);
		start_active_era(4);
		run_jobs();
		// The 100 came out of 200 active and 800 unlocking alike: 20 and 80.
		assert_eq!(crate::SubPools::<Test>::get(POOL, unlock).unwrap().balance, 720);
		assert_eq!((value(), supply()), (180, 200));
		assert_eq!(value() * shares(STRANGER) / supply(), 90);
	});
}

/// Review finding 2: redeemed stake kept counting in the pool's exposure until its chunk was
/// out of reach, and a later offence (whose slash staking takes from the active stake first)
/// charged the holders who stayed for it: STRANGER would keep 320 of 400. Now it counts in
/// the era of the redemption only, whose offences staking slashes the chunk for.
#[test]
fn redeemed_stake_leaves_the_pools_exposure_from_the_next_era() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(STRANGER, 400);
		join(UNBONDED, 500);
		start_active_era(2);
		assert_eq!(exposure(pool_account(), oracle), 1_000);
		redeem(UNBONDED, 500);
		assert_eq!(exposure(pool_account(), oracle), 1_000);
		start_active_era(3);
		assert_eq!(exposure(pool_account(), oracle), 500);
		start_active_era(4);
		assert_eq!(exposure(pool_account(), oracle), 500);
		assert_ok!(report(oracle, VALIDATOR_A, 0, 4));
		start_active_era(6);
		run_jobs();
		// 10% of 500, from the 500 that stayed: STRANGER's 400 shares are worth 360, and the
		// redeemer's 500 are untouched.
		assert_eq!((value(), supply()), (450, 500));
		assert_eq!(value() * shares(STRANGER) / supply(), 360);
		start_active_era(12);
		let before = free(UNBONDED);
		assert_ok!(Restaking::withdraw(RuntimeOrigin::signed(UNBONDED), POOL));
		assert_eq!(free(UNBONDED), before + 500);
	});
}

/// Review finding 3: once slashes took all of the pool's active stake, the first withdrawal
/// of the last chunk ends the pool's ledger; later claims are still paid from what staking
/// released.
#[test]
fn claims_are_paid_after_a_slash_wiped_out_the_pools_active_stake() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		join(UNBONDED, 300);
		join(STRANGER, 100);
		start_active_era(2);
		redeem(UNBONDED, 300);
		redeem(STRANGER, 100);
		// Era 3's validator set has the pool behind A with its 100 left; A is slashed 100% for
		// era 3, which the chunks (unlocking in era 12, before 3 + 10) are out of.
		start_active_era(3);
		base_slash(VALIDATOR_A, 3, Perbill::from_percent(100));
		assert_eq!(Restaking::pool_active(POOL), 0);
		start_active_era(12);
		let (unbonded, stranger) = (free(UNBONDED), free(STRANGER));
		assert_ok!(Restaking::withdraw(RuntimeOrigin::signed(UNBONDED), POOL));
		assert_eq!(bonded(pool_account()), 0);
		assert_ok!(Restaking::withdraw(RuntimeOrigin::signed(STRANGER), POOL));
		assert_eq!((free(UNBONDED), free(STRANGER)), (unbonded + 300, stranger + 100));
	});
}

/// Review finding 8: shares sent to the pool account are given up, and break nothing.
#[test]
fn shares_sent_to_the_pool_account_are_given_up() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		join(UNBONDED, 400);
		assert_ok!(Assets::transfer(RuntimeOrigin::signed(UNBONDED), POOL, pool_account(), 10));
		assert_eq!(shares(pool_account()), 110);
		check_invariants();
	});
}

#[test]
fn a_redemption_after_the_report_bears_its_share_when_the_slash_lands() {
	ExtBuilder::default().build_and_execute(|| {
		reported_pool();
		// UNBONDED redeems 100 shares: 100 unbonded, in the chunk of era 2 + 10.
		redeem(UNBONDED, 100);
		let unlock = active_era() + BONDING_DURATION;
		assert_eq!(Redemptions::<Test>::get(POOL, UNBONDED).into_inner(), vec![(unlock, 100)]);
		assert_eq!((shares(UNBONDED), supply(), bonded(pool_account())), (300, 400, 500));
		// The slash takes 50 from the 400 active and the 100 unlocking alike: 40 and 10.
		start_active_era(4);
		run_jobs();
		assert_eq!(crate::SubPools::<Test>::get(POOL, unlock).unwrap().balance, 90);
		assert_eq!((value(), supply()), (360, 400));
		// Once the chunk unlocks, the redeemer withdraws 90: 10% less, like every holder.
		start_active_era(unlock);
		let before = free(UNBONDED);
		assert_ok!(Restaking::withdraw(RuntimeOrigin::signed(UNBONDED), POOL));
		assert_eq!(free(UNBONDED), before + 90);
		assert_eq!(Redemptions::<Test>::get(POOL, UNBONDED).len(), 0);
	});
}

#[test]
fn a_cancelled_slash_gives_the_rate_back() {
	ExtBuilder::default().build_and_execute(|| {
		reported_pool();
		assert_eq!(value(), 450);
		let slash = NextSlashId::<Test>::get() - 1;
		assert_ok!(Restaking::cancel_slash(RuntimeOrigin::root(), slash));
		assert_eq!((Restaking::pool_pending_slash(POOL), value()), (0, 500));
		start_active_era(4);
		run_jobs();
		assert_eq!(bonded(pool_account()), 500);
	});
}

#[test]
fn a_base_layer_slash_of_the_nominated_validator_reaches_the_rate() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		join(UNBONDED, 400);
		// The pool nominates its operator's validator: in era 2's set with its 500.
		start_active_era(2);
		base_slash(VALIDATOR_A, 2, Perbill::from_percent(10));
		assert_eq!(bonded(pool_account()), 450);
		assert_eq!((value(), supply()), (450, 500));
	});
}

#[test]
fn a_donation_to_the_pool_account_does_not_move_the_rate() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		join(UNBONDED, 400);
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(STRANGER),
			pool_account(),
			500
		));
		assert_eq!(value(), 500);
		join(STRANGER, 100);
		assert_eq!(shares(STRANGER), 100);
	});
}

#[test]
fn the_first_depositor_attack_fails() {
	ExtBuilder::default().build_and_execute(|| {
		// On a naive vault the attacker deposits 1 for 1 share and donates 5,000: the rate is
		// 5,001 a share, and a victim's 900 buys 900 / 5,001 = 0 shares, all of it the
		// attacker's. Here the supply starts at the creation deposit, and a donation is not
		// value.
		assert_noop!(
			Restaking::create_pool(RuntimeOrigin::signed(UNBONDED), VALIDATOR_A, 1),
			Error::<Test>::PoolDepositTooLow
		);
		oracle_and_pool();
		join(UNBONDED, 1);
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(UNBONDED),
			pool_account(),
			5_000
		));
		join(STRANGER, 900);
		assert_eq!(shares(STRANGER), 900);
		assert_eq!(value() * shares(STRANGER) / supply(), 900);
	});
}

#[test]
fn shares_are_an_asset_whose_receiver_redeems_and_withdraws_them() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		join(UNBONDED, 400);
		assert_ok!(Assets::transfer(RuntimeOrigin::signed(UNBONDED), POOL, STRANGER, 150));
		assert_eq!((shares(UNBONDED), shares(STRANGER)), (250, 150));
		redeem(STRANGER, 150);
		assert_noop!(
			Restaking::redeem(RuntimeOrigin::signed(UNBONDED), POOL, 251),
			Error::<Test>::InsufficientShares
		);
		let unlock = Redemptions::<Test>::get(POOL, STRANGER)[0].0;
		assert_noop!(
			Restaking::withdraw(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NothingToWithdraw
		);
		start_active_era(unlock);
		let before = free(STRANGER);
		assert_ok!(Restaking::withdraw(RuntimeOrigin::signed(STRANGER), POOL));
		assert_eq!(free(STRANGER), before + 150);
		assert_eq!((supply(), bonded(pool_account())), (350, 350));
	});
}

#[test]
fn pool_refusals_are_named_and_change_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		start_active_era(1);
		// VALIDATOR_B is not an operator.
		assert_noop!(
			Restaking::create_pool(RuntimeOrigin::signed(UNBONDED), VALIDATOR_B, 100),
			Error::<Test>::NotOperator
		);
		oracle_and_pool();
		assert_noop!(
			Restaking::join(RuntimeOrigin::signed(UNBONDED), 7, 100),
			Error::<Test>::UnknownPool
		);
		assert_noop!(
			Restaking::join(RuntimeOrigin::signed(UNBONDED), POOL, 0),
			Error::<Test>::NoShares
		);
		assert_noop!(
			Restaking::redeem(RuntimeOrigin::signed(STRANGER), POOL, 1),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(
			Restaking::withdraw(RuntimeOrigin::signed(UNBONDED), POOL),
			Error::<Test>::NothingToWithdraw
		);
		for _ in 1..4 {
			assert_ok!(Restaking::create_pool(
				RuntimeOrigin::signed(UNBONDED),
				VALIDATOR_A,
				MIN_POOL_DEPOSIT
			));
		}
		assert_noop!(
			Restaking::create_pool(RuntimeOrigin::signed(UNBONDED), VALIDATOR_A, MIN_POOL_DEPOSIT),
			Error::<Test>::TooManyPools
		);
	});
}

#[test]
fn a_service_the_operator_joins_enters_the_pools_terms_only_after_its_notice() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		join(UNBONDED, 400);
		let bridge = register("bridge");
		opt_in(VALIDATOR_A, bridge, 1_000);
		// The operator's fan-out page reaches the pool in the next block: a delegator would
		// follow from era 2; the pool schedules the bridge for era 1 + PoolNotice (11).
		next_block();
		assert!(crate::Positions::<Test>::get(pool_account(), bridge).is_none());
		assert!(restaking_events().contains(&Event::PoolServiceScheduled {
			pool: POOL,
			service: bridge,
			effective_era: 12
		}));
		start_active_era(11);
		assert_noop!(
			Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NoTermsDue
		);
		assert_eq!(exposure(pool_account(), bridge), 0);
		// Every holder could redeem and withdraw before era 12; then anyone applies the change,
		// and the pool backs the bridge with its 500 from era 13.
		start_active_era(12);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		assert!(
			restaking_events().contains(&Event::PoolServiceAdded { pool: POOL, service: bridge })
		);
		assert!(crate::PoolTermChanges::<Test>::get(POOL).is_empty());
		start_active_era(13);
		assert_eq!(exposure(pool_account(), bridge), 500);
	});
}

#[test]
fn the_pool_view_gives_the_rate_terms_worst_case_pending_slash_and_queue() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = reported_pool();
		let bridge = register("bridge");
		opt_in(VALIDATOR_A, bridge, 1_000);
		next_block();
		redeem(UNBONDED, 100);
		let view = Restaking::pool_view(POOL).unwrap();
		assert_eq!(
			(view.id, view.account, view.manager, view.operator),
			(POOL, pool_account(), UNBONDED, VALIDATOR_A)
		);
		// 400 active and 50 pending for 400 shares: 0.875 a share.
		assert_eq!((view.supply, view.active, view.pending_slash), (400, 400, 50));
		assert_eq!(view.rate_ppb, 875_000_000);
		// The oracle's harshest rule slashes 50% of the 500 the pool allocates: 250 of 400
		// active is the worst case now; the bridge, scheduled for era 2 + 11, adds 250 more.
		assert_eq!(view.services, vec![(oracle, Perbill::from_percent(50))]);
		assert_eq!(view.worst_case, Perbill::from_rational(250u32, 400u32));
		assert_eq!(view.scheduled, vec![(bridge, 13)]);
		assert_eq!(view.worst_case_after, Perbill::one());
		assert_eq!(view.redemptions, vec![(12, 100)]);
		assert_eq!(Restaking::pools_view(), vec![view]);
	});
}

#[test]
fn compounding_bonds_the_pools_service_rewards_and_raises_the_rate() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		start_active_era(2);
		// 301 funded: 1 stays in the pot, 300 is shared over the 1,500 secured. The pool's
		// 500 earn 100, less its operator's 10% commission: 90.
		assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(STRANGER), oracle, 301));
		assert_noop!(
			Restaking::compound(RuntimeOrigin::signed(STRANGER), 7),
			Error::<Test>::UnknownPool
		);
		assert_ok!(Restaking::compound(RuntimeOrigin::signed(STRANGER), POOL));
		assert!(restaking_events().contains(&Event::PoolCompounded { pool: POOL, amount: 90 }));
		assert_eq!((bonded(pool_account()), value(), supply()), (590, 590, 500));
		assert_eq!(Restaking::pool_view(POOL).unwrap().rate_ppb, 1_180_000_000);
		assert_noop!(
			Restaking::compound(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NothingToClaim
		);
	});
}

fn nominations() -> Option<Vec<AccountId>> {
	use sp_staking::StakingInterface;
	<Test as crate::Config>::Staking::nominations(&pool_account())
}

#[test]
fn only_the_manager_changes_a_pools_terms_and_it_can_hand_over() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		assert_noop!(
			Restaking::set_pool_manager(RuntimeOrigin::signed(STRANGER), POOL, STRANGER),
			Error::<Test>::NotPoolManager
		);
		assert_noop!(
			Restaking::exclude_pool_service(RuntimeOrigin::signed(STRANGER), POOL, oracle),
			Error::<Test>::NotPoolManager
		);
		assert_noop!(
			Restaking::set_pool_operator(RuntimeOrigin::signed(STRANGER), POOL, VALIDATOR_B),
			Error::<Test>::NotPoolManager
		);
		assert_noop!(
			Restaking::set_pool_manager(RuntimeOrigin::signed(UNBONDED), 7, STRANGER),
			Error::<Test>::UnknownPool
		);
		assert_ok!(Restaking::set_pool_manager(RuntimeOrigin::signed(UNBONDED), POOL, STRANGER));
		assert!(
			restaking_events().contains(&Event::PoolManagerSet { pool: POOL, manager: STRANGER })
		);
		assert_eq!(Restaking::pool_view(POOL).unwrap().manager, STRANGER);
		assert_noop!(
			Restaking::exclude_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle),
			Error::<Test>::NotPoolManager
		);
		assert_ok!(Restaking::exclude_pool_service(RuntimeOrigin::signed(STRANGER), POOL, oracle));
	});
}

#[test]
fn an_exclusion_applies_at_once_and_an_inclusion_waits_the_pools_notice() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		start_active_era(2);
		assert_noop!(
			Restaking::include_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle),
			Error::<Test>::NotExcluded
		);
		// Out at the oracle's exit delay: slashable for eras 2 and 3, gone from era 4.
		assert_ok!(Restaking::exclude_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		assert!(restaking_events()
			.contains(&Event::ServiceExcluded { who: pool_account(), service: oracle }));
		start_active_era(3);
		assert_eq!(exposure(pool_account(), oracle), 500);
		start_active_era(4);
		assert_eq!(exposure(pool_account(), oracle), 0);
		// Taking it back raises the pool's risk: it waits 11 eras.
		assert_ok!(Restaking::include_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		assert!(restaking_events().contains(&Event::PoolServiceScheduled {
			pool: POOL,
			service: oracle,
			effective_era: 15
		}));
		assert_noop!(
			Restaking::include_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle),
			Error::<Test>::AlreadyScheduled
		);
		assert_eq!(Restaking::pool_view(POOL).unwrap().scheduled, vec![(oracle, 15)]);
		start_active_era(14);
		assert_noop!(
			Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NoTermsDue
		);
		start_active_era(15);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		start_active_era(16);
		assert_eq!(exposure(pool_account(), oracle), 500);
		// A scheduled inclusion the manager drops never happens.
		assert_ok!(Restaking::exclude_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		start_active_era(18);
		assert_ok!(Restaking::include_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		assert_ok!(Restaking::exclude_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		assert!(restaking_events()
			.contains(&Event::PoolServiceUnscheduled { pool: POOL, service: oracle }));
		assert!(crate::PoolTermChanges::<Test>::get(POOL).is_empty());
	});
}

#[test]
fn a_new_operator_takes_over_after_the_notice_with_only_the_services_announced() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		let bridge = register("bridge");
		assert_ok!(Restaking::set_operator(
			RuntimeOrigin::signed(VALIDATOR_B),
			Perbill::from_percent(5)
		));
		opt_in(VALIDATOR_B, bridge, 1_000);
		start_active_era(2);
		assert_noop!(
			Restaking::set_pool_operator(RuntimeOrigin::signed(UNBONDED), POOL, VALIDATOR_C),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Restaking::set_pool_operator(RuntimeOrigin::signed(UNBONDED), POOL, VALIDATOR_A),
			Error::<Test>::SameOperator
		);
		assert_ok!(Restaking::set_pool_operator(
			RuntimeOrigin::signed(UNBONDED),
			POOL,
			VALIDATOR_B
		));
		assert!(restaking_events().contains(&Event::PoolOperatorScheduled {
			pool: POOL,
			operator: VALIDATOR_B,
			effective_era: 13
		}));
		assert_eq!(Restaking::pool_view(POOL).unwrap().pending_operator, Some((VALIDATOR_B, 13)));
		// VALIDATOR_B joins a sequencer after the announcement: not part of it.
		start_active_era(3);
		let sequencer = register("sequencer");
		opt_in(VALIDATOR_B, sequencer, 1_000);
		start_active_era(12);
		assert_noop!(
			Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NoTermsDue
		);
		assert_eq!(exposure(pool_account(), oracle), 500);
		start_active_era(13);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		let events = restaking_events();
		assert!(events.contains(&Event::PoolOperatorSet { pool: POOL, operator: VALIDATOR_B }));
		assert!(events.contains(&Event::PoolServiceScheduled {
			pool: POOL,
			service: sequencer,
			effective_era: 24
		}));
		assert_eq!(nominations(), Some(vec![VALIDATOR_B]));
		let view = Restaking::pool_view(POOL).unwrap();
		assert_eq!((view.operator, view.pending_operator), (VALIDATOR_B, None));
		// The bridge from era 14; the oracle until its exit delay (era 15); the sequencer not.
		start_active_era(14);
		assert_eq!(exposure(pool_account(), bridge), 500);
		assert_eq!(exposure(pool_account(), oracle), 500);
		assert_eq!(exposure(pool_account(), sequencer), 0);
		start_active_era(15);
		assert_eq!(exposure(pool_account(), oracle), 0);
		assert_eq!(exposure(pool_account(), sequencer), 0);
	});
}

/// A pool its validating operator kicks (or staking chills) nominates nobody and stops earning
/// base rewards; anyone's `apply_pool_terms` nominates the operator again, as its terms say.
#[test]
fn a_kicked_pool_nominates_its_validating_operator_again_through_apply_pool_terms() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		assert_noop!(
			Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NoTermsDue
		);
		assert_ok!(Staking::kick(RuntimeOrigin::signed(VALIDATOR_A), vec![pool_account()]));
		assert_eq!(nominations(), Some(vec![]));
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		assert_eq!(nominations(), Some(vec![VALIDATOR_A]));
		assert!(restaking_events().contains(&Event::PoolNominated { pool: POOL, targets: 1 }));
		assert_noop!(
			Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NoTermsDue
		);
	});
}

/// A move keeps the manager's exclusions where the list has room: an exclusion of a service of
/// the old operator survives a move away and back, so the move back does not announce it.
#[test]
fn an_operator_move_away_and_back_keeps_the_managers_exclusion() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		let risky = register("risky");
		opt_in(VALIDATOR_A, risky, 100);
		next_block();
		assert_ok!(Restaking::exclude_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, risky));
		let excluded = || crate::Delegations::<Test>::get(pool_account()).unwrap().excluded;
		assert_eq!(excluded().into_inner(), vec![risky]);
		let bridge = register("bridge");
		assert_ok!(Restaking::set_operator(
			RuntimeOrigin::signed(VALIDATOR_B),
			Perbill::from_percent(5)
		));
		opt_in(VALIDATOR_B, bridge, 1_000);
		assert_ok!(Restaking::set_pool_operator(
			RuntimeOrigin::signed(UNBONDED),
			POOL,
			VALIDATOR_B
		));
		start_active_era(12);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		assert!(restaking_events()
			.contains(&Event::PoolOperatorSet { pool: POOL, operator: VALIDATOR_B }));
		assert_eq!(excluded().into_inner(), vec![risky]);
		// Back to VALIDATOR_A: the announced terms are the oracle alone.
		assert_ok!(Restaking::set_pool_operator(
			RuntimeOrigin::signed(UNBONDED),
			POOL,
			VALIDATOR_A
		));
		assert_eq!(
			crate::PoolOperatorChanges::<Test>::get(POOL).unwrap().services.into_inner(),
			vec![oracle]
		);
	});
}

/// A move excludes the new operator's unannounced services, into the pool's bounded exclusion
/// list: it first forgets the exclusions of services the pool has left and the new operator is
/// not in, so a list full of the old operator's services does not refuse the move.
#[test]
fn an_operator_move_makes_room_in_an_exclusion_list_full_of_the_old_operators_services() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		// VALIDATOR_A joins three more services after the pool was created; the manager drops
		// them and leaves the oracle: four exclusions, `MaxServicesPerRestaker`.
		let later: Vec<u32> = ["s1", "s2", "s3"]
			.into_iter()
			.map(|name| {
				let service = register(name);
				opt_in(VALIDATOR_A, service, 100);
				service
			})
			.collect();
		next_block();
		for service in later.iter().chain([&oracle]) {
			assert_ok!(Restaking::exclude_pool_service(
				RuntimeOrigin::signed(UNBONDED),
				POOL,
				*service
			));
		}
		let excluded = || crate::Delegations::<Test>::get(pool_account()).unwrap().excluded;
		assert_eq!(excluded().len(), 4);
		let bridge = register("bridge");
		assert_ok!(Restaking::set_operator(
			RuntimeOrigin::signed(VALIDATOR_B),
			Perbill::from_percent(5)
		));
		opt_in(VALIDATOR_B, bridge, 1_000);
		start_active_era(2);
		assert_ok!(Restaking::set_pool_operator(
			RuntimeOrigin::signed(UNBONDED),
			POOL,
			VALIDATOR_B
		));
		// VALIDATOR_B joins a sequencer after the announcement: the move must exclude it.
		start_active_era(3);
		let sequencer = register("sequencer");
		opt_in(VALIDATOR_B, sequencer, 100);
		start_active_era(13);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		let events = restaking_events();
		assert!(events.contains(&Event::PoolOperatorSet { pool: POOL, operator: VALIDATOR_B }));
		assert!(events.contains(&Event::PoolServiceScheduled {
			pool: POOL,
			service: sequencer,
			effective_era: 24
		}));
		assert_eq!(excluded().into_inner(), vec![sequencer]);
		start_active_era(14);
		assert_eq!(exposure(pool_account(), bridge), 500);
		assert_eq!(exposure(pool_account(), sequencer), 0);
	});
}

#[test]
fn a_harsher_rule_reaches_a_pool_only_after_its_notice() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		start_active_era(2);
		// A gentler change applies to the pool at once, like to everyone.
		let mut params = service_params("oracle");
		params.rules[0].fraction = Perbill::from_percent(5);
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), oracle, params.clone()));
		assert!(crate::Positions::<Test>::get(pool_account(), oracle).unwrap().exit.is_none());
		// Downtime at 20% from era 4 (the exit delay): the pool's holders get 11 eras (to era
		// 13). The pool leaves the oracle by era 4 and takes it back under the new rule once
		// its time there is out of a delegator's report window (the bonding duration, 10): in
		// era 14.
		params.rules[0].fraction = Perbill::from_percent(20);
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), oracle, params));
		assert!(restaking_events().contains(&Event::PoolServiceScheduled {
			pool: POOL,
			service: oracle,
			effective_era: 14
		}));
		let view = Restaking::pool_view(POOL).unwrap();
		assert_eq!(view.scheduled, vec![(oracle, 14)]);
		start_active_era(4);
		assert_eq!(exposure(pool_account(), oracle), 0);
		assert_eq!(exposure(VALIDATOR_A, oracle), 1_000);
		// The operator's downtime in era 4, at 20%: the pool has nothing at stake.
		assert_ok!(report(oracle, VALIDATOR_A, 0, 4));
		assert_eq!((Restaking::pool_pending_slash(POOL), value()), (0, 500));
		start_active_era(13);
		assert_noop!(
			Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL),
			Error::<Test>::NoTermsDue
		);
		start_active_era(14);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		start_active_era(15);
		assert_eq!(exposure(pool_account(), oracle), 500);
	});
}

#[test]
fn a_pool_nominates_its_managers_targets_only_where_its_operator_does_not_validate() {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		assert_eq!(nominations(), Some(vec![VALIDATOR_A]));
		let targets: frame_support::BoundedVec<AccountId, _> =
			vec![VALIDATOR_B, VALIDATOR_C].try_into().unwrap();
		assert_noop!(
			Restaking::set_pool_nominations(RuntimeOrigin::signed(UNBONDED), POOL, targets.clone()),
			Error::<Test>::OperatorValidates
		);
		// NOMINATOR operates without validating: its pool nominates what its manager picks.
		let sequencer = register("sequencer");
		assert_ok!(Restaking::set_operator(
			RuntimeOrigin::signed(NOMINATOR),
			Perbill::from_percent(10)
		));
		opt_in(NOMINATOR, sequencer, 200);
		assert_ok!(Restaking::create_pool(
			RuntimeOrigin::signed(UNBONDED),
			NOMINATOR,
			MIN_POOL_DEPOSIT
		));
		use sp_staking::StakingInterface;
		let second = Restaking::pool_account(1);
		assert_eq!(<Test as crate::Config>::Staking::nominations(&second), None);
		// A validator's offences would reach the pool's stake: the targets wait the notice.
		assert_ok!(Restaking::set_pool_nominations(RuntimeOrigin::signed(UNBONDED), 1, targets));
		assert!(restaking_events()
			.contains(&Event::PoolNominationsScheduled { pool: 1, effective_era: 12 }));
		assert_eq!(<Test as crate::Config>::Staking::nominations(&second), None);
		start_active_era(11);
		assert_noop!(
			Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), 1),
			Error::<Test>::NoTermsDue
		);
		start_active_era(12);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), 1));
		assert!(restaking_events().contains(&Event::PoolNominated { pool: 1, targets: 2 }));
		assert_eq!(
			<Test as crate::Config>::Staking::nominations(&second),
			Some(vec![VALIDATOR_B, VALIDATOR_C])
		);
		// No targets: it nominates no one, at once.
		assert_ok!(Restaking::set_pool_nominations(
			RuntimeOrigin::signed(UNBONDED),
			1,
			Default::default()
		));
		assert_eq!(<Test as crate::Config>::Staking::nominations(&second), None);
	});
}

#[test]
fn simulate_slash_of_the_operator_shows_the_pools_rate_after_it() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		start_active_era(2);
		// Downtime (10%) of VALIDATOR_A in era 2: 50 of the pool's 500, 0.9 a share.
		let sim = Restaking::simulate_slash(oracle, VALIDATOR_A, 0).unwrap();
		assert_eq!(
			sim.pools,
			vec![crate::PoolImpact {
				pool: POOL,
				rate_before_ppb: 1_000_000_000,
				rate_after_ppb: 900_000_000
			}]
		);
		// Nothing changed; the real report gives the same rate.
		assert_eq!(Restaking::pool_rate_ppb(POOL), 1_000_000_000);
		assert_ok!(report(oracle, VALIDATOR_A, 0, 2));
		assert_eq!(Restaking::pool_rate_ppb(POOL), 900_000_000);
		// A stash no pool delegates to: no pool in the simulation.
		opt_in(VALIDATOR_B, oracle, 1_000);
		assert!(Restaking::simulate_slash(oracle, VALIDATOR_B, 0).unwrap().pools.is_empty());
	});
}

#[test]
fn a_pool_created_while_its_operators_join_pages_keeps_the_service_and_leaves_it_before_harsher_rules(
) {
	ExtBuilder::default().build_and_execute(|| {
		oracle_and_pool();
		let bridge = register("bridge");
		opt_in(VALIDATOR_A, bridge, 1_000);
		// Pool 1 is created before the operator's join page reaches the delegators: it backs
		// the bridge at once, and the page leaves it so (not excluded, nothing scheduled).
		assert_ok!(Restaking::create_pool(
			RuntimeOrigin::signed(UNBONDED),
			VALIDATOR_A,
			MIN_POOL_DEPOSIT
		));
		let second = Restaking::pool_account(1);
		next_block();
		assert!(crate::Delegations::<Test>::get(second).unwrap().excluded.is_empty());
		assert!(crate::PoolTermChanges::<Test>::get(1).is_empty());
		start_active_era(2);
		assert_eq!(exposure(second, bridge), 100);
		// A harsher rule then makes it leave by the rule's era (4), as every pool.
		let mut params = service_params("bridge");
		params.rules[0].fraction = Perbill::from_percent(20);
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), bridge, params));
		start_active_era(4);
		assert_eq!(exposure(second, bridge), 0);
	});
}

#[test]
fn a_full_exclusion_list_does_not_keep_a_pool_in_a_service_whose_rules_harden() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		// The operator joins three more services (each scheduled for the pool, so excluded:
		// with the oracle, the pool's four-entry lists are full), then leaves one and joins a
		// fifth.
		let mut others = Vec::new();
		for name in ["x1", "x2", "x3"] {
			let service = register(name);
			opt_in(VALIDATOR_A, service, 500);
			others.push(service);
		}
		for _ in 0..4 {
			next_block();
		}
		assert_eq!(crate::Delegations::<Test>::get(pool_account()).unwrap().excluded.len(), 3);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), others[0]));
		// Released at its exit delay, by the sweep.
		start_active_era(3);
		assert!(crate::Positions::<Test>::get(VALIDATOR_A, others[0]).is_none());
		let x4 = register("x4");
		opt_in(VALIDATOR_A, x4, 500);
		for _ in 0..4 {
			next_block();
		}
		// The service it left is forgotten; the new one is scheduled.
		let excluded = crate::Delegations::<Test>::get(pool_account()).unwrap().excluded;
		assert_eq!(excluded.into_inner(), vec![others[1], others[2], x4]);
		start_active_era(4);
		let mut params = service_params("oracle");
		params.rules[0].fraction = Perbill::from_percent(20);
		assert_ok!(Restaking::update_service(RuntimeOrigin::root(), oracle, params));
		start_active_era(6);
		assert_eq!(exposure(pool_account(), oracle), 0);
	});
}

#[test]
fn excluding_a_service_announced_with_an_operator_change_leaves_it_at_once_and_a_change_can_be_cancelled(
) {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		assert_ok!(Restaking::set_operator(
			RuntimeOrigin::signed(VALIDATOR_B),
			Perbill::from_percent(5)
		));
		opt_in(VALIDATOR_B, oracle, 1_000);
		start_active_era(2);
		assert_ok!(Restaking::set_pool_operator(
			RuntimeOrigin::signed(UNBONDED),
			POOL,
			VALIDATOR_B
		));
		start_active_era(3);
		// Dropped from the announced terms and left now: out by era 5, not after the move.
		assert_ok!(Restaking::exclude_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		let events = restaking_events();
		assert!(events.contains(&Event::PoolServiceUnscheduled { pool: POOL, service: oracle }));
		assert!(events.contains(&Event::ServiceExcluded { who: pool_account(), service: oracle }));
		start_active_era(5);
		assert_eq!(exposure(pool_account(), oracle), 0);
		// Back to its own operator: the move is cancelled.
		assert_ok!(Restaking::set_pool_operator(
			RuntimeOrigin::signed(UNBONDED),
			POOL,
			VALIDATOR_A
		));
		assert!(restaking_events().contains(&Event::PoolOperatorCancelled { pool: POOL }));
		assert!(Restaking::pool_view(POOL).unwrap().pending_operator.is_none());
		assert_noop!(
			Restaking::set_pool_operator(RuntimeOrigin::signed(UNBONDED), POOL, VALIDATOR_A),
			Error::<Test>::SameOperator
		);
		// The pool account cannot be its own manager.
		assert_noop!(
			Restaking::set_pool_manager(RuntimeOrigin::signed(UNBONDED), POOL, pool_account()),
			Error::<Test>::NotPoolManager
		);
	});
}

#[test]
fn a_refused_operator_change_stays_scheduled_and_the_rest_of_the_terms_still_apply() {
	ExtBuilder::default().build_and_execute(|| {
		let oracle = oracle_and_pool();
		join(UNBONDED, 400);
		let bridge = register("bridge");
		assert_ok!(Restaking::set_operator(
			RuntimeOrigin::signed(VALIDATOR_B),
			Perbill::from_percent(5)
		));
		opt_in(VALIDATOR_B, bridge, 1_000);
		start_active_era(2);
		assert_ok!(Restaking::exclude_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		start_active_era(4);
		assert_ok!(Restaking::include_pool_service(RuntimeOrigin::signed(UNBONDED), POOL, oracle));
		assert_ok!(Restaking::set_pool_operator(
			RuntimeOrigin::signed(UNBONDED),
			POOL,
			VALIDATOR_B
		));
		// The new operator stops taking delegators: the move is refused when due.
		assert_ok!(Restaking::stop_operating(RuntimeOrigin::signed(VALIDATOR_B)));
		start_active_era(15);
		assert_ok!(Restaking::apply_pool_terms(RuntimeOrigin::signed(STRANGER), POOL));
		let events = restaking_events();
		assert!(events.iter().any(|e| matches!(
			e,
			Event::PoolOperatorRefused { pool: POOL, operator: VALIDATOR_B, .. }
		)));
		// The oracle's return did not wait on it.
		assert!(events.contains(&Event::PoolServiceAdded { pool: POOL, service: oracle }));
		assert_eq!(Restaking::pool_view(POOL).unwrap().pending_operator, Some((VALIDATOR_B, 15)));
		start_active_era(16);
		assert_eq!(exposure(pool_account(), oracle), 500);
	});
}

/// A pool's `join` and `redeem` are charged for a pool in `MaxServicesPerRestaker` (4) services
/// and refunded to the pool's own (the oracle alone here), with one read that counts them. A join reads the
/// staking system's deferred slashes of every era up to its deferral and one more, and pays every
/// read beyond the one its benchmark measured on a runtime that defers nothing: with the
/// production runtime's 27-era deferral, 27 reads, 0.675 ms at RocksDB's 25 us a read (attack
/// review L4). A redemption reads only the slashes that escape a new chunk, at any deferral.
#[test]
fn joins_and_redemptions_pay_for_the_pools_services_and_the_deferred_slashes_they_read() {
	ExtBuilder::default().build_and_execute(|| {
		use crate::WeightInfo;
		use frame_support::{dispatch::GetDispatchInfo, weights::Weight};
		oracle_and_pool();
		let reads = |n: u64| Weight::from_parts(n * 25_000_000, 0);
		let join = crate::Call::<Test>::join { pool: POOL, amount: 100 };
		let redeem = crate::Call::<Test>::redeem { pool: POOL, shares: 100 };
		let idle = reads(1 + DEFERRED_SLASH_READS[0]);
		assert_eq!(join.get_dispatch_info().call_weight, <() as WeightInfo>::join(4) + idle);
		assert_eq!(
			redeem.get_dispatch_info().call_weight,
			<() as WeightInfo>::redeem(4) + reads(1)
		);
		let joined = Restaking::join(RuntimeOrigin::signed(UNBONDED), POOL, 100).unwrap();
		assert_eq!(joined.actual_weight, Some(<() as WeightInfo>::join(1) + idle));
		let redeemed = Restaking::redeem(RuntimeOrigin::signed(UNBONDED), POOL, 100).unwrap();
		assert_eq!(redeemed.actual_weight, Some(<() as WeightInfo>::redeem(1) + reads(1)));
		assert!(
			<() as WeightInfo>::redeem(1).ref_time() < <() as WeightInfo>::redeem(3).ref_time()
		);

		SlashDeferDuration::set(27);
		let deferring = reads(1 + DEFERRED_SLASH_READS[1]);
		assert_eq!(join.get_dispatch_info().call_weight, <() as WeightInfo>::join(4) + deferring);
		assert_eq!(
			redeem.get_dispatch_info().call_weight,
			<() as WeightInfo>::redeem(4) + reads(1)
		);
	});
}
