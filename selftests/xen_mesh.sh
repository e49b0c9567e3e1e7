#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xen: the guests find each other on their own.  Every guest attaches eth0 at the same moment; within 30 s
# (the time is printed) every pair has a connected channel on both ends, each peer known by its domid, and
# every guest's peer map (bpftool map dump pinned) holds the MAC, IPv4 and IPv6 address of every other
# guest.  Then the channels switch to polling (module parameter xen_poll_us) and back under traffic:
# polled, the peer's notification counters stand still and the data still flows; back on event channels,
# notifications resume.  No warnings in dmesg.
. ./lib.sh

TIMES=/tmp/mmnet-mesh.time
LIMIT=300 # tenths of a second

# --attach N: (in a guest, in the background) attach eth0, wait until N peers are connected (2 min at
# most), and write how long it took, in tenths of a second, to $TIMES; "fail REASON" if it did not.
if [ "${1:-}" = --attach ]; then
	t0=$(uptime_ds)
	mmnetctl attach eth0 2>/tmp/mmnet-mesh.err || { echo "fail attach: $(cat /tmp/mmnet-mesh.err)" >$TIMES; exit 1; }
	until [ "$(mmnetctl show | grep -c 'state connected')" -ge "$2" ]; do
		[ $(($(uptime_ds) - t0)) -lt 1200 ] || { echo "fail not connected after 2 min" >$TIMES; exit 1; }
		sleep 0.1
	done
	echo $(($(uptime_ds) - t0)) >$TIMES
	exit 0
fi

[ "${MMNET_TESTBED:-}" = xen ] || skip "Xen channels (xen testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
MAP=/sys/fs/bpf/mmnet/peers
POLL=/sys/module/mmnet/parameters/xen_poll_us

cleanup() {
	[ ! -w $POLL ] || echo 0 >$POLL
	mmnet_down
}
trap cleanup EXIT


mmnet_load_all
dmesg_mark
# The domids, as the toolstack knows them.
i=1
while [ $i -le "$MMNET_GUESTS" ]; do
	d=$(xen_domid $i) || fail "no domid for guest $i"
	eval "dom_$i=$d"
	i=$((i + 1))
done

# All at once: every guest attaches in the background and times itself (its own clock: the agent's round
# trips say nothing about the channels, and are slow under TCG).
i=1
while [ $i -le "$MMNET_GUESTS" ]; do
	cmd="rm -f $TIMES; ./xen_mesh.sh --attach $((MMNET_GUESTS - 1)) </dev/null >/dev/null 2>&1 &"
	if [ $i -eq "$MMNET_GUEST" ]; then
		sh -c "$cmd"
	else
		on_guest $i "$cmd" || fail "cannot attach in guest $i"
	fi
	i=$((i + 1))
done
slowest=0
i=1
while [ $i -le "$MMNET_GUESTS" ]; do
	n=0
	until t=$(on_guest $i "cat $TIMES 2>/dev/null") && [ -n "$t" ]; do
		[ $n -lt 600 ] || fail "guest $i did not finish attaching"
		sleep 0.2
		n=$((n + 1))
	done
	[ "${t%% *}" != fail ] || { on_guest $i "mmnetctl show"; fail "guest $i: ${t#fail }"; }
	[ "$t" -le "$slowest" ] || slowest=$t
	echo "ok: guest $i connected to all $((MMNET_GUESTS - 1)) peers $(secs "$t") s after its mmnetctl attach"
	i=$((i + 1))
done
[ "$slowest" -le $LIMIT ] || fail "the full mesh took $(secs "$slowest") s, more than $(secs $LIMIT) s"
echo "ok: full mesh of $MMNET_GUESTS guests within $(secs "$slowest") s of attaching (the bound: $(secs $LIMIT) s)"

# Every guest's view: each other guest is a peer under its domid, with its MAC and addresses in the peer map.
i=1
while [ $i -le "$MMNET_GUESTS" ]; do
	j=1
	while [ $j -le "$MMNET_GUESTS" ]; do
		if [ $j -ne $i ]; then
			eval "d=\$dom_$j"
			on_guest $i "mmnetctl show" | grep -q " peer $d .*state connected" ||
				fail "guest $i has no connected peer $d (guest $j)"
			n=$(on_guest $i "bpftool map dump pinned $MAP" | grep -c "\"peer_id\": $d\$")
			[ "$n" -ge 3 ] ||
				{ on_guest $i "bpftool map dump pinned $MAP"; fail "guest $i: $n map entries for domain $d"; }
		fi
		j=$((j + 1))
	done
	i=$((i + 1))
done
echo "ok: in every guest, every other guest is a connected peer under its domid with MAC, IPv4, IPv6 in the map"

# Polling and back, under traffic.
ID=$(peer_id "$PEER")
notes() { echo $(($(counter mmnet0 "peer${ID}_tx_notify") + $(counter mmnet0 "peer${ID}_rx_notify"))); }
stream() {
	tx=$(counter mmnet0 "peer${ID}_tx_bytes")
	out=$(iperf3c "$PEER" -t 2 -f m 2>&1) || { echo "$out"; fail "iperf3 $1"; }
	moved=$(($(counter mmnet0 "peer${ID}_tx_bytes") - tx))
	[ $moved -ge 1000000 ] || fail "$1: only $moved bytes through mmnet"
	echo "$out" | awk -v w="$1" '/receiver$/ { for (i = 2; i <= NF; i++) if ($i ~ /bits\/sec$/) r = $(i - 1) " " $i }
		END { print "ok: " w ": " r }'
}
stream "event channel"
check "polling every 100 us here" sh -c "echo 100 >$POLL"
check "polling every 100 us in the peers" on_peers "echo 100 >$POLL"
# A receive event one end armed before it switched may still fire, once; then no more.
ping -c 2 -i 0.2 -W 2 "$PEER" >/dev/null || fail "ping after the switch to polling"
n0=$(notes)
stream "polling"
ping -c 3 -i 0.2 -W 2 "$PEER" >/dev/null || fail "ping while polling"
n1=$(notes)
[ "$n1" -eq "$n0" ] || fail "polled, the channel still notified $((n1 - n0)) times"
echo "ok: polled: no notification either way"
check "event channels here" sh -c "echo 0 >$POLL"
check "event channels in the peers" on_peers "echo 0 >$POLL"
stream "event channel again"
[ "$(notes)" -gt "$n1" ] || fail "back on event channels, no notification"
echo "ok: back on event channels, notifications again"

dmesg_check_clean
exit $ksft_pass
