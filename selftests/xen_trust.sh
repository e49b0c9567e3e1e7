#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Trust groups (mmnetd.conf(5)): the dom0 admin decides which guests connect.  Three guests, guests 1 and 2
# grouped: they run over mmnet, guest 3 reaches both over netfront only (counters and peer maps prove it)
# and learns nothing about them in xenstore; mmnetd says once why guest 3 connects to nothing.  SIGHUP with
# guest 3 added connects it under a live stream; SIGHUP with that group removed tears the pair down under a
# stream, which survives (sha256 of what arrived).  SIGHUP with an invalid file is refused and the pairs
# stay.  A pair's mode is the least privilege of its groups and follows a reload.  `mmnetd --check` on good
# and bad files, `mmnetd --status` shows the pairs.  At the end the testbed's configuration is back.
#
#   selftests/testbed/run --xen --guests 3 selftests/run_tests xen_trust.sh
. ./lib.sh

[ "${MMNET_TESTBED:-}" = xen ] || skip "trust groups are mmnetd's, in a Xen dom0 (xen testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 3 ] && [ "$MMNET_GUEST" = 1 ] || skip "needs three guests, run in guest 1"
CONF=/etc/mmnet/mmnetd.conf
LOG=/var/log/mmnetd.log

stream=""
cleanup() {
	[ -z "$stream" ] || kill "$stream" 2>/dev/null
	rm -f /tmp/mmnet-trust.gate /tmp/mmnet-trust.gate.wait
	on_dom0 "[ ! -f /tmp/mmnetd.conf.orig ] || { cp /tmp/mmnetd.conf.orig $CONF; kill -HUP \$(cat /run/mmnetd.pid); }" \
		>/dev/null 2>&1
	mmnet_down
}
trap cleanup EXIT

# write_file PATH LINE...: dom0's PATH holds these lines (no backslash in them: the agent's command line
# goes through echo).  conf LINE...: dom0's configuration is these lines.  hup: mmnetd reloads it, and has
# done so when this returns (its log says so).
write_file() {
	_f=$1 _c=": >$1"
	shift
	for _l; do _c="$_c; echo '$_l' >>$_f"; done
	on_dom0 "$_c" >/dev/null || fail "cannot write $_f in dom0"
}
conf() { write_file $CONF "$@"; }
hup() {
	_n=$(on_dom0 "grep -c 'SIGHUP: reading' $LOG; true") || fail "cannot read dom0's $LOG"
	on_dom0 'kill -HUP $(cat /run/mmnetd.pid)' >/dev/null || fail "cannot send SIGHUP to mmnetd"
	wait_ds 100 "mmnetd did not take the SIGHUP" sh -c \
		"[ \$(. ./lib.sh; on_dom0 \"grep -c 'SIGHUP: reading' $LOG\") -gt $_n ]"
}
# log_count TEXT: the lines of mmnetd's log that contain TEXT.
log_count() { on_dom0 "grep -cF '$1' $LOG"; }
# connected ID / unpaired ID: this guest's channel to peer ID is connected / does not exist.
connected() { mmnetctl show | grep -q " peer $1 .*state connected"; }
unpaired() { ! mmnetctl show | grep -q " peer $1 "; }
# ptx ID: the bytes this guest sent its peer ID over mmnet (0 without a channel).
ptx() { counter mmnet0 "peer$1_tx_bytes" 2>/dev/null || echo 0; }
# node A B: whether dom0 sees /local/domain/A/data/mmnet/peer/B ("yes" or "no").
node() { on_dom0 "xenstore-exists /local/domain/$1/data/mmnet/peer/$2 && echo yes || echo no"; }
pair_gone() { [ "$(node "$1" "$2")" = no ] && [ "$(node "$2" "$1")" = no ]; }
# no_map_entry ADDR: this guest's peer map has no entry for the IPv4 address ADDR.
no_map_entry() { ! peermap_dump /sys/fs/bpf/mmnet/peers | grep -q "\"addr\":\[$(echo "$1" | tr . ,),0"; }

D1=$(xen_domid 1) && D2=$(xen_domid 2) && D3=$(xen_domid 3) || fail "cannot read the domids"
echo "domids: g1 $D1, g2 $D2, g3 $D3"
on_dom0 "cp $CONF /tmp/mmnetd.conf.orig" >/dev/null || fail "cannot save dom0's $CONF"

