/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_XENIO_H
#define _MMNET_XENIO_H

#include <linux/types.h>
#include <xen/xenbus.h>

#include "transport.h"
#include "xenproto.h"

/* The domain's home in xenstore, relative to its own directory. */
#define MMNET_XS_HOME		"data/mmnet"
#define MMNET_XS_PEERS		MMNET_XS_HOME "/peer"

/**
 * struct mmnet_xen_snap - the pair's directories, read in one transaction
 * @remote: the peer's rendezvous values
 * @addrs: where the peer is reachable, as the daemon says
 * @addrs_ok: @addrs has a MAC, and nothing the daemon wrote is garbage
 * @mode: enum mmnet_xs_mode, the daemon's mode node (absent: copy)
 */
struct mmnet_xen_snap {
	struct mmnet_xs_rdv remote;
	struct mmnet_addrs addrs;
	bool addrs_ok;
	u8 mode;
};

int mmnet_xs_parse_guest(const char *s, u32 *domid);
char *mmnet_xs_read(struct xenbus_transaction t, const char *dir,
		    const char *node);
int mmnet_xs_read_snap(const char *remote_dir, const char *own_dir,
		       struct mmnet_xen_snap *snap);
int mmnet_xs_write_rdv(const char *dir, const struct mmnet_xs_rdv *p,
		       bool fresh);
int mmnet_xs_write_self(bool version, const char *addrs);

#endif /* _MMNET_XENIO_H */
