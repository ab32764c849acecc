/* SPDX-License-Identifier: BSD-2-Clause */
/* GEM meaning of SECS-II messages. See gem.h. */
#include "dissectors/gem.h"

#include <stdio.h>
#include <string.h>

#define H2E GEM_DIR_H2E
#define E2H GEM_DIR_E2H
#define ANY GEM_DIR_BOTH

/* E5 message dictionary, the messages that matter to a fab's security
 * monitoring (see ../shared/reference/protocols.md §3). Sorted by S/F. */
static const struct gem_msg table[] = {
	{ 1, 1, "Are You There Request", GEM_CAT_STATUS, ANY },
	{ 1, 2, "On Line Data", GEM_CAT_STATUS, ANY },
	{ 1, 3, "Selected Equipment Status Request", GEM_CAT_STATUS, H2E },
	{ 1, 4, "Selected Equipment Status Data", GEM_CAT_STATUS, E2H },
	{ 1, 5, "Formatted Status Request", GEM_CAT_STATUS, H2E },
	{ 1, 6, "Formatted Status Data", GEM_CAT_STATUS, E2H },
	{ 1, 11, "Status Variable Namelist Request", GEM_CAT_STATUS, H2E },
	{ 1, 12, "Status Variable Namelist Reply", GEM_CAT_STATUS, E2H },
	{ 1, 13, "Establish Communications Request", GEM_CAT_CONNECTION, ANY },
	{ 1, 14, "Establish Communications Request Acknowledge", GEM_CAT_CONNECTION, ANY },
	{ 1, 15, "Request OFF-LINE", GEM_CAT_CONTROL_STATE, H2E },
	{ 1, 16, "OFF-LINE Acknowledge", GEM_CAT_CONTROL_STATE, E2H },
	{ 1, 17, "Request ON-LINE", GEM_CAT_CONTROL_STATE, H2E },
	{ 1, 18, "ON-LINE Acknowledge", GEM_CAT_CONTROL_STATE, E2H },
	{ 1, 21, "Data Variable Namelist Request", GEM_CAT_STATUS, H2E },
	{ 1, 22, "Data Variable Namelist", GEM_CAT_STATUS, E2H },
	{ 1, 23, "Collection Event Namelist Request", GEM_CAT_STATUS, H2E },
	{ 1, 24, "Collection Event Namelist", GEM_CAT_STATUS, E2H },
	{ 2, 13, "Equipment Constant Request", GEM_CAT_EC_READ, H2E },
	{ 2, 14, "Equipment Constant Data", GEM_CAT_EC_READ, E2H },
	{ 2, 15, "New Equipment Constant Send", GEM_CAT_EC_CHANGE, H2E },
	{ 2, 16, "New Equipment Constant Acknowledge", GEM_CAT_EC_CHANGE, E2H },
	{ 2, 17, "Date and Time Request", GEM_CAT_CLOCK, ANY },
	{ 2, 18, "Date and Time Data", GEM_CAT_CLOCK, ANY },
	{ 2, 21, "Remote Command Send", GEM_CAT_REMOTE_COMMAND, H2E },
	{ 2, 22, "Remote Command Acknowledge", GEM_CAT_REMOTE_COMMAND, E2H },
	{ 2, 23, "Trace Initialize Send", GEM_CAT_TRACE, H2E },
	{ 2, 24, "Trace Initialize Acknowledge", GEM_CAT_TRACE, E2H },
	{ 2, 25, "Loopback Diagnostic Request", GEM_CAT_EQUIPMENT_CONTROL, ANY },
	{ 2, 26, "Loopback Diagnostic Data", GEM_CAT_EQUIPMENT_CONTROL, ANY },
	{ 2, 27, "Initiate Processing Request", GEM_CAT_REMOTE_COMMAND, H2E },
	{ 2, 28, "Initiate Processing Acknowledge", GEM_CAT_REMOTE_COMMAND, E2H },
	{ 2, 29, "Equipment Constant Namelist Request", GEM_CAT_EC_READ, H2E },
	{ 2, 30, "Equipment Constant Namelist", GEM_CAT_EC_READ, E2H },
	{ 2, 31, "Date and Time Set Request", GEM_CAT_CLOCK, H2E },
	{ 2, 32, "Date and Time Set Acknowledge", GEM_CAT_CLOCK, E2H },
	{ 2, 33, "Define Report", GEM_CAT_REPORT_SETUP, H2E },
	{ 2, 34, "Define Report Acknowledge", GEM_CAT_REPORT_SETUP, E2H },
	{ 2, 35, "Link Event Report", GEM_CAT_REPORT_SETUP, H2E },
	{ 2, 36, "Link Event Report Acknowledge", GEM_CAT_REPORT_SETUP, E2H },
	{ 2, 37, "Enable/Disable Event Report", GEM_CAT_REPORT_SETUP, H2E },
	{ 2, 38, "Enable/Disable Event Report Acknowledge", GEM_CAT_REPORT_SETUP, E2H },
	{ 2, 39, "Multi-block Inquire", GEM_CAT_EQUIPMENT_CONTROL, H2E },
	{ 2, 40, "Multi-block Grant", GEM_CAT_EQUIPMENT_CONTROL, E2H },
	{ 2, 41, "Host Command Send", GEM_CAT_REMOTE_COMMAND, H2E },
	{ 2, 42, "Host Command Acknowledge", GEM_CAT_REMOTE_COMMAND, E2H },
	{ 2, 43, "Reset Spooling Streams and Functions", GEM_CAT_SPOOL, H2E },
	{ 2, 44, "Reset Spooling Acknowledge", GEM_CAT_SPOOL, E2H },
	{ 2, 45, "Define Variable Limit Attributes", GEM_CAT_REPORT_SETUP, H2E },
	{ 2, 46, "Variable Limit Attribute Acknowledge", GEM_CAT_REPORT_SETUP, E2H },
	{ 2, 49, "Enhanced Remote Command", GEM_CAT_REMOTE_COMMAND, H2E },
	{ 2, 50, "Enhanced Remote Command Acknowledge", GEM_CAT_REMOTE_COMMAND, E2H },
	{ 3, 17, "Carrier Action Request", GEM_CAT_MATERIAL, H2E },
	{ 3, 18, "Carrier Action Acknowledge", GEM_CAT_MATERIAL, E2H },
	{ 5, 1, "Alarm Report Send", GEM_CAT_ALARM, E2H },
	{ 5, 2, "Alarm Report Acknowledge", GEM_CAT_ALARM, H2E },
	{ 5, 3, "Enable/Disable Alarm Send", GEM_CAT_ALARM_ENABLE, H2E },
	{ 5, 4, "Enable/Disable Alarm Acknowledge", GEM_CAT_ALARM_ENABLE, E2H },
	{ 5, 5, "List Alarms Request", GEM_CAT_ALARM_LIST, H2E },
	{ 5, 6, "List Alarm Data", GEM_CAT_ALARM_LIST, E2H },
	{ 5, 7, "List Enabled Alarm Request", GEM_CAT_ALARM_LIST, H2E },
	{ 5, 8, "List Enabled Alarm Data", GEM_CAT_ALARM_LIST, E2H },
	{ 5, 9, "Exception Post Notify", GEM_CAT_ALARM, E2H },
	{ 5, 10, "Exception Post Confirm", GEM_CAT_ALARM, H2E },
	{ 5, 11, "Exception Clear Notify", GEM_CAT_ALARM, E2H },
	{ 5, 12, "Exception Clear Confirm", GEM_CAT_ALARM, H2E },
	{ 6, 1, "Trace Data Send", GEM_CAT_TRACE, E2H },
	{ 6, 2, "Trace Data Acknowledge", GEM_CAT_TRACE, H2E },
	{ 6, 5, "Multi-block Data Send Inquire", GEM_CAT_DATA_COLLECTION, E2H },
	{ 6, 6, "Multi-block Grant", GEM_CAT_DATA_COLLECTION, H2E },
	{ 6, 11, "Event Report Send", GEM_CAT_EVENT_REPORT, E2H },
	{ 6, 12, "Event Report Acknowledge", GEM_CAT_EVENT_REPORT, H2E },
	{ 6, 13, "Annotated Event Report Send", GEM_CAT_EVENT_REPORT, E2H },
	{ 6, 14, "Annotated Event Report Acknowledge", GEM_CAT_EVENT_REPORT, H2E },
	{ 6, 15, "Event Report Request", GEM_CAT_DATA_COLLECTION, H2E },
	{ 6, 16, "Event Report Data", GEM_CAT_DATA_COLLECTION, E2H },
	{ 6, 19, "Individual Report Request", GEM_CAT_DATA_COLLECTION, H2E },
	{ 6, 20, "Individual Report Data", GEM_CAT_DATA_COLLECTION, E2H },
	{ 6, 23, "Request Spooled Data", GEM_CAT_SPOOL, H2E },
	{ 6, 24, "Request Spooled Data Acknowledgement Send", GEM_CAT_SPOOL, E2H },
	{ 7, 1, "Process Program Load Inquire", GEM_CAT_RECIPE_DOWNLOAD, ANY },
	{ 7, 2, "Process Program Load Grant", GEM_CAT_RECIPE_DOWNLOAD, ANY },
	{ 7, 3, "Process Program Send", GEM_CAT_RECIPE_DOWNLOAD, ANY },
	{ 7, 4, "Process Program Acknowledge", GEM_CAT_RECIPE_DOWNLOAD, ANY },
	{ 7, 5, "Process Program Request", GEM_CAT_RECIPE_UPLOAD, ANY },
	{ 7, 6, "Process Program Data", GEM_CAT_RECIPE_UPLOAD, ANY },
	{ 7, 17, "Delete Process Program Send", GEM_CAT_RECIPE_DELETE, H2E },
	{ 7, 18, "Delete Process Program Acknowledge", GEM_CAT_RECIPE_DELETE, E2H },
	{ 7, 19, "Current Equipment Process Program Request", GEM_CAT_RECIPE_LIST, H2E },
	{ 7, 20, "Current Equipment Process Program Data", GEM_CAT_RECIPE_LIST, E2H },
	{ 7, 23, "Formatted Process Program Send", GEM_CAT_RECIPE_DOWNLOAD, ANY },
	{ 7, 24, "Formatted Process Program Acknowledge", GEM_CAT_RECIPE_DOWNLOAD, ANY },
	{ 7, 25, "Formatted Process Program Request", GEM_CAT_RECIPE_UPLOAD, ANY },
	{ 7, 26, "Formatted Process Program Data", GEM_CAT_RECIPE_UPLOAD, ANY },
	{ 9, 1, "Unrecognized Device ID", GEM_CAT_ERROR, E2H },
	{ 9, 3, "Unrecognized Stream Type", GEM_CAT_ERROR, E2H },
	{ 9, 5, "Unrecognized Function Type", GEM_CAT_ERROR, E2H },
	{ 9, 7, "Illegal Data", GEM_CAT_ERROR, E2H },
	{ 9, 9, "Transaction Timer Timeout", GEM_CAT_ERROR, E2H },
	{ 9, 11, "Data Too Long", GEM_CAT_ERROR, E2H },
	{ 9, 13, "Conversation Timeout", GEM_CAT_ERROR, E2H },
	{ 10, 1, "Terminal Request", GEM_CAT_TERMINAL, E2H },
	{ 10, 2, "Terminal Request Acknowledge", GEM_CAT_TERMINAL, H2E },
	{ 10, 3, "Terminal Display, Single", GEM_CAT_TERMINAL, H2E },
	{ 10, 4, "Terminal Display, Single Acknowledge", GEM_CAT_TERMINAL, E2H },
	{ 10, 5, "Terminal Display, Multi-Block", GEM_CAT_TERMINAL, H2E },
	{ 10, 6, "Terminal Display, Multi-Block Acknowledge", GEM_CAT_TERMINAL, E2H },
	{ 10, 9, "Broadcast", GEM_CAT_TERMINAL, H2E },
	{ 10, 10, "Broadcast Acknowledge", GEM_CAT_TERMINAL, E2H },
	{ 12, 1, "Map Set-up Data Send", GEM_CAT_WAFER_MAP, E2H },
	{ 12, 3, "Map Set-up Data Request", GEM_CAT_WAFER_MAP, E2H },
	{ 12, 7, "Map Data Send Type 1", GEM_CAT_WAFER_MAP, ANY },
	{ 12, 19, "Map Error Report Send", GEM_CAT_WAFER_MAP, ANY },
	{ 14, 1, "GetAttr Request", GEM_CAT_OBJECTS_JOBS, ANY },
	{ 14, 2, "GetAttr Data", GEM_CAT_OBJECTS_JOBS, ANY },
	{ 14, 3, "SetAttr Request", GEM_CAT_OBJECTS_JOBS, ANY },
	{ 14, 4, "SetAttr Data", GEM_CAT_OBJECTS_JOBS, ANY },
	{ 14, 9, "Create Object Request", GEM_CAT_OBJECTS_JOBS, H2E },
	{ 14, 10, "Create Object Acknowledge", GEM_CAT_OBJECTS_JOBS, E2H },
	{ 14, 11, "Delete Object Request", GEM_CAT_OBJECTS_JOBS, H2E },
	{ 14, 12, "Delete Object Acknowledge", GEM_CAT_OBJECTS_JOBS, E2H },
	{ 16, 5, "Process Job Command Request", GEM_CAT_OBJECTS_JOBS, H2E },
	{ 16, 6, "Process Job Command Acknowledge", GEM_CAT_OBJECTS_JOBS, E2H },
	{ 16, 11, "PRJobCreateEnh", GEM_CAT_OBJECTS_JOBS, H2E },
	{ 16, 12, "PRJobCreateEnh Acknowledge", GEM_CAT_OBJECTS_JOBS, E2H },
	{ 16, 15, "PRJobMultiCreate", GEM_CAT_OBJECTS_JOBS, H2E },
	{ 16, 16, "PRJobMultiCreate Acknowledge", GEM_CAT_OBJECTS_JOBS, E2H },
};

