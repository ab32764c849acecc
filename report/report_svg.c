/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: section 2 of report.html, the zone diagram (inline SVG)
 * and the table of its edges. */
#include "report/report_render.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_text.h"
#include "report/report_i18n.h"
#include "util/json_value.h"
#include "zones/policy.h"

/*
 * Zones are boxes in rows, one row per Purdue level (5 at the top). Edges
 * between adjacent rows are straight segments across the gap between the
 * rows; edges that skip rows leave through the gap next to their zone, run
 * along a lane of their own right of the boxes and enter the other zone
 * from its gap; edges within a row go through the gap above it. Every edge
 * ends at its own slot on the box, and carries a number explained in the
 * table below the diagram. */

#define BOX_W 196.0
#define BOX_H 66.0
#define BOX_GAP 60.0
#define EMPTY_ROW_H 30.0
#define LABEL_W 210.0
#define LANE_GAP 18.0
#define TRACK_GAP 10.0
#define MIN_GAP 58.0

enum edge_kind { E_OK, E_UNUSED, E_VIOL, E_OTHER };
enum route { R_ADJ, R_SIDE, R_ARC, R_LANE };
enum side { S_TOP, S_BOTTOM, S_LEFT, S_RIGHT };

static const char *const edge_class[] = { "edge-ok", "edge-unused", "edge-violating",
					  "edge-other" };
static const char *const edge_kind_name[] = { "conduit", "conduit", "violation", "observed" };
static const char *const edge_status[] = { "observed", "not-observed", "violating", "no-conduit" };
static const char *const edge_colour[] = { "#2e7d32", "#9aa3ab", "#c62828", "#d98200" };
static const char *const edge_dash[] = { "", " stroke-dasharray=\"7 5\"", "",
					 " stroke-dasharray=\"2 4\"" };

struct box {
	const char *name;
	const json_t *z;              /* the zone object; NULL for "(none)" */
	int row, col;
	double x, y;                  /* top left */
};

struct edge {
	int a, b;                     /* boxes: from, to */
	enum edge_kind kind;
	bool both;
	const json_t *obj;            /* conduit or matrix row */
	enum route route;
	enum side sa, sb;
	int ga, gb;                   /* gaps used (LANE, ARC): -1 above row 0 */
	int ta, tb;                   /* tracks in them: >= 0 from the top, < 0 from the bottom */
	int lane;
	double ax, ay, bx, by;        /* where the edge leaves a and enters b */
};

/* An end of an edge on a side of a box, for spreading the ends. */
struct slot {
	int box;
	enum side side;
	int lane;                     /* 0 direct, 1 to a lane (right part of the side) */
	double key;
	int edge, end;
};

/* A horizontal run of an edge in a gap between rows: runs next to the box
 * above (grp 0) are stacked from the top, the others from the bottom, so
 * that the band in the middle stays free for labels. */
struct gitem {
	int gap, grp;
	double key;
	int edge, end;
};

static int gitem_cmp(const void *x, const void *y)
{
	const struct gitem *a = x, *b = y;
	if (a->gap != b->gap)
		return a->gap < b->gap ? -1 : 1;
	if (a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->edge - b->edge;
}

static const int level_x10[] = { 50, 40, 35, 30, 20, 10, 0 };
static const char *const level_label[] = {
	"Level 5 \xc2\xb7 external services", "Level 4 \xc2\xb7 enterprise",
	"Level 3.5 \xc2\xb7 IT/OT DMZ", "Level 3 \xc2\xb7 fab system area",
	"Level 2 \xc2\xb7 fab area", "Level 1 \xc2\xb7 fab area (control)",
	"Level 0 \xc2\xb7 fab area (process)",
};
#define NLEVELS 7

static const char *area_fill(const char *area)
{
	if (!area)
		return "#f1f1f1";
	if (!strcmp(area, "external"))
		return "#fbe4e4";
	if (!strcmp(area, "enterprise"))
		return "#e3ecfa";
	if (!strcmp(area, "it-ot-dmz"))
		return "#fff3d1";
	if (!strcmp(area, "fab-system-area"))
		return "#e1f2e3";
	if (!strcmp(area, "fab-area"))
		return "#ece4f7";
	return "#f1f1f1";
}

static int box_index(const struct box *bx, int nb, const char *name)
{
	for (int i = 0; i < nb; i++)
		if ((name && bx[i].z && !strcmp(bx[i].name, name)) || (!name && !bx[i].z))
			return i;
	return -1;
}

static int slot_cmp(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;
	if (a->box != b->box)
		return a->box < b->box ? -1 : 1;
	if (a->side != b->side)
		return a->side < b->side ? -1 : 1;
	if (a->lane != b->lane)
		return a->lane - b->lane;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->edge != b->edge)
		return a->edge < b->edge ? -1 : 1;
	return a->end - b->end;
}

