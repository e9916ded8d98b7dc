//! Runtime-level tests: genesis from each preset, real blocks across era boundaries, service
//! and base-layer slashes cascading, and `simulate_slash` against the real thing.

use crate::{
	configs::{
		BondingDuration, EpochDuration, SampleDisputeWindow, SessionsPerEra, SlashDeferDuration,
	},
	genesis_config_presets::{self, SAMPLE_ALLOCATION, SAMPLE_SERVICE, VALIDATOR_BOND},
	AccountId, AllPalletsWithSystem, Balance, Council, Restaking, RestakingCall, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, Session, Staking, System,
	Timestamp, SLOT_DURATION,
};
use codec::Encode;
use frame_support::{
	assert_ok,
	traits::{OnFinalize, OnInitialize},
	weights::Weight,
};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Hash, Digest, DigestItem, Perbill};
use sp_staking::EraIndex;

/// Merge a preset patch into the default genesis, as the node does.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

fn preset(preset: &str) -> serde_json::Value {
	let patch = genesis_config_presets::get_preset(&preset.into()).expect("preset exists");
	serde_json::from_slice(&patch).unwrap()
}

/// Genesis from the preset `name`, and its first block.
pub(crate) fn ext_from_preset(name: &str) -> sp_io::TestExternalities {
	ext_from_patch(preset(name))
}

/// The dev preset without its operator and sample pool: Alice validating alone, for the tests of
/// a validator's own slashes (the pool's part is `the_dev_preset_has_a_sample_pool_...` and the
/// pallet's pool tests).
fn dev_without_pool() -> sp_io::TestExternalities {
	let mut patch = preset(sp_genesis_builder::DEV_RUNTIME_PRESET);
	merge(&mut patch, serde_json::json!({ "restaking": { "operators": [], "pools": [] } }));
	ext_from_patch(patch)
}

/// Genesis from the runtime's default config with `patch` merged in, and its first block.
fn ext_from_patch(patch: serde_json::Value) -> sp_io::TestExternalities {
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, patch);
	let json = serde_json::to_vec(&config).unwrap();
	let mut ext = sp_io::TestExternalities::new(Default::default());
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(json)
			.expect("preset builds");
		next_block();
	});
	ext
}

/// Finish the current block and run the next one, as a node would: an Aura pre-digest for the
/// slot, `on_initialize`, the timestamp inherent.
fn next_block() {
	let now = System::block_number();
	if now > 0 {
		AllPalletsWithSystem::on_finalize(now);
	}
	let next = now + 1;
	let slot = Slot::from(u64::from(next));
	let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
	System::initialize(&next, &System::parent_hash(), &digest);
	AllPalletsWithSystem::on_initialize(next);
	assert_ok!(Timestamp::set(RuntimeOrigin::none(), u64::from(next) * SLOT_DURATION));
}

fn active_era() -> EraIndex {
	pallet_staking::ActiveEra::<Runtime>::get().map(|e| e.index).unwrap_or_default()
}

fn run_to_era(era: EraIndex) {
	while active_era() < era {
		next_block();
	}
}

fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

fn bonded(who: &AccountId) -> Balance {
	pallet_staking::Ledger::<Runtime>::get(who).map(|l| l.total).unwrap_or_default()
}

fn secured(service: u32) -> Balance {
	Restaking::service_view(service).map(|s| s.total_secured).unwrap_or_default()
}

fn restaking_events() -> Vec<pallet_restaking::Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Restaking(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Register a second service through Root and put Alice in it with `amount`.
fn second_service_with_alice(amount: Balance) -> u32 {
	let mut params = genesis_presets_sample_params();
	params.name = b"bridge".to_vec().try_into().unwrap();
	assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
	assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(account(Sr25519Keyring::Alice)), 1, amount));
	1
}

fn genesis_presets_sample_params() -> pallet_restaking::ServiceParamsOf<Runtime> {
	genesis_config_presets::sample_service().into_params::<Runtime>().unwrap()
}

#[test]
fn the_wasm_runtime_was_built() {
	assert!(crate::WASM_BINARY.is_some(), "build without SKIP_WASM_BUILD to get the WASM blob");
}

#[test]
fn development_preset_has_alice_validating_and_in_the_sample_service() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		assert_eq!(Session::validators(), vec![alice.clone()]);
		assert_eq!(bonded(&alice), VALIDATOR_BOND);
		let service = Restaking::service_view(SAMPLE_SERVICE).unwrap();
		assert_eq!(service.name, b"sample-oracle".to_vec());
		assert_eq!(service.slasher, account(Sr25519Keyring::Bob));
		// Alice's 50,000 and the sample pool's 10,000, delegated to her.
		assert_eq!(
			(service.total_secured, service.restakers),
			(SAMPLE_ALLOCATION + genesis_config_presets::SAMPLE_POOL_DEPOSIT, 2)
		);
		let view = Restaking::exposures_view(&alice).unwrap();
		assert_eq!(view.positions[0].exposure, SAMPLE_ALLOCATION);
		Restaking::do_try_state().unwrap();
	});
}

/// The session's validators are Alice, Bob, Charlie and Dave.
fn assert_four_validators() {
	let mut validators = Session::validators();
	validators.sort();
	let mut expected: Vec<_> =
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
			.into_iter()
			.map(account)
			.collect();
	expected.sort();
	assert_eq!(validators, expected);
}

#[test]
fn local_testnet_preset_has_four_validators_in_the_sample_service() {
	ext_from_preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_four_validators();
		assert_eq!(secured(SAMPLE_SERVICE), 4 * SAMPLE_ALLOCATION);
	});
}

#[test]
fn blocks_run_across_era_boundaries_with_the_same_validator_set() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		run_to_era(2);
		assert_eq!(active_era(), 2);
		assert!(u64::from(System::block_number()) >= 2 * u64::from(SessionsPerEra::get()));
		assert_eq!(Session::validators(), vec![account(Sr25519Keyring::Alice)]);
		Restaking::do_try_state().unwrap();
	});
}

#[test]
fn a_service_slash_lands_after_its_dispute_window_and_cascades_as_simulated() {
	dev_without_pool().execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bob = account(Sr25519Keyring::Bob);
		let bridge = second_service_with_alice(VALIDATOR_BOND);
		run_to_era(1);

		// Rule 1 slashes 50% of Alice's 50,000 exposure and ejects her from the oracle.
		let sim = Restaking::simulate_slash(SAMPLE_SERVICE, alice.clone(), 1).unwrap();
		assert_eq!(sim.amount, SAMPLE_ALLOCATION / 2);
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(bob),
			SAMPLE_SERVICE,
			alice.clone(),
			1,
			1
		));
		// 25,000 is more than the breaker's 10% of the 100,000 bonded: the slash is held, and
		// the council approves it inside its dispute window.
		assert!(restaking_events().iter().any(|e| matches!(
			e,
			pallet_restaking::Event::SlashHeld { slash_id: 0, amount, cap_left, .. }
				if *amount == SAMPLE_ALLOCATION / 2 && *cap_left == VALIDATOR_BOND / 10
		)));
		assert_eq!(Restaking::risk_view().held_slashes, 1);
		let approve = RuntimeCall::Restaking(RestakingCall::approve_slash { slash_id: 0 });
		assert!(council_motion(approve, &[Sr25519Keyring::Alice, Sr25519Keyring::Bob]));
		assert_eq!(Restaking::risk_view().held_slashes, 0);
		let apply_era = 1 + SampleDisputeWindow::get();
		run_to_era(apply_era - 1);
		assert_eq!(bonded(&alice), VALIDATOR_BOND);

		run_to_era(apply_era);
		assert!(restaking_events()
			.iter()
			.any(|e| matches!(e, pallet_restaking::Event::SlashApplied { .. })));
		assert_eq!(bonded(&alice), sim.stake_after);
		for impact in &sim.services {
			assert_eq!(secured(impact.service), impact.secured_after);
		}
		// The bridge had all of Alice's bond: the cascade brought it down to what is left.
		assert_eq!(secured(bridge), VALIDATOR_BOND - SAMPLE_ALLOCATION / 2);
		Restaking::do_try_state().unwrap();
	});
}

