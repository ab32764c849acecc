/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the policy file parser (YAML through libyaml, then the
 * model, cross-references and compiled lookups), the rule overrides, and a
 * few lookups on whatever policy comes out. Input: the file's bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/catalog.h"
#include "zones/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly the input: reads past it are caught */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	struct policy_error err;
	struct policy *p = policy_parse(text, size, "fuzz.yaml", &err);
	char msg[1024];
	if (!p) {
		policy_error_format(&err, msg, sizeof(msg));
		free(text);
		return 0;
	}
	struct rule_setting set[R_COUNT];
	(void)rule_settings_from_policy(p, set, &err);
	static const char *const probes[] = { "10.30.1.21", "8.8.8.8", "fd00::1", "192.168.1.1" };
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct ip_addr a;
		ip_addr_parse(probes[i], &a);
		(void)policy_zone_of(p, &a, 30);
		(void)policy_host_of(p, &a);
	}
	for (size_t c = 0; c < p->nconduits; c++)
		for (size_t k = 0; k < p->conduits[c].nallow; k++) {
			(void)policy_allow_app(&p->conduits[c].allow[k], "TLS.Google");
			(void)policy_allow_port(&p->conduits[c].allow[k], 5000);
		}
	policy_free(p);
	free(text);
	return 0;
}
