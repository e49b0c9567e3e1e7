#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The testbed itself: the guest has what every other test relies on (see docs/testbed.md).
. ./lib.sh

for v in MMNET_GUEST MMNET_GUESTS MMNET_SELF MMNET_SELF6 MMNET_PEERS MMNET_TESTBED; do
	eval "val=\${$v:-}"
	[ -n "$val" ] || fail "$v is not set"
	echo "$v=$val"
done
npeers=$(echo $MMNET_PEERS | wc -w)
[ "$npeers" -eq $((MMNET_GUESTS - 1)) ] || fail "MMNET_PEERS lists $npeers peers, expected $((MMNET_GUESTS - 1))"
[ "$(echo $MMNET_PEERS6 | wc -w)" -eq "$npeers" ] || fail "MMNET_PEERS6 and MMNET_PEERS differ in length"

check "eth0 has $MMNET_SELF" sh -c "ip -4 addr show dev eth0 | grep -q 'inet $MMNET_SELF/'"
check "eth0 has $MMNET_SELF6" sh -c "ip -6 addr show dev eth0 | grep -q 'inet6 $MMNET_SELF6/'"

# The normal path is what the testbed promises: a veth on plain, Xen's netfront on xen.
driver=$(ethtool -i eth0 | sed -n 's/^driver: //p')
case $MMNET_TESTBED in
plain) want=veth ;;
xen) want=vif ;;
*) fail "unknown MMNET_TESTBED=$MMNET_TESTBED" ;;
esac
[ "$driver" = "$want" ] || fail "eth0 is driven by '$driver', expected '$want' on the $MMNET_TESTBED testbed"
echo "ok: eth0 is $driver"

for tool in ip tc bpftool ethtool iperf3 sockperf; do
	check "$tool is on PATH" command -v $tool
done
check "the build is at $MMNET_ROOT" test -f "$MMNET_KO" -a -f "$MMNET_ROOT/bpf/mmnet.bpf.o"
check "the fault-injection module is at $MMNET_DEBUG_KO" test -f "$MMNET_DEBUG_KO"
check "bpffs is mounted" sh -c "grep -q ' /sys/fs/bpf bpf ' /proc/mounts"
exit $ksft_pass
