/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: stix-bundle.json, the alerts as a STIX 2.1 bundle:
 * identity, TLP marking, addresses, network traffic, observed data,
 * indicators and sightings, with ids derived from their content. */
#include "handoff/handoff_bundle.h"

#include <nettle/sha1.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/catalog.h"
#include "util/json_value.h"
#include "util/rfc3339.h"
#include "util/sha256.h"
#include "util/version.h"

static void uuid_fmt(const uint8_t d[16], char out[37])
{
	uint8_t u[16];
	memcpy(u, d, 16);
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x50); /* version 5 */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

/* SDOs and SROs: "<type>--<uuid>" from a SHA-256 of their identifying content */
static void sdo_id(char out[80], const char *type, const char *content)
{
	struct sha256_stream c;
	uint8_t d[32];
	char u[37];
	sha256_stream_init(&c);
	sha256_stream_update(&c, "fabmon-handoff|", 15);
	sha256_stream_update(&c, type, strlen(type));
	sha256_stream_update(&c, "|", 1);
	sha256_stream_update(&c, content, strlen(content));
	sha256_stream_final(&c, d);
	uuid_fmt(d, u);
	snprintf(out, 80, "%s--%s", type, u);
}

/* SCOs: the deterministic id of STIX 2.1 section 2.9, a UUIDv5 (RFC 4122, SHA-1)
 * in the SCO namespace over the canonical JSON of the ID contributing
 * properties, so the same address gets the same id from every producer. */
static void sco_id(char out[80], const char *type, json_t *contrib)
{
	static const uint8_t ns[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
					0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
	char *s = json_dumps(contrib, JSON_COMPACT | JSON_SORT_KEYS);
	struct sha1_ctx c;
	uint8_t d[20];
	char u[37];
	sha1_init(&c);
	sha1_update(&c, sizeof(ns), ns);
	if (s)
		sha1_update(&c, strlen(s), (const uint8_t *)s);
	sha1_digest(&c, sizeof(d), d);
	free(s);
	uuid_fmt(d, u);
	snprintf(out, 80, "%s--%s", type, u);
}

static json_t *sdo(const char *type, const char *id, const char *created, const struct ho *h,
		   bool by_identity)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "spec_version", json_string("2.1"));
	json_object_set_new(o, "id", json_string(id));
	if (by_identity)
		json_object_set_new(o, "created_by_ref", json_string(h->identity_id));
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "modified", json_string(created));
	json_object_set_new(o, "object_marking_refs", json_pack("[s]", h->args->tlp->stix_id));
	return o;
}

static json_t *stix_ip(json_t *objs, json_t *seen, const char *ip, const struct ho *h)
{
	json_t *have = json_object_get(seen, ip);
	if (have)
		return have;
	struct ip_addr a;
	const char *type = ip_addr_parse(ip, &a) && a.family == 6 ? "ipv6-addr" : "ipv4-addr";
	char id[80];
	json_t *contrib = json_pack("{ss}", "value", ip);
	sco_id(id, type, contrib);
	json_decref(contrib);
	json_t *o = json_pack("{ssssssss}", "type", type, "spec_version", "2.1", "id", id, "value",
			      ip);
	json_object_set_new(o, "object_marking_refs", json_pack("[s]", h->args->tlp->stix_id));
	json_array_append_new(objs, o);
	json_t *idj = json_string(id);
	json_object_set_new(seen, ip, idj);
	return idj;
}

struct ho_ind {
	char key[256];
	size_t *alerts;
	size_t n;
};

