/* SPDX-License-Identifier: BSD-2-Clause */
/* Publishing eve.json's records to NATS JetStream (publish.h). */
#include "sensor/output/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sensor/output/asset_kv.h"
#include "sensor/output/nats_options.h"
#include "util/comma_list.h"
#include "util/log.h"
#include "util/state_file.h"

#define STATE_NAME "publish.state"
#define PUB_WAIT_MS 2000          /* for the stream's acknowledgement */
#define RETRY_MS 500              /* after a failed publish */
#define UNFIT_RETRY_MS 5000       /* a stream fabmon cannot use: looked at again */
#define IDLE_MS 50                /* nothing new in eve.json */
#define SAVE_EVERY_MS 1000        /* the offset to publish.state, at most this often */
#define TOKEN_MAX 64
/* Records sent before their acknowledgements are awaited: one round trip
 * a batch instead of one a record (on two cores a round trip per record
 * cost the sensor more CPU than its packet path, bench/nats_fleet.py). */
#define BATCH_MAX 256

static const int64_t day_ns = 86400LL * 1000000000LL;

struct publisher {
	struct publish_config cfg;
	char site[TOKEN_MAX], sensor[TOKEN_MAX];
	char eve_path[PATH_MAX], state_path[PATH_MAX];
	natsConnection *nc;
	jsCtx *js;
	bool stream_ok;
	int64_t stream_next_ms;       /* an unfit stream: when to look at it again */
	bool warned_unfit;            /* said once that the stream is unfit */
	pthread_t thread;
	_Atomic bool stop;
	_Atomic bool resync;          /* ask the stream where this sensor's records end */

	/* the thread's place in eve.json: the next record to publish */
	FILE *eve;
	uint64_t inode;
	_Atomic uint64_t offset;      /* bytes acknowledged */
	char run[48];                 /* the run of the records being read */
	uint64_t seq;                 /* the next record's number in its run */
	bool dirty;                   /* offset not saved yet */
	int64_t saved_ms;
	char *line;
	size_t linecap;