struct geom {
	double gap_top[NLEVELS + 3], gap_h[NLEVELS + 3];
	int nup[NLEVELS + 3], nlo[NLEVELS + 3];  /* runs stacked from the top, bottom */
	double lane_x0;
};

static double track_y(const struct geom *g, int gap, int t)
{
	double top = g->gap_top[gap + 1];
	return t >= 0 ? top + TRACK_GAP * (t + 1) : top + g->gap_h[gap + 1] + TRACK_GAP * t;
}

/* The middle of the free band of a gap. */
static double gap_mid(const struct geom *g, int gap)
{
	double top = g->gap_top[gap + 1] + TRACK_GAP * (g->nup[gap + 1] + 0.5);
	double bot = g->gap_top[gap + 1] + g->gap_h[gap + 1] - TRACK_GAP * (g->nlo[gap + 1] + 0.5);
	return (top + bot) / 2;
}

/* A box's name as shown: its zone's name_ja in a Japanese report. */
static const char *box_label(const json_t *rep, const struct box *b)
{
	const char *ja = report_zone_name_ja(rep, b->name);
	return ja ? ja : b->name;
}

static void svg_edge(FILE *f, const json_t *rep, const struct box *bx, const struct edge *e,
		     int id, const struct geom *g)
{
	enum rep_lang lang = rep_lang_of(rep);
	const json_t *o = e->obj;
	fprintf(f, "<g class=\"edge %s\" data-id=\"%d\" data-kind=\"%s\" data-status=\"%s\"",
		edge_class[e->kind], id, edge_kind_name[e->kind], edge_status[e->kind]);
	html_attr(f, "data-src", bx[e->a].name);
	html_attr(f, "data-dst", bx[e->b].name);
	if (e->kind == E_OK || e->kind == E_UNUSED)
		html_attr_json(f, "data-conduit", json_object_get(o, "name"));
	html_attr_json(f, "data-flows", json_object_get(o, "flows"));
	fprintf(f, "><title>%d: ", id);
	if (e->kind == E_OK || e->kind == E_UNUSED) {
		fputs(T("conduit "), f);
		html_member(f, o, "name");
		fputs(T(", "), f);
	}
	html_escape(f, box_label(rep, &bx[e->a]));
	fputs(e->both ? " \xe2\x86\x94 " : " \xe2\x86\x92 ", f);
	html_escape(f, box_label(rep, &bx[e->b]));
	if (e->kind == E_OK)
		fprintf(f, T(": %" PRIu64 " flows observed"), json_member_count(o, "flows"));
	else if (e->kind == E_UNUSED)
		fputs(T(": allowed, not observed"), f);
	else if (e->kind == E_VIOL)
		fprintf(f, T(": %" PRIu64 " violating flows of %" PRIu64), json_member_count(o, "violation_flows"),
			json_member_count(o, "flows"));
	else
		fprintf(f, T(": %" PRIu64 " flows through no conduit"), json_member_count(o, "flows_without_conduit"));
	fputs("</title>", f);

	double lx, ly;
	fprintf(f, "<path d=\"M%.1f %.1f", e->ax, e->ay);
	if (e->route == R_SIDE) {
		fprintf(f, " L%.1f %.1f", e->bx, e->by);
		lx = (e->ax + e->bx) / 2;
		ly = (e->ay + e->by) / 2;
	} else if (e->route == R_ADJ) {
		fprintf(f, " L%.1f %.1f", e->bx, e->by);
		int gap = bx[e->a].row < bx[e->b].row ? bx[e->a].row : bx[e->b].row;
		ly = gap_mid(g, gap);
		double t = fabs(e->by - e->ay) > 1e-6 ? (ly - e->ay) / (e->by - e->ay) : 0.5;
		lx = e->ax + (e->bx - e->ax) * t;
	} else if (e->route == R_ARC) {
		double ty = track_y(g, e->ga, e->ta);
		fprintf(f, " V%.1f H%.1f V%.1f", ty, e->bx, e->by);
		lx = (e->ax + e->bx) / 2;
		ly = ty;
	} else {
		double t1 = track_y(g, e->ga, e->ta), t2 = track_y(g, e->gb, e->tb);
		double x = g->lane_x0 + e->lane * LANE_GAP;
		fprintf(f, " V%.1f H%.1f V%.1f H%.1f V%.1f", t1, x, t2, e->bx, e->by);
		lx = x;
		ly = (t1 + t2) / 2;
	}
	fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-linejoin=\"round\"%s "
		   "marker-end=\"url(#ah%d)\"%s/>", edge_colour[e->kind],
		e->kind == E_VIOL ? "2.6" : "2", edge_dash[e->kind], (int)e->kind,
		e->both ? (e->kind == E_OK ? " marker-start=\"url(#as0)\""
				       : " marker-start=\"url(#as1)\"") : "");
	fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8.5\" fill=\"#fff\" stroke=\"%s\" "
		   "stroke-width=\"1.5\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		   "font-size=\"10\" font-weight=\"700\" fill=\"%s\">%d</text></g>\n",
		lx, ly, edge_colour[e->kind], lx, ly + 3.5, edge_colour[e->kind], id);
}