# ---- --check: good and bad files, no xenstore needed ----
write_file /tmp/good.conf "group a copy g1 g2 # ok" "" "group b premap g2 g3"
out=$(on_dom0 "mmnetd --check /tmp/good.conf 2>&1; echo rc=\$?")
[ "$out" = rc=0 ] || fail "mmnetd --check of a good file: $out"
echo "ok: mmnetd --check accepts a good file, silently"
write_file /tmp/bad.conf "group a copy g1 g2" "foo" "group a premap g1 g3" "group c share g1 g2" "group d copy g1"
out=$(on_dom0 "mmnetd --check /tmp/bad.conf 2>&1 >/dev/null; echo rc=\$?")
echo "$out" | sed 's/^/    /'
echo "$out" | grep -q '^rc=1$' || fail "mmnetd --check of a bad file did not exit 1"
for l in 2 3 4 5; do
	echo "$out" | grep -q "^/tmp/bad.conf:$l: " || fail "no error for line $l"
done
[ "$(echo "$out" | grep -c '^/tmp/bad.conf:')" = 4 ] || fail "not one line per error"
echo "ok: mmnetd --check refuses a bad file: exit 1, one FILE:LINE line per error"

# ---- guests 1 and 2 grouped, guest 3 in no group ----
conf "# xen_trust.sh" "group pair copy g1 g2"
hup
mmnet_load_all
mmnetctl attach eth0 || fail "mmnetctl attach eth0"
on_peers "mmnetctl attach eth0" >/dev/null || fail "mmnetctl attach eth0 in the peers"
dmesg_mark
wait_ds 300 "guests 1 and 2 did not connect within 30 s" connected "$D2"
echo "ok: guests 1 and 2 (one group) connected in $waited s"
sleep 3
unpaired "$D3" || { mmnetctl show; fail "guest 1 has a channel to guest 3, which is in no group"; }
[ "$(on_guest 3 "mmnetctl show | grep -c ' peer '")" = 0 ] || fail "guest 3 has peers"
echo "ok: guest 3 (no group) has no channel, nor do 1 and 2 to it"
# Nothing guest 3 can read names guests 1 and 2, nor do they learn of it.
[ "$(on_guest 3 "xenstore-list data/mmnet/peer 2>/dev/null | wc -l")" = 0 ] || fail "guest 3 has peer entries"
[ "$(node "$D1" "$D3")" = no ] && [ "$(node "$D2" "$D3")" = no ] || fail "guests 1 or 2 have an entry for guest 3"
echo "ok: no xenstore node introduces guest 3 to the others or them to it"
n=$(log_count "domain $D3 (g3) is in no group of $CONF: it connects to nothing")
[ "$n" = 1 ] || fail "mmnetd said $n times that guest 3 is in no group, expected once"
echo "ok: mmnetd said once why guest 3 connects to nothing"

ping_via_mmnet 10.77.0.2
no_map_entry 10.77.0.3 || { peermap_dump /sys/fs/bpf/mmnet/peers; fail "guest 3's address is in the peer map"; }
m=$(stat_of mmnet0 tx_bytes) e=$(stat_of eth0 tx_bytes)
ping -c 3 -i 0.2 -W 2 10.77.0.3 >/dev/null || fail "guest 1 cannot ping guest 3"
[ "$(stat_of mmnet0 tx_bytes)" = "$m" ] && [ "$(stat_of eth0 tx_bytes)" -gt "$e" ] ||
	fail "guest 1's pings to guest 3 did not take eth0 alone"
echo "ok: guest 1 reaches guest 2 over mmnet, guest 3 over netfront only"
for a in 10.77.0.1 10.77.0.2; do
	out=$(on_guest 3 "m=\$(cat /sys/class/net/mmnet0/statistics/tx_bytes); ping -c 3 -i 0.2 -W 2 $a >/dev/null || echo noping; \
[ \$(cat /sys/class/net/mmnet0/statistics/tx_bytes) = \$m ] || echo viammnet")
	[ -z "$out" ] || fail "guest 3 to $a: $out"
done
echo "ok: guest 3 reaches guests 1 and 2 over netfront, its mmnet0 sent nothing"

out=$(on_dom0 "mmnetd --status")
echo "$out" | sed 's/^/    /'
echo "$out" | grep -Eq "^group pair copy: g1 \($D1\) g2 \($D2\)$" || fail "mmnetd --status does not show the group"
echo "$out" | grep -Eq "^g1 +g2 +copy +copy +connected +connected$" || fail "mmnetd --status does not show the pair"
echo "$out" | grep -q "g3" && fail "mmnetd --status shows guest 3, which is in no group"
echo "ok: mmnetd --status shows the group, the pair, its mode and both sides connected"

