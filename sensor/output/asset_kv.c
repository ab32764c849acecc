/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/asset_kv.h"

#include <jansson.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

/* A sensor's own counts: kept apart per sensor (two mirror ports that see
 * one tool's session would otherwise count its messages twice). */
static const char *const per_sensor[] = { "messages", "requests", "writes", NULL };

static bool in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

void asset_kv_key(char *key, size_t keylen, const char *site, const char *ip)
{
	int n = snprintf(key, keylen, "%s.", site);
	for (size_t i = n > 0 ? (size_t)n : 0; *ip && i + 1 < keylen; ip++, i++) {
		key[i] = *ip == ':' ? '_' : *ip; /* keys take [-/_=.a-zA-Z0-9] */
		key[i + 1] = 0;
	}
}

/* Set key of o to the earlier (earliest true) or later of its value and t
 * (RFC 3339 times of one format compare as strings). */
static void keep_time(json_t *o, const char *key, const char *t, bool earliest)
{
	const char *cur = json_string_value(json_object_get(o, key));
	if (t && (!cur || (earliest ? strcmp(t, cur) < 0 : strcmp(t, cur) > 0)))
		json_object_set_new(o, key, json_string(t));
}

/* Every element of from that list lacks, appended to it. */
static void add_all(json_t *list, json_t *from)
{
	size_t i, j;
	json_t *v, *w;
	json_array_foreach(from, i, v) {
		bool have = false;
		json_array_foreach(list, j, w)
			if (json_equal(v, w)) {
				have = true;
				break;
			}
		if (!have)
			json_array_append(list, v);
	}
}

static json_t *child(json_t *o, const char *key)
{
	json_t *c = json_object_get(o, key);
	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(o, key, c);
	}
	return c;
}

static json_t *list_of(json_t *o, const char *key)
{
	json_t *c = json_object_get(o, key);
	if (!json_is_array(c)) {
		c = json_array();
		json_object_set_new(o, key, c);
	}
	return c;
}

static int order(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	if (json_is_integer(x) && json_is_integer(y)) {
		json_int_t i = json_integer_value(x), j = json_integer_value(y);
		return (i > j) - (i < j);
	}
	if (json_is_string(x) && json_is_string(y))
		return strcmp(json_string_value(x), json_string_value(y));
	return json_is_integer(x) ? -1 : json_is_integer(y) ? 1 : 0;
}

/* A list in one order, whatever order its elements came in. */
static void sort_list(json_t *list)
{
	size_t n = json_array_size(list);
	json_t **v = n ? malloc(n * sizeof(*v)) : NULL;
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), order);
	json_array_clear(list);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, v[i]);
	free(v);
}

static void merge_into(json_t *out, json_t *asset, const char *site, const char *sensor)
{
	const char *last = json_string_value(json_object_get(asset, "last_seen"));
	const char *out_last = json_string_value(json_object_get(out, "last_seen"));
	/* names from the newest observation; a tie keeps the merge the same
	 * whichever comes first only when both say the same, as they do for
	 * one record sent twice */
	bool newer = !out_last || (last && strcmp(last, out_last) >= 0);
	json_t *mine = child(child(out, "by_sensor"), sensor);
	const char *key;
	json_t *v;
	json_object_foreach(asset, key, v) {
		if (!strcmp(key, "change"))
			continue;
		if (in(per_sensor, key) && json_is_integer(v)) {
			json_t *cur = json_object_get(mine, key);
			if (!json_is_integer(cur) || json_integer_value(cur) < json_integer_value(v))
				json_object_set(mine, key, v);
		} else if (!strcmp(key, "first_seen") || !strcmp(key, "last_seen")) {
			bool first = key[0] == 'f';
			keep_time(out, key, json_string_value(v), first);
			keep_time(mine, key, json_string_value(v), first);
		} else if (json_is_array(v)) {
			json_t *list = list_of(out, key);
			add_all(list, v);
			sort_list(list);
		} else if (newer || !json_object_get(out, key)) {
			json_object_set(out, key, v);
		}
	}
	json_t *one = json_pack("[s]", sensor), *sensors = list_of(out, "sensors");
	add_all(sensors, one);
	sort_list(sensors);
	json_decref(one);
	json_object_set_new(out, "site", json_string(site));
}

char *asset_kv_merge(const char *stored, size_t stored_len, const char *record, size_t record_len,
		     const char *site, const char *sensor, size_t *len)
{
	json_t *rec = json_loadb(record, record_len, 0, NULL);
	json_t *asset = json_object_get(rec, "asset");
	char *text = NULL;
	if (json_is_object(asset) && json_is_string(json_object_get(asset, "ip"))) {
		json_t *out = stored ? json_loadb(stored, stored_len, 0, NULL) : NULL;
		if (!json_is_object(out)) { /* none, or not fabmon's: started afresh */
			json_decref(out);
			out = json_object();
		}
		merge_into(out, asset, site, sensor);
		text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(out);
		if (text)
			*len = strlen(text);
	}
	json_decref(rec);
	return text;
}

/* ------------------------------------------------------------ NATS */

