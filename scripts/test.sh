#!/usr/bin/env bash
# Installs what is needed (build and test dependencies), builds, and runs every test:
# the GoogleTest unit suites and the integration suites with real Sentry clients.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/test-deps.sh
make build
make check
