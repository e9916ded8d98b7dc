//! The same test bodies on pallet-staking-async (`crate::mock_async`), plus its own cases
//! (`staking_async.rs`). Each module names its world as `super::mock`.
//!
//! Not here yet: `bounded_risk.rs`, `cascade.rs`, `views.rs` and `rewards.rs` name
//! pallet-staking's own storage, offence handler or era payout; `fanout_attacks.rs` pins era
//! boundaries to pallet-staking's block numbers; the model harnesses (`model_check.rs`,
//! `delegation_model.rs`) run on pallet-staking only.

use crate::mock_async as mock;

#[path = "allocation.rs"]
mod allocation;
#[path = "attacks.rs"]
mod attacks;
#[path = "deadline_attacks.rs"]
mod deadline_attacks;
#[path = "delegation.rs"]
mod delegation;
#[path = "guarantees.rs"]
mod guarantees;
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
