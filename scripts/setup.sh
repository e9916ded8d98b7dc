#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test this project. Safe to run again.
set -euo pipefail

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
# Debian's Chromium, for the dashboard's browser tests (puppeteer-core drives /usr/bin/chromium;
# no browser is ever downloaded).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
	echo "setup: installing ${need_apt[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
	rustup target list --installed | grep -qx wasm32v1-none || rustup target add wasm32v1-none
	rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
	rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
fi

# Node.js is on the machine; end-to-end tests and the dashboard install their own npm packages
# from e2e/ and dashboard/.
echo "setup: done"
