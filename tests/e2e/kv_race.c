/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper: sensors racing for the same inventory entries. THREADS
 * threads, each a sensor (t1, t2, ...) with a connection of its own to a
 * real nats-server, merge ROUNDS asset records each into four entries
 * (site race, 10.99.0.1-4) with fabmon's asset_kv_put, as fast as they
 * can: record r of a sensor is for 10.99.0.<r % 4 + 1> and carries port
 * 1000 + r. With compare-and-set every entry ends listing every sensor and
 * every port its records carried; a plain put would lose some.
 *
 * usage: kv-race URL THREADS ROUNDS
 * Prints {"conflicts":N} (writes lost to another thread's and merged
 * again); exit 0, 1 on an error (said on stderr).
 */
#include <inttypes.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "sensor/output/asset_kv.h"

struct racer {
	const char *url;
	int index, rounds;
	uint64_t conflicts;
	int failed;
	pthread_t thread;
};

static _Atomic int go;

static void *race(void *arg)
{
	struct racer *r = arg;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	kvStore *kv = NULL;
	char err[256] = "", sensor[16];
	snprintf(sensor, sizeof(sensor), "t%d", r->index);
	natsStatus s = natsConnection_ConnectTo(&nc, r->url);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s == NATS_OK && !(kv = asset_kv_open(js, err, sizeof(err))))
		s = NATS_ERR;
	while (s == NATS_OK && !atomic_load(&go))
		; /* all start together */
	for (int i = 0; s == NATS_OK && i < r->rounds; i++) {
		char rec[256];
		int n = snprintf(rec, sizeof(rec),
				 "{\"event_type\":\"asset\",\"asset\":{\"ip\":\"10.99.0.%d\",\"ports\":[%d],"
				 "\"last_seen\":\"2026-03-02T08:00:%02d.000000+0000\",\"messages\":%d}}",
				 i % 4 + 1, 1000 + i, i % 60, i + 1);
		if (asset_kv_put(kv, "race", sensor, rec, (size_t)n, &r->conflicts) != 0)
			s = NATS_ERR;
	}
	if (s != NATS_OK) {
		fprintf(stderr, "kv-race: %s: %s %s\n", sensor, natsStatus_GetText(s), err);
		r->failed = 1;
	}
	if (kv)
		kvStore_Destroy(kv);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: kv-race URL THREADS ROUNDS\n");
		return 1;
	}
	int threads = atoi(argv[2]), rounds = atoi(argv[3]);
	if (threads < 1 || threads > 64 || rounds < 1) {
		fprintf(stderr, "kv-race: THREADS 1..64, ROUNDS >= 1\n");
		return 1;
	}
	struct racer *r = calloc((size_t)threads, sizeof(*r));
	if (!r)
		return 1;
	for (int i = 0; i < threads; i++) {
		r[i] = (struct racer){ .url = argv[1], .index = i + 1, .rounds = rounds };
		pthread_create(&r[i].thread, NULL, race, &r[i]);
	}
	atomic_store(&go, 1);
	uint64_t conflicts = 0;
	int failed = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(r[i].thread, NULL);
		conflicts += r[i].conflicts;
		failed |= r[i].failed;
	}
	printf("{\"conflicts\":%" PRIu64 "}\n", conflicts);
	free(r);
	nats_Close();
	return failed;
}
