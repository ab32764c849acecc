/* SPDX-License-Identifier: BSD-2-Clause */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level max_level = LOG_INFO;

void log_set_level(enum log_level max)
{
	max_level = max;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	if (lvl > max_level)
		return;
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one write per message so lines from signal-time flushes do not mix */
	fprintf(stderr, "fabmon: %s%s\n", prefix[lvl], line);
}