/* Item k of n in [lo, hi] of a side of a box. */
static void box_side_point(const struct box *b, enum side s, int k, int n, double lo, double hi,
			   double *x, double *y)
{
	double t = lo + (hi - lo) * (k + 0.5) / n;
	switch (s) {
	case S_TOP: *x = b->x + BOX_W * t; *y = b->y; break;
	case S_BOTTOM: *x = b->x + BOX_W * t; *y = b->y + BOX_H; break;
	case S_LEFT: *x = b->x; *y = b->y + BOX_H * t; break;
	case S_RIGHT: *x = b->x + BOX_W; *y = b->y + BOX_H * t; break;
	}
}

static void svg_box(FILE *f, const json_t *rep, const struct box *b)
{
	enum rep_lang lang = rep_lang_of(rep);
	const char *ja = report_zone_name_ja(rep, b->name);
	const json_t *z = b->z;
	bool ev = z ? json_is_true(json_object_get(z, "evidenced")) : true;
	const char *area = z ? json_string_value(json_object_get(z, "area")) : NULL;
	fputs("<g class=\"zone-box\"", f);
	html_attr(f, "data-zone", b->name);
	fprintf(f, " data-evidenced=\"%s\"><title>", ev ? "true" : "false");
	if (ja) {
		html_escape(f, ja);
		fputs(" (", f);
	}
	html_escape(f, b->name);
	if (ja)
		fputs(")", f);
	if (area) {
		fputs(" \xe2\x80\x94 ", f);
		html_escape(f, tr_area(lang, area));
	}
	if (!ev)
		fputs(T(" \xe2\x80\x94 not evidenced: no host of this zone was seen"), f);
	fputs("</title>", f);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" rx=\"8\" fill=\"%s\" "
		   "stroke=\"%s\" stroke-width=\"1.6\"%s/>", b->x, b->y, BOX_W, BOX_H,
		ev ? area_fill(area) : "#ffffff", ev ? "#4a5a6a" : "#8a939c",
		ev ? "" : " stroke-dasharray=\"6 4\"");
	double cx = b->x + BOX_W / 2;
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
		   "font-weight=\"700\" fill=\"#1d232a\">", cx, b->y + 20);
	if (ja) /* a CJK character is about twice as wide */
		html_escape_cut(f, ja, 14);
	else
		html_escape_cut(f, b->name, 26);
	fputs("</text>", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
		   "fill=\"#3c4a57\">", cx, b->y + 37);
	if (z && json_is_true(json_object_get(z, "in_policy"))) {
		html_escape(f, area ? tr_area(lang, area) : "");
		json_t *sl = json_object_get(z, "sl_t");
		if (json_is_integer(sl))
			fprintf(f, " \xc2\xb7 SL-T %" JSON_INTEGER_FORMAT, json_integer_value(sl));
		else
			fputs(T(" \xc2\xb7 no SL-T"), f);
	} else {
		fputs(z ? T("not in the policy") : T("hosts in no zone"), f);
	}
	fputs("</text>", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
		   "fill=\"%s\">", cx, b->y + 54, ev ? "#3c4a57" : "#8a939c");
	size_t nh = z ? (size_t)json_member_count(z, "host_count")
		      : json_array_size(json_object_get(rep, "unzoned_hosts"));
	if (ev)
		fprintf(f, nh == 1 ? T("%zu host") : T("%zu hosts"), nh);
	else
		fputs(T("not evidenced"), f);
	if (z && json_member_count(z, "flows_intra"))
		fprintf(f, T(" \xc2\xb7 %" PRIu64 " intra-zone"), json_member_count(z, "flows_intra"));
	fputs("</text></g>\n", f);
}

