#!/bin/sh
# Runs in guest 1 of the demo: who we are, who the peers are, and traffic to each of them.
peer=${MMNET_PEERS%% *}
echo "== guest $MMNET_GUEST of $MMNET_GUESTS on the $MMNET_TESTBED testbed: $MMNET_SELF $MMNET_SELF6"
ip -br addr show dev eth0
echo "== eth0 driver: $(ethtool -i eth0 | sed -n 's/^driver: //p')"
for p in $MMNET_PEERS $MMNET_PEERS6; do
	ping -c 3 "$p" | tail -2
done
echo "== TCP to $peer over the normal path (eth0), 5 s"
iperf3 -c "$peer" -t 5 -f m | grep -E 'sender|receiver'
echo "== request/response to $peer over eth0, 5 s"
sockperf ping-pong -i "$peer" -t 5 2>&1 | grep -E 'avg-latency|Summary'
