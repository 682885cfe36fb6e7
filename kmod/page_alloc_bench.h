/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * page_alloc_bench ioctl ABI: the one definition shared by the module,
 * userspace C and (checked by tests, never edited on its own) the C# tools.
 *
 * Calls 1 and 3 are the original benchmark's, bit for bit on x86-64:
 * ALLOC_PAGE is 0xc0201201 and FREE_PAGE 0xc0101203.
 */
#ifndef _PAGE_ALLOC_BENCH_H
#define _PAGE_ALLOC_BENCH_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define PAB_PROC_NAME		"page_alloc_bench"
#define PAB_ABI_VERSION		2
#define PAB_IOCTL_MAGIC		0x12

/* Most entries one batched call takes. */
#define PAB_BATCH_MAX		1024
/* Most alloc/free pairs one self-test call runs. */
#define PAB_SELFTEST_MAX	_BITULL(32)
#define PAB_VERSION_LEN		32

struct pab_alloc_page_args {
	__s32 order;
};

struct pab_alloc_page_result {
	__u64 id;		/* opaque; valid only for the file that allocated */
	__s32 nid;		/* NUMA node of the page */
	__s64 latency_ns;	/* alloc_pages() alone */
};

struct pab_alloc_page {
	struct pab_alloc_page_args args;
	struct pab_alloc_page_result result;
};

struct pab_free_page_args {
	__u64 id;
};

struct pab_free_page_result {
	__s64 latency_ns;	/* __free_pages() alone */
};

struct pab_free_page {
	struct pab_free_page_args args;
	struct pab_free_page_result result;
};

struct pab_info {
	__u32 abi_version;		/* PAB_ABI_VERSION */
	__u32 max_order;		/* highest order alloc_pages() takes */
	__u64 file_outstanding;		/* blocks held through this file */
	__u64 total_outstanding;	/* blocks held through all files */
	__u64 total_outstanding_pages;	/* the same, in base pages */
	char module_version[PAB_VERSION_LEN];	/* NUL-terminated */
};

struct pab_batch_entry {
	__u64 id;		/* out for alloc, in for free; queue calls: out */
	__s64 latency_ns;	/* out: this entry's alloc_pages()/__free_pages() */
	__s32 nid;		/* out: page's node (alloc); -1 (free) */
	__u32 reserved;		/* must be 0 */
};

/*
 * Batched calls. ALLOC_BATCH allocates count blocks of order; FREE_BATCH
 * frees the count ids given. Both stop at the first failure (-ENOMEM for
 * alloc, -ENOENT for an id this file does not hold) and still write back
 * done and the entries [0, done) that succeeded.
 *
 * Queue calls serve clients that free oldest first (the antagonist) with no
 * ids to file or look up. QUEUE_ALLOC allocates count blocks of order onto
 * the back of this file's queue for that order; QUEUE_FREE frees count
 * blocks of order from its front, and stops with -ENOENT when the queue is
 * empty. Each entry's id is the block's place in its queue (1 for the first
 * block ever queued there, 2 for the next...), written by both calls, so a
 * client can check what was freed. Queued blocks are not ids: FREE_BATCH
 * and FREE_PAGE never find them.
 *
 * Every latency the module reports is a delta of the CPU's scheduler clock
 * (sched_clock(): cheap, in nanoseconds, monotonic on one CPU even where
 * the CPUs' clocks are not in step); a call that moved to another CPU may
 * read 0, so a client that wants exact latencies stays on one CPU, as
 * pab-antagonize's pinned workers do.
 */
struct pab_batch {
	__u64 entries;		/* user pointer to count pab_batch_entry */
	__u32 count;		/* in: 1..PAB_BATCH_MAX */
	__s32 order;		/* in: order; ignored by FREE_BATCH */
	__u32 done;		/* out: entries that succeeded */
	__u32 flags;		/* in: must be 0 */
};

/*
 * In-kernel reference loop: allocate hold blocks, free them all oldest
 * first, and again, until count allocations were attempted (allocs +
 * failures == count, so it ends under memory pressure too). Bursts, not
 * alloc/free pairs, because that is the antagonist's pattern: this is the
 * machine's physical limit for the work the antagonist drives from
 * userspace.
 */
struct pab_selftest {
	__s32 order;		/* in */
	__u32 hold;		/* in: blocks held at most, 1..PAB_BATCH_MAX */
	__u64 count;		/* in: allocations to make, 1..PAB_SELFTEST_MAX */
	__u64 allocs;		/* out: successful allocations */
	__u64 failures;		/* out: failed allocations */
	__u64 elapsed_ns;	/* out: time the whole loop took */
};

#define PAB_IOCTL_ALLOC_PAGE	_IOWR(PAB_IOCTL_MAGIC, 1, struct pab_alloc_page)
#define PAB_IOCTL_FREE_PAGE	_IOWR(PAB_IOCTL_MAGIC, 3, struct pab_free_page)
#define PAB_IOCTL_INFO		_IOR(PAB_IOCTL_MAGIC, 16, struct pab_info)
#define PAB_IOCTL_ALLOC_BATCH	_IOWR(PAB_IOCTL_MAGIC, 17, struct pab_batch)
#define PAB_IOCTL_FREE_BATCH	_IOWR(PAB_IOCTL_MAGIC, 18, struct pab_batch)
#define PAB_IOCTL_SELFTEST	_IOWR(PAB_IOCTL_MAGIC, 19, struct pab_selftest)
#define PAB_IOCTL_QUEUE_ALLOC	_IOWR(PAB_IOCTL_MAGIC, 20, struct pab_batch)
#define PAB_IOCTL_QUEUE_FREE	_IOWR(PAB_IOCTL_MAGIC, 21, struct pab_batch)

#endif /* _PAGE_ALLOC_BENCH_H */
