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

#endif /* _PAB_COMPAT_H */
