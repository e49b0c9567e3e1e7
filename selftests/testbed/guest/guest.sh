#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest.sh I: bring up testbed guest I and play its part (docs/testbed.md).
#
# Runs inside the guest, as root, with the guest's eth0 present (or about to appear): in the plain testbed
# inside netns gI through `ip netns exec`, in the xen testbed from the PV domU's /init.  Reads $TB_SETTINGS
# (guest/common.sh).  Its part depends on TB_MODE: guest 1 runs SCRIPT (run) or an interactive shell on the
# console (shell); with each, every guest runs SCRIPT; the other guests only serve and return at once.
#
# Prints its messages, SCRIPT's output (stdout and stderr) and these markers, which selftests/testbed/run
# parses; the caller prefixes every line with "gI| " on the console:
#   @@mmnet-testbed ready gI              addressed, serving iperf3 -s, sockperf server and agent.sh
#   @@mmnet-testbed start gI              every peer answers ping; SCRIPT (or the shell) starts
#   @@mmnet-testbed exit gI STATUS        SCRIPT (or the shell) ended with STATUS
#   @@mmnet-testbed fail gI REASON...     the guest could not come up: run reports REASON, exits 125
# Exit status: SCRIPT's, 125 on a failure, 0 for a guest that only serves.  TB_PEER_WAIT (seconds, default
# 120) bounds the wait for the peers; a backend may set it in guest.sh's environment.
set -u
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "$0")/common.sh"

i=$1
fail() {
	echo "testbed: $*" >&2
	tb_marker fail "g$i" "$*"
	exit 125
}
# shellcheck disable=SC1090 # written per run
. "$TB_SETTINGS" || fail "no settings at $TB_SETTINGS"
: "${TB_GUESTS:?}" "${TB_MODE:?}" "${TB_TESTBED:?}" "${TB_SCRIPT:?}"

now() {
	read -r up _ </proc/uptime
	echo "${up%.*}"
}

# wait_for SECONDS WHAT COMMAND...: retry COMMAND until it succeeds, or fail after SECONDS.
wait_for() {
	deadline=$(($(now) + $1)) what=$2
	shift 2
	until "$@"; do
		[ "$(now)" -lt "$deadline" ] || fail "$what"
		sleep 0.1
	done
}

# shellcheck disable=SC2317 # called through wait_for
# iperf3 on TCP port 5201 (0x1451, IPv6 socket, dual stack), sockperf on TCP and UDP 11111 (0x2B67), the
# agent on TCP 7777 (0x1E61); 0A is TCP_LISTEN.  Read from /proc: busybox grep starts much faster than ss
# under TCG.
listening() {
	grep -q ':1451 [0-9A-F:]* 0A ' /proc/net/tcp6 &&
		grep -qE ':1E61 [0-9A-F:]* 0A ' /proc/net/tcp /proc/net/tcp6 &&
		grep -q ':2B67 [0-9A-F:]* 0A ' /proc/net/tcp &&
		grep -q ':2B67 ' /proc/net/udp
}

# shellcheck disable=SC2317 # called through wait_for
answers() { ping -c 1 -W 1 "$1" >/dev/null 2>&1; }

tb_mounts || fail "cannot mount the guest's file systems"
ip link set lo up || fail "cannot bring lo up"

# The servers first, listening before eth0 gets its address: a peer that sees this guest answer ping may
# connect at once.  iperf3 listens on IPv4 and IPv6; sockperf 3.7 knows only IPv4 (UDP and TCP servers).
# Started side by side (each takes a while to load its libraries under TCG); their output goes nowhere: a
# daemon that kept the caller's stdout would keep its pipe open.
iperf3 -s -D >/dev/null 2>&1 </dev/null &
sockperf server --daemonize >/dev/null 2>&1 </dev/null &
sockperf server --tcp --daemonize >/dev/null 2>&1 </dev/null &
wait
# The command agent (guest/agent.sh) on TCP 7777, for tests that act on their peers; it stays.
busybox nc -ll -p 7777 -e "$(dirname "$0")/agent.sh" >/dev/null 2>&1 </dev/null &
wait_for 20 "iperf3, sockperf and the agent are not listening" listening

# Xen's netfront may still be probing.
wait_for 20 "no eth0" test -e /sys/class/net/eth0
# The backend should have set the MAC (Xen from the domain's config, plain when it made the veth).
mac=$(tb_mac "$i")
read -r addr </sys/class/net/eth0/address
[ "$addr" = "$mac" ] || ip link set dev eth0 address "$mac" || fail "cannot set eth0's MAC to $mac"
# No duplicate address detection: the addresses are unique by construction, and DAD would hold IPv6 back
# for a second or more (link-local included).
echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad
printf 'addr add %s/24 dev eth0\naddr add %s/64 dev eth0 nodad\nlink set eth0 up\n' \
	"$(tb_ip4 "$i")" "$(tb_ip6 "$i")" | ip -batch - || fail "cannot configure eth0"
tb_marker ready "g$i"

case $TB_MODE/$i in
each/* | run/1) role=script ;;
shell/1) role=shell ;;
*) exit 0 ;;
esac

peers="" peers6=""
j=1
while [ "$j" -le "$TB_GUESTS" ]; do
	if [ "$j" -ne "$i" ]; then
		peers="$peers $(tb_ip4 "$j")" peers6="$peers6 $(tb_ip6 "$j")"
	fi
	j=$((j + 1))
done
# Peers come up concurrently (Xen creates its domains one after the other): give them time.
for a in $peers $peers6; do
	wait_for "${TB_PEER_WAIT:-120}" "peer $a does not answer ping" answers "$a"
done

MMNET_SELF=$(tb_ip4 "$i") MMNET_SELF6=$(tb_ip6 "$i")
export MMNET_GUEST="$i" MMNET_GUESTS="$TB_GUESTS" MMNET_TESTBED="$TB_TESTBED" MMNET_SELF MMNET_SELF6
export MMNET_PEERS="${peers# }" MMNET_PEERS6="${peers6# }"
export PATH=/mmnet/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
cd /mmnet 2>/dev/null || cd /

tb_marker start "g$i"
if [ $role = shell ]; then
	echo "g$i: $(id -un)@$MMNET_SELF; exit the shell to power the testbed off"
	[ -z "${TB_TERM:-}" ] || export TERM="$TB_TERM"
	# shellcheck disable=SC2086 # "rows cols"
	[ -z "${TB_TTY_SIZE:-}" ] || set -- $TB_TTY_SIZE
	[ $# -ne 2 ] || stty rows "$1" cols "$2"
	# setsid + cttyhack give the shell the console as controlling terminal: job control and ^C work.
	if command -v bash >/dev/null; then
		PS1="g$i:\\w# " setsid cttyhack bash --norc -i
	else
		PS1="g$i# " setsid cttyhack sh -i
	fi
elif [ -x "$TB_SCRIPT" ]; then
	"$TB_SCRIPT" "$@" </dev/null 2>&1
else
	sh "$TB_SCRIPT" "$@" </dev/null 2>&1
fi
status=$?
tb_marker exit "g$i" "$status"
exit "$status"
