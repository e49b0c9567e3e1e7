#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad input never oopses.  Configuration the module cannot use is refused with a message that says why (a
# lower device that is not Ethernet or is an mmnet device, a lower device another mmnet device has, a map
# that is not a peer map).  A peer that breaks the channel format (fault injection, in a module built with
# `make MMNET_DEBUG=y`) is counted, its channel closed on both sides, and traffic goes the normal way; the
# peer re-attaches and the channel comes back.  No warnings in dmesg.
. ./lib.sh

[ "${MMNET_TESTBED:-}" = plain ] || skip "the loop transport joins devices of one kernel (plain testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PEER_ID=${PEER##*.}
MAP=/sys/fs/bpf/mmnet/peers
BADMAP=/sys/fs/bpf/mmnet-test-array
FAULT=/sys/module/mmnet/parameters/debug_corrupt_tx

cleanup() {
	rm -f $BADMAP
	module_loaded && rmmod mmnet
	tc qdisc del dev eth0 clsact 2>/dev/null
	on_peers "tc qdisc del dev eth0 clsact 2>/dev/null" >/dev/null
}
trap cleanup EXIT

# refused DESCRIPTION MESSAGE COMMAND...: COMMAND fails and its error output contains MESSAGE.
refused() {
	what=$1 msg=$2
	shift 2
	if out=$("$@" 2>&1); then
		fail "$what: accepted"
	fi
	echo "$out" | grep -qF "$msg" || { echo "$out"; fail "$what: no \"$msg\""; }
	echo "ok: $what: $out"
}

# The sum of counter NAME over the mmnet0 of every guest.
total() {
	sum=$(counter mmnet0 "$1")
	for g in $(seq 1 "$MMNET_GUESTS"); do
		[ "$g" -eq "$MMNET_GUEST" ] && continue
		sum=$((sum + $(on_guest "$g" ". ./lib.sh; counter mmnet0 $1")))
	done
	echo "$sum"
}

mmnet_load
dmesg_mark
check "attach eth0" mmnetctl attach eth0
check "attach eth0 in every peer" on_peers "mmnetctl attach eth0"

refused "lo as lower device" "must be an Ethernet device" mmnetctl attach lo map $MAP
check "a second mmnet device" ip link add mmnet1 type mmnet
refused "an mmnet device as lower device" "cannot be an mmnet device" \
	mmnetctl attach mmnet1 dev mmnet0 map $MAP
refused "a lower device taken by another mmnet device" "attached to another mmnet device" \
	mmnetctl attach eth0 dev mmnet1 map $MAP
check "an array map" bpftool map create $BADMAP type array key 4 value 8 entries 4 name mmnet_bad
refused "an array map as peer map" "Peer map must be a BPF_MAP_TYPE_HASH" \
	mmnetctl attach eth0 dev mmnet0 map $BADMAP
check "ip link del mmnet1" ip link del mmnet1
check "still connected" ping -c 2 -W 2 "$PEER"

if [ -e $FAULT ]; then
	before=$(total rx_errors_ring)
	echo 1 >$FAULT
	# The first frame sent after this carries a descriptor that points outside the data area.
	ping -c 3 -i 0.3 -W 2 "$PEER" >/dev/null
	sleep 0.5
	[ $(($(total rx_errors_ring) - before)) -eq 1 ] || fail "the broken descriptor was not counted once"
	mmnetctl show | grep -q "peer $PEER_ID " && fail "the broken channel is still there"
	check "normal path after the broken channel" ping -c 2 -W 2 "$PEER"
	dmesg | grep 'broke the channel' | tail -n 1
	echo "ok: a broken descriptor is counted, both ends close, traffic takes the normal path"
	check "the peer re-attaches" on_guest "$PEER_ID" "mmnetctl detach eth0; mmnetctl attach eth0"
	mmnetctl show | grep -q "peer $PEER_ID .*state connected" || fail "the channel did not come back"
	check "ping through the new channel" ping -c 2 -W 2 "$PEER"
else
	echo "SKIP (part): fault injection needs a module built with make MMNET_DEBUG=y"
fi

check "rmmod" rmmod mmnet
dmesg_check_clean
exit $ksft_pass
