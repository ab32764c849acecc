/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon learn`: a draft policy from observed traffic. Zones are the
 * observed private subnets (one per /16 by default) named by what their
 * hosts do; hosts get the roles their behaviour shows (HSMS host/equipment,
 * Modbus client/server, remote access, DNS/NTP/SMB servers) and the
 * equipment identity seen (the baseline); one conduit per observed zone
 * pair, with an allow entry per application and initiator roles, the HSMS
 * streams and the Modbus access classes and written address ranges seen.
 * And the behaviour baseline of each host pair (learn_baseline.h): the
 * SECS/GEM messages, commands, recipes and constants, the Modbus functions
 * and register ranges. The draft is strict on purpose: enforcing it on the
 * traffic it was learned from raises no alert, anything new does.
 */
#ifndef FABMON_RULES_LEARN_H
#define FABMON_RULES_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "rules/engine.h"

struct learner;

struct learn_config {
	uint8_t v4_prefix;            /* zone size for IPv4 (default 16) */
	uint8_t v6_prefix;            /* for IPv6 (default 64) */
	uint32_t max_hosts, max_edges;
};

struct learner *learner_create(const struct learn_config *cfg);
void learner_destroy(struct learner *l);
/* A flow whose application is known (or that ended). */
void learner_flow(struct learner *l, const struct rules_flow_view *v);
/* An event of a flow's dissector at capture time sec.usec. */
void learner_event(struct learner *l, const struct rules_flow_view *v, const struct app_event *ev,
		   int64_t sec, uint32_t usec);
/* A policy's text with the baseline learned appended (`fabmon learn -c`),
 * malloc'd; NULL when out of memory. */
char *learner_baseline_for(struct learner *l, const char *policy_text, const char *origin);
/* The draft policy as YAML (malloc'd, NUL-terminated), with a header
 * comment naming `origin`. NULL if out of memory. */
char *learner_policy_yaml(struct learner *l, const char *origin);
/* Hosts and edges seen, and those that did not fit. */
/* not_learned: half-open attempts and flows to port 0, never learned */
void learner_counts(const struct learner *l, uint64_t *hosts, uint64_t *edges, uint64_t *dropped,
		    uint64_t *not_learned);

#endif