#[test]
fn a_base_layer_slash_cascades_into_every_service() {
	dev_without_pool().execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bridge = second_service_with_alice(VALIDATOR_BOND);
		run_to_era(1);
		assert_ok!(Staking::manual_slash(
			RuntimeOrigin::root(),
			alice.clone(),
			1,
			Perbill::from_percent(80)
		));
		// pallet-staking defers its own slashes by `SlashDeferDuration` eras.
		run_to_era(1 + SlashDeferDuration::get() + 1);
		next_block();
		let left = VALIDATOR_BOND / 5;
		assert_eq!(bonded(&alice), left);
		// Leverage 3 caps her allocations (50,000 + 100,000) at 60,000: 20,000 and 40,000.
		// Full coverage: at the 50% worst case they claim 30,000 of 20,000 stake, so they are
		// scaled again, by exactly 20,000 / 30,000, each rounded down to the planck once.
		let (sample, bridged) = (left * 2 / 3, left * 4 / 3);
		let view = Restaking::exposures_view(&alice).unwrap();
		assert_eq!(view.total_allocated, sample + bridged);
		assert_eq!(view.total_claim, sample / 2 + bridged / 2);
		assert!(view.total_claim <= left);
		// Exposure is capped by the 20,000 a slash can reach.
		assert_eq!(secured(bridge), left);
		assert_eq!(secured(SAMPLE_SERVICE), sample);
		Restaking::do_try_state().unwrap();
	});
}

#[test]
fn a_held_slash_nobody_approves_is_dropped_at_its_apply_era() {
	dev_without_pool().execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bob = RuntimeOrigin::signed(account(Sr25519Keyring::Bob));
		run_to_era(1);
		let risk = Restaking::risk_view();
		assert_eq!((risk.total_bonded, risk.total_restaked), (VALIDATOR_BOND, SAMPLE_ALLOCATION));
		assert_eq!(risk.restaked_share_ppb, 500_000_000);
		assert!(risk.full_coverage);
		// Downtime (10% of 50,000 = 5,000) fits the era's 10,000; equivocation of the same era
		// adds 20,000 more (max, not sum: 50% in all), which does not.
		assert_ok!(Restaking::report_offence(bob.clone(), SAMPLE_SERVICE, alice.clone(), 0, 1));
		assert!(Restaking::simulate_slash(SAMPLE_SERVICE, alice.clone(), 1).unwrap().held);
		assert_ok!(Restaking::report_offence(bob, SAMPLE_SERVICE, alice.clone(), 1, 1));
		let pending = Restaking::pending_slashes_view(SAMPLE_SERVICE);
		let states: Vec<_> = pending.iter().map(|(_, s)| (s.amount, s.breaker)).collect();
		assert_eq!(
			states,
			vec![
				(SAMPLE_ALLOCATION / 10, pallet_restaking::BreakerState::Within),
				(SAMPLE_ALLOCATION * 2 / 5, pallet_restaking::BreakerState::Held),
			]
		);
		run_to_era(1 + SampleDisputeWindow::get());
		// Only the downtime slash landed; Alice stays in the oracle.
		assert_eq!(bonded(&alice), VALIDATOR_BOND - SAMPLE_ALLOCATION / 10);
		assert!(restaking_events().iter().any(|e| matches!(
			e,
			pallet_restaking::Event::HeldSlashDropped { slash_id: 1, amount, .. }
				if *amount == SAMPLE_ALLOCATION * 2 / 5
		)));
		assert!(Restaking::service_view(SAMPLE_SERVICE).unwrap().restakers == 1);
		Restaking::do_try_state().unwrap();
	});
}

/// A council motion for `call`, proposed by Alice, voted for by `ayes` (the proposer votes like
/// any member), closed at once; returns whether the call dispatched successfully.
fn council_motion(call: RuntimeCall, ayes: &[Sr25519Keyring]) -> bool {
	let length = call.encoded_size() as u32;
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let index = pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
	let alice = RuntimeOrigin::signed(account(Sr25519Keyring::Alice));
	assert_ok!(Council::propose(alice.clone(), ayes.len() as u32, Box::new(call), length));
	for voter in ayes {
		assert_ok!(Council::vote(RuntimeOrigin::signed(account(*voter)), hash, index, true));
	}
	assert_ok!(Council::close(alice, hash, index, Weight::MAX, length));
	System::events().into_iter().any(|r| {
		matches!(
			r.event,
			RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result: Ok(()) })
				if proposal_hash == hash
		)
	})
}

#[test]
fn half_the_council_cancels_a_slash_and_two_thirds_register_a_service() {
	use Sr25519Keyring::{Alice, Bob, Charlie};
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		run_to_era(1);
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(account(Bob)),
			SAMPLE_SERVICE,
			account(Alice),
			0,
			1
		));
		let slash_id = pallet_restaking::NextSlashId::<Runtime>::get() - 1;
		assert!(pallet_restaking::Slashes::<Runtime>::contains_key(slash_id));

		// Two of four members are half the council: enough to cancel.
		let cancel = RuntimeCall::Restaking(RestakingCall::cancel_slash { slash_id });
		assert!(council_motion(cancel, &[Alice, Bob]));
		assert!(!pallet_restaking::Slashes::<Runtime>::contains_key(slash_id));

		// Registering a service takes two thirds: two votes are refused, three pass.
		let mut params = genesis_presets_sample_params();
		params.name = b"bridge".to_vec().try_into().unwrap();
		let register = RuntimeCall::Restaking(RestakingCall::register_service { params });
		assert!(!council_motion(register.clone(), &[Alice, Bob]));
		assert!(Restaking::service_view(1).is_none());
		assert!(council_motion(register, &[Alice, Bob, Charlie]));
		assert_eq!(Restaking::service_view(1).unwrap().name, b"bridge".to_vec());
		Restaking::do_try_state().unwrap();
	});
}

#[test]
fn metadata_carries_the_restaking_calls_and_the_runtime_api_with_docs() {
	let ir = Runtime::metadata_ir();
	let pallet = ir.pallets.iter().find(|p| p.name == "Restaking").expect("Restaking pallet");
	assert!(pallet.calls.is_some());
	let api = ir.apis.iter().find(|a| a.name == "RestakingApi").expect("RestakingApi");
	let names: Vec<_> = api.methods.iter().map(|m| m.name).collect();
	for method in [
		"services",
		"service",
		"exposures",
		"pending_slashes",
		"pending_slashes_of",
		"simulate_slash",
	] {
		assert!(names.contains(&method), "RestakingApi lacks {method}");
	}
	assert!(api.methods.iter().all(|m| !m.docs.is_empty()), "every method is documented");
	assert!(Runtime::metadata_versions().contains(&15));
	assert!(Runtime::metadata_versions().contains(&16));
}

