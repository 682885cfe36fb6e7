// SPDX-License-Identifier: GPL-2.0
/*
 * page_alloc_bench: lets userspace drive the page allocator through ioctls
 * on /proc/page_alloc_bench and times each alloc_pages()/__free_pages().
 *
 * Every open file holds its own pages; whatever it still holds is freed
 * when it is released, so a killed client leaks nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu_counter.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "page_alloc_bench.h"
#include "pab_compat.h"

#ifndef PAB_MODULE_VERSION
#define PAB_MODULE_VERSION "0.1.0"
#endif

/* Failure is a result the caller counts, not something to dump a stack for. */
#define PAB_GFP		(GFP_KERNEL | __GFP_NOWARN)

/*
 * An id is (file tag << PAB_TAG_SHIFT) | (index << PAB_ORDER_BITS) | order.
 * The order picks one of the file's xarrays; the index is allocated
 * cyclically in it, so a freed id is not soon handed out again and no memory
 * is needed per page besides the xarray's own nodes. Index 0 is never used,
 * so no id is 0. The tag, numbered per open, makes another file's ids miss
 * instead of naming one of this file's pages by chance.
 */
#define PAB_ORDER_BITS	5
#define PAB_ORDER_MASK	((1U << PAB_ORDER_BITS) - 1)
#define PAB_INDEX_MAX	U32_MAX
#define PAB_TAG_SHIFT	(PAB_ORDER_BITS + 32)
#define PAB_TAG_FIELD	GENMASK_ULL(63, PAB_TAG_SHIFT)
#define PAB_NR_ORDERS	(PAB_MAX_ORDER + 1)

static_assert(PAB_MAX_ORDER <= PAB_ORDER_MASK);

/* Batch entries copied to or from userspace at a time, on the stack. */
#define PAB_CHUNK	16

struct pab_ids {
	struct xarray xa;	/* index -> struct page * */
	u32 next;		/* next index to try, from 1; under xa's lock */
	unsigned long held;	/* blocks in xa; written under xa's lock */
};

/*
 * A queue of blocks of one order, oldest first: an xarray indexed by the
 * block's place in the queue, which the queue calls report as its id, so
 * struct page itself carries nothing. Places are consecutive, so the xarray
 * stays dense and costs a few bytes per block held; it grows only with the
 * blocks userspace holds and shrinks as the front is freed. The index is
 * the place truncated to unsigned long: the queue is a ring over the index
 * space, which no number of blocks held can fill.
 */
struct pab_queue {
	struct mutex lock;	/* held across the copy of new blocks' ids */
	struct xarray blocks;	/* (unsigned long)place -> struct page * */
	u64 head;		/* place of the oldest block queued, from 1 */
	u64 next;		/* place of the next block queued, from 1 */
	unsigned long held;	/* next - head; written under lock */
};

struct pab_file {
	struct pab_ids ids[PAB_NR_ORDERS];
	struct pab_queue queues[PAB_NR_ORDERS];
	u64 tag;		/* already shifted into place */
};

/*
 * Ends the call timed from *last, writing its latency to e, and starts the
 * next: one clock read per call. sched_clock() is per CPU, so a caller moved
 * to another CPU mid-call may see it step back: that reads 0, not less.
 */
static inline void pab_time(struct pab_batch_entry *e, u64 *last)
{
	u64 now = sched_clock();

	e->latency_ns = now > *last ? now - *last : 0;
	*last = now;
}

static atomic64_t pab_opens = ATOMIC64_INIT(0);

static struct percpu_counter pab_total_blocks;
static struct percpu_counter pab_total_pages;
static struct proc_dir_entry *pab_proc_entry;

/*
 * Batches work a chunk at a time: pages are allocated (or freed) one by
 * one, each call timed on its own, but each xarray lock is taken and the
 * global counters are updated once per chunk.
 */

/*
 * Stores pages[0, n) under the free indices that follow the cursor, writing
 * them to index[]; returns how many were stored (fewer only when the xarray
 * could not grow). A plain xarray with consecutive indices: one walk serves
 * a chunk and there are no free marks to keep, which __xa_alloc_cyclic()
 * updated up the tree on every store and erase.
 */
