// SPDX-License-Identifier: GPL-2.0
/*
 * sendframe IFACE HEX...: send each HEX argument, a whole Ethernet frame
 * spelt in hex digits (spaces and colons between bytes allowed), as it is
 * through IFACE with an AF_PACKET socket.  For the selftests that play a
 * hostile peer: a guest can put any frame into its mmnet device this way,
 * and the receive side must tell what is not the sender's.
 *
 * Exit status: 0 when every frame was sent, 1 on an error, 2 on a command
 * line error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_MAX	1514

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes of @hex into @out; their number, or -1 if it is not hex. */
static int parse_hex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi, lo;

	while (*hex) {
		if (*hex == ' ' || *hex == ':') {
			hex++;
			continue;
		}
		hi = hexval(hex[0]);
		lo = hi < 0 ? -1 : hexval(hex[1]);
		if (lo < 0 || n == max)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		hex += 2;
	}
	return (int)n;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	unsigned char frame[FRAME_MAX];
	int fd, i, len;

	if (argc < 3 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 3 ? stderr : stdout, "Usage: sendframe IFACE HEX...\n"
			"Send each HEX, a whole Ethernet frame in hex, through IFACE as it is.\n");
		return argc < 3 ? 2 : 0;
	}
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "sendframe: no interface \"%s\"\n", argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "sendframe: socket: %s\n", strerror(errno));
		return 1;
	}
	for (i = 2; i < argc; i++) {
		len = parse_hex(argv[i], frame, sizeof(frame));
		if (len < ETH_HLEN) {
			fprintf(stderr, "sendframe: \"%s\" is not a frame in hex (14 to %d bytes)\n", argv[i],
				FRAME_MAX);
			return 2;
		}
		memcpy(sll.sll_addr, frame, ETH_ALEN);
		sll.sll_protocol = (unsigned short)(frame[12] << 8 | frame[13]);
		sll.sll_protocol = htons(sll.sll_protocol);
		if (sendto(fd, frame, (size_t)len, 0, (struct sockaddr *)&sll, sizeof(sll)) != len) {
			fprintf(stderr, "sendframe: sending frame %d through %s: %s\n", i - 1, argv[1],
				strerror(errno));
			return 1;
		}
	}
	close(fd);
	return 0;
}
