// SPDX-License-Identifier: GPL-2.0
#include "nl.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int nl_open(struct nl_sock *s, int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (s->fd < 0)
		return -errno;
	/* Ask for the kernel's explanation of a refusal; older kernels just ignore it. */
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(s->fd);
		return err;
	}
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags)
{
	memset(&m->nlh, 0, NLMSG_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN;
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
}

void *nl_msg_reserve(struct nl_msg *m, size_t len)
{
	char *p = m->buf + m->nlh.nlmsg_len;

	/* Requests are built from fixed, small pieces: overflowing the buffer is a programming error. */
	if (m->nlh.nlmsg_len + NLMSG_ALIGN(len) > sizeof(m->buf)) {
		fprintf(stderr, "netlink request too large\n");
		_exit(2);
	}
	memset(p, 0, NLMSG_ALIGN(len));
	m->nlh.nlmsg_len += NLMSG_ALIGN(len);
	return p;
}

void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = nl_msg_reserve(m, NLA_HDRLEN + len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
}

void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_put(m, type, s, strlen(s) + 1);
}

struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type)
{
	struct nlattr *a = nl_msg_reserve(m, NLA_HDRLEN);

	a->nla_type = type | NLA_F_NESTED;
	return a;
}

void nl_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	nest->nla_len = m->buf + m->nlh.nlmsg_len - (char *)nest;
}

static void save_ext_ack(struct nl_sock *s, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *msg;

	s->err_msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off > nlh->nlmsg_len)
		return;
	nl_parse(tb, NLMSGERR_ATTR_MAX, (const char *)e + off, nlh->nlmsg_len - NLMSG_HDRLEN - off);
	msg = tb[NLMSGERR_ATTR_MSG] ? nl_get_str(tb[NLMSGERR_ATTR_MSG]) : NULL;
	if (msg)
		snprintf(s->err_msg, sizeof(s->err_msg), "%s", msg);
}

/* Handle one datagram of answers.  Returns 1 while more are expected, else 0 or a negative error. */
static int handle_answers(struct nl_sock *s, const char *buf, size_t len, nl_cb cb, void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int err;

	for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_seq != s->seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			save_ext_ack(s, nlh);
			return e->error;
		}
		if (cb) {
			err = cb(nlh, arg);
			if (err < 0)
				return err;
		}
	}
	return 1;
}

int nl_talk(struct nl_sock *s, struct nl_msg *m, nl_cb cb, void *arg)
{
	static char buf[32768];
	ssize_t n;
	int ret;

	m->nlh.nlmsg_seq = ++s->seq;
	s->err_msg[0] = '\0';
	if (send(s->fd, &m->nlh, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	do {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ret = handle_answers(s, buf, n, cb, arg);
	} while (ret > 0);
	return ret;
}

void nl_parse(const struct nlattr **tb, int max, const void *data, size_t len)
{
	const struct nlattr *a = data;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= (size_t)NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

void nl_parse_nested(const struct nlattr **tb, int max, const struct nlattr *nest)
{
	nl_parse(tb, max, nl_data(nest), nl_len(nest));
}

const void *nl_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

size_t nl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

uint8_t nl_get_u8(const struct nlattr *a)
{
	return nl_len(a) >= 1 ? *(const uint8_t *)nl_data(a) : 0;
}

uint32_t nl_get_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (nl_len(a) >= sizeof(v))
		memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

uint64_t nl_get_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (nl_len(a) >= sizeof(v))
		memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

const char *nl_get_str(const struct nlattr *a)
{
	size_t len = nl_len(a);

	return len && ((const char *)nl_data(a))[len - 1] == '\0' ? nl_data(a) : NULL;
}

void genl_msg_init(struct nl_msg *m, uint16_t family, uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct genlmsghdr *g;

	nl_msg_init(m, family, flags);
	g = nl_msg_reserve(m, GENL_HDRLEN);
	g->cmd = cmd;
	g->version = version;
}

const void *genl_attrs(const struct nlmsghdr *nlh, size_t *len)
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

	*len = nlh->nlmsg_len > off ? nlh->nlmsg_len - off : 0;
	return (const char *)nlh + off;
}

static int family_id_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const void *attrs;
	size_t len;

	attrs = genl_attrs(nlh, &len);
	nl_parse(tb, CTRL_ATTR_MAX, attrs, len);
	if (tb[CTRL_ATTR_FAMILY_ID] && nl_len(tb[CTRL_ATTR_FAMILY_ID]) >= 2)
		*(int *)arg = *(const uint16_t *)nl_data(tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

int genl_family_id(struct nl_sock *s, const char *name)
{
	struct nl_msg m;
	int id = -ENOENT, err;

	genl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, name);
	err = nl_talk(s, &m, family_id_cb, &id);
	return err < 0 ? err : id;
}
