// SPDX-License-Identifier: GPL-2.0
/*
 * pab-abi-check: exercises every page_alloc_bench ioctl against the loaded
 * module, including the error paths, and checks the kernel log stays clean.
 *
 *   pab-abi-check [--module PATH.ko]
 *
 * With --module the module is (re)loaded from PATH first, and the unload
 * tests (rmmod with a file still open, MemFree back afterwards) run too.
 * Must run as root inside a throwaway VM. Prints TAP (tap.h): one test point
 * per group of checks, each failed check as a "# FAIL" line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "page_alloc_bench.h"
#include "tap.h"

#define PROC_PATH	"/proc/" PAB_PROC_NAME
#define KADDR		((void *)0xffffffff81000000UL)
/* Probe attempts per test call: more than one of the module's chunks. */
#define PAB_CHUNK_TEST	40

/* Test points main() runs; the unload one is skipped without --module. */
#define TESTS		19

static int passed, failed;	/* checks, over all test points */

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("# FAIL %s:%d: %s: ", __func__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		putchar('\n');						\
	}								\
} while (0)

/* One test point: ok when none of the checks call makes fails. */
#define TEST(desc, call) do {						\
	int failed_before = failed;					\
									\
	call;								\
	tap_result(failed == failed_before, desc);			\
} while (0)

/* ioctl returning -errno, 0 on success. */
static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static int open_pab(void)
{
	int fd = open(PROC_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		tap_bail(PROC_PATH ": %s", strerror(errno));
	return fd;
}

static struct pab_info info_of(int fd)
{
	struct pab_info info;

	memset(&info, 0xa5, sizeof(info));
	if (xioctl(fd, PAB_IOCTL_INFO, &info))
		tap_bail("INFO: %s", strerror(errno));
	return info;
}

static int alloc1(int fd, int order, struct pab_alloc_page *r)
{
	memset(r, 0, sizeof(*r));
	r->args.order = order;
	return xioctl(fd, PAB_IOCTL_ALLOC_PAGE, r);
}

static int free1(int fd, __u64 id)
{
	struct pab_free_page f = { .args.id = id };

	return xioctl(fd, PAB_IOCTL_FREE_PAGE, &f);
}

static int batch(int fd, unsigned long cmd, struct pab_batch_entry *e,
		 __u32 count, int order, __u32 *done)
{
	struct pab_batch b = {
		.entries = (uintptr_t)e, .count = count, .order = order,
		.done = 0xdeadbeef,
	};
	int ret = xioctl(fd, cmd, &b);

	if (done)
		*done = b.done;
	return ret;
}

/* PROBE of count attempts into lat (may be NULL: a static buffer). */
static int probe(int fd, int order, __u32 count, __u32 mode, __s64 *lat,
		 struct pab_probe *out)
{
	static __s64 buf[4096];
	struct pab_probe p = {
		.latencies = (uintptr_t)(lat ? lat : buf), .count = count,
		.order = order, .mode = mode,
		.attempts = 0xdeadbeef, .successes = 0xdeadbeef,
	};
	int ret = xioctl(fd, PAB_IOCTL_PROBE, &p);

	if (out)
		*out = p;
	return ret;
}

static long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

/*
 * Free memory in kB: MemFree plus the pages sitting in the per-CPU free
 * lists, which MemFree leaves out and which just-freed pages land in.
 */
static long free_kb(void)
{
	char line[256];
	long pcp = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *c = strstr(line, "count:");

			if (c && strspn(line, " ") == (size_t)(c - line))
				pcp += strtol(c + 6, NULL, 10);
		}
		fclose(f);
	}
	return meminfo_kb("MemFree") + pcp * (sysconf(_SC_PAGESIZE) / 1024);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void test_abi_numbers(void)
{
	CHECK(PAB_IOCTL_ALLOC_PAGE == 0xc0201201, "%#lx", (unsigned long)PAB_IOCTL_ALLOC_PAGE);
	CHECK(PAB_IOCTL_FREE_PAGE == 0xc0101203, "%#lx", (unsigned long)PAB_IOCTL_FREE_PAGE);
}

static void test_proc_mode(void)
{
	struct stat st;

	CHECK(stat(PROC_PATH, &st) == 0, "stat: %s", strerror(errno));
	CHECK((st.st_mode & 07777) == 0600, "mode %o", st.st_mode & 07777);
	CHECK(st.st_uid == 0, "uid %u", st.st_uid);
}

static void test_info(int fd, unsigned int *max_order)
{
	struct pab_info i = info_of(fd);

	CHECK(i.abi_version == PAB_ABI_VERSION, "abi %u", i.abi_version);
	CHECK(i.max_order >= 9 && i.max_order < 32, "max_order %u", i.max_order);
	CHECK(i.file_outstanding == 0, "%llu", i.file_outstanding);
	CHECK(i.total_outstanding == 0, "%llu", i.total_outstanding);
	CHECK(i.total_outstanding_pages == 0, "%llu", i.total_outstanding_pages);
	CHECK(memchr(i.module_version, 0, sizeof(i.module_version)) &&
	      i.module_version[0], "version not a string");
	tap_diag("module version %s, max order %u", i.module_version, i.max_order);
	*max_order = i.max_order;
}