static unsigned int pab_store_pages(struct pab_ids *ids, struct page **pages,
				    u32 *index, unsigned int n)
{
	XA_STATE(xas, &ids->xa, 0);
	unsigned int stored = 0, before;

	do {
		xas_lock(&xas);
		before = stored;
		xas_set(&xas, ids->next);
		while (stored < n) {
			/* An index still held from before the cursor wrapped is skipped. */
			if (!xas_load(&xas)) {
				xas_store(&xas, pages[stored]);
				if (xas_error(&xas))
					break;
				index[stored++] = xas.xa_index;
			}
			if (xas.xa_index == PAB_INDEX_MAX)
				xas_set(&xas, 1);	/* index 0 is never used */
			else
				xas_next(&xas);
		}
		ids->next = xas.xa_index;
		WRITE_ONCE(ids->held, ids->held + stored - before);
		xas_unlock(&xas);
	} while (xas_nomem(&xas, PAB_GFP));
	return stored;
}

/*
 * Allocates up to n blocks of order into e[]; returns how many were
 * allocated and stored under an id. Fewer than n means out of memory.
 */
static unsigned int pab_alloc_chunk(struct pab_file *pf, unsigned int order,
				    struct pab_batch_entry *e, unsigned int n)
{
	struct pab_ids *ids = &pf->ids[order];
	struct page *pages[PAB_CHUNK];
	u32 index[PAB_CHUNK];
	unsigned int got, stored, i;
	u64 last = sched_clock();

	for (got = 0; got < n; got++) {
		pages[got] = alloc_pages(PAB_GFP, order);
		pab_time(&e[got], &last);
		if (!pages[got])
			break;
	}

	stored = pab_store_pages(ids, pages, index, got);
	for (i = 0; i < stored; i++) {
		e[i].id = pf->tag | ((u64)index[i] << PAB_ORDER_BITS) | order;
		e[i].nid = page_to_nid(pages[i]);
		e[i].reserved = 0;
	}

	for (i = stored; i < got; i++)
		__free_pages(pages[i], order);

	percpu_counter_add(&pab_total_blocks, stored);
	percpu_counter_add(&pab_total_pages, (s64)stored << order);
	return stored;
}

/*
 * The id table entry e names, or ERR_PTR(-EINVAL) for a set reserved field,
 * ERR_PTR(-ENOENT) for an id this file cannot have made.
 */
static struct pab_ids *pab_ids_of(struct pab_file *pf,
				  const struct pab_batch_entry *e)
{
	u64 index = (e->id >> PAB_ORDER_BITS) & PAB_INDEX_MAX;
	unsigned int o = e->id & PAB_ORDER_MASK;

	if (e->reserved)
		return ERR_PTR(-EINVAL);
	if ((e->id & PAB_TAG_FIELD) != pf->tag || index == 0 ||
	    o > PAB_MAX_ORDER)
		return ERR_PTR(-ENOENT);
	return &pf->ids[o];
}

/*
 * Frees the ids in e[0, n), stopping at the first entry with reserved set
 * (-EINVAL) or an id this file does not hold (-ENOENT). *done is set to the
 * number freed, whose latency_ns and nid are filled in.
 */
static int pab_free_chunk(struct pab_file *pf, struct pab_batch_entry *e,
			  unsigned int n, unsigned int *done)
{
	struct page *pages[PAB_CHUNK];
	u8 orders[PAB_CHUNK];
	s64 base_pages = 0;
	unsigned int i = 0, k;
	u64 last;
	int ret = 0;

	while (i < n && !ret) {
		struct pab_ids *ids = pab_ids_of(pf, &e[i]);

		if (IS_ERR(ids)) {
			ret = PTR_ERR(ids);
			break;
		}
		/* One lock for each run of entries of the same order. */
		xa_lock(&ids->xa);
		do {
			u64 index = (e[i].id >> PAB_ORDER_BITS) & PAB_INDEX_MAX;

			pages[i] = __xa_erase(&ids->xa, index);
			if (!pages[i]) {
				ret = -ENOENT;
				break;
			}
			WRITE_ONCE(ids->held, ids->held - 1);
			orders[i] = e[i].id & PAB_ORDER_MASK;
			i++;
		} while (i < n && pab_ids_of(pf, &e[i]) == ids);
		xa_unlock(&ids->xa);
	}

	last = sched_clock();
	for (k = 0; k < i; k++) {
		__free_pages(pages[k], orders[k]);
		pab_time(&e[k], &last);
		e[k].nid = NUMA_NO_NODE;
		base_pages += 1L << orders[k];
	}
	percpu_counter_sub(&pab_total_blocks, i);
	percpu_counter_sub(&pab_total_pages, base_pages);
	*done = i;
	return ret;
}

