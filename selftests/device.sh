#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The mmnet net device: created and deleted with ip(8), in a network namespace of its own; Ethernet, no
# queue, MTU 68..65535; ethtool driver info and statistics; frames it cannot carry are counted, not lost.
. ./lib.sh

NS=mmnet-dev-$$
cleanup() {
	ip netns del $NS 2>/dev/null
	ip link del mmnet-t0 2>/dev/null
}
trap cleanup EXIT

mmnet_load
dmesg_mark
ip netns add $NS || fail "ip netns add"
in_ns() { ip netns exec $NS "$@"; }

check "ip link add mmnet0 type mmnet" in_ns ip link add mmnet0 type mmnet
check "ip link set mmnet0 up" in_ns ip link set mmnet0 up
details=$(in_ns ip -d link show mmnet0)
echo "$details"
echo "$details" | grep -q 'link/ether' || fail "mmnet0 is not an Ethernet device"
echo "$details" | grep -q ' mmnet ' || fail "ip -d link does not show the link type mmnet"
echo "$details" | grep -q 'maxmtu 65535' || fail "maxmtu is not 65535"
echo "$details" | grep -q 'qdisc noqueue' || fail "mmnet0 has a queue (IFF_NO_QUEUE expected)"
# No peer channel yet: the device says so instead of pretending to have a link.
sleep 1
[ "$(in_ns cat /sys/class/net/mmnet0/operstate)" = dormant ] || fail "operstate is not dormant without peers"
echo "ok: operstate dormant without peers"

check "MTU 65535" in_ns ip link set mmnet0 mtu 65535
check "MTU 68" in_ns ip link set mmnet0 mtu 68
check_fails "MTU 65536 is refused" in_ns ip link set mmnet0 mtu 65536
check_fails "MTU 67 is refused" in_ns ip link set mmnet0 mtu 67
check_fails "a multicast MAC is refused" in_ns ip link set mmnet0 address 01:00:00:00:00:01
in_ns ip link set mmnet0 down
check "a unicast MAC is taken" in_ns ip link set mmnet0 address 02:11:22:33:44:55
in_ns ip link set mmnet0 up
in_ns ip link set mmnet0 mtu 1500

drvinfo=$(in_ns ethtool -i mmnet0)
echo "$drvinfo"
echo "$drvinfo" | grep -q '^driver: mmnet$' || fail "ethtool -i does not name the driver mmnet"

# A frame with nowhere to go is dropped under a reason counter, visible in ethtool -S and ip -s link.
in_ns ip addr add 198.51.100.1/24 dev mmnet0
in_ns ip neigh add 198.51.100.2 lladdr 02:00:00:00:00:99 dev mmnet0 nud permanent
in_ns ping -c 3 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1
in_ns ethtool -S mmnet0
dropped=$(in_ns sh -c '. ./lib.sh; counter mmnet0 tx_dropped_no_peer') || fail "no tx_dropped_no_peer counter"
[ "$dropped" -ge 3 ] || fail "tx_dropped_no_peer is $dropped after 3 pings, expected at least 3"
core=$(in_ns cat /sys/class/net/mmnet0/statistics/tx_dropped)
[ "$core" -ge "$dropped" ] || fail "ip -s link shows $core drops, ethtool -S $dropped"
echo "ok: $dropped frames without a peer counted as dropped"

check "a second device" in_ns ip link add mmnet1 type mmnet
check "ip link del mmnet1" in_ns ip link del mmnet1
# Deleting the namespace takes its devices with it.
ip netns del $NS || fail "ip netns del"
sleep 1
check "a device in the initial namespace" ip link add mmnet-t0 type mmnet
check "ip link del" ip link del mmnet-t0
mmnet_unload
dmesg_check_clean
exit $ksft_pass
