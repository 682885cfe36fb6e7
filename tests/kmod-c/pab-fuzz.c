// SPDX-License-Identifier: GPL-2.0
/*
 * pab-fuzz: random and boundary ioctls against /proc/page_alloc_bench from
 * several processes (two threads each) at once, some of them SIGKILLed
 * mid-call and replaced. Afterwards no blocks may be outstanding and the
 * kernel log must hold no warning, BUG or oops.
 *
 * Queue calls are checked against a model of each queue built from the
 * done counts alone: a queue's front is place freed + 1 and its back place
 * queued. Some orders' queues are one thread's, so the model is exact
 * there; the rest are shared by both threads and checked exactly only at
 * quiet points, when the threads meet and drain them.
 *
 *   pab-fuzz [--calls N] [--procs N] [--seed N]
 *
 * Prints TAP (tap.h): three test points (the invariants, nothing left
 * outstanding, the kernel log) after a "# " summary line; exits 1 if one
 * failed, 2 on setup failure. Run as root in a throwaway VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "page_alloc_bench.h"
#include "tap.h"

#define PROC_PATH	"/proc/" PAB_PROC_NAME
#define MAX_PROCS	16
#define THREADS		2
#define POOL		256	/* own ids a thread keeps */
#define FOREIGN		8	/* ids each process posts for the others */
#define FREED		64	/* ids a thread freed */
#define BUDGET_PAGES	4096	/* most base pages one thread holds */
#define SHARED_PAGES	1024	/* most base pages a process's shared queues hold */
#define OWN_PAGES	(BUDGET_PAGES - SHARED_PAGES / THREADS)	/* the rest of a budget */
#define NERR		256
#define NORDERS		32
#define CHUNK		16	/* entries the module handles at a time (PAB_CHUNK) */
#define QUIET_EVERY	64	/* a thread asks for a quiet point once in this many steps */
#define POISON		0xa5	/* fills entries the kernel must not write */

/* Shared by every process (MAP_SHARED). */
struct shared {
	unsigned long calls;
	unsigned long errs[NERR];	/* by errno; 0 is success */
	unsigned long violations;
	__u64 foreign[MAX_PROCS][FOREIGN];	/* by process slot */
	char first_violation[4][200];
};

static struct shared *sh;
static unsigned long target;
static unsigned int max_order;

struct bufs {
	char *ro;	/* one read-only page */
	char *edge;	/* last page before an unmapped one */
	char *gone;	/* unmapped */
	long pg;
};

static struct bufs bufs;
/* The last two raw commands this process sent, to explain a surprise. */
static volatile unsigned long last_raw[2];

struct worker {
	int fd;
	int slot;	/* process slot, for the foreign ids */
	int t;		/* thread index in the process */
	uint64_t rng;
	__u64 own[POOL];
	int own_order[POOL];
	int nown;
	long held_pages;	/* own ids' and own queues' */
	__u64 freed[FREED];
	int nfreed;
	struct pab_batch_entry e[PAB_BATCH_MAX + 8];
	char rw[4096] __attribute__((aligned(64)));	/* this thread's good buffer */
	__u64 canary[64];	/* must stay as set: nothing may write past rw */
};

#define CANARY	0x5a5a5a5a5a5a5a5aULL

/* One queue of the process's file, as its done counts tell it. */
struct qmodel {
	long queued;	/* blocks ever queued: the back's place */
	long freed;	/* blocks ever freed: the front is place freed + 1 */
	long inflight;	/* counts of allocs running on it, for a bound on places */
};