/* The table under the diagram: what each numbered edge is. */
static void html_edge_table(FILE *f, const json_t *rep, const struct box *bx,
			    const struct edge *ed, int ne)
{
	enum rep_lang lang = rep_lang_of(rep);
	fputs(T("<table class=\"edges\"><tr><th>#</th><th>from</th><th>to</th><th>edge</th>"
		"<th>status</th><th class=\"num\">flows</th></tr>\n"), f);
	for (int i = 0; i < ne; i++) {
		const struct edge *e = &ed[i];
		const json_t *o = e->obj;
		fprintf(f, "<tr class=\"edge-row\" data-id=\"%d\" data-kind=\"%s\" data-status=\"%s\"",
			i + 1, edge_kind_name[e->kind], edge_status[e->kind]);
		html_attr(f, "data-src", bx[e->a].name);
		html_attr(f, "data-dst", bx[e->b].name);
		fprintf(f, "><td><b style=\"color:%s\">%d</b></td><td>", edge_colour[e->kind], i + 1);
		html_escape(f, box_label(rep, &bx[e->a]));
		fputs("</td><td>", f);
		html_escape(f, box_label(rep, &bx[e->b]));
		fputs("</td><td>", f);
		if (e->kind == E_OK || e->kind == E_UNUSED) {
			fputs(T("conduit <b>"), f);
			html_member(f, o, "name");
			fputs(e->both ? T("</b> (both ways)") : "</b>", f);
		} else if (e->kind == E_VIOL) {
			fputs(T("observed zone pair"), f);
		} else {
			fputs(T("observed zone pair, flows through no conduit"), f);
		}
		static const char *const txt[] = { "allowed and observed", "allowed, not observed",
						   "violating", "no conduit (unzoned or default allow)" };
		static const char *const cls[] = { "v-allowed", "v-unknown", "v-violating", "v-unzoned" };
		uint64_t n = e->kind == E_VIOL ? json_member_count(o, "violation_flows")
			   : e->kind == E_OTHER ? json_member_count(o, "flows_without_conduit") : json_member_count(o, "flows");
		fprintf(f, "</td><td><span class=\"tag %s\">%s</span></td><td class=\"num\">%" PRIu64
			   "</td></tr>\n", cls[e->kind], tr(lang, txt[e->kind]), n);
	}
	if (!ne)
		fputs(T("<tr><td colspan=\"6\" class=\"muted\">no conduit and no observed pair between "
			"zones</td></tr>\n"), f);
	fputs("</table>\n", f);
}

