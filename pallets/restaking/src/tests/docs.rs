//! Checks that the pallet's README says what the code does.

use crate::mock::Test;

/// The names in the README's error table, in order.
fn readme_errors() -> Vec<&'static str> {
	let readme = include_str!("../../README.md");
	let section = readme.split("\n## Errors\n").nth(1).expect("an Errors section");
	let section = section.split("\n## ").next().unwrap_or_default();
	section
		.lines()
		.filter_map(|line| line.strip_prefix("| `"))
		.filter_map(|rest| rest.split('`').next())
		.collect()
}

#[test]
fn the_readme_error_table_lists_every_error_in_order() {
	let info = <crate::Error<Test> as scale_info::TypeInfo>::type_info();
	let scale_info::TypeDef::Variant(def) = info.type_def else { panic!("errors are an enum") };
	let variants: Vec<&str> = def.variants.iter().map(|v| v.name).collect();
	assert_eq!(readme_errors(), variants);
}
