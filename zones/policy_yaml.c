/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The policy file (YAML, libyaml's document API). Every error names the
 * line and column of the node at fault and what was expected there; the
 * grammar is documented in README.md ("The policy file") and
 * zones/default-fab.yaml.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "dissectors/gem.h"
#include "dissectors/modbus.h"
#include "zones/policy.h"

struct pctx {
	yaml_document_t doc;
	struct policy *p;
	struct policy_error *err;
	bool failed;
};

__attribute__((format(printf, 3, 4)))
static bool fail(struct pctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	if (c->failed)
		return false;
	c->failed = true;
	if (n) {
		c->err->line = (int)n->start_mark.line + 1;
		c->err->column = (int)n->start_mark.column + 1;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return false;
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static yaml_node_t *node(struct pctx *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool want(struct pctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
	if (n->type == t)
		return true;
	const char *k = t == YAML_SCALAR_NODE ? "a value" : t == YAML_SEQUENCE_NODE ? "a list"
											   : "a mapping";
	if (n->type == YAML_SCALAR_NODE)
		return fail(c, n, "%s must be %s, found '%s'", what, k, scalar(n));
	return fail(c, n, "%s must be %s, found %s", what, k, node_kind(n));
}

static const char *want_str(struct pctx *c, const yaml_node_t *n, const char *what)
{
	if (!want(c, n, YAML_SCALAR_NODE, what))
		return NULL;
	return scalar(n);
}

static bool copy_str(struct pctx *c, const yaml_node_t *n, const char *what, char *out, size_t len)
{
	const char *s = want_str(c, n, what);
	if (!s)
		return false;
	if (strlen(s) >= len)
		return fail(c, n, "%s is longer than %zu characters", what, len - 1);
	if (!*s)
		return fail(c, n, "%s must not be empty", what);
	memcpy(out, s, strlen(s) + 1);
	return true;
}

static bool parse_long(const char *s, long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool want_int(struct pctx *c, const yaml_node_t *n, const char *what, long lo, long hi,
		     long *out)
{
	const char *s = want_str(c, n, what);
	if (!s)
		return false;
	if (!parse_long(s, out) || *out < lo || *out > hi)
		return fail(c, n, "%s must be a number %ld-%ld, found '%s'", what, lo, hi, s);
	return true;
}

static bool want_bool(struct pctx *c, const yaml_node_t *n, const char *what, bool *out)
{
	const char *s = want_str(c, n, what);
	if (!s)
		return false;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
		*out = true;
		return true;
	}
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
		*out = false;
		return true;
	}
	return fail(c, n, "%s must be true or false, found '%s'", what, s);
}

/* A value or a list of values: calls fn on each scalar. */
typedef bool (*item_fn)(struct pctx *c, const yaml_node_t *n, void *arg);

static bool each(struct pctx *c, yaml_node_t *n, const char *what, item_fn fn, void *arg)
{
	if (n->type == YAML_SCALAR_NODE)
		return fn(c, n, arg);
	if (!want(c, n, YAML_SEQUENCE_NODE, what))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *e = node(c, *it);
		if (e->type != YAML_SCALAR_NODE)
			return fail(c, e, "each item of %s must be a value, found %s", what,
				    node_kind(e));
		if (!fn(c, e, arg))
			return false;
	}
	return true;
}

/* Walk a mapping; keys must be among `keys` (NULL-terminated). */
typedef bool (*pair_fn)(struct pctx *c, const char *key, yaml_node_t *v, void *arg);

static bool mapping(struct pctx *c, yaml_node_t *n, const char *what, const char *const *keys,
		    pair_fn fn, void *arg)
{
	if (!want(c, n, YAML_MAPPING_NODE, what))
		return false;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = node(c, pr->key), *v = node(c, pr->value);
		const char *ks = scalar(k);
		if (!ks)
			return fail(c, k, "%s: keys must be names, found %s", what, node_kind(k));
		bool known = false;
		for (const char *const *kk = keys; *kk; kk++)
			known |= strcmp(*kk, ks) == 0;
		if (!known) {
			char list[256];
			size_t o = 0;
			list[0] = '\0';
			for (const char *const *kk = keys; *kk && o < sizeof(list); kk++)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
						      kk == keys ? "" : ", ", *kk);
			return fail(c, k, "%s: unknown key '%s' (expected one of: %s)", what, ks, list);
		}
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < pr; q++)
			if (strcmp(scalar(node(c, q->key)) ? scalar(node(c, q->key)) : "", ks) == 0)
				return fail(c, k, "%s: key '%s' given twice", what, ks);
		if (!fn(c, ks, v, arg))
			return false;
	}
	return true;
}

static bool has_key(struct pctx *c, yaml_node_t *n, const char *key)
{
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		const char *ks = scalar(node(c, pr->key));
		if (ks && strcmp(ks, key) == 0)
			return true;
	}
	return false;
}

static bool require(struct pctx *c, yaml_node_t *n, const char *what, const char *key)
{
	if (has_key(c, n, key))
		return true;
	return fail(c, n, "%s: missing '%s'", what, key);
}

/* ---- roles, ports, ranges ---- */

static bool role_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	int r = policy_role_parse(scalar(n));
	if (r < 0) {
		char list[512];
		size_t o = 0;
		for (int i = 0; i < ROLE_COUNT; i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
					      policy_role_name((enum host_role)i));
		return fail(c, n, "unknown role '%s' (roles: %s)", scalar(n), list);
	}
	*(uint32_t *)arg |= ROLE_BIT(r);
	return true;
}

static bool parse_range(const char *s, long lo, long hi, long *a, long *b)
{
	char buf[32];
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	char *dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!parse_long(buf, a))
		return false;
	*b = *a;
	if (dash && !parse_long(dash + 1, b))
		return false;
	return *a >= lo && *b <= hi && *a <= *b;
}

