#!/usr/bin/env bash
# Packages the two publishable crates as crates.io would get them, checks what the packages
# hold, and compiles a runtime outside this workspace against the packaged sources.
#
# 1. `cargo package --no-verify` for `pallet-restaking-runtime-api` and `pallet-restaking`
#    (verifying would build them once more with another feature set: minutes of CI for what
#    step 3 checks anyway). The listings must hold the manifest, README, sources and, for the
#    pallet, the CHANGELOG; nothing else of the workspace.
# 2. The packaged manifests name no path dependency and no `=` requirement, and carry the
#    crates.io metadata; the runtime API crate depends on no pallet.
# 3. A copy of the workspace's runtime and node, outside this workspace, whose
#    `pallet-restaking` and `pallet-restaking-runtime-api` are crates.io dependencies patched to
#    the unpacked packages, is built (`cargo build`, no WASM) with the workspace's features and
#    `Cargo.lock`, so every other dependency comes from the test build's cache (a `cargo check`
#    would type-check every dependency once more). Its runtime and node are renamed
#    `consumer-runtime` and `consumer-node`, so that they share no build unit with the
#    workspace's own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

ROOT="$PWD"
OUT="$CARGO_TARGET_DIR/package"
WORK="${PACKAGE_CHECK_DIR:-$(mktemp -d)}"
mkdir -p "$WORK"
[ -n "${PACKAGE_CHECK_DIR:-}" ] || trap 'rm -rf "$WORK"' EXIT
CRATES=(pallet-restaking-runtime-api pallet-restaking)
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)

echo "== cargo package (${CRATES[*]} $VERSION)"
cargo package --locked --no-verify --allow-dirty -p pallet-restaking-runtime-api -p pallet-restaking

fail() {
	echo "error: $*" >&2
	exit 1
}

for crate in "${CRATES[@]}"; do
	file="$OUT/$crate-$VERSION.crate"
	[ -f "$file" ] || fail "$file was not written"
	listing=$(tar -tzf "$file" | sed "s|^$crate-$VERSION/||" | sort)
	echo "-- $crate-$VERSION.crate: $(echo "$listing" | wc -l) files, $(du -k "$file" | cut -f1) KiB"
	echo "$listing" | sed 's/^/   /'
	required=(Cargo.toml Cargo.toml.orig README.md src/lib.rs)
	[ "$crate" = pallet-restaking ] && required+=(CHANGELOG.md src/weights.rs)
	for needed in "${required[@]}"; do
		echo "$listing" | grep -qx "$needed" || fail "$crate: the package lacks $needed"
	done
	# Nothing from elsewhere in the workspace: no other crate, no build output, no node_modules.
	if echo "$listing" | grep -E '^(runtime-api/|target/|node_modules/|\.)' | grep -v '^\.cargo_vcs_info\.json$'; then
		fail "$crate: the package holds files that are not the crate's"
	fi
	rm -rf "${WORK:?}/$crate-$VERSION"
	tar -xzf "$file" -C "$WORK"
	manifest="$WORK/$crate-$VERSION/Cargo.toml"
	if grep -nE '(^|[^.])path = |"=' "$manifest" | grep -v '^[0-9]*:path = "src/lib.rs"$'; then
		fail "$crate: the packaged manifest has a path dependency or an exact (=) requirement"
	fi
	for key in description license repository documentation readme keywords categories; do
		grep -q "^$key = " "$manifest" || fail "$crate: the packaged manifest has no $key"
	done
done

echo "== pallet-restaking-runtime-api depends on neither pallet-restaking nor pallet-staking"
if cargo tree --locked -p pallet-restaking-runtime-api -e normal --prefix none | grep -E '^pallet-(restaking|staking) '; then
	fail "pallet-restaking-runtime-api pulls in a pallet"
fi

