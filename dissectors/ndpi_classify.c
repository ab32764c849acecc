/* SPDX-License-Identifier: BSD-2-Clause */
#include "dissectors/ndpi_classify.h"

#include <ndpi/ndpi_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)FAB_RISK_NON_STANDARD_PORT == (int)NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT &&
	       (int)FAB_RISK_TLS_OBSOLETE_VERSION == (int)NDPI_TLS_OBSOLETE_VERSION &&
	       (int)FAB_RISK_TLS_WEAK_CIPHER == (int)NDPI_TLS_WEAK_CIPHER &&
	       (int)FAB_RISK_SMB_INSECURE_VERSION == (int)NDPI_SMB_INSECURE_VERSION &&
	       (int)FAB_RISK_UNSAFE_PROTOCOL == (int)NDPI_UNSAFE_PROTOCOL &&
	       (int)FAB_RISK_DESKTOP_OR_FILE_SHARING == (int)NDPI_DESKTOP_OR_FILE_SHARING_SESSION &&
	       (int)FAB_RISK_CLEAR_TEXT_CREDENTIALS == (int)NDPI_CLEAR_TEXT_CREDENTIALS,
	       "fab_ndpi_risk follows nDPI's ndpi_risk_enum");

struct ndpi_classifier {
	struct ndpi_classifier_config cfg;
	struct ndpi_detection_module_struct *mod;
	struct ndpi_flow_struct *pool;  /* cfg.pool_size entries */
	/* pool[fresh..] were never used; free_list holds the indices of those
	 * given back, the last given back on top (reused first, while its
	 * memory is warm). Neither is written before it is needed: a list of
	 * every index, filled at start, touched 512 KiB at the default --flows. */
	uint32_t fresh;
	uint32_t *free_list;
	uint32_t free_count;
	struct ndpi_classifier_stats st;
};

struct ndpi_classifier *ndpi_classifier_create(const struct ndpi_classifier_config *cfg,
					       char *err, size_t errlen)
{
	struct ndpi_classifier *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory for the nDPI classifier");
		return NULL;
	}
	c->cfg = *cfg;
	c->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (!c->mod) {
		snprintf(err, errlen, "nDPI %s failed to initialise", ndpi_revision());
		free(c);
		return NULL;
	}
	NDPI_PROTOCOL_BITMASK all;
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(c->mod, &all);
	ndpi_finalize_initialization(c->mod);

	/* zero pages are mapped lazily: only the flows in use cost memory */
	c->pool = calloc(cfg->pool_size, sizeof(struct ndpi_flow_struct));
	c->free_list = malloc((size_t)cfg->pool_size * sizeof(uint32_t));
	if (!c->pool || !c->free_list) {
		snprintf(err, errlen, "out of memory for %u nDPI flow states", cfg->pool_size);
		ndpi_classifier_destroy(c);
		return NULL;
	}
	return c;
}

void ndpi_classifier_destroy(struct ndpi_classifier *c)
{
	if (!c)
		return;
	if (c->pool && c->free_list && c->free_count < c->fresh) {
		/* return what is still out; frees nDPI's own allocations */
		char *used = calloc(c->fresh, 1);
		if (used) {
			memset(used, 1, c->fresh);
			for (uint32_t i = 0; i < c->free_count; i++)
				used[c->free_list[i]] = 0;
			for (uint32_t i = 0; i < c->fresh; i++)
				if (used[i])
					ndpi_free_flow_data(&c->pool[i]);
			free(used);
		}
	}
	if (c->mod)
		ndpi_exit_detection_module(c->mod);
	free(c->pool);
	free(c->free_list);
	free(c);
}

struct ndpi_flow_struct *ndpi_classifier_flow_get(struct ndpi_classifier *c)
{
	if (!c->free_count && c->fresh == c->cfg.pool_size) {
		c->st.pool_exhausted++;
		return NULL;
	}
	struct ndpi_flow_struct *nf = c->free_count ? &c->pool[c->free_list[--c->free_count]]
						    : &c->pool[c->fresh++];
	memset(nf, 0, sizeof(*nf));
	if (++c->st.pool_in_use > c->st.pool_peak)
		c->st.pool_peak = c->st.pool_in_use;
	return nf;
}

void ndpi_classifier_flow_put(struct ndpi_classifier *c, struct ndpi_flow_struct *nf)
{
	if (!nf)
		return;
	ndpi_free_flow_data(nf);
	memset(nf, 0, sizeof(*nf));
	c->free_list[c->free_count++] = (uint32_t)(nf - c->pool);
	c->st.pool_in_use--;
}

