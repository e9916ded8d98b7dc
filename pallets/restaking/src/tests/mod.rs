//! Tests against the real pallet-staking; one behaviour per test, invariants checked after each.

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
mod rewards;
mod second_review;
mod second_review_attacks;
mod services;
mod set_delegation_attacks;
mod slashing;
#[cfg(feature = "staking-async")]
mod staking_async;
mod views;
