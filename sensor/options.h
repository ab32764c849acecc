/* SPDX-License-Identifier: BSD-2-Clause */
/* Command-line options of `fabmon` (the sensor run). */
#ifndef FABMON_OPTIONS_H
#define FABMON_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "dissectors/hsms.h"
#include "util/exit_codes.h"
#include "sensor/output/evidence.h"
#include "sensor/flow/flow.h"

#define OPT_MAX_INPUTS 256
#define OPT_MAX_WORKERS 64

/* The names of the record levels (--hsms-records, --modbus-records), by
 * level: none, the default, all (enum eve_records). */
extern const char *const options_hsms_levels[3];
extern const char *const options_modbus_levels[3];

struct options {
	const char *inputs[OPT_MAX_INPUTS]; /* -r: files or directories */
	int n_inputs;
	const char *iface;                  /* -i */
	const char *bpf;                    /* -f */
	const char *outdir;                 /* -o */
	const char *sensor_name;
	int snaplen;
	int buffer_mib;                     /* kernel capture buffer */
	bool promisc;
	bool append;                        /* -r: append to eve.json instead of truncating */
	uint32_t stats_interval;            /* seconds, live mode */
	struct flow_config flow;
	uint32_t tcp_ooo_bytes;
	uint16_t tcp_ooo_segs;
	uint64_t reasm_memcap;
	uint64_t app_memcap;          /* --app-memcap: the dissectors' per-flow memory */
	uint32_t frag_max;
	uint32_t workers;             /* --workers: 0 = the online CPUs (pipeline_worker_count) */
	/* --cpus: worker i's thread on CPU cpus[i % n_cpus]; n_cpus 0: where
	 * the kernel puts it */
	uint16_t cpus[OPT_MAX_WORKERS];
	unsigned n_cpus;
	uint32_t frag_timeout;
	uint16_t ndpi_tcp_pkts, ndpi_udp_pkts;
	bool ndpi_guess;
	uint64_t out_backlog;               /* bytes of records held while the disk refuses */
	/* HSMS */
	bool hsms_enabled;
	int hsms_records;                   /* enum eve_records */
	uint16_t hsms_ports[17];            /* 0-terminated; empty: the dissector's default */
	struct hsms_config hsms;
	/* Modbus/TCP */
	bool modbus_enabled;
	int modbus_records;                 /* enum eve_records */
	bool flow_records_all;              /* --flow-records all: a record per half-open flow too */
	uint16_t modbus_ports[17];          /* 0-terminated; empty: 502 */
	/* zones, conduits and rules */
	const char *policy;                 /* -c; NULL: the built-in default */
	bool rules_enabled;
	uint32_t max_hosts;                 /* learned-host table of the rule engine */
	bool report;                        /* -r -o: the audit report at the end */
	const char *report_lang;            /* --report-lang: "ja" or "en" (NULL: en) */
	bool no_input_hash;                 /* -r: no SHA-256 of the captures */
	uint32_t alert_window;              /* 0: the policy's */
	uint32_t alert_rate;                /* 0: the policy's */
	int fail_on;                        /* --fail-on: 1 critical .. 4 low; 0 off */
	struct evidence_config evidence;
	const char *syslog;                 /* --syslog udp://... | tcp://... */
	const char *user;                   /* --user: drop root to this user */
	const char *pidfile;
	int syslog_facility;
	uint32_t syslog_queue;
	const char *publish;                /* --publish nats://...: records to JetStream */
	const char *site;                   /* --site: the subjects' site token */
	const char *publish_types;          /* --publish-types: event types published (NULL: all) */
	const char *nats_creds, *nats_tls_ca;
	uint32_t publish_drain;             /* seconds -r waits at its end for acknowledgements */
	int verbosity;                      /* -q -1, default 0, -v +1 */
};

/* "critical".."low" (or 1..4) to 1..4; 0 when not a severity. */
int options_parse_severity(const char *s);

void options_defaults(struct options *o);

/* Parse argv (after the program name). Returns -1 on error (message printed),
 * 1 if the program should exit 0 (help/version), 0 to run. */
int options_parse(struct options *o, int argc, char **argv);

void options_usage(void);

#endif
