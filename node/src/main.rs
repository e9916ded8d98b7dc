//! `restaking-node`: a Substrate node for the restaking runtime.

// `sc_cli::Error` and `sc_service::Error` are the SDK's error types, returned by every command
// and service builder; boxing them here would only hide them.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
