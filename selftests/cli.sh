#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmnetctl's command line, in the style of ip(8).  Every bad input is refused with one line on stderr that
# says why, nothing on stdout, and exit status 255 (a command line it cannot understand: unknown command or
# option, missing device or keyword value, stray arguments) or 1 (an operation that cannot be done: the
# module not loaded, a device that does not exist or is not an mmnet device, a map path with no map, a map
# that is not a peer map, two mmnet devices and none named).  A refused attach leaves nothing behind: no
# mmnet device, classifier, qdisc or pin.  --help, -h and help print the usage on stdout and exit 0; show
# --json (or -j before the command) prints valid JSON, also with peers, a disabled device and a device
# whose name needs escaping.  (errors.sh has the module's own refusals.)  No warnings in dmesg.
. ./lib.sh

OBJ=$MMNET_ROOT/bpf/mmnet.bpf.o
PIN=/sys/fs/bpf/mmnet/peers
BADMAP=/sys/fs/bpf/mmnet-cli-hash
BADPROG=/sys/fs/bpf/mmnet-cli-prog
# A name ip(8) allows and JSON must escape.
ODD='mm"x\y'

cleanup() {
	ip link del "$ODD" 2>/dev/null
	rm -f $BADMAP $BADPROG /sys/fs/bpf/mmnet_peers
	mmnet_down
}
trap cleanup EXIT

# usage_refused / op_refused DESCRIPTION MESSAGE COMMAND...: refused (lib.sh), with exit status 255 / 1.
usage_refused() {
	refused "$@"
	[ "$refused_rc" -eq 255 ] || fail "$1: exit $refused_rc, expected 255"
}
op_refused() {
	refused "$@"
	[ "$refused_rc" -eq 1 ] || fail "$1: exit $refused_rc, expected 1"
}
# nothing_left WHAT: a refused attach left no mmnet device, no qdisc on eth0 or lo, no pin at $PIN.
nothing_left() {
	! ip link show type mmnet 2>/dev/null | grep -q . || { ip link show type mmnet; fail "$1 left a device"; }
	for d in eth0 lo; do
		! tc qdisc show dev $d | grep -q clsact || fail "$1 left a clsact qdisc on $d"
	done
	[ ! -e $PIN ] || fail "$1 left a pin at $PIN"
}
# show_json WHAT ARGS...: mmnetctl ARGS succeeds, prints valid JSON on stdout and nothing on stderr.
show_json() {
	what=$1
	shift
	mmnetctl "$@" >/tmp/cli.json 2>/tmp/cli.err || { cat /tmp/cli.err; fail "mmnetctl $*: exit $?"; }
	[ ! -s /tmp/cli.err ] || { cat /tmp/cli.err; fail "mmnetctl $*: output on stderr"; }
	json_valid </tmp/cli.json || { cat /tmp/cli.json; fail "mmnetctl $*: not valid JSON"; }
	echo "ok: mmnetctl $* ($what): valid JSON, $(wc -c </tmp/cli.json) bytes"
}

# A clean start: earlier tests leave their pin (a pin outlives the module).
mmnet_down
rm -f $PIN
tc qdisc del dev lo clsact 2>/dev/null
module_loaded && fail "mmnet.ko is still loaded"
dmesg_mark

# ---- the command line ----
usage_refused "unknown command" 'Command "frob" is unknown' mmnetctl frob
usage_refused "unknown option" 'Option "-z" is unknown' mmnetctl -z show
usage_refused "unknown long option" 'Option "--frob" is unknown' mmnetctl --frob show
usage_refused "unknown option of show" 'Option "--frob" is unknown to show' mmnetctl show --frob
usage_refused "attach without a device" "attach needs a device" mmnetctl attach
usage_refused "detach without a device" "detach needs a device" mmnetctl detach
usage_refused "dev without a device" '"dev" needs an mmnet device' mmnetctl attach eth0 dev
usage_refused "map without a path" '"map" needs the path of a pinned peer map' mmnetctl attach eth0 map
usage_refused "enable dev without a device" '"dev" needs an mmnet device' mmnetctl enable dev
usage_refused "a stray word to attach" 'unknown argument "frob" to attach' mmnetctl attach eth0 frob
usage_refused "a stray word to disable" 'unknown argument "frob" to disable' mmnetctl disable frob
usage_refused "detach with two devices" "detach takes one device" mmnetctl detach eth0 lo
usage_refused "show with two devices" "show takes at most one device" mmnetctl show mmnet0 mmnet1

for h in --help -h help; do
	mmnetctl $h >/tmp/cli.out 2>/tmp/cli.err || fail "mmnetctl $h: exit $?"
	[ ! -s /tmp/cli.err ] || { cat /tmp/cli.err; fail "mmnetctl $h: output on stderr"; }
	for cmd in attach detach enable disable show help --json --help --version; do
		grep -q -- "$cmd" /tmp/cli.out || { cat /tmp/cli.out; fail "mmnetctl $h does not mention $cmd"; }
	done