static bool port_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_allow *a = arg;
	long lo, hi;
	if (!parse_range(scalar(n), 1, 65535, &lo, &hi))
		return fail(c, n, "bad port '%s': expected a port 1-65535 or a range like 5000-5010",
			    scalar(n));
	if (a->nports >= POLICY_MAX_PORTS)
		return fail(c, n, "more than %d ports in one allow entry", POLICY_MAX_PORTS);
	a->ports[a->nports++] = (struct port_range){ (uint16_t)lo, (uint16_t)hi };
	return true;
}

static bool address_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_allow *a = arg;
	long lo, hi;
	if (!parse_range(scalar(n), 0, 65535, &lo, &hi))
		return fail(c, n,
			    "bad Modbus address '%s': expected an address 0-65535 or a range like 0-99",
			    scalar(n));
	if (a->naddresses >= POLICY_MAX_RANGES)
		return fail(c, n, "more than %d address ranges in one allow entry",
			    POLICY_MAX_RANGES);
	a->addresses[a->naddresses++] = (struct addr_range){ (uint16_t)lo, (uint16_t)hi };
	a->has_modbus_filter = true;
	return true;
}

static bool message_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_allow *a = arg;
	const char *s = scalar(n);
	unsigned st, fn;
	char tail;
	if ((s[0] == 'S' || s[0] == 's') && sscanf(s + 1, "%u%c", &st, &tail) == 1 && st < 256) {
		a->streams[st / 8] |= (uint8_t)(1u << (st % 8));
	} else if ((s[0] == 'S' || s[0] == 's') &&
		   sscanf(s + 1, "%u%*[Ff]%u%c", &st, &fn, &tail) == 2 && st < 128 && fn < 256) {
		if (a->nsf >= POLICY_MAX_SF)
			return fail(c, n, "more than %d messages in one allow entry", POLICY_MAX_SF);
		a->sf[a->nsf++] = (uint16_t)(st << 8 | fn);
	} else {
		return fail(c, n, "bad HSMS message '%s': expected a stream like S7 or a "
			    "stream/function like S7F3", s);
	}
	a->has_hsms_filter = true;
	return true;
}

static bool category_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_allow *a = arg;
	enum gem_category cat = gem_category_parse(scalar(n));
	if (cat == GEM_CAT_COUNT) {
		char list[600];
		size_t o = 0;
		for (int i = 1; i < GEM_CAT_COUNT && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i > 1 ? ", " : "",
					      gem_category_name((enum gem_category)i));
		return fail(c, n, "unknown GEM category '%s' (categories: %s)", scalar(n), list);
	}
	a->categories |= 1u << cat;
	a->has_hsms_filter = true;
	return true;
}

static bool access_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_allow *a = arg;
	enum modbus_access acc = modbus_access_parse(scalar(n));
	if (acc == MODBUS_ACCESS_COUNT)
		return fail(c, n, "unknown Modbus access class '%s' (classes: read, write, "
			    "diagnostic, programming, identification, other)", scalar(n));
	a->access |= (uint8_t)(1u << acc);
	a->has_modbus_filter = true;
	return true;
}

static bool fc_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_allow *a = arg;
	long v;
	if (!parse_long(scalar(n), &v) || v < 1 || v > 127)
		return fail(c, n, "bad Modbus function code '%s': expected 1-127", scalar(n));
	a->function_codes[v / 8] |= (uint8_t)(1u << (v % 8));
	a->has_function_codes = a->has_modbus_filter = true;
	return true;
}

static bool unit_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_allow *a = arg;
	long v;
	if (!parse_long(scalar(n), &v) || v < 0 || v > 255)
		return fail(c, n, "bad Modbus unit id '%s': expected 0-255", scalar(n));
	a->unit_ids[v / 8] |= (uint8_t)(1u << (v % 8));
	a->has_unit_ids = a->has_modbus_filter = true;
	return true;
}

/* ---- zones ---- */

struct zone_arg {
	struct policy_zone *z;
	int index;
};

/* A network "ADDR/LEN" (LEN left out: the one address) into a, *len;
 * what: its name in the messages. */
static bool parse_prefix(struct pctx *c, const yaml_node_t *n, const char *what, const char *s,
			 struct ip_addr *a, long *len)
{
	char buf[80];
	if (strlen(s) >= sizeof(buf))
		return fail(c, n, "bad %s '%s': expected a CIDR like 10.30.0.0/16", what, s);
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!ip_addr_parse(buf, a))
		return fail(c, n, "bad %s '%s': '%s' is not an IPv4 or IPv6 address", what, s, buf);
	*len = a->family == 4 ? 32 : 128;
	if (slash && (!parse_long(slash + 1, len) || *len < 0 || *len > (a->family == 4 ? 32 : 128)))
		return fail(c, n, "bad %s '%s': prefix length must be 0-%d for IPv%d", what, s,
			    a->family == 4 ? 32 : 128, a->family);
	/* host bits set: a typo more often than intent, say so */
	struct ip_addr m = *a;
	for (size_t i = 0; i < ip_addr_len(&m); i++) {
		long bits = *len - (long)i * 8;
		if (bits < 8)
			m.a[i] &= (uint8_t)(bits <= 0 ? 0 : 0xff00u >> bits);
	}
	if (ip_addr_cmp(&m, a) != 0) {
		char mb[IP_ADDR_STRLEN];
		return fail(c, n, "bad %s '%s': host bits are set (did you mean %s/%ld?)", what, s,
			    ip_addr_str(&m, mb, sizeof(mb)), *len);
	}
	return true;
}

