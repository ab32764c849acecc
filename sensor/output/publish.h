/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Publishing to NATS JetStream (--publish, issue 18): many sensors, one
 * fab-wide view.
 *
 * eve.json is the spool. A thread of its own reads the records the sensor
 * has written, from the offset of the last one the stream acknowledged,
 * and publishes each to fabmon.<site>.<sensor>.<event_type> with a
 * Nats-Msg-Id of <sensor>.<run>.<n> (the run's start time, the record's
 * number in its run), so that the server drops a record sent twice (a
 * restart between a publish and the saving of its offset). The offset is
 * kept in <outdir>/publish.state, written atomically: a cluster outage of
 * minutes or a restart of the sensor loses nothing, and the capture never
 * waits for the network (the thread only reads the file). Records the
 * stream stored without the acknowledgement reaching the sensor are not
 * sent again after the duplicate window either: before going on (at start,
 * after a reconnection or a failed publish) the thread reads the last
 * Nats-Msg-Id of its own subjects and skips the records of its run up to it.
 *
 * The stream (FABMON, subjects fabmon.>) is created when missing: file
 * storage, replicas 3 where the cluster has them (1 on a single server),
 * 30 days of records, a duplicate window of one hour. An existing stream
 * fabmon cannot use (subjects, retention, storage) is said once and not
 * published to: the records wait, as they do while a full stream (limits,
 * discard new) refuses them.
 */
#ifndef FABMON_PUBLISH_H
#define FABMON_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>

#define PUBLISH_STREAM "FABMON"

struct publish_config {
	const char *servers;          /* nats://host:4222[,nats://...] */
	const char *site, *sensor;    /* subject tokens (made safe) */
	const char *outdir;           /* eve.json and publish.state */
	const char *creds;            /* --nats-creds: a NATS credentials file, or NULL */
	const char *tls_ca;           /* --nats-tls-ca: CA certificates, or NULL (then no TLS
	                               * unless the URL says tls://) */
	const char *types;            /* --publish-types: event types to publish (a, b, ...);
	                               * NULL: every record */
};

struct publish_stats {
	uint64_t published;           /* records the stream acknowledged */
	uint64_t duplicates;          /* of them, ones it already had (a resend) */
	uint64_t errors;              /* publish attempts that failed (retried) */
	uint64_t rejected;            /* of them, ones the stream refused (full: its limits) */
	uint64_t stream_errors;       /* the stream could not be found or made, or is unfit */
	uint64_t bad_records;         /* lines of eve.json that are not records (skipped) */
	uint64_t not_selected;        /* records of event types --publish-types leaves out */
	uint64_t skipped_stored;      /* records the stream had past publish.state (acks lost): not resent */
	uint64_t assets_stored;       /* asset records merged into the key-value inventory (asset_kv.h) */
	uint64_t asset_conflicts;     /* writes of an entry lost to another sensor's: merged again */
	uint64_t asset_errors;        /* asset records the inventory did not take (no bucket, no answer) */
	uint64_t backlog_bytes;       /* of eve.json not yet acknowledged */
	bool connected;
};

/* true when spec is a comma-separated list of event types fabmon writes;
 * otherwise false with err saying which is not one. */
bool publish_parse_types(const char *spec, char *err, size_t errlen);

struct publisher;

/* Start the publishing thread (it connects, and reconnects, on its own).
 * NULL with err when it cannot start (the state file is unreadable, no
 * thread, no memory). */
struct publisher *publisher_start(const struct publish_config *c, char *err, size_t errlen);

/* A snapshot of the counters (from any thread). */
void publisher_stats(struct publisher *p, struct publish_stats *out);

/* Why the connection to the servers is not up (nats.c's last error: a
 * refused connection, a certificate the CA did not sign, ...): false when
 * there is nothing to say. From any thread. */
bool publisher_why(struct publisher *p, char *buf, size_t len);

/* Wait up to timeout_ms for everything eve.json holds to be acknowledged;
 * the bytes still waiting (they stay in eve.json for the next start).
 * tell: say so (info) when there is something to wait for. */
uint64_t publisher_drain(struct publisher *p, int timeout_ms, bool tell);

/* Stop the thread, save the offset, free. NULL-safe. */
void publisher_stop(struct publisher *p);

#endif