kvStore *asset_kv_open(jsCtx *js, char *err, size_t errlen)
{
	kvStore *kv = NULL;
	natsStatus s = js_KeyValue(&kv, js, ASSET_KV_BUCKET);
	if (s == NATS_OK)
		return kv;
	kvConfig c;
	kvConfig_Init(&c);
	c.Bucket = ASSET_KV_BUCKET;
	c.Description = "fabmon: the fab-wide asset inventory, key <site>.<ip>";
	c.History = 8; /* earlier values of an entry, for the audit trail */
	c.StorageType = js_FileStorage;
	static const int replicas[] = { 3, 1 }; /* 3 where the cluster has them */
	for (size_t i = 0; i < 2; i++) {
		c.Replicas = replicas[i];
		s = js_CreateKeyValue(&kv, js, &c);
		if (s == NATS_OK) {
			log_info("publish: key-value bucket %s made (%d replica%s)", ASSET_KV_BUCKET,
				 c.Replicas, c.Replicas == 1 ? "" : "s");
			return kv;
		}
	}
	snprintf(err, errlen, "key-value bucket %s: %s", ASSET_KV_BUCKET, nats_GetLastError(NULL));
	return NULL;
}

int asset_kv_put(kvStore *kv, const char *site, const char *sensor, const char *line, size_t len,
		 uint64_t *conflicts)
{
	json_t *rec = json_loadb(line, len, 0, NULL);
	const char *ip = json_string_value(json_object_get(json_object_get(rec, "asset"), "ip"));
	char key[192];
	if (ip)
		asset_kv_key(key, sizeof(key), site, ip);
	json_decref(rec);
	if (!ip)
		return 1;
	/* compare-and-set: read, merge, write if the revision is still the one
	 * read; another sensor wrote in between: read again */
	for (int attempt = 0; attempt < 32; attempt++) {
		if (attempt > 0) { /* lost to another writer: let it finish first */
			struct timespec ts = { 0, (long)(attempt * 250 + rand() % 500) * 1000L };
			nanosleep(&ts, NULL);
		}
		kvEntry *e = NULL;
		natsStatus s = kvStore_Get(&e, kv, key);
		if (s != NATS_OK && s != NATS_NOT_FOUND)
			return -1;
		const char *val = e ? kvEntry_Value(e) : NULL;
		size_t vlen = e ? (size_t)kvEntry_ValueLen(e) : 0, mlen = 0;
		char *merged = asset_kv_merge(val, vlen, line, len, site, sensor, &mlen);
		if (!merged) {
			kvEntry_Destroy(e);
			return -1;
		}
		if (e && mlen == vlen && !memcmp(merged, val, vlen)) {
			s = NATS_OK; /* nothing new (a record sent again) */
		} else {
			uint64_t rev;
			s = e ? kvStore_Update(&rev, kv, key, merged, (int)mlen, kvEntry_Revision(e))
			      : kvStore_Create(&rev, kv, key, merged, (int)mlen);
		}
		free(merged);
		kvEntry_Destroy(e);
		if (s == NATS_OK)
			return 0;
		(*conflicts)++;
	}
	return -1;
}

static int key_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *asset_kv_snapshot(kvStore *kv, const char *site, char *err, size_t errlen)
{
	kvKeysList keys = { 0 };
	kvWatchOptions o;
	kvWatchOptions_Init(&o);
	o.Timeout = 10000;
	natsStatus s = kvStore_Keys(&keys, kv, &o);
	if (s != NATS_OK && s != NATS_NOT_FOUND) { /* not found: no key yet */
		snprintf(err, errlen, "the keys of %s: %s", ASSET_KV_BUCKET, natsStatus_GetText(s));
		return NULL;
	}
	if (keys.Count > 1)
		qsort(keys.Keys, (size_t)keys.Count, sizeof(*keys.Keys), key_order);
	json_t *assets = json_array();
	size_t sitelen = site ? strlen(site) : 0;
	for (int i = 0; i < keys.Count && s != NATS_ERR; i++) {
		const char *k = keys.Keys[i];
		if (site && (strncmp(k, site, sitelen) || k[sitelen] != '.'))
			continue;
		kvEntry *e = NULL;
		natsStatus g = kvStore_Get(&e, kv, k);
		if (g == NATS_NOT_FOUND)
			continue; /* deleted meanwhile */
		if (g != NATS_OK) {
			snprintf(err, errlen, "%s in %s: %s", k, ASSET_KV_BUCKET, natsStatus_GetText(g));
			s = NATS_ERR;
			break;
		}
		json_t *v = json_loadb(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e), 0, NULL);
		json_array_append_new(assets, json_pack("{s:s, s:I, s:o}", "key", k, "revision",
							(json_int_t)kvEntry_Revision(e), "value",
							v ? v : json_null()));
		kvEntry_Destroy(e);
	}
	kvKeysList_Destroy(&keys);
	char *text = NULL;
	if (s != NATS_ERR) {
		json_t *doc = json_pack("{s:s, s:o}", "bucket", ASSET_KV_BUCKET, "assets", assets);
		text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
		json_decref(doc);
	} else {
		json_decref(assets);
	}
	return text;
}
