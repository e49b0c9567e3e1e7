#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The plain iproute2 attach path of mmnetctl(8), in every guest:
#     tc qdisc add dev eth0 clsact
#     tc filter add dev eth0 egress bpf da obj bpf/mmnet.bpf.o sec tc
#     mmnetctl attach eth0 map /sys/fs/bpf/tc/globals/mmnet_peers
# tc loads the classifier and pins its peer map under tc's globals; mmnetctl only hands that map to the
# module, which fills it: bpftool map dump of tc's pin shows every peer's MAC, IPv4 and IPv6 address, and
# /sys/fs/bpf/mmnet/peers is the same map.  Traffic to a peer goes through mmnet (its counters move, eth0's
# do not).  mmnetctl detach leaves tc's filter alone but empties the map, so traffic takes eth0 at once;
# attaching the map again puts it back on mmnet (the module replays the peers into it); detach and tc qdisc
# del leave eth0 as it was: no qdisc, no filter, traffic on eth0.  No warnings in dmesg.
. ./lib.sh

[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
OBJ=$MMNET_ROOT/bpf/mmnet.bpf.o
TC_MAP=/sys/fs/bpf/tc/globals/mmnet_peers
MAP=/sys/fs/bpf/mmnet/peers
# What eth0 may carry while traffic goes through mmnet: neighbour discovery, ARP; a few frames.
LEAK=65536

# The steps, as one command line each for here and the peers.
TC_ATTACH="modprobe -q sch_ingress; modprobe -q cls_bpf; tc qdisc add dev eth0 clsact && \
tc filter add dev eth0 egress bpf da obj $OBJ sec tc && mmnetctl attach eth0 map $TC_MAP"
MAP_ATTACH="mmnetctl attach eth0 map $TC_MAP"
TEARDOWN="mmnetctl detach eth0 && tc qdisc del dev eth0 clsact"

cleanup() {
	rm -f $TC_MAP
	on_peers "rm -f $TC_MAP" >/dev/null 2>&1
	mmnet_down
}
trap cleanup EXIT


# The device's counters: the peers' go away with them on detach.
snap() { s_tx=$(stat_of mmnet0 tx_bytes) s_rx=$(stat_of mmnet0 rx_bytes) s_etx=$(stat_of eth0 tx_bytes); }
# ping_via mmnet|eth0: 10 pings of 1000 bytes to the peer, and they went the way it says.
ping_via() {
	snap
	ping -c 10 -i 0.1 -W 2 -s 1000 "$PEER" >/tmp/tc_attach.ping 2>&1 || { cat /tmp/tc_attach.ping; fail "ping $PEER"; }
	tx=$(($(stat_of mmnet0 tx_bytes) - s_tx)) rx=$(($(stat_of mmnet0 rx_bytes) - s_rx))
	etx=$(($(stat_of eth0 tx_bytes) - s_etx))
	counts="mmnet tx $tx rx $rx, eth0 tx $etx bytes"
	case $1 in
	mmnet) [ "$tx" -ge 10000 ] && [ "$rx" -ge 10000 ] && [ "$etx" -lt $LEAK ] ;;
	eth0) [ "$tx" -eq 0 ] && [ "$rx" -eq 0 ] && [ "$etx" -ge 10000 ] ;;
	esac || fail "ping $PEER did not go through $1 ($counts)"
	echo "ok: ping $PEER through $1 ($counts)"
}

mmnet_load_all
dmesg_mark
check "tc attach here: $TC_ATTACH" sh -c "$TC_ATTACH"
check "tc attach in every peer" on_peers "$TC_ATTACH"
tc filter show dev eth0 egress | grep -q 'direct-action .* name mmnet_egress ' ||
	{ tc filter show dev eth0 egress; fail "no mmnet_egress filter on eth0 egress"; }
