/* SPDX-License-Identifier: BSD-2-Clause */
#include "util/cpu_list.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One decimal CPU number at *p (no sign, no blanks). */
static bool number(const char **p, unsigned long *v)
{
	if (**p < '0' || **p > '9')
		return false;
	char *end;
	errno = 0;
	*v = strtoul(*p, &end, 10);
	if (errno || *v > CPU_LIST_MAX_CPU)
		return false;
	*p = end;
	return true;
}

int cpu_list_parse(const char *text, uint16_t *out, unsigned max, char *why, size_t whylen)
{
	unsigned n = 0;
	const char *p = text;
	if (!*p) {
		snprintf(why, whylen, "no CPU given");
		return -1;
	}
	for (;;) {
		unsigned long lo, hi;
		const char *item = p;
		if (!number(&p, &lo)) {
			snprintf(why, whylen, "'%.*s' is not a CPU number (0..%d)",
				 (int)strcspn(item, ","), item, CPU_LIST_MAX_CPU);
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (!number(&p, &hi)) {
				snprintf(why, whylen, "'%.*s' is not a range of CPU numbers (0..%d)",
					 (int)strcspn(item, ","), item, CPU_LIST_MAX_CPU);
				return -1;
			}
			if (hi < lo) {
				snprintf(why, whylen, "the range '%.*s' runs backwards",
					 (int)strcspn(item, ","), item);
				return -1;
			}
		}
		if (*p && *p != ',') {
			snprintf(why, whylen, "'%.*s' is not a CPU number or range",
				 (int)strcspn(item, ","), item);
			return -1;
		}
		for (unsigned long c = lo; c <= hi; c++) {
			if (n == max) {
				snprintf(why, whylen, "more than %u CPUs", max);
				return -1;
			}
			out[n++] = (uint16_t)c;
		}
		if (!*p)
			return (int)n;
		p++; /* the comma: an item must follow */
		if (!*p) {
			snprintf(why, whylen, "the list ends with a comma");
			return -1;
		}
	}
}

int cpu_list_allowed(char *buf, size_t len)
{
	cpu_set_t set;
	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	size_t used = 0;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		int end = c;
		while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, &set))
			end++;
		int w = end > c ? snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", c, end)
				: snprintf(buf + used, len - used, "%s%d", used ? "," : "", c);
		if (w < 0 || (size_t)w >= len - used)
			return 0;
		used += (size_t)w;
		c = end;
	}
	return used > 0;
}

int cpu_list_is_allowed(unsigned cpu)
{
	cpu_set_t set;
	if (cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	return CPU_ISSET(cpu, &set);
}

int cpu_pin_self(unsigned cpu)
{
	cpu_set_t set;
	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* 0: the calling thread (sched_setaffinity(2) takes a thread id) */
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

int cpu_save_self(cpu_set_t *saved)
{
	return sched_getaffinity(0, sizeof(*saved), saved) < 0 ? -errno : 0;
}

int cpu_restore_self(const cpu_set_t *saved)
{
	return sched_setaffinity(0, sizeof(*saved), saved) < 0 ? -errno : 0;
}
