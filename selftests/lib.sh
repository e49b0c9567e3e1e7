# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the mmnet selftests (sourced; busybox sh compatible).

# shellcheck disable=SC2034 # used by the tests that source this file
ksft_pass=0
ksft_fail=1
ksft_skip=4

MMNET_ROOT=${MMNET_ROOT:-/mmnet}
# The module mmnet_load loads: kernel/mmnet.ko unless the caller set MMNET_KO (before sourcing this file, or
# after: mmnet_load_all passes it on to the peers).
MMNET_KO=${MMNET_KO:-$MMNET_ROOT/kernel/mmnet.ko}
# The same module built with fault injection (MMNET_DEBUG=y, kernel/debug.c); `make` builds it beside the
# normal one, `make stage` puts it at the same path under /mmnet.  MMNET_KO=$MMNET_DEBUG_KO selects it.
MMNET_DEBUG_KO=$MMNET_ROOT/build/kernel-debug/mmnet.ko

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

# mmnet_load [PARAM=VALUE...]: load $MMNET_KO here, with these module parameters, unless mmnet is loaded.
mmnet_load() {
	[ -f "$MMNET_KO" ] || fail "$MMNET_KO is missing (run make)"
	module_loaded || insmod "$MMNET_KO" "$@" || fail "insmod $MMNET_KO $*"
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

# on_dom0 COMMAND...: on_guest, in dom0 (the Xen testbed only): the toolstack, xl and xenstore.
on_dom0() { on_guest 254 "$@"; }

# xen_domid I: guest I's domain id now (it changes with xl restore and xl create).
xen_domid() { on_dom0 "xl domid g$1"; }

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

# refused DESCRIPTION MESSAGE COMMAND...: COMMAND fails, says why in one line on stderr that contains
# MESSAGE, and prints nothing on stdout.  Its exit status is left in refused_rc.
refused() {
	what=$1 msg=$2
	shift 2
	refused_rc=0
	"$@" >/tmp/ksft-refused.out 2>/tmp/ksft-refused.err || refused_rc=$?
	err=$(cat /tmp/ksft-refused.err)
	[ $refused_rc -ne 0 ] || fail "$what: accepted"
	[ "$(wc -l </tmp/ksft-refused.err)" -eq 1 ] || { echo "$err"; fail "$what: not one line of error"; }
	[ ! -s /tmp/ksft-refused.out ] || { cat /tmp/ksft-refused.out; fail "$what: output on stdout"; }
	echo "$err" | grep -qF "$msg" || { echo "$err"; fail "$what: no \"$msg\""; }
	echo "ok: $what (exit $refused_rc): $err"
}

# json_valid: whether stdin is one valid JSON text (RFC 8259): a recursive-descent parser in awk, since the
# guests have neither python nor jq.
json_valid() {
	awk '
	function ws() { while (p <= n && index(" \t\n\r", substr(s, p, 1))) p++ }
	function val(   c) {
		ws()
		c = substr(s, p, 1)
		if (c == "{") return obj()
		if (c == "[") return arr()
		if (c == "\"") return str()
		if (substr(s, p, 4) == "true" || substr(s, p, 4) == "null") { p += 4; return 1 }
		if (substr(s, p, 5) == "false") { p += 5; return 1 }
		if (match(substr(s, p), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) { p += RLENGTH; return 1 }
		return 0
	}
	function obj(   c) {
		p++
		ws()
		if (substr(s, p, 1) == "}") { p++; return 1 }
		for (;;) {
			ws()
			if (substr(s, p, 1) != "\"" || !str()) return 0
			ws()
			if (substr(s, p++, 1) != ":" || !val()) return 0
			ws()
			c = substr(s, p++, 1)
			if (c == "}") return 1
			if (c != ",") return 0
		}
	}
	function arr(   c) {
		p++
		ws()
		if (substr(s, p, 1) == "]") { p++; return 1 }
		for (;;) {
			if (!val()) return 0
			ws()
			c = substr(s, p++, 1)
			if (c == "]") return 1
			if (c != ",") return 0
		}
	}
	function str(   c) {
		for (p++; p <= n; ) {
			c = substr(s, p++, 1)
			if (c == "\"") return 1
			if (index(ctl, c)) return 0
			if (c != "\\") continue
			c = substr(s, p++, 1)
			if (c == "u") {
				if (substr(s, p, 4) !~ /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) return 0
				p += 4
			} else if (!index("\"\\/bfnrt", c)) return 0
		}
		return 0
	}
	BEGIN { for (i = 1; i < 32; i++) ctl = ctl sprintf("%c", i) }
	{ s = s $0 "\n" }
	END { n = length(s); p = 1; ok = val(); ws(); exit !(ok && p > n) }'
}

# udp_rcvbuf_errors: datagrams the UDP sockets of this guest dropped because their receive buffer was full
# (IPv4 and IPv6), from /proc/net/snmp and /proc/net/snmp6.
udp_rcvbuf_errors() {
	awk '$1 == "Udp:" { if (!h++) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i } else n += $c }
		$1 == "Udp6RcvbufErrors" { n += $2 } END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

# udp_rcvbuf_errors_in I: udp_rcvbuf_errors of guest I (this guest's without the agent).
udp_rcvbuf_errors_in() {
	if [ "$1" = "$MMNET_GUEST" ]; then
		udp_rcvbuf_errors
	else
		on_guest "$1" ". ./lib.sh; udp_rcvbuf_errors"
	fi
}

# mmperf_up: an mmperf server (tools/mmperf) here and in every peer; mmperf_down stops them (never fails).
mmperf_up() {
	mmperf -s </dev/null >/dev/null 2>&1 &
	mmperf_pid=$!
	on_peers "mmperf -s </dev/null >/dev/null 2>&1 &" >/dev/null
}
mmperf_down() {
	[ -z "${mmperf_pid:-}" ] || kill "$mmperf_pid" 2>/dev/null
	on_peers "killall mmperf" >/dev/null 2>&1
}

# peer_drops ID: the sum of this guest's drop and error counters for its peer ID (ethtool -S mmnet0).
peer_drops() {
	ethtool -S mmnet0 | awk -v p="peer$1_" 'index($1, p) == 1 && $1 ~ /_dropped_|_errors_/ { n += $2 }
		END { print n + 0 }'
}

# no_drops_either_end I ID BACK_ID: neither this guest's counters for its peer ID (guest I) nor guest I's for
# its peer BACK_ID (this guest) counted a drop or an error; fails the test otherwise.
no_drops_either_end() {
	_drops=$(peer_drops "$2") _back=$(on_guest "$1" ". ./lib.sh; peer_drops $3") ||
		fail "cannot read the peer's counters"
	[ "$_drops" -eq 0 ] && [ "$_back" -eq 0 ] || { ethtool -S mmnet0; on_guest "$1" "ethtool -S mmnet0";
		fail "drop and error counters rose: $_drops here, $_back on the peer"; }
	echo "ok: no drop or error counted on either end"
}

# stat_of DEV NAME: the kernel's counter NAME of DEV (/sys/class/net/DEV/statistics: tx_bytes, rx_bytes...).
stat_of() { cat "/sys/class/net/$1/statistics/$2"; }

# ---- mmnet in every guest ----
#
# On the plain testbed the guests are network namespaces of one kernel: one insmod serves them all.  On Xen
# every guest has its own kernel and loads its own module.  These helpers do the right thing on both: they
# act here, then in every peer through on_peers, where what the shared kernel already did is a no-op.

# mmnet_down: no mmnet anywhere: the module unloaded here and in every peer, and eth0 without a clsact
# qdisc.  For cleanups: never fails.
mmnet_down() {
	! module_loaded || rmmod mmnet
	tc qdisc del dev eth0 clsact 2>/dev/null
	on_peers "! grep -q '^mmnet ' /proc/modules || rmmod mmnet; tc qdisc del dev eth0 clsact 2>/dev/null; true" \
		>/dev/null 2>&1
	true
}

# mmnet_load_all [PARAM=VALUE...]: a fresh $MMNET_KO, loaded with these module parameters, here and in
# every peer.
mmnet_load_all() {
	mmnet_down
	mmnet_load "$@"
	on_peers "MMNET_KO=$MMNET_KO; . ./lib.sh; mmnet_load $*" || fail "cannot load $MMNET_KO in the peers"
}

# mmnet_has_transport: whether the module can connect this testbed's guests at all: the loop transport
# joins the devices of the plain testbed's one kernel; on Xen the module opts in through xenstore
# (docs/xenstore.md) once it has a Xen transport.
mmnet_has_transport() {
	case ${MMNET_TESTBED:-} in
	plain) return 0 ;;
	xen) xenstore-read data/mmnet/version >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

# mmnet_wait_peers: wait (30 s at most) until this guest's mmnet device has a connected peer for every
# other guest; fail if it does not.  Skip the test (exit 4) if there is no transport for this testbed:
# nothing can connect then.
mmnet_wait_peers() {
	_want=$((MMNET_GUESTS - 1)) _tick=0
	[ "$_want" -ge 1 ] || skip "needs two guests"
	while :; do
		_n=$(mmnetctl show 2>/dev/null | grep -c 'state connected')
		[ "$_n" -lt "$_want" ] || return 0
		if [ $_tick -eq 50 ] && ! mmnet_has_transport; then
			skip "mmnet.ko has no transport for the ${MMNET_TESTBED:-?} testbed (it did not opt in through xenstore)"
		fi
		[ $_tick -lt 300 ] || { mmnetctl show; fail "$_n connected peers after 30 s, expected $_want"; }
		sleep 0.1
		_tick=$((_tick + 1))
	done
}

# mmnet_up [PARAM=VALUE...]: mmnet_load_all, then eth0 attached with mmnetctl here and in every peer, and
# every pair of guests connected (mmnet_wait_peers).
mmnet_up() {
	mmnet_load_all "$@"
	mmnetctl attach eth0 || fail "mmnetctl attach eth0"
	on_peers "mmnetctl attach eth0" || fail "mmnetctl attach eth0 in the peers"
	mmnet_wait_peers
}

# peer_id ADDR: the id (on the transport) of this guest's peer that has the address ADDR, from mmnetctl
# show; its counters are peer<ID>_<name> in ethtool -S mmnet0.
peer_id() {
	mmnetctl show | awk -v a="$1" '
		$1 == "peer" { id = $2 }
		$1 == "addrs" { for (i = 2; i <= NF; i++) if ($i == a) { print id; exit } }'
}

# ---- transfers checked end to end ----
#
# A sink on a peer hashes what one TCP connection brings; the sender hashes what it sends; equal hashes
# mean that everything arrived, in order, unharmed.  Nothing is stored: the guests have little memory.

PAYLOAD_BLOCK=/tmp/mmnet-payload.blk

# payload_init: make the random block that payload repeats (before two payloads run at once).
payload_init() {
	[ -s $PAYLOAD_BLOCK ] || head -c 1048573 /dev/urandom >$PAYLOAD_BLOCK || fail "cannot make $PAYLOAD_BLOCK"
}

# payload MIB [GATE]: exactly MIB MiB of random data on stdout.  /dev/urandom makes ~10 MB/s under TCG, so
# one random block is repeated; its size, a prime, keeps the repeats out of step with every power-of-two
# boundary (pages, ring slots, data areas), so that a lost, repeated or stale chunk still changes the hash.
# cat, given the block MIB times, moves it with sendfile (busybox head and nc move a few KiB per call).
# With GATE, the last MiB waits until the file GATE exists (and GATE.wait marks that it waits), so that the
# connection is open and busy until the test did what it must do during the transfer (10 min at most).
payload() {
	_mib=$1 _gate=${2:-}
	head -c $((3 * _mib)) $PAYLOAD_BLOCK >/tmp/mmnet-payload.tail.$$ || return 1
	set --
	_i=1
	while [ $_i -lt "$_mib" ]; do
		set -- "$@" $PAYLOAD_BLOCK
		_i=$((_i + 1))
	done
	[ $# -eq 0 ] || cat "$@" || return 1
	if [ -n "$_gate" ]; then
		: >"$_gate.wait"
		_i=0
		while [ ! -e "$_gate" ] && [ $_i -lt 6000 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
	fi
	cat $PAYLOAD_BLOCK /tmp/mmnet-payload.tail.$$
	_rc=$?
	rm -f /tmp/mmnet-payload.tail.$$
	return $_rc
}

# send_payload ADDR PORT MIB [GATE]: payload MIB [GATE] over one TCP connection to ADDR:PORT (bash's
# /dev/tcp: the socket is cat's stdout).  Fails if the connection cannot be made or breaks.
send_payload() {
	bash -c '. ./lib.sh && payload "$2" "$3" >"/dev/tcp/$0/$1"' "$1" "$2" "$3" "${4:-}"
}

# sink_start I PORT: on guest I, a one-shot TCP server on PORT that writes the sha256 of all it receives
# to /tmp/mmnet-sink.PORT once the sender closes; returns when it listens.  (The agent takes one line.)
sink_start() {
	_f=/tmp/mmnet-sink.$2 _hex=$(printf %04X "$2")
	on_guest "$1" "rm -f $_f $_f.part; busybox nc -l -p $2 -e sh -c 'sha256sum >$_f.part && mv $_f.part $_f' \
</dev/null >/dev/null 2>&1 & i=0; until grep -q ':$_hex [0-9A-F:]* 0A ' /proc/net/tcp /proc/net/tcp6; do \
[ \$i -lt 100 ] || { echo 'the sink does not listen'; exit 1; }; sleep 0.1; i=\$((i + 1)); done" ||
		fail "cannot start a sink on guest $1"
}

# sink_sum I PORT: the sha256 the sink on guest I computed (waits for it up to 25 s: on_guest's limit).
sink_sum() {
	_f=/tmp/mmnet-sink.$2
	on_guest "$1" "i=0; until [ -s $_f ]; do [ \$i -lt 250 ] || exit 1; sleep 0.1; i=\$((i + 1)); done; \
cut -d' ' -f1 $_f; rm -f $_f"
}

# ---- time and waiting (tenths of a second: /proc/uptime, every guest's own clock) ----

uptime_ds() { awk '{ printf "%d\n", $1 * 10 }' /proc/uptime; }
# secs DS: DS tenths of a second as seconds, "12.3".
secs() { echo "$(($1 / 10)).$(($1 % 10))"; }

# wait_ds LIMIT WHAT COMMAND...: until COMMAND succeeds, LIMIT tenths of a second at most (fail WHAT after);
# $waited: how long it took, in seconds ("1.2").
wait_ds() {
	_limit=$1 _what=$2 _t0=$(uptime_ds)
	shift 2
	until "$@"; do
		[ $(($(uptime_ds) - _t0)) -lt "$_limit" ] || fail "$_what"
		sleep 0.1
	done
	waited=$(secs $(($(uptime_ds) - _t0)))
}

# peermap_dump PIN: bpftool map dump of the peer map pinned at PIN, one entry a line
# ({"key":{"kind":K,...},"value":...}).
peermap_dump() { bpftool map dump pinned "$1" | tr -d ' \n' | sed 's/^\[//; s/\]$//; s/},{"key"/}\n{"key"/g'; echo; }
# peermap_entries PIN ID: the number of entries of the peer map pinned at PIN that belong to peer ID.
peermap_entries() { peermap_dump "$1" | grep -c "\"peer_id\":$2}"; }

# has_peer ID: this guest's mmnet0 has a connected channel to its peer ID.
has_peer() { mmnetctl show | grep -q " peer $1 .*state connected"; }

# ping_via_mmnet ADDR: 3 pings to ADDR answered, and they went through the channel to its peer.
ping_via_mmnet() {
	_id=$(peer_id "$1")
	[ -n "$_id" ] || fail "no peer with $1"
	_tx=$(counter mmnet0 "peer${_id}_tx_bytes")
	ping -c 3 -i 0.2 -W 2 "$1" >/dev/null || fail "ping $1"
	[ $(($(counter mmnet0 "peer${_id}_tx_bytes") - _tx)) -gt 0 ] || fail "ping $1 did not go through mmnet"
}

# ---- hostile guests (selftests/hostile_*.sh) ----
#
# A hostile guest runs the test module ($MMNET_DEBUG_KO: kernel/hostile.c, knobs hostile_* under
# /sys/module/mmnet/parameters) and attacks its peers through its channels; this guest is the victim and runs
# the normal module.  Contract for every hostile test, whatever the attack:
#   hostile_up G         mmnet everywhere, guest G with the test module, all pairs connected
#   hostile_baseline     before the attack: remembers this guest's dmesg position, slab usage and neighbour
#                        tables (in shell variables hostile_*; call it once per test)
#   ... the attack, traffic measured during it ...
#   hostile_verify       after it: no oops, WARN or BUG in dmesg since the baseline; the neighbour tables as
#                        they were; rmmod mmnet succeeds here; slab usage back within HOSTILE_SLAB_KIB of the
#                        baseline.  Fails the test otherwise.  It unloads the module.
# Grant usage: the guest cannot read its free grant entries (GNTTABOP_query_size gives only the size), and the
# module does not count its grants yet: not checked.

# The slab tolerance: the baseline is taken with the module loaded and its channels up, so after rmmod usage
# should be lower; the tests' own shell, nc and ping churn dentries and kmalloc caches by a few hundred KiB
# under TCG.  A leak the attack repeats (one per event, reconnect or frame) is far above this.
HOSTILE_SLAB_KIB=${HOSTILE_SLAB_KIB:-2048}

# slab_kib: kernel slab memory in use now, in KiB (/proc/meminfo Slab: every cache's pages).
slab_kib() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }

# neigh_table: this guest's neighbour entries with a link-layer address (IPv4 and IPv6), sorted, as
# "ADDR MAC"; states are left out, since REACHABLE and STALE come and go by themselves.
neigh_table() {
	ip neigh show dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $1, $(i + 1) }' | sort
}

# hostile_require GUESTS: skip unless on the Xen testbed with GUESTS guests or more, in guest 1; fail without the
# test module.
hostile_require() {
	[ "${MMNET_TESTBED:-}" = xen ] || skip "Xen channels (xen testbed only)"
	[ "${MMNET_GUESTS:-1}" -ge "$1" ] || skip "needs $1 guests"
	[ "$MMNET_GUEST" = 1 ] || skip "runs in guest 1"
	[ -f "$MMNET_DEBUG_KO" ] || fail "$MMNET_DEBUG_KO is missing (run make)"
}

# hostile_up G [PARAM=VALUE...]: the normal module here and in every guest but G, the test module in G,
# eth0 attached everywhere and every pair connected.
hostile_up() {
	_hg=$1
	shift
	mmnet_down
	mmnet_load "$@"
	_i=1
	while [ $_i -le "$MMNET_GUESTS" ]; do
		_ko=$MMNET_KO
		[ $_i -ne "$_hg" ] || _ko=$MMNET_DEBUG_KO
		[ $_i -eq "$MMNET_GUEST" ] || on_guest $_i "MMNET_KO=$_ko; . ./lib.sh; mmnet_load $*" ||
			fail "cannot load $_ko in guest $_i"
		_i=$((_i + 1))
	done
	mmnetctl attach eth0 || fail "mmnetctl attach eth0"
	on_peers "mmnetctl attach eth0" || fail "mmnetctl attach eth0 in the peers"
	mmnet_wait_peers
	on_guest "$_hg" "test -e /sys/module/mmnet/parameters/hostile_stall" >/dev/null ||
		fail "guest $_hg did not load the test module ($MMNET_DEBUG_KO)"
}

# hostile_set G KNOB VALUE: set the hostile module parameter KNOB of guest G.
hostile_set() { on_guest "$1" "echo $3 >/sys/module/mmnet/parameters/hostile_$2" || fail "hostile_$2=$3 in guest $1"; }

hostile_baseline() {
	dmesg_mark
	hostile_slab=$(slab_kib)
	hostile_neigh=$(neigh_table)
	echo "baseline: slab $hostile_slab KiB, $(echo "$hostile_neigh" | grep -c .) neighbours"
}

hostile_verify() {
	dmesg_check_clean
	[ "$(neigh_table)" = "$hostile_neigh" ] || { echo "before:"; echo "$hostile_neigh"; echo "now:"; neigh_table;
		fail "the neighbour table changed"; }
	echo "ok: neighbour table unchanged"
	check "rmmod mmnet" rmmod mmnet
	_slab=$(slab_kib)
	[ "$_slab" -le $((hostile_slab + HOSTILE_SLAB_KIB)) ] ||
		fail "slab usage $_slab KiB, baseline $hostile_slab KiB (tolerance $HOSTILE_SLAB_KIB KiB)"
	echo "ok: slab usage $_slab KiB, baseline $hostile_slab KiB"
}

# irq_count NAME: interrupts so far of the interrupt NAME (/proc/interrupts, all CPUs).
irq_count() {
	awk -v n="$1" '$NF == n { for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i; f = 1 } END { print s + 0 }' \
		/proc/interrupts
}
