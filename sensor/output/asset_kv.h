/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fab-wide equipment inventory in JetStream's key-value store (issue
 * 18): bucket fabmon_assets, one key per asset, <site>.<ip> (an IPv6
 * address's ':' written '_'). The publisher (publish.h) hands it every
 * asset record the stream has acknowledged; the entry is merged with what
 * other sensors wrote and put back only if nobody wrote in between
 * (compare-and-set on the entry's revision; on a conflict it reads again
 * and merges again), so two sensors that see the same tool add to one
 * entry and never overwrite each other's fields.
 *
 * The merge keeps what every sensor saw: lists (ports, hosts, clients,
 * device and unit ids) are unions, first_seen the earliest, last_seen the
 * latest; a name (model, software revision, kind) comes from the newest
 * observation; each sensor's own counts (messages, requests, writes) and
 * times stay under by_sensor.<sensor>, and sensors lists them all. The
 * merge gives the same entry whatever the order the records come in and
 * however often one comes (a resend after a lost acknowledgement).
 */
#ifndef FABMON_ASSET_KV_H
#define FABMON_ASSET_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>

#define ASSET_KV_BUCKET "fabmon_assets"

struct asset_kv;

/* Merge the asset object of record (an eve.json asset record, one JSON
 * object) into stored (an entry's value, or NULL for a new key): a new
 * JSON text (malloc'd, *len its length), NULL when the record is not an
 * asset record with an ip. */
char *asset_kv_merge(const char *stored, size_t stored_len, const char *record, size_t record_len,
		     const char *site, const char *sensor, size_t *len);

/* The key of an asset at ip on site. */
void asset_kv_key(char *key, size_t keylen, const char *site, const char *ip);

/* The bucket, bound or made (file storage, 3 replicas where the cluster
 * has them, 8 values of history). NULL with err. */
kvStore *asset_kv_open(jsCtx *js, char *err, size_t errlen);

/* Merge one eve.json record, if it is an asset record, into its entry: 0
 * stored (or nothing new), 1 not an asset record, -1 failed (the store did
 * not answer, or 32 writes in a row lost to other sensors': try again).
 * *conflicts counts the writes lost. */
int asset_kv_put(kvStore *kv, const char *site, const char *sensor, const char *line, size_t len,
		 uint64_t *conflicts);

/* Every entry of the bucket (site's only, or all with site NULL), sorted
 * by key, as one JSON text: {"bucket":"fabmon_assets","assets":[{"key":
 * "...","revision":N,"value":{...}},...]} (malloc'd). NULL with err. */
char *asset_kv_snapshot(kvStore *kv, const char *site, char *err, size_t errlen);

#endif
