// SPDX-License-Identifier: GPL-2.0
/*
 * mmperf: a small netperf-like load generator for `make bench`.
 *
 *   mmperf -s [-p PORT]                         serve tests, one at a time
 *   mmperf -c HOST -t TEST -m SIZE [-l SEC] [-p PORT]
 *   mmperf -t memcpy -m SIZE [-l SEC]           the copy ceiling of this CPU
 *
 * TEST is tcp_stream, udp_stream or tcp_rr.  A test opens a TCP control
 * connection and sends a hello (test, size); the server answers with a
 * result once the client says the test is over.  Throughput is what the
 * receiver got over its own time, from the first byte it got to the last
 * (so bytes still in flight when the sender stops count with the time they
 * took); request/response is a request of
 * SIZE bytes answered by SIZE bytes, one at a time, timed one by one.
 *
 * A stream reads no clock per message: an interval timer ends the sender's
 * loop, and the receiver reads the clock at its first byte, once per batch
 * of datagrams, and at the end of the stream.  A clock read is a system call
 * in some guests (a Xen PV guest without a vDSO clock) and would cost a
 * faster path a larger share of its time than a slower one.
 *
 * The result is one line of key=value words on stdout, for scripts:
 *   tcp_stream, udp_stream: secs rx_secs bytes mbit_s [sent_msgs recv_msgs]
 *                           tcp_stream also, from the sender's TCP_INFO:
 *                           busy_pct, the share of the time TCP had data to
 *                           send (the rest the application was the limit),
 *                           and what held that data back, as shares of the
 *                           busy time: rwnd_pct (the receiver's window was
 *                           full), sndbuf_pct (the send buffer was); and
 *                           unsent_kib, the data the socket held not yet
 *                           sent, in KiB, the mean of a look every 256 KiB
 *                           written: how far the writer ran ahead of the
 *                           path (near 0: the path keeps up, the writer is
 *                           the limit)
 *   tcp_rr:                 secs trans trans_s rtt_us rtt_p99_us
 *   memcpy:                 secs bytes mbyte_s
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MMPERF_MAGIC	0x6d6d7066u	/* "mmpf" */
#define MMPERF_MAX	(1u << 20)	/* largest message */
#define UDP_MAX		65507u		/* largest UDP payload over IPv4 */
#define UDP_QUIET_MS	300		/* the server stops draining after this */

enum test { T_TCP_STREAM = 1, T_UDP_STREAM, T_TCP_RR, T_MEMCPY };

static const char *const test_names[] = {
	[T_TCP_STREAM] = "tcp_stream",
	[T_UDP_STREAM] = "udp_stream",
	[T_TCP_RR] = "tcp_rr",
	[T_MEMCPY] = "memcpy",
};

/* The control connection's messages, in network byte order. */
struct hello {
	uint32_t magic;
	uint32_t test;
	uint32_t size;
};

struct result {
	uint64_t bytes;		/* received */
	uint64_t msgs;		/* received (udp_stream) */
	uint64_t ns;		/* from the first byte received to the last */
};

static const char *prog = "mmperf";

/* Set by SIGALRM: the test's time is up. */
static volatile sig_atomic_t time_up;
/* How often a TCP stream's sender looks at its socket: bytes written. */
#define SAMPLE_BYTES (256 << 10)

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
		"Usage: mmperf -s [-p PORT]\n"
		"       mmperf -c HOST -t TEST -m SIZE [-l SECONDS] [-p PORT]\n"
		"       mmperf -t memcpy -m SIZE [-l SECONDS]\n"
		"TEST := { tcp_stream | udp_stream | tcp_rr }\n"
		"  -s          serve tests, one at a time, on TCP and UDP PORT\n"
		"  -c HOST     run TEST against the server on HOST\n"
		"  -m SIZE     bytes per write (stream) or per request and reply (tcp_rr),\n"
		"              1 to %u (udp_stream: at most %u)\n"
		"  -l SECONDS  how long the test runs (default 3)\n"
		"  -p PORT     the server's port (default 12865)\n"
		"Prints one line of key=value results on stdout.\n",
		MMPERF_MAX, UDP_MAX);
	exit(status);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_alarm(int sig)
{
	(void)sig;
	time_up = 1;
}

/* Set time_up in @secs seconds. */
static void start_timer(double secs)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = {
		.it_value.tv_sec = (time_t)secs,
		.it_value.tv_usec = (suseconds_t)((secs - (time_t)secs) * 1e6),
	};

	time_up = 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		die("timer: %s", strerror(errno));
}

