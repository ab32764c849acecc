/* SPDX-License-Identifier: BSD-2-Clause */
/* Exposure (issue 19 item 1): every service a host of a fab zone offered
 * — a TCP or UDP flow its server accepted — counted in the server's
 * exposure entry (rules/exposure.h), and FAB-EXP-001 when the policy's
 * `services:` covers the host (by address or by the equipment model GEM
 * reported) and allows nothing that matches: SEMI E187's network
 * security, IEC 62443-3-3 SR 7.7 least functionality. Which hosts: those
 * in zones of the fab area, the fab system area and the IT/OT DMZ (Purdue
 * 0 to 3.5, the OT side the guideline and E187 speak of); enterprise and
 * external servers are not the fab's to audit. */
#include <stdio.h>
#include <string.h>

#include "dissectors/ndpi_classify.h"
#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_internal.h"

static bool zone_watched(const struct policy *p, int z)
{
	return z >= 0 && (p->zones[z].area == AREA_FAB || p->zones[z].area == AREA_FAB_SYSTEM ||
			  p->zones[z].area == AREA_DMZ);
}

static const char *proto_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : "udp";
}

/* What `services:` says of the service; FAB-EXP-001 once per host and
 * service when it is not allowed. v, ep: the flow it was seen on (or one
 * made of the host and a client of the service: no evidence then). */
static void check_service(struct rules *r, const struct exposure_host *xh,
			  struct exposure_service *s, const struct rules_flow_view *v,
			  const struct ep ep[2], int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	char lines[64] = "";
	size_t o = 0;
	bool covered = false;
	for (size_t i = 0; i < p->nservices; i++) {
		const struct policy_services *e = &p->services[i];
		if (!policy_services_cover(e, &xh->ip, xh->model))
			continue;
		covered = true;
		if (policy_services_allow(e, s->proto, s->port, s->app)) {
			s->verdict = EXPOSURE_ALLOWED;
			return;
		}
		if (o < sizeof(lines))
			o += (size_t)snprintf(lines + o, sizeof(lines) - o, "%s%d", o ? ", " : "",
					      e->line);
	}
	s->verdict = covered ? EXPOSURE_NOT_ALLOWED : EXPOSURE_NOT_COVERED;
	if (!covered || s->alerted || !r->set[R_EXP_SERVICE].enabled)
		return;
	s->alerted = true;
	struct alert *a = rl_begin(r, R_EXP_SERVICE, v, ep, sec, usec);
	char w[256];
	rl_reason(a, "%s%s%s offers %s/%u (%s), which its services (policy line %s) do not allow",
		  rl_who(&ep[1], w, sizeof(w), p), xh->model[0] ? " model " : "", xh->model,
		  proto_name(s->proto), s->port, s->app, lines);
	rl_raise_alert(r, a, (uint64_t)s->proto << 16 | s->port);
}

/* The exposure entry of end i, made if new, when it sits in a watched
 * zone; NULL otherwise. */
static struct exposure_host *end_host(struct rules *r, const struct ep *e)
{
	const struct policy *p = r->pol;
	if (!zone_watched(p, e->zone) || !e->h)
		return NULL;
	struct exposure_host *xh = exposure_host(&r->exp, engine_host_slot(&r->hosts, e->h), e->ip);
	if (xh)
		snprintf(xh->zone, sizeof(xh->zone), "%s", p->zones[e->zone].name);
	return xh;
}

/* What the flow said of each end's software (at its end): the client's
 * User-Agent or DHCP vendor class (nDPI), each side's SMB NativeOS and
 * NativeLanMan, the SMB2 dialect the server chose and whether an RDP
 * server chose NLA (its service's). */
static void software_hints(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v)
{
	const struct ndpi_summary *n = v->ndpi;
	bool client_sw = n && n->software_kind != NDPI_SOFTWARE_NONE && n->software[0];
	bool smb = v->smb_dialect || v->smb_native_os[0] || v->smb_native_os[1] ||
		   v->smb_native_lanman[0] || v->smb_native_lanman[1];
	if ((!client_sw && !smb && !v->rdp_security) || v->half_open)
		return;
	struct ep ep[2];
	rl_resolve_ends(r, rf, v, ep);
	for (int i = 0; i < 2; i++) {
		struct exposure_host *xh = end_host(r, &ep[i]);
		if (!xh)
			continue;
		if (i == 0 && client_sw)
			exposure_software(xh, n->software_kind == NDPI_SOFTWARE_HTTP_USER_AGENT
						      ? EXPOSURE_SW_HTTP_USER_AGENT : EXPOSURE_SW_DHCP_CLASS,
					  n->software);
		exposure_software(xh, EXPOSURE_SW_SMB_NATIVE_OS, v->smb_native_os[i]);
		exposure_software(xh, EXPOSURE_SW_SMB_NATIVE_LANMAN, v->smb_native_lanman[i]);
		if (i != 1 || !rf->exposed || rf->exposed > xh->nsvc)
			continue;
		struct exposure_service *s = &xh->svc[rf->exposed - 1];
		if (v->smb_dialect > s->smb_dialect)
			s->smb_dialect = v->smb_dialect;
		s->rdp_nla |= v->rdp_security == RDP_SECURITY_NLA;
		s->rdp_no_nla |= v->rdp_security == RDP_SECURITY_NO_NLA;
	}
}

