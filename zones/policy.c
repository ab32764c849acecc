/* SPDX-License-Identifier: BSD-2-Clause */
/* Policy model: names, compiled lookups (longest-prefix match), cleanup. */
#include "zones/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_EQUIPMENT_HOST] = "equipment-host",
	[ROLE_RECIPE_SERVER] = "recipe-server",
	[ROLE_MES] = "mes",
	[ROLE_MCS] = "mcs",
	[ROLE_FDC] = "fdc",
	[ROLE_ENGINEERING_WORKSTATION] = "engineering-workstation",
	[ROLE_JUMP_HOST] = "jump-host",
	[ROLE_PATCH_SERVER] = "patch-server",
	[ROLE_HISTORIAN] = "historian",
	[ROLE_SCADA] = "scada",
	[ROLE_EQUIPMENT] = "equipment",
	[ROLE_CONTROLLER] = "controller",
	[ROLE_AMHS] = "amhs",
	[ROLE_DNS_SERVER] = "dns-server",
	[ROLE_NTP_SERVER] = "ntp-server",
	[ROLE_FILE_SERVER] = "file-server",
	[ROLE_DOMAIN_CONTROLLER] = "domain-controller",
	[ROLE_MIRROR] = "mirror",
	[ROLE_VENDOR_SUPPORT] = "vendor-support",
};

/* Short names fab teams use for the same roles. */
static const struct { const char *alias; enum host_role role; } role_aliases[] = {
	{ "eap", ROLE_EQUIPMENT_HOST },
	{ "rms", ROLE_RECIPE_SERVER },
	{ "ews", ROLE_ENGINEERING_WORKSTATION },
	{ "plc", ROLE_CONTROLLER },
};

static const char *const area_names[AREA_COUNT] = {
	[AREA_FAB] = "fab-area",
	[AREA_FAB_SYSTEM] = "fab-system-area",
	[AREA_DMZ] = "it-ot-dmz",
	[AREA_ENTERPRISE] = "enterprise",
	[AREA_EXTERNAL] = "external",
};

const char *policy_role_name(enum host_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

int policy_role_parse(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcasecmp(name, role_names[i]) == 0)
			return i;
	for (size_t i = 0; i < sizeof(role_aliases) / sizeof(role_aliases[0]); i++)
		if (strcasecmp(name, role_aliases[i].alias) == 0)
			return (int)role_aliases[i].role;
	return -1;
}

const char *policy_area_name(enum zone_area a)
{
	return (unsigned)a < AREA_COUNT ? area_names[a] : "?";
}

int policy_area_parse(const char *name)
{
	for (int i = 0; i < AREA_COUNT; i++)
		if (strcasecmp(name, area_names[i]) == 0)
			return i;
	return -1;
}

const char *policy_roles_str(uint32_t roles, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!(roles & ROLE_BIT(i)))
			continue;
		int w = snprintf(buf + n, len - n, "%s%s", n ? "," : "", role_names[i]);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return buf;
}

const char *policy_purdue_str(int purdue_x10, char buf[24])
{
	if (purdue_x10 < 0)
		snprintf(buf, 24, "-");
	else if (purdue_x10 % 10)
		snprintf(buf, 24, "%d.%d", purdue_x10 / 10, purdue_x10 % 10);
	else
		snprintf(buf, 24, "%d", purdue_x10 / 10);
	return buf;
}

void policy_error_format(const struct policy_error *e, char *out, size_t len)
{
	if (e->line > 0)
		snprintf(out, len, "%s:%d:%d: %s", e->file, e->line, e->column, e->msg);
	else
		snprintf(out, len, "%s: %s", e->file, e->msg);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nzones; i++)
		free(p->zones[i].vlans);
	for (size_t i = 0; i < p->nconduits; i++)
		free(p->conduits[i].allow);
	for (size_t i = 0; i < p->baseline.nhsms; i++) {
		struct policy_baseline_hsms *b = &p->baseline.hsms[i];
		free(b->sf);
		free(b->rcmds.v);
		free(b->ppids.v);
		free(b->ecids.v);
	}
	for (size_t i = 0; i < p->baseline.nmodbus; i++) {
		free(p->baseline.modbus[i].reads);
		free(p->baseline.modbus[i].writes);
	}
	free(p->baseline.hsms);
	free(p->baseline.modbus);
	free(p->services);
	free(p->text);
	free(p->zones);
	free(p->hosts);
	free(p->conduits);
	free(p->rules);
	free(p->gateways);
	free(p->nets);
	free(p->host_index);
	free(p);
}

