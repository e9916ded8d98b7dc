//! Chain specs built from the runtime's genesis presets.

use restaking_runtime::WASM_BINARY;
use sc_service::ChainType;

/// The chain spec of this node.
pub type ChainSpec = sc_service::GenericChainSpec;

fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), "RSTK".into());
	properties.insert("tokenDecimals".into(), 12.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

/// `--dev`: Alice validates alone, with the sample service and Alice in it.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(
		WASM_BINARY.ok_or_else(|| "Development wasm not available".to_string())?,
		None,
	)
	.with_name("Restaking Development")
	.with_id("restaking_dev")
	.with_chain_type(ChainType::Development)
	.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
	.with_properties(properties())
	.build())
}

/// `--chain local`: Alice, Bob, Charlie and Dave validate.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(
		WASM_BINARY.ok_or_else(|| "Development wasm not available".to_string())?,
		None,
	)
	.with_name("Restaking Local Testnet")
	.with_id("restaking_local_testnet")
	.with_chain_type(ChainType::Local)
	.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
	.with_properties(properties())
	.build())
}

/// `--chain production`: the `production` preset, a template without validators. Print it with
/// `export-chain-spec --chain production`, add your validators, their session keys, balances and the
/// council (docs/deploying.md), and start the node with `--chain <your spec>`; run as is, its
/// genesis fails for want of validators.
pub fn production_chain_spec_template() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(WASM_BINARY.ok_or_else(|| "wasm not available".to_string())?, None)
		.with_name("Restaking")
		.with_id("restaking")
		.with_chain_type(ChainType::Live)
		.with_genesis_config_preset_name(
			restaking_runtime::genesis_config_presets::PRODUCTION_PRESET,
		)
		.with_properties(properties())
		.build())
}
