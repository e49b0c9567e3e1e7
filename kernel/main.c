// SPDX-License-Identifier: GPL-2.0
/*
 * mmnet: a shared-memory shortcut between co-located Xen VMs.  A tc egress
 * program on the VM's normal NIC redirects frames for co-located peers into an
 * mmnet device, which carries them to the peer through shared memory.
 */

#include "device.h"
#include "version.h"

#include <linux/init.h>
#include <linux/module.h>
#include <net/rtnetlink.h>

static int __init mmnet_mod_init(void)
{
	int ret;

	ret = mmnet_device_init();
	if (ret)
		goto err_device;

	pr_info("loaded, version %s\n", MMNET_VERSION);
	return 0;

err_device:
	return ret;
}

/* Tear down in the reverse order of mmnet_mod_init(). */
static void __exit mmnet_mod_exit(void)
{
	mmnet_device_uninit();
	pr_info("unloaded\n");
}

module_init(mmnet_mod_init);
module_exit(mmnet_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shared-memory network shortcut between co-located Xen VMs");
MODULE_VERSION(MMNET_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