	_Atomic uint64_t published, duplicates, errors, stream_errors, bad_records, backlog;
	_Atomic uint64_t not_selected;
	_Atomic uint64_t skipped_stored, rejected;
	/* the batch in flight: its first error (from on_ack, a thread of nats.c) */
	pthread_mutex_t ack_lock;
	natsStatus batch_err;
	jsErrCode batch_errcode;
	char batch_errtext[256];
	/* the batch's asset records, merged into the inventory once acknowledged */
	char **assets;
	size_t nassets, assets_cap;
	/* the inventory in the key-value store (asset_kv.h) */
	kvStore *kv;
	int64_t kv_next_ms;           /* no bucket: when to try again */
	bool kv_warned;
	_Atomic uint64_t assets_stored, asset_conflicts, asset_errors;
	bool warned;                  /* said once that NATS cannot be reached */
	int64_t started_ms;
	/* why the connection is not up (nats.c's last error), under ack_lock */
	char conn_why[256];
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* A subject token: letters, digits, '-' and '_'; anything else '_'. */
static void token(char *dst, const char *src)
{
	size_t n = 0;
	for (; src && *src && n + 1 < TOKEN_MAX; src++) {
		char c = *src;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_';
		dst[n++] = ok ? c : '_';
	}
	if (!n)
		dst[n++] = '_';
	dst[n] = 0;
}

/* The event types of eve.json (doc/eve-schema.json). */
#define EVENT_TYPES "run,policy,stats,flow,flow_attempts,anomaly,hsms,modbus,asset,alert,exposure"

/* Whether the len bytes at s are one of list's items. */
static bool in_list(const char *list, const char *s, size_t len)
{
	size_t n;
	for (const char *item; (item = comma_next(&list, &n));)
		if (n == len && !strncmp(item, s, len))
			return true;
	return false;
}

bool publish_parse_types(const char *spec, char *err, size_t errlen)
{
	if (!spec || !*spec) {
		snprintf(err, errlen, "no event type given");
		return false;
	}
	size_t len;
	for (const char *s; (s = comma_next(&spec, &len));) {
		if (!in_list(EVENT_TYPES, s, len)) {
			snprintf(err, errlen, "'%.*s' is not an event type fabmon writes (%s)", (int)len, s,
				 EVENT_TYPES);
			return false;
		}
	}
	return true;
}

/* ---------------------------------------------------------------- state */

static void state_save(struct publisher *p)
{
	char text[160];
	snprintf(text, sizeof(text), "{\"inode\":%" PRIu64 ",\"offset\":%" PRIu64 ",\"run\":\"%s\","
		 "\"seq\":%" PRIu64 "}\n", p->inode, atomic_load(&p->offset), p->run, p->seq);
	int rc = state_file_write(p->state_path, text);
	if (rc < 0) {
		log_warn("publish: cannot write %s: %s", p->state_path, strerror(-rc));
		return;
	}
	p->dirty = false;
	p->saved_ms = now_ms();
}

/* The place where the last run of the publisher stopped; none: the start.
 * -1 when the file is there but is not a state file. */
static int state_load(struct publisher *p, char *err, size_t errlen)
{
	FILE *f = fopen(p->state_path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", p->state_path, strerror(errno));
		return -1;
	}
	uint64_t inode, offset, seq;
	char run[48];
	/* as state_save writes it (spaces between the tokens allowed) */
	int n = fscanf(f, " { \"inode\" :%" SCNu64 " , \"offset\" :%" SCNu64 " , \"run\" : \"%47[^\"]\" , "
		       "\"seq\" :%" SCNu64 " }", &inode, &offset, run, &seq);
	fclose(f);
	if (n != 4) {
		snprintf(err, errlen, "%s is not fabmon's publish state (remove it to publish eve.json "
			 "from its start)", p->state_path);
		return -1;
	}
	p->inode = inode;
	atomic_store(&p->offset, offset);
	snprintf(p->run, sizeof(p->run), "%s", run);
	p->seq = seq;
	return 0;
}

/* ------------------------------------------------------------ eve.json */

/* eve.json open at the acknowledged offset; a new file (rotated) from its
 * start. false: not there yet. */
static bool eve_open(struct publisher *p)
{
	struct stat st;
	if (p->eve) {
		/* rotated (another file under the name) or truncated: the new one from 0 */
		if (stat(p->eve_path, &st) == 0 && ((uint64_t)st.st_ino != p->inode ||
						     (uint64_t)st.st_size < atomic_load(&p->offset))) {
			fclose(p->eve);
			p->eve = NULL;
		} else {
			return true;
		}
	}
	p->eve = fopen(p->eve_path, "r");
	if (!p->eve || fstat(fileno(p->eve), &st) < 0) {
		if (p->eve)
			fclose(p->eve);
		p->eve = NULL;
		return false;
	}
	if ((uint64_t)st.st_ino != p->inode || (uint64_t)st.st_size < atomic_load(&p->offset)) {
		if (p->inode)
			log_info("publish: %s is a new file: publishing it from its start", p->eve_path);
		p->inode = (uint64_t)st.st_ino;
		atomic_store(&p->offset, 0);
		p->dirty = true;
	}
	if (fseeko(p->eve, (off_t)atomic_load(&p->offset), SEEK_SET) < 0) {
		fclose(p->eve);
		p->eve = NULL;
		return false;
	}
	return true;
}

/* The value of "key":"..." in a record line (its first occurrence). */
static bool member(const char *line, const char *key, char *out, size_t outlen)
{
	const char *k = strstr(line, key);
	if (!k)
		return false;
	k += strlen(key);
	size_t n = 0;
	while (k[n] && k[n] != '"' && n + 1 < outlen) {
		out[n] = k[n];
		n++;
	}
	out[n] = 0;
	return k[n] == '"';
}

/* A run record starts a run: its id is its start (to the second) and its
 * place in eve.json, so that two runs of one second differ. */
static void run_id(struct publisher *p, const char *line, uint64_t at)
{
	char started[48], d[24];
	size_t n = 0;
	if (member(line, "\"started\":\"", started, sizeof(started)))
		for (const char *s = started; *s && *s != '.' && *s != '+' && n + 1 < sizeof(d); s++)
			if (*s >= '0' && *s <= '9')
				d[n++] = *s;
	d[n] = 0;
	snprintf(p->run, sizeof(p->run), "%s-%" PRIu64, n ? d : "run", at);
	p->seq = 0;
}

/* ------------------------------------------------------------ NATS */

static void set_why(struct publisher *p, const char *why);

/* (Re)connected: publishing resumes on its own (the thread retries), from
 * after the last record the stream has of this sensor (skip_stored). */
static void on_connected(natsConnection *nc, void *closure)
{
	struct publisher *p = closure;
	(void)nc;
	set_why(p, NULL);
	atomic_store(&p->resync, true);
}

static void set_why(struct publisher *p, const char *why)
{
	why = why ? publish_nats_text(why) : NULL;
	pthread_mutex_lock(&p->ack_lock);
	snprintf(p->conn_why, sizeof(p->conn_why), "%s", why ? why : "");
	pthread_mutex_unlock(&p->ack_lock);
}

/* The connection is down: nats.c's reason, kept for publisher_why (its
 * "no server available" does not replace the first attempt's reason). */
static void note_why(struct publisher *p)
{
	const char *text = NULL;
	natsStatus s = p->nc ? natsConnection_GetLastError(p->nc, &text) : NATS_OK;
	if (s == NATS_OK || s == NATS_NO_SERVER)
		return;
	set_why(p, text && *text ? text : natsStatus_GetText(s));
}

bool publisher_why(struct publisher *p, char *buf, size_t len)
{
	if (!p)
		return false;
	pthread_mutex_lock(&p->ack_lock);
	snprintf(buf, len, "%s", p->conn_why);
	pthread_mutex_unlock(&p->ack_lock);
	return *buf != 0;
}

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure);

