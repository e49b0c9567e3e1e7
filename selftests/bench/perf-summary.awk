# SPDX-License-Identifier: GPL-2.0
# perf script -F ip,sym (samples recorded with -g) | awk -f perf-summary.awk | sort -rn: the samples by what
# the CPU was doing, from the sampled function and the one that called it (profile.sh).
#
# On Xen a PV guest's time in the hypervisor shows as xen_hypercall_pv: idle (xen_safe_halt blocks the
# vCPU), delivering an event (forced when interrupts come back on with one pending), sending one
# (notify_remote_via_irq), other hypercalls.  A user-space sample may be Xen's too: a PV guest's system
# call enters through Xen.  mmnet_poll's own samples are its copy out of the ring, which the compiler
# inlines there.
function category(leaf, caller, ip) {
	if (leaf == "xen_hypercall_pv") {
		if (caller == "xen_safe_halt")
			return IDLE
		if (caller == "xen_force_evtchn_callback")
			return "Xen: delivering an event"
		if (caller == "notify_remote_via_irq")
			return "Xen: sending an event"
		return "Xen: other hypercalls"
	}
	if (leaf ~ /^(pv_)?native_safe_halt$/)
		return IDLE
	if (length(ip) < 16)
		return "user space (and a PV guest's system call entry)"
	if (leaf ~ /^(__)?(memcpy|memmove|memset|copy_user_|clear_page|copy_page|rep_movs)/ || leaf == "mmnet_poll")
		return "copying and zeroing"
	return "the rest of the kernel (TCP/IP, scheduler, ...)"
}

function count() {
	if (n) {
		c[category(leaf, caller, ip)]++
		total++
	}
	n = 0
}

BEGIN { IDLE = "idle (the vCPU blocked)" }
NF == 0 { count(); next }
{
	n++
	if (n == 1) {
		ip = $1
		leaf = $2
	} else if (n == 2) {
		caller = $2
	}
}
END {
	count()
	idle = (IDLE in c) ? c[IDLE] : 0
	for (x in c)
		printf "    %5.1f%% of the time, %5.1f%% of the busy time: %s\n", 100 * c[x] / total,
			x == IDLE ? 0 : 100 * c[x] / (total - idle), x
}
