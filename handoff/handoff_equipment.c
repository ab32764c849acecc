/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: equipment.json, the identity of the equipment at the
 * ends of the alerts (fabmon's inventory records) with the policy's
 * baseline. */
#include "handoff/handoff_bundle.h"

#include <string.h>

#include "zones/asset_baseline.h"
#include "util/json_value.h"
#include "zones/policy.h"

/* the alerts' addresses in order of appearance, each with the end it was */
static json_t *alert_endpoints(struct ho *h)
{
	json_t *eps = json_object();
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *ends[2] = { "source", "target" };
		for (int e = 0; e < 2; e++) {
			const char *ip = json_member_str(x->rec, e ? "dest_ip" : "src_ip");
			if (!ip)
				continue;
			json_t *ep = json_member(x->a, ends[e]);
			json_t *o = json_object_get(eps, ip);
			if (!o) {
				o = json_object();
				json_object_set_new(o, "ip", json_string(ip));
				const char *keys[] = { "host", "zone", "purdue", "area", "roles",
						       "roles_inferred", "mac" };
				for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
					if (json_member(ep, keys[k]))
						json_object_set(o, keys[k], json_member(ep, keys[k]));
				json_object_set_new(o, "alerts", json_array());
				json_object_set_new(eps, ip, o);
			}
			json_array_append_new(json_object_get(o, "alerts"),
					      json_pack("{ssssss}", "id", json_member_str_or(x->a, "id", ""),
							"rule", eve_alert_rule_id(x->a, ""), "end",
							ends[e]));
		}
	}
	return eps;
}

json_t *ho_build_equipment(struct ho *h)
{
	json_t *root = json_object();
	json_object_set_new(root, "tlp", json_string(h->args->tlp->label));
	json_object_set_new(root, "description",
			    json_string("Identity of the equipment involved in the alerts of this "
					"bundle, from fabmon's inventory (the last asset record of "
					"each address: MDLN/SOFTREV from SECS/GEM S1F2/S1F13/S1F14, "
					"Modbus device identification), with the policy's baseline"));
	json_t *eq = json_array(), *others = json_array();
	json_t *eps = alert_endpoints(h);
	const char *ip;
	json_t *ep;
	json_object_foreach(eps, ip, ep) {
		json_t *rec = json_object_get(h->assets, ip);
		json_t *asset = json_member(rec, "asset");
		if (!json_is_object(asset)) {
			json_array_append(others, ep);
			continue;
		}
		json_t *o = json_object();
		json_object_set_new(o, "ip", json_string(ip));
		const char *name = json_member_str(ep, "host");
		json_object_set_new(o, "name", name ? json_string(name) : json_null());
		const char *k;
		json_t *v;
		json_object_foreach(asset, k, v)
			if (strcmp(k, "change") && strcmp(k, "ip"))
				json_object_set(o, k, v);
		const char *pk[] = { "zone", "purdue", "area", "roles", "roles_inferred", "mac" };
		for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++)
			if (json_member(ep, pk[i]))
				json_object_set(o, pk[i], json_member(ep, pk[i]));
		json_object_set_new(o, "inventory_record",
				    json_pack("{ssss}", "timestamp", json_member_str_or(rec, "timestamp", ""),
					      "change", json_member_str_or(asset, "change", "")));
		/* the baseline the policy holds for it */
		const struct policy_host *ph = policy_host_by_ip(h->pol, ip);
		if (baseline_declared(ph)) {
			bool match = baseline_matches(ph, asset_model(asset), asset_revision(asset));
			json_object_set_new(o, "baseline", json_pack("{sssssb}", "model", ph->model,
								      "softrev", ph->softrev,
								      "matches", match));
		}
		json_object_set(o, "alerts", json_object_get(ep, "alerts"));
		json_array_append_new(eq, o);
	}
	json_decref(eps);
	json_object_set_new(root, "equipment", eq);
	json_object_set_new(root, "endpoints_not_in_inventory", others);
	return root;
}
