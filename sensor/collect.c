/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon collect nats://... -o DIR` (issue 18 item 3): the fab-wide
 * eve.json from the JetStream stream the sensors publish to.
 *
 * A durable pull consumer on stream FABMON (subjects fabmon.<site>.>, or
 * all) hands out the sensors' records; each is appended to DIR/eve.json
 * once, with the sensor that published it as its "host" where the record
 * has none (the subject's sensor token). DIR/collect.state holds the stream
 * sequence of the last record written; a batch is acknowledged only after
 * it is written, synced and the state saved, and a message redelivered
 * after a crash (sequence already written) is acknowledged and skipped:
 * each record once in eve.json. Without --follow it drains the stream and
 * exits; with it, it runs until SIGTERM or SIGINT. DIR/inventory.json is
 * the key-value inventory the sensors keep (asset_kv.h), written at the
 * end and, with --follow, every minute.
 */
#include "sensor/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <nats/nats.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sensor/output/asset_kv.h"
#include "sensor/output/nats_options.h"
#include "sensor/output/publish.h"
#include "util/exit_codes.h"
#include "util/log.h"
#include "util/state_file.h"

#define BATCH 256
#define FETCH_WAIT_MS 1000
#define INVENTORY_EVERY_S 60     /* --follow: inventory.json written again */
#define LOGIN_TRIES 3            /* a refused signed login: see connect_collect */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct collector {
	char eve_path[PATH_MAX], state_path[PATH_MAX], inventory_path[PATH_MAX];
	const char *site;             /* --site, or NULL: all */
	time_t inventory_at;          /* when inventory.json was last written */
	FILE *eve;
	uint64_t last_seq;            /* stream sequence of the last record written */
	uint64_t written, skipped, bad;
};

static int state_load(struct collector *c)
{
	FILE *f = fopen(c->state_path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	int n = fscanf(f, " { \"stream_seq\" :%" SCNu64 " }", &c->last_seq);
	fclose(f);
	return n == 1 ? 0 : -1;
}

static int state_save(struct collector *c)
{
	char text[48];
	snprintf(text, sizeof(text), "{\"stream_seq\":%" PRIu64 "}\n", c->last_seq);
	int rc = state_file_write(c->state_path, text);
	if (rc < 0)
		errno = -rc;
	return rc;
}

/* The sensor token of a subject fabmon.<site>.<sensor>.<event_type>. */
static void sensor_of(const char *subject, char *out, size_t outlen)
{
	const char *p = subject;
	for (int dots = 0; *p && dots < 2; p++)
		if (*p == '.')
			dots++;
	size_t n = 0;
	while (p[n] && p[n] != '.' && n + 1 < outlen) {
		out[n] = p[n];
		n++;
	}
	out[n] = 0;
}

/* One message, appended as a record line. false: eve.json cannot be written. */
static bool write_record(struct collector *c, natsMsg *m)
{
	json_error_t je;
	/* records may carry NUL characters of packets, escaped */
	json_t *rec = json_loadb(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), JSON_ALLOW_NUL,
				 &je);
	if (!json_is_object(rec)) {
		json_decref(rec);
		c->bad++;
		log_warn("collect: message on %s is not a record (%s); skipped", natsMsg_GetSubject(m),
			 je.text);
		return true;
	}
	if (!json_is_string(json_object_get(rec, "host"))) {
		char sensor[128];
		sensor_of(natsMsg_GetSubject(m), sensor, sizeof(sensor));
		json_object_set_new(rec, "host", json_string(sensor));
	}
	char *line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	if (!line)
		return false;
	bool ok = fputs(line, c->eve) >= 0 && fputc('\n', c->eve) != EOF;
	free(line);
	if (ok)
		c->written++;
	return ok;
}

static natsStatus consumer_pending(jsCtx *js, const char *durable, uint64_t *pending)
{
	jsConsumerInfo *ci = NULL;
	jsErrCode je = 0;
	natsStatus s = js_GetConsumerInfo(&ci, js, PUBLISH_STREAM, durable, NULL, &je);
	if (s == NATS_OK)
		*pending = ci->NumPending + ci->NumAckPending;
	jsConsumerInfo_Destroy(ci);
	return s;
}

/* DIR/inventory.json: the key-value inventory (asset_kv.h) as it is now,
 * written whole or not at all. No bucket (no sensor published an asset
 * yet): no file. */
static void write_inventory(struct collector *c, jsCtx *js)
{
	c->inventory_at = time(NULL);
	kvStore *kv = NULL;
	if (js_KeyValue(&kv, js, ASSET_KV_BUCKET) != NATS_OK) {
		log_info("collect: no key-value bucket %s (yet): no %s", ASSET_KV_BUCKET,
			 c->inventory_path);
		return;
	}
	char err[512];
	char *text = asset_kv_snapshot(kv, c->site, err, sizeof(err));
	kvStore_Destroy(kv);
	int rc = text ? state_file_write(c->inventory_path, text) : 0;
	if (!text)
		log_warn("collect: %s; %s not written", err, c->inventory_path);
	else if (rc < 0)
		log_warn("collect: cannot write %s: %s", c->inventory_path, strerror(-rc));
	free(text);
}

