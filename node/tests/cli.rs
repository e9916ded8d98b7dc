//! The node binary's subcommands, run as a user runs them.

use std::process::Command;

fn node() -> Command {
	Command::new(env!("CARGO_BIN_EXE_restaking-node"))
}

#[test]
fn version_names_the_node() {
	let out = node().arg("--version").output().expect("node runs");
	assert!(out.status.success());
	assert!(String::from_utf8_lossy(&out.stdout).starts_with("restaking-node"));
}

fn chain_spec(chain: &str) -> serde_json::Value {
	let out = node().args(["export-chain-spec", "--chain", chain]).output().expect("node runs");
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	serde_json::from_slice(&out.stdout).expect("chain spec is JSON")
}

#[test]
fn dev_chain_spec_carries_the_sample_service_with_alice_in_it() {
	let spec = chain_spec("dev");
	assert_eq!(spec["id"], "restaking_dev");
	let genesis = &spec["genesis"]["runtimeGenesis"]["patch"];
	let restaking = &genesis["restaking"];
	assert_eq!(restaking["services"].as_array().map(Vec::len), Some(1));
	assert_eq!(restaking["optIns"].as_array().map(Vec::len), Some(1));
	assert_eq!(genesis["staking"]["validatorCount"], 1);
	assert_eq!(spec["properties"]["tokenSymbol"], "RSTK");
}

#[test]
fn local_chain_spec_has_four_validators() {
	let spec = chain_spec("local");
	let genesis = &spec["genesis"]["runtimeGenesis"]["patch"];
	assert_eq!(genesis["staking"]["validatorCount"], 4);
	assert_eq!(genesis["session"]["keys"].as_array().map(Vec::len), Some(4));
	assert_eq!(genesis["restaking"]["optIns"].as_array().map(Vec::len), Some(4));
}
