/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small netlink client: build a request, send it, walk the answers (dumps included), report errors with the
 * kernel's extended-ACK message.  Enough for rtnetlink and generic netlink; no dependency beyond libc.
 */
#ifndef MMNET_TOOLS_NL_H
#define MMNET_TOOLS_NL_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

struct nl_sock {
	int fd;
	uint32_t seq;
	char err_msg[256];	/* the kernel's extended ACK message for the last error, if any */
};

struct nl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[4096];
	};
};

typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *arg);

int nl_open(struct nl_sock *s, int protocol);
void nl_close(struct nl_sock *s);

void nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags);
void *nl_msg_reserve(struct nl_msg *m, size_t len);	/* fixed header after nlmsghdr, zeroed */
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s);
struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct nlattr *nest);

/* Send @m and call @cb (may be NULL) for each answer.  Returns 0, a negative errno, or @cb's negative value. */
int nl_talk(struct nl_sock *s, struct nl_msg *m, nl_cb cb, void *arg);

/* Index the attributes in [data, data + len) by type into tb[0..max]; later duplicates win. */
void nl_parse(const struct nlattr **tb, int max, const void *data, size_t len);
void nl_parse_nested(const struct nlattr **tb, int max, const struct nlattr *nest);
const void *nl_data(const struct nlattr *a);
size_t nl_len(const struct nlattr *a);
uint8_t nl_get_u8(const struct nlattr *a);
uint32_t nl_get_u32(const struct nlattr *a);
uint64_t nl_get_u64(const struct nlattr *a);
const char *nl_get_str(const struct nlattr *a);	/* NULL unless NUL-terminated */

/* Iterate over the attributes nested in @nest. */
#define nl_for_each_nested(pos, nest)							\
	for (const struct nlattr *pos = nl_data(nest);					\
	     (const char *)pos + NLA_HDRLEN <= (const char *)nl_data(nest) + nl_len(nest) && \
	     pos->nla_len >= NLA_HDRLEN &&							\
	     (const char *)pos + pos->nla_len <= (const char *)nl_data(nest) + nl_len(nest); \
	     pos = (const struct nlattr *)((const char *)pos + NLA_ALIGN(pos->nla_len)))

/* Generic netlink: the id of family @name, or a negative errno (-ENOENT: no such family). */
int genl_family_id(struct nl_sock *s, const char *name);
void genl_msg_init(struct nl_msg *m, uint16_t family, uint8_t cmd, uint8_t version, uint16_t flags);
/* Where a generic netlink message's attributes start, and how long they are. */
const void *genl_attrs(const struct nlmsghdr *nlh, size_t *len);

#endif /* MMNET_TOOLS_NL_H */
