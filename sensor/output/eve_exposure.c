/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve_exposure.h"

#include <stdlib.h>

#include "dissectors/ndpi_classify.h"
#include "dissectors/smb.h"

static bool later(int64_t s1, uint32_t u1, int64_t s2, uint32_t u2)
{
	return s1 > s2 || (s1 == s2 && u1 > u2);
}

static void service(struct jbuf *b, const struct exposure_service *s)
{
	char ts[40], ip[IP_ADDR_STRLEN];
	jb_obj_open(b, NULL);
	jb_str(b, "proto", s->proto == 6 ? "TCP" : "UDP");
	jb_u64(b, "port", s->port);
	jb_str(b, "app_proto", s->app);
	jb_u64(b, "flows", s->flows);
	jb_arr_open(b, "clients");
	for (uint8_t i = 0; i < s->nclients; i++)
		jb_str(b, NULL, ip_addr_str(&s->clients[i], ip, sizeof(ip)));
	jb_arr_close(b);
	if (s->clients_more)
		jb_bool(b, "clients_more", true);
	jb_arr_open(b, "client_zones");
	for (uint8_t i = 0; i < s->nzones; i++)
		jb_str(b, NULL, s->zones[i]);
	jb_arr_close(b);
	if (s->zones_more)
		jb_bool(b, "client_zones_more", true);
	if (s->client_unzoned)
		jb_bool(b, "client_unzoned", true);
	eve_format_time(s->first_sec, s->first_usec, ts);
	jb_str(b, "first_seen", ts);
	eve_format_time(s->last_sec, s->last_usec, ts);
	jb_str(b, "last_seen", ts);
	const char *names[64];
	size_t k = exposure_insecure(s, names, 64);
	if (k) {
		jb_arr_open(b, "insecure");
		for (size_t i = 0; i < k; i++)
			jb_str(b, NULL, names[i]);
		jb_arr_close(b);
	}
	k = ndpi_classifier_risk_names(s->risk, names, 64);
	if (k) {
		jb_arr_open(b, "risks");
		for (size_t i = 0; i < k; i++)
			jb_str(b, NULL, names[i]);
		jb_arr_close(b);
	}
	if (s->tls_version) {
		char v[32], c[96];
		jb_obj_open(b, "tls");
		jb_str(b, "version", ndpi_classifier_tls_version_name(s->tls_version, v, sizeof(v)));
		if (s->tls_cipher)
			jb_str(b, "cipher", ndpi_classifier_cipher_name(s->tls_cipher, c, sizeof(c)));
		jb_obj_close(b);
	}
	if (s->smb_dialect)
		jb_str(b, "smb_dialect", smb2_dialect_name(s->smb_dialect));
	if (s->rdp_nla || s->rdp_no_nla)
		jb_bool(b, "rdp_nla", !s->rdp_no_nla); /* every connection it accepted */
	if (s->verdict != EXPOSURE_NOT_COVERED)
		jb_bool(b, "allowed", s->verdict == EXPOSURE_ALLOWED);
	jb_obj_close(b);
}

static void host(struct eve *e, const struct exposure_host *h)
{
	struct jbuf *b = &e->jb;
	int64_t last = 0;
	uint32_t last_usec = 0;
	size_t insecure = 0, undeclared = 0;
	for (uint32_t i = 0; i < h->nsvc; i++) {
		const struct exposure_service *s = &h->svc[i];
		if (later(s->last_sec, s->last_usec, last, last_usec)) {
			last = s->last_sec;
			last_usec = s->last_usec;
		}
		const char *names[1];
		insecure += exposure_insecure(s, names, 1) > 0;
		undeclared += s->verdict == EXPOSURE_NOT_ALLOWED;
	}
	char ip[IP_ADDR_STRLEN];
	eve_header(e, b, last, last_usec, NULL, "exposure");
	jb_obj_open(b, "exposure");
	jb_str(b, "ip", ip_addr_str(&h->ip, ip, sizeof(ip)));
	jb_str(b, "zone", h->zone);
	if (h->model[0])
		jb_str(b, "model", h->model);
	if (h->softrev[0])
		jb_str(b, "softrev", h->softrev);
	jb_u64(b, "services_offered", h->nsvc);
	jb_u64(b, "insecure_services", insecure);
	jb_u64(b, "not_allowed_services", undeclared);
	if (h->services_dropped)
		jb_u64(b, "services_not_kept", h->services_dropped);
	if (h->nsoftware) {
		/* what its traffic says its software is */
		jb_arr_open(b, "software");
		for (uint8_t i = 0; i < h->nsoftware; i++) {
			jb_obj_open(b, NULL);
			jb_str(b, "source",
			       exposure_software_name((enum exposure_software)h->software[i].kind));
			jb_str(b, "value", h->software[i].text);
			jb_obj_close(b);
		}
		jb_arr_close(b);
		if (h->software_more)
			jb_bool(b, "software_more", true);
	}
	jb_arr_open(b, "services");
	for (uint32_t i = 0; i < h->nsvc; i++)
		service(b, &h->svc[i]);
	jb_arr_close(b);
	jb_obj_close(b);
	eve_commit(e, b);
}

void eve_exposure_all(struct eve *e, const struct exposure *x)
{
	if (!e->open)
		return;
	size_t n;
	const struct exposure_host **v = exposure_sorted(x, &n);
	for (size_t i = 0; i < n; i++)
		host(e, v[i]);
	free(v);
}