/* Read or write exactly @len bytes; false on EOF or error. */
static bool xfer_all(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = out ? write(fd, p, len) : read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
	return xfer_all(fd, buf, len, false);
}

static bool write_all(int fd, const void *buf, size_t len)
{
	return xfer_all(fd, (void *)buf, len, true);
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static enum test parse_test(const char *s)
{
	unsigned int i;

	for (i = 1; i < sizeof(test_names) / sizeof(test_names[0]); i++)
		if (!strcmp(s, test_names[i]))
			return i;
	die("test \"%s\" is unknown, try \"mmperf -h\"", s);
}

static unsigned long parse_num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max)
		die("%s \"%s\" is not a number from 1 to %lu", what, s, max);
	return v;
}

/* ---- server ---- */

static int listen_on(int type, unsigned int port)
{
	struct sockaddr_in6 a = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int fd = socket(AF_INET6, type, 0), one = 1, zero = 0;
	int rcvbuf = 4 << 20;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (type == SOCK_DGRAM)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind to port %u: %s", port, strerror(errno));
	if (type == SOCK_STREAM && listen(fd, 4))
		die("listen: %s", strerror(errno));
	return fd;
}

/*
 * Count what arrives on @fd until EOF, which the client sends right behind
 * its last byte: the time of the EOF is that of the last byte.
 */
static void serve_tcp_stream(int fd, char *buf, struct result *r)
{
	double first = 0;
	ssize_t n;

	while ((n = read(fd, buf, MMPERF_MAX)) > 0 || (n < 0 && errno == EINTR)) {
		if (n <= 0)
			continue;
		if (!r->bytes)
			first = now();
		r->bytes += n;
	}
	if (r->bytes)
		r->ns = (now() - first) * 1e9;
}

/* Answer each request of @size bytes with as many. */
static void serve_tcp_rr(int fd, char *buf, uint32_t size)
{
	nodelay(fd);
	while (read_all(fd, buf, size) && write_all(fd, buf, size))
		;
}

/*
 * Count datagrams until the client closes the control connection, then
 * drain what is still queued (quiet for UDP_QUIET_MS).
 */
static void serve_udp_stream(int ctl, int udp, char *buf, struct result *r)
{
	struct pollfd p[2] = { { .fd = udp, .events = POLLIN },
			       { .fd = ctl, .events = POLLIN } };
	double first = 0, last = 0;
	uint64_t before;
	bool over = false;
	ssize_t n;
	char c;

	while (recv(udp, buf, MMPERF_MAX, MSG_DONTWAIT) > 0)
		;	/* stale datagrams of an earlier test */
	if (!write_all(ctl, "r", 1))	/* ready */
		return;
	for (;;) {
		if (poll(p, over ? 1 : 2, over ? UDP_QUIET_MS : -1) <= 0)
			break;
		if (!over && (p[1].revents & (POLLIN | POLLHUP)) &&
		    read(ctl, &c, 1) <= 0)
			over = true;
		before = r->msgs;
		while ((n = recv(udp, buf, MMPERF_MAX, MSG_DONTWAIT)) > 0) {
			if (!r->msgs)
				first = now();
			r->bytes += n;
			r->msgs++;
		}
		if (r->msgs != before)
			last = now();
	}
	r->ns = (last - first) * 1e9;
}

static void serve_one(int fd, int udp, char *buf)
{
	struct result r = {};
	struct hello h;
	uint64_t out[3];

	if (!read_all(fd, &h, sizeof(h)) || ntohl(h.magic) != MMPERF_MAGIC ||
	    ntohl(h.size) < 1 || ntohl(h.size) > MMPERF_MAX)
		return;
	switch (ntohl(h.test)) {
	case T_TCP_STREAM:
		serve_tcp_stream(fd, buf, &r);
		break;
	case T_UDP_STREAM:
		serve_udp_stream(fd, udp, buf, &r);
		break;
	case T_TCP_RR:
		serve_tcp_rr(fd, buf, ntohl(h.size));
		return;
	default:
		return;
	}
	out[0] = htobe64(r.bytes);
	out[1] = htobe64(r.msgs);
	out[2] = htobe64(r.ns);
	write_all(fd, out, sizeof(out));
}

static void server(unsigned int port)
{
	int lfd = listen_on(SOCK_STREAM, port), udp = listen_on(SOCK_DGRAM, port);
	char *buf = malloc(MMPERF_MAX);
	int fd;

	if (!buf)
		die("out of memory");
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept: %s", strerror(errno));
		}
		serve_one(fd, udp, buf);
		close(fd);
	}
}

