#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xen, hostile peer: a teardown that has to wait holds no lock others need.  Guest 2 (the test module,
# hostile_stall=1) stays CONNECTED and consumes nothing; a ping leaves a frame unconsumed in this guest's ring
# to it, so the watchdog closes that channel and its removal drains for drain_ms (set to 20 s here, 1 s by
# default) since the peer still says CONNECTED.  Meanwhile, in this guest:
#   - commands that take RTNL (ip link set, mmnetctl show) answer within HOLD_MAX_DS, far below the drain;
#   - guest 3 detaches and attaches again, and its new channel connects while the drain of guest 2's goes on
#     (a channel's setup waits for no other channel's teardown);
# and afterwards the drained channel is closed and counted, guest 2's channel comes back once it consumes
# again, and hostile_verify passes (lib.sh).
. ./lib.sh

hostile_require 3
DRAIN_MS=20000
# The longest an RTNL command may take while the drain goes on: a tenth of it (under TCG they take 0.1 s).
HOLD_MAX_DS=20

cleanup() {
	ip link del mmnet-probe 2>/dev/null
	mmnet_down
}
trap cleanup EXIT

# closing ID: this guest's peer ID is listed, tearing down.
closing() { mmnetctl show | grep -q " peer $1 .*state closing"; }

hostile_up 2 drain_ms=$DRAIN_MS
hostile_baseline
id2=$(peer_id 10.77.0.2) id3=$(peer_id 10.77.0.3)
[ -n "$id2" ] && [ -n "$id3" ] || { mmnetctl show; fail "no peers for guests 2 and 3"; }
ip link add mmnet-probe type dummy || fail "ip link add mmnet-probe type dummy"
hostile_set 2 stall 1
ping -c 1 -W 1 10.77.0.2 >/dev/null
wait_ds 200 "the channel to the stalled guest 2 did not start closing" closing "$id2"
t0=$(uptime_ds)
echo "ok: guest 2's channel is closing, draining for up to $((DRAIN_MS / 1000)) s"

# probe: one round of RTNL commands, timed; the slowest so far in $worst (tenths of a second).
worst=0 n=0
probe() {
	_a=$(uptime_ds)
	ip link set mmnet-probe up && ip link set mmnet-probe down || fail "ip link set mmnet-probe"
	mmnetctl show >/dev/null || fail "mmnetctl show"
	_d=$(($(uptime_ds) - _a))
	[ "$_d" -le "$worst" ] || worst=$_d
	n=$((n + 1))
	[ $(($(uptime_ds) - t0)) -lt $((DRAIN_MS / 100)) ] || fail "guest 3's channel did not come back within the drain"
	sleep 0.2
}
on_guest 3 "mmnetctl detach eth0" || fail "detach in guest 3"
while has_peer "$id3"; do probe; done
on_guest 3 "mmnetctl attach eth0" || fail "attach in guest 3"
until has_peer "$id3"; do probe; done
# A quick reconnect leaves no time for a round: ten more while the drain goes on.
while [ "$n" -lt 10 ]; do probe; done
closing "$id2" || fail "guest 3 reconnected only after guest 2's drain ended: RTNL held during the drain, or DRAIN_MS too short"
echo "ok: guest 3's channel came back after $(secs $(($(uptime_ds) - t0))) s, while guest 2's still drains"
[ "$worst" -le $HOLD_MAX_DS ] || fail "an RTNL command took $(secs "$worst") s during the drain"
echo "ok: $n rounds of ip link set and mmnetctl show during the drain, the slowest $(secs "$worst") s"
ping_via_mmnet 10.77.0.3
echo "ok: the new channel to guest 3 carries pings"

wait_ds $((DRAIN_MS / 100 + 100)) "guest 2's channel is still closing after the drain" sh -c "! mmnetctl show | grep -q ' peer $id2 .*state closing'"
echo "ok: the drain ended after $(secs $(($(uptime_ds) - t0))) s, and the channel with it"
[ "$(counter mmnet0 tx_stalled)" -ge 1 ] || fail "the watchdog counted no stall (tx_stalled)"
hostile_set 2 stall 0
wait_ds 600 "the channel to guest 2 did not come back" has_peer "$id2"
echo "ok: the channel to guest 2 is back after ${waited} s"
ip link del mmnet-probe
hostile_verify
exit 0
