#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad input never oopses.  Configuration the module cannot use is refused with a message that says why (a
# lower device that is not Ethernet or is an mmnet device, a lower device another mmnet device has, a map
# that is not a peer map).  A peer that breaks the channel format (fault injection: the module built with
# MMNET_DEBUG=y, build/kernel-debug/mmnet.ko, which `make` builds too; missing, it is a failure) is counted,
# its channel closed on both sides, and traffic goes the normal way; the peer re-attaches and the channel
# comes back.  No warnings in dmesg.
. ./lib.sh

[ "${MMNET_TESTBED:-}" = plain ] || skip "the loop transport joins devices of one kernel (plain testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PEER_G=${PEER##*.}
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
check "rmmod" rmmod mmnet

# A peer that breaks the channel format: the same module with fault injection, in every guest.
[ -f "$MMNET_DEBUG_KO" ] || fail "$MMNET_DEBUG_KO is missing: make builds it (make -C kernel debug)"
MMNET_KO=$MMNET_DEBUG_KO
mmnet_up
[ -e $FAULT ] || fail "$MMNET_KO has no fault injection ($FAULT)"
echo "ok: $MMNET_KO loaded, every peer connected"
PEER_ID=$(peer_id "$PEER")
SELF_ID=$(on_guest "$PEER_G" ". ./lib.sh; peer_id $MMNET_SELF")
[ -n "$PEER_ID" ] && [ -n "$SELF_ID" ] || fail "no peer ids: '$PEER_ID' for $PEER, '$SELF_ID' for $MMNET_SELF"
check "ping through the channel" ping -c 2 -W 2 "$PEER"
before=$(total rx_errors_ring)
echo 1 >$FAULT
# The first frame sent after this carries a descriptor that points outside the data area.
ping -c 3 -i 0.3 -W 2 "$PEER" >/dev/null
sleep 0.5
counted=$(($(total rx_errors_ring) - before))
[ $counted -eq 1 ] || fail "the broken descriptor was counted $counted times, not once (rx_errors_ring)"
echo "ok: rx_errors_ring (all guests) $before -> $((before + counted)): the broken descriptor counted once"
# The receiver closes it for the bounds check (MMNET_REASON_BOUNDS, include/uapi/linux/mmnet_channel.h).
dmesg | tail -n +$((dmesg_lines + 1)) | grep 'broke the channel (reason 4)' || fail "no close for reason 4"
mmnetctl show | grep -q "peer $PEER_ID " && { mmnetctl show; fail "the broken channel is still here"; }
on_guest "$PEER_G" "mmnetctl show" | grep -q "peer $SELF_ID " && fail "the peer kept the broken channel"
check "normal path after the broken channel" ping -c 2 -W 2 "$PEER"
echo "ok: a broken descriptor is counted, both ends close, traffic takes the normal path"
check "the peer re-attaches" on_guest "$PEER_G" "mmnetctl detach eth0; mmnetctl attach eth0"
mmnet_wait_peers
PEER_ID=$(peer_id "$PEER")
mmnetctl show | grep -q "peer $PEER_ID .*state connected" || { mmnetctl show; fail "no channel again"; }
check "ping through the new channel" ping -c 2 -W 2 "$PEER"

check "rmmod $MMNET_KO" rmmod mmnet
dmesg_check_clean
exit $ksft_pass
