/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the SMB hints parser (dissectors/smb.c) over one TCP
 * segment's payload, copied to a heap buffer of exactly its size. What it
 * gives back must hold: strings NUL-terminated, printable ASCII, shorter
 * than SMB_HINT_LEN; a result of the enum; no hints without SMB1; no
 * dialect without an SMB2 response. Seeds: the unit test's messages
 * (tests/unit/test-smb.c), written by make_smb_seeds.py.
 */
#include <stdlib.h>
#include <string.h>

#include "dissectors/smb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s)
{
	size_t n = strnlen(s, SMB_HINT_LEN);
	if (n >= SMB_HINT_LEN)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *seg = malloc(size ? size : 1);
	if (!seg)
		return 0;
	memcpy(seg, data, size);
	struct smb_hints h;
	enum smb_result r = smb_hints_parse(seg, size, &h);
	if (r != SMB_NOT_SMB && r != SMB_OK && r != SMB_TRUNCATED && r != SMB_MALFORMED)
		abort();
	check_string(h.native_os);
	check_string(h.native_lanman);
	if ((h.native_os[0] || h.native_lanman[0]) && h.version != 1)
		abort();
	if (h.dialect && (h.version != 2 || !h.response))
		abort();
	if (r == SMB_NOT_SMB && h.version)
		abort();
	(void)smb2_dialect_name(h.dialect);
	free(seg);
	return 0;
}
