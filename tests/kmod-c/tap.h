/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP version 13 on stdout, in the kernel selftests' style, so any TAP
 * reader can take the C checks' results: the plan first, then "ok N desc"
 * or "not ok N desc" per test point, "# " before every other line, and
 * "Bail out!" when a check cannot go on. Exit status 0 only when every
 * planned point ran and none failed.
 */
#ifndef PAB_TAP_H
#define PAB_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned int tap_planned, tap_ran, tap_failed;

static inline void tap_plan(unsigned int n)
{
	/* Line by line: forked children and a killed run lose nothing printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_planned = n;
	printf("TAP version 13\n1..%u\n", n);
}

static inline __attribute__((format(printf, 1, 2)))
void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline void tap_result(bool ok, const char *desc)
{
	tap_ran++;
	if (!ok)
		tap_failed++;
	printf("%sok %u %s\n", ok ? "" : "not ", tap_ran, desc);
}

static inline void tap_skip(const char *desc, const char *why)
{
	printf("ok %u %s # SKIP %s\n", ++tap_ran, desc, why);
}

/* Setup failed: nothing after it can be trusted. */
static inline __attribute__((format(printf, 1, 2), noreturn))
void tap_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(2);
}

static inline int tap_finish(void)
{
	if (tap_ran != tap_planned) {
		tap_diag("planned %u test points, ran %u", tap_planned, tap_ran);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif /* PAB_TAP_H */
