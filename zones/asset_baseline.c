/* SPDX-License-Identifier: BSD-2-Clause */
/* An asset record's model and revision, and the policy's baseline of a
 * host (asset_baseline.h). */
#include "zones/asset_baseline.h"

#include <string.h>

#include "util/netaddr.h"
#include "util/json_value.h"
#include "zones/policy.h"

const char *asset_model(const json_t *a)
{
	/* the order the rule engine compares with the baseline (rules/engine.c
	 * identity_check): HSMS MDLN, else Modbus ProductCode, else ModelName */
	const char *model = json_member_str(a, "model");
	if (!model)
		model = json_member_str(a, "product_code");
	return model ? model : json_member_str(a, "model_name");
}

const char *asset_revision(const json_t *a)
{
	const char *rev = json_member_str(a, "software_revision");
	return rev ? rev : json_member_str(a, "revision");
}

const struct policy_host *policy_host_by_ip(const struct policy *p, const char *ip)
{
	struct ip_addr a;
	if (!p || !ip || !ip_addr_parse(ip, &a))
		return NULL;
	int h = policy_host_of(p, &a);
	return h >= 0 ? &p->hosts[h] : NULL;
}

bool baseline_declared(const struct policy_host *ph)
{
	return ph && (ph->model[0] || ph->softrev[0]);
}

bool baseline_matches(const struct policy_host *ph, const char *model, const char *rev)
{
	return (!ph->model[0] || (model && !strcmp(model, ph->model))) &&
	       (!ph->softrev[0] || (rev && !strcmp(rev, ph->softrev)));
}
