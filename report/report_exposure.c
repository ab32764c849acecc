/* SPDX-License-Identifier: BSD-2-Clause */
#include "report/report_exposure.h"

#include <stdlib.h>
#include <string.h>

#include "util/json_value.h"
#include "util/netaddr.h"

struct keyed {
	struct ip_addr a;
	const char *ip;
	json_t *x;
};

/* by address, numerically (IPv4 before IPv6); text that is no address last */
static int keyed_cmp(const void *p, const void *q)
{
	const struct keyed *a = p, *b = q;
	if (a->a.family != b->a.family)
		return (a->a.family ? a->a.family : 99) - (b->a.family ? b->a.family : 99);
	int c = a->a.family ? ip_addr_cmp(&a->a, &b->a) : 0;
	return c ? c : strcmp(a->ip, b->ip);
}

json_t *rep_exposure_json(const json_t *by_ip)
{
	size_t n = json_object_size(by_ip), k = 0;
	struct keyed *v = calloc(n ? n : 1, sizeof(*v));
	json_t *hosts = json_array(), *out = json_object();
	if (!v || !hosts || !out) {
		free(v);
		json_decref(hosts);
		json_decref(out);
		return NULL;
	}
	const char *ip;
	json_t *x;
	json_object_foreach((json_t *)by_ip, ip, x) {
		v[k].ip = ip;
		v[k].x = x;
		if (!ip_addr_parse(ip, &v[k].a))
			memset(&v[k].a, 0, sizeof(v[k].a));
		k++;
	}
	qsort(v, k, sizeof(*v), keyed_cmp);
	uint64_t services = 0, insecure = 0, not_allowed = 0;
	for (size_t i = 0; i < k; i++) {
		json_array_append(hosts, v[i].x);
		services += json_member_count(v[i].x, "services_offered");
		insecure += json_member_count(v[i].x, "insecure_services");
		not_allowed += json_member_count(v[i].x, "not_allowed_services");
	}
	free(v);
	json_object_set_new(out, "host_count", json_integer((json_int_t)k));
	json_object_set_new(out, "services", json_count(services));
	json_object_set_new(out, "insecure_services", json_count(insecure));
	json_object_set_new(out, "not_allowed_services", json_count(not_allowed));
	json_object_set_new(out, "hosts", hosts);
	return out;
}

static void copy(json_t *row, const json_t *from, const char *key, const char *as)
{
	json_t *v = json_object_get(from, key);
	json_object_set(row, as ? as : key, v ? v : json_null());
}

json_t *rep_exposure_rows(const json_t *rep)
{
	json_t *rows = json_array();
	if (!rows)
		return NULL;
	size_t i, j;
	json_t *h, *s;
	json_array_foreach(json_object_get(json_object_get(rep, "exposure"), "hosts"), i, h) {
		json_array_foreach(json_object_get(h, "services"), j, s) {
			json_t *row = json_object();
			if (!row || json_array_append_new(rows, row) < 0) {
				json_decref(rows);
				return NULL;
			}
			copy(row, h, "ip", NULL);
			copy(row, h, "zone", NULL);
			copy(row, h, "model", NULL);
			copy(row, h, "softrev", NULL);
			static const char *const keys[] = { "proto", "port", "app_proto", "flows",
							    "clients", "client_zones", "first_seen",
							    "last_seen", "insecure", "risks", "allowed" };
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				copy(row, s, keys[k], NULL);
			copy(row, json_object_get(s, "tls"), "version", "tls_version");
			copy(row, json_object_get(s, "tls"), "cipher", "tls_cipher");
		}
	}
	return rows;
}
