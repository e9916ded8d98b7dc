//! Attacks on the pages' deadline (issue 24), from a fresh helper's review of commit be45f25. Mock world as in
//! `delegation.rs`: `ReportWindow` 3, `BondingDuration` 10, 15 blocks an era, services of
//! `SLASHER` (rule 0 at 10%, rule 1 at 50% ejecting, dispute window and exit delay 2),
//! `MaxDelegatorsPerOperator` 8, `MaxDelegatorSlashesPerBlock` 10, `MaxOperatorSlashesPerEra` 2.

use super::mock::*;
use crate::{DelegatorJobs, Error, OperatorDelegators, OperatorSlashesLanding, Operators};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

/// Stashes 301.. of 500 each, not nominating.
const FIRST: AccountId = 301;
const STASHES: u64 = 40;

fn world() -> ExtBuilder {
	let mut builder = ExtBuilder::default();
	for who in FIRST..FIRST + STASHES {
		builder = builder.staker(who, 500, StakerStatus::Idle);
	}
	builder
}

fn set_operator(who: AccountId, percent: u32) {
	assert_ok!(Restaking::set_operator(RuntimeOrigin::signed(who), Perbill::from_percent(percent)));
}

fn delegate(who: AccountId, operator: AccountId, amount: Balance) {
	assert_ok!(Restaking::delegate(RuntimeOrigin::signed(who), operator, amount));
}

/// The operator's delegator entries in the order the pages visit them.
fn page_order(operator: AccountId) -> Vec<AccountId> {
	OperatorDelegators::<Test>::iter_prefix(operator).map(|(who, _)| who).collect()
}

fn key(operator: AccountId, who: AccountId) -> Vec<u8> {
	OperatorDelegators::<Test>::hashed_key_for(operator, who)
}

/// The deadline proof counts at most `MaxDelegatorsPerOperator + 1` (9) visits per report job.
/// A page drops the entries of delegations out of reach (ended a bonding duration ago), which
/// frees the operator's places while the job is mid-way; new delegators whose keys sort after
/// the cursor would take them and be visited by the same job: 12 entries (13 of the budget with
/// the closing empty page) when the review found it. Now an operator takes no new delegator
/// while pages of a report against it are under way (`OperatorPaging`): the job visits its 8
/// entries in 9 of the budget, and the newcomers join once it is done.
#[test]
fn a_report_job_visits_at_most_max_delegators_plus_one_entries() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		for who in FIRST..FIRST + 8 {
			delegate(who, VALIDATOR_A, 200);
		}
		assert_eq!(Operators::<Test>::get(VALIDATOR_A).unwrap().delegators, 8);
		// The first four entries the pages visit undelegate now: until era 2, out of reach from
		// era 12, but their entries stay (nothing forgets them before a page does).
		let order = page_order(VALIDATOR_A);
		for who in &order[..4] {
			assert_ok!(Restaking::undelegate(RuntimeOrigin::signed(*who)));
		}
		start_active_era(12);
		assert_eq!(Operators::<Test>::get(VALIDATOR_A).unwrap().delegators, 8);
		assert_ok!(report(s1, VALIDATOR_A, 0, 12));
		let id = crate::NextSlashId::<Test>::get() - 1;
		// No pages from `on_initialize`: the test lands them one at a time, 4 delegators each,
		// as a block with 4 visits of budget left would.
		MaxDelegatorSlashesPerBlock::set(0);
		start_active_era(14);
		assert!(DelegatorJobs::<Test>::get(id).unwrap().ready);
		let mut visits = Restaking::do_apply_delegator_page(id, 4).unwrap();
		assert_eq!(visits, 4);
		// The four stale entries were dropped: four places are free.
		assert_eq!(Operators::<Test>::get(VALIDATOR_A).unwrap().delegators, 4);
		let cursor = DelegatorJobs::<Test>::get(id).unwrap().cursor.unwrap();
		assert_eq!(cursor, order[3]);
		// Newcomers whose entries sort after the cursor would join between two pages, and the
		// job would visit them too: refused while its pages are under way.
		let newcomers: Vec<AccountId> = (FIRST + 8..FIRST + STASHES)
			.filter(|who| key(VALIDATOR_A, *who) > key(VALIDATOR_A, cursor))
			.take(4)
			.collect();
		assert_eq!(newcomers.len(), 4);
		assert_eq!(Operators::<Test>::get(VALIDATOR_A).unwrap().paging, 1);
		for who in &newcomers {
			assert_noop!(
				Restaking::delegate(RuntimeOrigin::signed(*who), VALIDATOR_A, 200),
				Error::<Test>::OperatorPaging
			);
		}
		let mut budget_used = visits;
		while DelegatorJobs::<Test>::contains_key(id) {
			let visited = Restaking::do_apply_delegator_page(id, 4).unwrap();
			visits += visited;
			budget_used += visited.max(1);
		}
		MaxDelegatorSlashesPerBlock::set(10);
		// 8 entries and the closing empty page: within the 9 the deadline proof counts.
		let bound: u32 = <<Test as crate::Config>::MaxDelegatorsPerOperator as Get<u32>>::get() + 1;
		assert_eq!((visits, budget_used), (8, 9));
		assert!(budget_used <= bound);
		// Done: the newcomers are welcome.
		assert_eq!(Operators::<Test>::get(VALIDATOR_A).unwrap().paging, 0);
		for who in &newcomers {
			delegate(*who, VALIDATOR_A, 200);
		}
	});
}

