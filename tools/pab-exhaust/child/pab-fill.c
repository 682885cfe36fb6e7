// SPDX-License-Identifier: GPL-2.0
/*
 * pab-exhaust's child: raises its oom_score_adj to 1000, then one pinned worker
 * per allowed CPU maps memory in pieces and populates it chunk by chunk,
 * counting each whole chunk in the page it shares with the parent (fd 3), until
 * the OOM killer ends it.
 *
 * C, not .NET: it starts once per iteration, and a .NET start costs seconds
 * under emulation and tens of MiB that would be counted as the kernel's.
 * The protocol is SharedPage.cs; the offsets below are checked on both sides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define SHARED_FD 3
#define MAGIC 0x7061622d65786831ULL /* "pab-exh1" */

enum state { STARTING, READY, FILLING, CAPPED, FAILED };
enum error { E_NONE, E_OOM_SCORE_ADJ, E_MMAP, E_POPULATE, E_SHARED_PAGE, E_PARENT_GONE, E_AFFINITY };

struct shared_page {
	uint64_t magic;
	/* From the parent. */
	int32_t parent_pid, workers;
	int64_t chunk_bytes, mmap_bytes, max_bytes;
	int32_t go, force_touch, huge_pages, pad;
	/* From the child. */
	int32_t state, error, error_errno, used_touch;
	int64_t error_size, filled, claimed, mapped, piece_bytes;
	int64_t ready_ticks, start_ticks, last_ticks, baseline_rss_bytes;
};

/* The same numbers are asserted against SharedPage in ExhaustLogicTests. */
_Static_assert(offsetof(struct shared_page, go) == 40, "SharedPage layout");
_Static_assert(offsetof(struct shared_page, state) == 56, "SharedPage layout");
_Static_assert(offsetof(struct shared_page, filled) == 80, "SharedPage layout");
_Static_assert(offsetof(struct shared_page, baseline_rss_bytes) == 136, "SharedPage layout");
_Static_assert(sizeof(struct shared_page) == 144, "SharedPage layout");

static struct shared_page *page;
static volatile int go_now, stop_now;
static pthread_barrier_t ready_barrier;
static long page_size;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_SEQ_CST)

/* CLOCK_MONOTONIC in ns: what the parent's Stopwatch ticks are on Linux. */
static int64_t ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The first error wins; every worker then stops. */
static void set_error(int error, int err, int64_t size)
{
	int none = E_NONE;

	if (__atomic_compare_exchange_n(&page->error, &none, error, 0,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		page->error_errno = err;
		page->error_size = size;
	}
	stop_now = 1;
}

static int fail(int error, int err, int64_t size)
{
	set_error(error, err, size);
	STORE(page->state, FAILED);
	return 3;
}

static int set_oom_score_adj(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, "1000", 4) != 4)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

static int64_t rss_bytes(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "\nVmRSS:");
	return p ? strtoll(p + 7, NULL, 10) * 1024 : 0;
}

