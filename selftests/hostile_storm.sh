#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xen, hostile peer: an event storm.  Guest 2 (the test module, hostile_storm_s) sends events to this guest
# in a loop for 10 s.  The channel is bound with late EOI: events that bring nothing are counted
# (rx_events_spurious) and throttled by the event core, so the interrupt rate stays bounded; during the storm
# this guest's channel to guest 3 (with 3 guests) and eth0 keep carrying pings, and afterwards the channel to
# guest 2 still works and hostile_verify passes (lib.sh).
. ./lib.sh

hostile_require 2
STORM=10
# Interrupts of the storming channel during the storm.  Unthrottled, a PV guest under TCG takes tens of
# thousands a second; with late EOI the event core delays each unmask up to 1 s once events keep being
# spurious, so a few hundred at most.  A generous bound that still tells the two apart:
MAX_IRQS=3000

trap mmnet_down EXIT
hostile_up 2
hostile_baseline
id=$(peer_id 10.77.0.2)
[ -n "$id" ] || fail "no peer for guest 2"
spur0=$(counter mmnet0 "peer${id}_rx_events_spurious")
irq0=$(irq_count "mmnet-xen-$id")

hostile_set 2 storm_s $STORM
t0=$(uptime_ds)
ping -c 10 -i 0.5 -W 2 10.77.0.254 >/tmp/hostile-ping.out 2>&1 || { cat /tmp/hostile-ping.out; fail "eth0 to dom0 during the storm"; }
echo "ok: eth0 to dom0 during the storm: $(tail -n 1 /tmp/hostile-ping.out)"
if [ "$MMNET_GUESTS" -ge 3 ]; then
	ping_via_mmnet 10.77.0.3
	echo "ok: the channel to guest 3 carried pings during the storm"
fi
while [ $(($(uptime_ds) - t0)) -lt $((STORM * 10 + 10)) ]; do sleep 0.5; done
irqs=$(($(irq_count "mmnet-xen-$id") - irq0))
spur=$(($(counter mmnet0 "peer${id}_rx_events_spurious") - spur0))
echo "storm of $STORM s: $irqs interrupts, $spur counted spurious"
[ "$spur" -gt 0 ] || fail "no spurious event counted"
[ "$irqs" -le $MAX_IRQS ] || fail "$irqs interrupts in $STORM s (bound $MAX_IRQS): not throttled"
echo "ok: the storm was counted and throttled"
has_peer "$id" || fail "the channel to guest 2 went down"
ping_via_mmnet 10.77.0.2
echo "ok: the channel to guest 2 works after the storm"
hostile_verify
exit 0
