/* SPDX-License-Identifier: BSD-2-Clause */
#include "rules/exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int exposure_init(struct exposure *x, uint32_t max_hosts)
{
	memset(x, 0, sizeof(*x));
	/* a pointer per possible host, zero pages mapped as hosts come */
	x->by_slot = calloc(max_hosts ? max_hosts : 1, sizeof(*x->by_slot));
	x->max = max_hosts;
	return x->by_slot ? 0 : -1;
}

void exposure_free(struct exposure *x)
{
	for (uint32_t i = 0; i < x->nhosts; i++) {
		free(x->made[i]->svc);
		free(x->made[i]);
	}
	free(x->made);
	free(x->by_slot);
	x->made = NULL;
	x->by_slot = NULL;
	x->nhosts = x->cap = 0;
}

struct exposure_host *exposure_host(struct exposure *x, uint32_t slot, const struct ip_addr *ip)
{
	if (!slot || slot > x->max)
		return NULL;
	struct exposure_host **h = &x->by_slot[slot - 1];
	if (*h)
		return *h;
	if (x->nhosts == x->cap) {
		uint32_t cap = x->cap ? x->cap * 2 : 64;
		struct exposure_host **v = realloc(x->made, cap * sizeof(*v));
		if (!v) {
			x->dropped++;
			return NULL;
		}
		x->made = v;
		x->cap = cap;
	}
	*h = calloc(1, sizeof(**h));
	if (!*h) {
		x->dropped++;
		return NULL;
	}
	(*h)->ip = *ip;
	x->made[x->nhosts++] = *h;
	return *h;
}

struct exposure_service *exposure_service(struct exposure_host *h, uint8_t proto, uint16_t port,
					  const char *app, bool *created)
{
	*created = false;
	for (uint32_t i = 0; i < h->nsvc; i++) {
		struct exposure_service *s = &h->svc[i];
		if (s->proto == proto && s->port == port && !strcmp(s->app, app))
			return s;
	}
	if (h->nsvc >= EXPOSURE_MAX_SERVICES) {
		h->services_dropped++;
		return NULL;
	}
	if (h->nsvc == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 4;
		struct exposure_service *v = realloc(h->svc, cap * sizeof(*v));
		if (!v) {
			h->services_dropped++;
			return NULL;
		}
		h->svc = v;
		h->cap = cap;
	}
	struct exposure_service *s = &h->svc[h->nsvc++];
	memset(s, 0, sizeof(*s));
	s->proto = proto;
	s->port = port;
	snprintf(s->app, sizeof(s->app), "%s", app);
	*created = true;
	return s;
}

static bool before(int64_t s1, uint32_t u1, int64_t s2, uint32_t u2)
{
	return s1 < s2 || (s1 == s2 && u1 < u2);
}

void exposure_count(struct exposure_service *s, const struct ip_addr *client, const char *zone,
		    int64_t first_sec, uint32_t first_usec, int64_t last_sec, uint32_t last_usec,
		    const struct ndpi_summary *n)
{
	if (!s->flows++ || before(first_sec, first_usec, s->first_sec, s->first_usec)) {
		s->first_sec = first_sec;
		s->first_usec = first_usec;
	}
	if (before(s->last_sec, s->last_usec, last_sec, last_usec)) {
		s->last_sec = last_sec;
		s->last_usec = last_usec;
	}
	bool known = false;
	for (uint8_t i = 0; i < s->nclients && !known; i++)
		known = ip_addr_cmp(&s->clients[i], client) == 0;
	if (!known && s->nclients < EXPOSURE_MAX_CLIENTS)
		s->clients[s->nclients++] = *client;
	else if (!known)
		s->clients_more = true;
	if (!zone) {
		s->client_unzoned = true;
	} else {
		known = false;
		for (uint8_t i = 0; i < s->nzones && !known; i++)
			known = !strcmp(s->zones[i], zone);
		if (!known && s->nzones < EXPOSURE_MAX_ZONES)
			snprintf(s->zones[s->nzones++], POLICY_NAME_LEN, "%s", zone);
		else if (!known)
			s->zones_more = true;
	}
	if (!n)
		return;
	s->risk |= n->risk;
	if (n->tls_version && (!s->tls_version || n->tls_version < s->tls_version)) {
		s->tls_version = n->tls_version;
		s->tls_cipher = n->tls_cipher;
	}
}

