/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to `fabmon report`: the renderers of the report's JSON tree
 * (the tree report.json holds, made by report_build.c). They read only the
 * tree, never the aggregates of report_model.h, so the HTML, the CSV files
 * and report.json say the same thing. */
#ifndef FABMON_REPORT_RENDER_H
#define FABMON_REPORT_RENDER_H

#include <jansson.h>
#include <stdio.h>

#define NO_ZONE "(none)"         /* the tree's zone name for hosts in no zone */
#define HTML_MAX_ITEMS 100       /* hosts, ports, clients shown per table cell */

/* The files: 0, or -1 (out of memory). */
int report_write_html(FILE *f, const json_t *rep);
int report_write_matrix_csv(FILE *f, const json_t *rep);
int report_write_inventory_csv(FILE *f, const json_t *rep);
int report_write_guideline_csv(FILE *f, const json_t *rep);
int report_write_exposure_csv(FILE *f, const json_t *rep);

/* The sections of report.html after the run (report_html_*.c) and the
 * zone diagram (report_svg.c; -1 when out of memory). */
int report_html_diagram(FILE *f, const json_t *rep);
void report_html_zones(FILE *f, const json_t *rep);
void report_html_matrix(FILE *f, const json_t *rep);
void report_html_conduits(FILE *f, const json_t *rep);
void report_html_violations(FILE *f, const json_t *rep);
void report_html_inventory(FILE *f, const json_t *rep);
void report_html_guideline(FILE *f, const json_t *rep);
void report_html_exposure(FILE *f, const json_t *rep);

/* A zone name in a table cell (report_html_zones.c): in a Japanese report
 * the policy's name_ja of the zone when it has one (the name in its
 * title), else the name. */
void report_html_zone(FILE *f, const json_t *rep, const char *name);
/* The zone's name_ja in a Japanese report, else NULL. */
const char *report_zone_name_ja(const json_t *rep, const char *name);

#endif