/* Per process: the threads' queue models and their quiet-point meeting. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int active;	/* threads still stepping */
	int waiting;	/* threads at the quiet point */
	int want;	/* a thread is waiting there */
	unsigned long gen;
	long shared_pages;	/* shared queues' pages, allocs reserve ahead */
	struct qmodel q[NORDERS];
	struct worker *w[THREADS];
} proc = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static long ld(long *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static long add(long *p, long v)
{
	return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
}

static uint64_t rnd(struct worker *w)
{
	/* xorshift64* */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 2685821657736338717ULL;
}

static unsigned int pick(struct worker *w, unsigned int n)
{
	return rnd(w) % n;
}

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void violation(const char *fmt, ...)
{
	va_list ap;

	unsigned long n = __sync_fetch_and_add(&sh->violations, 1);

	if (n < 4) {
		va_start(ap, fmt);
		vsnprintf(sh->first_violation[n], sizeof(sh->first_violation[n]), fmt, ap);
		va_end(ap);
	}
}

static int call(struct worker *w, unsigned long cmd, void *arg)
{
	int ret = ioctl(w->fd, cmd, arg) < 0 ? errno : 0;

	__sync_fetch_and_add(&sh->calls, 1);
	__sync_fetch_and_add(&sh->errs[ret < NERR ? ret : NERR - 1], 1);
	switch (ret) {
	case 0: case EFAULT: case EINVAL: case ENOENT: case ENOMEM:
	case ENOTTY: case EINTR:
		break;
	default:
		violation("cmd %#lx gave errno %d", cmd, ret);
	}
	return ret;
}

/* A pointer to hand the kernel: mostly good, often bad. */
static void *some_ptr(struct worker *w, size_t size, bool *good)
{
	static void *const bad[] = {
		NULL, (void *)1, (void *)0xffff888000000000UL,
		(void *)0xffffffff81000000UL, (void *)-1L, (void *)-4096L,
	};
	unsigned int k = pick(w, 16);

	*good = false;
	if (k < 10) {
		*good = true;
		return w->rw;
	}
	switch (k) {
	case 10:
		return bufs.ro;
	case 11:
		return bufs.gone;
	case 12: {	/* runs off the end into the unmapped page */
		size_t off = size / 2;

		/* never start below the edge page: that is someone's memory */
		off = off < 4 ? 4 : off > (size_t)bufs.pg / 2 ? (size_t)bufs.pg / 2 : off;
		return bufs.edge + bufs.pg - off;
	}
	case 13:
		return w->rw + 1;	/* misaligned but fine */
	default:
		return bad[pick(w, sizeof(bad) / sizeof(bad[0]))];
	}
}

static int some_order(struct worker *w)
{
	static const int odd[] = { -1, 32, 64, INT32_MIN, INT32_MAX, 1000 };
	unsigned int k = pick(w, 10);

	if (k < 6)
		return pick(w, 4);	/* cheap ones mostly */
	if (k < 8)
		return max_order - pick(w, 2);
	if (k < 9)
		return max_order + 1;
	return odd[pick(w, sizeof(odd) / sizeof(odd[0]))];
}

/* A place in one of this file's queues, held there now if the model knows one. */
static __u64 some_place(struct worker *w)
{
	struct qmodel *q = &proc.q[pick(w, max_order + 1)];
	long front = ld(&q->freed), back = ld(&q->queued);

	return back > front ? front + 1 + pick(w, back - front) : 1 + pick(w, 64);
}

/* An id, and what freeing it through this file should give. */
static __u64 some_id(struct worker *w, int *expect, int *slot)
{
	unsigned int k = pick(w, 10);

	*slot = -1;
	*expect = ENOENT;
	if (k < 5 && w->nown) {
		*slot = pick(w, w->nown);
		*expect = 0;
		return w->own[*slot];
	}
	switch (k) {
	case 5:
		/* queued blocks are not ids */
		return pick(w, 2) ? 0 : some_place(w);
	case 6:
		return w->nfreed ? w->freed[pick(w, w->nfreed)] : 0;
	case 7: {
		/* another process's: its file is not ours, open or closed */
		unsigned int other = pick(w, MAX_PROCS);

		if (other == (unsigned int)w->slot)
			other = (other + 1) % MAX_PROCS;
		return sh->foreign[other][pick(w, FOREIGN)];
	}
	case 8:
		return ~0ULL - pick(w, 64);
	default:
		return rnd(w);
	}
}

static void keep(struct worker *w, __u64 id, int order)
{
	if (w->nown == POOL)
		return;		/* the file frees it at close */
	w->own[w->nown] = id;
	w->own_order[w->nown++] = order;
	w->held_pages += 1L << order;
	if (pick(w, 8) == 0)
		sh->foreign[w->slot][pick(w, FOREIGN)] = id;
}

static void forget(struct worker *w, int slot)
{
	w->freed[w->nfreed < FREED ? (unsigned int)w->nfreed++ : pick(w, FREED)] = w->own[slot];
	w->held_pages -= 1L << w->own_order[slot];
	w->own[slot] = w->own[--w->nown];
	w->own_order[slot] = w->own_order[w->nown];
}

/* Orders 0, 3, 6... are queues both threads use; each other one is one thread's. */
static int queue_owner(int order)
{
	return order % (THREADS + 1) - 1;
}

/* Bytes the kernel can write from p on. */
static size_t ptr_room(struct worker *w, const void *p)
{
	uintptr_t a = (uintptr_t)p, rw = (uintptr_t)w->rw, edge = (uintptr_t)bufs.edge;

	if (a >= rw && a < rw + sizeof(w->rw))
		return rw + sizeof(w->rw) - a;
	if (a >= edge && a < edge + bufs.pg)
		return edge + bufs.pg - a;
	return 0;
}

/*
 * What a queue call of count entries should do with avail blocks queued (a
 * free) and room entries writable: a chunk that cannot be written back is
 * given back and not counted by an alloc, but counted by a free. Sets *ret
 * to the errno due and returns done.
 */
static __u32 queue_expect(bool alloc, __u32 count, long avail, size_t room, int *ret)
{
	__u32 done = 0;

	*ret = 0;
	while (done < count) {
		__u32 n = count - done < CHUNK ? count - done : CHUNK, i = n;

		if (!alloc && avail - done < n)
			i = avail - done;
		if (!i) {
			*ret = ENOENT;
			break;
		}
		if (done + i > room) {
			done += alloc ? 0 : i;
			*ret = EFAULT;
			break;
		}
		done += i;
		if (i < n) {
			*ret = ENOENT;
			break;
		}
	}
	return done;
}

/*
 * The same for QUEUE_ALLOC_MODE with bulk set: each alloc_pages_bulk() call
 * of up to bulk pages is queued and written back a chunk at a time.
 */
static __u32 bulk_expect(__u32 count, __u32 bulk, size_t room, int *ret)
{
	__u32 done = 0, i, n;

	*ret = 0;
	while (done < count) {
		__u32 m = count - done < bulk ? count - done : bulk;

		for (i = 0; i < m; i += n) {
			n = m - i < CHUNK ? m - i : CHUNK;
			if (done + i + n > room) {
				*ret = EFAULT;
				return done + i;
			}
		}
		done += m;
	}
	return done;
}

/* QUEUE_ALLOC_MODE's own fields; NULL in queue_op: the plain queue calls. */
struct qmode {
	__u32 gfp, bulk, pad;
};

#define Q_ODD	1	/* random entry and batch pointers */
#define Q_QUIET	2	/* the other threads are stopped: every queue's model is exact */

/*
 * One queue call on a queue this thread may use, checked against the model,
 * which it then updates; returns done.
 */
static __u32 queue_op(struct worker *w, bool alloc, int order, __u32 count, __u32 flags, int how,
		      const struct qmode *m)
{
	unsigned long cmd = m ? PAB_IOCTL_QUEUE_ALLOC_MODE :
			    alloc ? PAB_IOCTL_QUEUE_ALLOC : PAB_IOCTL_QUEUE_FREE;
	const char *what = m ? "queue alloc mode" : alloc ? "queue alloc" : "queue free";
	bool valid = order >= 0 && order <= (int)max_order && count && count <= PAB_BATCH_MAX &&
		     !flags && (!m || (m->gfp < PAB_GFP_MODES && m->bulk <= PAB_BULK_MAX &&
				       (!m->bulk || order == 0) && !m->pad));
	union {
		struct pab_batch b;
		struct pab_queue_alloc_mode a;
	} arg;
	size_t argsize = m ? sizeof(arg.a) : sizeof(arg.b);
	struct qmodel *q = valid ? &proc.q[order] : NULL;
	int owner = valid ? queue_owner(order) : -1;
	bool exact = valid && (owner == w->t || how & Q_QUIET);
	bool good = true, readable = true, bad;
	struct pab_batch b = { 0 }, *pb = &b;
	size_t room = PAB_BATCH_MAX + 8;
	long base = 0, avail = 0, reserved = 0, pages, hi;
	void *ent = w->e;
	__u32 k, done, want, np;
	const unsigned char *c;
	int ret, expect;

	if ((how & Q_ODD) && pick(w, 8) == 0) {
		ent = some_ptr(w, (size_t)count * sizeof(w->e[0]), &readable);
		if (readable) {
			ent = w->e;
		} else {
			room = ptr_room(w, ent) / sizeof(w->e[0]);
			if (valid && count > 64)
				count = 64;	/* w->rw + 1 must hold them */
		}
	}
	if (valid && alloc && owner >= 0 && ((long)count << order) > BUDGET_PAGES)
		count = BUDGET_PAGES >> order ? BUDGET_PAGES >> order : 1;
	if (valid && alloc && owner < 0) {
		/* Reserved ahead, so that the threads cannot overshoot together. */
		long left = SHARED_PAGES - ld(&proc.shared_pages);

		if (((long)count << order) > left)
			count = left > 0 ? left >> order : 0;
		reserved = (long)count << order;
		if (!count)
			return 0;
		if (add(&proc.shared_pages, reserved) > SHARED_PAGES) {
			add(&proc.shared_pages, -reserved);
			return 0;
		}
	}
	b.entries = (uintptr_t)ent;
	b.count = count;
	b.order = order;
	b.flags = flags;
	if (m) {
		memset(&arg.a, 0, sizeof(arg.a));
		arg.a.entries = (uintptr_t)ent;
		arg.a.count = count;
		arg.a.order = order;
		arg.a.gfp = m->gfp;
		arg.a.bulk = m->bulk;
		arg.a.__pad = m->pad;
	} else {
		arg.b = b;
	}
	pb = (struct pab_batch *)&arg;
	if ((how & Q_ODD) && pick(w, 16) == 0) {
		pb = some_ptr(w, argsize, &good);
		if ((char *)pb == w->rw + 1)
			good = true;	/* misaligned, but it holds what we wrote */
		if (!good) {
			/* unreadable, or the read-only page's zeros */
			ret = call(w, cmd, pb);
			if (ret != EFAULT && ret != EINVAL)
				violation("%s with the batch at %p gave %d", what, (void *)pb, ret);
			add(&proc.shared_pages, -reserved);
			return 0;
		}
		memcpy(pb, &arg, argsize);
	}
	np = (count && count <= PAB_BATCH_MAX ? count : 0) + 8;
	if (readable)
		memset(w->e, POISON, np * sizeof(w->e[0]));
	if (valid) {
		base = alloc ? ld(&q->queued) : ld(&q->freed);
		avail = ld(&q->queued) - ld(&q->freed);
		if (alloc)
			add(&q->inflight, count);
	}

	ret = call(w, cmd, pb);
	if (pb != (struct pab_batch *)&arg)
		memcpy(&arg, pb, argsize);
	/* done is at the same place in both structs */
	done = arg.b.done;

	if (!valid) {
		if (ret != EINVAL)
			violation("%s order %d count %u flags %#x gave %d", what, order, count,
				  flags, ret);
		done = 0;
		goto untouched;
	}
	if (m && m->bulk)
		want = bulk_expect(count, m->bulk, room, &expect);
	else
		want = queue_expect(alloc, count, exact && !alloc ? avail : LONG_MAX, room,
				    &expect);
	if (exact || alloc)
		/* only running out of memory may stop an alloc short */
		bad = (ret != expect || done != want) && !(alloc && ret == ENOMEM && done < want);
	else
		/* the other thread may empty a shared queue first */
		bad = done > want || (ret && ret != ENOENT && ret != EFAULT) ||
		      (!ret && done != count);
	if (done > count)
		violation("%s done %u > count %u", what, done, count);
	else if (bad)
		violation("%s order %d count %u (%ld queued, %zu writable): %d done %u, expected %d done %u",
			  what, order, count, avail, room, ret, done, expect, want);

	add(alloc ? &q->queued : &q->freed, done);
	pages = (long)done << order;
	if (owner >= 0)
		proc.w[owner]->held_pages += alloc ? pages : -pages;
	else
		add(&proc.shared_pages, alloc ? pages - reserved : -pages);
	/* Any place handed out is one some alloc, done or running, numbered. */
	hi = ld(&q->inflight);
	hi += ld(&q->queued);
	if (alloc)
		add(&q->inflight, -(long)count);

	for (k = 0; readable && k < done && k < count; k++) {
		const struct pab_batch_entry *e = &w->e[k];
		/*
		 * Chunks start every CHUNK entries, counted from each bulk call's start:
		 * the module queues a call's pages a chunk at a time, and another
		 * thread's blocks may be numbered between two chunks or two calls.
		 */
		__u32 in_chunk = (m && m->bulk ? k % m->bulk : k) % CHUNK;
		bool id_ok = exact ? e->id == (__u64)base + 1 + k :
			     e->id > (__u64)base && e->id <= (__u64)hi &&
			     (!k || (in_chunk ? e->id == e[-1].id + 1 : e->id > e[-1].id));

		if (!id_ok || e->reserved || e->latency_ns < 0 || (alloc ? e->nid < 0 : e->nid != -1)) {
			violation("%s order %d entry %u of %u: place %llu (base %ld, previous %llu, bulk %u), nid %d, reserved %u, latency %lld",
				  what, order, k, done, e->id, base, k ? e[-1].id : 0ULL,
				  m ? m->bulk : 0, e->nid, e->reserved, (long long)e->latency_ns);
			break;
		}
	}
untouched:
	c = (const unsigned char *)&w->e[done < np ? done : np];
	for (k = 0; readable && k < (np - (done < np ? done : np)) * sizeof(w->e[0]); k++)
		if (c[k] != POISON) {
			violation("%s order %d count %u: %d done %u, but entry %zu written", what,
				  order, count, ret, done, (done < np ? done : np) + k / sizeof(w->e[0]));
			break;
		}
	return done;
}

/* Stay within budget: a GFP_KERNEL order-0 flood could wake the OOM killer. */
static void trim(struct worker *w)
{
	while (w->held_pages > OWN_PAGES) {
		long n, most = 0;
		int o, big = -1;

		for (o = 0; o <= (int)max_order; o++) {
			n = (ld(&proc.q[o].queued) - ld(&proc.q[o].freed)) << o;
			if (queue_owner(o) == w->t && n > most) {
				most = n;
				big = o;
			}
		}
		if (w->nown && (big < 0 || pick(w, 2))) {
			struct pab_free_page f = { .args.id = w->own[0] };

			if (call(w, PAB_IOCTL_FREE_PAGE, &f))
				violation("trim free of own id %#llx failed", w->own[0]);
			forget(w, 0);
			continue;
		}
		if (big < 0)
			break;
		/* Oldest first, just enough to get back under. */
		n = (w->held_pages - OWN_PAGES + (1L << big) - 1) >> big;
		n = n < most >> big ? n : most >> big;
		if (!queue_op(w, false, big, n < PAB_BATCH_MAX ? n : PAB_BATCH_MAX, 0, 0, NULL))
			break;
	}
}

static void do_alloc(struct worker *w)
{
	bool good;
	struct pab_alloc_page *a = some_ptr(w, sizeof(*a), &good);
	int order = some_order(w);
	int ret;

	if (good) {
		memset(a, 0, sizeof(*a));
		a->args.order = order;
	}
	ret = call(w, PAB_IOCTL_ALLOC_PAGE, a);
	if (!good)
		return;
	if (ret == 0) {
		if (order < 0 || order > (int)max_order)
			violation("order %d allocated", order);
		keep(w, a->result.id, order);
	} else if (ret == EINVAL && order >= 0 && order <= (int)max_order) {
		violation("order %d refused", order);
	}
}

static void do_free(struct worker *w)
{
	bool good;
	struct pab_free_page *f = some_ptr(w, sizeof(*f), &good);
	int expect, slot, ret;
	__u64 id = some_id(w, &expect, &slot);

	if (good)
		f->args.id = id;
	ret = call(w, PAB_IOCTL_FREE_PAGE, f);
	if (!good)
		return;	/* the id read, if any, was not one we hold */
	if (ret != expect)
		violation("free of id %#llx gave %d, expected %d (raw before: %#lx %#lx)",
			  id, ret, expect, last_raw[0], last_raw[1]);
	if (ret == 0 && slot >= 0)
		forget(w, slot);
}

static __u32 some_count(struct worker *w)
{
	static const __u32 odd[] = { 0, 1, 15, 16, 17, PAB_BATCH_MAX,
				     PAB_BATCH_MAX + 1, UINT32_MAX, 1U << 31 };

	if (pick(w, 4))
		return 1 + pick(w, 64);
	return odd[pick(w, sizeof(odd) / sizeof(odd[0]))];
}

static void do_alloc_batch(struct worker *w)
{
	struct pab_batch b = { 0 }, *pb = &b;
	bool good = true, entries_good = true;
	int ret, order = some_order(w);
	__u32 k, count = some_count(w);

	if (order >= 0 && order <= (int)max_order && count <= PAB_BATCH_MAX &&
	    ((long)count << order) > BUDGET_PAGES)
		count = BUDGET_PAGES >> order ? BUDGET_PAGES >> order : 1;
	b.entries = (uintptr_t)w->e;
	if (pick(w, 8) == 0) {
		b.entries = (uintptr_t)some_ptr(w, count * sizeof(w->e[0]), &entries_good);
		if (entries_good)
			b.entries = (uintptr_t)w->e;
		/* ids written part way are held but unknown to us: keep it small */
		else if (order >= 0 && order <= (int)max_order && count <= PAB_BATCH_MAX &&
			 ((long)count << order) > 64)
			count = 64 >> order ? 64 >> order : 1;
	}
	b.count = count;
	b.order = order;
	b.flags = pick(w, 16) ? 0 : rnd(w);
	if (pick(w, 16) == 0)
		pb = some_ptr(w, sizeof(b), &good);
	if (!good) {
		call(w, PAB_IOCTL_ALLOC_BATCH, pb);
		return;
	}
	if (pb != &b)
		*pb = b;
	ret = call(w, PAB_IOCTL_ALLOC_BATCH, pb);
	if (pb->done > count)
		violation("batch done %u > count %u", pb->done, count);
	for (k = 0; k < pb->done && k < count && entries_good; k++)
		keep(w, w->e[k].id, order);
	if (ret == 0 && pb->done != count)
		violation("batch ok but done %u of %u", pb->done, count);
	trim(w);
}

/* An id freeing must miss: zero, freed, another process's, huge or random. */
static __u64 sure_miss(struct worker *w)
{
	int expect, slot;
	__u64 id;

	do
		id = some_id(w, &expect, &slot);
	while (expect == 0);
	return id;
}

static void do_free_batch(struct worker *w)
{
	struct pab_batch b = { 0 };
	__u32 k, n, count = some_count(w);
	int bad = -1, want = 0, ret;

	b.entries = (uintptr_t)w->e;
	if (count == 0 || count > PAB_BATCH_MAX) {
		b.count = count;
		ret = call(w, PAB_IOCTL_FREE_BATCH, &b);
		if (ret != EINVAL)
			violation("free batch count %u gave %d", count, ret);
		return;
	}
	/* Own ids from the end of the pool, so freeing them pops the pool. */
	n = count < (__u32)w->nown ? count : (__u32)w->nown;
	for (k = 0; k < n; k++) {
		w->e[k].id = w->own[w->nown - 1 - k];
		w->e[k].reserved = 0;
	}
	/* Maybe one bad entry: the batch must stop there. */
	if (n == 0 || pick(w, 4) == 0) {
		bad = pick(w, n < PAB_BATCH_MAX ? n + 1 : n);
		if ((__u32)bad == n) {
			w->e[n].id = 0;
			n++;
		}
		if (pick(w, 4) == 0) {
			w->e[bad].reserved = 1 + pick(w, 1000);
			want = EINVAL;
		} else {
			w->e[bad].id = sure_miss(w);
			w->e[bad].reserved = 0;
			want = ENOENT;
		}
	}
	b.count = n;
	ret = call(w, PAB_IOCTL_FREE_BATCH, &b);
	if (bad >= 0 ? ret != want || b.done != (__u32)bad : ret || b.done != n)
		violation("free batch of %u: %d done %u, bad entry at %d", n, ret, b.done, bad);
	for (k = 0; k < b.done && k < n && w->nown; k++)
		forget(w, w->nown - 1);
}

/* Not another thread's queue (its exact model would go wrong) but ours next to it. */
static int queue_order(struct worker *w)
{
	int order = some_order(w);

	if (order >= 0 && order <= (int)max_order && queue_owner(order) >= 0 &&
	    queue_owner(order) != w->t) {
		order += w->t - queue_owner(order);
		if (order > (int)max_order)
			order -= THREADS + 1;
	}
	return order;
}

static void do_queue_alloc(struct worker *w)
{
	int order = queue_order(w);
	__u32 count = some_count(w);

	if (pick(w, 2)) {
		queue_op(w, true, order, count, pick(w, 16) ? 0 : rnd(w), Q_ODD, NULL);
		return;
	}
	/* Mostly valid modes; bulk mostly on order 0, the only order it takes. */
	{
		struct qmode m = {
			.gfp = pick(w, 16) ? pick(w, PAB_GFP_MODES) : (__u32)rnd(w),
			.bulk = pick(w, 2) ? 0 : pick(w, 16) ? 1 + pick(w, 100) :
				pick(w, 2) ? PAB_BULK_MAX + pick(w, 2) : (__u32)rnd(w),
			.pad = pick(w, 32) ? 0 : (__u32)rnd(w),
		};

		if (m.bulk && pick(w, 8))
			order = 0;
		queue_op(w, true, order, count, 0, Q_ODD, &m);
	}
}

static void do_queue_free(struct worker *w)
{
	int o, order = queue_order(w), n = 0;
	__u32 count = some_count(w);

	/* Mostly a queue that holds blocks, or most frees would find none. */
	if (pick(w, 4))
		for (o = 0; o <= (int)max_order; o++)
			if ((queue_owner(o) < 0 || queue_owner(o) == w->t) &&
			    ld(&proc.q[o].queued) > ld(&proc.q[o].freed) && !pick(w, ++n))
				order = o;
	queue_op(w, false, order, count, pick(w, 16) ? 0 : rnd(w), Q_ODD, NULL);
}

static void do_info(struct worker *w)
{
	bool good;
	struct pab_info *i = some_ptr(w, sizeof(*i), &good);
	int ret = call(w, PAB_IOCTL_INFO, i);

	if (good && ret)
		violation("info at %p (own buffer %p) failed: %d", (void *)i, (void *)w->rw, ret);
	if (good && !ret && i->abi_version != PAB_ABI_VERSION)
		violation("abi %u", i->abi_version);
}

static void do_selftest(struct worker *w)
{
	bool good;
	struct pab_selftest *st = some_ptr(w, sizeof(*st), &good);
	int ret;

	if (good) {
		st->order = some_order(w);
		st->hold = pick(w, 8) ? 1 + pick(w, 64) : (__u32)rnd(w);
		/* mostly short; now and then long enough to be killed in */
		st->count = pick(w, 32) ? 1 + pick(w, 2000) :
			    pick(w, 2) ? 1000000 : rnd(w);
		if (st->order > 3 && st->count > 64)
			st->count = 64;
	}
	ret = call(w, PAB_IOCTL_SELFTEST, st);
	if (good && ret == 0 && st->allocs + st->failures != st->count)
		violation("selftest %llu + %llu != %llu", st->allocs, st->failures,
			  st->count);
}

/*
 * The high-order probe: bounded so the processes together hold little
 * (it frees everything before it returns); its latencies go to e[], as
 * many as fit, or to a bad pointer.
 */
static void do_probe(struct worker *w)
{
	struct pab_probe *p;
	__u32 mode, count, flags;
	size_t room;
	bool good, valid;
	void *lat;
	int ret, want, order;

	p = some_ptr(w, sizeof(*p), &good);
	if (!good) {
		call(w, PAB_IOCTL_PROBE, p);
		return;
	}
	order = some_order(w);
	mode = pick(w, 16) ? pick(w, 2) : (__u32)rnd(w);
	count = pick(w, 16) ? 1 + pick(w, 64) : pick(w, 2) ? (__u32)rnd(w) : 0;
	if (order > 3 && count > 4 && count <= PAB_PROBE_MAX)
		count = 4;
	flags = pick(w, 32) ? 0 : 1 + pick(w, 8);
	/* Mostly e[]; the rest may overlap the struct (rw), end early or fault. */
	lat = pick(w, 8) ? (void *)w->e : some_ptr(w, 64, &good);
	room = lat == (void *)w->e ? sizeof(w->e) : ptr_room(w, lat);
	valid = order >= 0 && order <= (int)max_order && mode <= PAB_PROBE_COMPACT &&
		count && count <= PAB_PROBE_MAX && !flags;
	/* Past e[] lies this worker's own state: never let the kernel write there. */
	if (valid && lat == (void *)w->e && count > room / sizeof(__s64))
		count = room / sizeof(__s64);
	want = !valid ? EINVAL : count > room / sizeof(__s64) ? EFAULT : 0;

	*p = (struct pab_probe){ .latencies = (uintptr_t)lat, .count = count,
				 .order = order, .mode = mode, .flags = flags };
	ret = call(w, PAB_IOCTL_PROBE, p);
	/* The latencies may have overwritten the arguments; the results come last. */
	if (ret != want && ret != EINTR)
		violation("probe order %d mode %u count %u flags %u into %zu bytes: %d, wanted %d",
			  order, mode, count, flags, room, ret, want);
	else if (!ret && (p->attempts != count || p->successes > count))
		violation("probe of %u: %u attempts, %u successes", count, p->attempts,
			  p->successes);
}

/* Random command numbers: near misses of the real ones and noise. */
static void do_raw(struct worker *w)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned long cmd;
	bool good;
	void *p;
	int ret;

	switch (pick(w, 3)) {
	case 0:
		cmd = _IOC(dirs[pick(w, 4)], PAB_IOCTL_MAGIC, pick(w, 32), pick(w, 64));
		break;
	case 1:
		cmd = (__u32)rnd(w);
		break;
	default:
		cmd = rnd(w);	/* upper 32 bits are dropped by the kernel */
		break;
	}
	/* Skip the real commands and generic VFS ones (FIONBIO and friends). */
	switch ((unsigned int)cmd) {
	case PAB_IOCTL_ALLOC_PAGE: case PAB_IOCTL_FREE_PAGE: case PAB_IOCTL_INFO:
	case PAB_IOCTL_ALLOC_BATCH: case PAB_IOCTL_FREE_BATCH: case PAB_IOCTL_SELFTEST:
	case PAB_IOCTL_QUEUE_ALLOC: case PAB_IOCTL_QUEUE_FREE: case PAB_IOCTL_PROBE:
	case PAB_IOCTL_QUEUE_ALLOC_MODE:
		return;
	}
	if (((unsigned int)cmd >> 8 & 0xff) == 'T' || ((unsigned int)cmd >> 8 & 0xff) == 'f' ||
	    ((unsigned int)cmd >> 8 & 0xff) == 0x94 || ((unsigned int)cmd >> 8 & 0xff) == 'X' ||
	    (unsigned int)cmd < 0x100)
		return;
	p = some_ptr(w, 64, &good);
	last_raw[1] = last_raw[0];
	last_raw[0] = cmd;
	ret = call(w, cmd, p);
	if (ret != ENOTTY)
		violation("unknown cmd %#x gave %d", (unsigned int)cmd, ret);
}