/* Gives back blocks just allocated whose ids could not reach userspace. */
static void pab_undo(struct pab_file *pf, struct pab_batch_entry *e,
		     unsigned int n)
{
	unsigned int done;

	pab_free_chunk(pf, e, n, &done);
}

/*
 * Allocates up to n blocks of order into pages[] and fills in e[] but for
 * the ids; returns how many (fewer than n: out of memory).
 */
static unsigned int pab_queue_alloc_chunk(unsigned int order, gfp_t gfp,
					  struct pab_batch_entry *e,
					  unsigned int n, struct page **pages)
{
	unsigned int got;
	u64 last = sched_clock();

	for (got = 0; got < n; got++) {
		pages[got] = alloc_pages(gfp, order);
		pab_time(&e[got], &last);
		if (!pages[got])
			break;
		e[got].nid = page_to_nid(pages[got]);
		e[got].reserved = 0;
	}
	return got;
}

/*
 * Stores pages[0, n) at the back of q, from place q->next on; returns how
 * many were stored (fewer only when the xarray could not grow). Only the
 * caller, under q->lock, moves q->next past them.
 */
static unsigned int pab_queue_store(struct pab_queue *q, struct page **pages,
				    unsigned int n)
{
	XA_STATE(xas, &q->blocks, (unsigned long)q->next);
	unsigned int stored = 0;

	do {
		xas_lock(&xas);
		xas_set(&xas, (unsigned long)(q->next + stored));
		while (stored < n) {
			xas_store(&xas, pages[stored]);
			if (xas_error(&xas))
				break;
			stored++;
			xas_next(&xas);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, PAB_GFP));
	return stored;
}

/* Takes the n blocks just stored from place q->next on off q again. */
static void pab_queue_unstore(struct pab_queue *q, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		xa_erase(&q->blocks, (unsigned long)(q->next + i));
}

/*
 * Queues the got blocks in pages[], numbering them in e[] and copying e[] to
 * ue; returns how many were queued, with *ret set to -ENOMEM when the queue
 * could not take them all, or to -EFAULT when the copy failed: then nothing
 * is queued. Blocks not queued are freed. The lock makes numbering, copy and
 * queueing one step for other callers on the same file.
 */
static unsigned int pab_queue_add(struct pab_queue *q, unsigned int order,
				  struct page **pages, unsigned int got,
				  struct pab_batch_entry *e,
				  struct pab_batch_entry __user *ue, int *ret)
{
	unsigned int i, n;

	*ret = 0;
	mutex_lock(&q->lock);
	n = pab_queue_store(q, pages, got);
	for (i = 0; i < n; i++)
		e[i].id = q->next + i;
	if (n && copy_to_user(ue, e, n * sizeof(*e))) {
		pab_queue_unstore(q, n);
		n = 0;
		*ret = -EFAULT;
	} else if (n < got) {
		*ret = -ENOMEM;
	}
	q->next += n;
	WRITE_ONCE(q->held, q->held + n);
	mutex_unlock(&q->lock);

	for (i = n; i < got; i++)
		__free_pages(pages[i], order);
	percpu_counter_add(&pab_total_blocks, n);
	percpu_counter_add(&pab_total_pages, (s64)n << order);
	return n;
}

/*
 * Frees up to n of the oldest blocks in q, writing e[0, done); returns
 * -ENOENT if the queue ran empty first.
 */
static int pab_queue_free_chunk(struct pab_queue *q, unsigned int order,
				struct pab_batch_entry *e, unsigned int n,
				unsigned int *done)
{
	struct page *pages[PAB_CHUNK];
	unsigned int i, k;
	u64 last;

	mutex_lock(&q->lock);
	xa_lock(&q->blocks);
	for (i = 0; i < n && q->head != q->next; i++) {
		e[i].id = q->head;
		pages[i] = __xa_erase(&q->blocks, (unsigned long)q->head++);
	}
	xa_unlock(&q->blocks);
	WRITE_ONCE(q->held, q->held - i);
	mutex_unlock(&q->lock);

	last = sched_clock();
	for (k = 0; k < i; k++) {
		__free_pages(pages[k], order);
		pab_time(&e[k], &last);
		e[k].nid = NUMA_NO_NODE;
		e[k].reserved = 0;
	}
	percpu_counter_sub(&pab_total_blocks, i);
	percpu_counter_sub(&pab_total_pages, (s64)i << order);
	*done = i;
	return i < n ? -ENOENT : 0;
}