/* ---- client ---- */

static int connect_to(const char *host, unsigned int port, int type,
		      struct sockaddr_storage *addr, socklen_t *alen)
{
	struct addrinfo hints = { .ai_socktype = type }, *ai;
	char service[8];
	int fd, err;

	snprintf(service, sizeof(service), "%u", port);
	err = getaddrinfo(host, service, &hints, &ai);
	if (err)
		die("%s: %s", host, gai_strerror(err));
	fd = socket(ai->ai_family, type, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen))
		die("connect to %s port %u: %s", host, port, strerror(errno));
	if (addr) {
		memcpy(addr, ai->ai_addr, ai->ai_addrlen);
		*alen = ai->ai_addrlen;
	}
	freeaddrinfo(ai);
	return fd;
}

static void send_hello(int ctl, enum test t, uint32_t size)
{
	struct hello h = { htonl(MMPERF_MAGIC), htonl(t), htonl(size) };

	if (!write_all(ctl, &h, sizeof(h)))
		die("the server closed the connection");
}

static struct result get_result(int ctl)
{
	uint64_t in[3];

	if (!read_all(ctl, in, sizeof(in)))
		die("the server sent no result");
	return (struct result){ be64toh(in[0]), be64toh(in[1]), be64toh(in[2]) };
}

/* The rate is the receiver's: what it got over the time it took. */
static void print_stream(const char *test, uint32_t size, double secs,
			 struct result r, uint64_t sent)
{
	double rx_secs = r.ns / 1e9;

	if (!r.bytes || rx_secs <= 0)
		die("%s: the receiver got nothing", test);
	printf("test=%s size=%u secs=%.3f rx_secs=%.3f bytes=%llu mbit_s=%.2f",
	       test, size, secs, rx_secs, (unsigned long long)r.bytes,
	       r.bytes * 8 / rx_secs / 1e6);
	if (sent)
		printf(" sent_msgs=%llu recv_msgs=%llu",
		       (unsigned long long)sent, (unsigned long long)r.msgs);
}

static void tcp_info_of(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len))
		die("TCP_INFO: %s", strerror(errno));
}

static void client_tcp_stream(const char *host, unsigned int port,
			      uint32_t size, double secs, char *buf)
{
	int fd = connect_to(host, port, SOCK_STREAM, NULL, NULL);
	double t0, sent_secs, busy, unsent = 0;
	uint64_t since = 0, samples = 0;
	struct tcp_info ti = {};

	send_hello(fd, T_TCP_STREAM, size);
	t0 = now();
	start_timer(secs);
	do {
		if (!write_all(fd, buf, size))
			die("write: %s", strerror(errno));
		/* A look between writes, by bytes: no clock, no extra timer. */
		since += size;
		if (since >= SAMPLE_BYTES) {
			since = 0;
			tcp_info_of(fd, &ti);
			unsent += ti.tcpi_notsent_bytes;
			samples++;
		}
	} while (!time_up);
	sent_secs = now() - t0;
	tcp_info_of(fd, &ti);
	/* Less than SAMPLE_BYTES written: the look after the last write. */
	if (!samples) {
		unsent = ti.tcpi_notsent_bytes;
		samples = 1;
	}
	shutdown(fd, SHUT_WR);
	print_stream("tcp_stream", size, sent_secs, get_result(fd), 0);
	busy = ti.tcpi_busy_time ? ti.tcpi_busy_time : 1;
	printf(" busy_pct=%.1f rwnd_pct=%.1f sndbuf_pct=%.1f",
	       ti.tcpi_busy_time / sent_secs / 1e4,
	       100.0 * ti.tcpi_rwnd_limited / busy,
	       100.0 * ti.tcpi_sndbuf_limited / busy);
	printf(" unsent_kib=%.1f\n", unsent / samples / 1024);
	close(fd);
}

