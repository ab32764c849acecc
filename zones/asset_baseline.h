/* SPDX-License-Identifier: BSD-2-Clause */
/* The identity an inventory (asset) record gives, and the baseline the
 * policy holds for a host: what the report and the hand-off bundle compare. */
#ifndef FABMON_ASSET_BASELINE_H
#define FABMON_ASSET_BASELINE_H

#include <jansson.h>
#include <stdbool.h>

struct policy;
struct policy_host;

/* The model of an asset object ("model", MDLN; else a Modbus device's
 * "product_code", else its "model_name") and its software revision ("software_revision",
 * SOFTREV; else "revision"); NULL if it has none. */
const char *asset_model(const json_t *a);
const char *asset_revision(const json_t *a);

/* The policy's host entry of an address; NULL if p is NULL, ip is not an
 * address or no host of the policy has it. */
const struct policy_host *policy_host_by_ip(const struct policy *p, const char *ip);

/* Does the policy give ph a baseline (a model or a software revision)? */
bool baseline_declared(const struct policy_host *ph);
/* Do model and rev match what the baseline of ph sets (a part not set
 * matches anything)? */
bool baseline_matches(const struct policy_host *ph, const char *model, const char *rev);

#endif
