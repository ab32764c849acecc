/* SPDX-License-Identifier: BSD-2-Clause */
/* The identity the audit report and the hand-off bundle read from an asset
 * record, and its comparison with the policy's baseline: the same fields,
 * in the same order, as the rule engine's identity check (FAB-INV-003). */
#include <jansson.h>

#include "zones/asset_baseline.h"
#include "test.h"
#include "zones/policy.h"

static json_t *obj(const char *text)
{
	json_error_t e;
	json_t *o = json_loads(text, 0, &e);
	if (!o)
		fprintf(stderr, "bad test JSON: %s\n", e.text);
	return o;
}

static void test_model_and_revision(void)
{
	json_t *hsms = obj("{\"model\":\"ETCH-9000\",\"software_revision\":\"4.2.1\"}");
	CHECK_STR(asset_model(hsms), "ETCH-9000");
	CHECK_STR(asset_revision(hsms), "4.2.1");
	/* Modbus device identification: ProductCode before ModelName, as
	 * rules/engine.c compares them; ProductName is never the model */
	json_t *mb = obj("{\"product_code\":\"PC-7\",\"model_name\":\"Pump 7\",\"product_name\":\"Dry "
			 "pump\",\"revision\":\"1.2\"}");
	CHECK_STR(asset_model(mb), "PC-7");
	CHECK_STR(asset_revision(mb), "1.2");
	json_t *mb_name = obj("{\"model_name\":\"Pump 7\",\"product_name\":\"Dry pump\"}");
	CHECK_STR(asset_model(mb_name), "Pump 7");
	CHECK(asset_revision(mb_name) == NULL);
	json_t *none = obj("{\"product_name\":\"Dry pump\",\"model\":17}");
	CHECK(asset_model(none) == NULL);
	json_decref(hsms);
	json_decref(mb);
	json_decref(mb_name);
	json_decref(none);
}

static void test_baseline(void)
{
	static const char text[] =
		"zones:\n"
		"  - {name: fab-equipment, purdue: 2, area: fab-area, networks: [10.30.0.0/16]}\n"
		"hosts:\n"
		"  - {name: etcher-01, address: 10.30.1.21, roles: [equipment], model: ETCH-9000, "
		"softrev: 4.2.1}\n"
		"  - {name: cvd-01, address: 10.30.1.22, roles: [equipment], softrev: 7.0.3}\n"
		"  - {name: pump-01, address: 10.30.1.23, roles: [equipment]}\n";
	struct policy_error e;
	struct policy *p = policy_parse(text, sizeof(text) - 1, "site.yaml", &e);
	CHECK(p != NULL);
	if (!p)
		return;
	const struct policy_host *etch = policy_host_by_ip(p, "10.30.1.21");
	const struct policy_host *cvd = policy_host_by_ip(p, "10.30.1.22");
	const struct policy_host *pump = policy_host_by_ip(p, "10.30.1.23");
	CHECK(etch && cvd && pump);
	CHECK(policy_host_by_ip(p, "10.30.1.99") == NULL);
	CHECK(policy_host_by_ip(p, "not an address") == NULL);
	CHECK(policy_host_by_ip(NULL, "10.30.1.21") == NULL);
	if (!etch || !cvd || !pump)
		goto out;
	CHECK_STR(etch->name, "etcher-01");
	CHECK(baseline_declared(etch));
	CHECK(baseline_declared(cvd));
	CHECK(!baseline_declared(pump));
	CHECK(!baseline_declared(NULL));
	CHECK(baseline_matches(etch, "ETCH-9000", "4.2.1"));
	CHECK(!baseline_matches(etch, "ETCH-9000", "4.2.2"));
	CHECK(!baseline_matches(etch, "ETCH-9001", "4.2.1"));
	CHECK(!baseline_matches(etch, NULL, "4.2.1"));
	/* a part the baseline does not set matches anything */
	CHECK(baseline_matches(cvd, "anything", "7.0.3"));
	CHECK(baseline_matches(cvd, NULL, "7.0.3"));
	CHECK(!baseline_matches(cvd, NULL, "7.0.4"));
out:
	policy_free(p);
}

int main(void)
{
	RUN(test_model_and_revision);
	RUN(test_baseline);
	return test_done();
}
