/* SPDX-License-Identifier: BSD-2-Clause */
/* The message's part of an alert: an HSMS data message's or a Modbus
 * request's fields (alert.h), shared by the message rules
 * (engine_hsms.c, engine_modbus.c) and the baseline (engine_baseline.c). */
#include <stdio.h>
#include <string.h>

#include "dissectors/gem.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "rules/engine_internal.h"

static void copy_field(char *out, size_t len, const struct gem_fields *g, const char *key)
{
	const struct gem_field *f = g ? gem_field(g, key) : NULL;
	if (!f)
		return;
	if (f->numeric) {
		snprintf(out, len, "%llu", (unsigned long long)f->num);
	} else {
		/* cut to the alert's field (a PPID may be long) */
		size_t n = strnlen(f->text, len - 1);
		memcpy(out, f->text, n);
		out[n] = '\0';
	}
}

void rl_hsms_context(struct alert *a, const struct hsms_message *m)
{
	struct alert_hsms *h = &a->u.hsms;
	a->ctx = ACTX_HSMS;
	memset(h, 0, sizeof(*h));
	h->stream = m->stream;
	h->function = m->function;
	h->wbit = m->wbit;
	if (m->gem)
		snprintf(h->name, sizeof(h->name), "%s", m->gem->name);
	snprintf(h->category, sizeof(h->category), "%s", gem_category_name(m->category));
	snprintf(h->direction, sizeof(h->direction), "%s",
		 m->sender == HSMS_ROLE_HOST ? "H>E" : "E>H");
	h->session_id = m->session_id;
	h->system = m->system;
	bool cut;
	if (hsms_message_sml(m, h->sml, sizeof(h->sml), &cut))
		h->sml_truncated = cut;
	const struct gem_fields *g = hsms_message_fields(m);
	copy_field(h->rcmd, sizeof(h->rcmd), g, "rcmd");
	copy_field(h->ppid, sizeof(h->ppid), g, "ppid");
}

void rl_modbus_context(struct alert *a, const struct modbus_pdu *pd)
{
	struct alert_modbus *mb = &a->u.modbus;
	a->ctx = ACTX_MODBUS;
	memset(mb, 0, sizeof(*mb));
	mb->function = pd->function;
	snprintf(mb->function_name, sizeof(mb->function_name), "%s",
		 pd->function_name ? pd->function_name : "");
	snprintf(mb->access, sizeof(mb->access), "%s", modbus_access_name(pd->access));
	mb->unit_id = pd->unit_id;
	if (pd->function == 23 && pd->has_write) {
		mb->has_address = true;
		mb->address = pd->write_address;
		mb->quantity = pd->write_quantity;
	} else if (pd->has_address) {
		mb->has_address = true;
		mb->address = pd->address;
		mb->quantity = pd->has_quantity ? pd->quantity : 1;
	}
	mb->tx_id = pd->tx_id;
	mb->adu_len = pd->adu_len <= sizeof(mb->adu) ? pd->adu_len : 0;
	if (pd->adu)
		memcpy(mb->adu, pd->adu, mb->adu_len);
}