#[test]
fn a_full_slash_backlog_lands_within_one_era() {
	use crate::configs::{RestakingBounds, FAST_BOUNDS, PRODUCTION_BOUNDS, RESTAKING_BOUNDS};
	use frame_support::traits::Get;
	// This build's bounds are its timing's.
	assert_eq!(RESTAKING_BOUNDS.blocks_per_era, EpochDuration::get() * SessionsPerEra::get());
	assert_eq!(
		<Runtime as pallet_restaking::Config>::BlocksPerEra::get(),
		RESTAKING_BOUNDS.blocks_per_era
	);
	// Every service at its pending bound, all due in the same era: the era-boundary path lands
	// `MaxSlashesPerBlock` a block, and must be done before the era ends, when the unlocking
	// chunks the slashes counted on could start to be withdrawn.
	let per_block = <Runtime as pallet_restaking::Config>::MaxSlashesPerBlock::get();
	let blocks_to_drain =
		|b: &RestakingBounds| (b.max_services * b.max_pending_per_service).div_ceil(per_block);
	assert_eq!(blocks_to_drain(&PRODUCTION_BOUNDS), 512);
	assert_eq!(blocks_to_drain(&FAST_BOUNDS), 8);
	for b in [PRODUCTION_BOUNDS, FAST_BOUNDS] {
		assert!(blocks_to_drain(&b) <= b.blocks_per_era);
	}
}

/// The pages of reports against operators: every service at `MaxOperatorSlashesPerEra`
/// reports landing in one era, each visiting `MaxDelegatorsPerOperator + 1` delegators, are
/// paged within the next era (what `integrity_test` checks for the build's own bounds).
#[test]
fn a_full_era_of_delegator_pages_fits_the_next_era() {
	use crate::configs::{RestakingBounds, FAST_BOUNDS, PRODUCTION_BOUNDS};
	let visits = |b: &RestakingBounds| {
		b.max_services * b.max_operator_slashes_per_era * (b.max_delegators_per_operator + 1)
	};
	let blocks = |b: &RestakingBounds| visits(b).div_ceil(b.max_delegator_slashes_per_block);
	assert_eq!((visits(&PRODUCTION_BOUNDS), blocks(&PRODUCTION_BOUNDS)), (6_528, 3_264));
	assert_eq!((visits(&FAST_BOUNDS), blocks(&FAST_BOUNDS)), (100, 10));
	for b in [PRODUCTION_BOUNDS, FAST_BOUNDS] {
		assert!(blocks(&b) <= b.blocks_per_era);
	}
	assert_eq!(
		pallet_restaking::Pallet::<Runtime>::delegator_visits_per_era(),
		u64::from(visits(&crate::configs::RESTAKING_BOUNDS))
	);
	// And the era of pages fits between the latest landing and the bonding duration: a
	// dispute window of one era can be registered.
	assert!(crate::configs::RestakingReportWindow::get() + 1 + 2 < BondingDuration::get());
}

#[test]
fn yields_are_annualised_by_the_eras_of_a_year_and_their_window_fits_staking_history() {
	use crate::configs::{EpochDuration, RestakingErasPerYear, RestakingYieldWindow};
	use frame_support::traits::Get;
	let era_ms =
		u64::from(EpochDuration::get() * SessionsPerEra::get()) * crate::MILLI_SECS_PER_BLOCK;
	// 365.25 days: 525,960 one-minute eras (fast-runtime) or 1,461 six-hour eras.
	assert_eq!(u64::from(RestakingErasPerYear::get()), 31_557_600_000 / era_ms);
	let expected = if cfg!(feature = "fast-runtime") { 525_960 } else { 1_461 };
	assert_eq!(RestakingErasPerYear::get(), expected);
	// Era payouts older than `HistoryDepth` are pruned: the window must stay inside it.
	let history = <Runtime as pallet_staking::Config>::HistoryDepth::get();
	assert!(RestakingYieldWindow::get() < history);
}

/// Two conflicting GRANDPA prevotes by `voter` in `round` of authority set `set_id`, signed with
/// its session key, as a node that saw both would report them.
fn grandpa_equivocation(
	set_id: sp_consensus_grandpa::SetId,
	round: u64,
	voter: sp_keyring::Ed25519Keyring,
) -> sp_consensus_grandpa::EquivocationProof<crate::Hash, crate::BlockNumber> {
	let signed = |target: crate::Hash| {
		let prevote = finality_grandpa::Prevote { target_hash: target, target_number: 1 };
		let message = finality_grandpa::Message::Prevote(prevote.clone());
		let payload = sp_consensus_grandpa::localized_payload(round, set_id, &message);
		(prevote, voter.sign(&payload).into())
	};
	sp_consensus_grandpa::EquivocationProof::new(
		set_id,
		sp_consensus_grandpa::Equivocation::Prevote(finality_grandpa::Equivocation {
			round_number: round,
			identity: voter.public().into(),
			first: signed(crate::Hash::repeat_byte(1)),
			second: signed(crate::Hash::repeat_byte(2)),
		}),
	)
}

#[test]
fn a_grandpa_equivocation_reaches_offences_staking_and_every_service() {
	use frame_support::traits::KeyOwnerProofSystem;
	dev_without_pool().execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bridge = second_service_with_alice(VALIDATOR_BOND / 2);
		run_to_era(1);
		System::reset_events();
		let before = (secured(SAMPLE_SERVICE), secured(bridge));
		assert_eq!(before, (SAMPLE_ALLOCATION.min(VALIDATOR_BOND), VALIDATOR_BOND / 2));

		// Alice, the only authority, prevotes for two blocks in one round: a real report, with
		// the signed votes and the session's key-ownership proof, unsigned as nodes submit it.
		let key = sp_keyring::Ed25519Keyring::Alice;
		let set_id = crate::Grandpa::current_set_id();
		let proof = grandpa_equivocation(set_id, 1, key);
		let key_owner_proof = crate::Historical::prove((
			sp_consensus_grandpa::KEY_TYPE,
			sp_consensus_grandpa::AuthorityId::from(key.public()),
		))
		.expect("Alice's GRANDPA key is in the current session");
		assert_ok!(crate::Grandpa::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(proof),
			key_owner_proof
		));

		// pallet-offences recorded it and handed it to pallet-staking, which slashed Alice
		// (one offender out of one authority: the whole stake).
		let events = System::events();
		assert!(events.iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Offences(pallet_offences::Event::Offence { .. })
		)));
		let slashed: Balance = events
			.iter()
			.filter_map(|r| match &r.event {
				RuntimeEvent::Staking(pallet_staking::Event::Slashed { staker, amount })
					if *staker == alice =>
				{
					Some(*amount)
				}
				_ => None,
			})
			.sum();
		assert_eq!(slashed, VALIDATOR_BOND);
		assert_eq!(bonded(&alice), 0);
		// The staking hook queued the cascade; the next block runs it into every service.
		next_block();
		assert_eq!((secured(SAMPLE_SERVICE), secured(bridge)), (0, 0));
		let ejected: Vec<u32> = restaking_events()
			.into_iter()
			.filter_map(|e| match e {
				pallet_restaking::Event::Ejected { who, service } if who == alice => Some(service),
				_ => None,
			})
			.collect();
		assert_eq!(ejected.len(), 2);
		assert!(ejected.contains(&SAMPLE_SERVICE) && ejected.contains(&bridge));
		Restaking::do_try_state().unwrap();
	});
}