use frame_support::traits::Get;

/// Counters and jobs stay in step on every path that ends a report job before its pages: a held
/// slash dropped at its apply era, `cancel_all_slashes` (the offences can be reported again and
/// count again), and a job finished by the permissionless call while it waits in the queue.
#[test]
fn the_landing_counter_follows_held_drops_cancel_all_and_the_permissionless_call() {
	world().build_and_execute(|| {
		let s1 = register("oracle");
		set_operator(VALIDATOR_A, 10);
		opt_in(VALIDATOR_A, s1, 1_000);
		delegate(FIRST, VALIDATOR_A, 400);
		start_active_era(1);
		// A 50% report (500) does not fit a 1% breaker: held, and dropped at era 3.
		SlashBreaker::set(Some(Perbill::from_percent(1)));
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 1);
		SlashBreaker::set(None);
		assert_ok!(report(s1, VALIDATOR_A, 0, 0));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 2);
		assert_noop!(report(s1, VALIDATOR_A, 1, 0), Error::<Test>::TooManyOperatorSlashes);
		// Cancel everything: nothing counts, and the offences count again once re-reported.
		assert_ok!(Restaking::cancel_all_slashes(RuntimeOrigin::root(), s1));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 0);
		assert!(DelegatorJobs::<Test>::iter().next().is_none());
		SlashBreaker::set(Some(Perbill::from_percent(1)));
		assert_ok!(report(s1, VALIDATOR_A, 1, 1));
		let held = crate::NextSlashId::<Test>::get() - 1;
		SlashBreaker::set(None);
		assert_ok!(report(s1, VALIDATOR_A, 0, 0));
		let within = crate::NextSlashId::<Test>::get() - 1;
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 2);
		// Era 3: the held slash is dropped with its job, the other lands; its pages wait.
		MaxDelegatorSlashesPerBlock::set(0);
		start_active_era(3);
		assert!(!DelegatorJobs::<Test>::contains_key(held));
		assert!(DelegatorJobs::<Test>::get(within).unwrap().ready);
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 1);
		// Anyone lands it; the queue entry left behind does not stall the lane.
		MaxDelegatorSlashesPerBlock::set(10);
		assert_ok!(Restaking::apply_delegator_slashes(RuntimeOrigin::signed(STRANGER), within));
		assert_eq!(OperatorSlashesLanding::<Test>::get(3, s1), 0);
		assert_eq!(bonded(FIRST), 460);
		next_block();
		assert_eq!(
			crate::DelegatorJobHead::<Test>::get(crate::JobLane::Reports),
			crate::DelegatorJobTail::<Test>::get(crate::JobLane::Reports)
		);
	});
}
