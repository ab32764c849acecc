/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: handoff's policy excerpt builder (ho_excerpt_text,
 * handoff_excerpt.c), which writes policy-excerpt.yaml from the policy in
 * force and the alert records of someone else's eve.json. Input: the policy
 * YAML up to the first NUL, then alert records, one JSON object a line.
 * When the policy does not parse, the excerpt is built from the alerts
 * alone, as handoff does. The excerpt says it is itself a policy fabmon
 * accepts: one the policy parser refuses is a finding (abort), as is a
 * crash. Everything stays in memory.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff/handoff_bundle.h"
#include "util/log.h"
#include "zones/policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ALERTS 16

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	struct ho_args args = { .dir = ".", .tlp = ho_tlp_parse(size % 2 ? "AMBER" : "RED") };
	struct ho h = { .args = &args };
	struct ho_alert alerts[MAX_ALERTS];
	char *text = NULL;
	size_t tlen = 0;
	memset(alerts, 0, sizeof(alerts));
	h.alerts = alerts;
	/* the alert records after the NUL */
	const char *p = nul ? (const char *)nul + 1 : NULL, *end = (const char *)data + size;
	while (p && p < end && h.nalerts < MAX_ALERTS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *rec = json_loadb(p, len, 0, NULL);
		json_t *a = json_object_get(rec, "alert");
		if (json_is_object(a)) {
			struct ho_alert *x = &alerts[h.nalerts++];
			x->rec = rec;
			x->a = a;
			x->run = x->policy = x->flow = x->evidence = -1;
		} else {
			json_decref(rec);
		}
		p = nl ? nl + 1 : end;
	}
	if (h.nalerts == 0)
		goto out;
	struct policy_error err;
	h.pol = policy_parse((const char *)data, plen, "fuzz.yaml", &err);
	if (!h.pol)
		snprintf(h.pol_note, sizeof(h.pol_note), "the policy does not parse");

	FILE *f = open_memstream(&text, &tlen);
	if (!f)
		goto out;
	ho_excerpt_text(&h, f);
	if (fclose(f) != 0 || !text)
		goto out;
	struct policy *back = policy_parse(text, tlen, "policy-excerpt.yaml", &err);
	if (!back) {
		char msg[1024];
		policy_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "the excerpt is not a valid policy: %s\n----\n%s----\n", msg, text);
		abort();
	}
	policy_free(back);
out:
	free(text);
	policy_free(h.pol);
	for (size_t i = 0; i < h.nalerts; i++)
		json_decref(alerts[i].rec);
	return 0;
}
