// SPDX-License-Identifier: GPL-2.0
/*
 * TEST-ONLY stand-in for the original benchmark's module, for testing this
 * project's tools against: it answers only the original's two calls,
 * ALLOC_PAGE and FREE_PAGE, with the ABI of kmod/page_alloc_bench.h, and
 * -EINVAL for any other. As the original, it keeps one pool of blocks for
 * every open file, freed at unload rather than at close, and has no
 * version. Never shipped.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "page_alloc_bench.h"
#include "pab_compat.h"

/* Failure is a result the caller counts, not something to dump a stack for. */
#define PAB_GFP		(GFP_KERNEL | __GFP_NOWARN)

/*
 * An id is (index << PAB_ORDER_BITS) | order: the order picks one of the
 * pool's xarrays, whose indices are handed out cyclically from 1, so no id
 * is 0 and a freed id is not soon valid again.
 */
#define PAB_ORDER_BITS	5
#define PAB_ORDER_MASK	((1U << PAB_ORDER_BITS) - 1)
#define PAB_NR_ORDERS	(PAB_MAX_ORDER + 1)

static_assert(PAB_MAX_ORDER <= PAB_ORDER_MASK);

static struct xarray pab_pool[PAB_NR_ORDERS];	/* index -> struct page * */
static u32 pab_next[PAB_NR_ORDERS];		/* under the xarray's lock */
static struct proc_dir_entry *pab_proc_entry;

/* sched_clock() is per CPU: a call moved to another CPU reads 0, not less. */
static s64 pab_since(u64 start)
{
	u64 now = sched_clock();

	return now > start ? now - start : 0;
}

static long pab_alloc_page(struct pab_alloc_page __user *uarg)
{
	struct pab_alloc_page req;
	struct page *page;
	unsigned int order;
	u32 index;
	u64 start;

	memset(&req, 0, sizeof(req));
	if (copy_from_user(&req.args, &uarg->args, sizeof(req.args)))
		return -EFAULT;
	if (req.args.order < 0 || req.args.order > PAB_MAX_ORDER)
		return -EINVAL;
	order = req.args.order;

	start = sched_clock();
	page = alloc_pages(PAB_GFP, order);
	req.result.latency_ns = pab_since(start);
	if (!page)
		return -ENOMEM;
	if (xa_alloc_cyclic(&pab_pool[order], &index, page,
			    XA_LIMIT(1, U32_MAX), &pab_next[order], PAB_GFP) < 0) {
		__free_pages(page, order);
		return -ENOMEM;
	}
	req.result.id = ((u64)index << PAB_ORDER_BITS) | order;
	req.result.nid = page_to_nid(page);

	if (copy_to_user(&uarg->result, &req.result, sizeof(req.result))) {
		/* Another file may have freed it by its id meanwhile. */
		page = xa_erase(&pab_pool[order], index);
		if (page)
			__free_pages(page, order);
		return -EFAULT;
	}
	return 0;
}

static long pab_free_page(struct pab_free_page __user *uarg)
{
	struct pab_free_page req;
	struct page *page;
	unsigned int order;
	u64 index, start;

	memset(&req, 0, sizeof(req));
	if (copy_from_user(&req.args, &uarg->args, sizeof(req.args)))
		return -EFAULT;
	order = req.args.id & PAB_ORDER_MASK;
	index = req.args.id >> PAB_ORDER_BITS;
	if (order > PAB_MAX_ORDER || index == 0 || index > U32_MAX)
		return -ENOENT;
	page = xa_erase(&pab_pool[order], index);
	if (!page)
		return -ENOENT;

	start = sched_clock();
	__free_pages(page, order);
	req.result.latency_ns = pab_since(start);

	/* The page is gone either way; only the latency is lost. */
	if (copy_to_user(&uarg->result, &req.result, sizeof(req.result)))
		return -EFAULT;
	return 0;
}

static long pab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PAB_IOCTL_ALLOC_PAGE:
		return pab_alloc_page(uarg);
	case PAB_IOCTL_FREE_PAGE:
		return pab_free_page(uarg);
	default:
		pr_info_ratelimited("unknown ioctl %#x from %s[%d]\n", cmd,
				    current->comm, task_pid_nr(current));
		return -EINVAL;
	}
}

static const struct proc_ops pab_proc_ops = {
	.proc_ioctl	= pab_ioctl,
};

static int __init pab_init(void)
{
	unsigned int o;

	for (o = 0; o < PAB_NR_ORDERS; o++)
		xa_init_flags(&pab_pool[o], XA_FLAGS_ALLOC);
	pab_proc_entry = proc_create(PAB_PROC_NAME, 0600, NULL, &pab_proc_ops);
	if (!pab_proc_entry)
		return -ENOMEM;
	pr_info("test-only stand-in for the original module: its two calls only, max order %d\n",
		PAB_MAX_ORDER);
	return 0;
}

static void __exit pab_exit(void)
{
	struct page *page;
	unsigned long index;
	unsigned int o;

	/* Waits for running ioctls; no new one can start. */
	proc_remove(pab_proc_entry);
	for (o = 0; o < PAB_NR_ORDERS; o++) {
		xa_for_each(&pab_pool[o], index, page) {
			__free_pages(page, o);
			cond_resched();
		}
		xa_destroy(&pab_pool[o]);
	}
}

module_init(pab_init);
module_exit(pab_exit);

MODULE_DESCRIPTION("TEST-ONLY stand-in for the original page allocator benchmark module");
MODULE_LICENSE("GPL");