/* Fetch, write, sync, save, acknowledge, until drained (or stopped). */
static int collect_loop(struct collector *c, jsCtx *js, natsSubscription *sub, const char *durable,
			bool follow)
{
	while (!stop) {
		if (follow && time(NULL) - c->inventory_at >= INVENTORY_EVERY_S)
			write_inventory(c, js);
		natsMsgList list = { 0 };
		jsErrCode je = 0;
		natsStatus s = natsSubscription_Fetch(&list, sub, BATCH, FETCH_WAIT_MS, &je);
		if (s == NATS_TIMEOUT || (s == NATS_OK && list.Count == 0)) {
			natsMsgList_Destroy(&list);
			uint64_t pending = 1;
			if (!follow && consumer_pending(js, durable, &pending) == NATS_OK && !pending)
				return EXIT_OK;
			continue;
		}
		if (s != NATS_OK) {
			natsMsgList_Destroy(&list);
			log_warn("collect: fetch: %s (JetStream error %d); trying again", natsStatus_GetText(s),
				 (int)je);
			sleep(1);
			continue;
		}
		uint64_t before = c->last_seq;
		bool ok = true;
		for (int i = 0; i < list.Count && ok; i++) {
			jsMsgMetaData *md = NULL;
			if (natsMsg_GetMetaData(&md, list.Msgs[i]) != NATS_OK) {
				c->bad++;
				continue;
			}
			uint64_t seq = md->Sequence.Stream;
			jsMsgMetaData_Destroy(md);
			if (seq <= c->last_seq) {
				c->skipped++; /* redelivered after a crash: written already */
				continue;
			}
			ok = write_record(c, list.Msgs[i]);
			if (ok)
				c->last_seq = seq;
		}
		if (ok && (fflush(c->eve) != 0 || fsync(fileno(c->eve)) != 0))
			ok = false;
		if (!ok || (c->last_seq != before && state_save(c) < 0)) {
			natsMsgList_Destroy(&list);
			log_error("collect: cannot write %s or its state: %s (nothing of this batch is "
				  "acknowledged: it comes again)", c->eve_path, strerror(errno));
			return EXIT_OUTPUT;
		}
		for (int i = 0; i < list.Count; i++)
			natsMsg_Ack(list.Msgs[i], NULL);
		natsMsgList_Destroy(&list);
	}
	return EXIT_OK;
}

/* natsConnection_Connect, a signed login (--nats-creds) the server refuses
 * tried again, LOGIN_TRIES in all, a second apart. libnats before 3.8
 * (Debian 12's is 3.4.1) sends its CONNECT without the signature of the
 * server's nonce when that signature's first byte is zero (its base64
 * encoder takes the bytes for a C string: nats.c pull request 705), about
 * one login in 256, and the server refuses that one ("Authorization
 * Violation", logged as "Signature missing"). The next login signs another
 * nonce; the sensor's publisher logs in again by itself the same way.
 * Credentials the server does refuse still end in exit 3, after the last
 * try. */
static natsStatus connect_collect(natsConnection **nc, natsOptions *no, const char *url,
				  bool signed_login)
{
	for (int tries = 1;; tries++) {
		natsStatus s = natsConnection_Connect(nc, no);
		if (s != NATS_CONNECTION_AUTH_FAILED || !signed_login || tries == LOGIN_TRIES || stop)
			return s;
		const char *text = nats_GetLastError(NULL);
		log_warn("collect: %s refused the login (%s); logging in again (try %d of %d: libnats "
			 "before 3.8 leaves the signature out of about one login in 256)", url,
			 text && *text ? publish_nats_text(text) : natsStatus_GetText(s), tries + 1,
			 LOGIN_TRIES);
		sleep(1);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: fabmon collect nats://HOST[:PORT][,...] -o DIR [--site SITE] [--durable NAME]\n"
		   "                      [--follow] [--nats-creds FILE] [--nats-tls-ca FILE] [-q]\n"
		   "  (tls://HOST[:PORT] or --nats-tls-ca: TLS, trusting the CA certificates of FILE;\n"
		   "   --nats-creds: a NATS credentials file, user JWT and seed)\n"
		   "Write the records the sensors publish (stream " PUBLISH_STREAM ") to DIR/eve.json,\n"
		   "each once, with its sensor as host; DIR/collect.state says how far. Without\n"
		   "--follow: until the stream is drained; then 'fabmon report DIR'. DIR/inventory.json:\n"
		   "the fab-wide asset inventory of key-value bucket " ASSET_KV_BUCKET " (at the end;\n"
		   "every minute with --follow).\n"
		   "Exit 0; 2 bad command line; 3 no server or no stream; 5 DIR cannot be written.\n");
}