/// `try_state` of every pallet of the runtime, as `try-runtime` runs it.
fn try_state_of_every_pallet() {
	use frame_support::traits::{TryState, TryStateSelect};
	<AllPalletsWithSystem as TryState<crate::BlockNumber>>::try_state(
		System::block_number(),
		TryStateSelect::All,
	)
	.expect("every pallet's invariants hold");
}

#[test]
fn every_pallet_keeps_its_invariants_across_eras_with_slashes_in_flight() {
	ext_from_preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bob = account(Sr25519Keyring::Bob);
		second_service_with_alice(VALIDATOR_BOND / 2);
		run_to_era(1);
		// Service slashes scheduled (Bob is the sample service's slasher) and an unbonding in
		// flight across the next eras. (A base-layer slash disables its validator, which this
		// test's round-robin Aura slots would then ask to author; it has its own tests.)
		for who in [alice.clone(), account(Sr25519Keyring::Charlie)] {
			assert_ok!(Restaking::report_offence(
				RuntimeOrigin::signed(bob.clone()),
				SAMPLE_SERVICE,
				who,
				0,
				1
			));
		}
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(alice.clone()), VALIDATOR_BOND / 4));
		let apply_era = 1 + SampleDisputeWindow::get();
		while active_era() <= apply_era + 1 {
			next_block();
			try_state_of_every_pallet();
		}
		// The service slashes landed: 10% of the sample allocation each.
		assert_eq!(bonded(&alice), VALIDATOR_BOND - SAMPLE_ALLOCATION / 10);
		assert_eq!(
			bonded(&account(Sr25519Keyring::Charlie)),
			VALIDATOR_BOND - SAMPLE_ALLOCATION / 10
		);
	});
}

/// A chain that ran storage version 4 (no operators) upgrades through the runtime's
/// `Migrations`, as try-runtime runs them: `pre_upgrade`, the migration, `post_upgrade` and every
/// pallet's `try_state`. Every position and pending slash is still there.
#[cfg(feature = "try-runtime")]
#[test]
fn a_chain_at_storage_version_4_upgrades_to_5_with_its_positions_and_pending_slashes() {
	use frame_support::traits::{GetStorageVersion, StorageVersion};
	ext_from_preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let bob = account(Sr25519Keyring::Bob);
		run_to_era(1);
		assert_ok!(Restaking::report_offence(
			RuntimeOrigin::signed(bob),
			SAMPLE_SERVICE,
			account(Sr25519Keyring::Alice),
			0,
			1
		));
		StorageVersion::new(4).put::<Restaking>();
		let positions = pallet_restaking::Positions::<Runtime>::iter().count();
		assert_eq!(positions, 4, "the four validators are in the sample service");
		let weight =
			crate::Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All)
				.expect("pre_upgrade, migration, post_upgrade and try_state pass");
		assert!(weight.ref_time() > 0);
		assert_eq!(Restaking::on_chain_storage_version(), StorageVersion::new(5));
		assert_eq!(pallet_restaking::Positions::<Runtime>::iter().count(), positions);
		assert_eq!(pallet_restaking::Slashes::<Runtime>::iter().count(), 1);
		// Run once: a second upgrade finds version 5 and does nothing.
		crate::Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All)
			.expect("the upgrade is idempotent");
		assert_eq!(Restaking::on_chain_storage_version(), StorageVersion::new(5));
	});
}

// ---------------------------------------------------------------------------------------------
// Bounds and fees.
// ---------------------------------------------------------------------------------------------

#[test]
fn consensus_staking_and_election_bounds_agree() {
	type Aura = <Runtime as pallet_aura::Config>::MaxAuthorities;
	type Grandpa = <Runtime as pallet_grandpa::Config>::MaxAuthorities;
	type GrandpaNominators = <Runtime as pallet_grandpa::Config>::MaxNominators;
	type ValidatorSet = <Runtime as pallet_staking::Config>::MaxValidatorSet;
	type PageSize = <Runtime as pallet_staking::Config>::MaxExposurePageSize;
	type Winners = <crate::configs::OnChainSeqPhragmen as frame_election_provider_support::onchain::Config>::MaxWinnersPerPage;
	// Every validator staking can elect has an Aura and a GRANDPA slot, and the election can
	// return that many winners.
	assert_eq!((Aura::get(), Grandpa::get(), Winners::get()), (100, 100, 100));
	assert_eq!(ValidatorSet::get(), 100);
	// A GRANDPA equivocation proof is weighed for a full page of a validator's nominators.
	assert_eq!((GrandpaNominators::get(), PageSize::get()), (256, 256));
	for preset in
		[sp_genesis_builder::DEV_RUNTIME_PRESET, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET]
	{
		ext_from_preset(preset).execute_with(|| {
			assert!(pallet_staking::ValidatorCount::<Runtime>::get() <= ValidatorSet::get());
			<AllPalletsWithSystem as frame_support::traits::IntegrityTest>::integrity_test();
		});
	}
}

/// A signed extrinsic of `call` from `who` (nonce 0, immortal, no tip), signed for real.
fn signed(call: RuntimeCall, who: Sr25519Keyring) -> crate::UncheckedExtrinsic {
	let nonce = frame_system::Pallet::<Runtime>::account_nonce(who.to_account_id());
	let extension: crate::TxExtension = (
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(sp_runtime::generic::Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
	);
	let payload = crate::SignedPayload::new(call.clone(), extension.clone()).unwrap();
	let signature = payload.using_encoded(|bytes| who.sign(bytes));
	crate::UncheckedExtrinsic::new_signed(
		call,
		sp_runtime::MultiAddress::Id(who.to_account_id()),
		sp_runtime::MultiSignature::Sr25519(signature),
		extension,
	)
}

/// What the runtime's fee API (`TransactionPaymentApi::query_info`, polkadot-js'
/// `paymentInfo`) says `call` costs, signed by Bob.
fn fee_of(call: RuntimeCall) -> Balance {
	let uxt = signed(call, Sr25519Keyring::Bob);
	let len = uxt.encoded_size() as u32;
	crate::TransactionPayment::query_info(uxt, len).partial_fee
}

/// The fee formula the configuration sets, for `call` in an extrinsic of `len` bytes at
/// multiplier 1: 10 planck per picosecond of the call's weight and the base extrinsic weight,
/// plus 10 micro-units per byte.
fn fee_by_formula(uxt: &crate::UncheckedExtrinsic, len: u32) -> Balance {
	use frame_support::dispatch::GetDispatchInfo;
	let base = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(frame_support::dispatch::DispatchClass::Normal)
		.base_extrinsic;
	let weight = uxt.get_dispatch_info().total_weight().saturating_add(base);
	Balance::from(weight.ref_time()) * crate::configs::FEE_PER_PICOSECOND
		+ Balance::from(len) * 10 * crate::MICRO_UNIT
}

#[test]
fn an_opt_in_costs_more_than_the_existential_deposit_it_can_create() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let call =
			RuntimeCall::Restaking(RestakingCall::opt_in { service: 0, amount: crate::UNIT });
		let uxt = signed(call.clone(), Sr25519Keyring::Bob);
		let len = uxt.encoded_size() as u32;
		let fee = fee_of(call.clone());
		assert_eq!(fee, fee_by_formula(&uxt, len));
		assert!(fee > crate::EXISTENTIAL_DEPOSIT, "{fee} > {}", crate::EXISTENTIAL_DEPOSIT);
		// A transfer, the cheapest useful call, costs about one existential deposit.
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: account(Sr25519Keyring::Charlie).into(),
			value: crate::UNIT,
		});
		assert!(fee_of(transfer) > crate::EXISTENTIAL_DEPOSIT);
	});
}

