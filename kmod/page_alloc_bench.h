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

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#else
#include <assert.h>
#include <stddef.h>
#endif

#define PAB_PROC_NAME		"page_alloc_bench"
/* Each new call bumps it: 3 added PROBE, 4 QUEUE_ALLOC_MODE. */
#define PAB_ABI_VERSION		4
#define PAB_IOCTL_MAGIC		0x12

/* Most entries one batched call takes. */
#define PAB_BATCH_MAX		1024
/* Most alloc/free pairs one self-test call runs. */
#define PAB_SELFTEST_MAX	_BITULL(32)
#define PAB_VERSION_LEN		32
/* Most attempts one PROBE call makes. */
#define PAB_PROBE_MAX		_BITUL(20)

/*
 * PROBE modes, both movable allocations as huge pages are. NOCOMPACT takes
 * only what the free lists hold: no reclaim or compaction, direct or woken
 * in the background, so probing does not change what it probes. COMPACT
 * may reclaim and compact directly and retries while that makes progress,
 * but fails rather than OOM-kill.
 */
#define PAB_PROBE_NOCOMPACT	0
#define PAB_PROBE_COMPACT	1

/* Most pages one alloc_pages_bulk() call of QUEUE_ALLOC_MODE asks for. */
#define PAB_BULK_MAX		1024

/*
 * GFP modes of QUEUE_ALLOC_MODE; every one adds __GFP_NOWARN, as failure is
 * a result the caller counts.
 * KERNEL:  GFP_KERNEL, what the other calls use: may reclaim and compact.
 * ATOMIC:  GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM): never sleeps,
 *          may dip below the min watermark into the atomic reserve.
 * NORETRY: GFP_KERNEL | __GFP_NORETRY: one light round of direct reclaim
 *          and compaction, then fail; never the OOM killer.
 */
#define PAB_GFP_KERNEL		0
#define PAB_GFP_ATOMIC		1
#define PAB_GFP_NORETRY		2
#define PAB_GFP_MODES		3

/*
 * The layout checks below hold for the kernel and for userspace (C11) alike:
 * every field is at the same place on 32 and 64 bits, and no struct has an
 * implicit hole, so no uninitialised byte can travel either way.
 */
