#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Where the guests spend their CPU on a path: perf (cpu-clock samples, the only events a Xen PV guest has) in
# both guests while guest 1 runs an mmperf test to guest 2, then the hottest kernel and user symbols of each
# (`make profile` runs it on the plain testbed, where both guests are one kernel).
#
#   scripts/perf-stage build/perf
#   TB_EXTRA=build/perf selftests/testbed/run --xen --guests 2 selftests/bench/profile.sh [-p PATH] [TEST:SIZE...]
#
# PATH: mmnet (default), netfront or loopback; TEST:SIZE as mmperf's -t and -m (default tcp_stream:16384
# tcp_stream:65536 tcp_rr:1).  Each profile covers SEC seconds (PROFILE_SEC, default 4) of the test.
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=SCRIPTDIR/../lib.sh
. ./lib.sh

SEC=${PROFILE_SEC:-4} PATH_=mmnet
while getopts p: opt; do
	case $opt in
	p) PATH_=$OPTARG ;;
	*) fail "usage: profile.sh [-p mmnet|netfront|loopback] [TEST:SIZE...]" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- tcp_stream:16384 tcp_stream:65536 tcp_rr:1
command -v perf >/dev/null || skip "no perf in the guest (TB_EXTRA=DIR from scripts/perf-stage)"
TESTS=$*
# shellcheck disable=SC2086 # word splitting wanted
set -- $MMNET_PEERS
PEER=$1
PG=${PEER##*.}

cleanup() {
	mmperf_down
	mmnet_down
}
trap cleanup EXIT
mmnet_up
mmperf_up || fail "cannot start mmperf -s in the peers"
addr=$PEER
case $PATH_ in
mmnet) ;;
netfront) mmnetctl disable && on_peers "mmnetctl disable" >/dev/null || fail "mmnetctl disable" ;;
loopback) addr=127.0.0.1 ;;
*) fail "unknown path $PATH_" ;;
esac
REC="perf record -q -a -e cpu-clock -F 997 -o /tmp/perf.data -- sleep $SEC"
REP="perf report -q -i /tmp/perf.data --stdio --no-children --sort sym --percent-limit 0.7 2>/dev/null | sed '/^ *\$/d' | head -n 45"
for t in $TESTS; do
	test=${t%%:*} size=${t##*:}
	mmperf -c "$addr" -t "$test" -m "$size" -l $((SEC + 3)) >/tmp/mmperf.out 2>&1 &
	load=$!
	sleep 1
	# On the plain testbed the guests share one kernel and one /tmp: one perf sees both.
	[ "${MMNET_TESTBED:-plain}" = plain ] || on_guest "$PG" "$REC </dev/null >/dev/null 2>&1 &" >/dev/null
	sh -c "$REC" >/dev/null 2>&1
	wait $load
	echo "== $PATH_ $test $size: $(cat /tmp/mmperf.out)"
	if [ "${MMNET_TESTBED:-plain}" = plain ]; then
		echo "-- both guests (on the plain testbed they are one kernel: client and server, both ends of mmnet)"
		sh -c "$REP"
		continue
	fi
	echo "-- guest 1 (the client: it sends the stream)"
	sh -c "$REP"
	sleep 1
	echo "-- guest 2 (the server)"
	on_guest "$PG" "$REP"
done
exit "$ksft_pass"
