#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A peer that forges frames gains nothing (docs/module.md, "Trust").  Guest 2 plays the attacker: through its
# own mmnet device it sends this guest, N times each, frames from a MAC that is not its own, from an IPv4
# and an IPv6 address that are not its own, an ARP reply and an IPv6 neighbour advertisement that claim the
# gateway's address, and a router advertisement.  This guest drops every one of them: 3N counted in
# rx_dropped_spoofed and 3N in rx_dropped_foreign, one line in dmesg for each kind however many came, its
# neighbour tables unchanged, no warning; and its channel to guest 2 still carries pings.
. ./lib.sh

[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
N=20
PEER=10.77.0.2
GW4=10.77.0.254 GW6=fd77::fe
trap mmnet_down EXIT

mmnet_up
ID=$(peer_id $PEER)
[ -n "$ID" ] || fail "no peer has $PEER"
command -v sendframe >/dev/null || fail "no sendframe in PATH"

hexmac() { echo "$1" | tr -d :; }
# shellcheck disable=SC2046 # one argument per octet
hex4() { printf '%02x' $(echo "$1" | tr . ' '); }
ME=$(hexmac "$(cat /sys/class/net/eth0/address)")
HIM=$(hexmac "$(on_guest 2 cat /sys/class/net/eth0/address)")
FAKE=020000000099
ME4=$(hex4 "$MMNET_SELF") HIM4=$(hex4 $PEER) FAKE4=$(hex4 10.77.0.99) GW4X=$(hex4 $GW4)
ME6=fd770000000000000000000000000001 HIM6=fd770000000000000000000000000002
FAKE6=fd770000000000000000000000000099 GW6X=fd7700000000000000000000000000fe
[ "$MMNET_SELF" = 10.77.0.1 ] || skip "runs in guest 1 (its IPv6 address is spelt out)"

# udp4 SRCMAC SRC4: a UDP datagram to this guest's discard port.
udp4() { echo "$ME$1""0800""4500001c00004000401100""00$2$ME4""0009000900080000"; }
# udp6 SRC6: the same over IPv6, from guest 2's MAC.
udp6() { echo "$ME$HIM""86dd""6000000000081140$1$ME6""0009000900080000"; }
ARP="$ME$HIM""0806""0001080006040002$HIM$GW4X$ME$ME4"
# A neighbour advertisement (override) for the gateway's IPv6 address with guest 2's MAC, and a router
# advertisement; ICMPv6 checksums left zero: the filter must drop them before anything looks.
NA="$ME$HIM""86dd""6000000000203aff$HIM6$ME6""88000000a0000000$GW6X""0201$HIM"
RA="$ME$HIM""86dd""6000000000103aff$HIM6$ME6""86000000400007080000000000000000"

neigh_of() { ip neigh show to "$1" dev eth0 | awk '{ print $3, $4, $5 }'; }
before4=$(neigh_of $GW4) before6=$(neigh_of $GW6)
spoofed=$(counter mmnet0 rx_dropped_spoofed)
foreign=$(counter mmnet0 rx_dropped_foreign)
dmesg_mark

frames=
i=0
while [ $i -lt $N ]; do
	frames="$frames $(udp4 $FAKE "$HIM4") $(udp4 "$HIM" "$FAKE4") $(udp6 $FAKE6) $ARP $NA $RA"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # one argument per frame
on_guest 2 "sendframe mmnet0 $frames" || fail "guest 2 could not send its frames through mmnet0"

all_counted() {
	[ $(($(counter mmnet0 rx_dropped_spoofed) - spoofed)) -eq $((3 * N)) ] &&
		[ $(($(counter mmnet0 rx_dropped_foreign) - foreign)) -eq $((3 * N)) ]
}
wait_ds 100 "not every forged frame was counted: spoofed +$(($(counter mmnet0 rx_dropped_spoofed) - spoofed)), \
foreign +$(($(counter mmnet0 rx_dropped_foreign) - foreign)), expected +$((3 * N)) each" all_counted
echo "ok: $((3 * N)) frames dropped as spoofed, $((3 * N)) as foreign"
[ "$(counter mmnet0 "peer${ID}_rx_dropped_spoofed")" -ge $((3 * N)) ] ||
	fail "the drops were not counted for peer $ID"

lines=$(dmesg | tail -n +$((dmesg_lines + 1)))
[ "$(echo "$lines" | grep -c "peer $ID sent a frame from .* not one dom0 attests")" -eq 1 ] ||
	{ echo "$lines"; fail "expected one log line about the spoofed frames"; }
[ "$(echo "$lines" | grep -c "peer $ID sent a frame to .* of a kind no channel carries")" -eq 1 ] ||
	{ echo "$lines"; fail "expected one log line about the foreign frames"; }
echo "ok: one log line for each kind"

[ "$(neigh_of $GW4)" = "$before4" ] || fail "the forged ARP reply changed the neighbour entry of $GW4"
[ "$(neigh_of $GW6)" = "$before6" ] || fail "the forged advertisement changed the neighbour entry of $GW6"
ip neigh show | grep -qi "02:00:00:00:00:99" && fail "a forged MAC is in the neighbour table"
echo "ok: the neighbour tables are unchanged"

has_peer "$ID" || fail "the channel to peer $ID is gone"
ping_via_mmnet $PEER
echo "ok: the channel to guest 2 still carries pings"
dmesg_check_clean
