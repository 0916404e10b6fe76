#!/usr/bin/env bash
# Sets up whatever is missing, then runs every test:
#   1. type-check (sources and tests);
#   2. unit tests;
#   3. the end-to-end suite (real BPF programs, packets between network
#      namespaces) on this machine's kernel;
#   4. inside a VM booted on Debian's kernel (kprobes, BPF trampolines:
#      docs/testing-in-vm.md), the end-to-end files that load BPF programs
#      (the post-processing ones do not depend on the kernel);
#   5. inside a VM booted on bookworm-backports' kernel (kprobe.multi), the
#      end-to-end file of what only that kernel has;
#   6. a summary per kernel: a test that needs a kernel feature must have run
#      and passed on one of the three kernels.
# RETIS_TEST_NO_VM=1 skips steps 4-6 (for a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

say() { printf '==> %s\n' "$*" >&2; }
status=0

say "type-check"
pnpm run --silent typecheck

say "unit tests"
pnpm exec jest --ci --selectProjects unit || status=1

# End-to-end files run in the VM too: those that load BPF programs.
VM_E2E='test/e2e/(collect|probes|kernel-|tracking|filters|ct|signal)'
# And on the backports kernel, those that need what Debian 12's kernel lacks.
BACKPORTS_E2E='test/e2e/kernel-multi'

reports=$(pwd)/test/vm/.cache/out
rm -rf "$reports/host" "$reports/vm" "$reports/vm-backports"
mkdir -p "$reports/host"
uname -r >"$reports/host/kernel"

say "end-to-end tests, host kernel $(uname -r)"
RETIS_KERNEL_REPORT=$reports/host pnpm exec jest --ci --runInBand --selectProjects e2e \
  --json --outputFile="$reports/host/results.json" || status=1

if [ "${RETIS_TEST_NO_VM:-}" != 1 ]; then
  say "end-to-end tests, VM kernel"
  RETIS_VM_OUT=1 test/vm/run -- sh -c '
    mkdir -p /vm-out/vm && uname -r >/vm-out/vm/kernel &&
    RETIS_KERNEL_REPORT=/vm-out/vm node_modules/.bin/jest --ci --runInBand --selectProjects e2e \
      --testPathPatterns "$0" --json --outputFile=/vm-out/vm/results.json' "$VM_E2E" || status=1
  say "end-to-end tests, VM kernel from bookworm-backports"
  RETIS_VM_OUT=1 RETIS_VM_KERNEL=backports test/vm/run -- sh -c '
    mkdir -p /vm-out/vm-backports && uname -r >/vm-out/vm-backports/kernel &&
    RETIS_KERNEL_REPORT=/vm-out/vm-backports node_modules/.bin/jest --ci --runInBand --selectProjects e2e \
      --testPathPatterns "$0" --json --outputFile=/vm-out/vm-backports/results.json' "$BACKPORTS_E2E" || status=1
  say "summary"
  node test/kernels/summary.js host="$reports/host" vm="$reports/vm" vm-backports="$reports/vm-backports" || status=1
else
  node test/kernels/summary.js host="$reports/host" || status=1
fi
exit $status
