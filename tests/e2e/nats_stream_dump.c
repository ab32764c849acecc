/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper: every message of a JetStream stream, as one JSON line each:
 *   {"seq":N,"subject":"...","msg_id":"...","data":<the message, a record>}
 * (data is inserted as it is: fabmon publishes one EVE record per message).
 *
 * usage: nats-stream-dump URL STREAM [info]
 *        nats-stream-dump URL STREAM create|update [KEY=VALUE...]
 *        nats-stream-dump URL STREAM delete
 * With info, one line instead: {"replicas":N,"messages":N,"leader":"...",
 * "duplicates_ms":N}. create makes the stream (file storage, limits
 * retention, subjects fabmon.>, unless the keys say otherwise), update
 * changes an existing one; the keys: subjects=A[,B...],
 * retention=limits|interest|workqueue, storage=file|memory, max_msgs=N,
 * discard=old|new, duplicates_ms=N. They make the streams fabmon must cope
 * with (a short duplicate window, other settings, a full stream).
 * Exit 0; 1 on any error (said on stderr), 2 when the stream does not exist.
 * NATS_TLS_CA=FILE in the environment: TLS, trusting the CA certificates
 * in FILE (a tls:// server).
 */
#include <inttypes.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBJECTS_MAX 8

static const char *subjects[SUBJECTS_MAX];

/* One KEY=VALUE into the config; false when it is not one of the keys. */
static bool set_key(jsStreamConfig *c, char *kv)
{
	char *v = strchr(kv, '=');
	if (!v)
		return false;
	*v++ = 0;
	if (!strcmp(kv, "subjects")) {
		c->SubjectsLen = 0;
		for (char *s = v, *save = NULL, *t; (t = strtok_r(s, ",", &save)) &&
		     c->SubjectsLen < SUBJECTS_MAX; s = NULL)
			subjects[c->SubjectsLen++] = t;
		c->Subjects = subjects;
	} else if (!strcmp(kv, "retention")) {
		c->Retention = !strcmp(v, "workqueue") ? js_WorkQueuePolicy :
			       !strcmp(v, "interest") ? js_InterestPolicy : js_LimitsPolicy;
	} else if (!strcmp(kv, "storage")) {
		c->Storage = !strcmp(v, "memory") ? js_MemoryStorage : js_FileStorage;
	} else if (!strcmp(kv, "max_msgs")) {
		c->MaxMsgs = strtoll(v, NULL, 10);
	} else if (!strcmp(kv, "discard")) {
		c->Discard = !strcmp(v, "new") ? js_DiscardNew : js_DiscardOld;
	} else if (!strcmp(kv, "duplicates_ms")) {
		c->Duplicates = strtoll(v, NULL, 10) * 1000000LL;
	} else {
		return false;
	}
	return true;
}

/* create or update the stream with the keys of argv[4...] */
static natsStatus make(jsCtx *js, int argc, char **argv, jsErrCode *je)
{
	jsStreamInfo *si = NULL, *old = NULL;
	jsStreamConfig c;
	jsStreamConfig_Init(&c);
	natsStatus s = NATS_OK;
	if (!strcmp(argv[3], "update")) {
		s = js_GetStreamInfo(&old, js, argv[2], NULL, je);
		if (s != NATS_OK)
			return s;
		c = *old->Config; /* a copy: old keeps what it allocated */
	} else {
		subjects[0] = "fabmon.>";
		c.Name = argv[2];
		c.Subjects = subjects;
		c.SubjectsLen = 1;
		c.Storage = js_FileStorage;
	}
	for (int i = 4; i < argc; i++)
		if (!set_key(&c, argv[i])) {
			fprintf(stderr, "nats-stream-dump: %s: not KEY=VALUE of a known key\n", argv[i]);
			jsStreamInfo_Destroy(old);
			return NATS_INVALID_ARG;
		}
	s = old ? js_UpdateStream(&si, js, &c, NULL, je) : js_AddStream(&si, js, &c, NULL, je);
	jsStreamInfo_Destroy(si);
	jsStreamInfo_Destroy(old);
	return s;
}

static bool dump(jsCtx *js, const char *stream, const jsStreamInfo *si)
{
	jsErrCode je = 0;
	for (uint64_t seq = si->State.FirstSeq; seq && seq <= si->State.LastSeq; seq++) {
		natsMsg *m = NULL;
		natsStatus s = js_GetMsg(&m, js, stream, seq, NULL, &je);
		if (s == NATS_NOT_FOUND || je == JSNoMessageFoundErr)
			continue; /* deleted */
		if (s != NATS_OK) {
			fprintf(stderr, "nats-stream-dump: message %" PRIu64 ": %s\n", seq,
				natsStatus_GetText(s));
			return false;
		}
		const char *id = NULL;
		if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK)
			id = NULL;
		/* subjects and ids are tokens fabmon made: no quoting needed */
		printf("{\"seq\":%" PRIu64 ",\"subject\":\"%s\",\"msg_id\":%s%s%s,\"data\":%.*s}\n", seq,
		       natsMsg_GetSubject(m), id ? "\"" : "", id ? id : "null", id ? "\"" : "",
		       natsMsg_GetDataLength(m), natsMsg_GetData(m));
		natsMsg_Destroy(m);
	}
	return true;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 3 ? argv[3] : "";
	bool change = !strcmp(mode, "create") || !strcmp(mode, "update");
	if (argc < 3 || (!change && argc > 4) ||
	    (argc == 4 && strcmp(mode, "info") && strcmp(mode, "delete") && !change)) {
		fprintf(stderr, "usage: nats-stream-dump URL STREAM [info|delete|create|update "
			"[KEY=VALUE...]]\n");
		return 1;
	}
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	jsStreamInfo *si = NULL;
	jsErrCode je = 0;
	int rc = 0;
	/* NATS_TLS_CA: a tls:// server whose certificate that CA signed */
	const char *ca = getenv("NATS_TLS_CA");
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetURL(o, argv[1]);
	if (s == NATS_OK && ca && *ca)
		s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && ca && *ca)
		s = natsOptions_LoadCATrustedCertificates(o, ca);
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, o);
	natsOptions_Destroy(o);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s == NATS_OK && change)
		s = make(js, argc, argv, &je);
	else if (s == NATS_OK && !strcmp(mode, "delete"))
		s = js_DeleteStream(js, argv[2], NULL, &je);
	else if (s == NATS_OK)
		s = js_GetStreamInfo(&si, js, argv[2], NULL, &je);
	if (s != NATS_OK) {
		const char *text = nats_GetLastError(NULL);
		fprintf(stderr, "nats-stream-dump: %s: %s (JetStream error %d: %s)\n", argv[1],
			natsStatus_GetText(s), (int)je, text ? text : "");
		rc = je == JSStreamNotFoundErr ? 2 : 1;
		goto out;
	}
	if (!strcmp(mode, "info"))
		printf("{\"replicas\":%" PRId64 ",\"messages\":%" PRIu64 ",\"leader\":\"%s\","
		       "\"duplicates_ms\":%" PRId64 "}\n", si->Config->Replicas, si->State.Msgs,
		       si->Cluster && si->Cluster->Leader ? si->Cluster->Leader : "",
		       si->Config->Duplicates / 1000000);
	else if (si && !dump(js, argv[2], si))
		rc = 1;
out:
	jsStreamInfo_Destroy(si);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_Close();
	return rc;
}
