//! Runtime-level tests: genesis from each preset, real blocks across era boundaries, service
//! and base-layer slashes cascading, and `simulate_slash` against the real thing.

use crate::{
	configs::{SampleDisputeWindow, SessionsPerEra, SlashDeferDuration},
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

fn ext_from_preset(preset: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&preset.into()).expect("preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, serde_json::from_slice(&patch).unwrap());
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
		assert_eq!((service.total_secured, service.restakers), (SAMPLE_ALLOCATION, 1));
		let view = Restaking::exposures_view(&alice).unwrap();
		assert_eq!(view.positions[0].exposure, SAMPLE_ALLOCATION);
		Restaking::do_try_state().unwrap();
	});
}

#[test]
fn local_testnet_preset_has_four_validators_in_the_sample_service() {
	ext_from_preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let mut validators = Session::validators();
		validators.sort();
		let mut expected: Vec<_> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.into_iter()
		.map(account)
		.collect();
		expected.sort();
		assert_eq!(validators, expected);
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
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
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
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
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
		// scaled again, by (20,000 - 2 units) / 30,000 (one unit of rounding per position).
		let (sample, bridged) = ((left - 2) * 2 / 3, (left - 2) * 4 / 3);
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
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
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
	use crate::configs::{EpochDuration, RestakingMaxPendingPerService, RestakingMaxServices};
	use frame_support::traits::Get;
	// Every service at its pending bound, all due in the same era: the era-boundary path lands
	// `MaxSlashesPerBlock` a block, and must be done before the era ends, when the unlocking
	// chunks the slashes counted on could start to be withdrawn.
	let backlog = RestakingMaxServices::get() * RestakingMaxPendingPerService::get();
	let per_block = <Runtime as pallet_restaking::Config>::MaxSlashesPerBlock::get();
	let blocks_per_era = EpochDuration::get() * SessionsPerEra::get();
	let blocks_to_drain = backlog.div_ceil(per_block);
	assert!(
		blocks_to_drain <= blocks_per_era,
		"{backlog} slashes take {blocks_to_drain} blocks, an era has {blocks_per_era}"
	);
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
	ext_from_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
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