static json_t *rule_external_refs(const struct rule_def *d, const char *rule, json_t *refs)
{
	json_t *er = json_array();
	char desc[320];
	if (d)
		snprintf(desc, sizeof(desc), "%s (fabmon sid %u, category %s)", d->signature, d->sid,
			 d->category);
	json_array_append_new(er, json_pack("{ssssss}", "source_name", "fabmon", "external_id", rule,
					    "description", d ? desc : rule));
	size_t i;
	json_t *v;
	json_array_foreach(refs, i, v) {
		const char *key = json_string_value(v);
		if (!key)
			continue;
		const struct ref_text *t = ho_ref_lookup(key);
		json_t *r = json_object();
		json_object_set_new(r, "source_name", json_string(t ? t->source : key));
		if (t && t->ext_id)
			json_object_set_new(r, "external_id", json_string(t->ext_id));
		json_object_set_new(r, "description", json_string(t ? t->text : key));
		if (t && !strcmp(t->source, "NIST CSF 2.0"))
			json_object_set_new(r, "url", json_string("https://doi.org/10.6028/NIST.CSWP.29"));
		json_array_append_new(er, r);
	}
	return er;
}

/* The addresses and the network traffic of the alerts' flows (one object
 * per flow): ips maps addresses to their ids (and holds the ids of the
 * network traffic objects made), nt_ids the flow indexes to theirs. */
static void stix_traffic(struct ho *h, json_t *objs, json_t *ips, json_t *nt_ids)
{
	const struct tlp_def *t = h->args->tlp;
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *src = json_member_str(x->rec, "src_ip"), *dst = json_member_str(x->rec, "dest_ip");
		if (!src || !dst || x->flow < 0)
			continue;
		json_t *sid = stix_ip(objs, ips, src, h), *did = stix_ip(objs, ips, dst, h);
		if (!json_is_null(json_array_get(nt_ids, (size_t)x->flow)))
			continue; /* its flow has its object */
		struct ho_flow *fl = &h->flows[x->flow];
		json_t *fr = json_member(fl->rec, "flow");
		struct ip_addr a;
		char proto[32];
		snprintf(proto, sizeof(proto), "%s", json_member_str_or(x->rec, "proto", ""));
		ho_lower(proto);
		json_t *protocols = json_array();
		json_array_append_new(protocols, json_string(ip_addr_parse(src, &a) &&
							      a.family == 6 ? "ipv6" : "ipv4"));
		if (proto[0])
			json_array_append_new(protocols, json_string(proto));
		const char *app = json_member_str(x->rec, "app_proto");
		if (app && strcasecmp(app, "unknown") && strcasecmp(app, "failed")) {
			char ap[64];
			snprintf(ap, sizeof(ap), "%s", app);
			ho_lower(ap);
			json_array_append_new(protocols, json_string(ap));
		}
		json_t *c = json_object();
		int64_t st, en;
		char ts[40];
		if (fr && rfc3339_parse(json_member_str(fr, "start"), &st) && rfc3339_parse(json_member_str(fr, "end"), &en)) {
			rfc3339_utc(st, ts);
			json_object_set_new(c, "start", json_string(ts));
			rfc3339_utc(en, ts);
			json_object_set_new(c, "end", json_string(ts));
		}
		json_object_set(c, "src_ref", sid);
		json_object_set(c, "dst_ref", did);
		json_int_t port;
		if (json_member_int(x->rec, "src_port", &port))
			json_object_set_new(c, "src_port", json_integer(port));
		if (json_member_int(x->rec, "dest_port", &port))
			json_object_set_new(c, "dst_port", json_integer(port));
		json_object_set_new(c, "protocols", protocols);
		char id[80];
		sco_id(id, "network-traffic", c);
		/* the same flow read twice (an appended run) is the same object */
		if (json_object_get(ips, id)) {
			json_decref(c);
			json_array_set_new(nt_ids, (size_t)x->flow, json_string(id));
			continue;
		}
		json_object_set_new(ips, id, json_true());
		json_t *o = json_pack("{ssssss}", "type", "network-traffic", "spec_version",
				      "2.1", "id", id);
		json_object_update(o, c);
		json_decref(c);
		if (fr) {
			json_int_t v;
			json_object_set_new(o, "is_active", json_false());
			if (json_member_int(fr, "bytes_toserver", &v))
				json_object_set_new(o, "src_byte_count", json_integer(v));
			if (json_member_int(fr, "bytes_toclient", &v))
				json_object_set_new(o, "dst_byte_count", json_integer(v));
			if (json_member_int(fr, "pkts_toserver", &v))
				json_object_set_new(o, "src_packets", json_integer(v));
			if (json_member_int(fr, "pkts_toclient", &v))
				json_object_set_new(o, "dst_packets", json_integer(v));
		}
		json_object_set_new(o, "object_marking_refs", json_pack("[s]", t->stix_id));
		json_array_append_new(objs, o);
		json_array_set_new(nt_ids, (size_t)x->flow, json_string(id));
	}
}

