#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Where the guests spend their CPU on a path: perf (cpu-clock samples, the only events a Xen PV guest has) in
# both guests while guest 1 runs an mmperf test to guest 2, then the hottest kernel and user symbols of each
# (`make profile` runs it on the plain testbed, where both guests are one kernel).
#
#   scripts/perf-stage build/perf
#   TB_EXTRA=build/perf selftests/testbed/run --xen --guests 2 selftests/bench/profile.sh [-p PATHS]
#       [-c SYMBOL] [TEST:SIZE...]
#
# PATHS: of mmnet (the default), normal (netfront or veth), loopback, one after the other; TEST:SIZE as
# mmperf's -t and -m (default tcp_stream:16384 tcp_stream:65536 tcp_rr:1).  Each profile covers 4 seconds of the test.  -c SYMBOL: the samples carry call
# chains, and a second report splits SYMBOL's samples by the paths that led there (e.g. xen_hypercall_pv,
# where a Xen PV guest's time in the hypervisor shows, its idle time included).
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=SCRIPTDIR/../lib.sh
. ./lib.sh

SEC=4 PATHS=mmnet SYM=""
while getopts p:c: opt; do
	case $opt in
	p) PATHS=$OPTARG ;;
	c) SYM=$OPTARG ;;
	*) fail "usage: profile.sh [-p PATHS] [-c SYMBOL] [TEST:SIZE...]" ;;
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
case ${MMNET_TESTBED:-plain} in
xen) NORMAL=netfront ;;
*) NORMAL=veth ;;
esac

cleanup() {
	mmperf_down
	mmnet_down
}
trap cleanup EXIT
mmnet_up
mmperf_up || fail "cannot start mmperf -s in the peers"

G="" CALLERS=""
if [ -n "$SYM" ]; then
	G=-g
	CALLERS="; echo '-- $SYM, by the paths that led there'; perf report -q -i /tmp/perf.data --stdio \
--no-children --sort sym --symbols $SYM -g graph,1.5,callee 2>/dev/null | sed '/^ *\$/d' | head -n 120"
fi
REC="perf record -q -a $G -e cpu-clock -F 997 -o /tmp/perf.data -- sleep $SEC"
# With call chains, a summary first: the samples by what the CPU was doing (bench/perf-summary.awk).
SUMMARY="perf script -i /tmp/perf.data -F ip,sym 2>/dev/null | awk -f $(pwd)/bench/perf-summary.awk | sort -rn"
REP="perf report -q -i /tmp/perf.data --stdio --no-children --sort sym -g none --percent-limit 0.7 2>/dev/null | sed '/^ *\$/d' | head -n 45$CALLERS"
[ -z "$SYM" ] || REP="echo '-- where the time went'; $SUMMARY; $REP"

# profile PATH ADDR TEST SIZE
profile() {
	mmperf -c "$2" -t "$3" -m "$4" -l $((SEC + 3)) >/tmp/mmperf.out 2>&1 &
	load=$!
	sleep 1
	# On the plain testbed the guests share one kernel and one /tmp: one perf sees both.
	[ "${MMNET_TESTBED:-plain}" = plain ] || on_guest "$PG" "$REC </dev/null >/dev/null 2>&1 &" >/dev/null
	sh -c "$REC" >/dev/null 2>&1
	wait $load
	echo "== $1 $3 $4: $(cat /tmp/mmperf.out)"
	if [ "${MMNET_TESTBED:-plain}" = plain ]; then
		echo "-- both guests (on the plain testbed they are one kernel: client and server, both ends of mmnet)"
		sh -c "$REP"
		return
	fi
	echo "-- guest 1 (the client: it sends the stream)"
	sh -c "$REP"
	sleep 1
	echo "-- guest 2 (the server)"
	on_guest "$PG" "$REP"
}

for p in $PATHS; do
	addr=$PEER
	case $p in
	mmnet) ;;
	normal | "$NORMAL")
		p=$NORMAL
		mmnetctl disable && on_peers "mmnetctl disable" >/dev/null || fail "mmnetctl disable"
		;;
	loopback) addr=127.0.0.1 ;;
	*) fail "unknown path $p" ;;
	esac
	for t in $TESTS; do
		profile "$p" "$addr" "${t%%:*}" "${t##*:}"
	done
	[ "$p" != "$NORMAL" ] || { mmnetctl enable && on_peers "mmnetctl enable" >/dev/null; } ||
		fail "mmnetctl enable"
done
exit "$ksft_pass"