static void test_single(int fd, int fd2, unsigned int max_order)
{
	int orders[3] = { 0, 4, (int)max_order };
	struct pab_alloc_page r[3];
	struct pab_info i;
	__u64 pages = 0;
	int k;

	for (k = 0; k < 3; k++) {
		int ret = alloc1(fd, orders[k], &r[k]);

		CHECK(ret == 0, "alloc order %d: %s", orders[k], strerror(-ret));
		CHECK(r[k].args.order == orders[k], "order changed");
		CHECK(r[k].result.id != 0, "zero id");
		CHECK(r[k].result.nid >= 0, "nid %d", r[k].result.nid);
		CHECK(r[k].result.latency_ns > 0 && r[k].result.latency_ns < 1000000000LL,
		      "latency %lld", r[k].result.latency_ns);
		pages += 1ULL << orders[k];
		tap_diag("order %d: id %#llx" " nid %d latency %lld" " ns",
			 orders[k], r[k].result.id, r[k].result.nid, r[k].result.latency_ns);
	}
	CHECK(r[0].result.id != r[1].result.id && r[1].result.id != r[2].result.id &&
	      r[0].result.id != r[2].result.id, "ids not distinct");

	/* The explicit padding goes out as 0, whatever the buffer held. */
	{
		struct pab_alloc_page p;

		memset(&p, 0xa5, sizeof(p));
		p.args.order = 0;
		CHECK(xioctl(fd, PAB_IOCTL_ALLOC_PAGE, &p) == 0, "alloc over 0xa5");
		CHECK(p.result.__pad == 0, "result pad %#x", p.result.__pad);
		CHECK(free1(fd, p.result.id) == 0, "free");
	}

	i = info_of(fd);
	CHECK(i.file_outstanding == 3, "%llu", i.file_outstanding);
	CHECK(i.total_outstanding == 3, "%llu", i.total_outstanding);
	CHECK(i.total_outstanding_pages == pages, "%llu" " != %llu",
	      i.total_outstanding_pages, pages);
	i = info_of(fd2);
	CHECK(i.file_outstanding == 0, "other file %llu", i.file_outstanding);
	CHECK(i.total_outstanding == 3, "%llu", i.total_outstanding);

	/* Another file cannot free them. */
	for (k = 0; k < 3; k++)
		CHECK(free1(fd2, r[k].result.id) == -ENOENT, "foreign free");
	CHECK(info_of(fd).file_outstanding == 3, "foreign free took a page");

	for (k = 0; k < 3; k++) {
		struct pab_free_page f = { .args.id = r[k].result.id };
		int ret = xioctl(fd, PAB_IOCTL_FREE_PAGE, &f);

		CHECK(ret == 0, "free: %s", strerror(-ret));
		CHECK(f.result.latency_ns > 0 && f.result.latency_ns < 1000000000LL,
		      "latency %lld", f.result.latency_ns);
		CHECK(f.args.id == r[k].result.id, "id changed");
	}
	for (k = 0; k < 3; k++)
		CHECK(free1(fd, r[k].result.id) == -ENOENT, "double free");

	i = info_of(fd);
	CHECK(i.file_outstanding == 0 && i.total_outstanding == 0 &&
	      i.total_outstanding_pages == 0, "left %llu", i.total_outstanding);

	/* Two fresh files: the same first allocation, still no shared ids. */
	{
		int fa = open_pab(), fb = open_pab();
		struct pab_alloc_page a, b;

		CHECK(alloc1(fa, 0, &a) == 0 && alloc1(fb, 0, &b) == 0, "alloc");
		CHECK(a.result.id != b.result.id, "two files gave out id %#llx",
		      a.result.id);
		CHECK(free1(fb, a.result.id) == -ENOENT, "foreign id freed");
		CHECK(free1(fa, b.result.id) == -ENOENT, "foreign id freed");
		CHECK(free1(fa, a.result.id ^ (1ULL << 40)) == -ENOENT, "other tag freed");
		CHECK(free1(fa, a.result.id) == 0 && free1(fb, b.result.id) == 0, "free");
		close(fa);
		close(fb);
	}

	/* A freed id is not handed out again straight away. */
	{
		struct pab_alloc_page a, b;

		CHECK(alloc1(fd, 0, &a) == 0, "alloc");
		CHECK(free1(fd, a.result.id) == 0, "free");
		CHECK(alloc1(fd, 0, &b) == 0, "alloc");
		CHECK(a.result.id != b.result.id, "id reused at once");
		CHECK(free1(fd, a.result.id) == -ENOENT, "stale id freed new page");
		CHECK(free1(fd, b.result.id) == 0, "free");
	}
}

static void test_bad_ids(int fd, unsigned int max_order)
{
	__u64 ids[] = {
		0, 1, 31, 32, UINT64_MAX, UINT64_MAX - 31, 1ULL << 63,
		(__u64)UINT32_MAX << 5, ((__u64)UINT32_MAX + 1) << 5,
		(1ULL << 5) | (max_order + 1), (1ULL << 5) | 31,
		(__u64)(uintptr_t)&fd,
	};
	struct pab_alloc_page r;
	size_t k;

	CHECK(alloc1(fd, 0, &r) == 0, "alloc");
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		int ret = free1(fd, ids[k]);

		CHECK(ret == -ENOENT, "id %#llx" ": %d", ids[k], ret);
	}
	/* Same index, other order. */
	CHECK(free1(fd, r.result.id ^ 1) == -ENOENT, "wrong order bits freed");
	CHECK(free1(fd, r.result.id) == 0, "free");
}

static void test_bad_orders(int fd, unsigned int max_order)
{
	int orders[] = { -1, (int)max_order + 1, 32, 1000, INT32_MIN, INT32_MAX };
	struct pab_batch_entry e[4];
	struct pab_alloc_page r;
	size_t k;

	for (k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		struct pab_selftest st = { .order = orders[k], .hold = 1, .count = 1 };

		CHECK(alloc1(fd, orders[k], &r) == -EINVAL, "order %d", orders[k]);
		CHECK(batch(fd, PAB_IOCTL_ALLOC_BATCH, e, 4, orders[k], NULL) == -EINVAL,
		      "batch order %d", orders[k]);
		CHECK(batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, 4, orders[k], NULL) == -EINVAL,
		      "queue order %d", orders[k]);
		CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 4, orders[k], NULL) == -EINVAL,
		      "queue free order %d", orders[k]);
		CHECK(xioctl(fd, PAB_IOCTL_SELFTEST, &st) == -EINVAL,
		      "selftest order %d", orders[k]);
		CHECK(probe(fd, orders[k], 1, PAB_PROBE_NOCOMPACT, NULL, NULL) == -EINVAL,
		      "probe order %d", orders[k]);
	}
	CHECK(info_of(fd).file_outstanding == 0, "bad orders allocated");
}

static void test_bad_pointers(int fd)
{
	unsigned long cmds[] = {
		PAB_IOCTL_ALLOC_PAGE, PAB_IOCTL_FREE_PAGE, PAB_IOCTL_INFO,
		PAB_IOCTL_ALLOC_BATCH, PAB_IOCTL_FREE_BATCH, PAB_IOCTL_SELFTEST,
		PAB_IOCTL_QUEUE_ALLOC, PAB_IOCTL_QUEUE_FREE, PAB_IOCTL_PROBE,
		PAB_IOCTL_QUEUE_ALLOC_MODE,
	};
	void *ptrs[] = { NULL, (void *)1, KADDR, (void *)-4096L };
	long pg = sysconf(_SC_PAGESIZE);
	char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t c, p;

	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		for (p = 0; p < sizeof(ptrs) / sizeof(ptrs[0]); p++) {
			int ret = xioctl(fd, cmds[c], ptrs[p]);

			CHECK(ret == -EFAULT, "cmd %#lx ptr %p: %d", cmds[c], ptrs[p], ret);
		}

	/* Readable but not writable: order 0 read, result write fails. */
	CHECK(xioctl(fd, PAB_IOCTL_ALLOC_PAGE, ro) == -EFAULT, "ro alloc");
	CHECK(xioctl(fd, PAB_IOCTL_INFO, ro) == -EFAULT, "ro info");
	CHECK(info_of(fd).file_outstanding == 0, "EFAULT left a page held");
	munmap(ro, pg);
}

static void test_unknown_cmds(int fd)
{
	/* Not 1: that is FIBMAP, which the VFS answers before any driver. */
	unsigned long cmds[] = {
		0, _IO(PAB_IOCTL_MAGIC, 0), _IO(PAB_IOCTL_MAGIC, 1),
		_IOWR(PAB_IOCTL_MAGIC, 1, int), _IOWR(PAB_IOCTL_MAGIC, 2, struct pab_alloc_page),
		_IOWR(PAB_IOCTL_MAGIC, 22, struct pab_batch), _IOWR(PAB_IOCTL_MAGIC, 20, struct pab_selftest),
		_IOW(PAB_IOCTL_MAGIC, 16, struct pab_info),
		_IOWR(0x13, 1, struct pab_alloc_page), 0xffffffffUL, 0x80000000UL,
	};
	struct pab_selftest buf;
	size_t k;

	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		int ret = xioctl(fd, cmds[k], &buf);

		CHECK(ret == -ENOTTY, "cmd %#lx: %d", cmds[k], ret);
	}
}

