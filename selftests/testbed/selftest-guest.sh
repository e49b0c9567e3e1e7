#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of selftests/testbed/selftest.  Options, in order:
#   --net         ping every peer (IPv4, IPv6), iperf3 and sockperf (UDP, TCP) to the next guest in the ring
#   --exit N      exit with N          --sleep S     sleep S seconds first
set -u
fail() {
	echo "FAIL: $*"
	exit 1
}

echo "guest $MMNET_GUEST of $MMNET_GUESTS on $MMNET_TESTBED: $MMNET_SELF $MMNET_SELF6;" \
	"peers: ${MMNET_PEERS:-none} / ${MMNET_PEERS6:-none}; PATH=$PATH; cwd $(pwd)"
[ "$(echo "$MMNET_PEERS" | wc -w)" -eq $((MMNET_GUESTS - 1)) ] || fail "MMNET_PEERS has not N-1 addresses"
[ "$(echo "$MMNET_PEERS6" | wc -w)" -eq $((MMNET_GUESTS - 1)) ] || fail "MMNET_PEERS6 has not N-1 addresses"
[ "$MMNET_SELF $MMNET_SELF6" = "10.77.0.$MMNET_GUEST fd77::$MMNET_GUEST" ] || fail "MMNET_SELF, MMNET_SELF6"
ip -br addr show dev eth0 | grep -q " $MMNET_SELF/24 .*$MMNET_SELF6/64" || fail "eth0's addresses"
mac=$(printf '02:00:00:00:00:%02x' "$MMNET_GUEST")
[ "$(cat /sys/class/net/eth0/address)" = "$mac" ] || fail "eth0's MAC is not $mac"

while [ $# -gt 0 ]; do
	case $1 in
	--sleep) sleep "$2"; shift ;;
	--exit) exit "$2" ;;
	--net)
		for p in $MMNET_PEERS $MMNET_PEERS6; do
			ping -c 1 -W 5 "$p" >/dev/null || fail "ping $p"
		done
		echo "ok: ping $MMNET_PEERS $MMNET_PEERS6"
		[ "$MMNET_GUESTS" -gt 1 ] || continue
		next=10.77.0.$((MMNET_GUEST % MMNET_GUESTS + 1))
		# --forceflush: iperf3 writes to a pipe here, and would keep its lines to the end otherwise.
		iperf3 -c "$next" -t 3 -f m --forceflush | grep -E 'sender|receiver' || fail "iperf3 to $next"
		sockperf ping-pong -i "$next" -t 2 | grep -E 'avg-latency|Summary' || fail "sockperf UDP to $next"
		sockperf ping-pong --tcp -i "$next" -t 2 | grep -E 'avg-latency|Summary' || fail "sockperf TCP to $next"
		;;
	*) fail "unknown option $1" ;;
	esac
	shift
done
echo "ok: guest $MMNET_GUEST"
