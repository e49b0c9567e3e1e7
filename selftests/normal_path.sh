#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The normal path works between every pair of guests before mmnet takes any part: ICMP over IPv4 and IPv6,
# and a TCP stream with iperf3 (veth + bridge on plain, netfront + netback + bridge on xen).
. ./lib.sh

[ -n "${MMNET_PEERS:-}" ] || skip "no peers in this testbed"

for peer in $MMNET_PEERS $MMNET_PEERS6; do
	check "ping $peer" ping -c 3 -W 5 "$peer"
done

for peer in $MMNET_PEERS; do
	before=$(cat /sys/class/net/eth0/statistics/tx_bytes)
	# A fixed amount, not a time: on a loaded TCG host the rate may collapse, the bytes must not.
	out=$(iperf3c "$peer" -n 4M -f m 2>&1) || { echo "$out"; fail "iperf3 to $peer"; }
	after=$(cat /sys/class/net/eth0/statistics/tx_bytes)
	rate=$(echo "$out" | awk '/sender$/ { for (i = 2; i <= NF; i++) if ($i ~ /bits\/sec$/) print $(i - 1), $i }')
	[ -n "$rate" ] || { echo "$out"; fail "iperf3 to $peer printed no result"; }
	# The stream really left through eth0: at least a megabyte more on its counter.
	[ $((after - before)) -gt 1000000 ] || fail "eth0 sent only $((after - before)) bytes during iperf3 ($rate)"
	echo "ok: TCP to $peer over eth0: $rate"
done
exit $ksft_pass