static void test_batches(int fd, int fd2, unsigned int max_order)
{
	static struct pab_batch_entry e[PAB_BATCH_MAX + 1], f[16];
	long pg = sysconf(_SC_PAGESIZE);
	struct pab_info i;
	__u32 done, k;
	int ret, o;

	/* Full batch at order 0. */
	memset(e, 0xa5, sizeof(e));
	ret = batch(fd, PAB_IOCTL_ALLOC_BATCH, e, PAB_BATCH_MAX, 0, &done);
	CHECK(ret == 0 && done == PAB_BATCH_MAX, "alloc batch %d done %u", ret, done);
	for (k = 0; k < PAB_BATCH_MAX; k++) {
		if (e[k].id == 0 || e[k].nid < 0 || e[k].latency_ns <= 0 || e[k].reserved) {
			CHECK(false, "entry %u: id %#llx" " nid %d lat %lld",
			      k, e[k].id, e[k].nid, e[k].latency_ns);
			break;
		}
		if (k && e[k].id == e[k - 1].id) {
			CHECK(false, "duplicate id at %u", k);
			break;
		}
	}
	CHECK(e[PAB_BATCH_MAX].reserved == 0xa5a5a5a5, "wrote past count");
	i = info_of(fd);
	CHECK(i.file_outstanding == PAB_BATCH_MAX, "%llu", i.file_outstanding);
	CHECK(batch(fd2, PAB_IOCTL_FREE_BATCH, e, 4, 0, &done) == -ENOENT && done == 0,
	      "foreign batch free done %u", done);
	ret = batch(fd, PAB_IOCTL_FREE_BATCH, e, PAB_BATCH_MAX, 0, &done);
	CHECK(ret == 0 && done == PAB_BATCH_MAX, "free batch %d done %u", ret, done);
	for (k = 0; k < PAB_BATCH_MAX; k++)
		if (e[k].nid != -1 || e[k].latency_ns <= 0) {
			CHECK(false, "free entry %u nid %d lat %lld", k, e[k].nid, e[k].latency_ns);
			break;
		}
	CHECK(info_of(fd).total_outstanding == 0, "batch left pages");

	/* Orders 4 and max. */
	for (o = 4; o <= (int)max_order; o += max_order - 4) {
		ret = batch(fd, PAB_IOCTL_ALLOC_BATCH, e, 4, o, &done);
		CHECK(ret == 0 && done == 4, "order %d: %d done %u", o, ret, done);
		i = info_of(fd);
		CHECK(i.total_outstanding_pages == 4ULL << o, "pages %llu",
		      i.total_outstanding_pages);
		ret = batch(fd, PAB_IOCTL_FREE_BATCH, e, 4, 0, &done);
		CHECK(ret == 0 && done == 4, "free order %d: %d done %u", o, ret, done);
		if (o == (int)max_order)
			break;
	}

	/* Count and flags checked. */
	CHECK(batch(fd, PAB_IOCTL_ALLOC_BATCH, e, 0, 0, NULL) == -EINVAL, "count 0");
	CHECK(batch(fd, PAB_IOCTL_ALLOC_BATCH, e, PAB_BATCH_MAX + 1, 0, NULL) == -EINVAL, "count max+1");
	CHECK(batch(fd, PAB_IOCTL_FREE_BATCH, e, 0, 0, NULL) == -EINVAL, "free count 0");
	CHECK(batch(fd, PAB_IOCTL_FREE_BATCH, e, UINT32_MAX, 0, NULL) == -EINVAL, "free count huge");
	{
		struct pab_batch b = { .entries = (uintptr_t)e, .count = 1, .flags = 1 };

		CHECK(xioctl(fd, PAB_IOCTL_ALLOC_BATCH, &b) == -EINVAL, "flags");
		CHECK(xioctl(fd, PAB_IOCTL_FREE_BATCH, &b) == -EINVAL, "free flags");
	}

	/* Free stops at the first unknown id, keeping what came before. */
	CHECK(batch(fd, PAB_IOCTL_ALLOC_BATCH, e, 40, 0, &done) == 0 && done == 40, "alloc 40");
	memcpy(f, e, sizeof(e[0]) * 5);
	f[5].id = 12345;
	f[5].reserved = 0;
	memcpy(f + 6, e + 5, sizeof(e[0]) * 4);
	ret = batch(fd, PAB_IOCTL_FREE_BATCH, f, 10, 0, &done);
	CHECK(ret == -ENOENT && done == 5, "%d done %u", ret, done);
	CHECK(info_of(fd).file_outstanding == 35, "%llu", info_of(fd).file_outstanding);
	/* reserved must be 0 */
	f[0] = e[5];
	f[0].reserved = 1;
	ret = batch(fd, PAB_IOCTL_FREE_BATCH, f, 1, 0, &done);
	CHECK(ret == -EINVAL && done == 0, "reserved: %d done %u", ret, done);
	ret = batch(fd, PAB_IOCTL_FREE_BATCH, e + 5, 35, 0, &done);
	CHECK(ret == 0 && done == 35, "%d done %u", ret, done);

	/* Entries that cannot be written: nothing stays held. */
	CHECK(batch(fd, PAB_IOCTL_ALLOC_BATCH, NULL, 8, 0, &done) == -EFAULT && done == 0,
	      "NULL entries done %u", done);
	CHECK(batch(fd, PAB_IOCTL_ALLOC_BATCH, KADDR, 8, 0, &done) == -EFAULT && done == 0,
	      "kernel entries done %u", done);
	CHECK(batch(fd, PAB_IOCTL_FREE_BATCH, KADDR, 8, 0, &done) == -EFAULT && done == 0,
	      "kernel free entries done %u", done);
	CHECK(info_of(fd).file_outstanding == 0, "EFAULT batch left pages");

	/* Entries running into an unmapped page part way: done is what landed. */
	{
		char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct pab_batch_entry *pe;
		__u32 fit;

		munmap(m + pg, pg);
		fit = pg / sizeof(*pe) - 4;
		pe = (struct pab_batch_entry *)(m + pg) - fit;
		ret = batch(fd, PAB_IOCTL_ALLOC_BATCH, pe, fit + 20, 0, &done);
		CHECK(ret == -EFAULT && done > 0 && done <= fit, "%d done %u fit %u", ret, done, fit);
		CHECK(info_of(fd).file_outstanding == done, "held %llu" " done %u",
		      info_of(fd).file_outstanding, done);
		ret = batch(fd, PAB_IOCTL_FREE_BATCH, pe, fit + 20, 0, &k);
		CHECK(ret == -EFAULT && k == done, "free %d done %u", ret, k);
		CHECK(info_of(fd).file_outstanding == 0, "straddle left pages");

		/* Read-only entries: the header is fine, the entries are not. */
		mprotect(m, pg, PROT_READ);
		ret = batch(fd, PAB_IOCTL_ALLOC_BATCH, (void *)m, 8, 0, &done);
		CHECK(ret == -EFAULT && done == 0, "ro entries %d done %u", ret, done);
		CHECK(info_of(fd).file_outstanding == 0, "ro entries left pages");
		munmap(m, pg);
	}
	/* Batch header itself read-only: fails before allocating. */
	{
		struct pab_batch *rb = mmap(NULL, pg, PROT_READ | PROT_WRITE,
					    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		rb->entries = (uintptr_t)e;
		rb->count = 8;
		mprotect(rb, pg, PROT_READ);
		CHECK(xioctl(fd, PAB_IOCTL_ALLOC_BATCH, rb) == -EFAULT, "ro header");
		CHECK(info_of(fd).file_outstanding == 0, "ro header left pages");
		munmap(rb, pg);
	}
}

/* Checks that e[0, n) are queue places first, first + 1... and well formed. */
static bool places_from(const struct pab_batch_entry *e, __u32 n, __u64 first, bool alloc)
{
	__u32 k;

	for (k = 0; k < n; k++)
		if (e[k].id != first + k || e[k].reserved || e[k].latency_ns < 0 ||
		    (alloc ? e[k].nid < 0 : e[k].nid != -1)) {
			CHECK(false, "entry %u: id %llu" " (want %llu" ") nid %d lat %lld res %u",
			      k, e[k].id, first + k, e[k].nid, e[k].latency_ns, e[k].reserved);
			return false;
		}
	return true;
}

static void test_queues(int fd, int fd2, unsigned int max_order)
{
	static struct pab_batch_entry e[PAB_BATCH_MAX + 1];
	long pg = sysconf(_SC_PAGESIZE);
	struct pab_info i;
	__u32 done;
	int ret;

	/* A full batch, then frees in pieces come back oldest first. */
	memset(e, 0xa5, sizeof(e));
	ret = batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, PAB_BATCH_MAX, 0, &done);
	CHECK(ret == 0 && done == PAB_BATCH_MAX, "queue alloc %d done %u", ret, done);
	CHECK(places_from(e, PAB_BATCH_MAX, 1, true), "alloc places");
	CHECK(e[PAB_BATCH_MAX].reserved == 0xa5a5a5a5, "wrote past count");
	i = info_of(fd);
	CHECK(i.file_outstanding == PAB_BATCH_MAX && i.total_outstanding_pages == PAB_BATCH_MAX,
	      "held %llu" " pages %llu", i.file_outstanding, i.total_outstanding_pages);
	ret = batch(fd, PAB_IOCTL_QUEUE_FREE, e, 100, 0, &done);
	CHECK(ret == 0 && done == 100 && places_from(e, 100, 1, false), "free 100: %d %u", ret, done);
	/* Other queues and other files are not this one. */
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 1, 1, &done) == -ENOENT && done == 0,
	      "order 1 queue freed %u", done);
	CHECK(batch(fd2, PAB_IOCTL_QUEUE_FREE, e, 1, 0, &done) == -ENOENT && done == 0,
	      "foreign queue freed %u", done);
	/* Queued blocks have no ids: place 101 is not a batch id. */
	e[0].id = 101;
	e[0].reserved = 0;
	CHECK(batch(fd, PAB_IOCTL_FREE_BATCH, e, 1, 0, &done) == -ENOENT, "place freed as id");
	CHECK(free1(fd, 101) == -ENOENT, "place freed as single id");
	/* More than held: frees the rest, then ENOENT. */
	ret = batch(fd, PAB_IOCTL_QUEUE_FREE, e, PAB_BATCH_MAX, 0, &done);
	CHECK(ret == -ENOENT && done == PAB_BATCH_MAX - 100, "overfree %d done %u", ret, done);
	CHECK(places_from(e, done, 101, false), "rest in order");
	CHECK(info_of(fd).total_outstanding == 0, "queue left %llu", info_of(fd).total_outstanding);
	/* Places go on where they stopped. */
	ret = batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, 3, 0, &done);
	CHECK(ret == 0 && places_from(e, 3, PAB_BATCH_MAX + 1, true), "next places %d", ret);
	ret = batch(fd, PAB_IOCTL_QUEUE_FREE, e, 3, 0, &done);
	CHECK(ret == 0 && done == 3, "free 3: %d %u", ret, done);

	/* Orders 4 and max, each in its own queue. */
	ret = batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, 4, 4, &done);
	CHECK(ret == 0 && done == 4 && places_from(e, 4, 1, true), "order 4: %d", ret);
	ret = batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, 2, max_order, &done);
	CHECK(ret == 0 && done == 2 && places_from(e, 2, 1, true), "max order: %d", ret);
	i = info_of(fd);
	CHECK(i.file_outstanding == 6 && i.total_outstanding_pages == 64 + (2ULL << max_order),
	      "held %llu" " pages %llu", i.file_outstanding, i.total_outstanding_pages);
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 4, 4, &done) == 0 && done == 4, "free order 4");
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 2, max_order, &done) == 0 && done == 2, "free max");

	/* Count and flags checked. */
	CHECK(batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, 0, 0, NULL) == -EINVAL, "count 0");
	CHECK(batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, PAB_BATCH_MAX + 1, 0, NULL) == -EINVAL, "count max+1");
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 0, 0, NULL) == -EINVAL, "free count 0");
	{
		struct pab_batch b = { .entries = (uintptr_t)e, .count = 1, .flags = 1 };

		CHECK(xioctl(fd, PAB_IOCTL_QUEUE_ALLOC, &b) == -EINVAL, "flags");
		CHECK(xioctl(fd, PAB_IOCTL_QUEUE_FREE, &b) == -EINVAL, "free flags");
	}

	/* Entries that cannot be written: nothing stays queued, no place is used. */
	CHECK(batch(fd, PAB_IOCTL_QUEUE_ALLOC, NULL, 8, 0, &done) == -EFAULT && done == 0,
	      "NULL entries done %u", done);
	CHECK(batch(fd, PAB_IOCTL_QUEUE_ALLOC, KADDR, 8, 0, &done) == -EFAULT && done == 0,
	      "kernel entries done %u", done);
	CHECK(info_of(fd).file_outstanding == 0, "EFAULT queue left blocks");

	/* Entries running into an unmapped page: done is what landed, and stays queued. */
	{
		char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct pab_batch_entry *pe;
		__u32 fit, k;

		munmap(m + pg, pg);
		fit = pg / sizeof(*pe) - 4;
		pe = (struct pab_batch_entry *)(m + pg) - fit;
		ret = batch(fd, PAB_IOCTL_QUEUE_ALLOC, pe, fit + 20, 0, &done);
		CHECK(ret == -EFAULT && done > 0 && done <= fit, "%d done %u fit %u", ret, done, fit);
		CHECK(places_from(pe, done, PAB_BATCH_MAX + 4, true), "straddle places");
		CHECK(info_of(fd).file_outstanding == done, "held %llu" " done %u",
		      info_of(fd).file_outstanding, done);
		/* Freeing into it: all are freed, the entries past the edge are lost. */
		ret = batch(fd, PAB_IOCTL_QUEUE_FREE, pe, fit + 20, 0, &k);
		CHECK(ret == -EFAULT || ret == -ENOENT, "straddle free %d done %u", ret, k);
		CHECK(info_of(fd).file_outstanding == 0, "straddle left %llu",
		      info_of(fd).file_outstanding);
		munmap(m, pg);
	}
	/* Closing a file frees its queues. */
	{
		int cfd = open_pab();

		CHECK(batch(cfd, PAB_IOCTL_QUEUE_ALLOC, e, 64, 0, &done) == 0, "alloc to close");
		CHECK(batch(cfd, PAB_IOCTL_QUEUE_ALLOC, e, 8, 3, &done) == 0, "alloc to close 3");
		CHECK(info_of(fd).total_outstanding == 72, "%llu", info_of(fd).total_outstanding);
		close(cfd);
		CHECK(info_of(fd).total_outstanding == 0, "close left %llu",
		      info_of(fd).total_outstanding);
	}
}