static void connect_nats(struct publisher *p)
{
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = publish_nats_servers(o, p->cfg.servers);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, "fabmon");
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);           /* for ever */
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 1000);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(o, on_connected, p);
	if (s == NATS_OK)
		s = publish_nats_security(o, p->cfg.creds, p->cfg.tls_ca);
	/* once in place first: a failure says exactly why (a certificate the CA
	 * did not sign, a refused connection), which the background retries
	 * below only report as "no server available" */
	if (s == NATS_OK && natsConnection_Connect(&p->nc, o) == NATS_OK) {
		on_connected(p->nc, p);
	} else if (s == NATS_OK) {
		const char *why = nats_GetLastError(NULL);
		set_why(p, why && *why ? why : "no answer");
		/* with a callback: Connect returns at once and connects in the
		 * background (without one it would try in place, for ever) */
		s = natsOptions_SetRetryOnFailedConnect(o, true, on_connected, p);
		if (s == NATS_OK)
			s = natsConnection_Connect(&p->nc, o);
	}
	if (s == NATS_NOT_YET_CONNECTED)
		s = NATS_OK; /* retrying on its own */
	if (s == NATS_OK) {
		/* acknowledgements come to on_ack, a batch at a time (step) */
		jsOptions jo;
		jsOptions_Init(&jo);
		jo.PublishAsync.AckHandler = on_ack;
		jo.PublishAsync.AckHandlerClosure = p;
		jo.PublishAsync.MaxPending = 2 * BATCH_MAX;
		s = natsConnection_JetStream(&p->js, p->nc, &jo);
	}
	if (s != NATS_OK) {
		const char *why = nats_GetLastError(NULL);
		why = why && *why ? publish_nats_text(why) : natsStatus_GetText(s);
		set_why(p, why);
		log_warn("publish: cannot set up the NATS connection to %s: %s; records wait in "
			 "eve.json", p->cfg.servers, why);
		natsConnection_Destroy(p->nc);
		p->nc = NULL;
	}
	natsOptions_Destroy(o);
}

/* Whether the subject pattern pat takes every subject want (a pattern
 * ending in >) takes. */
static bool subject_covers(const char *pat, const char *want)
{
	for (;;) {
		size_t pl = strcspn(pat, "."), wl = strcspn(want, ".");
		if (pl == 1 && *pat == '>')
			return true;
		if ((wl == 1 && *want == '>') || (!(pl == 1 && *pat == '*') &&
						  (pl != wl || strncmp(pat, want, pl))))
			return false;
		pat += pl;
		want += wl;
		if (!*pat || !*want)
			return !*pat && !*want;
		pat++, want++;
	}
}

/* printf at buf's end (*n its length so far), cut where it is full. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n = *n + (size_t)r < len ? *n + (size_t)r : len - 1;
}

/* What makes an existing stream one fabmon cannot publish to, said in why
 * (empty: nothing). Its records would not be taken, or taken and removed
 * (work queue, interest), or lost with the server (memory). */
static void stream_unfit(const struct publisher *p, const jsStreamConfig *c, char *why, size_t len)
{
	static const char *const retention[] = { "limits", "interest", "work queue" };
	char want[2 * TOKEN_MAX + 16], subjects[256] = "";
	size_t n = 0;
	bool covered = false;
	snprintf(want, sizeof(want), "fabmon.%s.%s.>", p->site, p->sensor);
	for (int i = 0; i < c->SubjectsLen; i++) {
		covered = covered || subject_covers(c->Subjects[i], want);
		append(subjects, sizeof(subjects), &n, "%s%s", i ? ", " : "", c->Subjects[i]);
	}
	why[0] = 0;
	n = 0;
	if (!covered)
		append(why, len, &n, "; its subjects (%s) do not take %s",
		       subjects[0] ? subjects : "none", want);
	if (c->Retention != js_LimitsPolicy)
		append(why, len, &n, "; %s retention",
		       c->Retention <= js_WorkQueuePolicy ? retention[c->Retention] : "other");
	if (c->Storage != js_FileStorage)
		append(why, len, &n, "; memory storage");
	if (c->NoAck)
		append(why, len, &n, "; no acknowledgements");
	if (c->Sealed)
		append(why, len, &n, "; sealed");
}