# ---- least privilege, and a changed mode is rewritten ----
mode_is() { [ "$(xenstore-read "data/mmnet/peer/$D2/mode" 2>/dev/null)" = "$1" ]; }
mode_is copy || fail "guest 1's peer/$D2/mode is not copy"
conf "group pair premap g1 g2"
hup
wait_ds 100 "the mode did not become premap" mode_is premap
[ "$(on_guest 2 "xenstore-read data/mmnet/peer/$D1/mode")" = premap ] || fail "guest 2's side is not premap"
echo "ok: a premap group: peer/B/mode is premap on both sides"
conf "group pair premap g1 g2" "group web copy g2 g1"
hup
wait_ds 100 "premap and copy groups: the mode did not become copy" mode_is copy
echo "ok: a premap group and a copy group: copy, the least privilege"
connected "$D2" || fail "the pair did not stay connected across the mode changes"

# ---- SIGHUP with guest 3 added connects it under a live stream ----
payload_init
gate=/tmp/mmnet-trust.gate
rm -f $gate $gate.wait
sink_start 3 5411
send_payload 10.77.0.3 5411 64 $gate 2>/tmp/mmnet-trust.err &
stream=$!
sleep 1
conf "group pair copy g1 g2" "group all copy g1 g2 g3"
hup
wait_ds 300 "guest 3 added: no channel to it within 30 s" connected "$D3"
echo "ok: guest 3 added to a group: connected $waited s later, the stream running"
wait_ds 300 "guest 3's channel did not connect to guest 2" sh -c ". ./lib.sh; on_guest 2 \"mmnetctl show\" | grep -q ' peer $D3 .*state connected'"
t=$(ptx "$D3")
: >$gate
wait "$stream" || { cat /tmp/mmnet-trust.err; fail "the stream broke"; }
stream=""
sum=$(sink_sum 3 5411) || fail "guest 3's sink did not answer"
[ "$sum" = "$(payload 64 | sha256sum | cut -d' ' -f1)" ] || fail "the stream arrived damaged"
[ "$(ptx "$D3")" -gt $((t + 500000)) ] || fail "the stream's end did not go over mmnet"
echo "ok: the stream went on over mmnet and 64 MiB arrived whole"

# ---- SIGHUP with the pair's group removed tears it down under a stream, which survives ----
rm -f $gate $gate.wait
sink_start 3 5412
e=$(stat_of eth0 tx_bytes)
send_payload 10.77.0.3 5412 64 $gate 2>/tmp/mmnet-trust.err &
stream=$!
t=$(ptx "$D3")
tx_over() { [ "$(ptx "$D3")" -gt "$1" ]; }
wait_ds 300 "the stream does not go over mmnet" tx_over $((t + 1000000))
conf "group pair copy g1 g2"
hup
wait_ds 100 "guest 3's group removed: the channel stayed 10 s" unpaired "$D3"
echo "ok: guest 3's group removed under a stream: its channel went $waited s later"
wait_ds 100 "the pair's directories stayed" pair_gone "$D1" "$D3"
echo "ok: both pair directories (1-3 and 3-1) are gone"
: >$gate
wait "$stream" || { cat /tmp/mmnet-trust.err; fail "the stream broke"; }
stream=""
sum=$(sink_sum 3 5412) || fail "guest 3's sink did not answer"
[ "$sum" = "$(payload 64 | sha256sum | cut -d' ' -f1)" ] || fail "the stream arrived damaged"
echo "ok: the stream survived on netfront ($((($(stat_of eth0 tx_bytes) - e) >> 10)) KiB on eth0), 64 MiB arrived whole"
connected "$D2" || fail "guests 1 and 2 lost their channel"
echo "ok: guests 1 and 2 are still connected"

# ---- SIGHUP with an invalid file: refused, the pairs stay ----
r=$(log_count "refused: the groups in force stay")
conf "group pair copy g1 g2" "group broken copy g3"
hup
wait_ds 50 "mmnetd did not refuse the invalid file" sh -c \
	"[ \$(. ./lib.sh; on_dom0 \"grep -cF 'refused: the groups in force stay' $LOG\") -gt $r ]"
[ "$(log_count "$CONF:2: group \"broken\" has one domain")" -ge 1 ] || fail "mmnetd did not log FILE:LINE"
sleep 3
connected "$D2" && unpaired "$D3" || { mmnetctl show; fail "the pairs changed after an invalid file"; }
[ "$(node "$D1" "$D2")" = yes ] && [ "$(node "$D2" "$D1")" = yes ] || fail "the pair 1-2 lost a directory"
echo "ok: an invalid file is refused with FILE:LINE, the pairs stay as they were"
ping_via_mmnet 10.77.0.2

dmesg_check_clean
exit $ksft_pass
