/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target, differential: the eve.json reader's field scan
 * (util/eve_reader_scan.c, the fast path the report takes for hsms/modbus
 * records) against jansson's full parse. Whenever
 * the scan answers, jansson must accept the text as an object and give the
 * same value for every wanted member; a disagreement aborts. Input: one
 * eve.json line.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/eve_reader_scan.h"
#include "tests/unit/eve_scan_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly the input: reads past it are caught */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	struct eve_field f[] = {
		{ .key = "event_type" }, { .key = "src_ip" }, { .key = "timestamp" },
		{ .parent = "hsms", .key = "sf" }, { .parent = "hsms", .key = "stype" },
		{ .parent = "modbus", .key = "function_name" }, { .parent = "a", .key = "b" },
		{ .parent = "modbus.request", .key = "function_name" }, { .parent = "a.b.c", .key = "d" },
	};
	size_t nf = sizeof(f) / sizeof(f[0]);
	if (eve_scan_record(text, size, f, nf)) {
		json_error_t e;
		json_t *o = json_loadb(text, size, JSON_ALLOW_NUL, &e);
		if (!json_is_object(o)) {
			fprintf(stderr, "eve_scan_record accepted what jansson rejects: %s\n", e.text);
			abort();
		}
		for (size_t i = 0; i < nf; i++) {
			const char *a = f[i].value, *b = eve_scan_oracle(o, &f[i]);
			if ((a == NULL) != (b == NULL) || (a && strcmp(a, b))) {
				fprintf(stderr, "eve_scan_record and jansson differ on %s%s%s: %s / %s\n",
					f[i].parent ? f[i].parent : "", f[i].parent ? "." : "", f[i].key,
					a ? a : "(null)", b ? b : "(null)");
				abort();
			}
		}
		json_decref(o);
	}
	free(text);
	return 0;
}