/* Maps the next piece, halving the piece size (not below a chunk) while the kernel refuses. */
static char *map_piece(int64_t chunk, int64_t *length)
{
	for (;;) {
		int64_t piece = LOAD(page->piece_bytes);
		void *p = mmap(NULL, piece, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int64_t smaller;

		if (p != MAP_FAILED) {
			if (page->huge_pages)
				madvise(p, piece, MADV_HUGEPAGE); /* best effort: THP may be off */
			ADD(page->mapped, piece);
			*length = piece;
			return p;
		}
		if (errno != ENOMEM || piece <= chunk) {
			set_error(E_MMAP, errno, piece);
			*length = 0;
			return NULL;
		}
		smaller = piece / 2 / chunk * chunk;
		if (smaller < chunk)
			smaller = chunk;
		__atomic_compare_exchange_n(&page->piece_bytes, &piece, smaller, 0,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

static int populate(char *p, int64_t size)
{
	int64_t off;

	if (!LOAD(page->used_touch) && !page->force_touch) {
		for (;;) {
			if (madvise(p, size, MADV_POPULATE_WRITE) == 0)
				return 1;
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EINVAL) {
				/* Kernel older than 5.14: touch pages from now on. */
				STORE(page->used_touch, 1);
				break;
			}
			if (errno == ENOMEM)
				break; /* fault it in by hand, as any user fault is */
			set_error(E_POPULATE, errno, size);
			return 0;
		}
	}
	for (off = 0; off < size; off += page_size)
		((volatile char *)p)[off] = 1;
	return 1;
}

static void *worker(void *arg)
{
	int cpu = (int)(intptr_t)arg;
	int64_t chunk = page->chunk_bytes, max = page->max_bytes, left = 0;
	char *next = NULL;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (err)
		set_error(E_AFFINITY, err, cpu);
	pthread_barrier_wait(&ready_barrier);
	if (err)
		return NULL;
	while (!go_now)
		sched_yield();

	while (!stop_now) {
		int64_t size = chunk;

		if (max > 0) {
			int64_t end = ADD(page->claimed, chunk);
			int64_t start = end - chunk;

			if (start >= max)
				break;
			if (max - start < size)
				size = max - start;
		}
		if (left < size) {
			next = map_piece(chunk, &left);
			if (!next)
				break;
		}
		if (!populate(next, size))
			break;
		next += size;
		left -= size;
		/* Counted only now that the kernel has given every page of it. */
		ADD(page->filled, size);
		STORE(page->last_ticks, ticks());
	}
	return NULL;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_t *threads;
	int cpus[CPU_SETSIZE], ncpus = 0, i, err;
	cpu_set_t allowed;

	page_size = sysconf(_SC_PAGESIZE);
	page = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, SHARED_FD, 0);
	if (page == MAP_FAILED || page->magic != MAGIC) {
		fputs("pab-fill: internal to pab-exhaust: run pab-exhaust instead\n", stderr);
		return 70;
	}
	/* Never outlive the parent: an orphan would fill memory with nobody counting. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != page->parent_pid)
		return fail(E_PARENT_GONE, 0, 0);
	err = set_oom_score_adj();
	if (err)
		return fail(E_OOM_SCORE_ADJ, err, 0);

	page->piece_bytes = page->mmap_bytes;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return fail(E_AFFINITY, errno, -1);
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &allowed))
			cpus[ncpus++] = i;
	if (ncpus == 0)
		cpus[ncpus++] = 0;
	if (page->workers < 1 || page->workers > 4096)
		return fail(E_SHARED_PAGE, EINVAL, page->workers);

	threads = calloc(page->workers, sizeof(*threads));
	if (!threads)
		return fail(E_MMAP, ENOMEM, 0);
	pthread_barrier_init(&ready_barrier, NULL, page->workers + 1);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < page->workers; i++) {
		err = pthread_create(&threads[i], &attr, worker,
				     (void *)(intptr_t)cpus[i % ncpus]);
		if (err)
			return fail(E_AFFINITY, err, cpus[i % ncpus]);
	}
	pthread_barrier_wait(&ready_barrier);
	if (page->error != E_NONE) {
		STORE(page->state, FAILED);
		return 3;
	}
	page->baseline_rss_bytes = rss_bytes();
	page->ready_ticks = ticks();
	STORE(page->state, READY);

	/* The parent reads what it needs from before the fill, then says go. */
	while (!LOAD(page->go))
		usleep(1000);
	page->start_ticks = page->last_ticks = ticks();
	STORE(page->state, FILLING);
	go_now = 1;

	for (i = 0; i < page->workers; i++)
		pthread_join(threads[i], NULL);
	if (page->error != E_NONE) {
		STORE(page->state, FAILED);
		return 3;
	}
	STORE(page->state, CAPPED);
	return 0;
}
