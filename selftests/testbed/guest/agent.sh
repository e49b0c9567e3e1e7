#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The testbed's command agent: every guest serves it on TCP port 7777 (busybox nc -ll -e), so that a test
# in guest 1 can act on its peers the same way on both testbeds (selftests/lib.sh: on_guest).  It reads one
# command line, runs it with sh as root in this guest, and answers with its output and a last line
# "@@rc STATUS".  The testbed network is private to the VM; nothing outside can reach this port.
export PATH=/mmnet/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH} HOME=/root
cd /mmnet/selftests 2>/dev/null || cd /
IFS= read -r cmd || exit 0
sh -c "$cmd" </dev/null 2>&1
echo "@@rc $?"
