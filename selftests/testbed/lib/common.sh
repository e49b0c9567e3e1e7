# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Host-side helpers shared by selftests/testbed/run and every backend (bash; sourced).
#
#   TB_DIR     selftests/testbed          TB_ROOT   the repository
#   TB_BUILD   build/testbed (override with $TB_BUILD; caches and per-run scratch live there)
#   tb_die MSG...          "testbed: MSG" on stderr, exit 125 (the contract's "testbed failure")
#   tb_kver                kernel release the testbeds boot (scripts/kver; never uname -r)
#   tb_qemu ARGS...        exec QEMU with the machine both backends use ($TB_SMP CPUs, default 2; $TB_MEM
#                          MiB, default 1024), plus ARGS
#   TB_KERNEL_ARGS         extra kernel parameters a backend appends to its kernels' command lines

TB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TB_ROOT=$(cd "$TB_DIR/../.." && pwd -P)
TB_BUILD=${TB_BUILD:-$TB_ROOT/build/testbed}

tb_die() {
	echo "testbed: $*" >&2
	exit 125
}

tb_kver() {
	"$TB_ROOT/scripts/kver" || tb_die "cannot tell which kernel to boot"
}

# The machine: TCG only (no usable KVM here), -cpu qemu64 because Xen's PV dom0 crashes on richer models,
# -no-reboot so that a panic (panic=-1 reboots at once) ends QEMU instead of looping.  The serial console is
# QEMU's stdio: stdout carries the console, stdin feeds it (only --shell gives it a terminal).
tb_qemu() {
	exec qemu-system-x86_64 -accel tcg,thread=multi -cpu qemu64 -smp "${TB_SMP:-2}" -m "${TB_MEM:-1024}" \
		-nographic -no-reboot -net none "$@"
}