bool ip_addr_is_public(const struct ip_addr *a)
{
	const uint8_t *b = a->a;
	if (a->family == 4) {
		if (b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224)
			return false;
		if (b[0] == 172 && (b[1] & 0xf0) == 16)
			return false;
		if (b[0] == 192 && b[1] == 168)
			return false;
		if (b[0] == 169 && b[1] == 254)
			return false;
		if (b[0] == 100 && (b[1] & 0xc0) == 64)
			return false;
		return true;
	}
	if (a->family == 6) {
		static const uint8_t zero[15];
		if (memcmp(b, zero, 15) == 0)
			return false;                 /* :: and ::1 */
		if ((b[0] & 0xfe) == 0xfc)
			return false;                 /* unique local */
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return false;                 /* link-local */
		if (b[0] == 0xff)
			return false;                 /* multicast */
		if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) {
			struct ip_addr v4 = { .family = 4 };
			memcpy(v4.a, b + 12, 4);
			return ip_addr_is_public(&v4);
		}
		return true;
	}
	return false;
}

static void mask_addr(struct ip_addr *a, unsigned len)
{
	size_t n = ip_addr_len(a);
	for (size_t i = 0; i < n; i++) {
		unsigned bits = len > i * 8 ? len - (unsigned)i * 8 : 0;
		if (bits >= 8)
			continue;
		a->a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static int net_cmp(const void *x, const void *y)
{
	const struct policy_network *a = x, *b = y;
	if (a->prefix.family != b->prefix.family)
		return a->prefix.family - b->prefix.family;
	if (a->len != b->len)
		return b->len - a->len;
	return memcmp(a->prefix.a, b->prefix.a, 16);
}

static int host_addr_cmp(const void *x, const void *y)
{
	const struct policy_host_addr *a = x, *b = y;
	return ip_addr_cmp(&a->a, &b->a);
}

int policy_zone_index(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nzones; i++)
		if (strcmp(p->zones[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct policy_rule *policy_rule_override(const struct policy *p, const char *id)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (strcasecmp(p->rules[i].id, id) == 0)
			return &p->rules[i];
	return NULL;
}

int policy_sort_networks(struct policy *p);

__attribute__((format(printf, 3, 4)))
static int set_err(struct policy_error *err, int line, const char *fmt, ...)
{
	err->line = line;
	err->column = line ? 1 : 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int policy_compile(struct policy *p, struct policy_error *err)
{
	snprintf(err->file, sizeof(err->file), "%s", p->source);
	free(p->host_index);
	p->host_index = NULL;
	p->nhost_index = 0;
	p->public_zone = -1;
	for (size_t i = 0; i < p->nzones; i++) {
		if (!p->zones[i].public_addresses)
			continue;
		if (p->public_zone >= 0)
			return set_err(err, p->zones[i].line,
				       "zone '%s' takes public addresses, but zone '%s' already does",
				       p->zones[i].name, p->zones[p->public_zone].name);
		p->public_zone = (int)i;
	}
	size_t nh = 0;
	for (size_t i = 0; i < p->nhosts; i++)
		nh += p->hosts[i].naddrs;
	p->host_index = calloc(nh ? nh : 1, sizeof(*p->host_index));
	if (!p->host_index)
		return set_err(err, 0, "out of memory");
	for (size_t i = 0; i < p->nhosts; i++)
		for (size_t k = 0; k < p->hosts[i].naddrs; k++)
			p->host_index[p->nhost_index++] =
				(struct policy_host_addr){ p->hosts[i].addrs[k], (int)i };
	if (p->nhost_index)
		qsort(p->host_index, p->nhost_index, sizeof(*p->host_index), host_addr_cmp);
	for (size_t i = 1; i < p->nhost_index; i++) {
		if (ip_addr_cmp(&p->host_index[i - 1].a, &p->host_index[i].a) == 0) {
			char a[IP_ADDR_STRLEN];
			const struct policy_host *h = &p->hosts[p->host_index[i].host];
			const struct policy_host *o = &p->hosts[p->host_index[i - 1].host];
			if (h->line < o->line) {
				const struct policy_host *t = h;
				h = o;
				o = t;
			}
			err->line = h->line;
			err->column = 1;
			snprintf(err->msg, sizeof(err->msg),
				 "address %s of host '%s' already belongs to host '%s' (line %d)",
				 ip_addr_str(&p->host_index[i].a, a, sizeof(a)), h->name, o->name,
				 o->line);
			return -1;
		}
	}
	int dup = policy_sort_networks(p);
	if (dup >= 0) {
		const struct policy_network *n = &p->nets[dup];
		char a[IP_ADDR_STRLEN], msg[96];
		snprintf(msg, sizeof(msg), "%s/%u", ip_addr_str(&n->prefix, a, sizeof(a)), n->len);
		const struct policy_zone *z1 = &p->zones[p->nets[dup - 1].zone];
		const struct policy_zone *z2 = &p->zones[n->zone];
		if (z1->line > z2->line) {
			const struct policy_zone *t = z1;
			z1 = z2;
			z2 = t;
		}
		err->line = z2->line;
		err->column = 1;
		snprintf(err->msg, sizeof(err->msg),
			 "network %s of zone '%s' is already in zone '%s' (line %d)", msg, z2->name,
			 z1->name, z1->line);
		return -1;
	}
	return 0;
}

int policy_add_network(struct policy *p, const struct ip_addr *prefix, unsigned len, int zone)
{
	struct policy_network *n = realloc(p->nets, (p->nnets + 1) * sizeof(*n));
	if (!n)
		return -1;
	p->nets = n;
	struct policy_network *e = &p->nets[p->nnets++];
	memset(e, 0, sizeof(*e));
	e->prefix = *prefix;
	mask_addr(&e->prefix, len);
	e->len = (uint8_t)len;
	e->zone = zone;
	return 0;
}

/* The network list is sorted and its distinct lengths noted; returns the
 * index of a network equal to an earlier one, or -1. */
int policy_sort_networks(struct policy *p)
{
	if (p->nnets)
		qsort(p->nets, p->nnets, sizeof(*p->nets), net_cmp);
	p->nv4_lens = p->nv6_lens = 0;
	for (size_t i = 0; i < p->nnets; i++) {
		const struct policy_network *n = &p->nets[i];
		if (i && net_cmp(&p->nets[i - 1], n) == 0)
			return (int)i;
		if (n->prefix.family == 4) {
			if (!p->nv4_lens || p->v4_lens[p->nv4_lens - 1] != n->len)
				p->v4_lens[p->nv4_lens++] = n->len;
		} else {
			if (!p->nv6_lens || p->v6_lens[p->nv6_lens - 1] != n->len)
				p->v6_lens[p->nv6_lens++] = n->len;
		}
	}
	return -1;
}

int policy_host_of(const struct policy *p, const struct ip_addr *a)
{
	size_t lo = 0, hi = p->nhost_index;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = ip_addr_cmp(&p->host_index[mid].a, a);
		if (c == 0)
			return p->host_index[mid].host;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Longest-prefix match: one binary search per distinct prefix length,
 * longest first (a fab policy has a handful of lengths). */
static int lpm(const struct policy *p, const struct ip_addr *a)
{
	const uint8_t *lens = a->family == 4 ? p->v4_lens : p->v6_lens;
	unsigned nlens = a->family == 4 ? p->nv4_lens : p->nv6_lens;
	for (unsigned li = 0; li < nlens; li++) {
		struct policy_network key = { .prefix = *a, .len = lens[li] };
		mask_addr(&key.prefix, lens[li]);
		const struct policy_network *hit =
			bsearch(&key, p->nets, p->nnets, sizeof(*p->nets), net_cmp);
		if (hit)
			return hit->zone;
	}
	return -1;
}

int policy_zone_of(const struct policy *p, const struct ip_addr *a, uint16_t vlan)
{
	int h = policy_host_of(p, a);
	if (h >= 0 && p->hosts[h].zone >= 0)
		return p->hosts[h].zone;
	int z = lpm(p, a);
	if (z >= 0)
		return z;
	if (vlan) {
		for (size_t i = 0; i < p->nzones; i++)
			for (size_t k = 0; k < p->zones[i].nvlans; k++)
				if (p->zones[i].vlans[k] == vlan)
					return (int)i;
	}
	if (p->public_zone >= 0 && ip_addr_is_public(a))
		return p->public_zone;
	return -1;
}

int policy_zone_of_roles(const struct policy *p, uint32_t roles)
{
	if (!roles)
		return -1;
	for (size_t i = 0; i < p->nzones; i++)
		if (p->zones[i].member_roles & roles)
			return (int)i;
	return -1;
}

bool policy_allow_port(const struct policy_allow *a, uint16_t port)
{
	if (!a->nports)
		return true;
	for (unsigned i = 0; i < a->nports; i++)
		if (port >= a->ports[i].lo && port <= a->ports[i].hi)
			return true;
	return false;
}

bool policy_app_name_matches(const char *name, const char *app)
{
	if (!app)
		return false;
	if (strcasecmp(name, app) == 0)
		return true;
	/* nDPI names are "Master.App" (TLS.Google): either part matches */
	const char *dot = strchr(app, '.');
	if (!dot)
		return false;
	size_t ml = (size_t)(dot - app);
	if (strlen(name) == ml && strncasecmp(name, app, ml) == 0)
		return true;
	return strcasecmp(name, dot + 1) == 0;
}

bool policy_allow_app(const struct policy_allow *a, const char *app)
{
	return a->app_any || policy_app_name_matches(a->app, app);
}
