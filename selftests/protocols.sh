#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ICMP, TCP and UDP over IPv4 and IPv6 take the shortcut, both ways, and the counters prove the path: the
# peer's bytes on mmnet0 move, eth0's do not.  ICMP echo small and fragmented; TCP streams (GSO) to and
# from the peer; UDP streams to the peer and, in datagrams larger than the MTU (IP fragments), from it;
# UDP and TCP request/response (sockperf ping-pong, IPv4 only).  IPv4 runs under strict rp_filter on both
# ends: what mmnet delivers arrives on eth0.  A UDP datagram lost is one a full socket buffer dropped at the
# receiver (UDP RcvbufErrors), and no drop or error counter of mmnet moves on either end.  (datapath.sh does
# ping and TCP to the peer over IPv4.)
. ./lib.sh

[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PG=${PEER##*.}
PEER6=fd77::$PG
# What eth0 may carry while a test runs through mmnet: neighbour discovery, ARP, MLD; a few frames.
LEAK=65536
# rp V: the command that sets rp_filter to V (1: strict) on eth0; rp_set V runs it here.
rp() { echo "sysctl -q -w net.ipv4.conf.all.rp_filter=$1 net.ipv4.conf.eth0.rp_filter=$1"; }
rp_set() { eval "$(rp "$1")"; }

cleanup() {
	rp_set 0
	on_peers "$(rp 0)" >/dev/null 2>&1
	mmnet_down
}
trap cleanup EXIT

mmnet_up
dmesg_mark
ID=$(peer_id "$PEER")
[ -n "$ID" ] || { mmnetctl show; fail "no peer with $PEER"; }
BACK_ID=$(on_guest "$PG" ". ./lib.sh; peer_id $MMNET_SELF")
[ -n "$BACK_ID" ] || { on_guest "$PG" "mmnetctl show"; fail "the peer has no peer with $MMNET_SELF"; }
[ "$(peer_id "$PEER6")" = "$ID" ] || { mmnetctl show; fail "$PEER6 is not the same peer as $PEER"; }
rp_set 1 || fail "strict rp_filter here"
on_peers "$(rp 1)" || fail "strict rp_filter in the peers"
echo "ok: peer $ID ($PEER, $PEER6) connected; strict rp_filter on both ends"

snap() {
	s_tx=$(counter mmnet0 "peer${ID}_tx_bytes") s_rx=$(counter mmnet0 "peer${ID}_rx_bytes")
	s_etx=$(stat_of eth0 tx_bytes) s_erx=$(stat_of eth0 rx_bytes)
}
# through_mmnet WHAT TX RX: since snap, the peer's mmnet counters moved by at least TX bytes sent and RX
# received, and eth0 carried less than LEAK bytes either way.
through_mmnet() {
	tx=$(($(counter mmnet0 "peer${ID}_tx_bytes") - s_tx)) rx=$(($(counter mmnet0 "peer${ID}_rx_bytes") - s_rx))
	etx=$(($(stat_of eth0 tx_bytes) - s_etx)) erx=$(($(stat_of eth0 rx_bytes) - s_erx))
	counts="mmnet tx $tx rx $rx, eth0 tx $etx rx $erx bytes"
	[ "$tx" -ge "$2" ] && [ "$rx" -ge "$3" ] || fail "$1 did not go through mmnet ($counts)"
	[ "$etx" -lt $LEAK ] && [ "$erx" -lt $LEAK ] || fail "$1 went through eth0 ($counts)"
	echo "ok: $1 through mmnet ($counts)$4"
}

# ping ADDR SIZE: 5 echoes of SIZE bytes; each way at least 5 times SIZE.
for addr in $PEER $PEER6; do
	for size in 56 3000; do
		snap
		check "ping -s $size $addr" ping -c 5 -i 0.2 -W 2 -s $size "$addr"
		through_mmnet "ICMP echo of $size bytes to $addr" $((5 * size)) $((5 * size))
	done
done

# iperf WHAT TX RX ARGS...: iperf3 to the peer, 2 MiB (an amount, not a time: a loaded host slows the rate, not
# the bytes); through_mmnet with TX and RX; prints the receiver's rate
# and, for UDP, its loss.  Datagrams do get lost under TCG, where the receiving iperf3 may not run for a
# while: its socket's receive buffer overflows.  That must be the only place they are lost: every datagram
# lost is counted in the receiver's UDP RcvbufErrors.
iperf() {
	what=$1 min_tx=$2 min_rx=$3
	shift 3
	udp=0 rx=$PG
	for a; do
		case $a in
		-u) udp=1 ;;
		-R) rx=$MMNET_GUEST ;;
		esac
	done
	[ $udp = 0 ] || rb0=$(udp_rcvbuf_errors_in "$rx") || fail "$what: cannot read the receiver's UDP counters"
	snap
	out=$(iperf3c "$@" -n 2M -f m 2>&1) || { echo "$out"; fail "iperf3 $*"; }
	got=$(echo "$out" | awk '/receiver$/ { for (i = 2; i <= NF; i++) if ($i ~ /bits\/sec$/) r = $(i - 1) " " $i;
		if ($NF == "receiver" && $(NF - 1) ~ /%\)$/) l = ", lost " $(NF - 2) " " $(NF - 1) }
		END { print r l }')
	[ -n "$got" ] || { echo "$out"; fail "iperf3 $* printed no result"; }
	if [ $udp = 1 ]; then
		lost=$(echo "$out" | awk '$NF == "receiver" { split($(NF - 2), a, "/"); print a[1] }')
		rb=$(($(udp_rcvbuf_errors_in "$rx") - rb0))
		[ -n "$lost" ] && [ "$lost" -le "$rb" ] ||
			{ echo "$out"; fail "$what: ${lost:-?} datagrams lost, $rb dropped by a full socket buffer"; }
		got="$got, $rb dropped by a full socket buffer"
	fi
	through_mmnet "$what" "$min_tx" "$min_rx" ": $got"
}

