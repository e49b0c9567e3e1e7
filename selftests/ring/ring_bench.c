// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of kernel/ring.c in userspace: one producer thread, one consumer
 * thread (pinned to CPUs 0 and 1), as the transmit path and NAPI of two
 * endpoints would run them.  The producer copies each frame from a source
 * buffer into its data area (the sender's one copy); the consumer copies it
 * out into a destination buffer (what the receiver does into an skb) and
 * checks its sequence number.
 *
 * Three numbers per frame size, measured in the same run, best of -r runs:
 *   memcpy  one thread copying the same frames into an area of the same size
 *           (the baseline: the ring's throughput is given as a fraction of it)
 *   pipe    two threads moving the frames through the same area with nothing
 *           but a spinning index pair: what the two CPUs can do at all
 *   ring    the ring, with its event indices and backpressure
 *
 * Waiting: by default a thread that finds nothing to do arms the ring and
 * sleeps on a futex, and a notification is a FUTEX_WAKE; with -p it spins,
 * and a notification is only counted.
 *
 * usage: ring_bench [-t SEC] [-r RUNS] [-s SLOTS] [-d DATA_BYTES] [-b BATCH] [-m MIN] [-M MAX] [-p] [-c CPU]
 *   -t  seconds per measurement (default 0.2), -r runs per point (default 3)
 *   -s  ring slots (default 1024), -d data area bytes (default 2 MiB)
 *   -b  frames per push, as with xmit_more (default 1: push every frame)
 *   -m/-M  frame sizes, powers of two from MIN to MAX (default 64..65536)
 *   -p  spin instead of sleeping
 *   -c  share of its CPUs a run's threads must have had to count (default 0.95;
 *       others are retried: on a shared machine a preempted run measures nothing)
 */
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

#include "ring_util.h"

#define BUDGET	64	/* NAPI weight */

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() sched_yield()
#endif

static double run_time = 0.2;
static int runs = 3;
/* A measurement counts only if its threads had their CPUs this much of the time. */
static double min_cpu = 0.95;
#define MAX_TRIES 20
static bool spin;
static u32 slots = 1024, data_size = 2 << 20, batch = 1;

static void notify(struct evtchn *ev)
{
	if (spin)
		__atomic_fetch_add(&ev->seq, 1, __ATOMIC_SEQ_CST);
	else
		evt_notify(ev);
}

static void wait_event(struct evtchn *ev, u32 seen)
{
	double end;

	if (!spin) {
		evt_wait(ev, seen, 1000);
		return;
	}
	end = now_s() + 1;
	while (evt_seen(ev) == seen && now_s() < end)
		cpu_relax();
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

struct bench {
	struct endpoint a, b;		/* a -> b */
	struct evtchn frames_ev;	/* b's: frames to take */
	struct evtchn room_ev;		/* a's: room to send */
	u32 len;
	u64 sent;			/* set by the producer when it stops */
	bool stop;
	u64 received, bad;
	double t_end;
	u8 *src, *dst;
	/* the raw pipe */
	u8 *area;
	u32 pipe_slots;
	u64 pipe_prod __attribute__((aligned(64)));
	u64 pipe_cons __attribute__((aligned(64)));
};

static int tx_frame(struct bench *bn, struct mmnet_ring *r, u64 seq)
{
	struct mmnet_frame f = { .len = bn->len };
	void *p;
	int ret;

	while ((ret = mmnet_ring_tx_alloc(r, &f, &p)) == -ENOSPC) {
		u32 seen;

		if (mmnet_ring_tx_push(r))
			notify(&bn->frames_ev);
		seen = evt_seen(&bn->room_ev);
		ret = mmnet_ring_tx_arm(r, bn->len);
		if (ret < 0)
			return ret;
		if (!ret)
			wait_event(&bn->room_ev, seen);
	}
	if (ret)
		return ret;
	memcpy(p, bn->src, bn->len);
	memcpy(p, &seq, sizeof(seq));
	return 0;
}

static void *producer(void *arg)
{
	struct bench *bn = arg;
	struct mmnet_ring *r = bn->a.r;
	double end = now_s() + run_time;
	u64 seq;

	pin(0);
	for (seq = 0;; seq++) {
		if ((seq & 255) == 0 && now_s() >= end)
			break;
		if (tx_frame(bn, r, seq)) {
			fprintf(stderr, "ring_bench: tx error %u\n", mmnet_ring_error(r));
			break;
		}
		if ((seq + 1) % batch == 0 && mmnet_ring_tx_push(r))
			notify(&bn->frames_ev);
	}
	if (mmnet_ring_tx_push(r))
		notify(&bn->frames_ev);
	__atomic_store_n(&bn->sent, seq, __ATOMIC_SEQ_CST);
	__atomic_store_n(&bn->stop, true, __ATOMIC_SEQ_CST);
	notify(&bn->frames_ev);
	return NULL;
}

/* One NAPI poll: up to BUDGET frames; the number taken, or -1 on error. */
static int poll_once(struct bench *bn, struct mmnet_ring *r)
{
	struct mmnet_frame f;
	int n = 0, ret = 0;
	u64 seq;

	while (n < BUDGET && (ret = mmnet_ring_rx_next(r, &f)) == 1) {
		memcpy(bn->dst, f.data, f.len);
		memcpy(&seq, bn->dst, sizeof(seq));
		if (seq != bn->received || f.len != bn->len)
			bn->bad++;
		bn->received++;
		n++;
	}
	if (mmnet_ring_rx_publish(r))
		notify(&bn->room_ev);
	return ret < 0 ? -1 : n;
}

static void *consumer(void *arg)
{
	struct bench *bn = arg;
	struct mmnet_ring *r = bn->b.r;

	pin(1);
	for (;;) {
		u32 seen = evt_seen(&bn->frames_ev);
		int n = poll_once(bn, r);

		if (n < 0)
			break;
		if (n == BUDGET)
			continue;
		if (mmnet_ring_rx_arm(r))
			continue;
		if (__atomic_load_n(&bn->stop, __ATOMIC_SEQ_CST) &&
		    bn->received == __atomic_load_n(&bn->sent, __ATOMIC_SEQ_CST))
			break;
		wait_event(&bn->frames_ev, seen);
	}
	bn->t_end = now_s();
	return NULL;
}

/* The raw pipe: frames at fixed places, one index each way, spinning. */
static u8 *pipe_slot(struct bench *bn, u64 i)
{
	return bn->area + (i % bn->pipe_slots) * ALIGN(bn->len, MMNET_DATA_ALIGN);
}

static void *pipe_producer(void *arg)
{
	struct bench *bn = arg;
	double end = now_s() + run_time;
	u64 p;

	pin(0);
	for (p = 0; (p & 255) || now_s() < end; p++) {
		while (p - __atomic_load_n(&bn->pipe_cons, __ATOMIC_ACQUIRE) >= bn->pipe_slots)
			cpu_relax();
		memcpy(pipe_slot(bn, p), bn->src, bn->len);
		__atomic_store_n(&bn->pipe_prod, p + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&bn->stop, true, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *pipe_consumer(void *arg)
{
	struct bench *bn = arg;
	u64 c = 0;

	pin(1);
	for (;;) {
		bool stop = __atomic_load_n(&bn->stop, __ATOMIC_SEQ_CST);

		if (c == __atomic_load_n(&bn->pipe_prod, __ATOMIC_ACQUIRE)) {
			if (stop)
				break;
			cpu_relax();
			continue;
		}
		memcpy(bn->dst, pipe_slot(bn, c), bn->len);
		__atomic_store_n(&bn->pipe_cons, ++c, __ATOMIC_RELEASE);
	}
	bn->received = c;
	bn->t_end = now_s();
	return NULL;
}

/* One copy per frame into an area like the data area: bytes per second. */
static double bench_memcpy(u32 len, u8 *src, u8 *area, double *cpu)
{
	double t0 = now_s(), c0 = cpu_s(), t;
	u64 frames = 0;
	u32 pos = 0;

	pin(0);
	do {
		int i;

		for (i = 0; i < 256; i++, frames++) {
			if (pos + len > data_size)
				pos = 0;
			memcpy(area + pos, src, len);
			pos = ALIGN(pos + len, MMNET_DATA_ALIGN);
		}
		__asm__ __volatile__("" : : "r"(area) : "memory");
		t = now_s();
	} while (t - t0 < run_time);
	*cpu = (cpu_s() - c0) / (t - t0);
	return frames * (double)len / (t - t0);
}

struct result {
	double bps, mpps, cpu;
	struct mmnet_ring_stats s;	/* the producer's */
	u64 room_notify;		/* sent by the consumer */
	u64 bad;
};

static struct bench *bench_new(u32 len, u8 *src, u8 *dst, u8 *area)
{
	struct bench *bn = xalloc(64, sizeof(*bn));

	memset(bn, 0, sizeof(*bn));
	bn->len = len;
	bn->src = src;
	bn->dst = dst;
	bn->area = area;
	bn->pipe_slots = data_size / ALIGN(len, MMNET_DATA_ALIGN);
	if (bn->pipe_slots > slots)
		bn->pipe_slots = slots;
	return bn;
}

static struct result bench_run(struct bench *bn, void *(*prod)(void *), void *(*cons)(void *))
{
	struct result res = { 0 };
	pthread_t tp, tc;
	double t0, c0;

	c0 = cpu_s();
	t0 = now_s();
	pthread_create(&tc, NULL, cons, bn);
	pthread_create(&tp, NULL, prod, bn);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	res.bps = bn->received * (double)bn->len / (bn->t_end - t0);
	res.mpps = bn->received / (bn->t_end - t0) / 1e6;
	res.cpu = (cpu_s() - c0) / (bn->t_end - t0);
	return res;
}

static struct result bench_pipe(u32 len, u8 *src, u8 *dst, u8 *area)
{
	struct bench *bn = bench_new(len, src, dst, area);
	struct result res = bench_run(bn, pipe_producer, pipe_consumer);

	free(bn);
	return res;
}

static struct result bench_ring(u32 len, u8 *src, u8 *dst)
{
	struct bench *bn = bench_new(len, src, dst, NULL);
	struct result res;

	if (ep_create(&bn->a, slots, data_size, 0) || ep_create(&bn->b, slots, data_size, 0) ||
	    ep_connect(&bn->a, &bn->b)) {
		fprintf(stderr, "ring_bench: bad geometry\n");
		exit(2);
	}
	res = bench_run(bn, producer, consumer);
	mmnet_ring_stats(bn->b.r, &res.s);
	res.room_notify = res.s.rx_notify;
	mmnet_ring_stats(bn->a.r, &res.s);
	res.bad = bn->bad + (bn->received != bn->sent);
	ep_destroy(&bn->a);
	ep_destroy(&bn->b);
	free(bn);
	return res;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-t SEC] [-r RUNS] [-s SLOTS] [-d DATA] [-b BATCH] [-m MIN] [-M MAX] [-p] [-c CPU]\n",
		prog);
	exit(2);
}

static void options(int argc, char **argv, u32 *min, u32 *max)
{
	int opt;

	while ((opt = getopt(argc, argv, "t:r:s:d:b:m:M:pc:")) != -1) {
		switch (opt) {
		case 't': run_time = atof(optarg); break;
		case 'r': runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 's': slots = atoi(optarg); break;
		case 'd': data_size = atoi(optarg); break;
		case 'b': batch = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'm': *min = atoi(optarg); break;
		case 'M': *max = atoi(optarg); break;
		case 'p': spin = true; break;
		case 'c': min_cpu = atof(optarg); break;
		default: usage(argv[0]);
		}
	}
}

int main(int argc, char **argv)
{
	u32 min = 64, max = 65536, len;
	u8 *src, *dst, *area;
	double ratio64k = 0;
	int bad = 0;

	options(argc, argv, &min, &max);
	src = xalloc(4096, MMNET_FRAME_MAX);
	dst = xalloc(4096, MMNET_FRAME_MAX);
	area = xalloc(4096, data_size);
	memset(src, 0x5a, MMNET_FRAME_MAX);
	memset(dst, 0, MMNET_FRAME_MAX);
	memset(area, 0, data_size);

	printf("# mmnet ring benchmark: %u slots, %u KiB data area, push every %u frame(s), waits %s, "
	       "%.2f s per measurement, best of %d, %ld CPUs\n",
	       slots, data_size >> 10, batch, spin ? "spin" : "sleep (futex)", run_time, runs,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("# %6s %9s %9s %9s %7s %7s %7s %9s %9s %6s %6s %5s %5s\n", "frame", "memcpy", "pipe", "ring",
	       "ring/mc", "ring/pp", "Mpps", "notify/f", "suppr/f", "full", "room-n", "cpu", "tries");
	for (len = min; len <= max && len; len *= 2) {
		double mc = 0, pp = 0;
		struct result best = { 0 };
		int i, tries = 0;

		/* Best of @runs undisturbed runs; a run whose threads lost their CPU is retried. */
		for (i = 0; i < runs && tries < MAX_TRIES; tries++) {
			struct result p, r;
			double mcpu, m = bench_memcpy(len, src, area, &mcpu);

			p = bench_pipe(len, src, dst, area);
			r = bench_ring(len, src, dst);
			bad += r.bad != 0;
			if (mcpu < min_cpu || p.cpu < 2 * min_cpu || (spin && r.cpu < 2 * min_cpu))
				continue;
			i++;
			mc = m > mc ? m : mc;
			pp = p.bps > pp ? p.bps : pp;
			if (r.bps > best.bps)
				best = r;
		}
		if (i < runs) {
			printf("  %6u  (CPUs never free enough in %d tries: %d undisturbed runs)\n",
			       len, tries, i);
			if (!i)
				continue;
		}
		printf("  %6u %6.2fGB/s %6.2fGB/s %6.2fGB/s %6.1f%% %6.1f%% %7.3f %9.4f %9.4f %6llu %6llu %5.2f %5d\n",
		       len, mc / 1e9, pp / 1e9, best.bps / 1e9, 100 * best.bps / mc, 100 * best.bps / pp,
		       best.mpps, (double)best.s.tx_notify / best.s.tx_frames,
		       (double)best.s.tx_notify_suppressed / best.s.tx_frames,
		       (unsigned long long)best.s.tx_full, (unsigned long long)best.room_notify, best.cpu,
		       tries);
		fflush(stdout);
		if (len == 65536)
			ratio64k = best.bps / mc;
	}
	if (ratio64k)
		printf("# 64 KiB: ring at %.0f%% of memcpy (target >= 50%%): %s\n", 100 * ratio64k,
		       ratio64k >= 0.5 ? "met" : "NOT met");
	if (bad)
		printf("# ERROR: frames lost or out of order in %d run(s)\n", bad);
	return bad ? 1 : 0;
}
