#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xen, hostile peer: a consumer that stops.  Guest 2 (the test module, hostile_stall=1) stays CONNECTED but
# never consumes.  A TCP transfer from this guest to guest 2 starts over mmnet; the watchdog (tx_stall_ms,
# 5 s) closes the channel with one line in dmesg and counts it (tx_stalled), the frames it held are freed,
# TCP retransmits over netfront and the transfer completes with a matching sha256.  Meanwhile the channel to
# guest 3 (with 3 guests) carries pings; afterwards hostile_verify passes (lib.sh).
. ./lib.sh

hostile_require 2
PORT=5314
MIB=8

trap mmnet_down EXIT
payload_init
want=$(payload $MIB | sha256sum | cut -d' ' -f1)
hostile_up 2
hostile_baseline
id=$(peer_id 10.77.0.2)
[ -n "$id" ] || fail "no peer for guest 2"
st0=$(counter mmnet0 tx_stalled)
sink_start 2 $PORT
hostile_set 2 stall 1
t0=$(uptime_ds)
timeout 120 sh -c ". ./lib.sh; send_payload 10.77.0.2 $PORT $MIB" || fail "the transfer to the stalled guest broke"
echo "transfer of $MIB MiB to the stalled guest took $(secs $(($(uptime_ds) - t0))) s"
if [ "$MMNET_GUESTS" -ge 3 ]; then
	ping_via_mmnet 10.77.0.3
	echo "ok: the channel to guest 3 carried pings"
fi
stalled=$(($(counter mmnet0 tx_stalled) - st0))
[ "$stalled" -ge 1 ] || fail "the watchdog counted no stall (tx_stalled)"
dmesg | tail -n +$((dmesg_lines + 1)) | grep "peer $id consumed nothing" | head -n 3
[ "$(dmesg | tail -n +$((dmesg_lines + 1)) | grep -c "peer $id consumed nothing")" -ge 1 ] ||
	fail "no line in dmesg about the stalled peer"
hostile_set 2 stall 0
got=$(sink_sum 2 $PORT) || fail "no sha256 from the sink"
[ "$got" = "$want" ] || fail "sha256 $got, sent $want"
echo "ok: all $MIB MiB arrived (sha256 matches), the watchdog closed the channel ($stalled times: tx_stalled)"
wait_ds 600 "the channel to guest 2 did not come back" has_peer "$id"
echo "ok: the channel to guest 2 is back after ${waited} s"
hostile_verify
exit 0
