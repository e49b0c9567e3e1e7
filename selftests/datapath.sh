#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The shortcut carries the traffic.  With every guest attached, each device has a connected peer for every
# other guest and the peer map holds their addresses; ping (IPv4, IPv6) and a TCP stream to a peer go through
# mmnet, not out of eth0; strict rp_filter accepts what mmnet delivers (it arrives "on eth0"); the shortcut
# turns off and on, and a peer detaches and re-attaches, under a running TCP stream that survives it all;
# rmmod under load falls back to the normal path.  No warnings in dmesg.
. ./lib.sh

[ "${MMNET_TESTBED:-}" = plain ] || skip "the loop transport joins devices of one kernel (plain testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PEER_ID=${PEER##*.}
PEER6=fd77::$PEER_ID
MAP=/sys/fs/bpf/mmnet/peers

cleanup() {
	module_loaded && rmmod mmnet
	tc qdisc del dev eth0 clsact 2>/dev/null
	on_peers "tc qdisc del dev eth0 clsact 2>/dev/null; sysctl -q -w net.ipv4.conf.all.rp_filter=0" >/dev/null
	sysctl -q -w net.ipv4.conf.all.rp_filter=0
}
trap cleanup EXIT

eth0_tx() { cat /sys/class/net/eth0/statistics/tx_bytes; }
peer_tx() { counter mmnet0 "peer${PEER_ID}_tx_bytes"; }
# iperf3 to the peer for $1 seconds; prints the rate, fails the test if the stream breaks.
stream() {
	out=$(iperf3c "$PEER" -t "$1" -f m 2>&1) || { echo "$out"; fail "iperf3 to $PEER: $2"; }
	echo "$out" | awk '/sender$/ { for (i = 2; i <= NF; i++) if ($i ~ /bits\/sec$/) print $(i - 1) }'
}
set_all() { mmnetctl "$1" && on_peers "mmnetctl $1"; }

mmnet_load
dmesg_mark
check "attach eth0 here" mmnetctl attach eth0
check "attach eth0 in every peer" on_peers "mmnetctl attach eth0"
peers=$(mmnetctl show | grep -c 'state connected')
[ "$peers" -eq $((MMNET_GUESTS - 1)) ] || { mmnetctl show; fail "$peers connected peers, expected $((MMNET_GUESTS - 1))"; }
echo "ok: a connected peer for each of the $peers other guests"
entries=$(bpftool map dump pinned $MAP | grep -c '"peer_id"')
[ "$entries" -ge $((3 * peers)) ] || { bpftool map dump pinned $MAP; fail "$entries peer map entries"; }
echo "ok: $entries peer map entries (MAC, IPv4, IPv6 of each peer)"

before_eth0=$(eth0_tx) before=$(peer_tx)
check "ping $PEER" ping -c 5 -i 0.2 -W 2 "$PEER"
check "ping $PEER6" ping -c 5 -i 0.2 -W 2 "$PEER6"
[ $(($(peer_tx) - before)) -ge 1000 ] || fail "the pings did not go through mmnet"
# Neighbour discovery may leave through eth0, the echo requests may not.
[ $(($(eth0_tx) - before_eth0)) -lt 1000 ] || fail "the pings went out of eth0"
echo "ok: ping over IPv4 and IPv6 through mmnet"

set_all disable || fail "disable"
normal=$(stream 3 "normal path")
set_all enable || fail "enable"
before_eth0=$(eth0_tx) before=$(peer_tx)
short=$(stream 3 "through mmnet")
sent=$(($(peer_tx) - before)) leaked=$(($(eth0_tx) - before_eth0))
[ "$sent" -gt 10000000 ] || fail "only $sent bytes went through mmnet during iperf3"
[ "$leaked" -lt 1000000 ] || fail "$leaked bytes left through eth0 during iperf3"
echo "ok: TCP to $PEER: normal path $normal Mbit/s, mmnet $short Mbit/s ($sent bytes through mmnet, $leaked out of eth0)"

sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1 || fail "rp_filter"
on_peers "sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1" || fail "rp_filter on peers"
before=$(counter mmnet0 rx_packets)
check "ping with strict rp_filter" ping -c 3 -i 0.2 -W 2 "$PEER"
stream 2 "with strict rp_filter" >/dev/null
[ $(($(counter mmnet0 rx_packets) - before)) -gt 0 ] || fail "nothing received through mmnet under rp_filter"
echo "ok: strict rp_filter accepts what mmnet delivers"

iperf3c "$PEER" -t 8 >/tmp/datapath-toggle.out 2>&1 &
job=$!
sleep 1
for _ in 1 2 3; do
	set_all disable || fail "disable under load"
	left=$(bpftool map dump pinned $MAP | grep -c '"peer_id"')
	[ "$left" -eq 0 ] || fail "disabled, the peer map still has $left entries"
	sleep 1
	set_all enable || fail "enable under load"
	sleep 1
done
wait $job || { cat /tmp/datapath-toggle.out; fail "the TCP stream broke across disable/enable"; }
echo "ok: a TCP stream survives 3 disable/enable cycles"

iperf3c "$PEER" -t 6 >/tmp/datapath-detach.out 2>&1 &
job=$!
sleep 1.5
on_guest "$PEER_ID" "mmnetctl detach eth0" || fail "detach the peer under load"
# Our side's teardown runs in its own work, a moment after the peer's detach returned.
wait_ds 30 "the peer is still there 3 s after it detached" sh -c "! mmnetctl show | grep -q 'peer $PEER_ID '"
sleep 1.5
on_guest "$PEER_ID" "mmnetctl attach eth0" || fail "re-attach the peer under load"
wait $job || { cat /tmp/datapath-detach.out; fail "the TCP stream broke across detach/attach"; }
mmnetctl show | grep -q "peer $PEER_ID .*state connected" || fail "the peer did not come back"
echo "ok: a TCP stream survives the peer detaching and re-attaching"

iperf3c "$PEER" -t 6 >/tmp/datapath-rmmod.out 2>&1 &
job=$!
sleep 2
check "rmmod under load" rmmod mmnet
before_eth0=$(eth0_tx)
wait $job || { cat /tmp/datapath-rmmod.out; fail "the TCP stream broke across rmmod"; }
[ $(($(eth0_tx) - before_eth0)) -gt 1000000 ] || fail "traffic did not fall back to eth0 after rmmod"
check "ping after rmmod" ping -c 2 -W 2 "$PEER"
echo "ok: rmmod under load; the stream went on through eth0"

dmesg_check_clean
exit $ksft_pass