/* A file appended to whose last line a kill cut: that line ended (the
 * batch it belonged to was not acknowledged, so it comes again whole). */
static void end_cut_line(FILE *f)
{
	if (fseeko(f, -1, SEEK_END) == 0 && fgetc(f) != '\n')
		fputc('\n', f);
	clearerr(f);
	fseeko(f, 0, SEEK_END);
}

int cmd_collect(int argc, char **argv)
{
	const char *outdir = NULL, *site = NULL, *durable = "fabmon-collect";
	const char *creds = NULL, *tls_ca = NULL;
	bool follow = false, quiet = false;
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "site", required_argument, NULL, 's' },
		{ "durable", required_argument, NULL, 'd' }, { "follow", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ "nats-creds", required_argument, NULL, 'c' },
		{ "nats-tls-ca", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': outdir = optarg; break;
		case 's': site = optarg; break;
		case 'd': durable = optarg; break;
		case 'f': follow = true; break;
		case 'q': quiet = true; break;
		case 'c': creds = optarg; break;
		case 't': tls_ca = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	char why[256];
	if (optind != argc - 1 || !outdir) {
		log_error("collect: give the servers' URL and -o DIR (fabmon collect --help)");
		return EXIT_USAGE;
	}
	const char *url = argv[optind];
	if (!publish_parse_servers(url, why, sizeof(why))) {
		log_error("collect: %s", why);
		return EXIT_USAGE;
	}
	if (!publish_check_security(creds, tls_ca, why, sizeof(why))) {
		log_error("collect: %s", why);
		return EXIT_USAGE;
	}
	if (mkdir(outdir, 0750) < 0 && errno != EEXIST) {
		log_error("collect: cannot create %s: %s", outdir, strerror(errno));
		return EXIT_OUTPUT;
	}
	struct collector c = { 0 };
	snprintf(c.eve_path, sizeof(c.eve_path), "%s/eve.json", outdir);
	snprintf(c.state_path, sizeof(c.state_path), "%s/collect.state", outdir);
	snprintf(c.inventory_path, sizeof(c.inventory_path), "%s/inventory.json", outdir);
	if (state_load(&c) < 0) {
		log_error("collect: %s is not fabmon's collect state (remove it to collect from the "
			  "stream's start)", c.state_path);
		return EXIT_INPUT;
	}
	c.eve = fopen(c.eve_path, "a+");
	if (!c.eve) {
		log_error("collect: cannot write %s: %s", c.eve_path, strerror(errno));
		return EXIT_OUTPUT;
	}
	end_cut_line(c.eve);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	natsSubscription *sub = NULL;
	natsOptions *no = NULL;
	jsErrCode je = 0;
	int rc = EXIT_INPUT;
	char subject[160];
	snprintf(subject, sizeof(subject), "fabmon.%s.>", site ? site : "*");
	if (!site)
		snprintf(subject, sizeof(subject), "fabmon.>");
	natsStatus s = natsOptions_Create(&no);
	if (s == NATS_OK)
		s = publish_nats_servers(no, url); /* a list: like the sensors' --publish */
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(no, -1);
	if (s == NATS_OK)
		s = publish_nats_security(no, creds, tls_ca);
	if (s == NATS_OK)
		s = connect_collect(&nc, no, url, creds != NULL);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s != NATS_OK) {
		const char *text = nats_GetLastError(NULL);
		log_error("collect: cannot reach %s: %s", url,
			  text && *text ? publish_nats_text(text) : natsStatus_GetText(s));
		goto out;
	}
	jsSubOptions so;
	jsSubOptions_Init(&so);
	so.Stream = PUBLISH_STREAM;
	s = js_PullSubscribe(&sub, js, subject, durable, NULL, &so, &je);
	if (s != NATS_OK) {
		log_error("collect: cannot use consumer %s on stream %s at %s for %s: %s (JetStream "
			  "error %d; no stream yet, or a consumer of that name filters another --site: "
			  "give another --durable)", durable, PUBLISH_STREAM, url, subject,
			  natsStatus_GetText(s), (int)je);
		goto out;
	}
	c.site = site;
	rc = collect_loop(&c, js, sub, durable, follow);
	if (rc == EXIT_OK)
		write_inventory(&c, js);
	if (!quiet && rc == EXIT_OK)
		printf("collect: %" PRIu64 " records written to %s (%" PRIu64 " redelivered ones "
		       "skipped, %" PRIu64 " not records)\n", c.written, c.eve_path, c.skipped, c.bad);
out:
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
	if (nc)
		natsConnection_Close(nc);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(no);
	if (fclose(c.eve) != 0 && rc == EXIT_OK) {
		log_error("collect: cannot write %s: %s", c.eve_path, strerror(errno));
		rc = EXIT_OUTPUT;
	}
	nats_CloseAndWait(2000);
	return rc;
}
