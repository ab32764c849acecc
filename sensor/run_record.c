/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/run_record.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sensor/options.h"
#include "sensor/output/eve_run.h"
#include "sensor/pipeline.h"
#include "util/log.h"
#include "util/sha256.h"

struct run_record {
	struct run_info ri;
	struct run_input *in;
	int *err;                  /* by input: sha256_file's -errno */
	pthread_t thread;
	int ninputs;               /* of in and err (the hashing thread's too) */
	bool hashing;              /* a file is to be hashed */
	bool started, joined;
	_Atomic bool hashed;       /* the thread is done */
	_Atomic int stop;          /* give up hashing (run_record_stop) */
};

static void *hash_inputs(void *arg)
{
	struct run_record *r = arg;
	for (int i = 0; i < r->ninputs; i++) {
		struct run_input *in = &r->in[i];
		if (in->not_hashed)
			continue;
		r->err[i] = sha256_file_until(in->file, in->sha256, &in->bytes, &r->stop);
		in->hashed = r->err[i] == 0;
		if (r->err[i] == -ECANCELED)
			in->not_hashed = "interrupted";
		else if (!in->hashed)
			in->not_hashed = "unreadable";
	}
	atomic_store_explicit(&r->hashed, true, memory_order_release);
	return NULL;
}

/* The hashes are in (and said when one failed), once. */
static void join(struct run_record *r)
{
	if (r->joined)
		return;
	r->joined = true;
	if (r->started)
		pthread_join(r->thread, NULL);
	else
		hash_inputs(r);
	for (int i = 0; i < r->ninputs; i++)
		if (r->err[i] < 0 && r->err[i] != -ECANCELED)
			log_warn("cannot hash '%s': %s", r->in[i].file, strerror(-r->err[i]));
}

static bool ready(void *ctx)
{
	struct run_record *r = ctx;
	return atomic_load_explicit(&r->hashed, memory_order_acquire);
}

static void build(struct eve *e, struct jbuf *b, void *ctx)
{
	struct run_record *r = ctx;
	join(r);
	eve_run_build(e, b, &r->ri);
}

void run_record_stop(struct run_record *r)
{
	if (r)
		atomic_store(&r->stop, 1);
}

void run_record_free(struct run_record *r)
{
	if (!r)
		return;
	join(r);
	free(r->in);
	free(r->err);
	free(r);
}

/* Which inputs can be hashed: none read from a pipe or stdin (the capture
 * gets it: it can be read only once) or with --no-input-hash. */
static int to_hash(struct run_input *in, const struct options *o, char **paths, int npaths)
{
	int n = 0;
	for (int i = 0; i < npaths; i++) {
		in[i].file = paths[i];
		struct stat sb;
		if (strcmp(paths[i], "-") == 0 || stat(paths[i], &sb) != 0 || !S_ISREG(sb.st_mode))
			in[i].not_hashed = "not a regular file";
		else if (o->no_input_hash)
			in[i].not_hashed = "--no-input-hash";
		else
			n++;
	}
	return n;
}

struct run_record *run_record_hash(const struct options *o, char **paths, int npaths)
{
	struct run_record *r = calloc(1, sizeof(*r));
	size_t n = npaths > 0 ? (size_t)npaths : 1;
	if (r) {
		r->in = calloc(n, sizeof(*r->in));
		r->err = calloc(n, sizeof(*r->err));
	}
	if (!r || !r->in || !r->err) {
		log_error("no memory for the run record");
		run_record_free(r);
		return NULL;
	}
	r->ninputs = npaths;
	r->hashing = to_hash(r->in, o, paths, npaths) > 0;
	if (!r->hashing)
		return r;
	/* the hashing thread takes no signal: they are the capture loop's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r->started = pthread_create(&r->thread, NULL, hash_inputs, r) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r->started) /* hashed in place, as the run record is built */
		log_debug("no thread to hash the inputs: hashing them before the packets");
	return r;
}

struct run_record *run_record_start(struct run_record *r, struct pipeline *pl,
				    const struct options *o, char **paths, int npaths)
{
	if (!r)
		r = run_record_hash(o, paths, npaths);
	if (!r)
		return NULL;
	r->ri = (struct run_info){
		.mode = o->iface ? "live" : "read",
		.iface = o->iface,
		.inputs = r->in,
		.ninputs = r->ninputs,
		.started = pl->start_wall,
		.hsms_records = options_hsms_levels[o->hsms_records % 3],
		.modbus_records = options_modbus_levels[o->modbus_records % 3],
		.flow_records = o->flow_records_all ? "all" : "connections",
	};
	if (pl->rules) {
		pipeline_save_policy(pl, false);
		r->ri.pol = pl->run_policy;
	}
	if (!r->hashing) {
		r->joined = true;
		eve_run(&pl->eve, &r->ri);
		run_record_free(r);
		return NULL;
	}
	eve_hold(&pl->eve, (struct eve_first){ ready, build, r });
	if (!r->started)
		eve_release(&pl->eve);
	return r;
}