static bool network_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct zone_arg *za = arg;
	const char *s = scalar(n);
	if (strcasecmp(s, "public") == 0) {
		za->z->public_addresses = true;
		return true;
	}
	struct ip_addr a;
	long len;
	if (!parse_prefix(c, n, "network", s, &a, &len))
		return false;
	if (policy_add_network(c->p, &a, (unsigned)len, za->index) < 0)
		return fail(c, n, "out of memory");
	return true;
}

static bool vlan_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_zone *z = arg;
	long v;
	if (!parse_long(scalar(n), &v) || v < 1 || v > 4094)
		return fail(c, n, "bad VLAN '%s': expected 1-4094", scalar(n));
	uint16_t *nv = realloc(z->vlans, (z->nvlans + 1) * sizeof(*nv));
	if (!nv)
		return fail(c, n, "out of memory");
	z->vlans = nv;
	z->vlans[z->nvlans++] = (uint16_t)v;
	return true;
}

static bool zone_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct zone_arg *za = arg;
	struct policy_zone *z = za->z;
	if (!strcmp(k, "name"))
		return copy_str(c, v, "zone name", z->name, sizeof(z->name));
	if (!strcmp(k, "name_ja"))
		return copy_str(c, v, "name_ja", z->name_ja, sizeof(z->name_ja));
	if (!strcmp(k, "description"))
		return copy_str(c, v, "description", z->description, sizeof(z->description));
	if (!strcmp(k, "purdue")) {
		const char *s = want_str(c, v, "purdue");
		if (!s)
			return false;
		long l;
		if (!strcmp(s, "3.5"))
			z->purdue_x10 = 35;
		else if (parse_long(s, &l) && l >= 0 && l <= 5)
			z->purdue_x10 = (int)l * 10;
		else
			return fail(c, v, "purdue must be a level 0-5 or 3.5 (the IT/OT DMZ), found '%s'",
				    s);
		return true;
	}
	if (!strcmp(k, "area")) {
		const char *s = want_str(c, v, "area");
		if (!s)
			return false;
		int a = policy_area_parse(s);
		if (a < 0)
			return fail(c, v, "unknown area '%s' (areas: fab-area, fab-system-area, "
				    "it-ot-dmz, enterprise, external)", s);
		z->area = (enum zone_area)a;
		return true;
	}
	if (!strcmp(k, "networks"))
		return each(c, v, "networks", network_item, za);
	if (!strcmp(k, "vlans"))
		return each(c, v, "vlans", vlan_item, z);
	if (!strcmp(k, "sl_t")) {
		long l;
		if (!want_int(c, v, "sl_t", 1, 4, &l))
			return false;
		z->sl_t = (int)l;
		return true;
	}
	if (!strcmp(k, "inventory")) {
		const char *s = want_str(c, v, "inventory");
		if (!s)
			return false;
		if (strcmp(s, "closed") && strcmp(s, "open"))
			return fail(c, v, "inventory must be 'open' or 'closed', found '%s'", s);
		z->inventory_closed = !strcmp(s, "closed");
		return true;
	}
	if (!strcmp(k, "roles"))
		return each(c, v, "roles", role_item, &z->member_roles);
	return false;
}

static const char *const zone_keys[] = { "name", "name_ja", "description", "purdue", "area",
					 "networks", "vlans", "sl_t", "inventory", "roles", NULL };

static bool parse_zones(struct pctx *c, yaml_node_t *n)
{
	if (!want(c, n, YAML_SEQUENCE_NODE, "zones"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *zn = node(c, *it);
		struct policy *p = c->p;
		struct policy_zone *nz = realloc(p->zones, (p->nzones + 1) * sizeof(*nz));
		if (!nz)
			return fail(c, zn, "out of memory");
		p->zones = nz;
		struct policy_zone *z = &p->zones[p->nzones];
		memset(z, 0, sizeof(*z));
		z->purdue_x10 = -1;
		z->area = AREA_COUNT;
		z->line = (int)zn->start_mark.line + 1;
		p->nzones++;
		struct zone_arg za = { z, (int)p->nzones - 1 };
		char what[96];
		snprintf(what, sizeof(what), "zone %zu", p->nzones);
		if (!mapping(c, zn, what, zone_keys, zone_pair, &za) || !require(c, zn, what, "name"))
			return false;
		snprintf(what, sizeof(what), "zone '%s'", z->name);
		if (!require(c, zn, what, "purdue") || !require(c, zn, what, "area"))
			return false;
		for (size_t i = 0; i + 1 < p->nzones; i++)
			if (!strcmp(p->zones[i].name, z->name))
				return fail(c, zn, "duplicate zone name '%s' (first defined at line %d)",
					    z->name, p->zones[i].line);
	}
	return true;
}

/* ---- hosts ---- */

static bool host_addr_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_host *h = arg;
	struct ip_addr a;
	if (!ip_addr_parse(scalar(n), &a))
		return fail(c, n, "bad address '%s': expected an IPv4 or IPv6 address", scalar(n));
	if (h->naddrs >= POLICY_MAX_ADDRS)
		return fail(c, n, "more than %d addresses for host '%s'", POLICY_MAX_ADDRS, h->name);
	h->addrs[h->naddrs++] = a;
	return true;
}