const char *exposure_software_name(enum exposure_software k)
{
	static const char *const n[EXPOSURE_SW_COUNT] = {
		[EXPOSURE_SW_HTTP_USER_AGENT] = "http-user-agent",
		[EXPOSURE_SW_DHCP_CLASS] = "dhcp-vendor-class",
		[EXPOSURE_SW_SMB_NATIVE_OS] = "smb-native-os",
		[EXPOSURE_SW_SMB_NATIVE_LANMAN] = "smb-native-lanman",
	};
	return (unsigned)k < EXPOSURE_SW_COUNT && n[k] ? n[k] : "?";
}

void exposure_software(struct exposure_host *h, enum exposure_software kind, const char *text)
{
	if (!text || !text[0])
		return;
	for (uint8_t i = 0; i < h->nsoftware; i++)
		if (h->software[i].kind == kind &&
		    !strncmp(h->software[i].text, text, EXPOSURE_SOFTWARE_LEN - 1))
			return;
	if (h->nsoftware == EXPOSURE_MAX_SOFTWARE) {
		h->software_more = true;
		return;
	}
	h->software[h->nsoftware].kind = (uint8_t)kind;
	snprintf(h->software[h->nsoftware].text, EXPOSURE_SOFTWARE_LEN, "%s", text);
	h->nsoftware++;
}

static int host_cmp(const void *a, const void *b)
{
	const struct exposure_host *x = *(const struct exposure_host *const *)a;
	const struct exposure_host *y = *(const struct exposure_host *const *)b;
	return ip_addr_cmp(&x->ip, &y->ip);
}

const struct exposure_host **exposure_sorted(const struct exposure *x, size_t *n)
{
	*n = 0;
	if (!x->nhosts)
		return NULL;
	const struct exposure_host **v = malloc(x->nhosts * sizeof(*v));
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < x->nhosts; i++)
		if (x->made[i]->nsvc)
			v[(*n)++] = x->made[i];
	qsort(v, *n, sizeof(*v), host_cmp);
	return v;
}

size_t exposure_insecure(const struct exposure_service *s, const char **names, size_t max)
{
	/* nDPI 4.2's flow risks first (ndpi_typedefs.h), then what the
	 * application is: remote desktops and file shares are what SEMI E187
	 * and the METI guideline want justified on equipment, Telnet and FTP
	 * carry passwords in clear */
	static const struct { int risk; const char *name; } risks[] = {
		{ FAB_RISK_SMB_INSECURE_VERSION, "smbv1" },
		{ FAB_RISK_TLS_OBSOLETE_VERSION, "tls-obsolete-version" },
		{ FAB_RISK_TLS_WEAK_CIPHER, "tls-weak-cipher" },
		{ FAB_RISK_CLEAR_TEXT_CREDENTIALS, "clear-text-credentials" },
		{ FAB_RISK_UNSAFE_PROTOCOL, "unsafe-protocol" },
		{ FAB_RISK_DESKTOP_OR_FILE_SHARING, "desktop-or-file-sharing" },
		{ FAB_RISK_NON_STANDARD_PORT, "non-standard-port" },
	};
	static const struct { const char *app, *name; } apps[] = {
		{ "SMBv1", "smbv1" }, { "Telnet", "telnet" }, { "FTP_CONTROL", "ftp" },
		{ "TFTP", "tftp" }, { "VNC", "vnc" }, { "RDP", "rdp" }, { "SMBv23", "smb" },
	};
	size_t n = 0;
	/* a remote desktop that lets anyone reach its logon screen (no
	 * Network Level Authentication, MS-RDPBCGR 5.4.2.2) */
	if (s->rdp_no_nla && n < max)
		names[n++] = "rdp-no-nla";
	for (size_t i = 0; i < sizeof(risks) / sizeof(risks[0]) && n < max; i++)
		if (s->risk & (1ULL << risks[i].risk))
			names[n++] = risks[i].name;
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]) && n < max; i++) {
		if (!policy_app_name_matches(apps[i].app, s->app))
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(names[k], apps[i].name);
		if (!dup)
			names[n++] = apps[i].name;
	}
	return n;
}