/* An existing stream: usable, or said (once) why not. */
static bool stream_fits(struct publisher *p, const jsStreamInfo *si)
{
	char why[512];
	stream_unfit(p, si->Config, why, sizeof(why));
	if (!why[0]) {
		if (p->warned_unfit)
			log_info("publish: stream %s can take the records now", PUBLISH_STREAM);
		p->warned_unfit = false;
		return true;
	}
	atomic_fetch_add(&p->stream_errors, 1);
	p->stream_next_ms = now_ms() + UNFIT_RETRY_MS;
	if (!p->warned_unfit)
		log_warn("publish: stream %s at %s is not one fabmon can publish to: %s. fabmon needs "
			 "subjects taking fabmon.> (or at least fabmon.%s.%s.>), limits retention, file "
			 "storage, acknowledgements: delete it (fabmon makes it) or change it; records "
			 "wait in eve.json", PUBLISH_STREAM, p->cfg.servers, why + 2, p->site, p->sensor);
	p->warned_unfit = true;
	return false;
}

/* The stream, made if missing: replicas 3 where a cluster has them. */
static bool ensure_stream(struct publisher *p)
{
	jsStreamInfo *si = NULL;
	jsErrCode je = 0;
	natsStatus s = js_GetStreamInfo(&si, p->js, PUBLISH_STREAM, NULL, &je);
	if (s == NATS_OK) {
		bool ok = stream_fits(p, si);
		jsStreamInfo_Destroy(si);
		return ok;
	}
	if (je != JSStreamNotFoundErr && s != NATS_NOT_FOUND)
		goto fail;
	jsStreamConfig sc;
	jsStreamConfig_Init(&sc);
	const char *subjects[] = { "fabmon.>" };
	sc.Name = PUBLISH_STREAM;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.MaxAge = 30 * day_ns;
	sc.Duplicates = 3600LL * 1000000000LL;
	static const int64_t replicas[] = { 3, 1 };
	for (size_t i = 0; i < 2; i++) {
		sc.Replicas = replicas[i];
		je = 0;
		s = js_AddStream(&si, p->js, &sc, NULL, &je);
		if (s == NATS_OK) {
			log_info("publish: stream %s made (subjects fabmon.>, %" PRId64 " replica%s)",
				 PUBLISH_STREAM, sc.Replicas, sc.Replicas == 1 ? "" : "s");
			jsStreamInfo_Destroy(si);
			return true;
		}
		if (je != JSStreamReplicasNotSupportedErr && je != JSInsufficientResourcesErr &&
		    je != JSClusterNoPeersErr)
			break;
	}
fail:
	atomic_fetch_add(&p->stream_errors, 1);
	if (!p->warned)
		log_warn("publish: stream %s at %s: %s (JetStream error %d); records wait in eve.json",
			 PUBLISH_STREAM, p->cfg.servers, natsStatus_GetText(s), (int)je);
	p->warned = true;
	return false;
}

/* A record is one JSON object; a line cut by a kill is not one, even when
 * the cut falls just after a member object's closing brace: the braces
 * outside strings must close the first one exactly at the line's end. */
static bool is_record(const char *line, size_t len)
{
	if (len < 2 || line[0] != '{')
		return false;
	size_t depth = 0;
	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if (c == '"') {
			/* the string's end: the next quote not escaped (an odd run of
			 * backslashes before it); memchr, as the text of a record is
			 * mostly strings */
			const char *q = line + i;
			for (;;) {
				q = memchr(q + 1, '"', len - (size_t)(q + 1 - line));
				if (!q)
					return false; /* cut inside a string */
				const char *b = q;
				while (b > line + i + 1 && b[-1] == '\\')
					b--;
				if ((q - b) % 2 == 0)
					break;
			}
			i = (size_t)(q - line);
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && (depth == 0 || (--depth == 0 && i + 1 != len))) {
			return false;
		}
	}
	return depth == 0;
}

/* A publish that failed: counted, and said once until the stream
 * acknowledges records again. A JetStream error is the stream refusing the
 * record, most often for being full (its limits reached, discard new). */
static void publish_failed(struct publisher *p, natsStatus s, jsErrCode je, const char *text)
{
	atomic_fetch_add(&p->errors, 1);
	if (je)
		atomic_fetch_add(&p->rejected, 1);
	if (p->warned)
		return;
	p->warned = true;
	if (!je) {
		log_warn("publish: %s: %s; records wait in eve.json and go when it answers",
			 p->cfg.servers, natsStatus_GetText(s));
		return;
	}
	/* the server's text, after the source place nats.c puts first: "(js.c:535): ..." */
	if (!text || !*text)
		text = nats_GetLastError(NULL);
	text = text ? publish_nats_text(text) : natsStatus_GetText(s);
	bool full = je == JSStreamStoreFailedErr && strstr(text, "maximum");
	log_warn("publish: stream %s refuses records: %s (JetStream error %d)%s; records wait in "
		 "eve.json and go when it %s", PUBLISH_STREAM, text, (int)je,
		 full ? ": stream full, its limits reached and new records discarded" : "",
		 full ? "has room (records removed, or its limits raised)" : "takes them");
}

