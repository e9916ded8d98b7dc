//! The same test bodies on pallet-staking-async (`crate::mock_async`), plus its own cases
//! (`staking_async.rs`). Each module names its world as `super::mock`.
//!
//! The model harnesses (`model_check.rs` with `model.rs`, `delegation_model.rs`) run here with
//! `MODEL_CASES_PERCENT` of their committed cases. Not here: `docs.rs`, which checks the docs.

use crate::mock_async as mock;

#[path = "allocation.rs"]
mod allocation;
#[path = "attacks.rs"]
mod attacks;
#[path = "bounded_risk.rs"]
mod bounded_risk;
#[path = "cascade.rs"]
mod cascade;
#[path = "deadline_attacks.rs"]
mod deadline_attacks;
#[path = "delegation.rs"]
mod delegation;
#[path = "delegation_model.rs"]
mod delegation_model;
#[path = "fanout_attacks.rs"]
mod fanout_attacks;
#[path = "guarantees.rs"]
mod guarantees;
#[path = "model.rs"]
mod model;
#[path = "model_check.rs"]
mod model_check;
#[path = "pool_model.rs"]
mod pool_model;
#[path = "pools.rs"]
mod pools;
#[path = "rewards.rs"]
mod rewards;
#[path = "second_review.rs"]
mod second_review;
#[path = "second_review_attacks.rs"]
mod second_review_attacks;
#[path = "services.rs"]
mod services;
#[path = "set_delegation_attacks.rs"]
mod set_delegation_attacks;
#[path = "slashing.rs"]
mod slashing;
#[path = "staking_async.rs"]
mod staking_async;
#[path = "views.rs"]
mod views;