/* One observed-data per alert record (of a flow): od_ids[i] its id. */
static void stix_observed(struct ho *h, json_t *objs, json_t *ips, json_t *nt_ids,
			  json_t **od_ids)
{
	char content[1024];
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *src = json_member_str(x->rec, "src_ip"), *dst = json_member_str(x->rec, "dest_ip");
		if (!src || !dst || x->flow < 0)
			continue;
		char id[80], ts[40], fo[40], lo[40];
		rfc3339_utc(x->ts, ts);
		/* the time as read, not as written: the same alert in an eve.json of
		 * an earlier fabmon ("+00:00") is the same object */
		snprintf(content, sizeof(content), "%s|%s|%s", json_member_str_or(x->a, "id", ""),
			 json_member_str_or(x->rec, "community_id", ""), ts);
		sdo_id(id, "observed-data", content);
		rfc3339_utc(x->first, fo);
		rfc3339_utc(x->last, lo);
		json_t *o = sdo("observed-data", id, ts, h, true);
		json_int_t count = 1;
		json_member_int(x->a, "count", &count);
		if (count < 1)
			count = 1;
		if (count > 999999999)
			count = 999999999;
		json_object_set_new(o, "first_observed", json_string(fo));
		json_object_set_new(o, "last_observed", json_string(lo));
		json_object_set_new(o, "number_observed", json_integer(count));
		json_object_set_new(o, "object_refs",
				    json_pack("[OOO]", json_array_get(nt_ids, (size_t)x->flow),
					      json_object_get(ips, src), json_object_get(ips, dst)));
		json_array_append_new(objs, o);
		od_ids[i] = json_string(id);
	}
}

/* The indicator of a group of alerts (alerts[idx[0..n-1]]: the same rule,
 * source and target) into objs, and its sighting by the FSIRT's sensor
 * into sightings. */
