//! Tests against the real pallet-staking; one behaviour per test, invariants checked after each.
//!
//! With feature `staking-async`, the modules in [`on_staking_async`] run again, the same test
//! bodies, on the real pallet-staking-async (`crate::mock_async`): a module names its world as
//! `super::mock`.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing
)]

mod allocation;
mod attacks;
mod bounded_risk;
mod cascade;
mod deadline_attacks;
mod delegation;
mod delegation_model;
mod docs;
mod fanout_attacks;
mod guarantees;
mod model;
mod model_check;
mod pool_model;
mod pool_rewards;
mod pools;
mod rewards;
mod second_review;
mod second_review_attacks;
mod services;
mod set_delegation_attacks;
mod slashing;
mod views;

use crate::mock;

/// The same test bodies on pallet-staking-async, plus its own cases (`staking_async.rs`).
#[cfg(feature = "staking-async")]
#[allow(clippy::duplicate_mod)]
mod on_staking_async;
