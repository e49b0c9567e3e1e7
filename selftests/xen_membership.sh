#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmnetd, the dom0 membership daemon, seen from the guests (docs/xenstore.md).  The guests opt in by hand
# with xenstore-write, as their module will: every pair (the testbed puts all guests in one group) is
# introduced with the peer's MAC and addresses (both the toolstack's: the vif's mac= and ip=) and its mode,
# with exactly the permissions the pair needs (xenstore-ls -p); a guest cannot read what is not meant for
# it, nor change what mmnetd wrote; what a guest announces in its own addrs, garbage or not, reaches nobody
# (mmnetd logs it); a vif ip= is published in canonical form, a garbage one leaves the guest with no pair,
# none leaves the peer without an addrs node; an address attested for two guests is published for neither;
# stray peer entries are removed; a guest that leaves, or whose domain dies, disappears from the others'
# peers; a guest flooding xenstore does not hold up the others.  mmnetd's log lines are on the console
# ("vm| mmnetd: ...") and in dom0's /var/log/mmnetd.log, which this test reads.
#
# Needs the xen testbed and two guests (three for the third-party checks).  At the end the last guest
# powers itself off (its domain is destroyed, as by `xl destroy`): run this test alone or last in a boot.
#
#   selftests/testbed/run --xen --guests 3 selftests/xen_membership.sh
cd "$(dirname "$0")" || exit 1
. ./lib.sh

# --flood SECONDS VALUE: (in a guest, in the background) rewrite data/mmnet/addrs as fast as it can for
# SECONDS, alternating two values, 400 writes per xenstore-write, then write VALUE.
if [ "${1:-}" = --flood ]; then
	end=$(($(cut -d. -f1 /proc/uptime) + $2)) final=$3
	set --
	i=0
	while [ $i -lt 200 ]; do
		set -- "$@" data/mmnet/addrs 10.77.9.9 data/mmnet/addrs "10.77.9.9 fd77::9:9"
		i=$((i + 1))
	done
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
		xenstore-write "$@"
	done
	xenstore-write data/mmnet/addrs "$final"
	exit 0
fi
# The guests' own addrs are what they announce (the module writes them); only for mmnetd's diagnostic.

[ "${MMNET_TESTBED:-}" = xen ] || skip "mmnetd runs in a Xen dom0 (xen testbed only)"
[ "${MMNET_GUESTS:-1}" -ge 2 ] || skip "needs two guests"
command -v xenstore-write >/dev/null || fail "no xenstore utilities in this guest"
N=$MMNET_GUESTS
LAST=$N

# d I: guest I's domid (I in a fresh testbed, but asked).
domids=""
i=1
while [ $i -le "$N" ]; do
	if [ $i -eq "$MMNET_GUEST" ]; then
		d=$(xenstore-read domid)
	else
		d=$(on_guest $i "xenstore-read domid")
	fi
	case $d in '' | *[!0-9]*) fail "cannot read guest $i's domid: $d" ;; esac
	domids="$domids $d"
	i=$((i + 1))
done
d() { echo "$domids" | cut -d' ' -f$(($1 + 1)); }
D1=$(d 1) D2=$(d 2)
echo "domids:$domids"