/* The diagram being laid out: its boxes and edges, then where they go. */
struct diagram {
	struct box *bx;
	int nb;
	struct edge *ed;
	int ne;
	int rows;                     /* the Purdue levels, and one for zones outside the policy */
	int count[NLEVELS + 1];       /* boxes per row */
	int nlanes;
	struct geom g;
	double row_y[NLEVELS + 1], row_h[NLEVELS + 1];
	double width, height;
};

/* A box per zone in the row of its Purdue level (zones without one, and
 * "(none)" when hosts are in no zone, in a row below the levels). */
static void place_boxes(struct diagram *d, const json_t *zones, bool none)
{
	size_t nz = json_array_size(zones);
	struct box *bx = d->bx;
	d->rows = NLEVELS;
	for (size_t i = 0; i < nz; i++) {
		const json_t *z = json_array_get(zones, i);
		bx[i].name = json_string_value(json_object_get(z, "name"));
		bx[i].z = z;
		json_t *px = json_object_get(z, "purdue_x10");
		int row = NLEVELS;
		if (json_is_integer(px)) {
			row = 0;
			for (int l = 1; l < NLEVELS; l++)
				if (llabs(json_integer_value(px) - level_x10[l]) <
				    llabs(json_integer_value(px) - level_x10[row]))
					row = l;
		}
		bx[i].row = row;
		bx[i].col = d->count[row]++;
	}
	if (none) {
		bx[d->nb - 1].name = NO_ZONE;
		bx[d->nb - 1].row = NLEVELS;
		bx[d->nb - 1].col = d->count[NLEVELS]++;
	}
	if (d->count[NLEVELS])
		d->rows++;
}

/* edges: every conduit; every violating pair; pairs through no conduit */
static void add_edges(struct diagram *d, const json_t *conduits, const json_t *matrix)
{
	size_t i;
	json_t *o;
	json_array_foreach(conduits, i, o) {
		int a = box_index(d->bx, d->nb, json_string_value(json_object_get(o, "from")));
		int b = box_index(d->bx, d->nb, json_string_value(json_object_get(o, "to")));
		if (a < 0 || b < 0 || a == b)
			continue;
		d->ed[d->ne++] = (struct edge){ .a = a, .b = b, .obj = o,
			.kind = json_is_true(json_object_get(o, "observed")) ? E_OK : E_UNUSED,
			.both = !strcmp(json_member_str_or(o, "direction", ""), "both") };
	}
	json_array_foreach(matrix, i, o) {
		int a = box_index(d->bx, d->nb, json_string_value(json_object_get(o, "src_zone")));
		int b = box_index(d->bx, d->nb, json_string_value(json_object_get(o, "dest_zone")));
		if (a < 0 || b < 0 || a == b)
			continue;
		if (json_member_count(o, "violation_flows"))
			d->ed[d->ne++] = (struct edge){ .a = a, .b = b, .kind = E_VIOL, .obj = o };
		if (json_member_count(o, "flows_without_conduit"))
			d->ed[d->ne++] = (struct edge){ .a = a, .b = b, .kind = E_OTHER, .obj = o };
	}
}

/* The route of each edge, the sides it leaves and enters by, and a lane of
 * its own for an edge that skips rows. */
