#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-guest half of `make bench` (scripts/bench stages it through selftests/testbed/run): guest 1 measures
# the paths to a peer, in one boot, interleaved round by round so that the host's load drifts over all paths
# alike.  Paths:
#   mmnet     to the peer through the shortcut (mmnet_up in every guest)
#   normal    to the same peer with the shortcut disabled in every guest: the guests' own NIC (veth on the
#             plain testbed, netfront on Xen); the classifier stays attached and finds no peer
#   loopback  to guest 1 itself over 127.0.0.1
# Tests:
#   tcp_stream SIZE  iperf3, writes of SIZE bytes, for SEC seconds after a first omitted second:
#                    metric mbit_s (what the receiver got)
#   tcp_rr SIZE      sockperf ping-pong over TCP, requests and replies of SIZE bytes, SEC seconds: metrics
#                    trans_s (round trips per second: ReceivedMessages / RunTime, the number to compare),
#                    rtt_us (sockperf's mean round trip) and rtt_p99_us
# Every sample is one line on stdout, which scripts/bench takes from the console:
#   @@bench ROUND,TESTBED,PATH,TEST,SIZE,METRIC,VALUE
# Checks: the mmnet path must move its bytes through mmnet0 and the normal path through eth0 (counters); a
# path that did not is a failure, not a number.
#
# usage: guest.sh [-t SEC] [-r ROUNDS] [-s "STREAM SIZES"] [-q "RR SIZES"] [-p "PATHS"]
#   defaults: -t 3 -r 3 -s "1024 65536" -q "64 1024" -p "mmnet normal loopback"
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=SCRIPTDIR/../lib.sh
. ./lib.sh

SEC=3 ROUNDS=3 STREAM_SIZES="1024 65536" RR_SIZES="64 1024" PATHS="mmnet normal loopback"
while getopts t:r:s:q:p: opt; do
	case $opt in
	t) SEC=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	s) STREAM_SIZES=$OPTARG ;;
	q) RR_SIZES=$OPTARG ;;
	p) PATHS=$OPTARG ;;
	*) fail "usage: guest.sh [-t SEC] [-r ROUNDS] [-s SIZES] [-q SIZES] [-p PATHS]" ;;
	esac
done

TESTBED=${MMNET_TESTBED:-plain}
case $TESTBED in
xen) NORMAL=netfront ;;
*) NORMAL=veth ;;
esac
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
[ -n "$PEER" ] || skip "needs two guests"

trap mmnet_down EXIT
mmnet_up
ID=$(peer_id "$PEER")
[ -n "$ID" ] || { mmnetctl show; fail "no mmnet peer has $PEER"; }
echo "bench: $TESTBED testbed, peer $PEER (mmnet peer $ID); $ROUNDS rounds of ${SEC} s per test;" \
	"paths: $PATHS; TCP stream sizes: $STREAM_SIZES; request/response sizes: $RR_SIZES"

# shortcut on|off: mmnet enabled or disabled in every guest.
shortcut() {
	case $1 in
	on) set -- enable ;;
	*) set -- disable ;;
	esac
	{ mmnetctl "$1" && on_peers "mmnetctl $1" >/dev/null; } || fail "mmnetctl $1"
}

# target PATH: set addr to the address the tests of PATH talk to, and the shortcut for it.
target() {
	case $1 in
	mmnet) shortcut on; addr=$PEER ;;
	normal) shortcut off; addr=$PEER ;;
	loopback) addr=127.0.0.1 ;;
	*) fail "unknown path $1" ;;
	esac
}

path_name() {
	[ "$1" = normal ] && echo "$NORMAL" || echo "$1"
}

# The bytes both ways left through mmnet0 and eth0 since snap, to tell which path carried a test.
snap() {
	m0=$(($(stat_of mmnet0 tx_bytes) + $(stat_of mmnet0 rx_bytes)))
	e0=$(($(stat_of eth0 tx_bytes) + $(stat_of eth0 rx_bytes)))
}

# took PATH WHAT: fail unless PATH's device carried (10x more than the other) what ran since snap.
took() {
	dm=$(($(stat_of mmnet0 tx_bytes) + $(stat_of mmnet0 rx_bytes) - m0))
	de=$(($(stat_of eth0 tx_bytes) + $(stat_of eth0 rx_bytes) - e0))
	case $1 in
	mmnet) [ "$dm" -gt $((10 * de)) ] || fail "$2 did not go through mmnet ($dm bytes on mmnet0, $de on eth0)" ;;
	normal) [ "$de" -gt $((10 * dm)) ] || fail "$2 did not go through eth0 ($dm bytes on mmnet0, $de on eth0)" ;;
	esac
}