# on I COMMAND: run COMMAND (a sh command line) in guest I, here or through the agent.
on() {
	if [ "$1" -eq "$MMNET_GUEST" ]; then
		shift
		sh -c "$*"
	else
		on_guest "$@"
	fi
}
# val I PATH: PATH as guest I reads it (empty if it cannot); peer I J NODE: guest I's view of guest J.
val() { on "$1" "xenstore-read $2 2>/dev/null"; }
peer() { val "$1" "/local/domain/$(d "$1")/data/mmnet/peer/$(d "$2")${3:+/$3}"; }
addrs() { echo "10.77.0.$1 fd77::$1"; }
mac() { printf '02:00:00:00:00:%02x' "$1"; }
# vifip I VALUE: dom0 sets guest I's vif ip node (what libxl wrote from ip=) to VALUE; vifip I: removes it.
vifip() {
	if [ $# -ge 2 ]; then
		on_dom0 "xenstore-write /local/domain/0/backend/vif/$(d "$1")/0/ip '$2'" >/dev/null
	else
		on_dom0 "xenstore-rm /local/domain/0/backend/vif/$(d "$1")/0/ip" >/dev/null
	fi || fail "dom0 cannot change guest $1's vif ip"
}
# logged TEXT: mmnetd's log in dom0 has a line with TEXT.
logged() { [ "$(on_dom0 "grep -cF '$1' /var/log/mmnetd.log")" -gt 0 ]; }

# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds, or fail.
wait_for() {
	_t=$1 _what=$2
	shift 2
	_end=$(($(cut -d. -f1 /proc/uptime) + _t))
	until "$@" >/dev/null 2>&1; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt $_end ] || fail "$_what (waited $_t s)"
		sleep 0.3
	done
	echo "ok: $_what"
}
sees() { [ "$(peer "$1" "$2" addrs)" = "$3" ]; }
# all_pairs VALUE-OF-J...: every guest sees every other guest J with addrs J
all_pairs() {
	for _i in $(seq 1 "$N"); do
		for _j in $(seq 1 "$N"); do
			[ "$_i" -eq "$_j" ] || sees "$_i" "$_j" "$(addrs "$_j")" || return 1
		done
	done
}
# gone I J: guest I has no peer directory for guest J.  denied I PATH: guest I cannot read PATH (which exists).
# The answers are words, so that an agent that does not answer never looks like a refusal.
gone() {
	[ "$(on "$1" "xenstore-exists /local/domain/$(d "$1")/data/mmnet/peer/$(d "$2") && echo yes || echo no")" = no ]
}
denied() { [ "$(on "$1" "xenstore-read $2 >/dev/null 2>&1 && echo readable || echo denied")" = denied ]; }
no_peers_dir() { [ "$(on "$1" "xenstore-exists data/mmnet/peer && echo yes || echo no")" = no ]; }
# perms I PATH: the permissions of PATH (in guest I's own subtree) as xenstore-ls -p shows them, "n1,r2".
perms() {
	on "$1" "xenstore-ls -p ${2%/*}" | sed -n "s/^ *${2##*/} = .*(\([a-z0-9,]*\))\$/\1/p" | head -1
}

cleanup() {
	xenstore-rm data/mmnet 2>/dev/null
	for _i in $(seq 2 "$N"); do
		[ "$_i" = "${destroyed:-}" ] || on_guest "$_i" "xenstore-rm data/mmnet 2>/dev/null" >/dev/null
	done
	for _i in $(seq 1 "$N"); do
		[ "$_i" = "${destroyed:-}" ] ||
			on_dom0 "xenstore-write /local/domain/0/backend/vif/$(d "$_i")/0/ip '$(addrs "$_i")'" >/dev/null
	done
}
trap cleanup EXIT
cleanup

# 1. Opt in: addrs first, then version (as the module does).
for i in $(seq 1 "$N"); do
	on $i "xenstore-write data/mmnet/addrs '$(addrs $i)' data/mmnet/version 1" || fail "guest $i cannot opt in"
done
wait_for 60 "every guest sees every other with its addresses" all_pairs
for i in $(seq 1 "$N"); do
	for j in $(seq 1 "$N"); do
		[ $i -eq $j ] && continue
		m=$(peer $i $j mac)
		[ "$m" = "$(mac $j)" ] || fail "guest $i sees guest $j's mac as \"$m\", expected $(mac $j)"
	done
done
echo "ok: every guest sees every other's MAC from the toolstack"

# 2. Permissions, exactly.
base=/local/domain/$D1/data/mmnet/peer
p=$(perms 1 "$base"); [ "$p" = "n$D1" ] || fail "data/mmnet/peer has ($p), expected (n$D1)"
for j in $(seq 2 "$N"); do
	dj=$(d $j)
	p=$(perms 1 "$base/$dj"); [ "$p" = "n$D1,r$dj" ] || fail "peer/$dj has ($p), expected (n$D1,r$dj)"
	for node in mac addrs mode; do
		p=$(perms 1 "$base/$dj/$node"); [ "$p" = "n0,r$D1" ] || fail "peer/$dj/$node has ($p), expected (n0,r$D1)"
	done
	[ "$(peer 1 "$j" mode)" = copy ] || fail "peer/$dj/mode is \"$(peer 1 "$j" mode)\", expected copy"
done
echo "ok: peer/B is (nA,rB), its mac, addrs and mode (n0,rA), data/mmnet/peer (nA); the mode is copy"

