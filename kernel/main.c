// SPDX-License-Identifier: GPL-2.0
/*
 * mmnet: a shared-memory shortcut between co-located Xen VMs.  A tc egress
 * program on the VM's normal NIC redirects frames for co-located peers into an
 * mmnet device, which carries them to the peer through shared memory.
 */

#include "device.h"
#include "loop.h"
#include "netlink.h"
#include "peer.h"
#include "version.h"
#include "xen.h"

#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <linux/mmnet.h>

static int __init mmnet_mod_init(void)
{
	int ret;

	ret = mmnet_peer_init();
	if (ret)
		goto err_peer;
	ret = mmnet_loop_init();
	if (ret)
		goto err_loop;
	ret = mmnet_xen_init();
	if (ret)
		goto err_xen;
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
	mmnet_xen_uninit();
err_xen:
	mmnet_loop_uninit();
err_loop:
	mmnet_peer_work_cancel();
err_peer:
	return ret;
}

/*
 * Tear down in the reverse order of mmnet_mod_init(): no new command, then
 * every device (each detach drains its peers), then the notifiers and
 * works, then the RCU callbacks that free peers.
 */
static void __exit mmnet_mod_exit(void)
{
	mmnet_netlink_uninit();
	mmnet_device_uninit();
	mmnet_xen_uninit();
	mmnet_loop_uninit();
	mmnet_peer_work_cancel();
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