#define PAB_ABI_SIZE(type, size) \
	static_assert(sizeof(struct type) == (size), "size of struct " #type)
#define PAB_ABI_OFFSET(type, member, offset) \
	static_assert(offsetof(struct type, member) == (offset), \
		      "offset of " #type "." #member)

/**
 * struct pab_alloc_page_args - what ALLOC_PAGE is asked for
 * @order: order of the block to allocate, 0 to the kernel's highest
 * @__pad: fills the struct to the alignment of the result after it; ignored
 */
struct pab_alloc_page_args {
	__s32 order;
	__u32 __pad;
};

/**
 * struct pab_alloc_page_result - what ALLOC_PAGE reports
 * @id: names the block for FREE_PAGE and FREE_BATCH; opaque, valid only for
 *      the file that allocated it
 * @nid: NUMA node of the block
 * @__pad: keeps @latency_ns 8-aligned; written as 0
 * @latency_ns: time alloc_pages() alone took
 */
struct pab_alloc_page_result {
	__u64 id;
	__s32 nid;
	__u32 __pad;
	__s64 latency_ns;
};

/**
 * struct pab_alloc_page - argument of ALLOC_PAGE, the original's call 1
 * @args: in
 * @result: out
 */
struct pab_alloc_page {
	struct pab_alloc_page_args args;
	struct pab_alloc_page_result result;
};

PAB_ABI_SIZE(pab_alloc_page, 32);
PAB_ABI_OFFSET(pab_alloc_page, args.order, 0);
PAB_ABI_OFFSET(pab_alloc_page, result.id, 8);
PAB_ABI_OFFSET(pab_alloc_page, result.nid, 16);
PAB_ABI_OFFSET(pab_alloc_page, result.latency_ns, 24);

/**
 * struct pab_free_page_args - what FREE_PAGE is asked for
 * @id: a block's id from ALLOC_PAGE or ALLOC_BATCH on the same file
 */
struct pab_free_page_args {
	__u64 id;
};

/**
 * struct pab_free_page_result - what FREE_PAGE reports
 * @latency_ns: time __free_pages() alone took
 */
struct pab_free_page_result {
	__s64 latency_ns;
};

/**
 * struct pab_free_page - argument of FREE_PAGE, the original's call 3
 * @args: in
 * @result: out
 */
struct pab_free_page {
	struct pab_free_page_args args;
	struct pab_free_page_result result;
};

PAB_ABI_SIZE(pab_free_page, 16);
PAB_ABI_OFFSET(pab_free_page, args.id, 0);
PAB_ABI_OFFSET(pab_free_page, result.latency_ns, 8);

/**
 * struct pab_info - what INFO reports
 * @abi_version: PAB_ABI_VERSION
 * @max_order: highest order alloc_pages() takes
 * @file_outstanding: blocks held through this file
 * @total_outstanding: blocks held through all files
 * @total_outstanding_pages: the same, in base pages
 * @module_version: NUL-terminated
 */
struct pab_info {
	__u32 abi_version;
	__u32 max_order;
	__u64 file_outstanding;
	__u64 total_outstanding;
	__u64 total_outstanding_pages;
	char module_version[PAB_VERSION_LEN];
};

PAB_ABI_SIZE(pab_info, 64);
PAB_ABI_OFFSET(pab_info, abi_version, 0);
PAB_ABI_OFFSET(pab_info, max_order, 4);
PAB_ABI_OFFSET(pab_info, file_outstanding, 8);
PAB_ABI_OFFSET(pab_info, total_outstanding, 16);
PAB_ABI_OFFSET(pab_info, total_outstanding_pages, 24);
PAB_ABI_OFFSET(pab_info, module_version, 32);

/**
 * struct pab_batch_entry - one block of a batched or queue call
 * @id: out for ALLOC_BATCH, in for FREE_BATCH; out for the queue calls
 * @latency_ns: out: this entry's alloc_pages() or __free_pages()
 * @nid: out: the block's node (alloc), -1 (free)
 * @reserved: must be 0
 */
struct pab_batch_entry {
	__u64 id;
	__s64 latency_ns;
	__s32 nid;
	__u32 reserved;
};

PAB_ABI_SIZE(pab_batch_entry, 24);
PAB_ABI_OFFSET(pab_batch_entry, id, 0);
PAB_ABI_OFFSET(pab_batch_entry, latency_ns, 8);
PAB_ABI_OFFSET(pab_batch_entry, nid, 16);
PAB_ABI_OFFSET(pab_batch_entry, reserved, 20);

/**
 * struct pab_batch - argument of the batched and queue calls
 * @entries: user pointer to @count struct pab_batch_entry
 * @count: in: 1..PAB_BATCH_MAX
 * @order: in: order; ignored by FREE_BATCH
 * @done: out: entries that succeeded
 * @flags: in: must be 0
 *
 * ALLOC_BATCH allocates @count blocks of @order; FREE_BATCH frees the @count
 * ids given. Both stop at the first failure (-ENOMEM for alloc, -ENOENT for
 * an id this file does not hold) and still write back @done and the entries
 * [0, @done) that succeeded.
 *
 * Queue calls serve clients that free oldest first (the antagonist) with no
 * ids to file or look up. QUEUE_ALLOC allocates @count blocks of @order onto
 * the back of this file's queue for that order; QUEUE_FREE frees @count
 * blocks of @order from its front, and stops with -ENOENT when the queue is
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
	__u64 entries;
	__u32 count;
	__s32 order;
	__u32 done;
	__u32 flags;
};

PAB_ABI_SIZE(pab_batch, 24);
PAB_ABI_OFFSET(pab_batch, entries, 0);
PAB_ABI_OFFSET(pab_batch, count, 8);
PAB_ABI_OFFSET(pab_batch, order, 12);
PAB_ABI_OFFSET(pab_batch, done, 16);
PAB_ABI_OFFSET(pab_batch, flags, 20);

/**
 * struct pab_selftest - argument of SELFTEST, the in-kernel reference loop
 * @order: in
 * @hold: in: blocks held at most, 1..PAB_BATCH_MAX
 * @count: in: allocations to make, 1..PAB_SELFTEST_MAX
 * @allocs: out: successful allocations
 * @failures: out: failed allocations
 * @elapsed_ns: out: time the whole loop took
 *
 * Allocates @hold blocks, frees them all oldest first, and again, until
 * @count allocations were attempted (@allocs + @failures == @count, so it
 * ends under memory pressure too). Bursts, not alloc/free pairs, because
 * that is the antagonist's pattern: this is the machine's physical limit for
 * the work the antagonist drives from userspace.
 */
struct pab_selftest {
	__s32 order;
	__u32 hold;
	__u64 count;
	__u64 allocs;
	__u64 failures;
	__u64 elapsed_ns;
};

PAB_ABI_SIZE(pab_selftest, 40);
PAB_ABI_OFFSET(pab_selftest, order, 0);
PAB_ABI_OFFSET(pab_selftest, hold, 4);
PAB_ABI_OFFSET(pab_selftest, count, 8);
PAB_ABI_OFFSET(pab_selftest, allocs, 16);
PAB_ABI_OFFSET(pab_selftest, failures, 24);
PAB_ABI_OFFSET(pab_selftest, elapsed_ns, 32);

/**
 * struct pab_probe - argument of PROBE, the high-order probe
 * @latencies: in: user pointer to @count __s64; out: each attempt's
 *             alloc_pages() time in ns, failed attempts included
 * @count: in: attempts to make, 1..PAB_PROBE_MAX
 * @order: in: order of every attempt
 * @mode: in: PAB_PROBE_NOCOMPACT or PAB_PROBE_COMPACT
 * @flags: in: must be 0
 * @attempts: out: attempts made, @count on success
 * @successes: out: attempts that got a block
 * @elapsed_ns: out: time all attempts took, freeing excluded
 *
 * Makes @count attempts to allocate a block of @order, a failure not ending
 * the call, holding every block it gets, then frees them all before it
 * returns: a snapshot of how many such blocks the kernel can hand out now,
 * of which nothing is left held. Any error (-EFAULT on @latencies, -EINTR
 * for a fatal signal) frees what was got and writes nothing back.
 */
struct pab_probe {
	__u64 latencies;
	__u32 count;
	__s32 order;
	__u32 mode;
	__u32 flags;
	__u32 attempts;
	__u32 successes;
	__u64 elapsed_ns;
};

PAB_ABI_SIZE(pab_probe, 40);
PAB_ABI_OFFSET(pab_probe, latencies, 0);
PAB_ABI_OFFSET(pab_probe, count, 8);
PAB_ABI_OFFSET(pab_probe, order, 12);
PAB_ABI_OFFSET(pab_probe, mode, 16);
PAB_ABI_OFFSET(pab_probe, flags, 20);
PAB_ABI_OFFSET(pab_probe, attempts, 24);
PAB_ABI_OFFSET(pab_probe, successes, 28);
PAB_ABI_OFFSET(pab_probe, elapsed_ns, 32);

/**
 * struct pab_queue_alloc_mode - argument of QUEUE_ALLOC_MODE
 * @entries: user pointer to @count struct pab_batch_entry, written as by
 *           QUEUE_ALLOC
 * @count: in: blocks to allocate, 1..PAB_BATCH_MAX
 * @order: in: order; 0 when @bulk is set
 * @done: out: blocks allocated and queued
 * @gfp: in: PAB_GFP_KERNEL, PAB_GFP_ATOMIC or PAB_GFP_NORETRY
 * @bulk: in: 0 for one alloc_pages() per block; else pages asked of each
 *        alloc_pages_bulk() call, 1..PAB_BULK_MAX
 * @__pad: must be 0
 *
 * QUEUE_ALLOC with a choice of GFP flags and of the bulk API: the blocks go
 * onto the back of the same queue QUEUE_ALLOC fills and QUEUE_FREE empties.
 * With @bulk, calls begin at entries 0, @bulk, 2 * @bulk ... (the last may
 * ask for fewer); the first entry of a call holds that call's latency and
 * its other entries 0, so latencies still sum to the time spent allocating.
 * A call that returns fewer pages than it asked for ends the ioctl with
 * -ENOMEM after queueing what it got. -EOPNOTSUPP: the kernel has no
 * alloc_pages_bulk().
 */
struct pab_queue_alloc_mode {
	__u64 entries;
	__u32 count;
	__s32 order;
	__u32 done;
	__u32 gfp;
	__u32 bulk;
	__u32 __pad;
};

PAB_ABI_SIZE(pab_queue_alloc_mode, 32);
PAB_ABI_OFFSET(pab_queue_alloc_mode, entries, 0);
PAB_ABI_OFFSET(pab_queue_alloc_mode, count, 8);
PAB_ABI_OFFSET(pab_queue_alloc_mode, order, 12);
PAB_ABI_OFFSET(pab_queue_alloc_mode, done, 16);
PAB_ABI_OFFSET(pab_queue_alloc_mode, gfp, 20);
PAB_ABI_OFFSET(pab_queue_alloc_mode, bulk, 24);
PAB_ABI_OFFSET(pab_queue_alloc_mode, __pad, 28);

#define PAB_IOCTL_ALLOC_PAGE	_IOWR(PAB_IOCTL_MAGIC, 1, struct pab_alloc_page)
#define PAB_IOCTL_FREE_PAGE	_IOWR(PAB_IOCTL_MAGIC, 3, struct pab_free_page)
#define PAB_IOCTL_INFO		_IOR(PAB_IOCTL_MAGIC, 16, struct pab_info)
#define PAB_IOCTL_ALLOC_BATCH	_IOWR(PAB_IOCTL_MAGIC, 17, struct pab_batch)
#define PAB_IOCTL_FREE_BATCH	_IOWR(PAB_IOCTL_MAGIC, 18, struct pab_batch)
#define PAB_IOCTL_SELFTEST	_IOWR(PAB_IOCTL_MAGIC, 19, struct pab_selftest)
#define PAB_IOCTL_QUEUE_ALLOC	_IOWR(PAB_IOCTL_MAGIC, 20, struct pab_batch)
#define PAB_IOCTL_QUEUE_FREE	_IOWR(PAB_IOCTL_MAGIC, 21, struct pab_batch)
#define PAB_IOCTL_PROBE		_IOWR(PAB_IOCTL_MAGIC, 22, struct pab_probe)
#define PAB_IOCTL_QUEUE_ALLOC_MODE \
	_IOWR(PAB_IOCTL_MAGIC, 23, struct pab_queue_alloc_mode)

#endif /* _PAGE_ALLOC_BENCH_H */