# 3. Who may read and write what.
check "guest 2 reads its rendezvous directory in guest 1" on_guest 2 "xenstore-read $base/$D2"
check "guest 2 cannot list guest 1's peers" \
	test "$(on_guest 2 "xenstore-list $base >/dev/null 2>&1 && echo listed || echo denied")" = denied
check "guest 2 cannot read guest 1's view of it" denied 2 "$base/$D2/mac"
check_fails "guest 1 cannot change what mmnetd wrote" xenstore-write "data/mmnet/peer/$D2/mac" 02:00:00:00:00:99
check_fails "guest 1 cannot widen who reads it" xenstore-chmod "data/mmnet/peer/$D2/addrs" "b$D1"
check "guest 1 writes its side of the rendezvous" xenstore-write "data/mmnet/peer/$D2/ring-ref" 8
[ "$(on_guest 2 "xenstore-read $base/$D2/ring-ref")" = 8 ] || fail "guest 2 cannot read guest 1's ring-ref"
echo "ok: guest 2 reads guest 1's ring-ref"
[ "$(peer 1 2 mac)" = "$(mac 2)" ] || fail "mmnetd's mac node changed"
if [ "$N" -ge 3 ]; then
	D3=$(d 3)
	check "guest 3 cannot read the rendezvous directory of guests 1 and 2" denied 3 "$base/$D2"
	check "guest 3 cannot read guest 1's ring-ref for guest 2" denied 3 "$base/$D2/ring-ref"
	check "guest 2 cannot read the rendezvous directory of guests 1 and 3" denied 2 "$base/$D3"
fi

# 4. What a guest announces reaches nobody, garbage or not: its peers see its vif's ip=.  Announced
# addresses that dom0 does not attest are logged (first: complaints about a guest are rate-limited).
on_guest 2 "xenstore-write data/mmnet/addrs '10.77.0.2 fd77::2 10.77.1.2 10.77.0.3'" >/dev/null
wait_for 20 "mmnetd logs guest 2's announced address that dom0 does not attest" \
	logged "domain $D2: announces 10.77.1.2, not among its vif ip=: its peers will not believe it"
for bad in "10.77.0.2 bogus" "10.77.0.2 224.0.0.1" "10.77.0.2 127.0.0.1" "10.77.0.2/24" "fd77::2%eth0" \
	"$(for i in $(seq 1 17); do printf '10.77.1.%d ' "$i"; done)" "$(head -c 1100 /dev/zero | tr '\0' 1)"; do
	on_guest 2 "xenstore-write data/mmnet/addrs '$bad'" >/dev/null || fail "guest 2 cannot write its addrs"
done
on_guest 2 'xenstore-write data/mmnet/addrs "$(printf "10.77.0.2\t10.77.0.22")"' >/dev/null
sleep 3
sees 1 2 "$(addrs 2)" || fail "guest 1 sees what guest 2 announced: $(peer 1 2 addrs)"
sees 3 2 "$(addrs 2)" 2>/dev/null || [ "$N" -lt 3 ] || fail "guest 3 sees what guest 2 announced"
echo "ok: guest 2's announced addresses (garbage, another's, its own) change nothing: its peers see its ip="
on_guest 2 "xenstore-write data/mmnet/addrs '$(addrs 2)'" >/dev/null
vifip 2 '  FD77:0::2   10.77.0.2 10.77.0.2 '
wait_for 20 "a vif ip= is published in canonical form, without duplicates" sees 1 2 "fd77::2 10.77.0.2"
vifip 2 "10.77.0.2/24 fd77::2"
wait_for 20 "a garbage vif ip= (a prefix length): guest 2 has no pair" gone 1 2
wait_for 20 "and guest 2 has no peer either" gone 2 1
logged "domain $D2: vif 0: its ip:" || fail "mmnetd did not say why guest 2 connects to nothing"
vifip 2 "$(addrs 2)"
wait_for 20 "guest 2's vif ip= good again: the pair is back" sees 1 2 "$(addrs 2)"
noaddrs() {
	[ "$(on 1 "xenstore-exists /local/domain/$D1/data/mmnet/peer/$D2/addrs && echo yes || echo no")" = no ] &&
		[ "$(peer 1 2 mac)" = "$(mac 2)" ]
}
vifip 2
wait_for 20 "no vif ip= for guest 2: the pair stays, without an addrs node" noaddrs
vifip 2 "$(addrs 2)"
wait_for 20 "guest 2's vif ip= back: its addrs node too" sees 1 2 "$(addrs 2)"
p=$(perms 1 "$base/$D2/addrs"); [ "$p" = "n0,r$D1" ] || fail "the new peer/$D2/addrs has ($p)"

