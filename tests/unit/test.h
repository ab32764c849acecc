/* SPDX-License-Identifier: BSD-2-Clause */
/* Minimal unit-test harness: CHECK* record a failure and go on; the test
 * program exits non-zero if any check failed. */
#ifndef FABMON_TEST_H
#define FABMON_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond) do { test_checks++; if (!(cond)) { test_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_EQ(a, b) do { test_checks++; long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { test_failures++; fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
	__FILE__, __LINE__, #a, _a, #b, _b); } } while (0)

#define CHECK_STR(a, b) do { test_checks++; const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b) != 0) { test_failures++; \
	fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
	_a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)

#define CHECK_MEM(a, b, n) do { test_checks++; if (memcmp((a), (b), (n)) != 0) { test_failures++; \
	fprintf(stderr, "%s:%d: %s differs from %s over %zu bytes\n", __FILE__, __LINE__, #a, #b, \
	(size_t)(n)); } } while (0)

#define RUN(fn) do { int _before = test_failures; fn(); \
	fprintf(stderr, "%s %s\n", test_failures == _before ? "ok  " : "FAIL", #fn); } while (0)

/* Remove a test's temporary directory and what it holds: 0, or rm's
 * status (said on stderr). */
static inline int test_remove_tree(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return rc;
}

static inline int test_done(void)
{
	fprintf(stderr, "%d checks, %d failed\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}

#endif
