// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "mmnet" (include/uapi/linux/mmnet.h): how
 * mmnetctl attaches a device to its lower NIC and peer map, turns the
 * shortcut on and off, and reads devices, peers and counters.
 *
 * Devices are looked up in the requesting socket's namespace; changes need
 * CAP_NET_ADMIN over that namespace (GENL_UNS_ADMIN_PERM), as for ip(8).
 * Every command runs under RTNL, the configuration lock (device.h).
 */

#include "netlink.h"
#include "device.h"
#include "ethtool.h"
#include "peer.h"
#include "peermap.h"

#include <linux/bpf.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/mmnet.h>

/* Room a peer takes at most in a message: addresses and counters. */
#define MMNET_NL_PEER_SIZE	2048

static const struct nla_policy mmnet_policy[MMNET_A_MAX + 1] = {
	[MMNET_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MMNET_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[MMNET_A_LOWER_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MMNET_A_PEER_MAP_FD]	= { .type = NLA_U32 },
	[MMNET_A_ENABLED]	= NLA_POLICY_MAX(NLA_U8, 1),
	/* answers only */
	[MMNET_A_PEERS]		= { .type = NLA_REJECT },
	[MMNET_A_STATS]		= { .type = NLA_REJECT },
};

static struct genl_family mmnet_family;

/* The mmnet device a request names, by index or name.  RTNL. */
static struct mmnet_device *mmnet_nl_device(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr *attr = info->attrs[MMNET_A_IFINDEX];
	struct net_device *dev;
	struct mmnet_device *mmnet;

	if (attr) {
		dev = __dev_get_by_index(net, nla_get_u32(attr));
	} else if (info->attrs[MMNET_A_IFNAME]) {
		attr = info->attrs[MMNET_A_IFNAME];
		dev = __dev_get_by_name(net, nla_data(attr));
	} else {
		GENL_SET_ERR_MSG(info, "Missing MMNET_A_IFINDEX or MMNET_A_IFNAME");
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "No such device");
		return ERR_PTR(-ENODEV);
	}
	mmnet = mmnet_device_get(dev);
	if (!mmnet) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "Not an mmnet device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return mmnet;
}

/* ---- answers ---- */

static int mmnet_nl_put_stat(struct sk_buff *skb, const char *name, u64 val)
{
	struct nlattr *stat = nla_nest_start(skb, MMNET_A_STAT);

	if (!stat || nla_put_string(skb, MMNET_STAT_A_NAME, name) ||
	    nla_put_u64_64bit(skb, MMNET_STAT_A_VALUE, val, MMNET_STAT_A_UNSPEC))
		return -EMSGSIZE;
	nla_nest_end(skb, stat);
	return 0;
}