/* Each acknowledgement, or the error instead (a thread of nats.c's): the
 * counters, and the batch's first error for the publishing thread. */
static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct publisher *p = closure;
	(void)js;
	if (pa) {
		atomic_fetch_add(&p->published, 1);
		if (pa->Duplicate)
			atomic_fetch_add(&p->duplicates, 1);
	} else if (pae) {
		pthread_mutex_lock(&p->ack_lock);
		if (!p->batch_err) {
			p->batch_err = pae->Err ? pae->Err : NATS_ERR;
			p->batch_errcode = pae->ErrCode;
			snprintf(p->batch_errtext, sizeof(p->batch_errtext), "%s",
				 pae->ErrText ? pae->ErrText : "");
		}
		pthread_mutex_unlock(&p->ack_lock);
	}
	natsMsg_Destroy(msg);
}

/* Hand one record line (without its newline) to the client, to be sent
 * with the batch (its acknowledgement comes to on_ack). 1 sent, 0 not a
 * record (skipped, counted), -1 the client did not take it. */
static int publish_line(struct publisher *p, const char *line, size_t len)
{
	char et[48], subject[3 * TOKEN_MAX + 16], id[TOKEN_MAX + 96];
	if (!is_record(line, len) || !member(line, "\"event_type\":\"", et, sizeof(et))) {
		atomic_fetch_add(&p->bad_records, 1);
		return 0;
	}
	if (p->cfg.types && !in_list(p->cfg.types, et, strlen(et))) {
		atomic_fetch_add(&p->not_selected, 1);
		return 0; /* --publish-types leaves it out: its place is passed */
	}
	char ett[TOKEN_MAX];
	token(ett, et);
	snprintf(subject, sizeof(subject), "fabmon.%s.%s.%s", p->site, p->sensor, ett);
	snprintf(id, sizeof(id), "%s.%s.%" PRIu64, p->sensor, p->run, p->seq);
	natsMsg *m = NULL;
	natsStatus s = natsMsg_Create(&m, subject, NULL, line, (int)len);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Nats-Msg-Id", id);
	if (s == NATS_OK)
		s = js_PublishMsgAsync(p->js, &m, NULL);
	natsMsg_Destroy(m); /* NULL once the client took it */
	if (s != NATS_OK) {
		pthread_mutex_lock(&p->ack_lock);
		if (!p->batch_err)
			p->batch_err = s;
		pthread_mutex_unlock(&p->ack_lock);
		return -1;
	}
	return 1;
}

/* n of a Nats-Msg-Id <sensor>.<run>.<n> of this sensor's current run. */
static bool id_in_run(const struct publisher *p, const char *id, uint64_t *n)
{
	char prefix[TOKEN_MAX + 64];
	int len = snprintf(prefix, sizeof(prefix), "%s.%s.", p->sensor, p->run);
	if (len < 0 || (size_t)len >= sizeof(prefix) || strncmp(id, prefix, (size_t)len) ||
	    id[len] < '0' || id[len] > '9')
		return false;
	char *end;
	errno = 0;
	*n = strtoull(id + len, &end, 10);
	return !*end && !errno;
}

/* Move the place past the next count lines of eve.json (records the stream
 * has): all of them or, when eve.json does not hold them whole in this run,
 * none. The records among them. */
static uint64_t skip_lines(struct publisher *p, uint64_t count)
{
	uint64_t at = atomic_load(&p->offset), records = 0;
	ssize_t n = 0;
	fseeko(p->eve, (off_t)at, SEEK_SET);
	for (uint64_t i = 0; i < count; i++) {
		n = getline(&p->line, &p->linecap, p->eve);
		/* a run record starts other ids: only the first line may be one
		 * (the run skip_stored matched, peek_run) */
		if (n <= 0 || p->line[n - 1] != '\n' ||
		    (i > 0 && strstr(p->line, "\"event_type\":\"run\""))) {
			clearerr(p->eve);
			fseeko(p->eve, (off_t)atomic_load(&p->offset), SEEK_SET);
			return 0;
		}
		at += (uint64_t)n;
		records += is_record(p->line, (size_t)n - 1);
	}
	atomic_store(&p->offset, at);
	p->seq += count;
	p->dirty = true;
	return records;
}

