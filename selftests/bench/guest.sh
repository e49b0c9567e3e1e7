#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-guest half of `make bench` (scripts/bench stages it through selftests/testbed/run): guest 1 measures
# the paths to a peer, in one boot, interleaved round by round so that the host's load drifts over all paths
# alike.  The load generator is tools/mmperf (mmperf -h).  Paths:
#   mmnet       to the peer through the shortcut (mmnet_up in every guest), event-channel signalling
#   mmnet-poll  the same, both ends polling every BENCH_POLL_US (module parameter xen_poll_us; Xen only)
#   mmnet-busy  (tcp_rr only) event channels, and the sockets busy-poll the channel's NAPI while they wait
#               (sysctl net.core.busy_read and busy_poll = BENCH_BUSY_US in both guests; Xen only)
#   normal      to the same peer with the shortcut disabled in every guest: the guests' own NIC (netfront on
#               Xen, veth on the plain testbed); the classifier stays attached and finds no peer
#   loopback    to guest 1 itself over 127.0.0.1
# Tests (SIZE in bytes):
#   tcp_stream SIZE  writes of SIZE bytes for SEC seconds: metric mbit_s (the receiver's rate) and rwnd_pct: the
#                    share of the sender's busy time its data waited for the receiver's window (TCP_INFO), and
#                    unsent_kib: the mean data the sender's socket held not yet sent (near 0: the path kept up
#                    with the writer)
#   udp_stream SIZE  datagrams of SIZE bytes (65536 means 65507, the largest over IPv4) sent as fast as the
#                    sender can for SEC seconds: mbit_s (what arrived, over the receiver's time), loss_pct, and
#                    rcvbuf_loss_pct: the part of it the receiving socket dropped because its buffer was full
#                    (UDP RcvbufErrors: the receiver did not read fast enough; no flow control in UDP)
#   tcp_rr SIZE      a request of SIZE bytes answered by SIZE bytes, one at a time, SEC seconds: trans_s,
#                    rtt_us (mean), rtt_p99_us
#   memcpy SIZE      (path guest) copies of SIZE bytes through 16 MiB in guest 1: mbyte_s, the ceiling
# On Xen every stream also records the CPU time each domain used per GB that arrived, from Xen's own
# accounting (xl list in dom0): cpu_s_per_gb_dom0, _g1 (the sender), _g2 (the receiver) and _all; and from
# the guests' own (/proc/stat, time not idle): guest_cpu_s_per_gb_g1 and _g2, and the same as a share of the
# time the stream took, from its start to its result (busy_pct_g1 and _g2: near 100, that guest was the limit).
# For the mmnet paths also the channel's counters: frame_bytes (mean frame), notify_per_frame,
# ring_full_per_kframe.
# Every sample is one line on stdout, which scripts/bench takes from the console:
#   @@bench ROUND,TESTBED,PATH,TEST,SIZE,METRIC,VALUE
# Checks: the mmnet paths must move their bytes through mmnet0 and the normal path through eth0 (counters); a
# path that did not is a failure, not a number.
#
# usage: guest.sh [-t SEC] [-r ROUNDS] [-s "STREAM SIZES"] [-q "RR SIZES"] [-p "PATHS"] [-T "TESTS"]
#   defaults: -t 3 -r 3 -s "64 256 1024 4096 16384 65536" -q "1 64 1024 4096 16384"
#             -p "mmnet mmnet-poll mmnet-busy normal loopback" (plain: "mmnet normal loopback")
#             -T "tcp_stream udp_stream tcp_rr"; mmnet-busy runs tcp_rr only
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=SCRIPTDIR/../lib.sh
. ./lib.sh

TESTBED=${MMNET_TESTBED:-plain}
SEC=3 ROUNDS=3 STREAM_SIZES="64 256 1024 4096 16384 65536" RR_SIZES="1 64 1024 4096 16384"
TESTS="tcp_stream udp_stream tcp_rr" PATHS="mmnet mmnet-poll mmnet-busy normal loopback"
POLL_US=${BENCH_POLL_US:-100} BUSY_US=${BENCH_BUSY_US:-1000}
[ "$TESTBED" = xen ] || PATHS="mmnet normal loopback"
while getopts t:r:s:q:p:T: opt; do
	case $opt in
	t) SEC=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	s) STREAM_SIZES=$OPTARG ;;
	q) RR_SIZES=$OPTARG ;;
	p) PATHS=$OPTARG ;;
	T) TESTS=$OPTARG ;;
	*) fail "usage: guest.sh [-t SEC] [-r ROUNDS] [-s SIZES] [-q SIZES] [-p PATHS] [-T TESTS]" ;;
	esac
done