static bool pab_order_valid(s32 order)
{
	return order >= 0 && order <= PAB_MAX_ORDER;
}

static long pab_ioctl_alloc_page(struct pab_file *pf,
				 struct pab_alloc_page __user *uarg)
{
	struct pab_alloc_page req;
	struct pab_batch_entry e;

	memset(&req, 0, sizeof(req));
	if (copy_from_user(&req.args, &uarg->args, sizeof(req.args)))
		return -EFAULT;
	if (!pab_order_valid(req.args.order))
		return -EINVAL;

	if (!pab_alloc_chunk(pf, req.args.order, &e, 1))
		return -ENOMEM;

	req.result.id = e.id;
	req.result.nid = e.nid;
	req.result.latency_ns = e.latency_ns;
	if (copy_to_user(&uarg->result, &req.result, sizeof(req.result))) {
		pab_undo(pf, &e, 1);
		return -EFAULT;
	}
	return 0;
}

static long pab_ioctl_free_page(struct pab_file *pf,
				struct pab_free_page __user *uarg)
{
	struct pab_free_page req;
	struct pab_batch_entry e;
	unsigned int done;
	int ret;

	memset(&req, 0, sizeof(req));
	if (copy_from_user(&req.args, &uarg->args, sizeof(req.args)))
		return -EFAULT;

	memset(&e, 0, sizeof(e));
	e.id = req.args.id;
	ret = pab_free_chunk(pf, &e, 1, &done);
	if (ret)
		return ret;
	req.result.latency_ns = e.latency_ns;

	/* The page is gone either way; only the latency is lost. */
	if (copy_to_user(&uarg->result, &req.result, sizeof(req.result)))
		return -EFAULT;
	return 0;
}