static void check_canary(struct worker *w, const char *after)
{
	unsigned int k;

	for (k = 0; k < 64; k++)
		if (w->canary[k] != CANARY) {
			violation("bytes past the buffer overwritten after %s (raw %#lx %#lx)",
				  after, last_raw[0], last_raw[1]);
			for (k = 0; k < 64; k++)
				w->canary[k] = CANARY;
			return;
		}
}

static void step(struct worker *w)
{
	check_canary(w, "an earlier call");
	switch (pick(w, 25)) {
	case 0 ... 4:
		do_alloc(w);
		break;
	case 5 ... 9:
		do_free(w);
		break;
	case 10 ... 12:
		do_alloc_batch(w);
		break;
	case 13 ... 15:
		do_free_batch(w);
		break;
	case 16 ... 17:
		do_queue_alloc(w);
		break;
	case 18 ... 19:
		do_queue_free(w);
		break;
	case 20:
		do_info(w);
		break;
	case 21:
		do_selftest(w);
		break;
	case 22:
		do_probe(w);
		break;
	default:
		do_raw(w);
		check_canary(w, "a raw call");
		break;
	}
	trim(w);
}

/*
 * With the process's other threads stopped every queue's model is exact:
 * INFO must count at least the blocks queued and in the id pools, and
 * draining queues must take exactly the drained blocks off it.
 */
