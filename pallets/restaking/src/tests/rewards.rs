use super::mock::*;
use crate::{Error, Event, UnclaimedRewards};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_runtime::Perbill;

/// Funds come from an account that never restakes.
const FUNDER: AccountId = UNBONDED;

fn fund(service: u32, amount: Balance) {
	assert_ok!(Restaking::fund_rewards(RuntimeOrigin::signed(FUNDER), service, amount));
}

fn claim(who: AccountId, service: u32) -> Balance {
	let before = Balances::balance(&who);
	assert_ok!(Restaking::claim_rewards(RuntimeOrigin::signed(who), service));
	Balances::balance(&who) - before
}

fn pot(service: u32) -> Balance {
	Balances::balance(&Restaking::reward_pot(service))
}

fn oracle_with(restakers: &[(AccountId, Balance)]) -> u32 {
	let id = register("oracle");
	for (who, amount) in restakers {
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(*who), id, *amount));
	}
	id
}

#[test]
fn funding_moves_funds_into_the_service_pot() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 300)]);
		restaking_events();
		fund(id, 1_001);
		assert_eq!(pot(id), 1_001);
		assert_eq!(Balances::balance(&FUNDER), 10_000 - 1_001);
		assert_eq!(
			restaking_events(),
			vec![Event::RewardsFunded { service: id, who: FUNDER, amount: 1_001 }]
		);
	});
}

#[test]
fn two_restakers_share_in_proportion_to_exposure() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 300), (VALIDATOR_B, 100)]);
		// The first unit keeps the empty pot alive; 1,000 is shared.
		fund(id, 1_001);
		assert_eq!(Restaking::claimable_rewards(&VALIDATOR_A, id), 750);
		assert_eq!(Restaking::claimable_rewards(&VALIDATOR_B, id), 250);
		restaking_events();
		assert_eq!(claim(VALIDATOR_A, id), 750);
		assert_eq!(
			restaking_events(),
			vec![Event::RewardsClaimed { who: VALIDATOR_A, service: id, amount: 750 }]
		);
		assert_eq!(claim(VALIDATOR_B, id), 250);
		assert_eq!(pot(id), 1);
	});
}

#[test]
fn three_restakers_with_unequal_exposures_share_exactly() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 600), (VALIDATOR_B, 300), (VALIDATOR_C, 100)]);
		fund(id, 2_001);
		assert_eq!(claim(VALIDATOR_A, id), 1_200);
		assert_eq!(claim(VALIDATOR_B, id), 600);
		assert_eq!(claim(VALIDATOR_C, id), 200);
	});
}

#[test]
fn a_cascade_between_two_fundings_changes_only_the_second_split() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 1_000), (VALIDATOR_B, 500)]);
		start_active_era(1);
		fund(id, 1_501);
		base_slash(VALIDATOR_A, 1, Perbill::from_percent(50));
		next_block();
		assert_eq!(exposure(VALIDATOR_A, id), 500);
		// The first funding saw 1,000 : 500; the second sees 500 : 500.
		fund(id, 1_000);
		assert_eq!(claim(VALIDATOR_A, id), 1_000 + 500);
		assert_eq!(claim(VALIDATOR_B, id), 500 + 500);
	});
}

#[test]
fn a_slashed_and_ejected_restaker_keeps_what_it_had_earned() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 1_000), (VALIDATOR_B, 500)]);
		start_active_era(1);
		fund(id, 1_501);
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(SLASHER),
			id,
			VALIDATOR_A,
			1,
			1
		));
		start_active_era(3);
		assert_eq!(exposure(VALIDATOR_A, id), 0);
		assert_eq!(UnclaimedRewards::<Test>::get(VALIDATOR_A, id), 1_000);
		// Later fundings go to those still securing the service.
		fund(id, 300);
		assert_eq!(claim(VALIDATOR_A, id), 1_000);
		assert_eq!(claim(VALIDATOR_B, id), 500 + 300);
	});
}

#[test]
fn rewards_earned_before_an_exit_stay_claimable_after_it() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 300), (VALIDATOR_B, 100)]);
		fund(id, 1_001);
		assert_ok!(Restaking::opt_out(RuntimeOrigin::signed(VALIDATOR_A), id));
		// The era sweep releases the exit at the start of era 2.
		start_active_era(2);
		assert!(!crate::Positions::<Test>::contains_key(VALIDATOR_A, id));
		fund(id, 100);
		assert_eq!(claim(VALIDATOR_A, id), 750);
		assert_eq!(claim(VALIDATOR_B, id), 350);
	});
}

#[test]
fn a_newcomer_earns_nothing_from_earlier_fundings() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 300)]);
		fund(id, 301);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_B), id, 300));
		assert_eq!(Restaking::claimable_rewards(&VALIDATOR_B, id), 0);
		fund(id, 600);
		assert_eq!(claim(VALIDATOR_A, id), 300 + 300);
		assert_eq!(claim(VALIDATOR_B, id), 300);
	});
}

#[test]
fn repeated_claims_pay_nothing_twice() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 300)]);
		fund(id, 301);
		assert_eq!(claim(VALIDATOR_A, id), 300);
		assert_noop!(
			Restaking::claim_rewards(RuntimeOrigin::signed(VALIDATOR_A), id),
			Error::<Test>::NothingToClaim
		);
		assert_noop!(
			Restaking::claim_rewards(RuntimeOrigin::signed(STRANGER), id),
			Error::<Test>::NothingToClaim
		);
	});
}

#[test]
fn a_funding_nobody_could_earn_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register("oracle");
		assert_noop!(
			Restaking::fund_rewards(RuntimeOrigin::signed(FUNDER), id, 500),
			Error::<Test>::NoExposure
		);
		assert_noop!(
			Restaking::fund_rewards(RuntimeOrigin::signed(FUNDER), id + 1, 500),
			Error::<Test>::UnknownService
		);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(VALIDATOR_A), id, 300));
		// Only enough to keep the empty pot alive: nothing to share.
		assert_noop!(
			Restaking::fund_rewards(RuntimeOrigin::signed(FUNDER), id, 1),
			Error::<Test>::FundingBelowMinimum
		);
	});
}

#[test]
fn rounding_never_overdraws_a_pot() {
	ExtBuilder::default().build_and_execute(|| {
		let id = oracle_with(&[(VALIDATOR_A, 333), (VALIDATOR_B, 333), (VALIDATOR_C, 334)]);
		start_active_era(1);
		let mut funded = 0;
		for amount in [101, 7, 13, 999, 1] {
			fund(id, amount);
			funded += amount;
			check_invariants();
		}
		base_slash(VALIDATOR_C, 1, Perbill::from_percent(33));
		next_block();
		for amount in [17, 250] {
			fund(id, amount);
			funded += amount;
		}
		let paid: Balance =
			[VALIDATOR_A, VALIDATOR_B, VALIDATOR_C].iter().map(|who| claim(*who, id)).sum();
		assert!(paid < funded);
		// Dust and the existential deposit stay in the pot; nothing more.
		assert_eq!(pot(id), funded - paid);
		assert!(funded - paid <= 1 + 3 * 8);
	});
}