static int mode_alloc(int fd, struct pab_batch_entry *e, __u32 count, int order,
		      __u32 gfp, __u32 bulk, __u32 *done)
{
	struct pab_queue_alloc_mode a = {
		.entries = (uintptr_t)e, .count = count, .order = order,
		.done = 0xdeadbeef, .gfp = gfp, .bulk = bulk,
	};
	int ret = xioctl(fd, PAB_IOCTL_QUEUE_ALLOC_MODE, &a);

	if (done)
		*done = a.done;
	return ret;
}

struct cross_free {
	int fd, order, cpu;
	__u32 count, done;
	int ret;
};

/* Frees a queue from a thread pinned to another CPU, as --free-on other does. */
static void *cross_free_main(void *p)
{
	struct cross_free *c = p;
	static struct pab_batch_entry e[PAB_BATCH_MAX];
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	do {
		__u32 n;

		c->ret = batch(c->fd, PAB_IOCTL_QUEUE_FREE, e, PAB_BATCH_MAX, c->order, &n);
		c->done += n;
	} while (c->ret == 0);
	return NULL;
}

static void test_queue_modes(int fd, int fd2, unsigned int max_order)
{
	static struct pab_batch_entry e[PAB_BATCH_MAX + 1];
	__u32 gfp, done, k;
	__u64 place;
	int ret;

	/* Places go on from where earlier tests left this file's order-0 queue. */
	CHECK(mode_alloc(fd, e, 1, 0, PAB_GFP_KERNEL, 0, &done) == 0 && done == 1, "first");
	place = e[0].id;
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 1, 0, &done) == 0 && e[0].id == place, "first free");
	place++;
	/* Each GFP mode, one block at a time and in batches, onto one queue. */
	for (gfp = 0; gfp < PAB_GFP_MODES; gfp++) {
		ret = mode_alloc(fd, e, 100, 0, gfp, 0, &done);
		CHECK(ret == 0 && done == 100 && places_from(e, 100, place, true),
		      "gfp %u: %d done %u", gfp, ret, done);
		place += done;
		ret = mode_alloc(fd, e, 4, 3, gfp, 0, &done);
		CHECK(ret == 0 && done == 4 && places_from(e, 4, 1 + 4 * gfp, true),
		      "gfp %u order 3: %d", gfp, ret);
	}
	CHECK(info_of(fd).file_outstanding == 312, "held %llu", info_of(fd).file_outstanding);
	/* The same queue QUEUE_FREE empties, oldest first. */
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 300, 0, &done) == 0 && done == 300 &&
	      places_from(e, 300, place - 300, false), "free modes' blocks %u", done);
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 12, 3, &done) == 0 && done == 12, "free order 3");

	/* Bulk: calls of 16 from entry 0, each latency on its call's first entry. */
	ret = mode_alloc(fd, e, 100, 0, PAB_GFP_KERNEL, 16, &done);
	CHECK(ret == 0 && done == 100 && places_from(e, 100, place, true), "bulk: %d done %u", ret, done);
	for (k = 0; k < done; k++)
		if (k % 16 && e[k].latency_ns) {
			CHECK(false, "entry %u of a bulk call has latency %lld", k, e[k].latency_ns);
			break;
		}
	place += done;
	for (gfp = 0; gfp < PAB_GFP_MODES; gfp++) {
		ret = mode_alloc(fd, e, PAB_BATCH_MAX, 0, gfp, PAB_BULK_MAX, &done);
		CHECK(ret == 0 && done == PAB_BATCH_MAX && places_from(e, done, place, true),
		      "bulk max gfp %u: %d done %u", gfp, ret, done);
		place += done;
		ret = mode_alloc(fd, e, 7, 0, gfp, 1, &done);
		CHECK(ret == 0 && done == 7 && places_from(e, 7, place, true), "bulk 1: %d", ret);
		place += done;
	}
	CHECK(info_of(fd).total_outstanding_pages == 100 + 3 * (PAB_BATCH_MAX + 7),
	      "bulk held %llu", info_of(fd).total_outstanding_pages);

	/* A queue filled here is freed from another CPU's thread: free-on other needs no call. */
	{
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		struct cross_free c = { .fd = fd, .order = 0, .cpu = cpus > 1 ? 1 : 0,
					.count = 100 + 3 * (PAB_BATCH_MAX + 7) };
		pthread_t t;

		pthread_create(&t, NULL, cross_free_main, &c);
		pthread_join(t, NULL);
		CHECK(c.ret == -ENOENT && c.done == c.count, "cross-CPU free %d done %u", c.ret, c.done);
		CHECK(info_of(fd).total_outstanding == 0, "left %llu", info_of(fd).total_outstanding);
	}

	/* Every field checked. */
	CHECK(mode_alloc(fd, e, 0, 0, 0, 0, NULL) == -EINVAL, "count 0");
	CHECK(mode_alloc(fd, e, PAB_BATCH_MAX + 1, 0, 0, 0, NULL) == -EINVAL, "count max+1");
	CHECK(mode_alloc(fd, e, 1, -1, 0, 0, NULL) == -EINVAL, "order -1");
	CHECK(mode_alloc(fd, e, 1, max_order + 1, 0, 0, NULL) == -EINVAL, "order max+1");
	CHECK(mode_alloc(fd, e, 1, 0, PAB_GFP_MODES, 0, NULL) == -EINVAL, "gfp past modes");
	CHECK(mode_alloc(fd, e, 1, 0, 0xffffffff, 0, NULL) == -EINVAL, "gfp ~0");
	CHECK(mode_alloc(fd, e, 1, 1, 0, 1, NULL) == -EINVAL, "bulk order 1");
	CHECK(mode_alloc(fd, e, 1, max_order, 0, 8, NULL) == -EINVAL, "bulk max order");
	CHECK(mode_alloc(fd, e, 1, 0, 0, PAB_BULK_MAX + 1, NULL) == -EINVAL, "bulk max+1");
	{
		struct pab_queue_alloc_mode a = { .entries = (uintptr_t)e, .count = 1, .__pad = 1 };

		CHECK(xioctl(fd, PAB_IOCTL_QUEUE_ALLOC_MODE, &a) == -EINVAL, "pad");
	}
	CHECK(info_of(fd).file_outstanding == 0, "EINVAL left blocks");

	/* Entries that cannot be written: nothing stays queued. */
	for (k = 0; k < 2; k++) {
		CHECK(mode_alloc(fd, NULL, 40, 0, 1, k * 16, &done) == -EFAULT && done == 0,
		      "NULL entries bulk %u done %u", k * 16, done);
		CHECK(mode_alloc(fd, KADDR, 40, 0, 2, k * 16, &done) == -EFAULT && done == 0,
		      "kernel entries bulk %u done %u", k * 16, done);
	}
	CHECK(info_of(fd).file_outstanding == 0, "EFAULT left %llu", info_of(fd).file_outstanding);
	/* Entries running into an unmapped page: done is what landed, and stays queued. */
	{
		long pg = sysconf(_SC_PAGESIZE);
		char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct pab_batch_entry *pe;
		__u32 fit, bulk;

		munmap(m + pg, pg);
		fit = pg / sizeof(*pe) - 4;
		pe = (struct pab_batch_entry *)(m + pg) - fit;
		for (bulk = 0; bulk <= 64; bulk += 64) {
			ret = mode_alloc(fd, pe, fit + 100, 0, 0, bulk, &done);
			CHECK(ret == -EFAULT && done <= fit && info_of(fd).file_outstanding == done,
			      "straddle bulk %u: %d done %u held %llu", bulk, ret, done,
			      info_of(fd).file_outstanding);
			batch(fd, PAB_IOCTL_QUEUE_FREE, e, PAB_BATCH_MAX, 0, &done);
		}
		munmap(m, pg);
	}
	/* Another file's queue is not this one's; closing frees what the calls queued. */
	CHECK(mode_alloc(fd2, e, 50, 0, 1, 10, &done) == 0 && done == 50, "fd2 bulk");
	CHECK(batch(fd, PAB_IOCTL_QUEUE_FREE, e, 1, 0, &done) == -ENOENT, "foreign queue");
	{
		int cfd = open_pab();

		CHECK(mode_alloc(cfd, e, 64, 0, 1, 32, &done) == 0, "to close bulk");
		CHECK(mode_alloc(cfd, e, 8, 2, 2, 0, &done) == 0, "to close order 2");
		close(cfd);
	}
	CHECK(batch(fd2, PAB_IOCTL_QUEUE_FREE, e, 50, 0, &done) == 0 && done == 50, "fd2 free");
	CHECK(info_of(fd).total_outstanding == 0, "close left %llu", info_of(fd).total_outstanding);
}