static void quiet_check(struct worker *w, bool all)
{
	long queued = 0, ids = 0, drained = 0;
	struct pab_info info;
	__u64 before;
	int o, t;

	for (o = 0; o <= (int)max_order; o++)
		queued += proc.q[o].queued - proc.q[o].freed;
	for (t = 0; t < THREADS; t++)
		ids += proc.w[t]->nown;
	if (call(w, PAB_IOCTL_INFO, &info)) {
		violation("info at a quiet point failed");
		return;
	}
	before = info.file_outstanding;
	/* more is fine: ids beyond a full pool or written to a bad buffer */
	if (before < (__u64)(queued + ids))
		violation("file holds %llu blocks, fewer than its %ld queued and %ld known ids",
			  before, queued, ids);
	for (o = 0; o <= (int)max_order; o++) {
		int loops = 0;
		__u32 c, d;

		if (!all && pick(w, 2))
			continue;
		do {
			long n = proc.q[o].queued - proc.q[o].freed;

			/* one more than held, to see it run empty */
			c = n < PAB_BATCH_MAX ? n + 1 : PAB_BATCH_MAX;
			d = queue_op(w, false, o, c, 0, Q_QUIET, NULL);
			drained += d;
		} while (d == c && ++loops < 64);
	}
	if (call(w, PAB_IOCTL_INFO, &info))
		violation("info at a quiet point failed");
	else if (before - info.file_outstanding != (__u64)drained)
		violation("draining %ld queued blocks took the file's outstanding from %llu to %llu",
			  drained, before, info.file_outstanding);
}