# peer_snap / peer_rows ROUND TEST SIZE: for the mmnet path, what the channel to the peer did meanwhile (from
# ethtool -S mmnet0): the mean frame size that crossed it (GSO frames are up to 64 KiB), notifications
# sent per frame, and how often the ring was full per thousand frames.
peer_counters() {
	ethtool -S mmnet0 | awk -v p="peer${ID}_" '
		index($1, p) == 1 { n[substr($1, length(p) + 1)] = $2 }
		END { print n["tx_packets:"] + 0, n["tx_bytes:"] + 0, n["tx_notify:"] + 0, n["tx_ring_full:"] + 0 }'
}
peer_snap() {
	peer0=$(peer_counters)
}
peer_rows() {
	echo "$peer0 $(peer_counters)" | awk -v pre="@@bench $1,$TESTBED,mmnet,$2,$3," '{
		p = $5 - $1; if (p <= 0) exit
		printf "%sframe_bytes,%.0f\n%snotify_per_frame,%.4f\n%sring_full_per_kframe,%.3f\n",
			pre, ($6 - $2) / p, pre, ($7 - $3) / p, pre, 1000 * ($8 - $4) / p }'
}

# row ROUND PATH TEST SIZE METRIC VALUE
row() {
	echo "@@bench $1,$TESTBED,$(path_name "$2"),$3,$4,$5,$6"
}

# tcp_stream ROUND PATH SIZE
tcp_stream() {
	target "$2"
	snap
	peer_snap
	out=$(iperf3c "$addr" -t "$SEC" -O 1 -l "$3" -f m 2>&1) || { echo "$out"; fail "iperf3 -l $3 to $addr"; }
	took "$2" "iperf3 -l $3"
	[ "$2" != mmnet ] || peer_rows "$1" tcp_stream "$3"
	rate=$(echo "$out" | awk '/receiver$/ { for (i = 2; i <= NF; i++) if ($i ~ /bits\/sec$/) print $(i - 1) }')
	[ -n "$rate" ] || { echo "$out"; fail "iperf3 -l $3 to $addr printed no rate"; }
	row "$1" "$2" tcp_stream "$3" mbit_s "$rate"
}

# tcp_rr ROUND PATH SIZE
tcp_rr() {
	target "$2"
	snap
	out=$(sockperf ping-pong --tcp --full-rtt -i "$addr" -p 11111 -t "$SEC" -m "$3" 2>&1) ||
		{ echo "$out"; fail "sockperf -m $3 to $addr"; }
	took "$2" "sockperf -m $3"
	echo "$out" | grep -q 'dropped messages = 0;' || { echo "$out"; fail "sockperf -m $3 to $addr lost messages"; }
	# The valid-duration line: RunTime=S sec; SentMessages=N; ReceivedMessages=M
	echo "$out" | awk -v r="$1" -v p="$(path_name "$2")" -v t="$TESTBED" -v s="$3" '
		/\[Valid Duration\]/ { for (i = 1; i <= NF; i++) { split($i, kv, "=")
			if (kv[1] == "RunTime") time = kv[2] + 0; if (kv[1] == "ReceivedMessages") n = kv[2] + 0 } }
		/avg-rtt=|avg-latency=/ { sub(/.*avg-(rtt|latency)=/, ""); avg = $1 + 0 }
		/percentile 99.000 =/ { p99 = $NF + 0 }
		END {
			if (!time || !n) exit 1
			pre = "@@bench " r "," t "," p ",tcp_rr," s ","
			printf "%strans_s,%.1f\n%srtt_us,%.1f\n%srtt_p99_us,%.1f\n", pre, n / time, pre, avg, pre, p99
		}' || { echo "$out"; fail "sockperf -m $3 to $addr printed no result"; }
}

r=1
while [ $r -le "$ROUNDS" ]; do
	for size in $STREAM_SIZES; do
		for path in $PATHS; do
			tcp_stream $r "$path" "$size"
		done
	done
	for size in $RR_SIZES; do
		for path in $PATHS; do
			tcp_rr $r "$path" "$size"
		done
	done
	r=$((r + 1))
done
echo "bench: done"
exit "$ksft_pass"