static void test_selftest(int fd, unsigned int max_order)
{
	struct pab_selftest st = { .order = 0, .hold = 64, .count = 100000 };
	struct pab_selftest bad[] = {
		{ .order = 0, .hold = 0, .count = 1 },
		{ .order = 0, .hold = PAB_BATCH_MAX + 1, .count = 1 },
		{ .order = 0, .hold = 1, .count = 0 },
		{ .order = 0, .hold = 1, .count = PAB_SELFTEST_MAX + 1 },
		{ .order = 0, .hold = UINT32_MAX, .count = UINT64_MAX },
	};
	size_t k;
	int ret;

	ret = xioctl(fd, PAB_IOCTL_SELFTEST, &st);
	CHECK(ret == 0, "selftest: %s", strerror(-ret));
	CHECK(st.allocs + st.failures == 100000, "allocs %llu" " failures %llu",
	      st.allocs, st.failures);
	CHECK(st.failures == 0, "failures %llu", st.failures);
	CHECK(st.elapsed_ns > 0, "elapsed 0");
	tap_diag("selftest order 0 hold 64: %llu" " allocs in %llu" " ns (%.0f allocs/s)",
		 st.allocs, st.elapsed_ns, st.allocs * 1e9 / st.elapsed_ns);

	st = (struct pab_selftest){ .order = (int)max_order, .hold = 4, .count = 64 };
	ret = xioctl(fd, PAB_IOCTL_SELFTEST, &st);
	CHECK(ret == 0 && st.allocs + st.failures == 64, "max order selftest %d", ret);

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK(xioctl(fd, PAB_IOCTL_SELFTEST, &bad[k]) == -EINVAL, "bad selftest %zu", k);
	CHECK(info_of(fd).total_outstanding == 0, "selftest left pages");
}