/* The last thread to arrive (or to leave) checks; proc.lock is held. */
static void quiet_run(struct worker *w)
{
	quiet_check(w, false);
	proc.waiting = 0;
	__atomic_store_n(&proc.want, 0, __ATOMIC_RELAXED);
	proc.gen++;
	pthread_cond_broadcast(&proc.cond);
}

static void quiet_point(struct worker *w)
{
	pthread_mutex_lock(&proc.lock);
	__atomic_store_n(&proc.want, 1, __ATOMIC_RELAXED);
	if (++proc.waiting == proc.active) {
		quiet_run(w);
	} else {
		unsigned long gen = proc.gen;

		while (proc.gen == gen)
			pthread_cond_wait(&proc.cond, &proc.lock);
	}
	pthread_mutex_unlock(&proc.lock);
}

static void *thread_main(void *p)
{
	struct worker *w = p;

	while (__atomic_load_n(&sh->calls, __ATOMIC_RELAXED) < target) {
		step(w);
		if (__atomic_load_n(&proc.want, __ATOMIC_RELAXED) || !pick(w, QUIET_EVERY))
			quiet_point(w);
	}
	/* Done stepping: whoever waits for this thread need not any more. */
	pthread_mutex_lock(&proc.lock);
	if (--proc.active && proc.waiting == proc.active)
		quiet_run(w);
	pthread_mutex_unlock(&proc.lock);
	return NULL;
}