static bool host_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct policy_host *h = arg;
	if (!strcmp(k, "name"))
		return copy_str(c, v, "host name", h->name, sizeof(h->name));
	if (!strcmp(k, "address") || !strcmp(k, "addresses"))
		return each(c, v, k, host_addr_item, h);
	if (!strcmp(k, "roles"))
		return each(c, v, "roles", role_item, &h->roles);
	if (!strcmp(k, "zone")) {
		const char *s = want_str(c, v, "zone");
		if (!s)
			return false;
		h->zone = policy_zone_index(c->p, s);
		if (h->zone < 0)
			return fail(c, v, "host '%s': unknown zone '%s'", h->name, s);
		return true;
	}
	if (!strcmp(k, "model"))
		return copy_str(c, v, "model", h->model, sizeof(h->model));
	if (!strcmp(k, "softrev"))
		return copy_str(c, v, "softrev", h->softrev, sizeof(h->softrev));
	if (!strcmp(k, "description"))
		return true;
	return false;
}

static const char *const host_keys[] = { "name", "address", "addresses", "roles", "zone",
					 "model", "softrev", "description", NULL };

static bool parse_hosts(struct pctx *c, yaml_node_t *n)
{
	if (!want(c, n, YAML_SEQUENCE_NODE, "hosts"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *hn = node(c, *it);
		struct policy *p = c->p;
		struct policy_host *nh = realloc(p->hosts, (p->nhosts + 1) * sizeof(*nh));
		if (!nh)
			return fail(c, hn, "out of memory");
		p->hosts = nh;
		struct policy_host *h = &p->hosts[p->nhosts++];
		memset(h, 0, sizeof(*h));
		h->zone = -1;
		h->line = (int)hn->start_mark.line + 1;
		char what[96];
		snprintf(what, sizeof(what), "host %zu", p->nhosts);
		/* name first, so later messages can name the host */
		if (hn->type == YAML_MAPPING_NODE && !require(c, hn, what, "name"))
			return false;
		if (!mapping(c, hn, what, host_keys, host_pair, h))
			return false;
		snprintf(what, sizeof(what), "host '%s'", h->name);
		if (!h->naddrs)
			return fail(c, hn, "%s: missing 'address'", what);
		for (size_t i = 0; i + 1 < p->nhosts; i++)
			if (!strcmp(p->hosts[i].name, h->name))
				return fail(c, hn, "duplicate host name '%s' (first defined at line %d)",
					    h->name, p->hosts[i].line);
	}
	return true;
}

/* ---- conduits ---- */

static bool allow_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct policy_allow *a = arg;
	if (!strcmp(k, "app")) {
		if (!copy_str(c, v, "app", a->app, sizeof(a->app)))
			return false;
		a->app_any = !strcasecmp(a->app, "any");
		return true;
	}
	if (!strcmp(k, "ports"))
		return each(c, v, "ports", port_item, a);
	if (!strcmp(k, "initiators"))
		return each(c, v, "initiators", role_item, &a->initiators);
	if (!strcmp(k, "messages"))
		return each(c, v, "messages", message_item, a);
	if (!strcmp(k, "categories"))
		return each(c, v, "categories", category_item, a);
	if (!strcmp(k, "access"))
		return each(c, v, "access", access_item, a);
	if (!strcmp(k, "function_codes"))
		return each(c, v, "function_codes", fc_item, a);
	if (!strcmp(k, "unit_ids"))
		return each(c, v, "unit_ids", unit_item, a);
	if (!strcmp(k, "addresses"))
		return each(c, v, "addresses", address_item, a);
	return false;
}

static const char *const allow_keys[] = { "app", "ports", "initiators", "messages", "categories",
					  "access", "function_codes", "unit_ids", "addresses",
					  NULL };

struct conduit_arg {
	struct policy_conduit *cd;
	yaml_node_t *from, *to;
};

static bool parse_allow(struct pctx *c, struct policy_conduit *cd, yaml_node_t *n)
{
	if (!want(c, n, YAML_SEQUENCE_NODE, "allow"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *an = node(c, *it);
		if (cd->nallow == POLICY_MAX_ALLOW)
			return fail(c, an, "conduit '%s' has more than %d allow entries; split it into "
				    "two conduits between the same zones", cd->name, POLICY_MAX_ALLOW);
		struct policy_allow *na = realloc(cd->allow, (cd->nallow + 1) * sizeof(*na));
		if (!na)
			return fail(c, an, "out of memory");
		cd->allow = na;
		struct policy_allow *a = &cd->allow[cd->nallow++];
		memset(a, 0, sizeof(*a));
		a->line = (int)an->start_mark.line + 1;
		char what[128];
		snprintf(what, sizeof(what), "conduit '%s' allow entry %zu", cd->name, cd->nallow);
		if (!mapping(c, an, what, allow_keys, allow_pair, a) || !require(c, an, what, "app"))
			return false;
		bool hsms = !strcasecmp(a->app, "hsms"), modbus = !strcasecmp(a->app, "modbus");
		if (a->has_hsms_filter && !hsms)
			return fail(c, an, "%s: messages/categories need app: hsms, not '%s'", what,
				    a->app);
		if (a->has_modbus_filter && !modbus)
			return fail(c, an, "%s: access/function_codes/unit_ids/addresses need app: "
				    "modbus, not '%s'", what, a->app);
	}
	return true;
}

static bool conduit_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct conduit_arg *ca = arg;
	struct policy_conduit *cd = ca->cd;
	if (!strcmp(k, "name"))
		return copy_str(c, v, "conduit name", cd->name, sizeof(cd->name));
	if (!strcmp(k, "description"))
		return copy_str(c, v, "description", cd->description, sizeof(cd->description));
	if (!strcmp(k, "from") || !strcmp(k, "to")) {
		if (!want_str(c, v, k))
			return false;
		*(!strcmp(k, "from") ? &ca->from : &ca->to) = v;
		return true;
	}
	if (!strcmp(k, "direction")) {
		const char *s = want_str(c, v, "direction");
		if (!s)
			return false;
		if (strcmp(s, "one-way") && strcmp(s, "both"))
			return fail(c, v, "direction must be 'one-way' (only 'from' initiates) or "
				    "'both', found '%s'", s);
		cd->both_ways = !strcmp(s, "both");
		return true;
	}
	if (!strcmp(k, "allow"))
		return parse_allow(c, cd, v);
	if (!strcmp(k, "references"))
		return true; /* documentation for auditors; not used by the engine */
	return false;
}