static void route_edges(struct diagram *d)
{
	const struct box *bx = d->bx;
	for (int k = 0; k < d->ne; k++) {
		struct edge *e = &d->ed[k];
		int ra = bx[e->a].row, rb = bx[e->b].row, dc = bx[e->b].col - bx[e->a].col;
		if (abs(ra - rb) == 1) {
			e->route = R_ADJ;
			e->sa = rb > ra ? S_BOTTOM : S_TOP;
			e->sb = rb > ra ? S_TOP : S_BOTTOM;
		} else if (ra == rb && abs(dc) == 1) {
			e->route = R_SIDE;
			e->sa = dc > 0 ? S_RIGHT : S_LEFT;
			e->sb = dc > 0 ? S_LEFT : S_RIGHT;
		} else if (ra == rb) {
			e->route = R_ARC;
			e->sa = e->sb = S_TOP;
			e->ga = ra - 1;
		} else {
			e->route = R_LANE;
			e->sa = rb > ra ? S_BOTTOM : S_TOP;
			e->sb = rb > ra ? S_TOP : S_BOTTOM;
			e->ga = rb > ra ? ra : ra - 1;
			e->gb = rb > ra ? rb - 1 : rb;
			e->lane = d->nlanes++;
		}
	}
}

/* tracks: the outer lanes nearest the box above a gap, the inner ones
 * nearest the box below, so that lane edges do not cross each other
 * (gi: room for two runs per edge) */
static void assign_tracks(struct diagram *d, struct gitem *gi)
{
	struct geom *g = &d->g;
	const struct box *bx = d->bx;
	int ngi = 0;
	for (int k = 0; k < d->ne; k++) {
		const struct edge *e = &d->ed[k];
		if (e->route == R_ARC) {
			gi[ngi++] = (struct gitem){ e->ga, 1, 1e6 + k, k, 0 };
		} else if (e->route == R_LANE) {
			bool down = bx[e->b].row > bx[e->a].row;
			gi[ngi++] = (struct gitem){ e->ga, down ? 0 : 1, down ? -e->lane : e->lane, k, 0 };
			gi[ngi++] = (struct gitem){ e->gb, down ? 1 : 0, down ? e->lane : -e->lane, k, 1 };
		}
	}
	qsort(gi, (size_t)ngi, sizeof(*gi), gitem_cmp);
	for (int s = 0; s < ngi;) {
		int n = 1;
		while (s + n < ngi && gi[s + n].gap == gi[s].gap && gi[s + n].grp == gi[s].grp)
			n++;
		for (int k = 0; k < n; k++) {
			struct edge *e = &d->ed[gi[s + k].edge];
			int t = gi[s].grp ? -(n - k) : k;
			if (gi[s + k].end)
				e->tb = t;
			else
				e->ta = t;
		}
		if (gi[s].grp)
			g->nlo[gi[s].gap + 1] = n;
		else
			g->nup[gi[s].gap + 1] = n;
		s += n;
	}
}

/* geometry: gap heights from their tracks, rows from their boxes, the
 * boxes of a row centred, the lanes right of the widest row */
static void lay_out_rows(struct diagram *d)
{
	struct geom *g = &d->g;
	int rows = d->rows;
	for (int gp = -1; gp < rows; gp++) {
		int n = g->nup[gp + 1] + g->nlo[gp + 1];
		g->gap_h[gp + 1] = gp < 0 || gp == rows - 1 ? fmax(24.0, TRACK_GAP * (n + 1.5))
			: fmax(MIN_GAP, TRACK_GAP * (n + 1) + 26);
	}
	double y = 8;
	for (int r = 0; r < rows; r++) {
		g->gap_top[r] = y;
		y += g->gap_h[r];
		d->row_y[r] = y;
		d->row_h[r] = d->count[r] ? BOX_H : EMPTY_ROW_H;
		y += d->row_h[r];
	}
	g->gap_top[rows] = y;
	y += g->gap_h[rows];
	d->height = y + 64;
	int maxc = 3;
	for (int r = 0; r <= NLEVELS; r++)
		if (d->count[r] > maxc)
			maxc = d->count[r];
	double inner = maxc * (BOX_W + BOX_GAP);
	g->lane_x0 = LABEL_W + inner + 10;
	d->width = fmax(g->lane_x0 + d->nlanes * LANE_GAP + 20, 1000);
	for (int b = 0; b < d->nb; b++) {
		struct box *bx = &d->bx[b];
		double start = LABEL_W + (inner - d->count[bx->row] * (BOX_W + BOX_GAP)) / 2 +
			       BOX_GAP / 2;
		bx->x = start + bx->col * (BOX_W + BOX_GAP);
		bx->y = d->row_y[bx->row];
	}
}