/* The stream's last record of this sensor: when it is one of the current
 * run beyond the acknowledged place (stored, its acknowledgement lost to a
 * crash or an outage), go on after it. Sending those records again relies
 * on the duplicate window, which an outage longer than it has passed. */
/* The place is at a run record (a batch of a new run failed, or a run
 * starts there): its run is the current one, as reading it would make it. */
static void peek_run(struct publisher *p)
{
	uint64_t at = atomic_load(&p->offset);
	fseeko(p->eve, (off_t)at, SEEK_SET);
	ssize_t n = getline(&p->line, &p->linecap, p->eve);
	if (n > 0 && p->line[n - 1] == '\n' && strstr(p->line, "\"event_type\":\"run\""))
		run_id(p, p->line, at);
	clearerr(p->eve);
	fseeko(p->eve, (off_t)at, SEEK_SET);
}

static void skip_stored(struct publisher *p)
{
	char subject[2 * TOKEN_MAX + 16];
	snprintf(subject, sizeof(subject), "fabmon.%s.%s.>", p->site, p->sensor);
	natsMsg *m = NULL;
	jsErrCode je = 0;
	jsOptions o;
	jsOptions_Init(&o);
	o.Wait = PUB_WAIT_MS; /* as a publish: a server that does not answer holds nothing up long */
	natsStatus s = js_GetLastMsg(&m, p->js, PUBLISH_STREAM, subject, &o, &je);
	if (s != NATS_OK) {
		/* none yet, or no answer: a resend is then dropped within the window */
		if (s != NATS_NOT_FOUND && je != JSNoMessageFoundErr)
			log_debug("publish: last record of %s: %s (JetStream error %d)", subject,
				  natsStatus_GetText(s), (int)je);
		return;
	}
	peek_run(p);
	const char *id = NULL;
	uint64_t last, records = 0, seq = p->seq;
	if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK && id_in_run(p, id, &last) &&
	    last >= seq && (records = skip_lines(p, last + 1 - seq)) > 0) {
		atomic_fetch_add(&p->skipped_stored, records);
		log_info("publish: the stream has %" PRIu64 " record%s of run %s past the acknowledged "
			 "place (up to %s): not sent again", records, records == 1 ? "" : "s", p->run, id);
	}
	natsMsg_Destroy(m);
}

/* An asset record the stream acknowledged, merged into the inventory's
 * entry. false: the store did not take it (yet); the caller tries again.
 * While there is no bucket (it cannot be made) the inventory goes without. */
static bool store_asset(struct publisher *p, const char *line, size_t len)
{
	if (!p->kv && now_ms() >= p->kv_next_ms) {
		char err[512];
		p->kv = asset_kv_open(p->js, err, sizeof(err));
		if (!p->kv) {
			p->kv_next_ms = now_ms() + UNFIT_RETRY_MS;
			if (!p->kv_warned)
				log_warn("publish: %s; the inventory is not kept in it (records are still "
					 "published)", err);
			p->kv_warned = true;
		} else if (p->kv_warned) {
			log_info("publish: key-value bucket %s can be used now", ASSET_KV_BUCKET);
			p->kv_warned = false;
		}
	}
	if (!p->kv) {
		atomic_fetch_add(&p->asset_errors, 1);
		return true;
	}
	uint64_t conflicts = 0;
	int r = asset_kv_put(p->kv, p->site, p->sensor, line, len, &conflicts);
	atomic_fetch_add(&p->asset_conflicts, conflicts);
	if (r < 0) {
		atomic_fetch_add(&p->asset_errors, 1);
		return false;
	}
	if (r == 0)
		atomic_fetch_add(&p->assets_stored, 1);
	return true;
}

static void forget_assets(struct publisher *p)
{
	for (size_t i = 0; i < p->nassets; i++)
		free(p->assets[i]);
	p->nassets = 0;
}

/* An asset record of the batch, kept for the inventory. */
static void keep_asset(struct publisher *p, const char *line)
{
	if (p->nassets == p->assets_cap) {
		size_t cap = p->assets_cap ? 2 * p->assets_cap : 16;
		char **a = realloc(p->assets, cap * sizeof(*a));
		if (!a)
			return; /* the entry then waits for the asset's next record */
		p->assets = a;
		p->assets_cap = cap;
	}
	char *copy = strdup(line);
	if (copy)
		p->assets[p->nassets++] = copy;
}

static natsStatus batch_error(struct publisher *p, jsErrCode *code, char *text, size_t textlen)
{
	pthread_mutex_lock(&p->ack_lock);
	natsStatus s = p->batch_err;
	*code = p->batch_errcode;
	snprintf(text, textlen, "%s", p->batch_errtext);
	p->batch_err = NATS_OK;
	p->batch_errcode = 0;
	p->batch_errtext[0] = 0;
	pthread_mutex_unlock(&p->ack_lock);
	return s;
}