static const char *const conduit_keys[] = { "name", "description", "from", "to", "direction",
					    "allow", "references", NULL };

static bool zone_ref(struct pctx *c, struct policy_conduit *cd, yaml_node_t *v, const char *k,
		     int *out)
{
	*out = policy_zone_index(c->p, scalar(v));
	if (*out >= 0)
		return true;
	char list[512];
	size_t o = 0;
	list[0] = '\0';
	for (size_t i = 0; i < c->p->nzones && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
				      c->p->zones[i].name);
	return fail(c, v, "conduit '%s': unknown zone '%s' in '%s' (zones: %s)", cd->name,
		    scalar(v), k, list);
}

static bool parse_conduits(struct pctx *c, yaml_node_t *n)
{
	if (!want(c, n, YAML_SEQUENCE_NODE, "conduits"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *cn = node(c, *it);
		struct policy *p = c->p;
		struct policy_conduit *ncd = realloc(p->conduits, (p->nconduits + 1) * sizeof(*ncd));
		if (!ncd)
			return fail(c, cn, "out of memory");
		p->conduits = ncd;
		struct policy_conduit *cd = &p->conduits[p->nconduits++];
		memset(cd, 0, sizeof(*cd));
		cd->line = (int)cn->start_mark.line + 1;
		struct conduit_arg ca = { cd, NULL, NULL };
		char what[96];
		snprintf(what, sizeof(what), "conduit %zu", p->nconduits);
		if (cn->type == YAML_MAPPING_NODE && !require(c, cn, what, "name"))
			return false;
		if (!mapping(c, cn, what, conduit_keys, conduit_pair, &ca))
			return false;
		snprintf(what, sizeof(what), "conduit '%s'", cd->name);
		if (!require(c, cn, what, "from") || !require(c, cn, what, "to") ||
		    !require(c, cn, what, "allow"))
			return false;
		if (!zone_ref(c, cd, ca.from, "from", &cd->from) ||
		    !zone_ref(c, cd, ca.to, "to", &cd->to))
			return false;
		for (size_t i = 0; i + 1 < p->nconduits; i++)
			if (!strcmp(p->conduits[i].name, cd->name))
				return fail(c, cn,
					    "duplicate conduit name '%s' (first defined at line %d)",
					    cd->name, p->conduits[i].line);
	}
	return true;
}

/* ---- rules, alerting, gateways ---- */

static bool rule_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct policy_rule *r = arg;
	if (!strcmp(k, "id"))
		return copy_str(c, v, "rule id", r->id, sizeof(r->id));
	if (!strcmp(k, "enabled")) {
		bool b;
		if (!want_bool(c, v, "enabled", &b))
			return false;
		r->enabled = b;
		return true;
	}
	if (!strcmp(k, "severity")) {
		const char *s = want_str(c, v, "severity");
		if (!s)
			return false;
		static const char *const names[] = { "critical", "high", "medium", "low" };
		for (int i = 0; i < 4; i++)
			if (!strcasecmp(s, names[i])) {
				r->severity = i + 1;
				return true;
			}
		long l;
		if (!parse_long(s, &l) || l < 1 || l > 4)
			return fail(c, v, "severity must be 1-4 or critical, high, medium, low, "
				    "found '%s'", s);
		r->severity = (int)l;
		return true;
	}
	if (!strcmp(k, "roles"))
		return each(c, v, "roles", role_item, &r->roles);
	return false;
}

static const char *const rule_keys[] = { "id", "enabled", "severity", "roles", NULL };

static bool parse_rules(struct pctx *c, yaml_node_t *n)
{
	if (!want(c, n, YAML_SEQUENCE_NODE, "rules"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *rn = node(c, *it);
		struct policy *p = c->p;
		struct policy_rule *nr = realloc(p->rules, (p->nrules + 1) * sizeof(*nr));
		if (!nr)
			return fail(c, rn, "out of memory");
		p->rules = nr;
		struct policy_rule *r = &p->rules[p->nrules++];
		memset(r, 0, sizeof(*r));
		r->enabled = -1;
		r->line = (int)rn->start_mark.line + 1;
		char what[64];
		snprintf(what, sizeof(what), "rule %zu", p->nrules);
		if (!mapping(c, rn, what, rule_keys, rule_pair, r) || !require(c, rn, what, "id"))
			return false;
		for (size_t i = 0; i + 1 < p->nrules; i++)
			if (!strcasecmp(p->rules[i].id, r->id))
				return fail(c, rn, "rule '%s' given twice (first at line %d)", r->id,
					    p->rules[i].line);
	}
	return true;
}

static bool alerting_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	long l;
	if (!strcmp(k, "window")) {
		if (!want_int(c, v, "window", 0, 86400, &l))
			return false;
		c->p->alert_window = (uint32_t)l;
		return true;
	}
	if (!strcmp(k, "rate_limit")) {
		if (!want_int(c, v, "rate_limit", 1, 1000000, &l))
			return false;
		c->p->alert_rate = (uint32_t)l;
		return true;
	}
	return false;
}

/* ---- scan ---- */

static bool scan_area_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	int a = policy_area_parse(scalar(n));
	if (a < 0) {
		char list[256];
		size_t o = 0;
		for (int i = 0; i < AREA_COUNT; i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
					      policy_area_name((enum zone_area)i));
		return fail(c, n, "scan: unknown area '%s' (areas: %s)", scalar(n), list);
	}
	*(uint32_t *)arg |= 1u << a;
	return true;
}