static void worker_main(int slot, uint64_t seed)
{
	static struct worker w[THREADS];
	pthread_t t[THREADS];
	int k, fd = open(PROC_PATH, O_RDWR);

	if (fd < 0)
		_exit(2);
	proc.active = THREADS;
	for (k = 0; k < THREADS; k++) {
		/* The threads share one file: concurrent ioctls on it. */
		w[k].fd = fd;
		w[k].slot = slot;
		w[k].t = k;
		proc.w[k] = &w[k];
		w[k].rng = seed * 0x9e3779b97f4a7c15ULL + k + 1;
		for (int j = 0; j < 64; j++)
			w[k].canary[j] = CANARY;
	}
	for (k = 1; k < THREADS; k++)
		pthread_create(&t[k], NULL, thread_main, &w[k]);
	thread_main(&w[0]);
	for (k = 1; k < THREADS; k++)
		pthread_join(t[k], NULL);
	quiet_check(&w[0], true);
	_exit(0);
}

static pid_t spawn(int slot, uint64_t seed)
{
	pid_t pid = fork();

	if (pid == 0)
		worker_main(slot, seed);
	return pid;
}

static int kernel_log_clean(void)
{
	static const char *const bad[] = {
#include "kernel-log-problems.h"
	};
	int len = klogctl(10, NULL, 0);
	char *buf = malloc(len > 0 ? len + 1 : 1);
	int k, clean = 1;

	len = klogctl(3, buf, len > 0 ? len : 0);
	buf[len > 0 ? len : 0] = 0;
	for (k = 0; k < (int)(sizeof(bad) / sizeof(bad[0])); k++)
		if (strstr(buf, bad[k])) {
			tap_diag("kernel log has \"%s\"", bad[k]);
			clean = 0;
		}
	free(buf);
	return clean;
}