/* The next complete records of eve.json (up to BATCH_MAX), sent, then
 * their acknowledgements awaited: the records done (> 0), 0 nothing new,
 * -1 failed (the place stays at the batch's start: some of it may be
 * stored all the same, which the caller's skip_stored finds). */
static int step(struct publisher *p)
{
	if (!eve_open(p))
		return 0;
	uint64_t start = atomic_load(&p->offset), at = start;
	char run_save[sizeof(p->run)];
	uint64_t seq_save = p->seq;
	memcpy(run_save, p->run, sizeof(run_save));
	jsErrCode code = 0;
	char text[256];
	batch_error(p, &code, text, sizeof(text)); /* a late error of an earlier batch: not ours */
	int n = 0, sent = 0;
	bool failed = !p->stream_ok;
	while (!failed && n < BATCH_MAX) {
		ssize_t len = getline(&p->line, &p->linecap, p->eve);
		if (len <= 0 || p->line[len - 1] != '\n') {
			/* none, or half written: read it again when whole */
			clearerr(p->eve);
			fseeko(p->eve, (off_t)at, SEEK_SET);
			break;
		}
		p->line[len - 1] = 0;
		if (strstr(p->line, "\"event_type\":\"run\""))
			run_id(p, p->line, at);
		int r = publish_line(p, p->line, (size_t)len - 1);
		if (r < 0) {
			failed = true;
			break;
		}
		sent += r;
		if (r && strstr(p->line, "\"event_type\":\"asset\""))
			keep_asset(p, p->line);
		p->seq++;
		at += (uint64_t)len;
		n++;
	}
	natsStatus s = NATS_OK;
	if (!failed && sent) {
		jsPubOptions po;
		jsPubOptions_Init(&po);
		po.MaxWait = PUB_WAIT_MS;
		s = js_PublishAsyncComplete(p->js, &po);
	}
	natsStatus e = batch_error(p, &code, text, sizeof(text));
	if (failed || s != NATS_OK || e != NATS_OK) {
		natsMsgList pending;
		if (js_PublishAsyncGetPendingList(&pending, p->js) == NATS_OK)
			natsMsgList_Destroy(&pending); /* their acknowledgements are not awaited */
		if (p->stream_ok)
			publish_failed(p, e != NATS_OK ? e : s, code, text);
		forget_assets(p);
		memcpy(p->run, run_save, sizeof(run_save));
		p->seq = seq_save;
		fseeko(p->eve, (off_t)start, SEEK_SET);
		return -1;
	}
	if (!n)
		return 0;
	if (sent && p->warned)
		log_info("publish: %s acknowledges records again", p->cfg.servers);
	if (sent)
		p->warned = false;
	/* the batch is the stream's: its place moves on once the inventory has
	 * its assets too (a stop leaves them to each asset's next record) */
	for (size_t i = 0; i < p->nassets; i++)
		while (!store_asset(p, p->assets[i], strlen(p->assets[i])) && !atomic_load(&p->stop))
			sleep_ms(RETRY_MS);
	forget_assets(p);
	atomic_store(&p->offset, at);
	p->dirty = true;
	return n;
}

/* Bytes of eve.json not yet acknowledged. */
static uint64_t unacked(struct publisher *p)
{
	struct stat st;
	uint64_t off = atomic_load(&p->offset);
	uint64_t size = stat(p->eve_path, &st) == 0 ? (uint64_t)st.st_size : 0;
	return size > off ? size - off : 0;
}

static void update_backlog(struct publisher *p)
{
	atomic_store(&p->backlog, unacked(p));
}

/* The connection and what hangs on it, gone (connect_nats makes them again). */
static void drop_connection(struct publisher *p)
{
	if (p->kv)
		kvStore_Destroy(p->kv);
	p->kv = NULL;
	jsCtx_Destroy(p->js);
	p->js = NULL;
	natsConnection_Destroy(p->nc);
	p->nc = NULL;
	p->stream_ok = false;
}

