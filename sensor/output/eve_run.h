/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The records that make a run reproducible: `run` (first record: fabmon's
 * version, the sensor, the inputs with their SHA-256, the policy with its
 * SHA-256 and the copy kept beside eve.json) and `policy` (a policy
 * reloaded by SIGHUP).
 */
#ifndef FABMON_EVE_RUN_H
#define FABMON_EVE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/output/eve.h"
#include "zones/policy.h"

struct run_input {
	const char *file;
	char sha256[65];
	uint64_t bytes;
	bool hashed;
	const char *not_hashed;  /* why sha256 is null: a pipe, unreadable */
};

struct run_policy {
	const struct policy *policy;  /* NULL: rules off */
	char sha256[65];
	char copy[64];                /* file name of the copy in the output directory */
};

struct run_info {
	const char *mode;             /* "read" or "live" */
	const char *iface;
	const struct run_input *inputs;
	int ninputs;
	struct run_policy pol;
	int64_t started;              /* wall clock */
	const char *user;             /* after privilege drop, or NULL */
	/* which records were written (--hsms-records, --modbus-records,
	 * --flow-records): a reader of eve.json must know what is counted
	 * rather than written */
	const char *hsms_records, *modbus_records, *flow_records;
};

void eve_run(struct eve *e, const struct run_info *ri);
/* The run record into b, closed, not queued (e->rec_type set). */
void eve_run_build(struct eve *e, struct jbuf *b, const struct run_info *ri);
/* sec/usec: capture time of the reload */
void eve_policy(struct eve *e, int64_t sec, uint32_t usec, const struct run_policy *rp, bool reload);

#endif
