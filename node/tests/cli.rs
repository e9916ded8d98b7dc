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

#[test]
fn production_template_has_real_bounds_and_no_well_known_keys_or_sudo() {
	let spec = chain_spec("production");
	assert_eq!(spec["chainType"], "Live");
	let genesis = &spec["genesis"]["runtimeGenesis"]["patch"];
	let staking = &genesis["staking"];
	// 10,000 and 100 UNIT (12 decimals).
	assert_eq!(staking["minValidatorBond"], 10_000_000_000_000_000u64);
	assert_eq!(staking["minNominatorBond"], 100_000_000_000_000u64);
	assert_eq!(
		(staking["maxValidatorCount"].clone(), staking["maxNominatorCount"].clone()),
		(1_000.into(), 4_000.into())
	);
	assert_eq!(staking["validatorCount"], 20);
	assert!(genesis["sudo"]["key"].is_null(), "no sudo key: {}", genesis["sudo"]);
	for absent in ["balances", "session", "council", "restaking"] {
		assert!(genesis.get(absent).is_none(), "{absent} is the operator's: {}", genesis[absent]);
	}
	assert!(staking.get("stakers").is_none());
}

/// Without `--chain` (or `--dev`) the node refuses to start, instead of running the local
/// testnet with well-known keys.
#[test]
fn without_a_chain_the_node_refuses_to_start() {
	let dir = std::env::temp_dir().join(format!("restaking-no-chain-{}", std::process::id()));
	let mut child = node()
		.args(["--base-path", dir.to_str().unwrap(), "--rpc-port", "0", "--port", "0"])
		.stdout(std::process::Stdio::null())
		.stderr(std::process::Stdio::piped())
		.spawn()
		.expect("node starts");
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
	let status = loop {
		if let Some(status) = child.try_wait().expect("waits") {
			break status;
		}
		if std::time::Instant::now() > deadline {
			let _ = child.kill();
			panic!("the node ran without a chain");
		}
		std::thread::sleep(std::time::Duration::from_millis(100));
	};
	let _ = std::fs::remove_dir_all(&dir);
	assert!(!status.success());
	let mut stderr = String::new();
	std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
	assert!(stderr.contains("no chain given"), "{stderr}");
}