static bool scan_zone_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_scan *s = arg;
	int z = policy_zone_index(c->p, scalar(n));
	if (z < 0)
		return fail(c, n, "scan: unknown zone '%s' (not in `zones:`)", scalar(n));
	if (s->nzones >= POLICY_MAX_SCAN_ZONES)
		return fail(c, n, "scan: more than %d zones", POLICY_MAX_SCAN_ZONES);
	s->zones[s->nzones++] = z;
	return true;
}

static bool scan_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct policy_scan *s = arg;
	long l;
	if (!strcmp(k, "interval")) {
		if (!want_int(c, v, "scan: interval", 1, 86400, &l))
			return false;
		s->interval = (uint32_t)l;
		return true;
	}
	struct { const char *key; uint32_t *to; long max; } t[] = {
		{ "syn_flood", &s->syn_flood, 100000000 },
		{ "port_scan", &s->port_scan, POLICY_SCAN_SET_MAX },
		{ "host_sweep", &s->host_sweep, POLICY_SCAN_SET_MAX },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(k, t[i].key)) {
			char what[32];
			snprintf(what, sizeof(what), "scan: %s", k);
			/* 0 turns the rule off; else at least 2 (one attempt is no scan) */
			if (!want_int(c, v, what, 0, t[i].max, &l))
				return false;
			if (l == 1)
				return fail(c, v, "scan: %s must be 0 (off) or at least 2, found 1", k);
			*t[i].to = (uint32_t)l;
			return true;
		}
	if (!strcmp(k, "areas")) {
		s->areas = 0;
		return each(c, v, "scan: areas", scan_area_item, &s->areas);
	}
	if (!strcmp(k, "zones")) {
		s->nzones = 0;
		return each(c, v, "scan: zones", scan_zone_item, s);
	}
	return false;
}

static bool gateway_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	(void)arg;
	unsigned m[6];
	char tail;
	if (sscanf(scalar(n), "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &tail) != 6)
		return fail(c, n, "bad MAC '%s': expected six hex bytes like 00:1b:21:0a:0b:0c",
			    scalar(n));
	struct policy *p = c->p;
	uint8_t(*g)[6] = realloc(p->gateways, (p->ngateways + 1) * sizeof(*g));
	if (!g)
		return fail(c, n, "out of memory");
	p->gateways = g;
	for (int i = 0; i < 6; i++)
		p->gateways[p->ngateways][i] = (uint8_t)m[i];
	p->ngateways++;
	return true;
}

/* ---------- baseline: (issue 19 item 2, written by `fabmon learn`) ---------- */

static bool want_addr(struct pctx *c, const yaml_node_t *n, const char *what, struct ip_addr *out)
{
	const char *s = want_str(c, n, what);
	if (!s)
		return false;
	if (!ip_addr_parse(s, out))
		return fail(c, n, "bad %s '%s': expected an IPv4 or IPv6 address", what, s);
	return true;
}

static bool name_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct baseline_names *b = arg;
	const char *s = scalar(n);
	if (strlen(s) >= POLICY_ID_LEN)
		return fail(c, n, "'%s' is longer than %d characters", s, POLICY_ID_LEN - 1);
	char (*v)[POLICY_ID_LEN] = realloc(b->v, (b->n + 1) * sizeof(*b->v));
	if (!v)
		return fail(c, n, "out of memory");
	b->v = v;
	snprintf(b->v[b->n++], POLICY_ID_LEN, "%s", s);
	return true;
}

static bool bl_message_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_baseline_hsms *b = arg;
	const char *s = scalar(n);
	unsigned st, fn;
	char tail;
	if (!((s[0] == 'S' || s[0] == 's') && sscanf(s + 1, "%u%*[Ff]%u%c", &st, &fn, &tail) == 2 &&
	      st < 128 && fn < 256))
		return fail(c, n, "bad HSMS message '%s': expected a stream/function like S2F41", s);
	uint16_t *v = realloc(b->sf, (b->nsf + 1) * sizeof(*v));
	if (!v)
		return fail(c, n, "out of memory");
	b->sf = v;
	b->sf[b->nsf++] = (uint16_t)(st << 8 | fn);
	return true;
}

static bool bl_hsms_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct policy_baseline_hsms *b = arg;
	if (!strcmp(k, "host"))
		return want_addr(c, v, "host", &b->host);
	if (!strcmp(k, "equipment"))
		return want_addr(c, v, "equipment", &b->equipment);
	if (!strcmp(k, "messages"))
		return each(c, v, "messages", bl_message_item, b);
	if (!strcmp(k, "rcmds"))
		return each(c, v, "rcmds", name_item, &b->rcmds);
	if (!strcmp(k, "ppids"))
		return each(c, v, "ppids", name_item, &b->ppids);
	if (!strcmp(k, "ecids"))
		return each(c, v, "ecids", name_item, &b->ecids);
	return false;
}

static bool bl_fc_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_baseline_modbus *b = arg;
	long v;
	if (!parse_long(scalar(n), &v) || v < 1 || v > 255)
		return fail(c, n, "bad Modbus function code '%s': expected 1-255", scalar(n));
	b->functions[v / 8] |= (uint8_t)(1u << (v % 8));
	return true;
}

struct bl_ranges {
	struct addr_range **r;
	size_t *n;
};

static bool bl_range_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct bl_ranges *x = arg;
	long lo, hi;
	if (!parse_range(scalar(n), 0, 65535, &lo, &hi))
		return fail(c, n, "bad Modbus address '%s': expected an address 0-65535 or a range "
			    "like 0-99", scalar(n));
	struct addr_range *v = realloc(*x->r, (*x->n + 1) * sizeof(*v));
	if (!v)
		return fail(c, n, "out of memory");
	*x->r = v;
	v[(*x->n)++] = (struct addr_range){ (uint16_t)lo, (uint16_t)hi };
	return true;
}

