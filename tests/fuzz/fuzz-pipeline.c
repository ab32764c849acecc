/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the whole per-packet path (decode, flows, nDPI, TCP
 * reassembly, dissector hook, rules) over a sequence of frames (frames.h).
 * Small limits make eviction, out-of-order bounds and fragment-table
 * overflow reachable. EVE output is off here (fuzz-eve-output turns it on).
 */
#include <stdlib.h>

#include "frames.h"
#include "util/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct options o;
static struct pipeline pl;

/* nDPI takes tens of milliseconds to initialise: once, before the first
 * input; every flow is ended after each input so inputs stay independent */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	fuzz_small_options(&o);
	char err[256];
	if (pipeline_init(&pl, &o, NULL, false, err, sizeof(err)) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_frames(&pl, data, size);
	pipeline_finish(&pl);
	return 0;
}
