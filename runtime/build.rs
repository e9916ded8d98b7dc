//! Builds the runtime's WASM blob with `substrate-wasm-builder` (target `wasm32v1-none`); with
//! the `metadata-hash` feature, the WASM build also computes the metadata hash that
//! `CheckMetadataHash` checks (token `RSTK`, 12 decimals, as the chain spec's properties).

fn main() {
	#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
	{
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
	#[cfg(all(feature = "std", feature = "metadata-hash"))]
	{
		substrate_wasm_builder::WasmBuilder::init_with_defaults()
			.enable_metadata_hash("RSTK", 12)
			.build();
	}
}
