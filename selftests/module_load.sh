#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmnet.ko loads and unloads cleanly, again and again, with devices up: 50 cycles, no warnings in dmesg.
. ./lib.sh

CYCLES=${CYCLES:-50}

[ -f "$MMNET_KO" ] || fail "$MMNET_KO is missing"
mmnet_unload
dmesg_mark

i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	insmod "$MMNET_KO" || fail "cycle $i: insmod"
	ip link add mmnet0 type mmnet || fail "cycle $i: ip link add mmnet0"
	ip link add mmnet1 mtu 65535 type mmnet || fail "cycle $i: ip link add mmnet1"
	ip link set mmnet0 up && ip link set mmnet1 up || fail "cycle $i: ip link set up"
	ip addr add 198.51.100.1/24 dev mmnet0 || fail "cycle $i: ip addr add"
	# Unloading must take the devices down with it, even while they are up and addressed.
	rmmod mmnet || fail "cycle $i: rmmod with devices up"
	! ip link show mmnet0 >/dev/null 2>&1 || fail "cycle $i: mmnet0 outlived the module"
done
echo "ok: $CYCLES load/unload cycles with two devices up"
! module_loaded || fail "mmnet is still loaded"
dmesg | grep -c 'mmnet: loaded' | sed 's/^/load messages in dmesg: /'
dmesg_check_clean
exit $ksft_pass