static bool bl_modbus_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct policy_baseline_modbus *b = arg;
	if (!strcmp(k, "client"))
		return want_addr(c, v, "client", &b->client);
	if (!strcmp(k, "server"))
		return want_addr(c, v, "server", &b->server);
	if (!strcmp(k, "functions"))
		return each(c, v, "functions", bl_fc_item, b);
	struct bl_ranges x = { !strcmp(k, "reads") ? &b->reads : &b->writes,
			       !strcmp(k, "reads") ? &b->nreads : &b->nwrites };
	return each(c, v, k, bl_range_item, &x);
}

static bool parse_bl_hsms(struct pctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "host", "equipment", "messages", "rcmds", "ppids",
					    "ecids", NULL };
	struct policy_baseline *bl = &c->p->baseline;
	if (!want(c, n, YAML_SEQUENCE_NODE, "baseline hsms"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *e = node(c, *it);
		struct policy_baseline_hsms *v = realloc(bl->hsms, (bl->nhsms + 1) * sizeof(*v));
		if (!v)
			return fail(c, e, "out of memory");
		bl->hsms = v;
		struct policy_baseline_hsms *b = &bl->hsms[bl->nhsms++];
		memset(b, 0, sizeof(*b));
		b->line = (int)e->start_mark.line + 1;
		if (!mapping(c, e, "a baseline hsms entry", keys, bl_hsms_pair, b) ||
		    !require(c, e, "a baseline hsms entry", "host") ||
		    !require(c, e, "a baseline hsms entry", "equipment"))
			return false;
	}
	return true;
}

static bool parse_bl_modbus(struct pctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "client", "server", "functions", "reads", "writes",
					    NULL };
	struct policy_baseline *bl = &c->p->baseline;
	if (!want(c, n, YAML_SEQUENCE_NODE, "baseline modbus"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *e = node(c, *it);
		struct policy_baseline_modbus *v = realloc(bl->modbus, (bl->nmodbus + 1) * sizeof(*v));
		if (!v)
			return fail(c, e, "out of memory");
		bl->modbus = v;
		struct policy_baseline_modbus *b = &bl->modbus[bl->nmodbus++];
		memset(b, 0, sizeof(*b));
		b->line = (int)e->start_mark.line + 1;
		if (!mapping(c, e, "a baseline modbus entry", keys, bl_modbus_pair, b) ||
		    !require(c, e, "a baseline modbus entry", "client") ||
		    !require(c, e, "a baseline modbus entry", "server"))
			return false;
	}
	return true;
}

static bool baseline_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(k, "taken"))
		return copy_str(c, v, "taken", c->p->baseline.taken, sizeof(c->p->baseline.taken));
	if (!strcmp(k, "hsms"))
		return parse_bl_hsms(c, v);
	return parse_bl_modbus(c, v);
}

/* ---------- services: (issue 19 item 1) ---------- */

/* "tcp/5000 hsms", "udp/161", "tcp/6000-6010": protocol, port or range,
 * and the application if named. */
static bool service_item(struct pctx *c, const yaml_node_t *n, void *arg)
{
	struct policy_services *sv = arg;
	const char *s = scalar(n);
	if (sv->nallow >= POLICY_MAX_SERVICE_ALLOW)
		return fail(c, n, "more than %d services in one entry", POLICY_MAX_SERVICE_ALLOW);
	struct policy_service_allow *w = &sv->allow[sv->nallow];
	char proto[8], port[24], app[POLICY_NAME_LEN + 1], tail[2];
	int k = sscanf(s, "%7[^/ ]/%23s %64s %1s", proto, port, app, tail);
	if (k < 2 || k > 3)
		return fail(c, n, "bad service '%s': expected PROTO/PORT [APP], like 'tcp/5000 hsms' "
			    "or 'udp/161'", s);
	if (!strcasecmp(proto, "tcp"))
		w->proto = 6;
	else if (!strcasecmp(proto, "udp"))
		w->proto = 17;
	else
		return fail(c, n, "bad service '%s': the protocol must be tcp or udp, found '%s'", s,
			    proto);
	long lo, hi;
	if (!parse_range(port, 1, 65535, &lo, &hi))
		return fail(c, n, "bad service '%s': expected a port 1-65535 or a range like "
			    "6000-6010, found '%s'", s, port);
	w->ports = (struct port_range){ (uint16_t)lo, (uint16_t)hi };
	if (k == 3) {
		if (strlen(app) >= POLICY_NAME_LEN)
			return fail(c, n, "bad service '%s': the application name is longer than %d "
				    "characters", s, POLICY_NAME_LEN - 1);
		snprintf(w->app, sizeof(w->app), "%s", app);
	}
	sv->nallow++;
	return true;
}

static bool services_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct policy_services *sv = arg;
	if (!strcmp(k, "model")) {
		if (!copy_str(c, v, "model", sv->model, sizeof(sv->model)))
			return false;
		if (!sv->model[0])
			return fail(c, v, "model must not be empty");
		return true;
	}
	if (!strcmp(k, "host")) {
		const char *s = want_str(c, v, "host");
		long len;
		if (!s || !parse_prefix(c, v, "host", s, &sv->prefix, &len))
			return false;
		sv->len = (uint8_t)len;
		return true;
	}
	return each(c, v, "allow", service_item, sv);
}