static long pab_ioctl_info(struct pab_file *pf, struct pab_info __user *uarg)
{
	struct pab_info info;
	unsigned int o;

	memset(&info, 0, sizeof(info));
	info.abi_version = PAB_ABI_VERSION;
	info.max_order = PAB_MAX_ORDER;
	for (o = 0; o < PAB_NR_ORDERS; o++)
		info.file_outstanding += READ_ONCE(pf->ids[o].held) +
					 READ_ONCE(pf->queues[o].held);
	info.total_outstanding = percpu_counter_sum_positive(&pab_total_blocks);
	info.total_outstanding_pages =
		percpu_counter_sum_positive(&pab_total_pages);
	strscpy(info.module_version, PAB_MODULE_VERSION,
		sizeof(info.module_version));

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/*
 * Reads and checks a batch header. done is zeroed in userspace first, so a
 * header we cannot write back fails before anything is allocated or freed.
 */
static int pab_batch_begin(struct pab_batch __user *uarg, struct pab_batch *b)
{
	if (copy_from_user(b, uarg, sizeof(*b)))
		return -EFAULT;
	if (b->count == 0 || b->count > PAB_BATCH_MAX || b->flags)
		return -EINVAL;
	if (put_user(0U, &uarg->done))
		return -EFAULT;
	return 0;
}

static long pab_batch_end(struct pab_batch __user *uarg, u32 done, int ret)
{
	if (put_user(done, &uarg->done))
		return -EFAULT;
	return ret;
}

/* Stops early, with what was done kept, when the caller is being killed. */
static int pab_batch_yield(void)
{
	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	return 0;
}

/*
 * One chunk of a batched call: handles the n entries at e, whose userspace
 * copy is at ue; sets *done to how many succeeded and returns 0 or the error
 * that ends the call.
 */
typedef int (*pab_step_fn)(struct pab_file *pf, s32 order,
			   struct pab_batch_entry *e, unsigned int n,
			   struct pab_batch_entry __user *ue, unsigned int *done);

static int pab_step_alloc(struct pab_file *pf, s32 order,
			  struct pab_batch_entry *e, unsigned int n,
			  struct pab_batch_entry __user *ue, unsigned int *done)
{
	unsigned int i = pab_alloc_chunk(pf, order, e, n);

	*done = 0;
	if (i && copy_to_user(ue, e, i * sizeof(*e))) {
		pab_undo(pf, e, i);
		return -EFAULT;
	}
	*done = i;
	return i < n ? -ENOMEM : 0;
}

static int pab_step_free(struct pab_file *pf, s32 order,
			 struct pab_batch_entry *e, unsigned int n,
			 struct pab_batch_entry __user *ue, unsigned int *done)
{
	int ret;

	*done = 0;
	if (copy_from_user(e, ue, n * sizeof(*e)))
		return -EFAULT;
	ret = pab_free_chunk(pf, e, n, done);
	/* Freed is freed: done counts them even if the write fails. */
	if (*done && copy_to_user(ue, e, *done * sizeof(*e)))
		ret = -EFAULT;
	return ret;
}

/* Allocates n blocks with gfp onto the back of order's queue. */
static int pab_queue_alloc_gfp(struct pab_file *pf, s32 order, gfp_t gfp,
			       struct pab_batch_entry *e, unsigned int n,
			       struct pab_batch_entry __user *ue,
			       unsigned int *done)
{
	struct page *pages[PAB_CHUNK];
	unsigned int got;
	int ret;

	got = pab_queue_alloc_chunk(order, gfp, e, n, pages);
	*done = 0;
	if (!got)
		return -ENOMEM;
	*done = pab_queue_add(&pf->queues[order], order, pages, got, e, ue,
			      &ret);
	if (!ret && got < n)
		ret = -ENOMEM;
	return ret;
}

static int pab_step_queue_alloc(struct pab_file *pf, s32 order,
				struct pab_batch_entry *e, unsigned int n,
				struct pab_batch_entry __user *ue,
				unsigned int *done)
{
	return pab_queue_alloc_gfp(pf, order, PAB_GFP, e, n, ue, done);
}

static int pab_step_queue_free(struct pab_file *pf, s32 order,
			       struct pab_batch_entry *e, unsigned int n,
			       struct pab_batch_entry __user *ue,
			       unsigned int *done)
{
	int ret = pab_queue_free_chunk(&pf->queues[order], order, e, n, done);

	if (*done && copy_to_user(ue, e, *done * sizeof(*e)))
		ret = -EFAULT;
	return ret;
}

/* A batched call: its header checked, then step over each chunk in turn. */
static long pab_ioctl_batch(struct pab_file *pf, struct pab_batch __user *uarg,
			    bool takes_order, pab_step_fn step)
{
	struct pab_batch_entry chunk[PAB_CHUNK];
	struct pab_batch_entry __user *ue;
	struct pab_batch b;
	u32 done = 0;
	int ret;

	ret = pab_batch_begin(uarg, &b);
	if (ret)
		return ret;
	if (takes_order && !pab_order_valid(b.order))
		return -EINVAL;
	ue = u64_to_user_ptr(b.entries);

	while (done < b.count && !ret) {
		unsigned int n = min_t(u32, b.count - done, PAB_CHUNK);
		unsigned int i;

		ret = step(pf, b.order, chunk, n, ue + done, &i);
		done += i;
		if (!ret && done < b.count)
			ret = pab_batch_yield();
	}
	return pab_batch_end(uarg, done, ret);
}

static gfp_t pab_gfp_of(u32 mode)
{
	switch (mode) {
	case PAB_GFP_ATOMIC:
		return GFP_ATOMIC | __GFP_NOWARN;
	case PAB_GFP_NORETRY:
		return GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	default:
		return PAB_GFP;
	}
}

#ifdef PAB_HAVE_BULK
/*
 * One alloc_pages_bulk() call for m order-0 pages, queued at the back of
 * order 0's queue; its entries are copied to ue. pages[] is scratch for m.
 */
static int pab_bulk_call(struct pab_file *pf, gfp_t gfp, struct page **pages,
			 unsigned int m, struct pab_batch_entry __user *ue,
			 unsigned int *done)
{
	struct pab_batch_entry e[PAB_CHUNK];
	struct pab_batch_entry first;
	unsigned int got, i = 0;
	u64 last;
	int ret = 0;

	*done = 0;
	memset(pages, 0, m * sizeof(*pages));
	last = sched_clock();
	got = pab_alloc_pages_bulk(gfp, m, pages);
	pab_time(&first, &last);
	/* Slots are filled from the first; a short call leaves the rest NULL. */
	got = min(got, m);

	while (i < got && !ret) {
		unsigned int n = min(got - i, (unsigned int)PAB_CHUNK), k;

		for (k = 0; k < n; k++) {
			e[k].latency_ns = i + k ? 0 : first.latency_ns;
			e[k].nid = page_to_nid(pages[i + k]);
			e[k].reserved = 0;
		}
		*done += pab_queue_add(&pf->queues[0], 0, pages + i, n, e,
				       ue + i, &ret);
		i += n;
	}
	/* Blocks after a failed copy were never queued. */
	for (; i < got; i++)
		__free_pages(pages[i], 0);
	if (!ret && got < m)
		ret = -ENOMEM;
	return ret;
}

static int pab_queue_alloc_bulk(struct pab_file *pf,
				const struct pab_queue_alloc_mode *a,
				struct pab_batch_entry __user *ue, u32 *done)
{
	struct page **pages;
	int ret = 0;

	pages = kmalloc_array(a->bulk, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (*done < a->count && !ret) {
		unsigned int m = min(a->count - *done, a->bulk), n;

		ret = pab_bulk_call(pf, pab_gfp_of(a->gfp), pages, m,
				    ue + *done, &n);
		*done += n;
		if (!ret && *done < a->count)
			ret = pab_batch_yield();
	}
	kfree(pages);
	return ret;
}
#else
static int pab_queue_alloc_bulk(struct pab_file *pf,
				const struct pab_queue_alloc_mode *a,
				struct pab_batch_entry __user *ue, u32 *done)
{
	return -EOPNOTSUPP;
}
#endif

static bool pab_queue_alloc_mode_valid(const struct pab_queue_alloc_mode *a)
{
	return a->count && a->count <= PAB_BATCH_MAX &&
	       pab_order_valid(a->order) && a->gfp < PAB_GFP_MODES &&
	       a->bulk <= PAB_BULK_MAX && (!a->bulk || a->order == 0) &&
	       !a->__pad;
}

static long pab_ioctl_queue_alloc_mode(struct pab_file *pf,
				       struct pab_queue_alloc_mode __user *uarg)
{
	struct pab_batch_entry chunk[PAB_CHUNK];
	struct pab_batch_entry __user *ue;
	struct pab_queue_alloc_mode a;
	u32 done = 0;
	int ret = 0;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!pab_queue_alloc_mode_valid(&a))
		return -EINVAL;
	if (put_user(0U, &uarg->done))
		return -EFAULT;
	ue = u64_to_user_ptr(a.entries);

	if (a.bulk)
		ret = pab_queue_alloc_bulk(pf, &a, ue, &done);
	while (!a.bulk && done < a.count && !ret) {
		unsigned int n = min_t(u32, a.count - done, PAB_CHUNK);
		unsigned int i;

		ret = pab_queue_alloc_gfp(pf, a.order, pab_gfp_of(a.gfp), chunk,
					  n, ue + done, &i);
		done += i;
		if (!ret && done < a.count)
			ret = pab_batch_yield();
	}
	if (put_user(done, &uarg->done))
		return -EFAULT;
	return ret;
}

static long pab_ioctl_selftest(struct pab_selftest __user *uarg)
{
	struct pab_selftest st;
	struct page **held;
	u32 nheld, k;
	u64 start, tried = 0;
	int ret = 0;

	if (copy_from_user(&st, uarg, sizeof(st)))
		return -EFAULT;
	if (!pab_order_valid(st.order) || st.hold == 0 ||
	    st.hold > PAB_BATCH_MAX || st.count == 0 ||
	    st.count > PAB_SELFTEST_MAX)
		return -EINVAL;

	held = kmalloc_array(st.hold, sizeof(*held), GFP_KERNEL);
	if (!held)
		return -ENOMEM;

	st.allocs = 0;
	st.failures = 0;
	start = ktime_get_ns();
	/* count attempts: a failed allocation is counted and the loop moves on */
	while (tried < st.count && !ret) {
		nheld = 0;
		while (nheld < st.hold && tried < st.count) {
			struct page *page = alloc_pages(PAB_GFP, st.order);

			tried++;
			if (page) {
				held[nheld++] = page;
				st.allocs++;
			} else {
				st.failures++;
			}
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			cond_resched();
		}
		for (k = 0; k < nheld; k++) {
			__free_pages(held[k], st.order);
			cond_resched();
		}
	}
	st.elapsed_ns = ktime_get_ns() - start;
	kfree(held);

	if (ret)
		return ret;
	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

/*
 * The probe's flags, movable as a huge page is: blocks are taken from
 * movable pageblocks first, so probing does not turn pageblocks unmovable
 * behind it. NOCOMPACT drops __GFP_RECLAIM (no direct reclaim or
 * compaction, no kswapd or kcompactd woken) and adds __GFP_NOMEMALLOC (no
 * reserves, no highatomic pageblock reserved): what the free lists hold
 * above the watermark. COMPACT adds __GFP_RETRY_MAYFAIL: direct reclaim and
 * compaction, retried while they progress, a failure rather than the OOM
 * killer. 0 for an unknown mode.
 */
static gfp_t pab_probe_gfp(u32 mode)
{
	switch (mode) {
	case PAB_PROBE_NOCOMPACT:
		return ((GFP_KERNEL | __GFP_MOVABLE) & ~__GFP_RECLAIM) |
		       __GFP_NOMEMALLOC | __GFP_NOWARN;
	case PAB_PROBE_COMPACT:
		return GFP_KERNEL | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL |
		       __GFP_NOWARN;
	default:
		return 0;
	}
}

/* Frees the probe's blocks, chained through their head pages' lru. */
static void pab_probe_free(struct list_head *held, unsigned int order)
{
	struct page *page, *next;
	unsigned int n = 0;

	list_for_each_entry_safe(page, next, held, lru) {
		list_del(&page->lru);
		__free_pages(page, order);
		if (!(++n % PAB_CHUNK))
			cond_resched();
	}
}

static long pab_ioctl_probe(struct pab_probe __user *uarg)
{
	s64 lat[PAB_CHUNK];
	struct pab_probe p;
	s64 __user *ulat;
	LIST_HEAD(held);
	u64 start;
	gfp_t gfp;
	int ret = 0;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	gfp = pab_probe_gfp(p.mode);
	if (!pab_order_valid(p.order) || p.count == 0 ||
	    p.count > PAB_PROBE_MAX || p.flags || !gfp)
		return -EINVAL;
	ulat = u64_to_user_ptr(p.latencies);

	p.attempts = 0;
	p.successes = 0;
	start = ktime_get_ns();
	while (p.attempts < p.count && !ret) {
		unsigned int n = min_t(u32, p.count - p.attempts, PAB_CHUNK);
		unsigned int i;

		for (i = 0; i < n; i++) {
			/* A clock for all CPUs: a long attempt may move. */
			u64 t0 = ktime_get_ns();
			struct page *page = alloc_pages(gfp, p.order);

			lat[i] = ktime_get_ns() - t0;
			if (page) {
				list_add_tail(&page->lru, &held);
				p.successes++;
			}
		}
		if (copy_to_user(ulat + p.attempts, lat, n * sizeof(lat[0])))
			ret = -EFAULT;
		p.attempts += n;
		if (!ret && p.attempts < p.count)
			ret = pab_batch_yield();
	}
	p.elapsed_ns = ktime_get_ns() - start;

	pab_probe_free(&held, p.order);
	if (ret)
		return ret;
	if (copy_to_user(&uarg->attempts, &p.attempts,
			 sizeof(p) - offsetof(struct pab_probe, attempts)))
		return -EFAULT;
	return 0;
}

static long pab_unknown_ioctl(unsigned int cmd)
{
	pr_info_ratelimited("unknown ioctl %#x from %s[%d]\n", cmd,
			    current->comm, task_pid_nr(current));
	return -ENOTTY;
}

static long pab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pab_file *pf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PAB_IOCTL_ALLOC_PAGE:
		return pab_ioctl_alloc_page(pf, uarg);
	case PAB_IOCTL_FREE_PAGE:
		return pab_ioctl_free_page(pf, uarg);
	case PAB_IOCTL_INFO:
		return pab_ioctl_info(pf, uarg);
	case PAB_IOCTL_ALLOC_BATCH:
		return pab_ioctl_batch(pf, uarg, true, pab_step_alloc);
	case PAB_IOCTL_FREE_BATCH:
		return pab_ioctl_batch(pf, uarg, false, pab_step_free);
	case PAB_IOCTL_SELFTEST:
		return pab_ioctl_selftest(uarg);
	case PAB_IOCTL_QUEUE_ALLOC:
		return pab_ioctl_batch(pf, uarg, true, pab_step_queue_alloc);
	case PAB_IOCTL_QUEUE_FREE:
		return pab_ioctl_batch(pf, uarg, true, pab_step_queue_free);
	case PAB_IOCTL_PROBE:
		return pab_ioctl_probe(uarg);
	case PAB_IOCTL_QUEUE_ALLOC_MODE:
		return pab_ioctl_queue_alloc_mode(pf, uarg);
	default:
		return pab_unknown_ioctl(cmd);
	}
}

