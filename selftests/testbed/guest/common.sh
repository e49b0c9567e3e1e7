# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Guest-side helpers shared by every testbed (POSIX sh: dash or busybox ash; sourced).  Images put this
# directory at /testbed/guest.
#
#   TB_SETTINGS            the run's settings, written by selftests/testbed/run into the per-run overlay:
#                          TB_TESTBED (plain|xen), TB_GUESTS (N), TB_MODE (run|each|shell), TB_SCRIPT (its
#                          path in the guest), `set -- ARGS...`; for a shell at a terminal TB_TERM and
#                          TB_TTY_SIZE ("rows cols")
#   tb_mounts              mount what a guest needs and is not mounted yet (idempotent; also in a fresh
#                          mount namespace such as `ip netns exec` makes, which hides /sys/fs/bpf & co)
#   tb_ip4 I, tb_ip6 I, tb_mac I    guest I's addresses (docs/testbed.md, "Addresses")
#   tb_marker WORD...      print a marker line for selftests/testbed/run (see guest.sh)

# shellcheck disable=SC2034 # for the scripts that source this
TB_SETTINGS=/run/mmnet-testbed/settings

tb_ip4() { echo "10.77.0.$1"; }
tb_ip6() { echo "fd77::$1"; }
tb_mac() { printf '02:00:00:00:00:%02x\n' "$1"; }

tb_marker() { echo "@@mmnet-testbed $*"; }

# tb_mount TYPE DIR [OPTIONS]: mount unless $tb_mounted (the mount points, read from /proc/mounts) has DIR.
tb_mount() {
	case $tb_mounted in *" $2 "*) return 0 ;; esac
	mkdir -p "$2" && mount -t "$1" ${3:+-o "$3"} "$1" "$2"
}

# Every exec costs under TCG: one pass over /proc/mounts with the shell's read, no grep per mount point.
tb_mounts() {
	[ -e /proc/mounts ] || mount -t proc proc /proc || return
	tb_mounted=" "
	while read -r _ dir _; do tb_mounted="$tb_mounted$dir "; done </proc/mounts
	tb_mount sysfs /sys &&
		tb_mount devtmpfs /dev &&
		tb_mount devpts /dev/pts &&
		tb_mount tmpfs /dev/shm &&
		tb_mount bpf /sys/fs/bpf mode=700 &&
		tb_mount debugfs /sys/kernel/debug &&
		tb_mount tracefs /sys/kernel/tracing
}
