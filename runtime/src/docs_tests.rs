//! The docs name only what the runtime has: every `api.tx`, `api.query`, `api.consts`,
//! `api.events` and `api.errors` item and every `api.call` runtime API method that the READMEs
//! and `docs/*.md` name (in examples and in prose), and every `restaking.Name` event or error,
//! exists in this runtime's metadata under the name polkadot-js gives it (or, for the
//! polkadot-api examples, the name polkadot-api gives it).

use crate::Runtime;
use std::collections::BTreeSet;

/// The documents checked, relative to the repository root, with their text.
fn documents() -> Vec<(String, String)> {
	let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
	let mut files: Vec<String> = [
		"README.md",
		"e2e/README.md",
		"pallets/restaking/README.md",
		"pallets/restaking/CHANGELOG.md",
		"pallets/restaking/runtime-api/README.md",
	]
	.map(String::from)
	.to_vec();
	let mut docs: Vec<String> = std::fs::read_dir(root.join("docs"))
		.expect("docs/")
		.filter_map(|e| e.ok())
		.map(|e| e.file_name().to_string_lossy().into_owned())
		.filter(|name| name.ends_with(".md"))
		.map(|name| format!("docs/{name}"))
		.collect();
	docs.sort();
	files.extend(docs);
	files
		.into_iter()
		.map(|f| {
			let text =
				std::fs::read_to_string(root.join(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
			(f, text)
		})
		.collect()
}

/// `snake_case` or `PascalCase` as polkadot-js writes it: `camelCase`.
fn camel(name: &str) -> String {
	let mut out = String::new();
	let mut upper = false;
	for (i, c) in name.chars().enumerate() {
		if c == '_' {
			upper = true;
		} else if i == 0 {
			out.extend(c.to_lowercase());
		} else if upper {
			out.extend(c.to_uppercase());
			upper = false;
		} else {
			out.push(c);
		}
	}
	out
}

/// The variant names of a metadata type.
fn variants(ty: &scale_info::MetaType) -> Vec<String> {
	match ty.type_info().type_def {
		scale_info::TypeDef::Variant(def) => {
			def.variants.iter().map(|v| v.name.to_string()).collect()
		}
		_ => Vec::new(),
	}
}

/// Every name polkadot-js has for this runtime: `tx.pallet.call`, `query.pallet.item`,
/// `consts.pallet.item`, `events.pallet.Name`, `errors.pallet.Name`, `call.api.method`; and
/// polkadot-api's: `tx.Pallet.call`, `query.Pallet.Item`, `constants.Pallet.Item`,
/// `apis.Api.method`.
fn known_names() -> BTreeSet<String> {
	let ir = Runtime::metadata_ir();
	let mut known = BTreeSet::new();
	for pallet in &ir.pallets {
		let p = camel(pallet.name);
		if let Some(calls) = &pallet.calls {
			known.extend(variants(&calls.ty).iter().map(|c| format!("tx.{p}.{}", camel(c))));
		}
		if let Some(storage) = &pallet.storage {
			known.extend(storage.entries.iter().map(|e| format!("query.{p}.{}", camel(e.name))));
		}
		known.extend(pallet.constants.iter().map(|c| format!("consts.{p}.{}", camel(c.name))));
		if let Some(event) = &pallet.event {
			known.extend(variants(&event.ty).iter().map(|e| format!("events.{p}.{e}")));
		}
		if let Some(error) = &pallet.error {
			known.extend(variants(&error.ty).iter().map(|e| format!("errors.{p}.{e}")));
		}
	}
	for api in &ir.apis {
		let a = camel(api.name);
		known.extend(api.methods.iter().map(|m| format!("call.{a}.{}", camel(m.name))));
	}
	// polkadot-api (PAPI) keeps the runtime's own names: `api.tx.Restaking.opt_in`,
	// `api.query.Restaking.Services`, `api.constants.Restaking.MaxLeverage`,
	// `api.apis.RestakingApi.simulate_slash`.
	for pallet in &ir.pallets {
		let p = pallet.name;
		if let Some(calls) = &pallet.calls {
			known.extend(variants(&calls.ty).iter().map(|c| format!("tx.{p}.{c}")));
		}
		if let Some(storage) = &pallet.storage {
			known.extend(storage.entries.iter().map(|e| format!("query.{p}.{}", e.name)));
		}
		known.extend(pallet.constants.iter().map(|c| format!("constants.{p}.{}", c.name)));
	}
	for api in &ir.apis {
		known.extend(api.methods.iter().map(|m| format!("apis.{}.{}", api.name, m.name)));
	}
	known
}

/// An identifier at the start of `text`.
fn ident(text: &str) -> &str {
	let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
	&text[..end]
}

/// The `kind.pallet.item` names `text` uses: `api.<kind>.<pallet>.<item>`, and
/// `restaking.<Name>` (an event or error, as the docs and polkadot-js name them).
fn names_used(text: &str) -> Vec<String> {
	let mut used = Vec::new();
	for (at, _) in text.match_indices("api.") {
		let rest = &text[at + 4..];
		let kind = ident(rest);
		if !["tx", "query", "consts", "constants", "events", "errors", "call", "apis"]
			.contains(&kind)
		{
			continue;
		}
		let rest = &rest[kind.len()..];
		let Some(rest) = rest.strip_prefix('.') else { continue };
		let pallet = ident(rest);
		let Some(rest) = rest[pallet.len()..].strip_prefix('.') else { continue };
		let item = ident(rest);
		if !pallet.is_empty() && !item.is_empty() {
			used.push(format!("{kind}.{pallet}.{item}"));
		}
	}
	for (at, _) in text.match_indices("restaking.") {
		// `api.events.restaking.X` is counted above; `restakingApi` is not a pallet.
		let before = &text[..at];
		if before.ends_with('.') || before.ends_with(|c: char| c.is_ascii_alphanumeric()) {
			continue;
		}
		let name = ident(&text[at + "restaking.".len()..]);
		if name.starts_with(|c: char| c.is_ascii_uppercase()) {
			used.push(format!("restaking.{name}"));
		}
	}
	for (at, _) in text.match_indices("restaking\\.") {
		let name = ident(&text[at + "restaking\\.".len()..]);
		if name.starts_with(|c: char| c.is_ascii_uppercase()) {
			used.push(format!("restaking.{name}"));
		}
	}
	used
}

#[test]
fn every_call_event_error_and_api_method_the_docs_name_exists() {
	let known = known_names();
	assert!(
		known.contains("tx.restaking.optIn") && known.contains("call.restakingApi.simulateSlash")
	);
	let mut missing = Vec::new();
	let mut checked = 0;
	for (file, text) in documents() {
		for name in names_used(&text) {
			checked += 1;
			let found = match name.strip_prefix("restaking.") {
				Some(item) => {
					known.contains(&format!("events.restaking.{item}"))
						|| known.contains(&format!("errors.restaking.{item}"))
				}
				None => known.contains(&name),
			};
			if !found {
				missing.push(format!("{file}: {name}"));
			}
		}
	}
	assert!(checked > 200, "the docs name {checked} items");
	assert!(missing.is_empty(), "named in the docs, not in the runtime:\n{}", missing.join("\n"));
}

#[test]
fn the_docs_check_reads_names_as_polkadot_js_writes_them() {
	let text = "`api.tx.restaking.optIn(0, 1)`, /restaking\\.NotSlasher/, `restaking.Bogus`, \
		api.call.restakingApi.simulateSlash, restakingApi.services, api.registry.findMetaError, \
		api.apis.RestakingApi.simulate_slash(1)";
	assert_eq!(
		names_used(text),
		vec![
			"tx.restaking.optIn",
			"call.restakingApi.simulateSlash",
			"apis.RestakingApi.simulate_slash",
			"restaking.Bogus",
			"restaking.NotSlasher"
		]
	);
	let known = known_names();
	assert!(known.contains("errors.restaking.NotSlasher"));
	assert!(
		known.contains("apis.RestakingApi.simulate_slash") && known.contains("tx.Restaking.opt_in")
	);
	assert!(!known.contains("events.restaking.Bogus") && !known.contains("errors.restaking.Bogus"));
	assert_eq!(camel("pending_slashes_of"), "pendingSlashesOf");
	assert_eq!(camel("TransactionPayment"), "transactionPayment");
}
