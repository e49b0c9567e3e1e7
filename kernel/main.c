// SPDX-License-Identifier: GPL-2.0
/*
 * mmnet: a shared-memory shortcut between co-located Xen VMs.  A tc egress
 * program on the VM's normal NIC redirects frames for co-located peers into an
 * mmnet device, which carries them to the peer through shared memory.
 */

#include "debug.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "transport.h"
#include "version.h"

#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <linux/mmnet.h>

/* Transports @n and up were not initialised. */
static void mmnet_transports_exit(unsigned int n)
{
	while (n--)
		if (mmnet_transports[n]->exit)
			mmnet_transports[n]->exit();
}

static int __init mmnet_transports_init(void)
{
	const struct mmnet_transport *t;
	unsigned int i;
	int ret;

	for (i = 0; (t = mmnet_transports[i]); i++) {
		ret = t->init ? t->init() : 0;
		if (ret) {
			pr_err("transport %s: cannot initialise: %d\n", t->name,
			       ret);
			mmnet_transports_exit(i);
			return ret;
		}
	}
	return 0;
}

static unsigned int mmnet_nr_transports(void)
{
	unsigned int i = 0;

	while (mmnet_transports[i])
		i++;
	return i;
}

static int __init mmnet_mod_init(void)
{
	int ret;

	ret = mmnet_peer_init();
	if (ret)
		return ret;
	ret = mmnet_transports_init();
	if (ret)
		goto err_transports;
	ret = mmnet_device_init();
	if (ret)
		goto err_device;
	ret = mmnet_netlink_init();
	if (ret)
		goto err_netlink;

	pr_info("loaded, version %s\n", MMNET_VERSION);
	return 0;

err_netlink:
	mmnet_device_uninit();
err_device:
	mmnet_transports_exit(mmnet_nr_transports());
err_transports:
	mmnet_peer_exit();
	return ret;
}

/*
 * Tear down in the reverse order of mmnet_mod_init(): no new command, then
 * every device (each detach closes its peers, and its destructor stops its
 * peer work), then the transports, then the peers' teardown works that may
 * still hold a reference, then the RCU callbacks that free peers.
 */
static void __exit mmnet_mod_exit(void)
{
	mmnet_hostile_exit();
	mmnet_netlink_uninit();
	mmnet_device_uninit();
	mmnet_transports_exit(mmnet_nr_transports());
	mmnet_peer_exit();
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(mmnet_mod_init);
module_exit(mmnet_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shared-memory network shortcut between co-located Xen VMs");
MODULE_VERSION(MMNET_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(MMNET_GENL_NAME);