/* A nest @type of @n counters, named by @name, valued @vals. */
static int mmnet_nl_put_stats(struct sk_buff *skb, int type, const u64 *vals,
			      unsigned int n,
			      const char *(*name)(unsigned int i))
{
	struct nlattr *nest = nla_nest_start(skb, type);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (mmnet_nl_put_stat(skb, name(i), vals[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int mmnet_nl_put_device_stats(struct sk_buff *skb,
				     struct mmnet_device *mmnet)
{
	unsigned int n = mmnet_device_stats_count();
	u64 *vals = kcalloc(n, sizeof(*vals), GFP_KERNEL);
	int ret;

	if (!vals)
		return -ENOMEM;
	mmnet_device_stats_read(mmnet, vals);
	ret = mmnet_nl_put_stats(skb, MMNET_A_STATS, vals, n,
				 mmnet_device_stat_name);
	kfree(vals);
	return ret;
}

static int mmnet_nl_put_peer_stats(struct sk_buff *skb,
				   struct mmnet_peer *peer)
{
	unsigned int n = mmnet_peer_stats_count();
	u64 *vals = kcalloc(n, sizeof(*vals), GFP_KERNEL);
	int ret;

	if (!vals)
		return -ENOMEM;
	mmnet_peer_stats_read(peer, vals);
	ret = mmnet_nl_put_stats(skb, MMNET_PEER_A_STATS, vals, n,
				 mmnet_peer_stat_name);
	kfree(vals);
	return ret;
}

static int mmnet_nl_put_addrs(struct sk_buff *skb, const struct mmnet_addrs *a)
{
	struct nlattr *nest;
	unsigned int i;

	if (nla_put(skb, MMNET_PEER_A_MAC, ETH_ALEN, a->mac))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, MMNET_PEER_A_ADDRS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < a->nr_ipv4; i++)
		if (nla_put_in_addr(skb, MMNET_PEER_A_IPV4, a->ipv4[i]))
			return -EMSGSIZE;
	for (i = 0; i < a->nr_ipv6; i++)
		if (nla_put_in6_addr(skb, MMNET_PEER_A_IPV6, &a->ipv6[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int mmnet_nl_put_peer(struct sk_buff *skb, struct mmnet_peer *peer)
{
	const struct mmnet_addrs *a = rtnl_dereference(peer->addrs);
	struct nlattr *nest = nla_nest_start(skb, MMNET_A_PEER);

	if (!nest || nla_put_u32(skb, MMNET_PEER_A_ID, peer->id) ||
	    nla_put_u8(skb, MMNET_PEER_A_STATE, peer->state) ||
	    nla_put_string(skb, MMNET_PEER_A_TRANSPORT, peer->ops->name) ||
	    (a && mmnet_nl_put_addrs(skb, a)) ||
	    mmnet_nl_put_peer_stats(skb, peer))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int mmnet_nl_put_device(struct sk_buff *skb, struct mmnet_device *mmnet)
{
	struct net_device *lower = rtnl_dereference(mmnet->lower);

	if (nla_put_u32(skb, MMNET_A_IFINDEX, mmnet->dev->ifindex) ||
	    nla_put_string(skb, MMNET_A_IFNAME, mmnet->dev->name) ||
	    nla_put_u32(skb, MMNET_A_LOWER_IFINDEX, lower ? lower->ifindex : 0) ||
	    nla_put_u8(skb, MMNET_A_ENABLED, mmnet->enabled))
		return -EMSGSIZE;
	return mmnet_nl_put_device_stats(skb, mmnet);
}

/*
 * One message for a device, with its peers from *@pos on.  A device with
 * more peers than fit takes several messages, each with the device's
 * attributes (wireguard does the same); *@pos says where to go on.
 *
 * Return: 0 when every peer is in, 1 when more remain, -EMSGSIZE when not
 * even the device fit (nothing added).
 */
static int mmnet_nl_fill(struct sk_buff *skb, struct mmnet_device *mmnet,
			 u32 portid, u32 seq, int flags, long *pos)
{
	struct mmnet_peer *peer;
	struct nlattr *peers;
	long i = 0, first = *pos;
	int more = 0;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &mmnet_family, flags,
			  MMNET_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;
	if (mmnet_nl_put_device(skb, mmnet))
		goto cancel;
	peers = nla_nest_start(skb, MMNET_A_PEERS);
	if (!peers)
		goto cancel;
	list_for_each_entry(peer, &mmnet->peer_list, list) {
		void *mark = skb_tail_pointer(skb);

		if (i++ < *pos)
			continue;
		if (mmnet_nl_put_peer(skb, peer)) {
			nlmsg_trim(skb, mark);
			/* Not one peer in: try again in the next message. */
			if (*pos == first)
				goto cancel;
			more = 1;
			break;
		}
		(*pos)++;
	}
	nla_nest_end(skb, peers);
	genlmsg_end(skb, hdr);
	return more;

cancel:
	*pos = first;
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int mmnet_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mmnet_device *mmnet;
	struct mmnet_peer *peer;
	struct sk_buff *msg;
	size_t size = NLMSG_GOODSIZE;
	long pos = 0;
	int ret;

	rtnl_lock();
	mmnet = mmnet_nl_device(info);
	ret = PTR_ERR_OR_ZERO(mmnet);
	if (ret)
		goto out;
	list_for_each_entry(peer, &mmnet->peer_list, list)
		size += MMNET_NL_PEER_SIZE;
	ret = -ENOMEM;
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = mmnet_nl_fill(msg, mmnet, info->snd_portid, info->snd_seq, 0,
			    &pos);
	if (ret) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	rtnl_unlock();
	return genlmsg_reply(msg, info);
out:
	rtnl_unlock();
	return ret;
}

/* cb->args[0]: mmnet devices done; cb->args[1]: peers of the next one done. */
static int mmnet_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct mmnet_device *mmnet;
	struct net_device *dev;
	long idx = 0;
	int ret = 0;

	rtnl_lock();
	for_each_netdev(net, dev) {
		mmnet = mmnet_device_get(dev);
		if (!mmnet || idx++ < cb->args[0])
			continue;
		ret = mmnet_nl_fill(skb, mmnet, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI,
				    &cb->args[1]);
		if (ret)
			break;
		cb->args[0]++;
		cb->args[1] = 0;
	}
	rtnl_unlock();
	/* A device that does not fit even an empty message cannot be dumped. */
	if (ret < 0 && !skb->len)
		return ret;
	return skb->len;
}

/* ---- changes ---- */

/* The lower NIC of an attach: an Ethernet device of the namespace, not ours. */
static struct net_device *mmnet_nl_lower(struct genl_info *info,
					 struct mmnet_device *mmnet)
{
	struct nlattr *attr = info->attrs[MMNET_A_LOWER_IFINDEX];
	struct net_device *lower;

	lower = __dev_get_by_index(genl_info_net(info), nla_get_u32(attr));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "No such lower device");
		return ERR_PTR(-ENODEV);
	}
	if (mmnet_device_get(lower)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "Lower device cannot be an mmnet device");
		return ERR_PTR(-EINVAL);
	}
	if (lower->type != ARPHRD_ETHER || (lower->flags & IFF_LOOPBACK)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "Lower device must be an Ethernet device");
		return ERR_PTR(-EINVAL);
	}
	return lower;
}

static int mmnet_nl_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct mmnet_device *mmnet;
	struct net_device *lower;
	struct bpf_map *map;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MMNET_A_LOWER_IFINDEX) ||
	    GENL_REQ_ATTR_CHECK(info, MMNET_A_PEER_MAP_FD))
		return -EINVAL;
	/* The fd is the caller's: resolve it in its context, before RTNL. */
	map = mmnet_peermap_get(nla_get_u32(info->attrs[MMNET_A_PEER_MAP_FD]),
				info->extack);
	if (IS_ERR(map)) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[MMNET_A_PEER_MAP_FD]);
		return PTR_ERR(map);
	}
	rtnl_lock();
	mmnet = mmnet_nl_device(info);
	ret = PTR_ERR_OR_ZERO(mmnet);
	if (ret)
		goto out;
	lower = mmnet_nl_lower(info, mmnet);
	ret = PTR_ERR_OR_ZERO(lower);
	if (!ret)
		ret = mmnet_device_attach(mmnet, lower, map, info->extack);
