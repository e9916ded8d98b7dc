//! The same test bodies on pallet-staking-async (`crate::mock_async`), plus its own cases
//! (`staking_async.rs`). Each module names its world as `super::mock`.

use crate::mock_async as mock;

#[path = "allocation.rs"]
mod allocation;
#[path = "delegation.rs"]
mod delegation;
#[path = "guarantees.rs"]
mod guarantees;
#[path = "second_review.rs"]
mod second_review;
#[path = "services.rs"]
mod services;
#[path = "slashing.rs"]
mod slashing;
#[path = "staking_async.rs"]
mod staking_async;
