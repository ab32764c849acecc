/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the --syslog target string (syslog_parse_target:
 * "udp://host:port", "tcp://[v6]:port"), the --syslog-facility name, and
 * the RFC 5424 line syslog_format builds around an alert. Input: the target
 * string up to the first NUL; after it, bytes for the facility name and the
 * formatter's hostname/msgid/message. Beyond not crashing: an accepted
 * target has a non-empty host without NUL and a port of digits only whose
 * value is 1..65535 (what getaddrinfo is given must be what was written);
 * the formatter's line is NUL-terminated and no longer than it says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/output/syslog_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_target(const char *spec)
{
	struct syslog_config c;
	memset(&c, 0x5a, sizeof(c));
	char err[256];
	if (!syslog_parse_target(spec, &c, err, sizeof(err))) {
		if (!memchr(err, 0, sizeof(err)) || !err[0])
			abort();
		return;
	}
	if (c.transport != SYSLOG_UDP && c.transport != SYSLOG_TCP)
		abort();
	size_t hl = strnlen(c.host, sizeof(c.host));
	if (hl == 0 || hl == sizeof(c.host) || !strstr(spec, c.host))
		abort();
	size_t pl = strnlen(c.port, sizeof(c.port));
	if (pl == 0 || pl == sizeof(c.port) || strspn(c.port, "0123456789") != pl) {
		fprintf(stderr, "port '%.16s' is not a number\n", c.port);
		abort();
	}
	long v = strtol(c.port, NULL, 10);
	if (v < 1 || v > 65535) {
		fprintf(stderr, "port '%s' out of range\n", c.port);
		abort();
	}
}

static void check_format(const uint8_t *d, size_t n)
{
	/* hostname, msgid: up to 40 bytes each, NUL-terminated; the rest: msg */
	char host[41] = "", msgid[41] = "";
	size_t a = n < 40 ? n : 40;
	memcpy(host, d, a);
	host[a] = 0;
	d += a;
	n -= a;
	size_t b = n < 40 ? n : 40;
	memcpy(msgid, d, b);
	msgid[b] = 0;
	d += b;
	n -= b;
	int facility = syslog_facility_parse(host);
	if (facility < -1 || facility > 23)
		abort();
	char out[512];
	int64_t sec = (int64_t)(a * 977 + b) * 1000003 - 5000000;
	size_t len = syslog_format(out, sizeof(out), facility < 0 ? 16 : facility, (int)b - 2, host,
				   msgid, 1234, sec, (uint32_t)n * 7919u, (const char *)d, n);
	if (!memchr(out, 0, sizeof(out)))
		abort();
	size_t got = strlen(out);
	if (got > len || got >= sizeof(out))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *spec = malloc(size + 1);
	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = 0;
	check_target(spec);
	size_t sl = strlen(spec);
	free(spec);
	if (sl < size)
		check_format(data + sl + 1, size - sl - 1);
	return 0;
}
