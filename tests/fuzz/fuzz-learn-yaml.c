/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the learner's YAML round trip. The packet path over a
 * sequence of frames (frames.h) feeds `fabmon learn`'s learner instead of
 * the rules; its draft policy (learner_policy_yaml, with what the wire said:
 * equipment names, HSMS streams, Modbus ranges) must be a policy the policy
 * parser accepts. A crash, or a draft the parser refuses, is a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "rules/learn.h"
#include "util/log.h"
#include "zones/policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct options o;
static struct pipeline pl;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	fuzz_small_options(&o);
	o.rules_enabled = false;   /* as `fabmon learn` runs it */
	char err[256];
	if (pipeline_init(&pl, &o, NULL, false, err, sizeof(err)) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* small tables, so that "did not fit" is reachable; the zone size
	 * varies with the input */
	struct learn_config lc = { .max_hosts = 16, .max_edges = 16 };
	lc.v4_prefix = size % 3 == 0 ? 24 : 16;
	lc.v6_prefix = size % 5 == 0 ? 48 : 64;
	struct learner *l = learner_create(&lc);
	if (!l)
		return 0;
	pipeline_set_learner(&pl, l);
	fuzz_frames(&pl, data, size);
	pipeline_finish(&pl);
	/* the origin (a capture's path) goes into a comment: one with a
	 * newline and quotes must not break the draft */
	char *yaml = learner_policy_yaml(l, size % 2 ? "fuzz \"input\":\n #x" : "fuzz");
	pipeline_set_learner(&pl, NULL);
	learner_destroy(l);
	if (!yaml)
		return 0;
	struct policy_error err;
	struct policy *p = policy_parse(yaml, strlen(yaml), "learned.yaml", &err);
	if (!p) {
		char msg[1024];
		policy_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "the learned draft does not parse: %s\n----\n%s----\n", msg, yaml);
		abort();
	}
	policy_free(p);
	free(yaml);
	return 0;
}