int main(int argc, char **argv)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "ok" }, { EFAULT, "EFAULT" }, { EINVAL, "EINVAL" },
		{ ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" }, { ENOTTY, "ENOTTY" },
		{ EINTR, "EINTR" },
	};
	unsigned long seed = time(NULL), kills = 0, spawned;
	int procs = 4, k, fd, status, clean;
	pid_t pids[MAX_PROCS];
	struct pab_info info;
	char errs[1024];
	size_t off = 0;

	target = 100000;
	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--calls") && k + 1 < argc)
			target = strtoul(argv[++k], NULL, 0);
		else if (!strcmp(argv[k], "--procs") && k + 1 < argc)
			procs = atoi(argv[++k]);
		else if (!strcmp(argv[k], "--seed") && k + 1 < argc)
			seed = strtoul(argv[++k], NULL, 0);
		else {
			fprintf(stderr, "usage: %s [--calls N] [--procs 1..%d] [--seed N]\n",
				argv[0], MAX_PROCS);
			return 2;
		}
	}
	if (procs < 1 || procs > MAX_PROCS || target == 0) {
		fprintf(stderr, "pab-fuzz: --procs must be 1..%d and --calls > 0\n", MAX_PROCS);
		return 2;
	}

	tap_plan(3);
	fd = open(PROC_PATH, O_RDWR);
	if (fd < 0 || ioctl(fd, PAB_IOCTL_INFO, &info))
		tap_bail(PROC_PATH ": %s", strerror(errno));
	max_order = info.max_order;
	if (max_order >= NORDERS)
		tap_bail("max order %u, more than the queue models hold", max_order);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bufs.pg = sysconf(_SC_PAGESIZE);
	bufs.ro = mmap(NULL, 3 * bufs.pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || bufs.ro == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	bufs.edge = bufs.ro + bufs.pg;
	bufs.gone = bufs.ro + 2 * bufs.pg;
	mprotect(bufs.ro, bufs.pg, PROT_READ);
	munmap(bufs.gone, bufs.pg);

	for (k = 0; k < procs; k++)
		pids[k] = spawn(k, seed + k);
	spawned = procs;

	/* Kill one worker now and then, mid-call, and start another. */
	while (__atomic_load_n(&sh->calls, __ATOMIC_RELAXED) < target) {
		struct timespec ts = { 0, (20 + (seed + spawned) % 80) * 1000000L };
		pid_t done;

		nanosleep(&ts, NULL);
		done = waitpid(-1, &status, WNOHANG);
		if (done > 0) {
			for (k = 0; k < procs; k++)
				if (pids[k] == done)
					pids[k] = spawn(k, seed + spawned++);
			continue;
		}
		k = (seed + spawned) % procs;
		kill(pids[k], SIGKILL);
		waitpid(pids[k], &status, 0);
		kills++;
		pids[k] = spawn(k, seed + spawned++);
	}
	/* Workers stop at the target; one in a long self-test is killed. */
	for (k = 0; k < procs; k++) {
		int waited;

		for (waited = 0; waited < 100; waited++) {
			if (waitpid(pids[k], &status, WNOHANG) == pids[k])
				break;
			usleep(20000);
		}
		if (waited == 100) {
			kill(pids[k], SIGKILL);
			waitpid(pids[k], &status, 0);
			kills++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
			violation("worker exited %d", WEXITSTATUS(status));
		}
	}

	if (ioctl(fd, PAB_IOCTL_INFO, &info))
		tap_bail("INFO after the run: %s", strerror(errno));
	close(fd);
	clean = kernel_log_clean();

	for (k = 0; k < NERR; k++) {
		const char *name = NULL;
		size_t j;

		if (!sh->errs[k])
			continue;
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (names[j].e == k)
				name = names[j].name;
		if (name)
			off += snprintf(errs + off, sizeof(errs) - off, " %s=%lu", name, sh->errs[k]);
		else
			off += snprintf(errs + off, sizeof(errs) - off, " errno%d=%lu", k, sh->errs[k]);
		if (off >= sizeof(errs))
			break;
	}
	tap_diag("seed %lu, %lu calls from %lu processes, %lu killed, "
		 "outstanding after %llu blocks / %llu pages, violations %lu, kernel log %s; results:%s",
		 seed, sh->calls, spawned, kills, info.total_outstanding,
		 info.total_outstanding_pages, sh->violations, clean ? "clean" : "DIRTY", errs);
	for (k = 0; k < 4 && k < (int)sh->violations; k++)
		tap_diag("violation: %s", sh->first_violation[k]);
	tap_result(sh->violations == 0, "invariants");
	tap_result(info.total_outstanding == 0, "nothing_outstanding");
	tap_result(clean, "kernel_log");
	return tap_finish();
}