static void stix_indicator(struct ho *h, const size_t *idx, size_t n, json_t **od_ids,
			   json_t *objs, json_t *sightings)
{
	char content[1024];
	struct ho_alert *x = &h->alerts[idx[0]];
	const char *rule = eve_alert_rule_id(x->a, "");
	const struct rule_def *d = rule_def_by_id(rule);
	int64_t first = x->first, last = x->last, tfirst = x->ts;
	json_int_t total = 0;
	json_t *odr = json_array();
	for (size_t j = 0; j < n; j++) {
		struct ho_alert *y = &h->alerts[idx[j]];
		json_int_t c = 1;
		json_member_int(y->a, "count", &c);
		total += c > 0 ? c : 1;
		if (y->first < first)
			first = y->first;
		if (y->last > last)
			last = y->last;
		if (y->ts < tfirst)
			tfirst = y->ts;
		json_array_append(odr, od_ids[idx[j]]);
	}
	char pattern[512], vf[40], id[80], name[400];
	json_int_t port;
	int pn = snprintf(pattern, sizeof(pattern),
			  "[network-traffic:src_ref.value = '%s' AND "
			  "network-traffic:dst_ref.value = '%s'",
			  json_member_str_or(x->rec, "src_ip", ""), json_member_str_or(x->rec, "dest_ip", ""));
	if (json_member_int(x->rec, "dest_port", &port))
		snprintf(pattern + pn, sizeof(pattern) - (size_t)pn,
			 " AND network-traffic:dst_port = %lld]", (long long)port);
	else
		snprintf(pattern + pn, sizeof(pattern) - (size_t)pn, "]");
	rfc3339_utc(tfirst, vf);
	const char *reason = json_member_str_or(x->a, "reason", "");
	snprintf(content, sizeof(content), "%s|%s|%s", pattern, rule, vf);
	sdo_id(id, "indicator", content);
	json_t *o = sdo("indicator", id, vf, h, true);
	snprintf(name, sizeof(name), "%s %s", rule,
		 d ? d->signature : json_member_str_or(x->a, "signature", ""));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "description", json_string(reason));
	json_object_set_new(o, "indicator_types", json_pack("[s]", "anomalous-activity"));
	json_object_set_new(o, "pattern", json_string(pattern));
	json_object_set_new(o, "pattern_type", json_string("stix"));
	json_object_set_new(o, "pattern_version", json_string("2.1"));
	json_object_set_new(o, "valid_from", json_string(vf));
	json_t *labels = json_array();
	json_array_append_new(labels, json_string(rule));
	if (json_member_str(x->a, "category"))
		json_array_append_new(labels, json_string(json_member_str(x->a, "category")));
	if (json_member_str(x->a, "severity_name"))
		json_array_append_new(labels, json_string(json_member_str(x->a, "severity_name")));
	size_t ri;
	json_t *rv;
	json_array_foreach(json_member(x->a, "references"), ri, rv)
		if (json_is_string(rv))
			json_array_append(labels, rv);
	json_object_set_new(o, "labels", labels);
	json_object_set_new(o, "external_references",
			    rule_external_refs(d, rule, json_member(x->a, "references")));
	json_array_append_new(objs, o);

	/* the sighting of it by the FSIRT's sensor */
	char sid[80], fs[40], ls[40];
	char *odr_s = json_dumps(odr, JSON_COMPACT);
	snprintf(content, sizeof(content), "%s|%s", id, odr_s ? odr_s : "");
	free(odr_s);
	sdo_id(sid, "sighting", content);
	rfc3339_utc(first, fs);
	rfc3339_utc(last, ls);
	json_t *s = sdo("sighting", sid, vf, h, true);
	json_object_set_new(s, "sighting_of_ref", json_string(id));
	json_object_set_new(s, "observed_data_refs", odr);
	json_object_set_new(s, "where_sighted_refs", json_pack("[s]", h->identity_id));
	json_object_set_new(s, "count", json_integer(total > 999999999 ? 999999999 : total));
	json_object_set_new(s, "first_seen", json_string(fs));
	json_object_set_new(s, "last_seen", json_string(ls));
	json_array_append_new(sightings, s);
}

/* One indicator and one sighting per (rule, source, target): 0, or -1 out
 * of memory. */
static int stix_indicators(struct ho *h, json_t **od_ids, json_t *objs)
{
	int rc = -1;
	struct ho_ind *ind = calloc(h->nalerts + 1, sizeof(*ind));
	size_t nind = 0;
	if (!ind)
		return -1;
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		if (!od_ids[i])
			continue;
		char key[256];
		json_int_t port = -1;
		json_member_int(x->rec, "dest_port", &port);
		snprintf(key, sizeof(key), "%s|%s|%s|%lld", eve_alert_rule_id(x->a, ""),
			 json_member_str_or(x->rec, "src_ip", ""), json_member_str_or(x->rec, "dest_ip", ""), (long long)port);
		size_t k;
		for (k = 0; k < nind && strcmp(ind[k].key, key); k++)
			;
		if (k == nind) {
			snprintf(ind[nind].key, sizeof(ind[nind].key), "%s", key);
			ind[nind].alerts = calloc(h->nalerts, sizeof(size_t));
			if (!ind[nind].alerts)
				goto out;
			nind++;
		}
		ind[k].alerts[ind[k].n++] = i;
	}
	json_t *sightings = json_array();
	for (size_t k = 0; k < nind; k++)
		stix_indicator(h, ind[k].alerts, ind[k].n, od_ids, objs, sightings);
	json_array_extend(objs, sightings);
	json_decref(sightings);
	rc = 0;
