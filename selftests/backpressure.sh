#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Ring-full backpressure: when the peer's ring is full the sender waits and goes on as the peer consumes;
# nothing is dropped.  The channel is made small (module parameters ring_slots and ring_data_kib) and the
# peer's NAPI is made to poll only on a timer (napi_defer_hard_irqs and gro_flush_timeout on its mmnet0,
# the kernel's interrupt deferral: it does not re-arm the ring's event, so frames do not wake it), so that
# several TCP streams at once have more in flight than the ring holds whatever the machine's speed.  (One
# stream does not fill it: mmnet keeps a TCP frame's skb until the peer has consumed it, as a NIC does until
# transmit completion, so TCP small queues let each socket have only about three frames in the ring.)
# Twice, transfers to the peer arrive whole (sha256) while the ring fills (tx_ring_full rises) -- without a
# qdisc on mmnet0 (the default) frames wait in the peer's backlog (tx_backlogged rises); with one the device
# queue stops and the qdisc requeues -- and no drop or error counter moves on either end, nor the qdisc's.
# No warnings in dmesg.
. ./lib.sh

[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PG=${PEER##*.}
PORT=5313
SLOTS=4
DATA_KIB=128
STREAMS=4
MIB=${BACKPRESSURE_MIB:-2}	# per stream
# The peer's NAPI polls every DEFER_NS while traffic lasts (and for DEFER_POLLS empty polls after).
DEFER_NS=20000000
DEFER_POLLS=1000000

# defer NS POLLS: the command that sets the deferral on mmnet0 (0 0: none, the default).
defer() {
	echo "echo $1 >/sys/class/net/mmnet0/gro_flush_timeout && echo $2 >/sys/class/net/mmnet0/napi_defer_hard_irqs"
}

cleanup() {
	tc qdisc del dev mmnet0 root 2>/dev/null
	on_guest "$PG" "$(defer 0 0)" >/dev/null 2>&1
	mmnet_down
}
trap cleanup EXIT

# here NAME / there NAME: counter NAME of this end's peer / of the peer's peer for this end.
here() { counter mmnet0 "peer${ID}_$1"; }
there() { on_guest "$PG" ". ./lib.sh; counter mmnet0 peer${BACK_ID}_$1"; }
# mib_stat GROUP NAME: a counter of /proc/net/snmp or /proc/net/netstat (GROUP Tcp, TcpExt...).
mib_stat() {
	awk -v g="$1:" -v n="$2" '$1 == g && !seen[g]++ { for (i = 1; i <= NF; i++) f[$i] = i; next }
		$1 == g && (n in f) { print $f[n] }' /proc/net/snmp /proc/net/netstat
}

# transfer WHAT: STREAMS streams of MIB MiB each to the peer through mmnet at once, each checked by sha256;
# the ring must fill on the way.
transfer() {
	full0=$(here tx_ring_full) back0=$(here tx_backlogged) tx0=$(here tx_bytes)
	woke0=$(there rx_notify) || fail "cannot read the peer's counters"
	re0=$(mib_stat Tcp RetransSegs) tlp0=$(mib_stat TcpExt TCPLossProbes)
	sent=$(payload "$MIB" | sha256sum | cut -d' ' -f1)
	pids=
	for port in $PORTS; do
		sink_start "$PG" "$port"
		send_payload "$PEER" "$port" "$MIB" &
		pids="$pids $!"
	done
	for pid in $pids; do
		wait "$pid" || fail "$1: a transfer broke"
	done
	for port in $PORTS; do
		got=$(sink_sum "$PG" "$port") || fail "$1: the peer did not report what it received on $port"
		[ -n "$sent" ] && [ "$got" = "$sent" ] || fail "$1: port $port: sha256 sent $sent, received $got"
	done
	full=$(($(here tx_ring_full) - full0)) backlogged=$(($(here tx_backlogged) - back0))
	mib=$((($(here tx_bytes) - tx0) >> 20))
	re=$(($(mib_stat Tcp RetransSegs) - re0)) tlp=$(($(mib_stat TcpExt TCPLossProbes) - tlp0))
	[ "$mib" -ge $((STREAMS * MIB)) ] || fail "$1: only $mib MiB went through mmnet"
	[ "$full" -gt 0 ] || { ethtool -S mmnet0; fail "$1: the ring never filled"; }
	woke=$(($(there rx_notify) - woke0))
	[ "$woke" -gt 0 ] || fail "$1: the peer never said that room came back"
	echo "ok: $1: $STREAMS x $MIB MiB arrived whole (sha256 $got); the ring was full $full times, the peer said" \
		"$woke times that room came back, $backlogged frames waited in the backlog; TCP retransmitted" \
		"$re segments ($tlp tail loss probes: a peer that polls every $((DEFER_NS / 1000000)) ms acks late)"
}

mmnet_up ring_slots=$SLOTS ring_data_kib=$DATA_KIB
dmesg_mark
ID=$(peer_id "$PEER")
BACK_ID=$(on_guest "$PG" ". ./lib.sh; peer_id $MMNET_SELF")
[ -n "$ID" ] && [ -n "$BACK_ID" ] || { mmnetctl show; fail "no peer with $PEER, or none with $MMNET_SELF there"; }
on_guest "$PG" "$(defer $DEFER_NS $DEFER_POLLS)" || fail "cannot defer the peer's NAPI"
echo "ok: channels of $SLOTS slots and $DATA_KIB KiB; the peer's NAPI polls every $((DEFER_NS / 1000000)) ms"
payload_init
PORTS=$(seq $PORT $((PORT + STREAMS - 1)))

transfer "no qdisc"
[ "$backlogged" -gt 0 ] || fail "no qdisc: no frame waited in the backlog"

check "a pfifo qdisc on mmnet0" tc qdisc add dev mmnet0 root pfifo limit 1000
transfer "pfifo qdisc"
# " Sent B bytes P pkt (dropped D, overlimits O requeues R)"
qstats=$(tc -s qdisc show dev mmnet0 | sed -n 's/.*(dropped \([0-9]*\),.* requeues \([0-9]*\)).*/\1 \2/p')
# shellcheck disable=SC2086 # word splitting wanted
set -- $qstats
[ $# -eq 2 ] || { tc -s qdisc show dev mmnet0; fail "no qdisc statistics"; }
[ "$1" -eq 0 ] || fail "the qdisc dropped $1 packets"
[ "$2" -gt 0 ] || { tc -s qdisc show dev mmnet0; fail "the qdisc never requeued: the queue did not stop"; }
echo "ok: pfifo qdisc: the device queue stopped and the qdisc requeued $2 times, dropped $1"
check "qdisc removed" tc qdisc del dev mmnet0 root

d_here=$(peer_drops "$ID") d_there=$(on_guest "$PG" ". ./lib.sh; peer_drops $BACK_ID") ||
	fail "cannot read the peer's counters"
[ "$d_here" -eq 0 ] && [ "$d_there" -eq 0 ] || { ethtool -S mmnet0; on_guest "$PG" "ethtool -S mmnet0";
	fail "drop and error counters rose: $d_here here, $d_there on the peer"; }
echo "ok: no drop or error counted on either end"
check "the peer's NAPI back to normal" on_guest "$PG" "$(defer 0 0)"
dmesg_check_clean
exit $ksft_pass
