#!/usr/bin/env bash
# Installs what is needed, builds, and runs the server on its embedded SQLite default.
# Extra arguments go to `lighttrace serve` (e.g. --listen 0.0.0.0:8000 --data /var/lib/lighttrace).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
make build
exec ./build/lighttrace serve "$@"
