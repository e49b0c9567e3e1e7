#!/bin/sh
# Runs in guest 1 of the demo, on real Xen: the guests find each other through mmnetd and xenstore, mmnet
# connects them, and the same measurements run over netfront (the shortcut off) and over mmnet, side by side.
# Absolute numbers under QEMU TCG mean little; the ratio within this one run is the point.
cd /mmnet/selftests || exit 1
. ./lib.sh
peer=${MMNET_PEERS%% *}
secs=5
tput_netfront=0 rr_netfront=0 tput_mmnet=0 rr_mmnet=0

# rate: iperf3's receiver rate in Mbit/s, from its output on stdin.
rate() { awk '/receiver$/ { for (i = 2; i <= NF; i++) if ($i ~ /bits\/sec$/) r = $(i - 1) } END { print r + 0 }'; }
# rr: sockperf ping-pong's round trips per second, from its output on stdin.
rr() { sed -n 's/.*ReceivedMessages=\([0-9]*\).*/\1/p' | tail -n 1 | awk -v t=$secs '{ printf "%d\n", $1 / t }'; }
# measure PATH: TCP throughput and request/response to the peer; sets tput_PATH and rr_PATH.
measure() {
	t=$(iperf3c "$peer" -t $secs -f m | rate)
	r=$(sockperf ping-pong -i "$peer" -t $secs 2>&1 | rr)
	eval "tput_$1=\${t:-0} rr_$1=\${r:-0}"
	echo "   TCP $t Mbit/s, request/response $r round trips/s"
}

echo "== guest $MMNET_GUEST of $MMNET_GUESTS on the $MMNET_TESTBED testbed: $MMNET_SELF $MMNET_SELF6"
echo "== eth0 driver: $(ethtool -i eth0 | sed -n 's/^driver: //p')"
echo "== mmnet.ko loaded and eth0 attached in every guest; mmnetd in dom0 introduces them"
mmnet_up
mmnetctl show | grep -E '^mmnet|peer|addrs'
echo "== the peer map the module filled (bpftool map dump pinned /sys/fs/bpf/mmnet/peers), first entry:"
bpftool map dump pinned /sys/fs/bpf/mmnet/peers | head -n 14

echo "== over netfront (mmnetctl disable: the shortcut off), ${secs} s each"
mmnetctl disable
measure netfront
echo "== over mmnet (mmnetctl enable), ${secs} s each"
mmnetctl enable
id=$(peer_id "$peer")
tx0=$(counter mmnet0 "peer${id}_tx_bytes")
measure mmnet
echo "   (mmnet carried $((($(counter mmnet0 "peer${id}_tx_bytes") - tx0) >> 20)) MiB to the peer)"
for p in $MMNET_PEERS $MMNET_PEERS6; do
	ping -c 3 -i 0.2 "$p" | tail -n 1
done

echo "== side by side, this run (QEMU TCG: compare the ratio, not the absolute values)"
printf '   %-10s %14s %22s\n' path "TCP Mbit/s" "request/response /s"
printf '   %-10s %14s %22s\n' netfront "$tput_netfront" "$rr_netfront" mmnet "$tput_mmnet" "$rr_mmnet"
awk -v a="$tput_mmnet" -v b="$tput_netfront" -v c="$rr_mmnet" -v d="$rr_netfront" 'BEGIN {
	if (b > 0 && d > 0) printf "   mmnet / netfront: throughput %.1fx, round trips %.1fx\n", a / b, c / d }'
mmnet_down