echo "ok: tc shows the classifier on eth0 egress: $(tc filter show dev eth0 egress | grep mmnet_egress | sed "s/ *$//")"
mmnet_wait_peers
ID=$(peer_id "$PEER")
[ -n "$ID" ] || { mmnetctl show; fail "no peer with $PEER"; }
echo "ok: peer $ID ($PEER) connected"

tc_id=$(bpftool map show pinned $TC_MAP | sed -n 's/^\([0-9]*\): hash .*/\1/p')
mmnet_id=$(bpftool map show pinned $MAP | sed -n 's/^\([0-9]*\): hash .*/\1/p')
[ -n "$tc_id" ] && [ "$tc_id" = "$mmnet_id" ] || fail "$TC_MAP is map ${tc_id:-none}, $MAP is ${mmnet_id:-none}"
n=$(peermap_entries $TC_MAP "$ID")
[ "$n" -ge 3 ] || { peermap_dump $TC_MAP; fail "$n entries of peer $ID in $TC_MAP"; }
peermap_dump $TC_MAP | grep -q "\"kind\":1,.*\"addr\":\[$(echo "$PEER" | tr . ,),0.*\"peer_id\":$ID}" ||
	{ peermap_dump $TC_MAP; fail "no entry for $PEER in $TC_MAP"; }
total=$(peermap_dump $TC_MAP | grep -c '"peer_id"')
[ "$total" -ge $((3 * (MMNET_GUESTS - 1))) ] || { peermap_dump $TC_MAP; fail "$total entries"; }
echo "ok: bpftool map dump pinned $TC_MAP: $total entries, $n of peer $ID (kind 1 IPv4, 2 IPv6, 3 MAC);" \
	"$MAP is the same map (id $tc_id)"
peermap_dump $TC_MAP | grep "\"peer_id\":$ID}" | sed 's/^/    /'
ping_via mmnet
snap
s_ptx=$(counter mmnet0 "peer${ID}_tx_bytes")
out=$(iperf3c "$PEER" -t 2 -f m 2>&1) || { echo "$out"; fail "iperf3 to $PEER"; }
tx=$(($(counter mmnet0 "peer${ID}_tx_bytes") - s_ptx)) etx=$(($(stat_of eth0 tx_bytes) - s_etx))
[ "$tx" -ge 1000000 ] && [ "$etx" -lt $LEAK ] || fail "TCP did not go through mmnet (mmnet tx $tx, eth0 tx $etx)"
echo "ok: TCP to $PEER through mmnet (mmnet tx $tx, eth0 tx $etx bytes)"

check "mmnetctl detach eth0" mmnetctl detach eth0
tc filter show dev eth0 egress | grep -q mmnet_egress || fail "detach removed the filter tc added"
n=$(peermap_dump $TC_MAP | grep -c '"peer_id"')
[ "$n" -eq 0 ] || fail "detached, $TC_MAP still has $n entries"
echo "ok: detached: tc's filter stays, the map is empty"
ping_via eth0
check "$MAP_ATTACH again" sh -c "$MAP_ATTACH"
mmnet_wait_peers
ID=$(peer_id "$PEER")
[ "$(peermap_entries $TC_MAP "$ID")" -ge 3 ] || fail "the module did not replay the peers into the map"
ping_via mmnet

check "teardown here: $TEARDOWN" sh -c "$TEARDOWN"
check "teardown in every peer" on_peers "$TEARDOWN"
qdiscs=$(tc qdisc show dev eth0 | sed "s/ *$//")
echo "$qdiscs" | grep -q clsact && fail "eth0 still has the clsact qdisc: $qdiscs"
[ -z "$(tc filter show dev eth0 egress 2>/dev/null)" ] || fail "eth0 still has an egress filter"
mmnetctl show | grep -q "lower eth0" && fail "an mmnet device is still attached to eth0"
echo "ok: eth0 is as it was: $qdiscs"
ping_via eth0
dmesg_check_clean
exit $ksft_pass
