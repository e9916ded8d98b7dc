//! Checks that the pallet's README, which is also the crate documentation, says what the code
//! does: its tables of calls, events, errors and `Config` items list exactly the pallet's, in
//! order, and the windows rule it states is the one the code checks.

use crate::mock::Test;

const README: &str = include_str!("../../README.md");

/// The first backticked name of each table row of section `heading`, up to `(`, ` ` or `` ` ``.
fn table_names(heading: &str) -> Vec<&'static str> {
	let section = README
		.split(&format!("\n## {heading}\n"))
		.nth(1)
		.unwrap_or_else(|| panic!("a {heading} section"));
	let section = section.split("\n## ").next().unwrap_or_default();
	section
		.lines()
		.filter(|line| line.starts_with('|'))
		.filter_map(|line| line.split('`').nth(1))
		.map(|name| name.split(['(', ' ']).next().unwrap_or_default())
		.collect()
}

/// The variant names of an enum type, in index order.
fn variants<T: scale_info::TypeInfo>() -> Vec<&'static str> {
	let scale_info::TypeDef::Variant(def) = T::type_info().type_def else { panic!("an enum") };
	let mut variants: Vec<_> = def.variants.iter().map(|v| (v.index, v.name)).collect();
	variants.sort();
	variants.into_iter().map(|(_, name)| name).collect()
}

#[test]
fn the_readme_error_table_lists_every_error_in_order() {
	assert_eq!(table_names("Errors"), variants::<crate::Error<Test>>());
}

#[test]
fn the_readme_call_table_lists_every_call_in_order() {
	let calls: Vec<_> = variants::<crate::Call<Test>>()
		.into_iter()
		.filter(|name| !name.starts_with("__"))
		.collect();
	assert_eq!(table_names("Calls"), calls);
}

#[test]
fn the_readme_event_table_lists_every_event_in_order() {
	assert_eq!(table_names("Events"), variants::<crate::Event<Test>>());
}

#[test]
fn the_readme_config_table_lists_every_config_item_in_order() {
	let source = include_str!("../lib.rs");
	let config = source.split("pub trait Config").nth(1).expect("the Config trait");
	let config = config.split("\n\t}\n").next().unwrap_or_default();
	let items: Vec<&str> = config
		.lines()
		.filter_map(|line| line.trim_start().strip_prefix("type "))
		.filter_map(|rest| rest.split([':', ' ', ';']).next())
		.collect();
	assert!(items.len() > 20, "parsed the Config trait: {items:?}");
	assert_eq!(table_names("Config"), items);
}

/// The crate docs and the README are one text, and the windows rule in it has the margin the
/// code checks: `ReportWindow + dispute_window + 2 < BondingDuration`.
#[test]
fn the_readme_is_the_crate_documentation_and_states_the_windows_rule_of_the_code() {
	let lib = include_str!("../lib.rs");
	assert!(lib.contains("#![doc = include_str!(\"../README.md\")]"));
	assert!(!lib.lines().any(|line| line.starts_with("//!")), "no second copy of the crate docs");
	assert!(
		README.contains("`ReportWindow + dispute_window + 1 + withdraw_lead < BondingDuration`")
	);
	assert!(README.contains("`ReportWindow + dispute_window + 2 < BondingDuration`"));
	let positions = include_str!("../positions.rs");
	assert!(positions.contains(
		"T::ReportWindow::get().saturating_add(backing_window).saturating_add(withdraw_lead)"
	));
	assert!(positions.contains("< unbonding"));
	let services = include_str!("../services.rs");
	assert!(services.contains("params.dispute_window.saturating_add(1),"));
	assert!(services.contains("T::Staking::bonding_duration(),"));
}