out:
	for (size_t k = 0; k < nind; k++)
		free(ind[k].alerts);
	free(ind);
	return rc;
}

/* The bundle's id: from the ids of the objects it carries. */
static void bundle_id(const json_t *objs, char bid[80])
{
	struct sha256_stream c;
	sha256_stream_init(&c);
	size_t i;
	json_t *v;
	json_array_foreach(objs, i, v) {
		const char *oid = json_member_str_or(v, "id", "");
		sha256_stream_update(&c, oid, strlen(oid));
		sha256_stream_update(&c, "\n", 1);
	}
	uint8_t dg[32];
	char hex[65];
	sha256_stream_final(&c, dg);
	sha256_to_hex(dg, hex);
	sdo_id(bid, "bundle", hex);
}

json_t *ho_build_stix(struct ho *h)
{
	const struct tlp_def *t = h->args->tlp;
	json_t *objs = json_array(), *bundle = NULL;
	int64_t tmin = h->alerts[0].ts;
	for (size_t i = 0; i < h->nalerts; i++)
		if (h->alerts[i].ts < tmin)
			tmin = h->alerts[i].ts;
	char created[40];
	rfc3339_utc(tmin, created);

	/* the TLP marking, exactly as STIX 2.1 defines it */
	json_array_append_new(objs, json_pack("{sssssssssssss{ss}}", "type", "marking-definition",
					      "spec_version", "2.1", "id", t->stix_id, "created",
					      "2017-01-20T00:00:00.000Z", "definition_type", "tlp",
					      "name", t->stix_name, "definition", "tlp",
					      t->stix_tlp));

	/* the reporting FSIRT and its sensor */
	char content[1024], desc[512];
	snprintf(content, sizeof(content), "%s|%s|%s", h->args->org, h->sensor, created);
	sdo_id(h->identity_id, "identity", content);
	json_t *ident = sdo("identity", h->identity_id, created, h, false);
	json_object_set_new(ident, "name", json_string(h->args->org));
	snprintf(desc, sizeof(desc),
		 "Reporter of the alerts: fabmon %s, a passive OT network monitoring sensor%s%s",
		 FABMON_VERSION, h->sensor[0] ? " named " : "", h->sensor);
	json_object_set_new(ident, "description", json_string(desc));
	json_object_set_new(ident, "identity_class", json_string("organization"));
	json_object_set_new(ident, "sectors", json_pack("[s]", "manufacturing"));
	json_array_append_new(objs, ident);

	/* addresses and network traffic, one per flow */
	json_t *ips = json_object();
	json_t *nt_ids = json_array(); /* per flow index */
	for (size_t i = 0; i < h->nflows; i++)
		json_array_append_new(nt_ids, json_null());
	json_t **od_ids = calloc(h->nalerts + 1, sizeof(*od_ids));
	if (!od_ids)
		goto out;
	stix_traffic(h, objs, ips, nt_ids);
	stix_observed(h, objs, ips, nt_ids, od_ids);
	if (stix_indicators(h, od_ids, objs) == 0) {
		char bid[80];
		bundle_id(objs, bid);
		bundle = json_pack("{sssssO}", "type", "bundle", "id", bid, "objects", objs);
	}
out:
	if (od_ids)
		for (size_t k = 0; k < h->nalerts; k++)
			json_decref(od_ids[k]);
	free(od_ids);
	json_decref(objs);
	json_decref(ips);
	json_decref(nt_ids);
	return bundle;
}