static void summarise(struct ndpi_classifier *c, struct ndpi_flow_struct *nf, ndpi_protocol p,
		      bool guessed, struct ndpi_summary *out)
{
	out->master_id = p.master_protocol;
	out->app_id = p.app_protocol;
	out->category_id = (uint16_t)p.category;
	out->confidence = (uint8_t)nf->confidence;
	out->guessed = guessed;
	out->risk = nf->risk;
	/* what the server chose, for the exposure record (rules/exposure.h):
	 * nDPI sets ssl_version from the ServerHello (the ClientHello's is
	 * only offered) and server_cipher with it */
	bool tls = p.master_protocol == NDPI_PROTOCOL_TLS || p.app_protocol == NDPI_PROTOCOL_TLS ||
		   p.master_protocol == NDPI_PROTOCOL_QUIC || p.app_protocol == NDPI_PROTOCOL_QUIC;
	out->tls_version = tls ? nf->protos.tls_quic.ssl_version : 0;
	out->tls_cipher = tls ? nf->protos.tls_quic.server_cipher : 0;
	/* the client's software, for its exposure: the User-Agent (outside
	 * nDPI's protocol union), or DHCP's vendor class (in it: DHCP only) */
	const char *sw = NULL;
	out->software_kind = NDPI_SOFTWARE_NONE;
	if ((p.master_protocol == NDPI_PROTOCOL_HTTP || p.app_protocol == NDPI_PROTOCOL_HTTP) &&
	    nf->http.user_agent && nf->http.user_agent[0]) {
		sw = nf->http.user_agent;
		out->software_kind = NDPI_SOFTWARE_HTTP_USER_AGENT;
	} else if (p.app_protocol == NDPI_PROTOCOL_DHCP && nf->protos.dhcp.class_ident[0]) {
		sw = nf->protos.dhcp.class_ident;
		out->software_kind = NDPI_SOFTWARE_DHCP_CLASS;
	}
	size_t swn = sw ? strnlen(sw, sizeof(out->software) - 1) : 0;
	if (swn)
		memcpy(out->software, sw, swn);
	out->software[swn] = '\0';
	ndpi_protocol2name(c->mod, p, out->name, sizeof(out->name));
	/* host_server_name is NUL-terminated by nDPI; copy bounded anyway */
	size_t n = strnlen(nf->host_server_name, sizeof(nf->host_server_name));
	if (n >= sizeof(out->host))
		n = sizeof(out->host) - 1;
	memcpy(out->host, nf->host_server_name, n);
	out->host[n] = '\0';
	if (p.master_protocol == NDPI_PROTOCOL_UNKNOWN && p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		c->st.unknown++;
	else if (guessed)
		c->st.guessed++;
	else
		c->st.detected++;
}

bool ndpi_classifier_packet(struct ndpi_classifier *c, struct ndpi_flow_struct *nf,
			    const uint8_t *l3, uint32_t l3_len, uint64_t time_ms,
			    uint8_t l4proto, uint64_t flow_pkts, struct ndpi_summary *out)
{
	bool enough = (l4proto == 6 && flow_pkts > c->cfg.max_tcp_packets) ||
		      (l4proto == 17 && flow_pkts > c->cfg.max_udp_packets);
	if (l3_len > 0xffff)
		l3_len = 0xffff; /* nDPI takes an unsigned short; an IP datagram fits */
	ndpi_protocol p = ndpi_detection_process_packet(c->mod, nf, l3, (unsigned short)l3_len, time_ms);
	if (!enough && p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		return false;
	if (!enough && ndpi_extra_dissection_possible(c->mod, nf))
		return false; /* e.g. waiting for the TLS certificate */
	bool guessed = false;
	if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		uint8_t g = 0;
		p = ndpi_detection_giveup(c->mod, nf, c->cfg.guess, &g);
		guessed = g != 0;
	}
	summarise(c, nf, p, guessed, out);
	return true;
}

void ndpi_classifier_giveup(struct ndpi_classifier *c, struct ndpi_flow_struct *nf,
			    struct ndpi_summary *out)
{
	uint8_t g = 0;
	ndpi_protocol p = ndpi_detection_giveup(c->mod, nf, c->cfg.guess, &g);
	summarise(c, nf, p, g != 0, out);
}

const char *ndpi_classifier_category_name(struct ndpi_classifier *c, uint16_t category_id)
{
	const char *n = ndpi_category_get_name(c->mod, (ndpi_protocol_category_t)category_id);
	return n ? n : "Unspecified";
}

const char *ndpi_classifier_confidence_name(uint8_t confidence)
{
	const char *n = ndpi_confidence_get_name((ndpi_confidence_t)confidence);
	return n ? n : "Unknown";
}

size_t ndpi_classifier_risk_names(uint64_t risk, const char **names, size_t max)
{
	size_t n = 0;
	for (int i = 1; i < NDPI_MAX_RISK && n < max; i++)
		if (risk & (1ULL << i))
			names[n++] = ndpi_risk2str((ndpi_risk_enum)i);
	return n;
}

const char *ndpi_classifier_tls_version_name(uint16_t version, char *buf, size_t len)
{
	uint8_t unknown = 0;
	return ndpi_ssl_version2str(buf, (int)len, version, &unknown);
}

const char *ndpi_classifier_cipher_name(uint16_t cipher, char *buf, size_t len)
{
	const char *n = ndpi_cipher2str(cipher);
	snprintf(buf, len, "%s", n ? n : "unknown");
	return buf;
}

const struct ndpi_classifier_stats *ndpi_classifier_stats(const struct ndpi_classifier *c)
{
	return &c->st;
}