#[test]
fn a_full_block_of_remarks_costs_at_least_fifteen_units() {
	use frame_support::dispatch::GetDispatchInfo;
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 100] });
		let weights = <Runtime as frame_system::Config>::BlockWeights::get();
		let normal = weights.get(frame_support::dispatch::DispatchClass::Normal);
		let per_remark =
			remark.get_dispatch_info().total_weight().ref_time() + normal.base_extrinsic.ref_time();
		let max = normal.max_total.unwrap().ref_time() - weights.base_block.ref_time();
		let count = Balance::from(max / per_remark);
		let total = count * fee_of(remark);
		// 1.5 s of normal weight at 10 UNIT a second, and the remarks' bytes on top.
		assert!(total >= 15 * crate::UNIT - crate::UNIT / 10, "{total}");
	});
}

#[test]
fn the_fee_multiplier_rises_in_full_blocks_and_falls_to_its_floor_in_empty_ones() {
	use frame_support::traits::OnFinalize;
	use sp_runtime::FixedPointNumber;
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let multiplier = pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get;
		assert_eq!(multiplier(), pallet_transaction_payment::Multiplier::from_u32(1));
		let normal = <Runtime as frame_system::Config>::BlockWeights::get()
			.get(frame_support::dispatch::DispatchClass::Normal)
			.max_total
			.unwrap();
		let full = |blocks: u32| {
			for _ in 0..blocks {
				frame_system::Pallet::<Runtime>::set_block_consumed_resources(normal, 0);
				crate::TransactionPayment::on_finalize(System::block_number());
			}
		};
		full(1);
		let one_full = multiplier();
		assert!(one_full > pallet_transaction_payment::Multiplier::from_u32(1), "{one_full:?}");
		full(999);
		let busy = multiplier();
		assert!(busy > one_full, "{busy:?}");
		// Empty blocks pull it down, to a tenth at the least.
		for _ in 0..200_000 {
			frame_system::Pallet::<Runtime>::set_block_consumed_resources(Weight::zero(), 0);
			crate::TransactionPayment::on_finalize(System::block_number());
		}
		assert_eq!(
			multiplier(),
			pallet_transaction_payment::Multiplier::saturating_from_rational(1, 10)
		);
	});
}

#[test]
fn fees_go_to_the_block_author() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bob = account(Sr25519Keyring::Bob);
		assert_eq!(crate::Authorship::author(), Some(alice.clone()));
		let free = pallet_balances::Pallet::<Runtime>::free_balance;
		let (alice_before, bob_before) = (free(&alice), free(&bob));
		let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![1; 10] });
		let fee = fee_of(call.clone());
		let outcome = crate::Executive::apply_extrinsic(signed(call, Sr25519Keyring::Bob));
		assert_ok!(outcome.unwrap());
		assert_eq!(free(&bob), bob_before - fee);
		assert_eq!(free(&alice), alice_before + fee);
	});
}

// ---------------------------------------------------------------------------------------------
// The production preset, and Root without sudo.
// ---------------------------------------------------------------------------------------------

/// The production preset with what an operator adds: four validators (Alice, Bob, Charlie and
/// Dave stand in for the operator's keys) bonding 20,000 UNIT, balances, and a council of the
/// four.
fn production_with_validators() -> serde_json::Value {
	use Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve};
	let validators = [Alice, Bob, Charlie, Dave];
	let mut patch = preset(genesis_config_presets::PRODUCTION_PRESET);
	let bond = 20_000 * crate::UNIT;
	let balances: Vec<_> = [Alice, Bob, Charlie, Dave, Eve]
		.iter()
		.map(|k| (k.to_account_id(), 100_000 * crate::UNIT))
		.collect();
	let keys: Vec<_> = validators
		.iter()
		.map(|k| (k.to_account_id(), k.to_account_id(), genesis_config_presets::session_keys(*k)))
		.collect();
	let stakers: Vec<_> = validators
		.iter()
		.map(|k| {
			(
				k.to_account_id(),
				k.to_account_id(),
				bond,
				pallet_staking::StakerStatus::<AccountId>::Validator,
			)
		})
		.collect();
	let operator = serde_json::json!({
		"balances": { "balances": balances },
		"session": { "keys": keys },
		"staking": { "stakers": stakers },
		"council": { "members": genesis_config_presets::council_members() },
	});
	merge(&mut patch, operator);
	patch
}

/// The template alone has no validator: no Aura or GRANDPA authority, nobody who could author
/// its first block. The operator's validators are what make it a chain.
#[test]
fn the_production_preset_alone_has_no_authorities_and_no_well_known_accounts() {
	ext_from_patch(preset(genesis_config_presets::PRODUCTION_PRESET)).execute_with(|| {
		assert!(pallet_aura::Authorities::<Runtime>::get().is_empty());
		assert!(Session::validators().is_empty());
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		for who in Sr25519Keyring::iter() {
			assert_eq!(System::account(who.to_account_id()).data.free, 0);
		}
	});
}

#[test]
fn the_production_preset_produces_blocks_with_real_bounds_and_no_sudo() {
	use Sr25519Keyring::Eve;
	ext_from_patch(production_with_validators()).execute_with(|| {
		assert_four_validators();
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		assert_eq!(pallet_staking::MinValidatorBond::<Runtime>::get(), 10_000 * crate::UNIT);
		assert_eq!(pallet_staking::MinNominatorBond::<Runtime>::get(), 100 * crate::UNIT);
		assert_eq!(pallet_staking::MaxValidatorsCount::<Runtime>::get(), Some(1_000));
		assert_eq!(pallet_staking::MaxNominatorsCount::<Runtime>::get(), Some(4_000));
		// A cheap validator is refused: below the minimum bond.
		let eve = account(Eve);
		assert_ok!(Staking::bond(
			RuntimeOrigin::signed(eve.clone()),
			9_999 * crate::UNIT,
			pallet_staking::RewardDestination::Staked
		));
		frame_support::assert_noop!(
			Staking::validate(RuntimeOrigin::signed(eve), Default::default()),
			pallet_staking::Error::<Runtime>::InsufficientBond
		);
		run_to_era(2);
		assert_eq!(Session::validators().len(), 4);
		try_state_of_every_pallet();
	});
}

/// A motion of the council that dispatches `call` as Root through the whitelist: half the
/// council whitelists its hash, then `ayes` vote to dispatch it. Returns whether the dispatch
/// motion succeeded.
fn as_root_through_the_council(call: RuntimeCall, ayes: &[Sr25519Keyring]) -> bool {
	use Sr25519Keyring::{Alice, Bob};
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let whitelist =
		RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash: hash });
	assert!(council_motion(whitelist, &[Alice, Bob]), "half the council whitelists");
	let dispatch =
		RuntimeCall::Whitelist(pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
			call: Box::new(call),
		});
	council_motion(dispatch, ayes)
}