case $TESTBED in
xen) NORMAL=netfront ;;
*) NORMAL=veth ;;
esac
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
[ -n "$PEER" ] || skip "needs two guests"
PG=${PEER##*.}
POLL=/sys/module/mmnet/parameters/xen_poll_us

cleanup() {
	mmperf_down
	on_peers "sysctl -q -w net.core.busy_read=0 net.core.busy_poll=0" >/dev/null 2>&1
	sysctl -q -w net.core.busy_read=0 net.core.busy_poll=0
	mmnet_down
}
trap cleanup EXIT
mmnet_up
ID=$(peer_id "$PEER")
[ -n "$ID" ] || { mmnetctl show; fail "no mmnet peer has $PEER"; }
mmperf_up || fail "cannot start mmperf -s in the peers"
echo "bench: $TESTBED testbed, peer $PEER (mmnet peer $ID); $ROUNDS rounds of ${SEC} s per test;" \
	"paths: $PATHS; tests: $TESTS; stream sizes: $STREAM_SIZES; request/response sizes: $RR_SIZES;" \
	"polling every $POLL_US us; busy polling for $BUSY_US us"

# shortcut on|off|poll|busy: mmnet enabled (event channels), disabled, enabled and polled, or enabled with
# busy-polling sockets, in every guest.
shortcut() {
	case $1 in
	off) _cmd="mmnetctl disable" ;;
	*) _cmd="mmnetctl enable" ;;
	esac
	if [ "$TESTBED" = xen ]; then
		_us=0 _busy=0
		[ "$1" = poll ] && _us=$POLL_US
		[ "$1" = busy ] && _busy=$BUSY_US
		_cmd="$_cmd && echo $_us >$POLL && sysctl -q -w net.core.busy_read=$_busy net.core.busy_poll=$_busy"
	fi
	{ sh -c "$_cmd" && on_peers "$_cmd" >/dev/null; } || fail "$_cmd"
}

# target PATH: set addr to the address the tests of PATH talk to, and the shortcut for it.
target() {
	case $1 in
	mmnet) shortcut on; addr=$PEER ;;
	mmnet-poll) shortcut poll; addr=$PEER ;;
	mmnet-busy) shortcut busy; addr=$PEER ;;
	normal) shortcut off; addr=$PEER ;;
	loopback) addr=127.0.0.1 ;;
	*) fail "unknown path $1" ;;
	esac
}

path_name() {
	[ "$1" = normal ] && echo "$NORMAL" || echo "$1"
}

# The bytes both ways through mmnet0 and eth0, to tell which path carried a test.
dev_bytes() { echo $(($(stat_of "$1" tx_bytes) + $(stat_of "$1" rx_bytes))); }
snap() {
	m0=$(dev_bytes mmnet0) e0=$(dev_bytes eth0)
	[ "$TESTBED" != xen ] || cpu0=$(cpu_times)
	peer0=$(peer_counters)
}

# took PATH WHAT: fail unless PATH's device carried (10x more than the other) what ran since snap.
took() {
	dm=$(($(dev_bytes mmnet0) - m0)) de=$(($(dev_bytes eth0) - e0))
	case $1 in
	mmnet*) [ "$dm" -gt $((10 * de)) ] || fail "$2 did not go through mmnet ($dm bytes on mmnet0, $de on eth0)" ;;
	normal) [ "$de" -gt $((10 * dm)) ] || fail "$2 did not go through eth0 ($dm bytes on mmnet0, $de on eth0)" ;;
	esac
}

# guest_busy: seconds a guest's CPUs were not idle, from its /proc/stat on stdin (all but idle, iowait, steal).
guest_busy() {
	awk '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8) / 100 }'
}
# cpu_times: "DOM0 G1 G2 BUSY1 BUSY2 UP": CPU seconds of each domain as Xen counts them (xl list), then as guest
# 1 and the peer count themselves, then guest 1's uptime (the clock both guests' shares are taken over).
cpu_times() {
	_xl=$(on_dom0 "xl list") || fail "xl list in dom0"
	_b2=$(on_guest "$PG" "cat /proc/stat" | guest_busy)
	[ -n "$_b2" ] || fail "cannot read the peer's /proc/stat"
	echo "$_xl" | awk -v g2="g$PG" -v b1="$(guest_busy </proc/stat)" -v b2="$_b2" -v up="$(cut -d' ' -f1 /proc/uptime)" '
		$1 == "Domain-0" { d = $NF } $1 == "g1" { a = $NF } $1 == g2 { b = $NF }
		END { print d, a, b, b1, b2, up }'
}

# peer_counters: the channel's tx frames, bytes, notifications and ring-full events (ethtool -S mmnet0).
peer_counters() {
	ethtool -S mmnet0 | awk -v p="peer${ID}_" '
		index($1, p) == 1 { n[substr($1, length(p) + 1)] = $2 }
		END { print n["tx_packets:"] + 0, n["tx_bytes:"] + 0, n["tx_notify:"] + 0, n["tx_ring_full:"] + 0 }'
}

# row ROUND PATH TEST SIZE METRIC VALUE
row() {
	echo "@@bench $1,$TESTBED,$(path_name "$2"),$3,$4,$5,$6"
}

