# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The userland every testbed guest has, whatever the backend (bash; sourced by an image script after
# image.sh).  A backend's recipe calls img_guest_userland, then adds its /init and its own modules (plain:
# veth, bridge; xen: xen-netfront).
#
# What a test may rely on (docs/testbed.md): dash as /bin/sh (busybox ash would run its own ip and tc before
# iproute2's), busybox for the rest, bash, iproute2 (ip, tc, bridge, ss), bpftool, ethtool, iperf3, sockperf,
# tcpdump, iptables, and the modules below; guest/ at /testbed/guest.

GUEST_IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

img_guest_userland() {
	img_busybox
	img_bin /bin/sh bash
	img_bin ip tc bridge ss bpftool ethtool iperf3 sockperf tcpdump iptables ip6tables
	# Loaded at run time, so ldd does not see them: libgcc_s (pthread_cancel in glibc), tc's and iptables'
	# plugins, netem's distribution tables.
	img_bin /usr/lib/x86_64-linux-gnu/libgcc_s.so.1
	img_tree /usr/lib/x86_64-linux-gnu/tc /usr/lib/x86_64-linux-gnu/xtables /etc/iproute2
	img_tree /lib/terminfo # for --shell at a terminal
	img_copy /etc/protocols /etc/services
	# tcpdump drops its privileges to this user.
	echo 'tcpdump:x:100:101::/nonexistent:/bin/false' >>"$IMG_ROOT/etc/passwd"
	echo 'tcpdump:x:101:' >>"$IMG_ROOT/etc/group"
	# Modules tests are likely to want; mmnet.ko is not among them: the tests insmod /mmnet/kernel/mmnet.ko.
	# crc32c_generic: libcrc32c (nf_tables) asks the crypto API for crc32c, a soft dependency modules.dep
	# does not list (and qemu64 has no SSE4.2 for crc32c_intel).
	img_modules sch_ingress cls_bpf act_bpf sch_netem dummy veth nf_tables nft_compat xt_tcpudp crc32c_generic
	img_add "$GUEST_IMAGE_DIR/guest/common.sh" /testbed/guest/common.sh
	img_add "$GUEST_IMAGE_DIR/guest/guest.sh" /testbed/guest/guest.sh 755
	img_add "$GUEST_IMAGE_DIR/guest/agent.sh" /testbed/guest/agent.sh 755
}