/* A long self-test dies promptly on SIGKILL. */
static void test_selftest_killable(void)
{
	__u64 t0;
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0) {
		int fd = open_pab();
		struct pab_selftest st = { .order = 0, .hold = 16, .count = PAB_SELFTEST_MAX };

		xioctl(fd, PAB_IOCTL_SELFTEST, &st);
		_exit(0);
	}
	usleep(300000);
	t0 = now_ns();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	CHECK(now_ns() - t0 < 2000000000ULL, "took %llu" " ns to die", now_ns() - t0);
}

static void test_probe(int fd, unsigned int max_order)
{
	static __s64 lat[PAB_CHUNK_TEST + 1];
	long pg = sysconf(_SC_PAGESIZE);
	struct pab_probe p;
	__u32 mode, k;
	char *m;
	int ret;

	for (mode = PAB_PROBE_NOCOMPACT; mode <= PAB_PROBE_COMPACT; mode++) {
		memset(lat, 0xa5, sizeof(lat));
		ret = probe(fd, 4, PAB_CHUNK_TEST, mode, lat, &p);
		CHECK(ret == 0, "mode %u: %s", mode, strerror(-ret));
		CHECK(p.attempts == PAB_CHUNK_TEST, "mode %u attempts %u", mode, p.attempts);
		CHECK(p.successes == PAB_CHUNK_TEST, "mode %u successes %u", mode, p.successes);
		CHECK(p.elapsed_ns > 0, "mode %u elapsed 0", mode);
		for (k = 0; k < PAB_CHUNK_TEST; k++)
			if (lat[k] < 0 || (__u64)lat[k] > p.elapsed_ns) {
				CHECK(false, "mode %u latency %u: %lld", mode, k, lat[k]);
				break;
			}
		CHECK(lat[PAB_CHUNK_TEST] == (__s64)0xa5a5a5a5a5a5a5a5ULL, "wrote past count");
		CHECK(info_of(fd).total_outstanding == 0, "probe left %llu",
		      info_of(fd).total_outstanding);
	}
	tap_diag("probe order 4, %d attempts: %u got, %llu ns", PAB_CHUNK_TEST,
		 p.successes, p.elapsed_ns);

	/* The highest order, and one attempt: the kernel may have none. */
	ret = probe(fd, (int)max_order, 4, PAB_PROBE_NOCOMPACT, NULL, &p);
	CHECK(ret == 0 && p.attempts == 4 && p.successes <= 4, "max order %d %u/%u",
	      ret, p.successes, p.attempts);
	ret = probe(fd, 0, 1, PAB_PROBE_COMPACT, NULL, &p);
	CHECK(ret == 0 && p.attempts == 1 && p.successes == 1, "one %d", ret);

	/* Bad arguments: nothing allocated, nothing written. */
	CHECK(probe(fd, 0, 0, PAB_PROBE_NOCOMPACT, NULL, NULL) == -EINVAL, "count 0");
	CHECK(probe(fd, 0, PAB_PROBE_MAX + 1, PAB_PROBE_NOCOMPACT, NULL, NULL) == -EINVAL,
	      "count over max");
	CHECK(probe(fd, 0, UINT32_MAX, PAB_PROBE_NOCOMPACT, NULL, NULL) == -EINVAL,
	      "count u32 max");
	for (mode = 2; mode < 6; mode++)
		CHECK(probe(fd, 0, 1, mode, NULL, NULL) == -EINVAL, "mode %u", mode);
	CHECK(probe(fd, 0, 1, UINT32_MAX, NULL, NULL) == -EINVAL, "mode u32 max");
	{
		struct pab_probe f = { .latencies = (uintptr_t)lat, .count = 1, .flags = 1 };

		CHECK(xioctl(fd, PAB_IOCTL_PROBE, &f) == -EINVAL, "flags");
	}

	/*
	 * A latency buffer that ends mid-way: -EFAULT after blocks were got,
	 * every one of them freed. Also a buffer that is not there at all.
	 */
	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		CHECK(false, "mmap: %s", strerror(errno));
		return;
	}
	munmap(m + pg, pg);
	{
		__u32 fit = pg / sizeof(__s64);
		__s64 *edge = (__s64 *)(m + pg) - fit / 2;

		ret = probe(fd, 2, fit, PAB_PROBE_NOCOMPACT, edge, &p);
		CHECK(ret == -EFAULT, "straddle %d", ret);
		CHECK(p.attempts == 0xdeadbeef && p.successes == 0xdeadbeef,
		      "straddle wrote back %u/%u", p.successes, p.attempts);
		ret = probe(fd, 2, 64, PAB_PROBE_COMPACT, (__s64 *)(m + pg), &p);
		CHECK(ret == -EFAULT, "unmapped %d", ret);
	}
	munmap(m, pg);
	/* Results that cannot be written back: the blocks are freed anyway. */
	m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED) {
		struct pab_probe *ro = (struct pab_probe *)m;

		*ro = (struct pab_probe){ .latencies = (uintptr_t)lat, .count = 8, .order = 3 };
		mprotect(m, pg, PROT_READ);
		CHECK(xioctl(fd, PAB_IOCTL_PROBE, ro) == -EFAULT, "ro result");
		munmap(m, pg);
	}
	CHECK(info_of(fd).total_outstanding == 0, "probe left %llu",
	      info_of(fd).total_outstanding);
}

