#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The shortcut turns off and on under a live TCP connection and loses nothing: a 1 GiB transfer to a peer
# goes through mmnet while the shortcut is disabled and enabled again 20 times over 30 s -- on both ends,
# on this end only (data on eth0, ACKs through mmnet), on the peer's only (the other way round) -- and
# arrives whole: the sha256 the peer computes of what it received is the sha256 of what was sent.  While
# disabled here the peer map is empty; the counters show both paths carried the transfer.  The transfer is
# held open until the last toggle, so every toggle happens during it.  No warnings in dmesg.
. ./lib.sh

[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PG=${PEER##*.}
PORT=5311
MIB=${TOGGLE_MIB:-1024}
CYCLES=20
PERIOD=15 # tenths of a second per cycle: 20 cycles, 30 s
MAP=/sys/fs/bpf/mmnet/peers
GATE=/tmp/mmnet-toggle.gate.$$

sender=""
cleanup() {
	: >$GATE
	[ -z "$sender" ] || { pkill -P "$sender"; kill "$sender"; } 2>/dev/null
	rm -f $GATE $GATE.wait /tmp/mmnet-toggle.*.$$
	mmnet_down
}
trap cleanup EXIT

mmnet_tx() { counter mmnet0 "peer${ID}_tx_bytes"; }
# set_here / set_peer enable|disable: the shortcut on this end / on the peer's.
set_here() {
	mmnetctl "$1" || fail "mmnetctl $1"
	if [ "$1" = disable ]; then
		left=$(bpftool map dump pinned $MAP | grep -c '"peer_id"')
		[ "$left" -eq 0 ] || fail "disabled, the peer map still has $left entries"
	fi
}
set_peer() { on_guest "$PG" "mmnetctl $1" || fail "mmnetctl $1 on guest $PG"; }

mmnet_up
dmesg_mark
ID=$(peer_id "$PEER")
[ -n "$ID" ] || { mmnetctl show; fail "no peer with $PEER"; }
BACK_ID=$(on_guest "$PG" ". ./lib.sh; peer_id $MMNET_SELF")
[ -n "$BACK_ID" ] || { on_guest "$PG" "mmnetctl show"; fail "the peer has no peer with $MMNET_SELF"; }
payload_init
sink_start "$PG" $PORT
(payload "$MIB" | sha256sum | cut -d' ' -f1 >/tmp/mmnet-toggle.sent.$$) &
hasher=$!
send_payload "$PEER" $PORT "$MIB" $GATE 2>/tmp/mmnet-toggle.err.$$ &
sender=$!

# Under way through mmnet first.
i=0
while [ "$(mmnet_tx)" -lt 4000000 ]; do
	[ $i -lt 300 ] || fail "the transfer does not go through mmnet"
	kill -0 $sender 2>/dev/null || { cat /tmp/mmnet-toggle.err.$$; fail "the sender ended early"; }
	sleep 0.1
	i=$((i + 1))
done
echo "ok: a $MIB MiB transfer to $PEER is under way through mmnet"

tx0=$(mmnet_tx) etx0=$(stat_of eth0 tx_bytes)
start=$(uptime_ds)
n=0
while [ $n -lt $CYCLES ]; do
	case $((n % 3)) in
	0) set_here disable; set_peer disable ;;
	1) set_here disable ;;
	2) set_peer disable ;;
	esac
	[ -e $GATE.wait ] || kill -0 $sender 2>/dev/null || fail "the transfer broke at toggle $n"
	sleep 0.5
	case $((n % 3)) in
	0) set_here enable; set_peer enable ;;
	1) set_here enable ;;
	2) set_peer enable ;;
	esac
	n=$((n + 1))
	# Keep to the period, never faster (slower if the machine is).
	while [ "$(uptime_ds)" -lt $((start + n * PERIOD)) ]; do sleep 0.1; done
done
secs=$((($(uptime_ds) - start) / 10))
mmnet_mib=$((($(mmnet_tx) - tx0) >> 20)) eth0_mib=$((($(stat_of eth0 tx_bytes) - etx0) >> 20))
in_flight=1
[ -e $GATE.wait ] && in_flight=0
# Before the gate opens: a fast machine may send the last MiB at once.
tx1=$(mmnet_tx)
: >$GATE
echo "ok: $CYCLES disable/enable cycles in $secs s: $mmnet_mib MiB went through mmnet, $eth0_mib through eth0 meanwhile"
if [ $in_flight = 1 ]; then
	# The bulk of the transfer was still being sent: it must have taken both paths.
	[ $mmnet_mib -ge 1 ] && [ $eth0_mib -ge 1 ] || fail "the toggles did not move the transfer between the paths"
	echo "ok: the transfer took both paths while the toggles went on"
else
	echo "note: the transfer waited at its last MiB before the toggles ended: this machine is fast"
fi

wait $sender || { rc=$?; cat /tmp/mmnet-toggle.err.$$; fail "the TCP connection broke (sender exit $rc)"; }
sender=""
wait $hasher
sent=$(cat /tmp/mmnet-toggle.sent.$$)
got=$(sink_sum "$PG" $PORT) || fail "the peer did not report what it received"
[ $(($(mmnet_tx) - tx1)) -ge 1048576 ] || fail "the end of the transfer did not go through mmnet"
[ -n "$sent" ] && [ "$got" = "$sent" ] || fail "sha256 sent $sent, received $got"
echo "ok: $MIB MiB arrived whole across the toggles: sha256 $got"

# TCP would hide a frame mmnet lost (it retransmits): the counters of both ends must not.
no_drops_either_end "$PG" "$ID" "$BACK_ID"
dmesg_check_clean
exit $ksft_pass