/* spread the ends of the edges over the sides of the boxes: direct
 * edges on the left part, lane edges on the right part (sl: room for two
 * ends per edge) */
static void spread_edge_ends(struct diagram *d, struct slot *sl)
{
	const struct box *bx = d->bx;
	int ns = 0;
	for (int k = 0; k < d->ne; k++) {
		for (int end = 0; end < 2; end++) {
			const struct edge *e = &d->ed[k];
			int me = end ? e->b : e->a, other = end ? e->a : e->b;
			enum side s = end ? e->sb : e->sa;
			double key = (s == S_TOP || s == S_BOTTOM) ? bx[other].x : bx[other].y;
			if (e->route == R_LANE)
				key = e->lane;
			sl[ns++] = (struct slot){ me, s, e->route == R_LANE, key, k, end };
		}
	}
	qsort(sl, (size_t)ns, sizeof(*sl), slot_cmp);
	for (int s = 0; s < ns;) {
		int n = 1, nd = 0;
		while (s + n < ns && sl[s + n].box == sl[s].box && sl[s + n].side == sl[s].side)
			n++;
		for (int k = 0; k < n; k++)
			nd += !sl[s + k].lane;
		for (int k = 0; k < n; k++) {
			const struct slot *t = &sl[s + k];
			struct edge *e = &d->ed[t->edge];
			double lo = 0.06, hi = 0.94;
			int idx = k, cnt = nd;
			if (nd < n) {
				lo = t->lane ? 0.66 : 0.04;
				hi = t->lane ? 0.96 : 0.60;
				if (t->lane) {
					idx = k - nd;
					cnt = n - nd;
				}
				if (!nd)
					lo = 0.30;
			}
			if (t->end)
				box_side_point(&bx[t->box], t->side, idx, cnt, lo, hi, &e->bx, &e->by);
			else
				box_side_point(&bx[t->box], t->side, idx, cnt, lo, hi, &e->ax, &e->ay);
		}
		s += n;
	}
}

/* <svg>, the arrow heads of each kind of edge, the white ground */
static void svg_open(FILE *f, const struct diagram *d, enum rep_lang lang)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"zone-diagram\" "
		   "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
		   "aria-label=\"%s\">\n", d->width, d->height, d->width, d->height,
		T("zones by Purdue level with conduits and observed zone pairs"));
	fputs("<defs>", f);
	for (int k = 0; k < 4; k++)
		fprintf(f, "<marker id=\"ah%d\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			   "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
			   "<path d=\"M0 0L10 5L0 10z\" fill=\"%s\"/></marker>"
			   "<marker id=\"as%d\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			   "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
			   "<path d=\"M0 0L10 5L0 10z\" fill=\"%s\"/></marker>",
			k, edge_colour[k], k, edge_colour[k]);
	fputs("</defs>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n",
		d->width, d->height);
}

