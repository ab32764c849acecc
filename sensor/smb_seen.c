/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/smb_seen.h"

#include <stdlib.h>
#include <string.h>

static bool smb_port(const struct flow *f)
{
	for (int i = 0; i < 2; i++)
		if (f->key.port[i] == 445 || f->key.port[i] == 139)
			return true;
	return false;
}

void smb_seen_read(struct flow *f, const uint8_t *payload, uint32_t caplen)
{
	if (!smb_port(f))
		return;
	struct smb_hints h;
	enum smb_result r = smb_hints_parse(payload, caplen, &h);
	if (r == SMB_NOT_SMB || !h.version)
		return;
	if (!f->smb && !(f->smb = calloc(1, sizeof(*f->smb))))
		return; /* a hint lost, the flow goes on */
	struct flow_smb *s = f->smb;
	s->versions |= (uint8_t)(1u << (h.version - 1));
	s->encrypted |= h.encrypted;
	if (h.dialect)
		s->dialect = h.dialect;
	int side = h.response ? 1 : 0;
	if (h.native_os[0])
		memcpy(s->native_os[side], h.native_os, sizeof(h.native_os));
	if (h.native_lanman[0])
		memcpy(s->native_lanman[side], h.native_lanman, sizeof(h.native_lanman));
}

void smb_seen_free(struct flow *f)
{
	free(f->smb);
	f->smb = NULL;
}
