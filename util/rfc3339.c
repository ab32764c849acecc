/* SPDX-License-Identifier: BSD-2-Clause */
/* Times as text <-> microseconds since the epoch (rfc3339.h). */
#include "util/rfc3339.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool rfc3339_parse(const char *s, int64_t *us)
{
	int y, mo, d, h, mi, se;
	if (!s || strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	const char *p = s + 19;
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 6)
				frac = frac * 10 + (*p - '0');
			n++;
			p++;
		}
		if (!n)
			return false;
		for (; n < 6; n++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		/* RFC 3339's +hh:mm, or Suricata's +hhmm (strftime %z) */
		bool colon = p[1] && p[2] && p[3] == ':';
		int oh, om;
		if (!digits(p + 1, 2, &oh) || !digits(p + (colon ? 4 : 3), 2, &om) || oh > 23 ||
		    om > 59)
			return false;
		off = (oh * 60 + om) * 60;
		if (*p == '-')
			off = -off;
		p += colon ? 6 : 5;
	} else {
		return false;
	}
	if (*p)
		return false;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	*us = secs * 1000000 + frac;
	return true;
}

void rfc3339_utc(int64_t us, char out[40])
{
	int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t frac = us - secs * 1000000;
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 40, "1970-01-01T00:00:00.000000Z");
		return;
	}
	int n = snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(frac % 1000000));
	if (n < 0 || n >= 40)
		snprintf(out, 40, "1970-01-01T00:00:00.000000Z");
}

void rfc3339_eve(int64_t sec, uint32_t usec, char out[40])
{
	/* records come in bursts within one second: format its date once */
	static _Thread_local int64_t cached_sec = INT64_MIN;
	static _Thread_local char cached[20];
	if (sec != cached_sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900 ||
		    snprintf(cached, sizeof(cached), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec) != 19)
			memcpy(cached, "1970-01-01T00:00:00", 20);
		cached_sec = sec;
	}
	memcpy(out, cached, 19);
	out[19] = '.';
	usec %= 1000000u;
	for (int i = 25; i >= 20; i--) {
		out[i] = (char)('0' + usec % 10);
		usec /= 10;
	}
	memcpy(out + 26, "+0000", 6);
}

bool rfc3339_to_eve(const char *s, char out[40])
{
	int64_t us;
	if (!rfc3339_parse(s, &us))
		return false;
	int64_t sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	rfc3339_eve(sec, (uint32_t)(us - sec * 1000000), out);
	return true;
}