/* a band per row, shaded in turn, with the level's label */
static void svg_levels(FILE *f, const struct diagram *d, enum rep_lang lang)
{
	const struct geom *g = &d->g;
	int rows = d->rows;
	for (int r = 0; r < rows; r++) {
		double top = r ? g->gap_top[r] + g->gap_h[r] / 2 : 0;
		double bot = r == rows - 1 ? g->gap_top[rows] + g->gap_h[rows]
				: g->gap_top[r + 1] + g->gap_h[r + 1] / 2;
		char lv[24];
		fprintf(f, "<g class=\"level\" data-level=\"%s\"><rect x=\"0\" y=\"%.1f\" "
			   "width=\"%.0f\" height=\"%.1f\" fill=\"%s\"/>",
			r < NLEVELS ? policy_purdue_str(level_x10[r], lv) : "outside", top, d->width,
			bot - top, r % 2 ? "#ffffff" : "#f3f5f8");
		fprintf(f, "<text x=\"12\" y=\"%.1f\" font-size=\"13\" font-weight=\"600\" "
			   "fill=\"#3c4a57\">%s</text></g>\n", d->row_y[r] + d->row_h[r] / 2 + 4,
			r < NLEVELS ? tr(lang, level_label[r]) : T("not in the policy / no zone"));
	}
}

static void svg_legend(FILE *f, const struct diagram *d, enum rep_lang lang)
{
	double ly = d->height - 40;
	static const char *const legend[] = { "conduit allowed and observed",
					      "conduit allowed, not observed",
					      "observed violating zone pair",
					      "observed, through no conduit" };
	for (int k = 0; k < 4; k++) {
		double lx = 20 + k * 235;
		fprintf(f, "<g class=\"legend\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
			   "stroke=\"%s\" stroke-width=\"2.4\"%s/><text x=\"%.0f\" y=\"%.0f\" "
			   "font-size=\"12\" fill=\"#3c4a57\">%s</text></g>\n", lx, ly, lx + 36, ly,
			edge_colour[k], edge_dash[k], lx + 44, ly + 4, tr(lang, legend[k]));
	}
	fprintf(f, "<g class=\"legend\"><rect x=\"20\" y=\"%.0f\" width=\"36\" height=\"16\" rx=\"4\" "
		   "fill=\"#fff\" stroke=\"#8a939c\" stroke-dasharray=\"6 4\"/><text x=\"64\" "
		   "y=\"%.0f\" font-size=\"12\" fill=\"#3c4a57\">%s</text></g>\n", ly + 14, ly + 26,
		T("zone not evidenced (no host seen; not proof of absence)"));
}

int report_html_diagram(FILE *f, const json_t *rep)
{
	const json_t *zones = json_object_get(rep, "zones");
	const json_t *matrix = json_object_get(rep, "matrix");
	const json_t *conduits = json_object_get(rep, "conduits");
	bool none = json_array_size(json_object_get(rep, "unzoned_hosts")) > 0;
	struct diagram d;
	memset(&d, 0, sizeof(d));
	d.nb = (int)json_array_size(zones) + (none ? 1 : 0);
	size_t maxe = json_array_size(conduits) + json_array_size(matrix) * 2 + 1;
	d.bx = calloc((size_t)d.nb + 1, sizeof(*d.bx));
	d.ed = calloc(maxe, sizeof(*d.ed));
	struct slot *sl = calloc(maxe * 2, sizeof(*sl));
	struct gitem *gi = calloc(maxe * 2, sizeof(*gi));
	if (!d.bx || !d.ed || !sl || !gi) {
		free(d.bx);
		free(d.ed);
		free(sl);
		free(gi);
		return -1;
	}
	place_boxes(&d, zones, none);
	add_edges(&d, conduits, matrix);
	route_edges(&d);
	assign_tracks(&d, gi);
	lay_out_rows(&d);
	spread_edge_ends(&d, sl);

	enum rep_lang lang = rep_lang_of(rep);
	svg_open(f, &d, lang);
	svg_levels(f, &d, lang);
	for (int k = 0; k < d.ne; k++)
		svg_edge(f, rep, d.bx, &d.ed[k], k + 1, &d.g);
	for (int b = 0; b < d.nb; b++)
		svg_box(f, rep, &d.bx[b]);
	svg_legend(f, &d, lang);
	fputs("</svg>\n", f);
	html_edge_table(f, rep, d.bx, d.ed, d.ne);
	free(d.bx);
	free(d.ed);
	free(sl);
	free(gi);
	return 0;
}