static void client_udp_stream(const char *host, unsigned int port,
			      uint32_t size, double secs, char *buf)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int ctl = connect_to(host, port, SOCK_STREAM, &a, &alen);
	int udp = socket(a.ss_family, SOCK_DGRAM, 0);
	uint64_t sent = 0;
	double t0, sent_secs;
	char c;

	if (size > UDP_MAX)
		die("udp_stream sizes go up to %u", UDP_MAX);
	if (udp < 0 || connect(udp, (struct sockaddr *)&a, alen))
		die("udp socket: %s", strerror(errno));
	send_hello(ctl, T_UDP_STREAM, size);
	if (!read_all(ctl, &c, 1))
		die("the server did not get ready");
	t0 = now();
	start_timer(secs);
	do {
		/* A full queue (ENOBUFS) or an ICMP error: go on, it is loss. */
		if (send(udp, buf, size, 0) == (ssize_t)size)
			sent++;
	} while (!time_up);
	sent_secs = now() - t0;
	shutdown(ctl, SHUT_WR);
	print_stream("udp_stream", size, sent_secs, get_result(ctl), sent);
	putchar('\n');
	close(udp);
	close(ctl);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void client_tcp_rr(const char *host, unsigned int port, uint32_t size,
			  double secs, char *buf)
{
	int fd = connect_to(host, port, SOCK_STREAM, NULL, NULL);
	size_t n = 0, cap = 1 << 16;
	double *rtt = malloc(cap * sizeof(*rtt));
	double t0, end, t, sum = 0;

	if (!rtt)
		die("out of memory");
	nodelay(fd);
	send_hello(fd, T_TCP_RR, size);
	t0 = t = now();
	end = t0 + secs;
	while (t < end) {
		double start = t;

		if (!write_all(fd, buf, size) || !read_all(fd, buf, size))
			die("the server stopped answering");
		t = now();
		if (n == cap) {
			cap *= 2;
			rtt = realloc(rtt, cap * sizeof(*rtt));
			if (!rtt)
				die("out of memory");
		}
		rtt[n++] = t - start;
		sum += t - start;
	}
	close(fd);
	qsort(rtt, n, sizeof(*rtt), cmp_double);
	printf("test=tcp_rr size=%u secs=%.3f trans=%zu trans_s=%.1f rtt_us=%.1f rtt_p99_us=%.1f\n",
	       size, t - t0, n, n / (t - t0), sum / n * 1e6,
	       rtt[(size_t)(0.99 * (n - 1))] * 1e6);
	free(rtt);
}

/*
 * Copies of @size bytes through 16 MiB, more than any cache here, the
 * way a stream's bytes pass through memory.
 */
static void run_memcpy(uint32_t size, double secs)
{
	const size_t area = 16u << 20;
	char *src = malloc(area), *dst = malloc(area);
	uint64_t bytes = 0;
	size_t off = 0;
	double t0, end, t;

	if (!src || !dst)
		die("out of memory");
	memset(src, 0x5a, area);
	memset(dst, 0xa5, area);
	t0 = now();
	end = t0 + secs;
	do {
		for (int i = 0; i < 64; i++) {
			if (off + size > area)
				off = 0;
			memcpy(dst + off, src + off, size);
			off += size;
			bytes += size;
		}
	} while ((t = now()) < end);
	printf("test=memcpy size=%u secs=%.3f bytes=%llu mbyte_s=%.1f\n", size,
	       t - t0, (unsigned long long)bytes, bytes / (t - t0) / 1e6);
	free(src);
	free(dst);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *host = NULL;
	enum test test = 0;
	unsigned long size = 0, port = 12865;
	double secs = 3;
	bool serve = false;
	char *buf;
	int c;

	while ((c = getopt_long(argc, argv, "sc:t:m:l:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			serve = true;
			break;
		case 'c':
			host = optarg;
			break;
		case 't':
			test = parse_test(optarg);
			break;
		case 'm':
			size = parse_num(optarg, "size", MMPERF_MAX);
			break;
		case 'l':
			secs = parse_num(optarg, "seconds", 3600);
			break;
		case 'p':
			port = parse_num(optarg, "port", 65535);
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind < argc)
		die("unknown argument \"%s\", try \"mmperf -h\"", argv[optind]);
	if (serve) {
		if (host || test)
			die("-s takes no test, try \"mmperf -h\"");
		server(port);
	}
	if (!test || !size)
		die("a test needs -t and -m, try \"mmperf -h\"");
	if (test == T_MEMCPY) {
		run_memcpy(size, secs);
		return 0;
	}
	if (!host)
		die("%s needs -c HOST, try \"mmperf -h\"", test_names[test]);
	buf = calloc(1, MMPERF_MAX);
	if (!buf)
		die("out of memory");
	if (test == T_TCP_STREAM)
		client_tcp_stream(host, port, size, secs, buf);
	else if (test == T_UDP_STREAM)
		client_udp_stream(host, port, size, secs, buf);
	else
		client_tcp_rr(host, port, size, secs, buf);
	free(buf);
	return 0;
}