static bool parse_services(struct pctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "host", "model", "allow", NULL };
	if (!want(c, n, YAML_SEQUENCE_NODE, "services"))
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *e = node(c, *it);
		struct policy_services *v =
			realloc(c->p->services, (c->p->nservices + 1) * sizeof(*v));
		if (!v)
			return fail(c, e, "out of memory");
		c->p->services = v;
		struct policy_services *sv = &v[c->p->nservices++];
		memset(sv, 0, sizeof(*sv));
		sv->line = (int)e->start_mark.line + 1;
		if (!mapping(c, e, "services entry", keys, services_pair, sv) ||
		    !require(c, e, "services entry", "allow"))
			return false;
		bool host = has_key(c, e, "host"), model = has_key(c, e, "model");
		if (host == model)
			return fail(c, e, "services entry: give either 'host' (an address or network) "
				    "or 'model' (the equipment's MDLN), %s", host ? "not both" :
				    "found neither");
	}
	return true;
}

static bool top_pair(struct pctx *c, const char *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(k, "name"))
		return copy_str(c, v, "name", c->p->name, sizeof(c->p->name));
	if (!strcmp(k, "version")) {
		long l;
		return want_int(c, v, "version", 1, 1, &l);
	}
	if (!strcmp(k, "default_action")) {
		const char *s = want_str(c, v, "default_action");
		if (!s)
			return false;
		if (strcmp(s, "deny") && strcmp(s, "allow"))
			return fail(c, v, "default_action must be 'deny' or 'allow', found '%s'", s);
		c->p->default_action = !strcmp(s, "deny") ? POLICY_DENY : POLICY_ALLOW;
		return true;
	}
	if (!strcmp(k, "infer_roles"))
		return want_bool(c, v, "infer_roles", &c->p->infer_roles);
	if (!strcmp(k, "zones"))
		return true; /* parsed first, below */
	if (!strcmp(k, "hosts"))
		return parse_hosts(c, v);
	if (!strcmp(k, "conduits"))
		return parse_conduits(c, v);
	if (!strcmp(k, "rules"))
		return parse_rules(c, v);
	if (!strcmp(k, "alerting")) {
		static const char *const keys[] = { "window", "rate_limit", NULL };
		return mapping(c, v, "alerting", keys, alerting_pair, NULL);
	}
	if (!strcmp(k, "gateways"))
		return each(c, v, "gateways", gateway_item, NULL);
	if (!strcmp(k, "scan")) {
		static const char *const keys[] = { "interval", "syn_flood", "port_scan",
						    "host_sweep", "areas", "zones", NULL };
		c->p->scan.line = (int)v->start_mark.line + 1;
		return mapping(c, v, "scan", keys, scan_pair, &c->p->scan);
	}
	if (!strcmp(k, "services"))
		return parse_services(c, v);
	if (!strcmp(k, "baseline")) {
		static const char *const keys[] = { "taken", "hsms", "modbus", NULL };
		c->p->baseline.line = (int)v->start_mark.line + 1;
		return mapping(c, v, "baseline", keys, baseline_pair, NULL) &&
		       require(c, v, "baseline", "taken");
	}
	return false;
}

static const char *const top_keys[] = { "version", "name", "default_action", "infer_roles",
					"zones", "hosts",
					"conduits", "rules", "alerting", "gateways", "scan",
					"services", "baseline", NULL };

struct policy *policy_parse(const char *text, size_t len, const char *source,
			    struct policy_error *err)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", source);
	struct pctx c = { .err = err };
	c.p = calloc(1, sizeof(*c.p));
	if (!c.p) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	snprintf(c.p->source, sizeof(c.p->source), "%s", source);
	c.p->alert_window = 60;
	c.p->alert_rate = 100;
	c.p->scan = (struct policy_scan)POLICY_SCAN_DEFAULTS;
	c.p->public_zone = -1;

	yaml_parser_t yp;
	yaml_parser_initialize(&yp);
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &c.doc)) {
		err->line = (int)yp.problem_mark.line + 1;
		err->column = (int)yp.problem_mark.column + 1;
		snprintf(err->msg, sizeof(err->msg), "YAML syntax error: %s%s%s",
			 yp.problem ? yp.problem : "unknown", yp.context ? " " : "",
			 yp.context ? yp.context : "");
		yaml_parser_delete(&yp);
		policy_free(c.p);
		return NULL;
	}
	yaml_parser_delete(&yp);

	yaml_node_t *root = yaml_document_get_root_node(&c.doc);
	bool ok = true;
	if (!root) {
		ok = fail(&c, NULL, "the policy is empty: expected a mapping with 'zones'");
	} else if (want(&c, root, YAML_MAPPING_NODE, "the policy")) {
		/* zones first: hosts and conduits refer to them by name */
		for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
		     ok && pr < root->data.mapping.pairs.top; pr++) {
			const char *ks = scalar(node(&c, pr->key));
			if (ks && !strcmp(ks, "zones"))
				ok = parse_zones(&c, node(&c, pr->value));
		}
		ok = ok && mapping(&c, root, "policy", top_keys, top_pair, NULL) &&
		     require(&c, root, "policy", "zones");
	} else {
		ok = false;
	}
	yaml_document_delete(&c.doc);
	if (!ok || c.failed || policy_compile(c.p, err) < 0) {
		policy_free(c.p);
		return NULL;
	}
	c.p->text = malloc(len + 1);
	if (!c.p->text) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		policy_free(c.p);
		return NULL;
	}
	memcpy(c.p->text, text, len);
	c.p->text[len] = '\0';
	c.p->text_len = len;
	return c.p;
}

struct policy *policy_builtin(struct policy_error *err)
{
	struct policy *p = policy_parse(policy_builtin_yaml, strlen(policy_builtin_yaml),
					"built-in default (zones/default-fab.yaml)", err);
	if (p)
		p->builtin = true;
	return p;
}