done
echo "ok: mmnetctl --help, -h and help: exit 0, usage on stdout ($(wc -l </tmp/cli.out) lines), nothing on stderr"
version=$(mmnetctl --version) || fail "mmnetctl --version"
echo "ok: mmnetctl --version: $version"

# ---- no module ----
for cmd in show "-j show" "show --json" "attach eth0" "detach eth0" enable disable; do
	# shellcheck disable=SC2086 # word splitting wanted
	op_refused "mmnetctl $cmd without the module" "the mmnet module is not loaded" mmnetctl $cmd
done
nothing_left "attach without the module"

# ---- devices and maps ----
mmnet_load
op_refused "attach to a device that does not exist" 'Cannot find device "nosuch0"' mmnetctl attach nosuch0
op_refused "detach from a device that does not exist" 'Cannot find device "nosuch0"' mmnetctl detach nosuch0
op_refused "show a device that does not exist" 'Cannot find device "nosuch0"' mmnetctl show nosuch0
op_refused "attach to an mmnet device that does not exist" 'Cannot find device "nosuch0"' \
	mmnetctl attach eth0 dev nosuch0
op_refused "detach what is not attached" 'no mmnet device is attached to "eth0"' mmnetctl detach eth0
op_refused "enable with no mmnet device" "there is no mmnet device" mmnetctl enable
op_refused "a map path with no map" "cannot open the BPF map pinned at /sys/fs/bpf/nosuch" \
	mmnetctl attach eth0 map /sys/fs/bpf/nosuch
nothing_left "attach with a map path with no map"
check "a hash map of the wrong sizes" bpftool map create $BADMAP type hash key 4 value 8 entries 4 name mmnet_cli_bad
op_refused "a hash map of the wrong sizes as peer map" "Peer map must be a BPF_MAP_TYPE_HASH with 20-byte keys" \
	mmnetctl attach eth0 map $BADMAP
nothing_left "attach with a map of the wrong sizes"
check "a pinned program" bpftool prog load "$OBJ" $BADPROG type classifier
op_refused "a program as peer map" "Peer map fd is not a BPF map" mmnetctl attach eth0 map $BADPROG
rm -f $BADPROG /sys/fs/bpf/mmnet_peers
nothing_left "attach with a program as map"
op_refused "attach to lo, classifier and all" "Lower device must be an Ethernet device" mmnetctl attach lo
nothing_left "a refused attach to lo"
echo "ok: a refused attach leaves no mmnet device, no clsact qdisc and no pin"

check "mmnetctl attach eth0" mmnetctl attach eth0
peers=0
if mmnet_has_transport && [ "${MMNET_GUESTS:-1}" -ge 2 ]; then
	check "load and attach eth0 in every peer" on_peers ". ./lib.sh; mmnet_load && mmnetctl attach eth0"
	mmnet_wait_peers
	peers=$((MMNET_GUESTS - 1))
fi
op_refused "show a device that is not an mmnet device" '"eth0" is not an mmnet device' mmnetctl show eth0
op_refused "enable a device that is not an mmnet device" '"eth0" is not an mmnet device' mmnetctl enable dev eth0
op_refused "attach an mmnet device to itself" "cannot attach an mmnet device to itself" \
	mmnetctl attach mmnet0 dev mmnet0

show_json "$peers connected peers" show --json
sed 's/^/    /' /tmp/cli.json
grep -q '"ifname": "mmnet0", "lower": "eth0", "enabled": true' /tmp/cli.json || { cat /tmp/cli.json; fail "no mmnet0"; }
n=$(grep -o '"state": "connected"' /tmp/cli.json | wc -l)
[ "$n" -eq $peers ] || { cat /tmp/cli.json; fail "$n connected peers in the JSON, expected $peers"; }
show_json "one device" -j show mmnet0
check "mmnetctl disable" mmnetctl disable
show_json "disabled" --json show
grep -q '"enabled": false' /tmp/cli.json || { cat /tmp/cli.json; fail "mmnet0 is not disabled in the JSON"; }
check "mmnetctl enable" mmnetctl enable

check "a second mmnet device, named $ODD" ip link add "$ODD" type mmnet
op_refused "attach with two mmnet devices and none named" "there are 2 mmnet devices" mmnetctl attach eth0
show_json "two devices, one named $ODD" show -j
grep -qF '"ifname": "mm\"x\\y"' /tmp/cli.json || { cat /tmp/cli.json; fail "$ODD is not escaped"; }
printf 'ok: %s is escaped: %s\n' "$ODD" "$(grep -oF '"ifname": "mm\"x\\y"' /tmp/cli.json)"
check "delete $ODD" ip link del "$ODD"

check "mmnetctl detach eth0" mmnetctl detach eth0
mmnet_down
dmesg_check_clean
exit $ksft_pass