static void *run(void *arg)
{
	struct publisher *p = arg;
	connect_nats(p);
	while (!atomic_load(&p->stop)) {
		if (!p->nc) {
			sleep_ms(1000);
			connect_nats(p);
			continue;
		}
		if (natsConnection_Status(p->nc) == NATS_CONN_STATUS_CLOSED) {
			/* nats.c gave up for good (a refused login closes the
			 * connection after two tries): start again, as at the start,
			 * so that credentials fixed or an account added on the
			 * servers are picked up while the sensor runs */
			note_why(p);
			drop_connection(p);
			update_backlog(p);
			continue;
		}
		if (natsConnection_Status(p->nc) != NATS_CONN_STATUS_CONNECTED) {
			/* (re)connecting in the background: nothing to ask it yet */
			note_why(p);
			if (!p->warned && now_ms() - p->started_ms > 2000) {
				char why[256];
				publisher_why(p, why, sizeof(why));
				log_warn("publish: cannot reach %s yet%s%s; records wait in eve.json and go "
					 "when it answers", p->cfg.servers, *why ? ": " : "", why);
				p->warned = true;
			}
			update_backlog(p);
			sleep_ms(100);
			continue;
		}
		if (!p->stream_ok && now_ms() < p->stream_next_ms) {
			update_backlog(p);
			sleep_ms(100);
			continue;
		}
		if (!p->stream_ok && !(p->stream_ok = ensure_stream(p))) {
			sleep_ms(RETRY_MS);
			continue;
		}
		if (atomic_load(&p->resync) && eve_open(p) && atomic_exchange(&p->resync, false))
			skip_stored(p);
		int r = step(p);
		if (r < 0)
			atomic_store(&p->resync, true); /* the record may be stored all the same */
		if (r <= 0) {
			update_backlog(p);
			if (p->dirty && now_ms() - p->saved_ms >= SAVE_EVERY_MS)
				state_save(p);
			sleep_ms(r < 0 ? RETRY_MS : IDLE_MS);
		} else if (now_ms() - p->saved_ms >= SAVE_EVERY_MS) {
			state_save(p);
		}
	}
	update_backlog(p);
	if (p->dirty)
		state_save(p);
	return NULL;
}

/* ---------------------------------------------------------------- API */

struct publisher *publisher_start(const struct publish_config *c, char *err, size_t errlen)
{
	struct publisher *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->ack_lock, NULL); /* a mutex needs no destroy on Linux: the early frees */
	p->cfg = *c;
	token(p->site, c->site);
	token(p->sensor, c->sensor);
	snprintf(p->run, sizeof(p->run), "none");
	if ((size_t)snprintf(p->eve_path, sizeof(p->eve_path), "%s/eve.json", c->outdir) >=
	    sizeof(p->eve_path) ||
	    (size_t)snprintf(p->state_path, sizeof(p->state_path), "%s/" STATE_NAME, c->outdir) >=
	    sizeof(p->state_path)) {
		snprintf(err, errlen, "%s: path too long", c->outdir);
		free(p);
		return NULL;
	}
	if (state_load(p, err, errlen) < 0) {
		free(p);
		return NULL;
	}
	p->saved_ms = p->started_ms = now_ms();
	atomic_store(&p->resync, true);
	int rc = pthread_create(&p->thread, NULL, run, p);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the publishing thread: %s", strerror(rc));
		free(p);
		return NULL;
	}
	return p;
}

void publisher_stats(struct publisher *p, struct publish_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	out->published = atomic_load(&p->published);
	out->duplicates = atomic_load(&p->duplicates);
	out->errors = atomic_load(&p->errors);
	out->stream_errors = atomic_load(&p->stream_errors);
	out->bad_records = atomic_load(&p->bad_records);
	out->not_selected = atomic_load(&p->not_selected);
	out->skipped_stored = atomic_load(&p->skipped_stored);
	out->assets_stored = atomic_load(&p->assets_stored);
	out->asset_conflicts = atomic_load(&p->asset_conflicts);
	out->asset_errors = atomic_load(&p->asset_errors);
	out->rejected = atomic_load(&p->rejected);
	out->backlog_bytes = atomic_load(&p->backlog);
	out->connected = p->nc && natsConnection_Status(p->nc) == NATS_CONN_STATUS_CONNECTED;
}

uint64_t publisher_drain(struct publisher *p, int timeout_ms, bool tell)
{
	if (!p)
		return 0;
	int64_t until = now_ms() + timeout_ms;
	uint64_t left = unacked(p);
	if (tell && left && timeout_ms > 0) /* why fabmon has not ended yet */
		log_info("publish: waiting up to %d s for %s to acknowledge the last %" PRIu64
			 " bytes of eve.json (--publish-drain)",
			 (timeout_ms + 999) / 1000, p->cfg.servers, left);
	for (;; left = unacked(p)) {
		if (!left || now_ms() >= until) {
			atomic_store(&p->backlog, left); /* as of now, for the final stats */
			return left;
		}
		sleep_ms(20);
	}
}

void publisher_stop(struct publisher *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	if (p->kv)
		kvStore_Destroy(p->kv);
	jsCtx_Destroy(p->js);
	if (p->nc) {
		natsConnection_Close(p->nc);
		natsConnection_Destroy(p->nc);
	}
	if (p->eve)
		fclose(p->eve);
	free(p->line);
	forget_assets(p);
	free(p->assets);
	pthread_mutex_destroy(&p->ack_lock);
	free(p);
	nats_CloseAndWait(2000);
}
