/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Flow classification with nDPI (Debian libndpi 4.2), the way ndpiReader
 * does it, so fabmon's labels can be checked against ndpiReader's: every
 * packet of a flow goes to nDPI until it names the application (and has no
 * more to extract, e.g. a TLS certificate) or the flow has passed the packet
 * limit (80 TCP / 24 UDP, ndpiReader's defaults); then nDPI gives up and may
 * guess from ports. The per-flow nDPI state comes from a fixed pool and goes
 * back to it as soon as the flow is classified.
 */
#ifndef FABMON_NDPI_CLASSIFY_H
#define FABMON_NDPI_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ndpi_flow_struct;
struct ndpi_classifier;

#define NDPI_NAME_LEN 64
#define NDPI_HOST_LEN 80

/* The flow risks an exposure record counts as insecure or legacy: nDPI
 * 4.2's ndpi_risk_enum values (checked against nDPI's header in
 * ndpi_classify.c), so that rules/ need not include nDPI. */
enum fab_ndpi_risk {
	FAB_RISK_NON_STANDARD_PORT = 5,       /* NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT */
	FAB_RISK_TLS_OBSOLETE_VERSION = 7,    /* NDPI_TLS_OBSOLETE_VERSION: below TLS 1.2 */
	FAB_RISK_TLS_WEAK_CIPHER = 8,         /* NDPI_TLS_WEAK_CIPHER */
	FAB_RISK_SMB_INSECURE_VERSION = 20,   /* NDPI_SMB_INSECURE_VERSION: SMBv1 */
	FAB_RISK_UNSAFE_PROTOCOL = 22,        /* NDPI_UNSAFE_PROTOCOL */
	FAB_RISK_DESKTOP_OR_FILE_SHARING = 30, /* NDPI_DESKTOP_OR_FILE_SHARING_SESSION */
	FAB_RISK_CLEAR_TEXT_CREDENTIALS = 36, /* NDPI_CLEAR_TEXT_CREDENTIALS */
};

/* Where a flow's software hint comes from. */
enum ndpi_software_kind {
	NDPI_SOFTWARE_NONE = 0,
	NDPI_SOFTWARE_HTTP_USER_AGENT,  /* the HTTP client's User-Agent */
	NDPI_SOFTWARE_DHCP_CLASS,       /* the DHCP client's vendor class (option 60) */
};

/* What a flow keeps of nDPI's verdict once its nDPI state is released. */
struct ndpi_summary {
	uint16_t master_id;
	uint16_t app_id;
	uint16_t category_id;
	uint8_t confidence;     /* ndpi_confidence_t */
	uint8_t guessed;        /* result came from ndpi_detection_giveup's guess */
	uint64_t risk;          /* bitmask of ndpi_risk_enum */
	uint16_t tls_version;   /* TLS/QUIC: the version the server chose (0x0301 TLS 1.0); 0 none */
	uint16_t tls_cipher;    /* and its cipher suite (IANA number); 0 none */
	uint8_t software_kind;  /* enum ndpi_software_kind of software[] */
	char software[48];      /* what the client's software calls itself, as nDPI read it
				 * (an exposure hint, rules/exposure.h); cut to fit */
	char name[NDPI_NAME_LEN];   /* "TLS.Google", "Modbus", "Unknown" */
	char host[NDPI_HOST_LEN];   /* SNI / HTTP Host / DNS query, if any */
};

struct ndpi_classifier_config {
	uint32_t pool_size;        /* flows classified at the same time */
	uint16_t max_tcp_packets;  /* give up after this many packets */
	uint16_t max_udp_packets;
	bool guess;                /* let nDPI guess from ports on give-up */
};

struct ndpi_classifier_stats {
	uint64_t detected;     /* by DPI */
	uint64_t guessed;      /* named only by nDPI's port guess */
	uint64_t unknown;
	uint64_t pool_exhausted;
	uint32_t pool_in_use;
	uint32_t pool_peak;
};

/* NULL on failure (err says why). */
struct ndpi_classifier *ndpi_classifier_create(const struct ndpi_classifier_config *cfg,
					       char *err, size_t errlen);
void ndpi_classifier_destroy(struct ndpi_classifier *c);

/* Per-flow state from the pool, zeroed; NULL when the pool is empty. */
struct ndpi_flow_struct *ndpi_classifier_flow_get(struct ndpi_classifier *c);
void ndpi_classifier_flow_put(struct ndpi_classifier *c, struct ndpi_flow_struct *nf);

/*
 * Feed one packet (from its IP header, l3_len captured bytes) of a flow that
 * has now seen `flow_pkts` packets. Returns true when classification is
 * complete; `out` is then filled and the nDPI state can be returned.
 */
bool ndpi_classifier_packet(struct ndpi_classifier *c, struct ndpi_flow_struct *nf,
			    const uint8_t *l3, uint32_t l3_len, uint64_t time_ms,
			    uint8_t l4proto, uint64_t flow_pkts, struct ndpi_summary *out);

/* The flow ends before nDPI decided: give up (guessing if configured). */
void ndpi_classifier_giveup(struct ndpi_classifier *c, struct ndpi_flow_struct *nf,
			    struct ndpi_summary *out);

const char *ndpi_classifier_category_name(struct ndpi_classifier *c, uint16_t category_id);
const char *ndpi_classifier_confidence_name(uint8_t confidence);
/* Names of the risks set in `risk`, up to max; returns how many. */
size_t ndpi_classifier_risk_names(uint64_t risk, const char **names, size_t max);
/* nDPI's names of a TLS version ("TLSv1", "TLSv1.2") and of a cipher suite
 * ("TLS_RSA_WITH_RC4_128_SHA"), into buf. */
const char *ndpi_classifier_tls_version_name(uint16_t version, char *buf, size_t len);
const char *ndpi_classifier_cipher_name(uint16_t cipher, char *buf, size_t len);

const struct ndpi_classifier_stats *ndpi_classifier_stats(const struct ndpi_classifier *c);

#endif
