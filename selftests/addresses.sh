#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A peer's addresses.  On the plain testbed they are what its lower NIC has now: the module follows each
# guest's eth0 with one set of address notifiers and tells the transport of every change.  An IPv4 and an
# IPv6 address added to the peer's eth0 join this guest's view of the peer (mmnetctl show) and its peer map,
# and a ping to the new IPv4 address goes through mmnet; removed there, they leave both again; a new MAC on
# the peer's eth0 replaces the old one too.  On Xen a peer's addresses and MAC are dom0's (its vif's ip= and
# mac=, docs/xenstore.md): addresses the peer adds to its eth0 change nothing here (mmnetd logs them), and a
# peer that adds a third guest's address draws none of the traffic for it (the address hijack of issue 14):
# this guest's peer map is unchanged and its pings to the third guest still reach it.  No warnings in dmesg.
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
THIRD=${2:-}

cleanup() {
	on_guest "$G" "ip addr del $NEW4/24 dev eth0; ip -6 addr del $NEW6/64 dev eth0" >/dev/null 2>&1
	[ -z "$THIRD" ] || on_guest "$G" "ip addr del $THIRD/32 dev eth0; sysctl -qw net.ipv4.conf.eth0.arp_ignore=0" \
		>/dev/null 2>&1
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
if [ "${MMNET_TESTBED:-}" = xen ]; then
	D=$(xen_domid "$G")
	# logged TEXT: dom0's mmnetd logged TEXT.
	logged() { [ "$(on_dom0 "grep -cF '$1' /var/log/mmnetd.log")" -gt 0 ]; }
	wait_ds 300 "mmnetd did not log guest $G's new address within 30 s" \
		logged "domain $D: announces $NEW4, not among its vif ip=: its peers will not believe it"
	sleep 2
	has_neither || { mmnetctl show; fail "addresses guest $G added to its eth0 reached this guest"; }
	n=$(peermap_entries $MAP "$ID")
	[ "$n" -eq "$before" ] || { peermap_dump $MAP; fail "peer $ID has $n map entries, expected $before"; }
	echo "ok: $NEW4 and $NEW6 added on guest $G's eth0 are not its here (mmnetd logged them; $n map entries)"
	on_guest "$G" "ip addr del $NEW4/24 dev eth0 && ip -6 addr del $NEW6/64 dev eth0" ||
		fail "cannot remove the addresses from guest $G's eth0"
	ping_via_mmnet "$PEER"
	echo "ok: ping $PEER still goes through mmnet"
	if [ -n "$THIRD" ]; then
		# Guest G claims the third guest's address (and does not answer ARP for it: only mmnet is tested).
		TID=$(peer_id "$THIRD")
		on_guest "$G" "sysctl -qw net.ipv4.conf.eth0.arp_ignore=2 && ip addr add $THIRD/32 dev eth0" ||
			fail "cannot add $THIRD to guest $G's eth0"
		wait_ds 300 "mmnetd did not log guest $G's claim within 30 s" \
			logged "domain $D: announces $THIRD, not among its vif ip=: its peers will not believe it"
		sleep 2
		n=$(peermap_entries $MAP "$ID")
		[ "$n" -eq "$before" ] && ! addrs_has "$THIRD" ||
			{ peermap_dump $MAP; fail "guest $G's claim on $THIRD reached this guest's peer map"; }
		[ "$(peer_id "$THIRD")" = "$TID" ] || fail "$THIRD is no longer peer $TID's"
		ping_via_mmnet "$THIRD"
		echo "ok: guest $G claims $THIRD: nothing changes here, pings to $THIRD still reach peer $TID over mmnet"
	fi
	dmesg_check_clean
	exit $ksft_pass
fi
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