#[test]
fn a_runtime_upgrade_passes_through_the_council_without_sudo() {
	use Sr25519Keyring::{Alice, Bob, Charlie, Eve};
	ext_from_patch(production_with_validators()).execute_with(|| {
		let code = b"the next runtime".to_vec();
		let code_hash = <Runtime as frame_system::Config>::Hashing::hash(&code);
		let authorize =
			RuntimeCall::System(frame_system::Call::authorize_upgrade_without_checks { code_hash });
		// Half the council cannot dispatch as Root, and sudo has no key.
		assert!(!as_root_through_the_council(authorize.clone(), &[Alice, Bob]));
		let authorized = || {
			System::events().iter().any(|r| {
				r.event
					== RuntimeEvent::System(frame_system::Event::UpgradeAuthorized {
						code_hash,
						check_version: false,
					})
			})
		};
		assert!(!authorized());
		assert!(pallet_sudo::Pallet::<Runtime>::sudo(
			RuntimeOrigin::signed(account(Alice)),
			Box::new(authorize.clone())
		)
		.is_err());
		// Three quarters can; then anyone applies the authorized code.
		assert!(as_root_through_the_council(authorize, &[Alice, Bob, Charlie]));
		assert!(authorized());
		assert_ok!(System::apply_authorized_upgrade(
			RuntimeOrigin::signed(account(Eve)),
			code.clone()
		));
		assert_eq!(
			sp_io::storage::get(sp_core::storage::well_known_keys::CODE).map(|c| c.to_vec()),
			Some(code)
		);
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::System(frame_system::Event::CodeUpdated { .. })
		)));
	});
}

#[test]
fn the_council_administers_staking_without_sudo() {
	use pallet_staking::ConfigOp::{Noop, Set};
	use Sr25519Keyring::{Alice, Bob, Charlie};
	ext_from_patch(production_with_validators()).execute_with(|| {
		// Staking's `AdminOrigin`: two thirds of the council.
		let commission = RuntimeCall::Staking(pallet_staking::Call::set_min_commission {
			new: Perbill::from_percent(5),
		});
		assert!(!council_motion(commission.clone(), &[Alice, Bob]));
		assert!(council_motion(commission, &[Alice, Bob, Charlie]));
		assert_eq!(pallet_staking::MinCommission::<Runtime>::get(), Perbill::from_percent(5));
		// The validator count is Root's: whitelisted, then three quarters.
		let count = RuntimeCall::Staking(pallet_staking::Call::set_validator_count { new: 30 });
		assert!(as_root_through_the_council(count, &[Alice, Bob, Charlie]));
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 30);
		// The chill threshold is Root's: whitelisted, then three quarters.
		let configs = RuntimeCall::Staking(pallet_staking::Call::set_staking_configs {
			min_nominator_bond: Noop,
			min_validator_bond: Noop,
			max_nominator_count: Noop,
			max_validator_count: Noop,
			chill_threshold: Set(sp_runtime::Percent::from_percent(90)),
			min_commission: Noop,
			max_staked_rewards: Noop,
		});
		assert!(as_root_through_the_council(configs, &[Alice, Bob, Charlie]));
		assert_eq!(
			pallet_staking::ChillThreshold::<Runtime>::get(),
			Some(sp_runtime::Percent::from_percent(90))
		);
	});
}

/// Every restaking call, as a user would send it, with the fee the runtime's fee API gives for
/// it (signed by Bob, multiplier 1), in micro-`UNIT` rounded to the nearest.
fn fee_table() -> Vec<(&'static str, Balance)> {
	use RestakingCall as C;
	let alice = account(Sr25519Keyring::Alice);
	let params = genesis_presets_sample_params();
	let calls: Vec<(&str, RestakingCall<Runtime>)> = vec![
		("register_service", C::register_service { params: params.clone() }),
		("update_service", C::update_service { service: 0, params }),
		(
			"set_service_status",
			C::set_service_status { service: 0, status: pallet_restaking::ServiceStatus::Paused },
		),
		("opt_in", C::opt_in { service: 0, amount: 1_000 * crate::UNIT }),
		("set_allocation", C::set_allocation { service: 0, amount: 2_000 * crate::UNIT }),
		("opt_out", C::opt_out { service: 0 }),
		("complete_opt_out", C::complete_opt_out { service: 0, who: alice.clone() }),
		(
			"report_offence",
			C::report_offence { service: 0, offender: alice.clone(), rule: 1, offence_era: 1 },
		),
		("cancel_slash", C::cancel_slash { slash_id: 0 }),
		("cancel_all_slashes", C::cancel_all_slashes { service: 0 }),
		("apply_slash", C::apply_slash { slash_id: 0 }),
		("approve_slash", C::approve_slash { slash_id: 0 }),
		("approve_held_slashes", C::approve_held_slashes { service: 0 }),
		("sync_restaker", C::sync_restaker { who: alice.clone() }),
		("fund_rewards", C::fund_rewards { service: 0, amount: 100 * crate::UNIT }),
		("claim_rewards", C::claim_rewards { service: 0 }),
		("set_operator", C::set_operator { commission: sp_runtime::Perbill::from_percent(10) }),
		("stop_operating", C::stop_operating {}),
		("delegate", C::delegate { operator: alice.clone(), amount: 1_000 * crate::UNIT }),
		("undelegate", C::undelegate {}),
		("exclude_service", C::exclude_service { service: 0 }),
		("include_service", C::include_service { service: 0 }),
		("redelegate", C::redelegate { operator: alice.clone() }),
		("apply_delegator_slashes", C::apply_delegator_slashes { job: 0 }),
		("set_delegation", C::set_delegation { amount: 2_000 * crate::UNIT }),
	];
	calls
		.into_iter()
		.map(|(name, call)| {
			let fee = fee_of(RuntimeCall::Restaking(call));
			(name, (fee + crate::MICRO_UNIT / 2) / crate::MICRO_UNIT)
		})
		.collect()
}

/// docs/deploying.md's fee table is the runtime's: each row's fee, in micro-`UNIT`, is what
/// `paymentInfo` returns for that call. After new weights, the failure prints the new table.
#[test]
fn the_fee_table_in_the_deploying_guide_is_the_runtimes() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let table = fee_table();
		let expected: String = table
			.iter()
			.map(|(name, micro)| {
				format!("| `{name}` | {}.{:06} |\n", micro / 1_000_000, micro % 1_000_000)
			})
			.collect();
		let doc = include_str!("../../docs/deploying.md");
		let start = doc.find("| call | fee (UNIT) |").expect("the fee table's header");
		let rows: String = doc[start..]
			.lines()
			.skip(2)
			.take_while(|l| l.starts_with('|'))
			.map(|l| format!("{l}\n"))
			.collect();
		assert_eq!(rows, expected, "docs/deploying.md's fee table should read:\n{expected}");
		// Every call a restaker sends costs more than an existential deposit.
		assert!(table
			.iter()
			.all(|(_, micro)| *micro * crate::MICRO_UNIT > crate::EXISTENTIAL_DEPOSIT));
	});
}

/// The events of the proxy and multisig pallets, in order.
fn proxy_and_multisig_events() -> Vec<RuntimeEvent> {
	System::events()
		.into_iter()
		.map(|r| r.event)
		.filter(|e| matches!(e, RuntimeEvent::Proxy(_) | RuntimeEvent::Multisig(_)))
		.collect()
}

