/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/capture/counters.h"

enum decode_status decode_counted(struct packet *p, int dlt, struct decode_counters *dc)
{
	dc->packets++;
	dc->bytes += p->wirelen;
	enum decode_status st = decode_packet(p, dlt);
	dc->status[st]++;
	if (p->vlan_count)
		dc->vlan++;
	if (p->vlan_count > 1)
		dc->qinq++;
	if (p->mpls_labels)
		dc->mpls++;
	if (p->ip_version == 4)
		dc->ipv4++;
	else if (p->ip_version == 6)
		dc->ipv6++;
	if (st == DEC_TRUNCATED || st == DEC_INVALID)
		dc->error[p->error]++;
	return st;
}
