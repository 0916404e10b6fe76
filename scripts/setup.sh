#!/usr/bin/env bash
# Installs whatever is missing on a Debian 12 machine (as root) and builds
# everything: system packages, pnpm and the workspace's node packages, the
# native addon, the BPF objects and the TypeScript. Safe to run again: each
# step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  clang llvm libbpf-dev libelf-dev zlib1g-dev libpcap-dev bpftool make g++ pkg-config
  iproute2 nftables conntrack iputils-ping tcpdump tshark bpftrace netcat-openbsd
  qemu-system-x86 busybox-static kmod cpio xz-utils zstd
)
PNPM_VERSION=$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' package.json)

log() { printf '==> %s\n' "$*" >&2; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null; then
  log "installing Node.js"
  apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

log "installing node packages"
pnpm install --frozen-lockfile --reporter=silent

log "building (native addon, BPF objects, TypeScript)"
build_log=$(mktemp)
if ! pnpm run --silent build >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  log "build failed"
  exit 1
fi
rm -f "$build_log"
log "ready: $(pwd)/retis"
