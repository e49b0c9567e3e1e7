#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A peer is reachable at what its lower NIC has now: the module follows each guest's eth0 with one set of
# address notifiers and tells the transport of every change.  An IPv4 and an IPv6 address added to the
# peer's eth0 join this guest's view of the peer (mmnetctl show) and its peer map, and a ping to the new
# IPv4 address goes through mmnet; removed there, they leave both again.  On the plain testbed a new MAC on
# the peer's eth0 replaces the old one too (on Xen a guest's MAC is the toolstack's: the guest cannot
# change what its peers know).  No warnings in dmesg.
. ./lib.sh

[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
G=${PEER##*.}
NEW4=10.77.0.$((100 + G))
NEW6=fd77::$((100 + G))
NEWMAC=$(printf '02:00:5e:77:00:%02x' "$G")
MAP=/sys/fs/bpf/mmnet/peers

cleanup() {
	on_guest "$G" "ip addr del $NEW4/24 dev eth0; ip -6 addr del $NEW6/64 dev eth0" >/dev/null 2>&1
	[ -z "${OLDMAC:-}" ] || on_guest "$G" "ip link set dev eth0 address $OLDMAC" >/dev/null 2>&1
	mmnet_down
}
trap cleanup EXIT

mmnet_up
dmesg_mark
ID=$(peer_id "$PEER")
[ -n "$ID" ] || fail "no peer has $PEER"

# addrs_has ADDR: mmnetctl show lists ADDR among the peer's addresses.
addrs_has() {
	mmnetctl show | awk -v id="$ID" -v a="$1" '
		$1 == "peer" { p = $2 }
		$1 == "addrs" && p == id { for (i = 2; i <= NF; i++) if ($i == a) found = 1 }
		END { exit !found }'
}
# mac_is MAC: mmnetctl show gives the peer this MAC.
mac_is() { mmnetctl show | grep -q "^  peer $ID .* mac $1\$"; }
# map_hasmac MAC: the peer map has a MAC entry MAC for the peer.
map_hasmac() { peermap_dump $MAP | grep -q "\"kind\":3,.*\"addr\":\[$(mac_bytes "$1"),0.*\"peer_id\":$ID}"; }
# mac_bytes MAC: its bytes in decimal, as bpftool prints a key: "2,0,94,119,0,2".
mac_bytes() {
	_o=
	for _b in $(echo "$1" | tr : ' '); do _o="$_o$(printf '%d' "0x$_b"),"; done
	echo "${_o%,}"
}
mac_both() { mac_is "$1" && map_hasmac "$1" && ! map_hasmac "$2"; }
# map_has4 ADDR: the peer map has an IPv4 entry ADDR for the peer.
map_has4() { peermap_dump $MAP | grep -q "\"kind\":1,.*\"addr\":\[$(echo "$1" | tr . ,),0.*\"peer_id\":$ID}"; }
# Both views agree that the peer has (or, with !, has not) the addresses.
has_both() { addrs_has "$NEW4" && addrs_has "$NEW6" && map_has4 "$NEW4"; }
has_neither() { ! addrs_has "$NEW4" && ! addrs_has "$NEW6" && ! map_has4 "$NEW4"; }

before=$(peermap_entries $MAP "$ID")
on_guest "$G" "ip addr add $NEW4/24 dev eth0 && ip -6 addr add $NEW6/64 dev eth0 nodad" ||
	fail "cannot add addresses to guest $G's eth0"
wait_ds 300 "the peer's new addresses did not reach this guest within 30 s" has_both
after=$(peermap_entries $MAP "$ID")
[ "$after" -eq $((before + 2)) ] || { peermap_dump $MAP; fail "peer $ID has $after map entries, expected $((before + 2))"; }
echo "ok: $NEW4 and $NEW6 added on guest $G's eth0 are the peer's $waited s later ($before -> $after map entries)"
ping_via_mmnet "$NEW4"
echo "ok: ping $NEW4 goes through mmnet"

on_guest "$G" "ip addr del $NEW4/24 dev eth0 && ip -6 addr del $NEW6/64 dev eth0" ||
	fail "cannot remove the addresses from guest $G's eth0"
wait_ds 300 "the removed addresses stayed the peer's for 30 s" has_neither
n=$(peermap_entries $MAP "$ID")
[ "$n" -eq "$before" ] || { peermap_dump $MAP; fail "peer $ID has $n map entries, expected $before"; }
echo "ok: removed there, they are gone here $waited s later ($n map entries)"
ping_via_mmnet "$PEER"
echo "ok: ping $PEER still goes through mmnet"

if [ "${MMNET_TESTBED:-}" = plain ]; then
	OLDMAC=$(on_guest "$G" "cat /sys/class/net/eth0/address") || fail "cannot read guest $G's MAC"
	mac_is "$OLDMAC" || { mmnetctl show; fail "the peer's MAC is not $OLDMAC"; }
	on_guest "$G" "ip link set dev eth0 address $NEWMAC" || fail "cannot set guest $G's MAC"
	wait_ds 300 "the peer's new MAC did not reach this guest within 30 s" mac_both "$NEWMAC" "$OLDMAC"
	n=$(peermap_entries $MAP "$ID")
	[ "$n" -eq "$before" ] || { peermap_dump $MAP; fail "peer $ID has $n map entries, expected $before"; }
	echo "ok: guest $G's new MAC $NEWMAC replaced $OLDMAC, here and in the peer map, $waited s later"
	on_guest "$G" "ip link set dev eth0 address $OLDMAC" || fail "cannot set guest $G's MAC back"
	wait_ds 300 "the peer's MAC did not come back within 30 s" mac_both "$OLDMAC" "$NEWMAC"
	OLDMAC=
	ping_via_mmnet "$PEER"
	echo "ok: the MAC back, ping $PEER goes through mmnet"
fi
dmesg_check_clean
