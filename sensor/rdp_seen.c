/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/rdp_seen.h"

#include <stdlib.h>

void rdp_seen_read(struct flow *f, const uint8_t *payload, uint32_t caplen)
{
	if (f->key.port[0] != 3389 && f->key.port[1] != 3389)
		return;
	struct rdp_hints h;
	if (rdp_hints_parse(payload, caplen, &h) != RDP_OK)
		return;
	if (!f->rdp && !(f->rdp = calloc(1, sizeof(*f->rdp))))
		return; /* a hint lost, the flow goes on */
	struct flow_rdp *r = f->rdp;
	if (h.confirm) {
		r->confirmed = true;
		r->failure = h.failure;
		r->selected = h.protocols;
	} else {
		r->requested_seen = true;
		r->requested = h.negotiated ? h.protocols : 0;
	}
}

void rdp_seen_free(struct flow *f)
{
	free(f->rdp);
	f->rdp = NULL;
}
