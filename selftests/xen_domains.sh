#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Xen: peers come and go with their domains.  `xl destroy` of a peer in the middle of a TCP stream to it:
# this guest's channel to it goes and its peer map entries vanish (the time is printed), nothing stays stuck,
# and `rmmod mmnet` succeeds; the destroyed guest is created again (a new domid) and the channel comes back
# to it.  `xl save` + `xl restore` of a peer (a new domid again): the old channel goes, a new one connects
# with the new domid, and traffic to the peer goes through mmnet again.  No warnings in dmesg.
#
# The last guest is the one destroyed and created again; guest 2 is saved and restored.  dom0's root file
# system (a tmpfs of half of dom0's memory, which holds the guests' kernel and ramdisk too) has no room for
# the image of a 256 MiB guest: the image goes through a FIFO and gzip, and the guest's free memory is
# zeroed first, so that what it held (earlier tests' traffic) does not swell the image.
. ./lib.sh

[ "${MMNET_TESTBED:-}" = xen ] || skip "Xen domains (xen testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
VICTIM=$MMNET_GUESTS
SAVED=2
MAP=/sys/fs/bpf/mmnet/peers
IMAGE=/tmp/mmnet-g$SAVED.save.gz
FIFO=/tmp/mmnet-g$SAVED.fifo

iperf_pid=""
cleanup() {
	[ -z "$iperf_pid" ] || kill "$iperf_pid" 2>/dev/null
	on_dom0 "rm -f $IMAGE $FIFO" >/dev/null 2>&1
	mmnet_down
}
trap cleanup EXIT

map_entries() { bpftool map dump pinned $MAP | grep -c "\"peer_id\": $1\$"; }
no_map_entries() { [ "$(map_entries "$1")" -eq 0 ]; }
# dom0_long COMMAND: COMMAND (no single quotes) in dom0 in the background (xl save and restore take longer
# than the agent waits), then wait for it (10 min at most: under TCG they take minutes); its output (but
# libxc's progress lines) is printed, its status returned.
dom0_long() {
	on_dom0 "rm -f /tmp/mmnet-dom0.rc; (sh -c '$1'; echo \$? >/tmp/mmnet-dom0.rc) </dev/null >/tmp/mmnet-dom0.out 2>&1 &" ||
		fail "cannot start \"$1\" in dom0"
	_t0=$(uptime_ds)
	until on_dom0 "test -s /tmp/mmnet-dom0.rc" >/dev/null; do
		[ $(($(uptime_ds) - _t0)) -lt 6000 ] || fail "\"$1\" did not finish in dom0 in 10 min"
		sleep 0.5
	done
	on_dom0 "grep -v 'xc: progress:' /tmp/mmnet-dom0.out; exit \$(cat /tmp/mmnet-dom0.rc)"
}
# zero_free_memory I: guest I's free memory (but 32 MiB) filled with zeros in a tmpfs, then freed.  (The
# agent takes one line.)
zero_free_memory() {
	_cmd='d=$(mktemp -d) && mount -t tmpfs -o size=90% tmpfs "$d" && '
	_cmd=$_cmd'mib=$(awk "/^MemAvailable:/ { print int(\$2 / 1024) - 32 }" /proc/meminfo) && '
	_cmd=$_cmd'{ [ "$mib" -le 0 ] || dd if=/dev/zero of="$d/zero" bs=1048576 count="$mib" 2>/dev/null; true; } && '
	_cmd=$_cmd'umount "$d" && rmdir "$d"'
	on_guest "$1" "$_cmd"
}
# guest_back I: guest I, created again, answers the agent (2 min at most).
guest_back() {
	_i=0
	until on_guest "$1" true >/dev/null 2>&1; do
		[ $_i -lt 600 ] || fail "guest $1 did not come back"
		sleep 0.2
		_i=$((_i + 1))
	done
}

mmnet_up
dmesg_mark

# ---- xl destroy in the middle of a stream ----
vip=10.77.0.$VICTIM
vdom=$(xen_domid "$VICTIM") || fail "no domid for guest $VICTIM"
has_peer "$vdom" || fail "guest $VICTIM (domain $vdom) is not a connected peer"
iperf3 -c "$vip" -t 600 >/dev/null 2>&1 &
iperf_pid=$!
wait_ds 300 "the stream to guest $VICTIM does not go through mmnet" \
	sh -c "[ \$(ethtool -S mmnet0 | awk '\$1 == \"peer${vdom}_tx_bytes:\" { print \$2 }') -gt 2000000 ]"