/* Counts the flow in its server's exposure, once; true if it is (or was). */
static bool count_flow(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		       int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	if (!v->answered || v->half_open || (v->proto != 6 && v->proto != 17) || !p->nzones)
		return false;
	struct ep ep[2];
	rl_resolve_ends(r, rf, v, ep);
	struct exposure_host *xh = end_host(r, &ep[1]);
	if (!xh)
		return false;
	bool created;
	const char *app = v->app && *v->app ? v->app : "Unknown";
	struct exposure_service *s = exposure_service(xh, v->proto, v->port[1], app, &created);
	if (!s)
		return false;
	rf->exposed = (uint8_t)(s - xh->svc + 1);
	exposure_count(s, ep[0].ip, ep[0].zone >= 0 ? p->zones[ep[0].zone].name : NULL,
		       v->first_sec, v->first_usec, sec, usec, v->ndpi);
	if (created)
		check_service(r, xh, s, v, ep, sec, usec);
	return true;
}

void rl_exposure_flow(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      bool at_end, int64_t sec, uint32_t usec)
{
	if (!rf->exposed) {
		count_flow(r, rf, v, sec, usec);
	} else if (at_end) {
		/* counted at its check: now its last time, and what nDPI
		 * learned after */
		struct exposure_host *xh = r->exp.by_slot && rf->slot[1] && rf->slot[1] <= r->exp.max
						   ? r->exp.by_slot[rf->slot[1] - 1] : NULL;
		if (xh && rf->exposed <= xh->nsvc) {
			struct exposure_service *s = &xh->svc[rf->exposed - 1];
			if (sec > s->last_sec || (sec == s->last_sec && usec > s->last_usec)) {
				s->last_sec = sec;
				s->last_usec = usec;
			}
			if (v->ndpi)
				s->risk |= v->ndpi->risk;
		}
	}
	if (at_end)
		software_hints(r, rf, v);
}

/* Checks a service again on no flow: one made of the host and one of the
 * service's clients (the flow it came on may be gone: no evidence pcap). */
static void check_again(struct rules *r, const struct exposure_host *xh,
			struct exposure_service *s, int64_t sec, uint32_t usec)
{
	if (!s->nclients)
		return;
	struct rules_flow_view sv = { .proto = s->proto, .app = s->app };
	sv.addr[0] = s->clients[0];
	sv.addr[1] = xh->ip;
	sv.port[1] = s->port;
	struct ep ep[2];
	rl_resolve_ends(r, NULL, &sv, ep);
	check_service(r, xh, s, &sv, ep, sec, usec);
}

void rl_exposure_identity(struct rules *r, const struct ip_addr *eq, const char *model,
			  const char *softrev, int64_t sec, uint32_t usec)
{
	struct rhost *h = engine_host_get(&r->hosts, eq, HOST_LOOKUP);
	uint32_t slot = h ? engine_host_slot(&r->hosts, h) : 0;
	struct exposure_host *xh = slot ? exposure_host(&r->exp, slot, eq) : NULL;
	if (!xh)
		return;
	bool new_model = strcmp(xh->model, model) != 0;
	snprintf(xh->model, sizeof(xh->model), "%s", model);
	snprintf(xh->softrev, sizeof(xh->softrev), "%s", softrev);
	if (!new_model || !r->pol->nservices)
		return;
	/* services seen before the equipment said what it is: checked now */
	for (uint32_t i = 0; i < xh->nsvc; i++)
		if (xh->svc[i].verdict == EXPOSURE_NOT_COVERED)
			check_again(r, xh, &xh->svc[i], sec, usec);
}

void rl_exposure_policy(struct rules *r)
{
	/* what `services:` says is the new policy's: every service seen is
	 * checked again, at its last time, and may alert again (as the
	 * inventory rules do under a new policy) */
	for (uint32_t i = 0; i < r->exp.nhosts; i++) {
		struct exposure_host *xh = r->exp.made[i];
		for (uint32_t k = 0; k < xh->nsvc; k++) {
			struct exposure_service *s = &xh->svc[k];
			s->verdict = EXPOSURE_NOT_COVERED;
			s->alerted = false;
			if (r->pol->nservices)
				check_again(r, xh, s, s->last_sec, s->last_usec);
		}
	}
}
