#!/usr/bin/env bash
# Installs the Debian 12 packages LightTrace needs to build and run. Idempotent: when every
# package is already installed it does nothing (no apt-get update either).
set -euo pipefail

packages=(
  build-essential make cmake ninja-build pkg-config ca-certificates
  libboost-dev libsimdjson-dev libzstd-dev libbrotli-dev zlib1g-dev libdeflate-dev libsqlite3-dev
  libsodium-dev libssl-dev libpcre2-dev libgtest-dev libbenchmark-dev uap-core libyaml-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  # env after sudo: sudo resets the environment, a DEBIAN_FRONTEND before it would not reach apt
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