/*
 * A long probe dies promptly on SIGKILL, and its blocks come back. Top
 * order without compaction: the free blocks of that order run out early
 * and every attempt after fails fast, so it is long but holds no more than
 * what was free in such blocks.
 */
static void test_probe_killable(unsigned int max_order)
{
	long before = free_kb(), after = 0;
	__u64 t0;
	pid_t pid;
	int status, k;

	pid = fork();
	if (pid == 0) {
		static __s64 lat[PAB_PROBE_MAX];
		int fd = open_pab();
		struct pab_probe p = {
			.latencies = (uintptr_t)lat, .count = PAB_PROBE_MAX,
			.order = (int)max_order, .mode = PAB_PROBE_NOCOMPACT,
		};

		xioctl(fd, PAB_IOCTL_PROBE, &p);
		_exit(0);
	}
	usleep(300000);
	CHECK(waitpid(pid, &status, WNOHANG) == 0, "the probe ended before the kill");
	t0 = now_ns();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	CHECK(now_ns() - t0 < 2000000000ULL, "took %llu" " ns to die", now_ns() - t0);
	/* Within 8 MiB: other processes' memory moves too. */
	for (k = 0; k < 20; k++) {
		after = free_kb();
		if (after > before - 8192)
			break;
		usleep(100000);
	}
	CHECK(after > before - 8192, "free %ld kB before, %ld kB after", before, after);
}

/* A killed client's pages are given back. */
static void test_killed_child(int fd, unsigned int max_order)
{
	int p[2];
	pid_t pid;
	char c;
	struct pab_info i;
	long held, after;

	if (pipe(p))
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		static struct pab_batch_entry e[PAB_BATCH_MAX];
		int cfd = open_pab();
		struct pab_alloc_page r;
		__u32 done;

		int k;

		for (k = 0; k < 8; k++)
			batch(cfd, PAB_IOCTL_ALLOC_BATCH, e, PAB_BATCH_MAX, 0, &done);
		batch(cfd, PAB_IOCTL_ALLOC_BATCH, e, 64, 4, &done);
		batch(cfd, PAB_IOCTL_QUEUE_ALLOC, e, 32, 4, &done);
		alloc1(cfd, max_order, &r);
		/* A second file in the same process too. */
		cfd = open_pab();
		alloc1(cfd, 2, &r);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1, "child did not report");
	close(p[0]);
	i = info_of(fd);
	held = free_kb();
	CHECK(i.total_outstanding == 8 * PAB_BATCH_MAX + 64 + 32 + 1 + 1, "child holds %llu",
	      i.total_outstanding);
	CHECK(i.total_outstanding_pages ==
	      8 * PAB_BATCH_MAX + 96 * 16 + (1ULL << max_order) + 4,
	      "child pages %llu", i.total_outstanding_pages);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	after = free_kb();
	/* The counters could lie: the memory itself must come back. */
	CHECK(after - held >= (long)i.total_outstanding_pages * 4 * 9 / 10,
	      "free memory %ld kB while held, %ld after kill", held, after);
	i = info_of(fd);
	CHECK(i.total_outstanding == 0 && i.total_outstanding_pages == 0,
	      "after kill %llu" " blocks", i.total_outstanding);
}

struct thread_arg {
	int fd;
	int n;
	int queue_order;	/* a queue of the shared file only this thread uses */
	__u64 *shared_ids;
	int nshared;
	int freed;
	int errors;
};

/* Threads allocate and free their own, and race to free shared ids. */
static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct pab_batch_entry e[64];
	int k, j;

	for (k = 0; k < a->n; k++) {
		__u32 done;

		if (batch(a->fd, PAB_IOCTL_ALLOC_BATCH, e, 64, k % 3, &done) || done != 64)
			a->errors++;
		if (batch(a->fd, PAB_IOCTL_FREE_BATCH, e, 64, 0, &done) || done != 64)
			a->errors++;
		if (batch(a->fd, PAB_IOCTL_QUEUE_ALLOC, e, 16, a->queue_order, &done) ||
		    done != 16 || e[0].id != 16ULL * k + 1)
			a->errors++;
		if (batch(a->fd, PAB_IOCTL_QUEUE_FREE, e, 16, a->queue_order, &done) ||
		    done != 16 || e[15].id != 16ULL * k + 16)
			a->errors++;
	}
	for (j = 0; j < a->nshared; j++)
		if (free1(a->fd, a->shared_ids[j]) == 0)
			a->freed++;
	return NULL;
}