#[test]
fn a_restaking_proxy_opts_a_stash_in_and_can_do_nothing_else() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (alice, ferdie) = (account(Sr25519Keyring::Alice), account(Sr25519Keyring::Ferdie));
		let mut params = genesis_presets_sample_params();
		params.name = b"bridge".to_vec().try_into().unwrap();
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		let before = pallet_balances::Pallet::<Runtime>::reserved_balance(&alice);
		assert_ok!(crate::Proxy::add_proxy(
			RuntimeOrigin::signed(alice.clone()),
			sp_runtime::MultiAddress::Id(ferdie.clone()),
			crate::configs::ProxyType::Restaking,
			0
		));
		// The deposit: 0.1 UNIT + 8 bytes, plus 33 bytes for the one proxy, at 10 micro-UNIT.
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::reserved_balance(&alice) - before,
			crate::UNIT / 10 + 41 * 10 * crate::MICRO_UNIT
		);
		let as_alice = |call: RuntimeCall| {
			System::reset_events();
			assert_ok!(crate::Proxy::proxy(
				RuntimeOrigin::signed(ferdie.clone()),
				sp_runtime::MultiAddress::Id(alice.clone()),
				None,
				Box::new(call)
			));
			proxy_and_multisig_events()
		};
		let opt_in =
			RuntimeCall::Restaking(RestakingCall::opt_in { service: 1, amount: VALIDATOR_BOND });
		assert_eq!(
			as_alice(opt_in),
			vec![RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result: Ok(()) })]
		);
		assert_eq!(
			Restaking::exposures_view(&alice).unwrap().positions[1].allocation,
			VALIDATOR_BOND
		);
		// A transfer, a report and staking's own calls are outside the proxy type.
		let refused = RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted {
			result: Err(frame_system::Error::<Runtime>::CallFiltered.into()),
		});
		for call in [
			RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
				dest: sp_runtime::MultiAddress::Id(ferdie.clone()),
				value: crate::UNIT,
			}),
			RuntimeCall::Staking(pallet_staking::Call::chill {}),
			RuntimeCall::Restaking(RestakingCall::set_service_status {
				service: 1,
				status: pallet_restaking::ServiceStatus::Paused,
			}),
		] {
			assert_eq!(as_alice(call), vec![refused.clone()]);
		}
		// A batch of restaking calls is inside it.
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![
				RuntimeCall::Restaking(RestakingCall::sync_restaker { who: alice.clone() }),
				RuntimeCall::Restaking(RestakingCall::opt_out { service: 1 }),
			],
		});
		assert_eq!(
			as_alice(batch),
			vec![RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result: Ok(()) })]
		);
		assert!(Restaking::exposures_view(&alice).unwrap().positions[1].exit.is_some());

		// A forbidden call inside a batch is filtered too: `batch` stops at it, `batch_all`
		// fails whole.
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
			dest: sp_runtime::MultiAddress::Id(ferdie.clone()),
			value: crate::UNIT,
		});
		let sync = RuntimeCall::Restaking(RestakingCall::sync_restaker { who: alice.clone() });
		System::reset_events();
		assert_ok!(crate::Proxy::proxy(
			RuntimeOrigin::signed(ferdie.clone()),
			sp_runtime::MultiAddress::Id(alice.clone()),
			None,
			Box::new(RuntimeCall::Utility(pallet_utility::Call::batch {
				calls: vec![transfer.clone(), sync.clone()],
			}))
		));
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Utility(pallet_utility::Event::BatchInterrupted {
				index: 0,
				error: frame_system::Error::<Runtime>::CallFiltered.into(),
			})));
		let batch_all =
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![sync, transfer] });
		assert_eq!(as_alice(batch_all), vec![refused.clone()]);
		// Nor can the proxy add a proxy, or act through another one.
		let add_any = RuntimeCall::Proxy(pallet_proxy::Call::add_proxy {
			delegate: sp_runtime::MultiAddress::Id(ferdie.clone()),
			proxy_type: crate::configs::ProxyType::Any,
			delay: 0,
		});
		assert_eq!(as_alice(add_any), vec![refused]);
		assert_eq!(pallet_proxy::Proxies::<Runtime>::get(&alice).0.len(), 1);
		Restaking::do_try_state().unwrap();
	});
}

#[test]
fn a_two_of_three_multisig_slasher_reports_an_offence() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		use Sr25519Keyring::{Alice, Charlie, Dave, Eve};
		let mut signers = [account(Charlie), account(Dave), account(Eve)];
		signers.sort();
		let slasher = pallet_multisig::Pallet::<Runtime>::multi_account_id(&signers, 2);
		let mut params = genesis_presets_sample_params();
		params.name = b"bridge".to_vec().try_into().unwrap();
		params.slasher = slasher.clone();
		assert_ok!(Restaking::register_service(RuntimeOrigin::root(), params));
		let alice = account(Alice);
		assert_ok!(Restaking::opt_in(RuntimeOrigin::signed(alice.clone()), 1, VALIDATOR_BOND));
		run_to_era(1);

		let report = RuntimeCall::Restaking(RestakingCall::report_offence {
			service: 1,
			offender: alice.clone(),
			rule: 0,
			offence_era: 1,
		});
		let others = |me: &AccountId| signers.iter().filter(|s| *s != me).cloned().collect();
		let weight = Weight::from_parts(10_000_000_000, 1_000_000);
		System::reset_events();
		assert_ok!(crate::Multisig::as_multi(
			RuntimeOrigin::signed(signers[0].clone()),
			2,
			others(&signers[0]),
			None,
			Box::new(report.clone()),
			weight
		));
		// One approval is not enough: nothing is reported yet.
		assert!(restaking_events().is_empty());
		let call_hash = report.using_encoded(sp_io::hashing::blake2_256);
		let when = pallet_multisig::Multisigs::<Runtime>::get(&slasher, call_hash).unwrap().when;
		assert_ok!(crate::Multisig::as_multi(
			RuntimeOrigin::signed(signers[2].clone()),
			2,
			others(&signers[2]),
			Some(when),
			Box::new(report),
			weight
		));
		assert!(restaking_events().iter().any(|e| matches!(
			e,
			pallet_restaking::Event::SlashScheduled { service: 1, offender, amount, .. }
				if *offender == alice && *amount == VALIDATOR_BOND / 10
		)));
		// Not a signatory alone: the same report signed by one of them is refused.
		assert_eq!(
			Restaking::report_offence(RuntimeOrigin::signed(signers[0].clone()), 1, alice, 0, 1),
			Err(pallet_restaking::Error::<Runtime>::NotSlasher.into())
		);
		Restaking::do_try_state().unwrap();
	});
}

/// The worst case of restaking's `on_initialize`, as the runtime's weights charge it, with
/// `pages` delegators paged: every due slash of a block (`MaxSlashesPerBlock`, each landing with
/// a re-sync), `MaxCascadesPerBlock` cascade re-syncs and `MaxSweepPerBlock` sweep re-syncs of
/// restakers in `MaxServicesPerRestaker` services, `pages` visits of pages of reports against
/// operators (or of their moves passed on), each in a job of its own, and the prunings.
fn worst_case_on_initialize(pages: u32) -> Perbill {
	use frame_support::traits::Get;
	use pallet_restaking::{WeightInfo, RESTAKERS_WEIGHED};
	type W = pallet_restaking::weights::SubstrateWeight<Runtime>;
	type C = Runtime;
	let db = <C as frame_system::Config>::DbWeight::get();
	let services = <<C as pallet_restaking::Config>::MaxServicesPerRestaker as Get<u32>>::get();
	let slashes = <<C as pallet_restaking::Config>::MaxSlashesPerBlock as Get<u32>>::get();
	let cascades =
		u64::from(<<C as pallet_restaking::Config>::MaxCascadesPerBlock as Get<u32>>::get());
	let sweep = u64::from(<<C as pallet_restaking::Config>::MaxSweepPerBlock as Get<u32>>::get());
	let resync = W::resync(services, RESTAKERS_WEIGHED);
	let worst = W::on_initialize_idle()
		.saturating_add(W::apply_due_slashes(slashes))
		// Offence records pruned: operators' reports, and delegators' max-not-sum records.
		.saturating_add(db.reads_writes(u64::from(slashes) + 1, u64::from(slashes) + 1))
		.saturating_add(db.reads_writes(u64::from(slashes) + 1, u64::from(slashes) + 1))
		.saturating_add(resync.saturating_add(W::on_slash_hook()).saturating_mul(cascades))
		.saturating_add(resync.saturating_add(db.reads(1)).saturating_mul(sweep))
		.saturating_add(db.reads_writes(2, 2).saturating_mul(sweep))
		// The pages: at worst each visit another job's page of one delegator, with its queue
		// entry read; and the heads and tails of the two lanes of ready jobs.
		.saturating_add(
			Restaking::delegator_page_weight(1)
				.saturating_add(db.reads(1))
				.saturating_mul(pages.into()),
		)
		.saturating_add(db.reads_writes(5, 3));
	let block = <C as frame_system::Config>::BlockWeights::get().max_block;
	let share = Perbill::from_rational(worst.ref_time(), block.ref_time());
	println!("worst-case on_initialize, {pages} delegators paged: {share:?} of a block");
	share
}