out:
	rtnl_unlock();
	if (ret)
		mmnet_peermap_put(map);
	return ret;
}

static int mmnet_nl_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct mmnet_device *mmnet;
	int ret;

	rtnl_lock();
	mmnet = mmnet_nl_device(info);
	ret = PTR_ERR_OR_ZERO(mmnet);
	if (!ret) {
		ret = mmnet_device_detach(mmnet);
		if (ret)
			GENL_SET_ERR_MSG(info, "Device is not attached");
	}
	rtnl_unlock();
	return ret;
}

static int mmnet_nl_set_device(struct sk_buff *skb, struct genl_info *info)
{
	struct mmnet_device *mmnet;
	int ret;

	rtnl_lock();
	mmnet = mmnet_nl_device(info);
	ret = PTR_ERR_OR_ZERO(mmnet);
	if (!ret && info->attrs[MMNET_A_ENABLED])
		mmnet_device_set_enabled(mmnet,
					 nla_get_u8(info->attrs[MMNET_A_ENABLED]));
	rtnl_unlock();
	return ret;
}

static const struct genl_small_ops mmnet_nl_ops[] = {
	{
		.cmd	= MMNET_CMD_GET_DEVICE,
		.doit	= mmnet_nl_get,
		.dumpit	= mmnet_nl_dump,
	},
	{
		.cmd	= MMNET_CMD_ATTACH,
		.doit	= mmnet_nl_attach,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MMNET_CMD_DETACH,
		.doit	= mmnet_nl_detach,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MMNET_CMD_SET_DEVICE,
		.doit	= mmnet_nl_set_device,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family mmnet_family __ro_after_init = {
	.name		= MMNET_GENL_NAME,
	.version	= MMNET_GENL_VERSION,
	.maxattr	= MMNET_A_MAX,
	.policy		= mmnet_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= mmnet_nl_ops,
	.n_small_ops	= ARRAY_SIZE(mmnet_nl_ops),
};

int __init mmnet_netlink_init(void)
{
	return genl_register_family(&mmnet_family);
}

void mmnet_netlink_uninit(void)
{
	genl_unregister_family(&mmnet_family);
}
