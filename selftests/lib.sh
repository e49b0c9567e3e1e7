# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the mmnet selftests (sourced; busybox sh compatible).

# shellcheck disable=SC2034 # used by the tests that source this file
ksft_pass=0
ksft_fail=1
ksft_skip=4

MMNET_ROOT=${MMNET_ROOT:-/mmnet}
MMNET_KO=$MMNET_ROOT/kernel/mmnet.ko

log() { echo "$*"; }

# fail MESSAGE: report and exit with the kselftest failure code.
fail() {
	echo "FAIL: $*"
	exit $ksft_fail
}

skip() {
	echo "SKIP: $*"
	exit $ksft_skip
}

# check DESCRIPTION COMMAND...: run COMMAND, fail with DESCRIPTION unless it succeeds.
check() {
	what=$1
	shift
	if "$@" >/tmp/ksft-check.out 2>&1; then
		echo "ok: $what"
	else
		sed 's/^/    /' /tmp/ksft-check.out
		fail "$what"
	fi
}

# check_fails DESCRIPTION COMMAND...: fail unless COMMAND fails (a refusal the test expects).
check_fails() {
	what=$1
	shift
	if "$@" >/tmp/ksft-check.out 2>&1; then
		fail "$what (the command succeeded)"
	fi
	echo "ok: $what"
}

module_loaded() { grep -q '^mmnet ' /proc/modules; }

mmnet_load() {
	[ -f "$MMNET_KO" ] || fail "$MMNET_KO is missing (run make)"
	module_loaded || insmod "$MMNET_KO" || fail "insmod $MMNET_KO"
}

mmnet_unload() {
	! module_loaded || rmmod mmnet || fail "rmmod mmnet"
}

# dmesg_mark / dmesg_check_clean: fail if the kernel logged a warning, bug or leak after the mark.
dmesg_mark() { dmesg_lines=$(dmesg | wc -l); }

dmesg_check_clean() {
	bad=$(dmesg | tail -n +$((dmesg_lines + 1)) |
		grep -E 'WARNING|BUG|Oops|Call Trace|leak|refcount|general protection|unregister_netdevice: waiting')
	[ -z "$bad" ] || { echo "$bad"; fail "the kernel logged problems"; }
	echo "ok: dmesg has no warnings"
}

# counter DEV NAME: the value of ethtool -S statistic NAME of DEV.
counter() {
	ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2; found = 1 } END { exit !found }'
}

# on_guest I COMMAND...: run COMMAND (one sh command line) as root in guest I through the testbed's agent
# (selftests/testbed/guest/agent.sh), print its output and return its status.  Works alike on both
# testbeds; the command travels over the guests' network, so through mmnet when mmnet carries it.
on_guest() {
	_g=$1
	shift
	_out=$(echo "$*" | busybox nc -w 30 "10.77.0.$_g" 7777) || { echo "on_guest $_g: no answer"; return 125; }
	_rc=$(echo "$_out" | sed -n 's/^@@rc //p' | tail -n 1)
	echo "$_out" | grep -v '^@@rc '
	[ -n "$_rc" ] || { echo "on_guest $_g: the command did not finish"; return 125; }
	return "$_rc"
}

# on_peers COMMAND...: on_guest on every guest but this one; fails on the first failure.
on_peers() {
	_i=1
	while [ $_i -le "$MMNET_GUESTS" ]; do
		if [ $_i -ne "$MMNET_GUEST" ]; then
			on_guest $_i "$@" || return
		fi
		_i=$((_i + 1))
	done
}

# iperf3c ARGS...: iperf3 -c ARGS, retried while the peer's server is still finishing the previous test
# (one test at a time per server, and TCG makes its teardown slow).
iperf3c() {
	_try=0
	while :; do
		_out=$(iperf3 -c "$@" 2>&1) && { echo "$_out"; return 0; }
		case $_out in
		*"server is busy"*) [ $_try -lt 20 ] || break ;;
		*) break ;;
		esac
		_try=$((_try + 1))
		sleep 0.5
	done
	echo "$_out"
	return 1
}
