/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Alerts to a syslog receiver (a SIEM, rsyslog): RFC 5424 messages whose
 * MSG is the alert's EVE JSON, over UDP (one datagram each, RFC 5426) or
 * TCP with octet-counting framing (RFC 6587 3.4.1: "LEN SP MSG").
 *
 * Sending never blocks capture: messages wait in a bounded queue; the
 * socket is non-blocking; a lost TCP connection is re-established with
 * exponential backoff (1 s doubling to 60 s). What the queue cannot hold is
 * dropped and counted, so a receiver outage never loses alerts silently.
 */
#ifndef FABMON_SYSLOG_OUT_H
#define FABMON_SYSLOG_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum syslog_transport { SYSLOG_UDP, SYSLOG_TCP };

struct syslog_config {
	enum syslog_transport transport;
	char host[256];
	char port[16];
	int facility;                 /* 0..23 (16 = local0) */
	uint32_t queue_max;           /* messages held while the receiver is away */
	const char *hostname;         /* HOSTNAME field; NULL: gethostname() */
};

struct syslog_stats {
	uint64_t sent;                /* messages handed to the kernel in full (UDP: and not refused) */
	uint64_t dropped;             /* not delivered: queue full, left at exit, UDP refused */
	uint64_t connects, connect_failures, disconnects, send_errors;
	uint32_t queued;              /* waiting now */
	bool connected;
};

struct syslog_out;

/* Parse "udp://host:port" / "tcp://host:port" (port default 514; IPv6 host
 * in brackets). false with err. */
bool syslog_parse_target(const char *spec, struct syslog_config *c, char *err, size_t errlen);
int syslog_facility_parse(const char *name);   /* -1 if unknown */

struct syslog_out *syslog_out_create(const struct syslog_config *c, char *err, size_t errlen);
void syslog_out_destroy(struct syslog_out *so);

/* Queue one message: severity 1 critical .. 4 low (fabmon's), msgid the
 * rule id, msg the JSON (no newline), at capture time sec/usec. Then try
 * to send what is queued, without blocking. */
void syslog_out_send(struct syslog_out *so, int severity, const char *msgid, const char *msg,
		     size_t len, int64_t sec, uint32_t usec);
/* Connect/reconnect when due and send what is queued; never blocks. */
void syslog_out_poll(struct syslog_out *so);
/* Shutdown: keep sending for up to timeout_ms; what is left is counted
 * as dropped. Returns the number dropped by this call. */
uint32_t syslog_out_flush(struct syslog_out *so, int timeout_ms);

const struct syslog_stats *syslog_out_stats(const struct syslog_out *so);

/* The RFC 5424 line (without framing) into out; returns its length (may be
 * more than len: then it was cut). For tests. */
size_t syslog_format(char *out, size_t len, int facility, int severity, const char *hostname,
		     const char *msgid, int pid, int64_t sec, uint32_t usec, const char *msg,
		     size_t msglen);

#endif