/// With the production runtime's 2 delegators a block, the worst case stays within 10% of a
/// block; `fast-runtime`'s 10 (one-minute eras, a development configuration) take it to at most 20%.
#[test]
fn worst_case_on_initialize_is_at_most_a_tenth_of_a_block() {
	use crate::configs::{FAST_BOUNDS, PRODUCTION_BOUNDS};
	let production = worst_case_on_initialize(PRODUCTION_BOUNDS.max_delegator_slashes_per_block);
	assert!(production <= Perbill::from_percent(10), "production: {production:?} of a block");
	let fast = worst_case_on_initialize(FAST_BOUNDS.max_delegator_slashes_per_block);
	assert!(fast <= Perbill::from_percent(20), "fast-runtime: {fast:?} of a block");
	// docs/integration.md quotes both, from the generated weights.
	let doc = include_str!("../../docs/integration.md");
	for share in [production, fast] {
		let quoted = format!("{:.2}% of a block", f64::from(share.deconstruct()) / 1e7);
		assert!(doc.contains(&quoted), "docs/integration.md quotes {quoted}");
	}
}

/// The dev preset's operator and sample pool: Alice operates at 10% and `//Two` manages pool 0,
/// which delegates 10,000 `UNIT` to her, backs the sample service at once, nominates Alice, and
/// holds its deposit's shares.
#[test]
fn the_dev_preset_has_a_sample_pool_delegating_to_alice() {
	use genesis_config_presets::{SAMPLE_COMMISSION, SAMPLE_POOL, SAMPLE_POOL_DEPOSIT};
	let alice = account(Sr25519Keyring::Alice);
	let two = account(Sr25519Keyring::Two);
	let deposit = SAMPLE_POOL_DEPOSIT;
	assert_eq!((SAMPLE_POOL, SAMPLE_COMMISSION), (0, Perbill::from_percent(10)));
	assert_eq!(deposit, 10_000 * crate::UNIT);
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(Restaking::operator_view(&alice).map(|o| o.commission), Some(SAMPLE_COMMISSION));
		let view = Restaking::pool_view(0).unwrap();
		assert_eq!((view.manager, view.operator), (two, alice.clone()));
		assert_eq!((view.supply, view.active, view.rate_ppb), (deposit, deposit, 1_000_000_000));
		let pool = Restaking::pool_account(0);
		assert_eq!(Restaking::exposures_view(&pool).unwrap().positions[0].exposure, deposit);
		assert_eq!(
			Restaking::service_view(SAMPLE_SERVICE).unwrap().total_secured,
			SAMPLE_ALLOCATION + deposit
		);
		use sp_runtime::traits::Convert;
		use sp_staking::StakingInterface;
		assert_eq!(<Staking as StakingInterface>::nominations(&pool), Some(vec![alice]));
		let asset = crate::configs::RestakingPoolAsset::convert(0);
		assert_eq!(crate::Assets::balance(asset, &pool), deposit);
		Restaking::do_try_state().unwrap();
	});
}

/// A nomination pool beside restaking: Bob's pool takes Charlie's 500 `UNIT` and nominates Alice.
/// Its members keep their funds, held for it (`DelegateStake`), and staking records its account
/// as a virtual staker, which restaking refuses on every way in: no nomination pool's stake is
/// counted behind a service, since restaking could not slash its members. Every pallet's
/// invariants hold, nomination pools' value locked among them.
#[test]
fn a_nomination_pool_nominates_beside_restaking_but_cannot_restake() {
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		use crate::{Balances, NominationPools, UNIT};
		use frame_support::{assert_noop, traits::fungible::InspectHold};
		let (alice, bob, charlie) = (
			account(Sr25519Keyring::Alice),
			account(Sr25519Keyring::Bob),
			account(Sr25519Keyring::Charlie),
		);
		assert_ok!(NominationPools::create(
			RuntimeOrigin::signed(bob.clone()),
			1_000 * UNIT,
			bob.clone().into(),
			bob.clone().into(),
			bob.clone().into(),
		));
		let pool = NominationPools::generate_bonded_account(1);
		assert_ok!(NominationPools::nominate(
			RuntimeOrigin::signed(bob.clone()),
			1,
			vec![alice.clone()]
		));
		assert_ok!(NominationPools::join(RuntimeOrigin::signed(charlie.clone()), 500 * UNIT, 1));
		assert_eq!(bonded(&pool), 1_500 * UNIT);
		assert!(pallet_staking::VirtualStakers::<Runtime>::contains_key(&pool));
		assert_eq!(Balances::total_balance_on_hold(&charlie), 500 * UNIT);
		use pallet_restaking::Error::VirtualStaker;
		// The sample service's minimum stake is 1,000 `UNIT`: the pool has 1,500.
		assert_noop!(
			Restaking::opt_in(RuntimeOrigin::signed(pool.clone()), SAMPLE_SERVICE, 1_500 * UNIT),
			VirtualStaker::<Runtime>
		);
		assert_noop!(
			Restaking::delegate(RuntimeOrigin::signed(pool.clone()), alice.clone(), 1_500 * UNIT),
			VirtualStaker::<Runtime>
		);
		assert_eq!(Restaking::service_view(SAMPLE_SERVICE).unwrap().restakers, 2);
		try_state_of_every_pallet();
		Restaking::do_try_state().unwrap();
	});
}

/// The pallet README quotes `complete_opt_out`'s charge and, for a restaker in one service, its
/// refund to its own benchmark, from this runtime's weights.
#[test]
fn the_pallet_readme_quotes_complete_opt_outs_charge_and_refund() {
	use frame_support::traits::Get;
	use pallet_restaking::WeightInfo;
	let max = <<Runtime as pallet_restaking::Config>::MaxServicesPerRestaker as Get<u32>>::get();
	let one = Restaking::complete_opt_out_weight(1);
	assert_eq!(one, pallet_restaking::weights::SubstrateWeight::<Runtime>::complete_opt_out());
	let ms = |w: Weight| format!("{:.2} ms", w.ref_time() as f64 / 1e9);
	let quoted = format!(
		"{} charged, and {} (its benchmark) after the refund",
		ms(Restaking::complete_opt_out_weight(max)),
		ms(one)
	);
	let readme = include_str!("../../pallets/restaking/README.md");
	assert!(readme.contains(&quoted), "the pallet README quotes {quoted}");
}