echo "ok: a TCP stream to guest $VICTIM (domain $vdom) goes through mmnet"
t0=$(uptime_ds)
on_dom0 "xl destroy g$VICTIM" || fail "xl destroy g$VICTIM"
t1=$(uptime_ds)
# The peer map loses the domain's entries first: from then on the classifier sends its traffic to netfront.
# The channel itself goes after the module gave up draining what the dead peer will never take (1 s).
wait_ds 100 "the peer map still has entries for the destroyed domain $vdom after 10 s" no_map_entries "$vdom"
t2=$(uptime_ds)
wait_ds 100 "the channel to the destroyed domain $vdom is still there after 10 s" sh -c "! mmnetctl show | grep -q ' peer $vdom '"
t3=$(uptime_ds)
echo "ok: xl destroy took $(secs $((t1 - t0))) s; the peer map dropped domain $vdom (traffic to netfront)" \
	"$(secs $((t2 - t1))) s after it returned, and the channel was gone $(secs $((t3 - t1))) s after"
kill $iperf_pid 2>/dev/null
wait $iperf_pid 2>/dev/null
iperf_pid=""
# Traffic to the others still flows.
for p in $MMNET_PEERS; do
	[ "$p" = "$vip" ] || ping_via_mmnet "$p"
done
check "rmmod after the peer died" rmmod mmnet
on_dom0 "xl create -q /run/xen/g$VICTIM.cfg >/tmp/mmnet-create.log 2>&1 || { cat /tmp/mmnet-create.log; false; }" ||
	fail "xl create g$VICTIM"
guest_back "$VICTIM"
vdom2=$(xen_domid "$VICTIM")
echo "ok: guest $VICTIM is back as domain $vdom2"
mmnet_up
has_peer "$vdom2" || fail "no channel to the new domain $vdom2"
ping_via_mmnet "$vip"
echo "ok: the channel to guest $VICTIM (domain $vdom2) is back and carries traffic"

# ---- xl save, xl restore ----
sip=10.77.0.$SAVED
sdom=$(xen_domid $SAVED)
has_peer "$sdom" || fail "guest $SAVED (domain $sdom) is not a connected peer"
zero_free_memory $SAVED || fail "cannot zero the free memory of guest $SAVED"
t0=$(uptime_ds)
# gzip's status counts too: a short image must not pass for a saved guest.
dom0_long "rm -f $IMAGE $FIFO; mkfifo $FIFO || exit 1; gzip -1 <$FIFO >$IMAGE & gz=\$!; \
xl save g$SAVED $FIFO; rc=\$?; wait \$gz || rc=1; rm -f $FIFO; exit \$rc" || fail "xl save g$SAVED"
t1=$(uptime_ds)
# The domain is gone once xl save returns; mmnetd and then this guest learn it a moment later.
wait_ds 100 "the channel to the saved domain $sdom is still there after 10 s" sh -c "! mmnetctl show | grep -q ' peer $sdom '"
t2=$(uptime_ds)
[ "$(map_entries "$sdom")" -eq 0 ] || fail "the peer map still has entries for the saved domain $sdom"
size=$(on_dom0 "stat -c %s $IMAGE") || fail "no image $IMAGE in dom0"
echo "ok: xl save took $(secs $((t1 - t0))) s (image: $((size / 1048576)) MiB gzipped); the channel to domain $sdom was gone $(secs $((t2 - t1))) s later"
t0=$(uptime_ds)
dom0_long "rm -f $FIFO; mkfifo $FIFO || exit 1; gunzip -c $IMAGE >$FIFO & gz=\$!; \
xl restore $FIFO; rc=\$?; kill \$gz 2>/dev/null; wait \$gz; rm -f $IMAGE $FIFO; exit \$rc" || fail "xl restore"
t1=$(uptime_ds)
sdom2=$(xen_domid $SAVED)
[ "$sdom2" != "$sdom" ] || fail "restored with the same domid $sdom"
echo "ok: xl restore took $(secs $((t1 - t0))) s"
wait_ds 600 "no channel to the restored domain $sdom2 after 60 s" has_peer "$sdom2"
t2=$(uptime_ds)
echo "ok: restored as domain $sdom2; its channel connected $(secs $((t2 - t1))) s after xl restore returned"
ping_via_mmnet "$sip"
tx=$(counter mmnet0 "peer${sdom2}_tx_bytes")
out=$(iperf3c "$sip" -t 2 -f m 2>&1) || { echo "$out"; fail "iperf3 to the restored guest"; }
tx=$(($(counter mmnet0 "peer${sdom2}_tx_bytes") - tx))
[ $tx -ge 1000000 ] || fail "iperf3 to the restored guest: only $tx bytes through mmnet"
echo "ok: TCP to the restored guest goes through mmnet again ($tx bytes)"

dmesg_check_clean
exit $ksft_pass
