/*
 * The plain way to fill memory, for bench/exhaust-fill.sh to compare
 * pab-exhaust with: one thread per CPU mmaps pieces and writes one byte to
 * every page until the given total is reached, then prints the fill rate.
 *
 * usage: exhaust-touch BYTES [PIECE_BYTES [print|populate]]   (pieces of 64 MiB by default, as pab-exhaust maps)
 * prints: bytes=N seconds=S rate_bytes_per_s=R (on stderr when "print" is given)
 *
 * With "print", every page is also reported on stdout as a running count, flushed each time:
 * the way the original's child told its parent how far it got.
 * With "populate", nothing is touched: each piece is mapped with MAP_POPULATE and the kernel
 * fills it in that one call, with no trap per page.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static long total, piece, page_size;
static atomic_long claimed, touched;
static int print, populate;

static void *worker(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)(long)arg, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (;;) {
		long start = atomic_fetch_add(&claimed, piece);
		long len = total - start < piece ? total - start : piece;
		volatile char *p;

		if (len <= 0)
			return NULL;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		if (populate)
			continue;
		for (long off = 0; off < len; off += page_size) {
			p[off] = 1;
			if (print) {
				printf("%ld\n", atomic_fetch_add(&touched, page_size) + page_size);
				fflush(stdout);
			}
		}
	}
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t threads[1024];
	struct timespec t0, t1;
	double s;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BYTES [PIECE_BYTES [print|populate]]\n", argv[0]);
		return 2;
	}
	total = atol(argv[1]);
	piece = argc > 2 ? atol(argv[2]) : 64L << 20;
	print = argc > 3 && strcmp(argv[3], "print") == 0;
	populate = argc > 3 && strcmp(argv[3], "populate") == 0;
	page_size = sysconf(_SC_PAGESIZE);
	if (cpus > 1024)
		cpus = 1024;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < cpus; i++)
		pthread_create(&threads[i], NULL, worker, (void *)i);
	for (long i = 0; i < cpus; i++)
		pthread_join(threads[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(print ? stderr : stdout, "bytes=%ld seconds=%.6f rate_bytes_per_s=%.0f\n", total, s, total / s);
	return 0;
}