MB=1000000
iperf "TCP over IPv6 to the peer" $MB 1 "$PEER6"
iperf "TCP over IPv6 from the peer" 1 $MB "$PEER6" -R
iperf "TCP over IPv4 from the peer" 1 $MB "$PEER" -R
iperf "UDP over IPv4 to the peer" $MB 1 "$PEER" -u -b 40M -l 1400
iperf "UDP over IPv6 to the peer" $MB 1 "$PEER6" -u -b 40M -l 1400
iperf "UDP over IPv4 from the peer, fragmented" 1 $MB "$PEER" -u -b 40M -l 4000 -R
iperf "UDP over IPv6 from the peer, fragmented" 1 $MB "$PEER6" -u -b 40M -l 4000 -R

# Request/response: sockperf's client waits for each reply before it sends the next request.
for proto in udp tcp; do
	opt=
	[ $proto = tcp ] && opt=--tcp
	snap
	out=$(sockperf ping-pong -i "$PEER" -p 11111 -t 2 $opt 2>&1) || { echo "$out"; fail "sockperf $proto"; }
	n=$(echo "$out" | sed -n 's/.*ReceivedMessages=\([0-9]*\).*/\1/p' | tail -n 1)
	lat=$(echo "$out" | sed -n 's/.*Summary: Latency is \([0-9.]*\) usec.*/\1/p')
	[ "${n:-0}" -gt 0 ] || { echo "$out"; fail "sockperf $proto: no replies"; }
	echo "$out" | grep -q 'dropped messages = 0;' || { echo "$out"; fail "sockperf $proto lost messages"; }
	through_mmnet "$proto request/response over IPv4" $((n * 14)) $((n * 14)) ": $n round trips, $lat us each"
done

no_drops_either_end "$PG" "$ID" "$BACK_ID"
dmesg_check_clean
exit $ksft_pass
