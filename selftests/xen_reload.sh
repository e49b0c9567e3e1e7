#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xen: the module comes and goes while peers are connected, and a peer's garbage harms nobody.
#  - rmmod mmnet in a peer under a TCP stream to it: this guest's channel to it goes, the stream goes on over
#    netfront; insmod and attach there again: the channel comes back and carries the traffic.
#  - rmmod mmnet here while connected to every peer: every peer drops its channel to this guest; insmod
#    and attach: all channels come back.
#  - A peer writes garbage into its rendezvous nodes for this guest (what no module writes: words, huge
#    numbers, reserved or never-granted grant references, an unknown state): this guest logs what it ignores,
#    keeps its other channels working, and the pair connects again on its own.  No warnings in dmesg.
. ./lib.sh

[ "${MMNET_TESTBED:-}" = xen ] || skip "Xen channels (xen testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PG=${PEER##*.}
OTHER=${2:-}

stream=""
cleanup() {
	[ -z "$stream" ] || kill "$stream" 2>/dev/null
	mmnet_down
}
trap cleanup EXIT

# connected_all I: guest I has a connected channel to every other guest.
connected_all() {
	[ "$(on_guest "$1" "mmnetctl show | grep -c 'state connected'")" = $((MMNET_GUESTS - 1)) ]
}
# gone_here I: guest I has no channel to this guest.
gone_here() { ! on_guest "$1" "mmnetctl show" | grep -q " peer $SELF "; }

mmnet_up
dmesg_mark
SELF=$(xenstore-read domid)
PD=$(xen_domid "$PG")
has_peer "$PD" || fail "guest $PG (domain $PD) is not a connected peer"

# ---- rmmod in the peer under a stream ----
payload_init
sink_start "$PG" 5312
send_payload "$PEER" 5312 64 2>/tmp/mmnet-reload.err &
stream=$!
wait_ds 300 "the stream does not go through mmnet" \
	sh -c "[ \$(ethtool -S mmnet0 | awk '\$1 == \"peer${PD}_tx_bytes:\" { print \$2 }') -gt 1000000 ]"
on_guest "$PG" "rmmod mmnet" || fail "rmmod in guest $PG"
wait_ds 100 "the channel to domain $PD outlived the peer's module by 10 s" sh -c "! mmnetctl show | grep -q ' peer $PD '"
echo "ok: rmmod in guest $PG under a stream: its channel here went $waited s later"
eth0=$(stat_of eth0 tx_bytes)
on_guest "$PG" ". ./lib.sh; mmnet_load && mmnetctl attach eth0" || fail "insmod and attach in guest $PG"
wait_ds 300 "no channel to domain $PD 30 s after it attached again" has_peer "$PD"
echo "ok: the peer loaded and attached again: connected $waited s later"
wait $stream || { cat /tmp/mmnet-reload.err; fail "the stream broke"; }
stream=""
sum=$(sink_sum "$PG" 5312) || fail "the sink did not answer"
[ "$sum" = "$(payload 64 | sha256sum | cut -d' ' -f1)" ] || fail "the stream arrived damaged"
echo "ok: the stream survived, 64 MiB arrived whole; eth0 carried $((($(stat_of eth0 tx_bytes) - eth0) >> 10)) KiB meanwhile"
ping_via_mmnet "$PEER"

# ---- rmmod here ----
check "rmmod here while connected" rmmod mmnet
i=1
while [ $i -le "$MMNET_GUESTS" ]; do
	[ $i -eq "$MMNET_GUEST" ] ||
		wait_ds 100 "guest $i kept its channel to domain $SELF" gone_here $i
	i=$((i + 1))
done
echo "ok: every peer dropped its channel to this guest"
check "ping over netfront" ping -c 2 -W 2 "$PEER"
mmnet_load
check "attach again" mmnetctl attach eth0
i=1
while [ $i -le "$MMNET_GUESTS" ]; do
	wait_ds 300 "guest $i is not connected to all its peers again" connected_all $i
	i=$((i + 1))
done
echo "ok: all channels back"
ping_via_mmnet "$PEER"

# ---- garbage from the peer ----
dmesg_mark
dir=/local/domain/$PD/data/mmnet/peer/$SELF
for kv in "ring-ref junk" "ring-ref 99999999999" "ring-ref 1" "ring-ref 4000000" "event-channel -3" \
	"event-channel 1048576" "peer-ring-ref 0x10" "state bogus" "state connected"; do
	on_guest "$PG" "xenstore-write -- $dir/${kv% *} '${kv#* }'" || fail "guest $PG cannot write its $dir"
	sleep 1
	[ -z "$OTHER" ] || ping_via_mmnet "$OTHER"
	wait_ds 300 "the pair did not connect again after ${kv% *} = ${kv#* }" has_peer "$PD"
	echo "ok: the peer wrote ${kv% *} = \"${kv#* }\": connected again $waited s later"
done
ignored=$(dmesg | tail -n +$((dmesg_lines + 1)) | grep -c 'mmnet: xen: ignoring\|mmnet: xen: .*cannot map')
[ "$ignored" -gt 0 ] || fail "nothing in dmesg says what was ignored"
dmesg | tail -n +$((dmesg_lines + 1)) | grep 'mmnet: xen: ignoring\|mmnet: xen: .*cannot map' | head -n 3
echo "ok: $ignored log lines say what was ignored"
ping_via_mmnet "$PEER"
[ -z "$OTHER" ] || ping_via_mmnet "$OTHER"
echo "ok: every channel works after the garbage"

dmesg_check_clean
exit $ksft_pass