const struct gem_msg *gem_lookup(uint8_t stream, uint8_t function)
{
	size_t lo = 0, hi = sizeof(table) / sizeof(table[0]);
	unsigned key = (unsigned)stream << 8 | function;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		unsigned k = (unsigned)table[mid].stream << 8 | table[mid].function;
		if (k == key)
			return &table[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

enum gem_category gem_category_of(uint8_t stream, uint8_t function)
{
	if (function == 0)
		return GEM_CAT_ABORT;
	const struct gem_msg *m = gem_lookup(stream, function);
	if (m)
		return (enum gem_category)m->category;
	switch (stream) {
	case 1: return GEM_CAT_STATUS;
	case 2: return GEM_CAT_EQUIPMENT_CONTROL;
	case 3: return GEM_CAT_MATERIAL;
	case 5: return GEM_CAT_ALARM;
	case 6: return GEM_CAT_DATA_COLLECTION;
	case 7: case 15: return GEM_CAT_RECIPE_MANAGEMENT;
	case 9: return GEM_CAT_ERROR;
	case 10: return GEM_CAT_TERMINAL;
	case 12: return GEM_CAT_WAFER_MAP;
	case 14: case 16: return GEM_CAT_OBJECTS_JOBS;
	default: return GEM_CAT_UNKNOWN;
	}
}

static const char *const cat_names[GEM_CAT_COUNT] = {
	[GEM_CAT_UNKNOWN] = "unknown",
	[GEM_CAT_CONNECTION] = "connection",
	[GEM_CAT_STATUS] = "status",
	[GEM_CAT_CONTROL_STATE] = "control-state",
	[GEM_CAT_EC_READ] = "ec-read",
	[GEM_CAT_EC_CHANGE] = "ec-change",
	[GEM_CAT_CLOCK] = "clock",
	[GEM_CAT_TRACE] = "trace",
	[GEM_CAT_REPORT_SETUP] = "report-setup",
	[GEM_CAT_REMOTE_COMMAND] = "remote-command",
	[GEM_CAT_SPOOL] = "spool",
	[GEM_CAT_EQUIPMENT_CONTROL] = "equipment-control",
	[GEM_CAT_MATERIAL] = "material",
	[GEM_CAT_ALARM] = "alarm",
	[GEM_CAT_ALARM_ENABLE] = "alarm-enable",
	[GEM_CAT_ALARM_LIST] = "alarm-list",
	[GEM_CAT_EVENT_REPORT] = "event-report",
	[GEM_CAT_DATA_COLLECTION] = "data-collection",
	[GEM_CAT_RECIPE_DOWNLOAD] = "recipe-download",
	[GEM_CAT_RECIPE_UPLOAD] = "recipe-upload",
	[GEM_CAT_RECIPE_DELETE] = "recipe-delete",
	[GEM_CAT_RECIPE_LIST] = "recipe-list",
	[GEM_CAT_RECIPE_MANAGEMENT] = "recipe-management",
	[GEM_CAT_ERROR] = "error",
	[GEM_CAT_TERMINAL] = "terminal",
	[GEM_CAT_WAFER_MAP] = "wafer-map",
	[GEM_CAT_OBJECTS_JOBS] = "objects-jobs",
	[GEM_CAT_ABORT] = "abort",
};

const char *gem_category_name(enum gem_category c)
{
	return (unsigned)c < GEM_CAT_COUNT ? cat_names[c] : "unknown";
}

enum gem_category gem_category_parse(const char *name)
{
	for (int c = 0; c < GEM_CAT_COUNT; c++)
		if (strcmp(cat_names[c], name) == 0)
			return (enum gem_category)c;
	return GEM_CAT_COUNT;
}

const char *gem_dir_name(enum gem_dir d)
{
	return d == GEM_DIR_H2E ? "host-to-equipment" : d == GEM_DIR_E2H ? "equipment-to-host" : "both";
}

/* ------------------------------------------------------------ fields */

#define EX_KIDS 8

struct ex {
	const uint8_t *win;
	size_t winlen, total;
	const struct secs2_limits *lim;
	struct gem_fields *out;
	/* the root and its first children, found once: most fields sit there */
	bool have_root;
	struct secs2_item root;
	struct secs2_item kids[EX_KIDS];
	uint32_t nkids;
};

static void ex_index(struct ex *x)
{
	x->have_root = secs2_path(x->win, x->winlen, x->total, x->lim, NULL, 0, &x->root);
	if (!x->have_root || x->root.fmt != SECS2_L || x->root.length == 0)
		return;
	if (!secs2_child(x->win, x->winlen, x->total, x->lim, &x->root, 0, &x->kids[0]))
		return;
	x->nkids = 1;
	while (x->nkids < EX_KIDS && x->nkids < x->root.length &&
	       secs2_next(x->win, x->winlen, x->total, x->lim, &x->kids[x->nkids - 1], &x->kids[x->nkids]))
		x->nkids++;
}

static bool at(struct ex *x, const uint8_t *path, int depth, struct secs2_item *it)
{
	if (!x->have_root)
		return false;
	if (depth == 0) {
		*it = x->root;
		return true;
	}
	if (path[0] >= x->nkids)
		return secs2_path(x->win, x->winlen, x->total, x->lim, path, depth, it);
	*it = x->kids[path[0]];
	for (int i = 1; i < depth; i++) {
		struct secs2_item c;
		if (!secs2_child(x->win, x->winlen, x->total, x->lim, it, path[i], &c))
			return false;
		*it = c;
	}
	return true;
}

static struct gem_field *add(struct ex *x, const char *key)
{
	if (x->out->n >= GEM_MAX_FIELDS)
		return NULL;
	struct gem_field *f = &x->out->f[x->out->n++];
	memset(f, 0, sizeof(*f));
	f->key = key;
	return f;
}

/* A scalar field from an item: text always, number when it is one. */
static void add_item(struct ex *x, const char *key, const struct secs2_item *it)
{
	if (it->fmt == SECS2_L)
		return;
	struct gem_field *f = add(x, key);
	if (!f)
		return;
	secs2_value_str(it, f->text, sizeof(f->text));
	unsigned es = secs2_elem_size(it->fmt);
	if (es && it->length == es && secs2_u64(it, &f->num))
		f->numeric = true;
}

static void add_path(struct ex *x, const char *key, const uint8_t *path, int depth)
{
	struct secs2_item it;
	if (at(x, path, depth, &it))
		add_item(x, key, &it);
}

/* The length of an item's data (e.g. PPBODY) as a number. */
static void add_len(struct ex *x, const char *key, const uint8_t *path, int depth)
{
	struct secs2_item it;
	if (!at(x, path, depth, &it) || it.fmt == SECS2_L)
		return;
	struct gem_field *f = add(x, key);
	if (!f)
		return;
	f->numeric = true;
	f->num = it.length;
	snprintf(f->text, sizeof(f->text), "%u", it.length);
}

/*
 * A list field: the value of each child of the list at `path` (or, when
 * sub >= 0, of that child's own child `sub`; with pair set, "name=value"
 * from each child's first two items), joined by commas.
 */
static void add_list(struct ex *x, const char *key, const uint8_t *path, int depth, int sub, bool pair)
{
	struct secs2_item list;
	if (!at(x, path, depth, &list) || list.fmt != SECS2_L)
		return;
	struct gem_field *f = add(x, key);
	if (!f)
		return;
	size_t len = 0;
	struct secs2_item c, v;
	for (uint32_t i = 0; i < list.length && len + 4 < sizeof(f->text); i++) {
		/* walk the children in order: each from the one before */
		if (!(i == 0 ? secs2_child(x->win, x->winlen, x->total, x->lim, &list, 0, &c)
			     : secs2_next(x->win, x->winlen, x->total, x->lim, &c, &c)))
			break;
		char a[GEM_FIELD_LEN], b[GEM_FIELD_LEN];
		a[0] = b[0] = '\0';
		if (pair) {
			if (secs2_child(x->win, x->winlen, x->total, x->lim, &c, 0, &v))
				secs2_value_str(&v, a, sizeof(a));
			if (secs2_child(x->win, x->winlen, x->total, x->lim, &c, 1, &v))
				secs2_value_str(&v, b, sizeof(b));
		} else if (sub >= 0) {
			if (secs2_child(x->win, x->winlen, x->total, x->lim, &c, (uint32_t)sub, &v))
				secs2_value_str(&v, a, sizeof(a));
		} else {
			secs2_value_str(&c, a, sizeof(a));
		}
		/* ",a=b" by hand: a printf per element was a tenth of a busy
		 * tool's decoding (S6F11 report lists, S1F3 SVID lists) */
		size_t la = strlen(a), lb = pair ? strlen(b) : 0;
		size_t n = (i ? 1 : 0) + la + (pair ? 1 + lb : 0);
		if (n >= sizeof(f->text) - len) {
			/* what fits, and the cut marked to keep it readable */
			snprintf(f->text + len, sizeof(f->text) - len, pair ? "%s%s=%s" : "%s%s",
				 i ? "," : "", a, b);
			size_t l = strlen(f->text);
			if (l > 3)
				memcpy(f->text + l - 3, "...", 3);
			break;
		}
		char *o = f->text + len;
		if (i)
			*o++ = ',';
		memcpy(o, a, la);
		o += la;
		if (pair) {
			*o++ = '=';
			memcpy(o, b, lb);
			o += lb;
		}
		*o = '\0';
		len += n;
	}
}

static void set_ack(struct ex *x, const char *name, const uint8_t *path, int depth)
{
	struct secs2_item it;
	uint64_t v;
	if (!at(x, path, depth, &it) || !secs2_u64(&it, &v))
		return;
	x->out->ack = (int)(v & 0xff);
	x->out->ack_name = name;
	struct gem_field *f = add(x, name);
	if (f) {
		f->numeric = true;
		f->num = v & 0xff;
		/* an acknowledge code is one byte: three digits at most */
		unsigned code = (unsigned)(v & 0xff);
		char *o = f->text;
		if (code >= 100)
			*o++ = (char)('0' + code / 100);
		if (code >= 10)
			*o++ = (char)('0' + code / 10 % 10);
		*o++ = (char)('0' + code % 10);
		*o = '\0';
	}
}

/* S9Fx carry the 10-byte header of the message they complain about. */
static void add_mhead(struct ex *x)
{
	struct secs2_item it;
	if (!at(x, NULL, 0, &it) || it.fmt != SECS2_B || it.avail < 10)
		return;
	struct bview h = secs2_data(&it);
	uint16_t session = bv_be16(&h);
	uint8_t byte2 = bv_u8(&h), byte3 = bv_u8(&h);
	struct gem_field *f = add(x, "mhead_sf");
	if (f)
		snprintf(f->text, sizeof(f->text), "S%uF%u%s", byte2 & 0x7f, byte3,
			 (byte2 & 0x80) ? " W" : "");
	f = add(x, "mhead_session_id");
	if (f) {
		f->numeric = true;
		f->num = session;
		snprintf(f->text, sizeof(f->text), "%u", (unsigned)f->num);
	}
}

#define P(...) ((const uint8_t[]){ __VA_ARGS__ }), (int)sizeof((const uint8_t[]){ __VA_ARGS__ })

void gem_extract(uint8_t stream, uint8_t function, const uint8_t *win, size_t winlen, size_t total,
		 const struct secs2_limits *lim, struct gem_fields *out)
{
	/* fields are read up to n only, and add() clears each one it takes */
	out->n = 0;
	out->ack = -1;
	out->ack_name = NULL;
	if (total == 0)
		return;
	struct ex x = { .win = win, .winlen = winlen, .total = total, .lim = lim, .out = out };
	ex_index(&x);
	switch (stream << 8 | function) {
	case 1 << 8 | 2:
	case 1 << 8 | 13: /* <L[2] MDLN SOFTREV> from equipment, <L[0]> from host */
		add_path(&x, "mdln", P(0));
		add_path(&x, "softrev", P(1));
		break;
	case 1 << 8 | 14:
		set_ack(&x, "commack", P(0));
		add_path(&x, "mdln", P(1, 0));
		add_path(&x, "softrev", P(1, 1));
		break;
	case 1 << 8 | 3:
	case 1 << 8 | 11:
		add_list(&x, "svids", NULL, 0, -1, false);
		break;
	case 1 << 8 | 16: set_ack(&x, "oflack", NULL, 0); break;
	case 1 << 8 | 18: set_ack(&x, "onlack", NULL, 0); break;
	case 2 << 8 | 13:
	case 2 << 8 | 29:
		add_list(&x, "ecids", NULL, 0, -1, false);
		break;
	case 2 << 8 | 15: /* <L[n] <L[2] ECID ECV>> */
		add_list(&x, "ecids", NULL, 0, 0, false);
		add_list(&x, "ec_values", NULL, 0, -1, true);
		break;
	case 2 << 8 | 16: set_ack(&x, "eac", NULL, 0); break;
	case 2 << 8 | 18:
	case 2 << 8 | 31:
		add_path(&x, "time", NULL, 0);
		break;
	case 2 << 8 | 32: set_ack(&x, "tiack", NULL, 0); break;
	case 2 << 8 | 21:
		add_path(&x, "rcmd", NULL, 0);
		break;
	case 2 << 8 | 22: set_ack(&x, "cmda", NULL, 0); break;
	case 2 << 8 | 23:
		add_path(&x, "trid", P(0));
		add_list(&x, "svids", P(4), -1, false);
		break;
	case 2 << 8 | 33:
		add_path(&x, "dataid", P(0));
		add_list(&x, "rptids", P(1), 0, false);
		break;
	case 2 << 8 | 34: set_ack(&x, "drack", NULL, 0); break;
	case 2 << 8 | 35:
		add_path(&x, "dataid", P(0));
		add_list(&x, "ceids", P(1), 0, false);
		break;
	case 2 << 8 | 36: set_ack(&x, "lrack", NULL, 0); break;
	case 2 << 8 | 37:
		add_path(&x, "ceed", P(0));
		add_list(&x, "ceids", P(1), -1, false);
		break;
	case 2 << 8 | 38: set_ack(&x, "erack", NULL, 0); break;
	case 2 << 8 | 41: /* <L[2] RCMD <L[n] <L[2] CPNAME CPVAL>>> */
		add_path(&x, "rcmd", P(0));
		add_list(&x, "params", P(1), -1, true);
		break;
	case 2 << 8 | 42:
	case 2 << 8 | 50:
		set_ack(&x, "hcack", P(0));
		break;
	case 2 << 8 | 49: /* <L[4] DATAID OBJSPEC RCMD <L[n] ...>> */
		add_path(&x, "objspec", P(1));
		add_path(&x, "rcmd", P(2));
		add_list(&x, "params", P(3), -1, true);
		break;
	case 3 << 8 | 17:
		add_path(&x, "carrier_action", P(1));
		add_path(&x, "carrier_id", P(2));
		break;
	case 5 << 8 | 1: /* <L[3] ALCD ALID ALTX> */
		add_path(&x, "alcd", P(0));
		add_path(&x, "alid", P(1));
		add_path(&x, "altx", P(2));
		break;
	case 5 << 8 | 2:
	case 5 << 8 | 4:
		set_ack(&x, "ackc5", NULL, 0);
		break;
	case 5 << 8 | 3: /* <L[2] ALED ALID> */
		add_path(&x, "aled", P(0));
		add_path(&x, "alid", P(1));
		break;
	case 6 << 8 | 11:
	case 6 << 8 | 13: /* <L[3] DATAID CEID <L[n] reports>> */
		add_path(&x, "dataid", P(0));
		add_path(&x, "ceid", P(1));
		add_list(&x, "rptids", P(2), 0, false);
		break;
	case 6 << 8 | 12:
	case 6 << 8 | 14:
		set_ack(&x, "ackc6", NULL, 0);
		break;
	case 7 << 8 | 1:
		add_path(&x, "ppid", P(0));
		add_path(&x, "length", P(1));
		break;
	case 7 << 8 | 2: set_ack(&x, "ppgnt", NULL, 0); break;
	case 7 << 8 | 3:
	case 7 << 8 | 6: /* <L[2] PPID PPBODY> */
		add_path(&x, "ppid", P(0));
		add_len(&x, "ppbody_length", P(1));
		break;
	case 7 << 8 | 4:
	case 7 << 8 | 18:
	case 7 << 8 | 24:
		set_ack(&x, "ackc7", NULL, 0);
		break;
	case 7 << 8 | 5:
	case 7 << 8 | 25:
		add_path(&x, "ppid", NULL, 0);
		break;
	case 7 << 8 | 17:
	case 7 << 8 | 20:
		add_list(&x, "ppids", NULL, 0, -1, false);
		break;
	case 7 << 8 | 23:
	case 7 << 8 | 26: /* <L[4] PPID MDLN SOFTREV <L[n] ...>> */
		add_path(&x, "ppid", P(0));
		add_path(&x, "mdln", P(1));
		add_path(&x, "softrev", P(2));
		break;
	case 9 << 8 | 1:
	case 9 << 8 | 3:
	case 9 << 8 | 5:
	case 9 << 8 | 7:
	case 9 << 8 | 9:
	case 9 << 8 | 11:
		add_mhead(&x);
		break;
	case 9 << 8 | 13:
		add_path(&x, "mexp", P(0));
		add_path(&x, "edid", P(1));
		break;
	case 10 << 8 | 1:
	case 10 << 8 | 3: /* <L[2] TID TEXT> */
		add_path(&x, "tid", P(0));
		add_path(&x, "text", P(1));
		break;
	case 10 << 8 | 2:
	case 10 << 8 | 4:
	case 10 << 8 | 6:
	case 10 << 8 | 10:
		set_ack(&x, "ackc10", NULL, 0);
		break;
	case 14 << 8 | 9:
		add_path(&x, "objspec", P(0));
		add_path(&x, "objtype", P(1));
		break;
	case 16 << 8 | 11:
		add_path(&x, "prjobid", P(1));
		break;
	default:
		break;
	}
}

const struct gem_field *gem_field(const struct gem_fields *g, const char *key)
{
	for (int i = 0; i < g->n; i++)
		if (strcmp(g->f[i].key, key) == 0)
			return &g->f[i];
	return NULL;
}

bool gem_ack_ok(const char *ack_name, int code)
{
	if (code == 0)
		return true;
	/* HCACK 4: "acknowledge, command will be performed with completion
	 * signaled later by an event" */
	return ack_name && strcmp(ack_name, "hcack") == 0 && code == 4;
}
