#!/usr/bin/env bash
# Builds the web dashboard when needed and serves it on http://127.0.0.1:8080/ for the dev chain
# at ws://127.0.0.1:9944 (start it with ./scripts/run-dev-chain.sh). Ctrl-C stops the server.
#
#   ./scripts/dashboard.sh [--port N] [--ws URL]
#
# --port: where to serve the page (also DASHBOARD_PORT); --ws: the node the page opens (the
# page has a field to change it too).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	echo "usage: $0 [--port N] [--ws ws://host:port]" >&2
	exit 2
}

port="${DASHBOARD_PORT:-8080}"
ws="ws://127.0.0.1:9944"
while [ $# -gt 0 ]; do
	case "$1" in
	--port) [ $# -ge 2 ] || usage; port="$2"; shift 2 ;;
	--port=*) port="${1#*=}"; shift ;;
	--ws) [ $# -ge 2 ] || usage; ws="$2"; shift 2 ;;
	--ws=*) ws="${1#*=}"; shift ;;
	-h | --help) usage ;;
	*) echo "unknown option: $1" >&2; usage ;;
	esac
done

command -v npm >/dev/null 2>&1 || { echo "error: Node.js 20+ and npm are needed" >&2; exit 1; }
cd dashboard

# Packages: installed from the lockfile when missing or older than it.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "dashboard: npm ci"
	npm ci --no-audit --no-fund
fi

# The page: rebuilt when dist/ is missing or older than its sources.
if [ ! -f dist/.built ] ||
	[ -n "$(find src build.js package.json package-lock.json -newer dist/.built -print -quit)" ]; then
	echo "dashboard: npm run build"
	npm run --silent build
fi

exec node serve.js --port "$port" --ws "$ws"
