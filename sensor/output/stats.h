/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The EVE `stats` record: the counters of every step of the packet path
 * (capture, decoder, flow table, TCP reassembly, nDPI, dissectors, rules,
 * syslog, evidence, the output itself), each read from its owner.
 */
#ifndef FABMON_STATS_H
#define FABMON_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/applayer.h"
#include "sensor/capture/counters.h"
#include "sensor/output/eve.h"

#include "dissectors/ndpi_classify.h"
#include "sensor/capture/ipfrag.h"
#include "sensor/flow/flow.h"
#include "sensor/flow/tcp_reasm.h"

struct rules;
struct syslog_out;
struct evidence;

/* Where each part of the record comes from; an optional part is left out
 * when its owner is NULL. */
struct stats_sources {
	int64_t start_wall;                    /* for "uptime" */
	const struct capture_counters *cap;
	const struct decode_counters *dc;
	/* summed over the workers (pipeline_totals) */
	const struct ipfrag_stats *frag;
	const struct flow_table_stats *ft;
	uint32_t ft_capacity;
	const struct tcp_reasm *reasm;         /* its counters and memcap */
	const struct ndpi_classifier_stats *ndpi;
	const struct applayer_stats *app;
	const struct rules *rules;             /* NULL: no "alerts" */
	uint64_t policy_reloads, policy_reload_failures;
	const struct syslog_out *syslog;       /* NULL: no "syslog" */
	const char *syslog_target;
	const struct evidence *evidence;       /* NULL: no "evidence" */
	const struct publish_stats *publish;   /* NULL: no "publish" */
	const char *publish_target;
};

/* Write a stats record at capture time (sec, usec) to e. */
void stats_write(struct eve *e, const struct stats_sources *s, int64_t sec, uint32_t usec,
		 bool final);

#endif