static void test_threads(int fd)
{
	enum { NT = 4, NSHARED = 512 };
	static __u64 ids[NSHARED];
	struct thread_arg a[NT];
	pthread_t t[NT];
	int k, freed = 0, errors = 0;

	for (k = 0; k < NSHARED; k++) {
		struct pab_alloc_page r;

		alloc1(fd, k % 2, &r);
		ids[k] = r.result.id;
	}
	for (k = 0; k < NT; k++) {
		a[k] = (struct thread_arg){ .fd = fd, .n = 200, .queue_order = 5 + k,
					    .shared_ids = ids, .nshared = NSHARED };
		pthread_create(&t[k], NULL, thread_main, &a[k]);
	}
	for (k = 0; k < NT; k++) {
		pthread_join(t[k], NULL);
		freed += a[k].freed;
		errors += a[k].errors;
	}
	CHECK(errors == 0, "%d thread errors", errors);
	CHECK(freed == NSHARED, "shared ids freed %d times, want %d", freed, NSHARED);
	CHECK(info_of(fd).total_outstanding == 0, "threads left %llu",
	      info_of(fd).total_outstanding);
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload_module(void)
{
	return syscall(SYS_delete_module, "page_alloc_bench", O_NONBLOCK) ? -errno : 0;
}

/* rmmod with a file still open and holding pages, then MemFree comes back. */
static void test_unload_with_open_file(const char *ko, unsigned int max_order)
{
	static struct pab_batch_entry e[PAB_BATCH_MAX];
	long before, held, after;
	struct pab_info i;
	__u32 done;
	int fd, k, ret;

	unload_module();
	sync();
	before = free_kb();
	CHECK(load_module(ko) == 0, "reload");
	fd = open_pab();
	/* 80 MiB at order 0 (16 of it queued) plus a few max-order blocks. */
	for (k = 0; k < 16; k++)
		batch(fd, PAB_IOCTL_ALLOC_BATCH, e, PAB_BATCH_MAX, 0, &done);
	batch(fd, PAB_IOCTL_ALLOC_BATCH, e, 4, max_order, &done);
	for (k = 0; k < 4; k++)
		batch(fd, PAB_IOCTL_QUEUE_ALLOC, e, PAB_BATCH_MAX, 0, &done);
	i = info_of(fd);
	held = free_kb();
	tap_diag("free memory %ld kB before load, %ld kB holding %llu" " pages",
		 before, held, i.total_outstanding_pages);
	CHECK(i.total_outstanding == 20 * PAB_BATCH_MAX + 4, "%llu", i.total_outstanding);
	CHECK(before - held >= (long)(i.total_outstanding_pages * 4) * 9 / 10,
	      "free memory dropped only %ld kB", before - held);

	ret = unload_module();
	CHECK(ret == 0, "rmmod with open file: %s", strerror(-ret));
	CHECK(access(PROC_PATH, F_OK) != 0, "proc entry still there");
	ret = xioctl(fd, PAB_IOCTL_INFO, &i);
	CHECK(ret != 0, "ioctl on a file of an unloaded module worked");
	tap_diag("ioctl after unload: %s", strerror(-ret));
	ret = batch(fd, PAB_IOCTL_ALLOC_BATCH, e, 4, 0, &done);
	CHECK(ret != 0, "alloc after unload worked");
	CHECK(close(fd) == 0, "close after unload: %s", strerror(errno));
	after = free_kb();
	tap_diag("free memory %ld kB after unload", after);
	CHECK(after >= held + (long)(i.total_outstanding_pages * 4) * 9 / 10,
	      "free memory after unload %ld, held %ld", after, held);
	/* Boot-time memory may still come free meanwhile: only a loss counts. */
	CHECK(after > before - 4 * 1024, "free memory %ld kB before, %ld after", before, after);

	CHECK(load_module(ko) == 0, "load again");
	fd = open_pab();
	i = info_of(fd);
	CHECK(i.total_outstanding == 0, "fresh module holds %llu", i.total_outstanding);
	close(fd);
}

/* Nothing userspace sent may have made the kernel complain. */
static void test_kernel_log(void)
{
	static const char *const bad[] = {
#include "kernel-log-problems.h"
	};
	int len = klogctl(10, NULL, 0);
	char *buf = malloc(len > 0 ? len + 1 : 1);
	size_t k;

	len = klogctl(3, buf, len > 0 ? len : 0);
	CHECK(len >= 0, "klogctl: %s", strerror(errno));
	buf[len > 0 ? len : 0] = 0;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char *hit = strstr(buf, bad[k]);

		CHECK(!hit, "kernel log has \"%s\": %.200s", bad[k], hit);
	}
	free(buf);
}

int main(int argc, char **argv)
{
	const char *ko = NULL;
	unsigned int max_order;
	int fd, fd2;

	if (argc == 3 && !strcmp(argv[1], "--module")) {
		ko = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--module PATH.ko]\n", argv[0]);
		return 2;
	}
	tap_plan(TESTS);
	if (ko) {
		int ret;

		unload_module();
		ret = load_module(ko);
		if (ret)
			tap_bail("loading %s: %s", ko, strerror(-ret));
	}

	TEST("abi_numbers", test_abi_numbers());
	TEST("proc_mode", test_proc_mode());
	fd = open_pab();
	fd2 = open_pab();
	TEST("info", test_info(fd, &max_order));
	TEST("single", test_single(fd, fd2, max_order));
	TEST("bad_ids", test_bad_ids(fd, max_order));
	TEST("bad_orders", test_bad_orders(fd, max_order));
	TEST("bad_pointers", test_bad_pointers(fd));
	TEST("unknown_cmds", test_unknown_cmds(fd));
	TEST("batches", test_batches(fd, fd2, max_order));
	TEST("queues", test_queues(fd, fd2, max_order));
	TEST("queue_modes", test_queue_modes(fd, fd2, max_order));
	TEST("selftest", test_selftest(fd, max_order));
	TEST("selftest_killable", test_selftest_killable());
	TEST("probe", test_probe(fd, max_order));
	TEST("probe_killable", test_probe_killable(max_order));
	TEST("killed_child", test_killed_child(fd, max_order));
	TEST("threads", test_threads(fd));
	close(fd2);
	close(fd);
	if (ko)
		TEST("unload_with_open_file", test_unload_with_open_file(ko, max_order));
	else
		tap_skip("unload_with_open_file", "no --module");
	TEST("kernel_log", test_kernel_log());

	tap_diag("checks: %d passed, %d failed", passed, failed);
	return tap_finish();
}