# cost_rows ROUND PATH TEST SIZE BYTES: CPU per GB since snap (Xen), the channel's counters (mmnet paths).
cost_rows() {
	_pre="@@bench $1,$TESTBED,$(path_name "$2"),$3,$4,"
	if [ "$TESTBED" = xen ]; then
		echo "$cpu0 $(cpu_times)" | awk -v pre="$_pre" -v gb="$5" 'BEGIN { gb /= 1e9 } {
			if (gb <= 0) exit
			n = split("dom0 g1 g2", name, " ")
			for (i = 1; i <= n; i++) { c = $(i + 6) - $i; all += c
				printf "%scpu_s_per_gb_%s,%.3f\n", pre, name[i], c / gb }
			printf "%scpu_s_per_gb_all,%.3f\n", pre, all / gb
			own1 = $10 - $4; own2 = $11 - $5; up = $12 - $6
			printf "%sguest_cpu_s_per_gb_g1,%.3f\n%sguest_cpu_s_per_gb_g2,%.3f\n",
				pre, own1 / gb, pre, own2 / gb
			if (up > 0)
				printf "%sbusy_pct_g1,%.1f\n%sbusy_pct_g2,%.1f\n",
					pre, 100 * own1 / up, pre, 100 * own2 / up }'
	fi
	case $2 in
	mmnet*)
		echo "$peer0 $(peer_counters)" | awk -v pre="$_pre" '{
			p = $5 - $1; if (p <= 0) exit
			printf "%sframe_bytes,%.0f\n%snotify_per_frame,%.4f\n%sring_full_per_kframe,%.3f\n",
				pre, ($6 - $2) / p, pre, ($7 - $3) / p, pre, 1000 * ($8 - $4) / p }'
		;;
	esac
}

# rcvbuf_errors PATH: UDP datagrams the receiver's sockets dropped so far (the peer's, or ours on loopback).
rcvbuf_errors() {
	_rx=$PG
	[ "$1" != loopback ] || _rx=$MMNET_GUEST
	udp_rcvbuf_errors_in "$_rx" || fail "cannot read the receiver's UDP counters"
}

# val OUT KEY: the value of KEY=... in mmperf's line OUT.
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# stream ROUND PATH TEST SIZE
stream() {
	_size=$4
	[ "$3" = udp_stream ] && [ "$_size" -gt 65507 ] && _size=65507
	target "$2"
	[ "$3" != udp_stream ] || rb0=$(rcvbuf_errors "$2")
	snap
	out=$(mmperf -c "$addr" -t "$3" -m "$_size" -l "$SEC" 2>&1) || { echo "$out"; fail "mmperf $3 -m $_size to $addr"; }
	took "$2" "mmperf $3 -m $_size"
	row "$1" "$2" "$3" "$4" mbit_s "$(val "$out" mbit_s)"
	if [ "$3" = tcp_stream ]; then
		row "$1" "$2" "$3" "$4" rwnd_pct "$(val "$out" rwnd_pct)"
		row "$1" "$2" "$3" "$4" unsent_kib "$(val "$out" unsent_kib)"
	fi
	if [ "$3" = udp_stream ]; then
		_sent=$(val "$out" sent_msgs)
		row "$1" "$2" "$3" "$4" loss_pct "$(awk -v s="$_sent" -v r="$(val "$out" recv_msgs)" \
			'BEGIN { printf "%.2f\n", 100 * (1 - r / s) }')"
		row "$1" "$2" "$3" "$4" rcvbuf_loss_pct "$(awk -v s="$_sent" -v d="$(($(rcvbuf_errors "$2") - rb0))" \
			'BEGIN { printf "%.2f\n", 100 * d / s }')"
	fi
	cost_rows "$1" "$2" "$3" "$4" "$(val "$out" bytes)"
}

# rr ROUND PATH SIZE
rr() {
	target "$2"
	snap
	out=$(mmperf -c "$addr" -t tcp_rr -m "$3" -l "$SEC" 2>&1) || { echo "$out"; fail "mmperf tcp_rr -m $3 to $addr"; }
	took "$2" "mmperf tcp_rr -m $3"
	for m in trans_s rtt_us rtt_p99_us; do
		row "$1" "$2" tcp_rr "$3" $m "$(val "$out" $m)"
	done
}

r=1
while [ $r -le "$ROUNDS" ]; do
	for size in 4096 65536; do
		out=$(mmperf -t memcpy -m $size -l 1) || fail "mmperf memcpy"
		echo "@@bench $r,$TESTBED,guest,memcpy,$size,mbyte_s,$(val "$out" mbyte_s)"
	done
	for test in $TESTS; do
		[ "$test" = tcp_rr ] && sizes=$RR_SIZES || sizes=$STREAM_SIZES
		for size in $sizes; do
			for path in $PATHS; do
				[ "$path" != mmnet-busy ] || [ "$test" = tcp_rr ] || continue
				if [ "$test" = tcp_rr ]; then
					rr $r "$path" "$size"
				else
					stream $r "$path" "$test" "$size"
				fi
			done
		done
	done
	echo "bench: round $r done"
	r=$((r + 1))
done
echo "bench: done"
exit "$ksft_pass"