static struct pab_file *pab_file_alloc(void)
{
	struct pab_file *pf;
	unsigned int o;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return NULL;
	for (o = 0; o < PAB_NR_ORDERS; o++) {
		xa_init(&pf->ids[o].xa);
		pf->ids[o].next = 1;
		mutex_init(&pf->queues[o].lock);
		xa_init(&pf->queues[o].blocks);
		pf->queues[o].head = 1;
		pf->queues[o].next = 1;
	}
	/* Bits shifted out just make the tags wrap, after 2^27 opens. */
	pf->tag = (u64)atomic64_inc_return(&pab_opens) << PAB_TAG_SHIFT;
	return pf;
}

/* Frees every block of order in xa, and xa's own memory. */
static void pab_free_xa(struct xarray *xa, unsigned int order)
{
	struct page *page;
	unsigned long index;
	long n = 0;

	xa_for_each(xa, index, page) {
		__free_pages(page, order);
		n++;
		cond_resched();
	}
	xa_destroy(xa);
	percpu_counter_sub(&pab_total_blocks, n);
	percpu_counter_sub(&pab_total_pages, n << order);
}

/* Frees every block pf still holds, and pf. */
static void pab_file_free(struct pab_file *pf)
{
	unsigned int o;

	for (o = 0; o < PAB_NR_ORDERS; o++) {
		pab_free_xa(&pf->ids[o].xa, o);
		pab_free_xa(&pf->queues[o].blocks, o);
		mutex_destroy(&pf->queues[o].lock);
	}
	kfree(pf);
}