echo "== a runtime outside this workspace on the packaged crates ($WORK/consumer)"
rm -rf "$WORK/consumer"
mkdir -p "$WORK/consumer"
cp -r runtime node Cargo.lock rustfmt.toml "$WORK/consumer/"
# The workspace manifest, with the two crates taken from "crates.io" (patched to the packages).
sed -e '/^members = /s/.*/members = ["node", "runtime"]/' \
	-e "s|^pallet-restaking = .*|pallet-restaking = { version = \"$VERSION\", default-features = false, features = [\"pallet-staking\"] }|" \
	-e "s|^pallet-restaking-runtime-api = .*|pallet-restaking-runtime-api = { version = \"$VERSION\", default-features = false }|" \
	Cargo.toml >"$WORK/consumer/Cargo.toml"
cat >>"$WORK/consumer/Cargo.toml" <<EOF

[patch.crates-io]
pallet-restaking = { path = "$WORK/pallet-restaking-$VERSION" }
pallet-restaking-runtime-api = { path = "$WORK/pallet-restaking-runtime-api-$VERSION" }
EOF
grep -q 'path = "pallets' "$WORK/consumer/Cargo.toml" && fail "the consumer still names the workspace's crates"
# Renamed (`consumer-runtime`, `consumer-node`, the binary too): cargo hashes a path package by
# its path within its workspace, so under their own names these would share the build units of
# the workspace's runtime and node and force a rebuild of both afterwards (and the node binary
# would be replaced by one without the WASM runtime).
sed -i 's/^name = "restaking-runtime"$/name = "consumer-runtime"/' "$WORK/consumer/runtime/Cargo.toml"
sed -i -e 's/^name = "restaking-node"$/name = "consumer-node"/' \
	-e 's|^restaking-runtime = { path = "../runtime" }$|restaking-runtime = { package = "consumer-runtime", path = "../runtime" }|' \
	"$WORK/consumer/node/Cargo.toml"
[ "$(grep -c '^name = "consumer-node"$' "$WORK/consumer/node/Cargo.toml")" = 2 ] &&
	grep -q 'package = "consumer-runtime"' "$WORK/consumer/node/Cargo.toml" &&
	grep -q '^name = "consumer-runtime"$' "$WORK/consumer/runtime/Cargo.toml" ||
	fail "the consumer's runtime and node were not renamed"
CONSUMER_FEATURES=("${RESTAKING_FEATURES[@]//restaking-node\//consumer-node/}")
(
	cd "$WORK/consumer"
	export WASM_BUILD_WORKSPACE_HINT="$PWD"
	# Not `--locked`: the lock drops the packaged crates' dev-dependencies (they are no longer
	# workspace members). `--offline` keeps every other version as this workspace locked it.
	# The runtime's own skip variable, not SKIP_WASM_BUILD: every WASM builder in the tree watches
	# that one, and a change would rebuild frame-benchmarking-cli and the node in the workspace.
	SKIP_CONSUMER_RUNTIME_WASM_BUILD=1 cargo build --offline -p consumer-runtime -p consumer-node "${CONSUMER_FEATURES[@]}"
	# The patched crates are the packages, not this repository's sources, and the SDK is the
	# version this workspace is tested with.
	cargo tree --offline -p consumer-runtime -i pallet-restaking -e normal --depth 0 | tee "$WORK/tree.txt"
	grep -q "$WORK/pallet-restaking-$VERSION" "$WORK/tree.txt" || fail "the runtime did not use the packaged pallet"
	for crate in pallet-staking frame-support sp-runtime; do
		ours=$(grep -A1 "^name = \"$crate\"$" "$ROOT/Cargo.lock" | sed -n 's/^version = //p')
		theirs=$(grep -A1 "^name = \"$crate\"$" Cargo.lock | sed -n 's/^version = //p')
		[ "$ours" = "$theirs" ] || fail "$crate resolved to $theirs outside the workspace, $ours inside"
	done
)
echo "packages ok: $OUT/pallet-restaking-$VERSION.crate, $OUT/pallet-restaking-runtime-api-$VERSION.crate"
