#!/usr/bin/env bash
# Smoke checks of what the VM's kernel gives the tests that this machine's
# kernel cannot:
#   - a kprobe and a kretprobe on ip_rcv fire for pings between two network
#     namespaces joined by a veth pair;
#   - openvswitch loads and exposes its tracepoints (openvswitch:ovs_dp_upcall);
#   - nf_tables loads and takes a table.
#
#   test/vm/run -- test/vm/smoke.sh
#
# Every check runs and reports ok/FAIL; the exit status is 1 if any failed.
# Namespaces, probes and modules this script creates are removed on exit.
set -euo pipefail

((EUID == 0)) || {
	echo "smoke.sh: needs root (run it through test/vm/run)" >&2
	exit 1
}

# Unique names, in case this runs where other tests create namespaces too.
ns_a=smoke-a-$$
ns_b=smoke-b-$$
pings=3
scratch=$(mktemp -d)

# Checks run in subshells (below), so what cleanup must undo is noted in files.
cleanup() {
	set +e
	if [[ -f $scratch/bpftrace.pid ]]; then
		kill -INT "$(cat "$scratch/bpftrace.pid")" 2>/dev/null
	fi
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	[[ -f $scratch/loaded-openvswitch ]] && modprobe -r openvswitch 2>/dev/null
	rm -rf "$scratch"
}
trap cleanup EXIT

failures=0
check() {
	local name=$1 status
	shift
	# errexit is ignored in a function called from an if or || list: run the
	# check as a plain subshell so its first failing command ends it.
	set +e
	(
		set -e
		"$@"
	) >"$scratch/log" 2>&1
	status=$?
	set -e
	if ((status == 0)); then
		echo "ok   $name"
	else
		echo "FAIL $name"
		sed 's/^/     /' "$scratch/log"
		failures=$((failures + 1))
	fi
}

# Two namespaces, 10.199.0.1 <-> 10.199.0.2 over veth.
make_namespaces() {
	ip netns add "$ns_a"
	ip netns add "$ns_b"
	ip link add veth-a netns "$ns_a" type veth peer name veth-b netns "$ns_b"
	ip -n "$ns_a" addr add 10.199.0.1/24 dev veth-a
	ip -n "$ns_b" addr add 10.199.0.2/24 dev veth-b
	ip -n "$ns_a" link set veth-a up
	ip -n "$ns_b" link set veth-b up
	ip netns exec "$ns_a" ping -c 1 -W 5 10.199.0.2 >/dev/null
}

# Prints "@name: N" for a bpftrace map, or fails.
map_value() {
	sed -n "s/^@$1: \([0-9]*\)$/\1/p" "$scratch/bpftrace.out" | grep .
}

kprobes_fire() {
	# BEGIN runs once every probe is attached; the interval bounds the run
	# should the INT below never arrive.
	bpftrace -B line -e '
		kprobe:ip_rcv { @rcv = count(); }
		kretprobe:ip_rcv { @ret = count(); }
		BEGIN { printf("attached\n"); }
		interval:s:300 { exit(); }' >"$scratch/bpftrace.out" 2>&1 &
	local bpftrace_pid=$! tries=0
	echo "$bpftrace_pid" >"$scratch/bpftrace.pid"
	until grep -qx attached "$scratch/bpftrace.out"; do
		# bpftrace compiles its programs with LLVM first: slow without KVM.
		if ! kill -0 "$bpftrace_pid" 2>/dev/null || ((tries >= 240)); then
			echo "bpftrace did not attach:"
			cat "$scratch/bpftrace.out"
			return 1
		fi
		sleep 0.5 # 240 tries: two minutes
		tries=$((tries + 1))
	done

	ip netns exec "$ns_a" ping -c "$pings" -i 0.2 -W 5 10.199.0.2
	kill -INT "$bpftrace_pid"
	wait "$bpftrace_pid" || true
	rm "$scratch/bpftrace.pid"
	cat "$scratch/bpftrace.out"

	# Each echo request passes ip_rcv in the peer namespace at least once.
	local rcv ret
	rcv=$(map_value rcv) || { echo "no kprobe:ip_rcv hits"; return 1; }
	ret=$(map_value ret) || { echo "no kretprobe:ip_rcv hits"; return 1; }
	((rcv >= pings)) || { echo "kprobe:ip_rcv fired $rcv times for $pings pings"; return 1; }
	((ret >= pings)) || { echo "kretprobe:ip_rcv fired $ret times for $pings pings"; return 1; }
}

openvswitch_loads() {
	lsmod | grep -q '^openvswitch ' || touch "$scratch/loaded-openvswitch"
	modprobe openvswitch
	grep -qx 'openvswitch:ovs_dp_upcall' /sys/kernel/tracing/available_events || {
		echo "openvswitch:ovs_dp_upcall is not in /sys/kernel/tracing/available_events"
		return 1
	}
}

nf_tables_works() {
	modprobe nf_tables
	# In the namespace, so the table goes away with it.
	ip netns exec "$ns_a" nft add table inet retis_smoke
	ip netns exec "$ns_a" nft list tables | grep -qx 'table inet retis_smoke'
}

echo "kernel $(uname -r)"
check "two namespaces joined by veth" make_namespaces
check "kprobe and kretprobe on ip_rcv fire for pings" kprobes_fire
check "modprobe openvswitch; ovs_dp_upcall tracepoint listed" openvswitch_loads
check "modprobe nf_tables; nft table in a namespace" nf_tables_works

if ((failures)); then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
