/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences page_alloc_bench cares about, kept in one place.
 */
#ifndef _PAB_COMPAT_H
#define _PAB_COMPAT_H

#include <linux/mmzone.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "page_alloc_bench needs Linux 6.1 or newer"
#endif

/*
 * PAB_MAX_ORDER: the highest order alloc_pages() accepts (inclusive).
 * Before 6.4 MAX_ORDER was one past it; 6.4 made MAX_ORDER inclusive and
 * 6.8 renamed it MAX_PAGE_ORDER.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define PAB_MAX_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define PAB_MAX_ORDER	MAX_ORDER
#else
#define PAB_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * pab_alloc_pages_bulk(gfp, nr, pages): fills the NULL slots of pages[0, nr)
 * with order-0 pages on the local node; returns how many slots are filled.
 * 6.14 renamed alloc_pages_bulk_array() to alloc_pages_bulk(). Every kernel
 * this module builds for has one of them; PAB_HAVE_BULK says so in one place.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#define PAB_HAVE_BULK	1
#define pab_alloc_pages_bulk(gfp, nr, pages) alloc_pages_bulk(gfp, nr, pages)
#else
#define PAB_HAVE_BULK	1
#define pab_alloc_pages_bulk(gfp, nr, pages) \
	alloc_pages_bulk_array(gfp, nr, pages)
#endif

#endif /* _PAB_COMPAT_H */