# 5. A version mmnetd does not speak: not taking part.
on_guest 2 "xenstore-write data/mmnet/version banana" >/dev/null
wait_for 20 "guest 2 with version \"banana\" is no peer of guest 1" gone 1 2
wait_for 20 "and its own peer directory is gone" no_peers_dir 2
on_guest 2 "xenstore-write data/mmnet/version 1" >/dev/null
wait_for 20 "guest 2 back with version 1" sees 1 2 "$(addrs 2)"
wait_for 20 "and sees guest 1 again" sees 2 1 "$(addrs 1)"

# 6. Stray entries in a guest's peer directory go; a removed pair directory comes back.
xenstore-write data/mmnet/peer/999/x 1 data/mmnet/peer/junk/y 2 || fail "cannot write stray entries"
wait_for 20 "stray peer entries are removed" sh -c \
	'! xenstore-exists data/mmnet/peer/999 && ! xenstore-exists data/mmnet/peer/junk'
xenstore-rm "data/mmnet/peer/$D2"
wait_for 20 "a peer directory guest 1 removed is made again" sees 1 2 "$(addrs 2)"
p=$(perms 1 "$base/$D2"); [ "$p" = "n$D1,r$D2" ] || fail "the remade peer/$D2 has ($p)"

# 7. An address dom0 attests for two guests is published for neither, until the admin fixes it.
vifip 2 "$(addrs 2) 10.77.0.1"
wait_for 20 "guest 1 sees guest 2 without guest 1's address" sees 1 2 "$(addrs 2)"
wait_for 20 "guest 2 sees guest 1 without the contested address" sees 2 1 "fd77::1"
vifip 2 "$(addrs 2)"
wait_for 20 "the conflict over, guest 2 sees guest 1's address again" sees 2 1 "$(addrs 1)"

# 8. A guest flooding xenstore does not hold up the others: guest 1 rewrites its addrs for 15 s; a change
# of guest 2's vif ip reaches it meanwhile, and one of guest 1's reaches guest 2 after.
./xen_membership.sh --flood 15 "$(addrs 1) 10.77.1.1" >/dev/null 2>&1 &
flood=$!
sleep 3
t0=$(cut -d. -f1 /proc/uptime)
vifip 2 "$(addrs 2) 10.77.2.2"
wait_for 20 "under guest 1's flood, guest 2's change reaches guest 1" sees 1 2 "$(addrs 2) 10.77.2.2"
echo "    (in $(($(cut -d. -f1 /proc/uptime) - t0)) s)"
kill -0 $flood 2>/dev/null || echo "note: the flood was over before guest 2's change arrived"
wait $flood
vifip 1 "$(addrs 1) 10.77.1.1"
wait_for 30 "after the flood a change of guest 1's vif ip reaches guest 2" sees 2 1 "$(addrs 1) 10.77.1.1"
xenstore-write data/mmnet/addrs "$(addrs 1)"
vifip 1 "$(addrs 1)"
vifip 2 "$(addrs 2)"
wait_for 30 "all pairs as before" all_pairs

# 9. A guest that leaves (its module removes data/mmnet) is forgotten, and comes back.
on_guest 2 "xenstore-rm data/mmnet" >/dev/null
wait_for 20 "guest 2 left: guest 1 no longer has it as a peer" gone 1 2
on_guest 2 "xenstore-write data/mmnet/addrs '$(addrs 2)' data/mmnet/version 1" >/dev/null
wait_for 20 "guest 2 is back" all_pairs

# 10. The last guest's domain dies (it powers off; xl destroys the domain): the others forget it.
on_guest "$LAST" "(sleep 1; poweroff -f) >/dev/null 2>&1 &" >/dev/null
destroyed=$LAST
for i in $(seq 1 $((N - 1))); do
	wait_for 60 "guest $LAST's domain is gone from guest $i's peers" gone $i "$LAST"
done
if [ "$N" -ge 3 ]; then
	sees 1 2 "$(addrs 2)" && sees 2 1 "$(addrs 1)" || fail "guests 1 and 2 lost each other"
	echo "ok: guests 1 and 2 still see each other"
fi
exit $ksft_pass
