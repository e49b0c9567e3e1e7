#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xen, hostile peer: random writes to its own region while connected.  Guest 2 (the test module,
# hostile_scribble_s) overwrites random bytes of the region this guest reads -- indices, descriptors while
# they are being read, frame data -- for 10 s while pings flow both ways over the channel.  This guest must
# never oops or warn: it refuses what breaks the format (counted in rx_errors_ring, the channel closed with
# the reason, one line each), keeps eth0 and its channel to guest 3 (with 3 guests) working, the channel to
# guest 2 comes back once the writes stop, and hostile_verify passes (lib.sh).
. ./lib.sh

hostile_require 2
SECS=10

trap mmnet_down EXIT
hostile_up 2
hostile_baseline
id=$(peer_id 10.77.0.2)
[ -n "$id" ] || fail "no peer for guest 2"
err0=$(counter mmnet0 rx_errors_ring)
hostile_set 2 scribble_s $SECS
t0=$(uptime_ds)
# Traffic both ways while the writes go on; what the shortcut refuses takes netfront.
ping -c $((SECS * 5)) -i 0.2 -W 2 10.77.0.2 >/tmp/hostile-ping2.out 2>&1
echo "pings to guest 2 during the writes: $(grep 'packet loss' /tmp/hostile-ping2.out)"
ping -c 5 -i 0.2 -W 2 10.77.0.254 >/dev/null || fail "eth0 to dom0 during the writes"
echo "ok: eth0 works during the writes"
if [ "$MMNET_GUESTS" -ge 3 ]; then
	ping_via_mmnet 10.77.0.3
	echo "ok: the channel to guest 3 works during the writes"
fi
while [ $(($(uptime_ds) - t0)) -lt $((SECS * 10 + 10)) ]; do sleep 0.5; done
errs=$(($(counter mmnet0 rx_errors_ring) - err0))
echo "broken regions refused: $errs (rx_errors_ring)"
dmesg | tail -n +$((dmesg_lines + 1)) | grep 'broke the channel' | head -n 3
[ "$errs" -ge 1 ] || fail "nothing counted in rx_errors_ring"
wait_ds 900 "the channel to guest 2 did not come back" has_peer "$id"
echo "ok: the channel to guest 2 is back after ${waited} s"
ping_via_mmnet 10.77.0.2
hostile_verify
exit 0
