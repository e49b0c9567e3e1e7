/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP for the host tests of the tools' pure code (mmnetd_test.c, conf_test.c): one "ok N - ..." or
 * "not ok N - ..." line per check, tap_end() prints the plan and gives the exit status.
 */
#ifndef MMNET_HOST_TAP_H
#define MMNET_HOST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tests_run, tests_failed;

static void __attribute__((format(printf, 2, 3), unused)) ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (!cond)
		tests_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The plan, and the exit status: 0 iff every check passed. */
static int __attribute__((unused)) tap_end(void)
{
	printf("1..%d\n", tests_run);
	if (tests_failed)
		printf("# %d of %d failed\n", tests_failed, tests_run);
	return tests_failed ? 1 : 0;
}

#endif
