/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper: every message of a JetStream stream, as one JSON line each:
 *   {"seq":N,"subject":"...","msg_id":"...","data":<the message, a record>}
 * (data is inserted as it is: fabmon publishes one EVE record per message).
 *
 * usage: nats-stream-dump URL STREAM [info]
 * With info, one line instead: {"replicas":N,"messages":N,"leader":"..."}.
 * Exit 0; 1 on any error (said on stderr), 2 when the stream does not exist.
 */
#include <inttypes.h>
#include <nats/nats.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "info"))) {
		fprintf(stderr, "usage: nats-stream-dump URL STREAM [info]\n");
		return 1;
	}
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	jsStreamInfo *si = NULL;
	jsErrCode je = 0;
	int rc = 0;
	natsStatus s = natsConnection_ConnectTo(&nc, argv[1]);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s == NATS_OK)
		s = js_GetStreamInfo(&si, js, argv[2], NULL, &je);
	if (s != NATS_OK) {
		fprintf(stderr, "nats-stream-dump: %s: %s (JetStream error %d)\n", argv[1],
			natsStatus_GetText(s), (int)je);
		rc = je == JSStreamNotFoundErr ? 2 : 1;
		goto out;
	}
	if (argc == 4) {
		printf("{\"replicas\":%" PRId64 ",\"messages\":%" PRIu64 ",\"leader\":\"%s\"}\n",
		       si->Config->Replicas, si->State.Msgs,
		       si->Cluster && si->Cluster->Leader ? si->Cluster->Leader : "");
		goto out;
	}
	for (uint64_t seq = si->State.FirstSeq; seq && seq <= si->State.LastSeq; seq++) {
		natsMsg *m = NULL;
		s = js_GetMsg(&m, js, argv[2], seq, NULL, &je);
		if (s == NATS_NOT_FOUND || je == JSNoMessageFoundErr)
			continue; /* deleted */
		if (s != NATS_OK) {
			fprintf(stderr, "nats-stream-dump: message %" PRIu64 ": %s\n", seq,
				natsStatus_GetText(s));
			rc = 1;
			break;
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
out:
	jsStreamInfo_Destroy(si);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_Close();
	return rc;
}
