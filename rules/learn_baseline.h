/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon learn`'s behaviour baseline (issue 19 item 2): per host pair,
 * the SECS/GEM primary messages (S×F), remote commands, process program ids
 * and equipment constants changed; per Modbus client and server, the
 * function codes and the register ranges read and written; and the capture
 * period they were seen in. Written as the policy's `baseline:` section
 * (zones/policy.h struct policy_baseline), which detection checks
 * (rules/engine_baseline.c).
 */
#ifndef FABMON_RULES_LEARN_BASELINE_H
#define FABMON_RULES_LEARN_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/netaddr.h"

struct hsms_message;
struct modbus_pdu;
struct learn_baseline;

struct learn_baseline *learn_baseline_create(void);
void learn_baseline_destroy(struct learn_baseline *b);
/* A data message between host and equipment; a Modbus request. */
void learn_baseline_hsms(struct learn_baseline *b, const struct ip_addr *host,
			 const struct ip_addr *equipment, const struct hsms_message *m, int64_t sec,
			 uint32_t usec);
void learn_baseline_modbus(struct learn_baseline *b, const struct ip_addr *client,
			   const struct ip_addr *server, const struct modbus_pdu *pd, int64_t sec,
			   uint32_t usec);
/* The `baseline:` section as YAML (nothing when nothing was learned);
 * false when out of memory. */
bool learn_baseline_yaml(const struct learn_baseline *b, FILE *out);
/* Merge [lo, hi] (hi capped at 65535) into the *n address ranges of r:
 * overlapping or adjacent ones join. false when it would take more than
 * max ranges (the ranges it joined are gone then: callers take any address
 * from there on). Shared with learn.c's conduit address ranges. */
struct addr_range;
bool learn_range_add(struct addr_range *r, size_t *n, size_t max, uint32_t lo, uint32_t hi);

/* Pairs learned, and observations that did not fit (too many names or
 * ranges for one pair: the baseline then says so in a comment). */
void learn_baseline_counts(const struct learn_baseline *b, uint64_t *pairs, uint64_t *dropped);

#endif