static int pab_open(struct inode *inode, struct file *file)
{
	struct pab_file *pf = pab_file_alloc();

	if (!pf)
		return -ENOMEM;
	file->private_data = pf;
	return 0;
}

/*
 * Runs on the last close, and from remove_proc_entry() at unload for files
 * still open; either way no ioctl is running on the file any more.
 */
static int pab_release(struct inode *inode, struct file *file)
{
	pab_file_free(file->private_data);
	file->private_data = NULL;
	return 0;
}

static const struct proc_ops pab_proc_ops = {
	.proc_open		= pab_open,
	.proc_release		= pab_release,
	.proc_ioctl		= pab_ioctl,
};

static int __init pab_init(void)
{
	int ret;

	ret = percpu_counter_init(&pab_total_blocks, 0, GFP_KERNEL);
	if (ret)
		return ret;
	ret = percpu_counter_init(&pab_total_pages, 0, GFP_KERNEL);
	if (ret)
		goto err_blocks;
	pab_proc_entry = proc_create(PAB_PROC_NAME, 0600, NULL, &pab_proc_ops);
	if (!pab_proc_entry) {
		ret = -ENOMEM;
		goto err_pages;
	}
	pr_info("version %s, max order %d\n", PAB_MODULE_VERSION, PAB_MAX_ORDER);
	return 0;

err_pages:
	percpu_counter_destroy(&pab_total_pages);
err_blocks:
	percpu_counter_destroy(&pab_total_blocks);
	return ret;
}

static void __exit pab_exit(void)
{
	s64 left;

	/* Waits for running ioctls, then releases every file still open. */
	proc_remove(pab_proc_entry);

	left = percpu_counter_sum(&pab_total_blocks);
	if (left)
		pr_err("%lld blocks still held at unload\n", left);
	percpu_counter_destroy(&pab_total_pages);
	percpu_counter_destroy(&pab_total_blocks);
}

module_init(pab_init);
module_exit(pab_exit);

MODULE_DESCRIPTION("Page allocator benchmark: timed alloc_pages()/__free_pages() from userspace");
MODULE_LICENSE("GPL");
MODULE_VERSION(PAB_MODULE_VERSION);
