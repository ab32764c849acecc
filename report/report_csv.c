/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: matrix.csv, inventory.csv, guideline.csv and exposure.csv, from the report's JSON
 * tree (RFC 4180, CRLF; cells a spreadsheet would run as formulas quoted). */
#include "report/report_render.h"

#include "report/report_exposure.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	/* a cell a spreadsheet would run as a formula (values come from packets) */
	bool formula = strchr("=+-@\t\r", s[0]) != NULL && s[0];
	if (quote || formula)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	/* runs between quotes in one write each; a quote is doubled */
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		fwrite(s, 1, (size_t)(q + 1 - s), f);
		fputc('"', f);
	}
	fputs(s, f);
	if (quote || formula)
		fputc('"', f);
}

static void csv_val(FILE *f, const json_t *v)
{
	char buf[32];
	if (json_is_string(v)) {
		csv_field(f, json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		fputs(buf, f);
	} else if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "true" : "false", f);
	} else if (json_is_array(v)) {
		/* a list in one cell, ';'-separated */
		size_t cap = 256, len = 0, i;
		char *s = malloc(cap);
		json_t *x;
		if (!s)
			return;
		s[0] = 0;
		json_array_foreach(v, i, x) {
			const char *t = json_string_value(x);
			if (json_is_integer(x)) {
				snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(x));
				t = buf;
			}
			if (!t)
				continue;
			size_t need = len + strlen(t) + 2;
			if (need > cap) {
				char *ns = realloc(s, need * 2);
				if (!ns)
					break;
				s = ns;
				cap = need * 2;
			}
			len += (size_t)sprintf(s + len, "%s%s", len ? ";" : "", t);
		}
		csv_field(f, s);
		free(s);
	}
}

/* A header line of the column names, then a line per object of rows; a
 * null in one of the first nzone columns (the zones) is NO_ZONE. */
static int write_table(FILE *f, const json_t *rows, const char *const cols[], size_t nc,
		       size_t nzone)
{
	for (size_t c = 0; c < nc; c++)
		fprintf(f, "%s%s", c ? "," : "", cols[c]);
	fputs("\r\n", f);
	size_t i;
	json_t *o;
	json_array_foreach(rows, i, o) {
		for (size_t c = 0; c < nc; c++) {
			if (c)
				fputc(',', f);
			json_t *v = json_object_get(o, cols[c]);
			if (c < nzone && json_is_null(v))
				fputs(NO_ZONE, f);
			else
				csv_val(f, v);
		}
		fputs("\r\n", f);
	}
	return 0;
}

int report_write_matrix_csv(FILE *f, const json_t *rep)
{
	static const char *const cols[] = { "src_zone", "dest_zone", "verdict", "flows", "bytes",
					    "apps", "ports", "conduits", "first_seen", "last_seen",
					    "violation_flows", "alerts" };
	return write_table(f, json_object_get(rep, "matrix"), cols, sizeof(cols) / sizeof(cols[0]),
			   2);
}

int report_write_inventory_csv(FILE *f, const json_t *rep)
{
	static const char *const cols[] = { "ip", "kind", "protocol", "zone", "host_name", "vendor",
					    "model", "revision", "baseline_model",
					    "baseline_revision", "baseline_match", "ports", "peers",
					    "first_seen", "last_seen", "messages", "requests",
					    "writes", "revisions_seen" };
	return write_table(f, json_object_get(rep, "assets"), cols, sizeof(cols) / sizeof(cols[0]),
			   0);
}

int report_write_guideline_csv(FILE *f, const json_t *rep)
{
	static const char *const cols[] = { "clause", "status", "title", "guideline",
					    "counterparts", "rules", "basis", "observed_count",
					    "alert_hits", "rules_disabled", "evidence" };
	int rc = write_table(f, json_object_get(rep, "guideline_evidence"), cols,
			     sizeof(cols) / sizeof(cols[0]), 0);
	return rc;
}

int report_write_exposure_csv(FILE *f, const json_t *rep)
{
	static const char *const cols[] = { "ip", "zone", "model", "softrev", "proto", "port",
					    "app_proto", "flows", "clients", "client_zones",
					    "first_seen", "last_seen", "insecure", "risks",
					    "tls_version", "tls_cipher", "allowed" };
	json_t *rows = rep_exposure_rows(rep);
	if (!rows)
		return -1;
	int rc = write_table(f, rows, cols, sizeof(cols) / sizeof(cols[0]), 0);
	json_decref(rows);
	return rc;
}
