/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/options.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cpu_list.h"
#include "util/log.h"
#include "sensor/output/nats_options.h"
#include "sensor/output/publish.h"
#include "sensor/output/syslog_out.h"
#include "util/version.h"

void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->snaplen = 262144;   /* full frames, also for TSO/GRO super-frames */
	o->buffer_mib = 64;
	o->promisc = true;
	o->stats_interval = 60;
	o->flow.capacity = 131072;
	/* capture-time idle timeouts; OT sessions (HSMS, Modbus polling) are
	 * long-lived and idle between polls, hence an hour when established */
	o->flow.timeout[FLOW_TC_TCP_NEW] = 60;
	o->flow.timeout[FLOW_TC_TCP_ESTABLISHED] = 3600;
	o->flow.timeout[FLOW_TC_TCP_CLOSED] = 30;
	o->flow.timeout[FLOW_TC_UDP] = 120;
	o->flow.timeout[FLOW_TC_OTHER] = 60;
	o->tcp_ooo_bytes = 1024 * 1024;
	o->tcp_ooo_segs = 1024;
	o->reasm_memcap = 256ull * 1024 * 1024;
	o->app_memcap = 512ull * 1024 * 1024;
	o->frag_max = 1024;
	o->workers = 1; /* see pipeline_worker_count and README "Worker threads" */
	o->frag_timeout = 30;   /* Linux ipfrag_time */
	o->ndpi_tcp_pkts = 80;  /* ndpiReader's defaults, so labels compare */
	o->ndpi_udp_pkts = 24;
	o->ndpi_guess = true;
	o->out_backlog = 64ull * 1024 * 1024;
	o->hsms_enabled = true;
	o->hsms_records = 1; /* RECORDS_DEFAULT: all but routine messages */
	hsms_config_defaults(&o->hsms);
	o->modbus_enabled = true;
	o->modbus_records = 1; /* RECORDS_DEFAULT: all but routine reads */
	o->rules_enabled = true;
	o->max_hosts = 65536;
	o->report = true;
	o->evidence.ring_packets = 16;
	o->evidence.snap = 2048;
	o->evidence.after_packets = 32;
	o->evidence.memcap = 256ull << 20;
	o->evidence.max_bytes = 1024ull << 20;
	o->evidence.max_open = 256;
	o->syslog_facility = 16; /* local0 */
	o->syslog_queue = 10000;
	o->site = "fab";
	o->publish_drain = 10;
}

void options_usage(void)
{
	printf("fabmon %s - passive OT network monitoring sensor for semiconductor fabs\n"
	       "\n"
	       "Usage:\n"
	       "  fabmon [options] -r FILE|DIR|- [-r ...]          read captures (pcap, pcapng;\n"
	       "                                                   gzip, zstd, xz compressed)\n"
	       "  fabmon [options] -i IFACE                        capture live (mirror/SPAN port)\n"
	       "\n"
	       "Input:\n"
	       "  -r, --read PATH          capture file, or directory of captures (read in order of\n"
	       "                           their first packet), or - for standard input (once);\n"
	       "                           .gz/.zst/.xz are decompressed as read; repeatable\n"
	       "  -i, --interface IFACE    live capture interface ('any' for all)\n"
	       "  -f, --filter BPF         BPF filter expression (tcpdump syntax)\n"
	       "  -s, --snaplen BYTES      live snapshot length (default 262144: whole frames)\n"
	       "  -B, --buffer-size MIB    live kernel capture buffer (default 64)\n"
	       "      --no-promisc         do not put the interface in promiscuous mode\n"
	       "\n"
	       "Output:\n"
	       "  -o, --output DIR         write DIR/eve.json (EVE JSON Lines); without -o a summary\n"
	       "                           goes to stdout\n"
	       "      --append             with -r, append to DIR/eve.json (live mode always appends)\n"
	       "      --no-report          with -r and -o, skip the audit report written at the end\n"
	       "                           (DIR/report.html, report.json, matrix.csv, inventory.csv,\n"
	       "                           guideline.csv, exposure.csv;\n"
	       "                           'fabmon report DIR' writes it at any time)\n"
	       "      --report-lang ja|en  the language of that report.html (default en; ja: the\n"
	       "                           terms of METI's guideline; report.json stays English)\n"
	       "      --no-input-hash      do not hash the captures for the run record (it costs one\n"
	       "                           more read of each file: on slow disks, as long as the run)\n"
	       "      --stats-interval S   seconds between stats records in live mode (default 60)\n"
	       "      --sensor-name NAME   'host' field of every record (default: none)\n"
	       "      --output-backlog MIB records held in memory while the disk refuses writes\n"
	       "                           (default 64)\n"
	       "\n"
	       "Flows and reassembly:\n"
	       "      --workers N          worker threads, each with 1/N of the flows; live: one\n"
	       "                           socket each (PACKET_FANOUT) (default 1; 0: one per CPU)\n"
	       "      --cpus LIST          pin worker i to the i-th CPU of LIST (0,2 or 0-3; the\n"
	       "                           list repeats for more workers); other threads stay free\n"
	       "      --flows N            flow table capacity, preallocated (default 131072)\n"
	       "      --timeout CLASS=S    idle timeout in seconds for CLASS: tcp-new (60),\n"
	       "                           tcp-established (3600), tcp-closed (30), udp (120),\n"
	       "                           other (60); repeatable\n"
	       "      --tcp-ooo-bytes N    out-of-order bytes held per direction (default 1048576)\n"
	       "      --tcp-ooo-segments N out-of-order segments held per direction (default 1024)\n"
	       "      --reassembly-memcap MIB  all out-of-order data together (default 256)\n"
	       "      --app-memcap MIB     HSMS/Modbus state and message buffers of all flows\n"
	       "                           together (default 512)\n"
	       "      --frag-max N         IP datagrams in reassembly at once (default 1024)\n"
	       "      --frag-timeout S     (default 30)\n"
	       "      --ndpi-tcp-packets N nDPI gives up on a TCP flow after N packets (default 80)\n"
	       "      --ndpi-udp-packets N ... on a UDP flow (default 24)\n"
	       "      --no-ndpi-guess      do not let nDPI guess the protocol from ports\n"
	       "      --flow-records WHICH 'flow' records: connections (default: every flow\n"
	       "                           but half-open TCP attempts, which are summarised in\n"
	       "                           'flow_attempts' records) or all (a record per flow)\n"
	       "\n"
	       "HSMS / SECS-II / GEM (SEMI E37/E5/E30):\n"
	       "      --hsms-ports LIST    ports where HSMS is expected (default 5000); HSMS is also\n"
	       "                           found on any other port by a strict heuristic\n"
	       "      --hsms-max-message N a declared message length above N is an anomaly and\n"
	       "                           is not trusted (default 16777216)\n"
	       "      --hsms-decode-window N  bytes of each message decoded; the rest of a larger\n"
	       "                           message is skipped (default 65536)\n"
	       "      --hsms-t3 S          reply timeout for W-bit primaries (default 45)\n"
	       "      --hsms-records WHICH 'hsms' records, one per message: all, non-routine\n"
	       "                           (default: all but linktests, S6F11/F12 event reports\n"
	       "                           and S1F3/F4 status polls, counted in the flow record)\n"
	       "                           or none\n"
	       "      --no-hsms-records    the same as --hsms-records none\n"
	       "      --no-sml             no SML text in 'hsms' records\n"
	       "      --no-hsms            do not decode HSMS at all\n"
	       "\n"
	       "Modbus/TCP:\n"
	       "      --modbus-ports LIST  ports where Modbus/TCP is expected (default 502); it is\n"
	       "                           also found on other ports by a strict heuristic\n"
	       "      --modbus-records WHICH  'modbus' records, one per transaction: all,\n"
	       "                           non-read (default: all but reads answered without\n"
	       "                           exception or fault, counted in the flow record) or none\n"
	       "      --no-modbus-records  the same as --modbus-records none\n"
	       "      --no-modbus          do not decode Modbus/TCP at all\n"
	       "\n"
	       "Service:\n"
	       "  -u, --user USER          once the capture and the outputs are open, give the\n"
	       "                           output directory to USER and become USER (no\n"
	       "                           capabilities kept)\n"
	       "      --pidfile PATH       write the process id to PATH\n"
	       "\n"
	       "Zones, conduits and alerts:\n"
	       "  -c, --policy FILE        zone/conduit policy (YAML); default: the built-in\n"
	       "                           reference fab (zones/default-fab.yaml), which infers\n"
	       "                           roles from behaviour. SIGHUP re-reads FILE.\n"
	       "      --alert-window S     aggregate repeats of an alert for S seconds\n"
	       "                           (default: the policy's, 60)\n"
	       "      --alert-rate N       at most N new alert records per rule, source and minute\n"
	       "                           (default: the policy's, 100)\n"
	       "      --no-alerts          no rule engine: decode and record only\n"
	       "      --max-hosts N        hosts the rule engine learns roles of (default 65536,\n"
	       "                           272 bytes each); the last quarter is kept for\n"
	       "                           hosts that carry HSMS/Modbus or that the policy names\n"
	       "      --fail-on SEVERITY   exit 7 when an alert at or above SEVERITY (critical,\n"
	       "                           high, medium, low) was raised, for CI gating of a\n"
	       "                           replay; 0 when none (every hit counts, also those\n"
	       "                           aggregated or rate-limited)\n"
	       "      --evidence-packets N packets of each flow kept for evidence (default 16;\n"
	       "                           0: no evidence pcaps)\n"
	       "      --evidence-after N   packets of an alerting flow written after the alert\n"
	       "                           (default 32)\n"
	       "      --evidence-snap BYTES  bytes kept of each evidence packet (default 2048)\n"
	       "      --evidence-max-mb MB cap of DIR/evidence; the oldest files go first\n"
	       "                           (default 1024)\n"
	       "      --evidence-memcap-mb MB  memory for all flows' rings (default 256)\n"
	       "      --syslog udp://HOST[:PORT] | tcp://HOST[:PORT]\n"
	       "                           also send every alert to a syslog receiver (RFC 5424,\n"
	       "                           the alert's JSON as message; TCP with octet counting)\n"
	       "      --syslog-facility F  local0 (default) .. local7, daemon, user, ...\n"
	       "      --syslog-queue N     alerts held while the receiver is away (default 10000)\n"
	       "      --publish nats://HOST[:PORT][,nats://...]\n"
	       "                           also publish every record to NATS JetStream (stream\n"
	       "                           FABMON, subject fabmon.SITE.SENSOR.EVENT_TYPE); needs -o:\n"
	       "                           eve.json is the spool, DIR/publish.state its place\n"
	       "      --publish-types LIST only these event types (e.g. alert,asset,anomaly,flow,\n"
	       "                           stats,run,policy; default: every record)\n"
	       "      --site NAME          the subjects' site (default fab); the sensor is\n"
	       "                           --sensor-name (default: this host's name)\n"
	       "      --nats-creds FILE    NATS credentials (JWT and seed)\n"
	       "      --nats-tls-ca FILE   TLS to the servers, trusting these CA certificates\n"
	       "      --publish-drain S    -r: wait up to S seconds at the end for the servers to\n"
	       "                           acknowledge everything (default 10)\n"
	       "\n"
	       "Other commands:\n"
	       "  fabmon check-policy FILE|--builtin   validate a policy, print its zones and conduits\n"
	       "  fabmon learn -r CAPTURE... [-o FILE] [--zone-prefix N]\n"
	       "                                       write a draft policy from traffic known to be\n"
	       "                                       clean (zones: private /N subnets, default 16)\n"
	       "  fabmon rules                         list the built-in rules and their references\n"
	       "  fabmon report DIR [-o OUTDIR]        write the audit report of a run (report.html, ...)\n"
	       "  fabmon report DIR1 DIR2... -o OUTDIR one fab-wide report of several sensors' output\n"
	       "  fabmon collect URL -o DIR [--follow] the records sensors publish (--publish), each\n"
	       "                                       once, into DIR/eve.json ('fabmon collect --help')\n"
	       "  fabmon handoff DIR --alert ID|--rule RULE|... [-o OUT] [--tlp LEVEL] [--tar]\n"
	       "                                       write an incident bundle for the equipment\n"
	       "                                       vendor's PSIRT ('fabmon handoff --help')\n"
	       "\n"
	       "Other:\n"
	       "  -q, --quiet              errors only on stderr\n"
	       "  -v, --verbose            more diagnostics\n"
	       "  -V, --version            print version and exit\n"
	       "  -h, --help               this help\n"
	       "\n"
	       "Exit codes: 0 ok; 1 internal error; 2 bad command line; 3 an input could not be\n"
	       "opened (missing, not a capture, no permission, unknown interface); 4 an input was\n"
	       "damaged (processed up to the damage); 5 output could not be fully written;\n"
	       "6 the policy file could not be read or is invalid; 7 --fail-on: an alert at or\n"
	       "above the severity was raised (check-policy --fail-on warning: the policy has\n"
	       "warnings). 1-6 take precedence over 7: a run that failed is not a verdict.\n",
	       FABMON_VERSION);
}

int options_parse_severity(const char *s)
{
	static const char *const names[] = { "critical", "high", "medium", "low" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]) || (s[0] == '1' + i && !s[1]))
			return i + 1;
	return 0;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* "5000,6000" into a 0-terminated list of at most max ports */
static bool parse_ports(const char *arg, uint16_t *out, int max)
{
	int n = 0;
	const char *p = arg;
	while (*p) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (errno || end == p || v == 0 || v > 65535 || n >= max || (*end && *end != ','))
			return false;
		out[n++] = (uint16_t)v;
		p = *end ? end + 1 : end;
	}
	out[n] = 0;
	return n > 0;
}

static bool parse_timeout(struct options *o, const char *arg)
{
	static const struct {
		const char *name;
		enum flow_tclass tc;
	} classes[] = {
		{ "tcp-new", FLOW_TC_TCP_NEW },     { "tcp-established", FLOW_TC_TCP_ESTABLISHED },
		{ "tcp-closed", FLOW_TC_TCP_CLOSED }, { "udp", FLOW_TC_UDP },
		{ "other", FLOW_TC_OTHER },
	};
	const char *eq = strchr(arg, '=');
	if (!eq)
		return false;
	uint64_t v;
	if (!parse_u64(eq + 1, 1, 7 * 86400, &v))
		return false;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strlen(classes[i].name) == (size_t)(eq - arg) &&
		    strncmp(classes[i].name, arg, (size_t)(eq - arg)) == 0) {
			o->flow.timeout[classes[i].tc] = (uint32_t)v;
			return true;
		}
	}
	return false;
}

/*
 * The options of a run, one row each. A row names the option (long name,
 * short letter), what it takes, and where its value goes: a flag stores a
 * constant, a text keeps the argument, a number is checked against a range
 * and scaled into its field, anything else has a small setter. `bad` is
 * what a bad value is told ("bad value 'X': <bad>").
 *
 * The rows keep the order getopt_long has always seen: it lists the
 * candidates of an ambiguous abbreviation in this order. The usage text is
 * written by hand (options_usage): its sections and wording do not follow
 * this order.
 */
enum opt_kind {
	OPT_FLAG,   /* no argument: `value` into the field */
	OPT_TEXT,   /* the argument itself into the field */
	OPT_NUMBER, /* min..max, times `scale`, into the field */
	OPT_SETTER, /* `set` decides (takes an argument when `has_arg`) */
};

/* The type of the field a row writes, found by _Generic from the field
 * itself, so a row cannot write the wrong width. */
enum opt_field { FIELD_NONE, FIELD_BOOL, FIELD_INT, FIELD_U16, FIELD_U32, FIELD_U64, FIELD_TEXT };

enum set_result {
	SET_OK,
	SET_BAD,    /* a bad value: the caller reports it with the row's `bad` */
	SET_FAILED, /* an error the setter reported itself */
	SET_EXIT,   /* done (help, version): exit 0 */
};

struct opt_spec {
	const char *name;
	char letter;        /* 0: long name only */
	enum opt_kind kind;
	bool has_arg;
	size_t offset;      /* of the field in struct options */
	enum opt_field field;
	uint64_t value;     /* OPT_FLAG */
	uint64_t min, max;  /* OPT_NUMBER */
	uint64_t scale;     /* OPT_NUMBER: the field's unit per unit of the argument */
	enum set_result (*set)(struct options *o, const char *arg);
	const char *bad;
};

#define FIELD_TYPE(x)                                                                 \
	_Generic((x), bool: FIELD_BOOL, int: FIELD_INT, uint16_t: FIELD_U16,          \
		 uint32_t: FIELD_U32, uint64_t: FIELD_U64, const char *: FIELD_TEXT)
#define FIELD(f) .offset = offsetof(struct options, f), .field = FIELD_TYPE(((struct options *)0)->f)

#define FLAG(name, f, v) { name, 0, OPT_FLAG, false, FIELD(f), .value = (v) }
#define TEXT(name, letter, f) { name, letter, OPT_TEXT, true, FIELD(f) }
#define NUMBER(name, letter, f, lo, hi, sc, why) \
	{ name, letter, OPT_NUMBER, true, FIELD(f), .min = (lo), .max = (hi), .scale = (sc), .bad = (why) }
#define SETTER(name, letter, arg, fn, why) \
	{ name, letter, OPT_SETTER, arg, .set = (fn), .bad = (why) }

static enum set_result add_input(struct options *o, const char *arg)
{
	if (o->n_inputs >= OPT_MAX_INPUTS) {
		log_error("too many -r arguments (at most %d); pass a directory instead", OPT_MAX_INPUTS);
		return SET_FAILED;
	}
	if (strcmp(arg, "-") == 0) {
		for (int k = 0; k < o->n_inputs; k++)
			if (strcmp(o->inputs[k], "-") == 0) {
				log_error("-r - (standard input) can be read only once");
				return SET_FAILED;
			}
	}
	o->inputs[o->n_inputs++] = arg;
	return SET_OK;
}

static enum set_result set_fail_on(struct options *o, const char *arg)
{
	o->fail_on = options_parse_severity(arg);
	return o->fail_on ? SET_OK : SET_BAD;
}

static enum set_result set_report_lang(struct options *o, const char *arg)
{
	if (strcmp(arg, "ja") != 0 && strcmp(arg, "en") != 0)
		return SET_BAD;
	o->report_lang = arg;
	return SET_OK;
}

static enum set_result set_timeout(struct options *o, const char *arg)
{
	return parse_timeout(o, arg) ? SET_OK : SET_BAD;
}

static enum set_result set_cpus(struct options *o, const char *arg)
{
	char why[128];
	int n = cpu_list_parse(arg, o->cpus, OPT_MAX_WORKERS, why, sizeof(why));
	if (n < 0) {
		log_error("bad value '%s': --cpus: %s", arg, why);
		return SET_FAILED;
	}
	for (int i = 0; i < n; i++)
		if (!cpu_list_is_allowed(o->cpus[i])) {
			char allowed[256] = "";
			cpu_list_allowed(allowed, sizeof(allowed));
			log_error("bad value '%s': --cpus: fabmon may not run on CPU %u (it may on %s)",
				  arg, (unsigned)o->cpus[i], allowed[0] ? allowed : "none the kernel names");
			return SET_FAILED;
		}
	o->n_cpus = (unsigned)n;
	return SET_OK;
}

static enum set_result set_hsms_ports(struct options *o, const char *arg)
{
	return parse_ports(arg, o->hsms_ports, 16) ? SET_OK : SET_BAD;
}

static enum set_result set_modbus_ports(struct options *o, const char *arg)
{
	return parse_ports(arg, o->modbus_ports, 16) ? SET_OK : SET_BAD;
}

const char *const options_hsms_levels[3] = { "none", "non-routine", "all" };
const char *const options_modbus_levels[3] = { "none", "non-read", "all" };

/* A record level by its name: its index in names (enum eve_records). */
static enum set_result set_level(int *level, const char *arg, const char *const names[3])
{
	for (int i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0) {
			*level = i;
			return SET_OK;
		}
	return SET_BAD;
}

static enum set_result set_hsms_records(struct options *o, const char *arg)
{
	return set_level(&o->hsms_records, arg, options_hsms_levels);
}

static enum set_result set_modbus_records(struct options *o, const char *arg)
{
	return set_level(&o->modbus_records, arg, options_modbus_levels);
}

static enum set_result set_flow_records(struct options *o, const char *arg)
{
	if (strcmp(arg, "all") == 0)
		o->flow_records_all = true;
	else if (strcmp(arg, "connections") == 0)
		o->flow_records_all = false;
	else
		return SET_BAD;
	return SET_OK;
}

static enum set_result set_syslog(struct options *o, const char *arg)
{
	struct syslog_config sc;
	char why[128];
	memset(&sc, 0, sizeof(sc));
	if (!syslog_parse_target(arg, &sc, why, sizeof(why))) {
		log_error("bad value '%s': --syslog: %s", arg, why);
		return SET_FAILED;
	}
	o->syslog = arg;
	return SET_OK;
}

static enum set_result set_publish(struct options *o, const char *arg)
{
	char why[256];
	if (!publish_parse_servers(arg, why, sizeof(why))) {
		log_error("bad value '%s': --publish: %s", arg, why);
		return SET_FAILED;
	}
	o->publish = arg;
	return SET_OK;
}

static enum set_result set_publish_types(struct options *o, const char *arg)
{
	char why[256];
	if (!publish_parse_types(arg, why, sizeof(why))) {
		log_error("bad value '%s': --publish-types: %s", arg, why);
		return SET_FAILED;
	}
	o->publish_types = arg;
	return SET_OK;
}

static enum set_result set_syslog_facility(struct options *o, const char *arg)
{
	int f = syslog_facility_parse(arg);
	if (f < 0)
		return SET_BAD;
	o->syslog_facility = f;
	return SET_OK;
}

static enum set_result quieter(struct options *o, const char *arg)
{
	(void)arg;
	o->verbosity--;
	return SET_OK;
}

static enum set_result louder(struct options *o, const char *arg)
{
	(void)arg;
	o->verbosity++;
	return SET_OK;
}

static enum set_result print_version(struct options *o, const char *arg)
{
	(void)o;
	(void)arg;
	printf("fabmon %s\n", FABMON_VERSION);
	return SET_EXIT;
}

static enum set_result print_usage(struct options *o, const char *arg)
{
	(void)o;
	(void)arg;
	options_usage();
	return SET_EXIT;
}

#define MIB (1ull << 20)

static const struct opt_spec opt_specs[] = {
	SETTER("read", 'r', true, add_input, NULL),
	TEXT("interface", 'i', iface),
	TEXT("filter", 'f', bpf),
	TEXT("output", 'o', outdir),
	NUMBER("snaplen", 's', snaplen, 64, 262144, 1, "--snaplen takes 64..262144"),
	NUMBER("buffer-size", 'B', buffer_mib, 1, 4096, 1, "--buffer-size takes 1..4096 (MiB)"),
	FLAG("no-promisc", promisc, false),
	FLAG("append", append, true),
	FLAG("no-report", report, false),
	SETTER("report-lang", 0, true, set_report_lang, "--report-lang takes ja or en"),
	SETTER("fail-on", 0, true, set_fail_on, "--fail-on takes critical, high, medium or low"),
	FLAG("no-input-hash", no_input_hash, true),
	NUMBER("stats-interval", 0, stats_interval, 1, 86400, 1,
	       "--stats-interval takes 1..86400 seconds"),
	TEXT("sensor-name", 0, sensor_name),
	NUMBER("output-backlog", 0, out_backlog, 1, 65536, MIB, "--output-backlog takes 1..65536 (MiB)"),
	NUMBER("flows", 0, flow.capacity, 16, 64u * 1024 * 1024, 1, "--flows takes 16..67108864"),
	SETTER("timeout", 0, true, set_timeout,
	       "--timeout takes CLASS=SECONDS, CLASS one of tcp-new, tcp-established, tcp-closed, "
	       "udp, other"),
	NUMBER("tcp-ooo-bytes", 0, tcp_ooo_bytes, 0, 1ull << 30, 1, "--tcp-ooo-bytes takes 0..1073741824"),
	NUMBER("tcp-ooo-segments", 0, tcp_ooo_segs, 0, 65535, 1, "--tcp-ooo-segments takes 0..65535"),
	NUMBER("app-memcap", 0, app_memcap, 1, 1u << 20, MIB, "--app-memcap takes 1..1048576 (MiB)"),
	NUMBER("reassembly-memcap", 0, reasm_memcap, 1, 1u << 20, MIB,
	       "--reassembly-memcap takes 1..1048576 (MiB)"),
	NUMBER("workers", 0, workers, 0, OPT_MAX_WORKERS, 1, "--workers takes 0..64 (0: the online CPUs)"),
	SETTER("cpus", 0, true, set_cpus, NULL),
	NUMBER("frag-max", 0, frag_max, 1, 1u << 20, 1, "--frag-max takes 1..1048576"),
	NUMBER("frag-timeout", 0, frag_timeout, 1, 3600, 1, "--frag-timeout takes 1..3600 seconds"),
	NUMBER("ndpi-tcp-packets", 0, ndpi_tcp_pkts, 1, 65535, 1, "--ndpi-tcp-packets takes 1..65535"),
	NUMBER("ndpi-udp-packets", 0, ndpi_udp_pkts, 1, 65535, 1, "--ndpi-udp-packets takes 1..65535"),
	FLAG("no-ndpi-guess", ndpi_guess, false),
	SETTER("hsms-ports", 0, true, set_hsms_ports,
	       "--hsms-ports takes up to 16 ports, comma-separated (e.g. 5000,6000)"),
	FLAG("no-hsms", hsms_enabled, false),
	FLAG("no-hsms-records", hsms_records, 0),
	SETTER("hsms-records", 0, true, set_hsms_records,
	       "--hsms-records takes all, non-routine or none"),
	NUMBER("hsms-max-message", 0, hsms.max_message, 64, 1u << 30, 1,
	       "--hsms-max-message takes 64..1073741824 bytes"),
	NUMBER("hsms-decode-window", 0, hsms.decode_window, 1024, 16u << 20, 1,
	       "--hsms-decode-window takes 1024..16777216 bytes"),
	NUMBER("hsms-t3", 0, hsms.t3_ms, 1, 3600, 1000, "--hsms-t3 takes 1..3600 seconds"),
	FLAG("no-sml", hsms.sml, false),
	SETTER("modbus-ports", 0, true, set_modbus_ports,
	       "--modbus-ports takes up to 16 ports, comma-separated (e.g. 502,5020)"),
	FLAG("no-modbus", modbus_enabled, false),
	FLAG("no-modbus-records", modbus_records, 0),
	SETTER("modbus-records", 0, true, set_modbus_records,
	       "--modbus-records takes all, non-read or none"),
	SETTER("flow-records", 0, true, set_flow_records,
	       "--flow-records takes connections or all"),
	TEXT("policy", 'c', policy),
	NUMBER("alert-window", 0, alert_window, 1, 86400, 1, "--alert-window takes 1..86400 seconds"),
	NUMBER("alert-rate", 0, alert_rate, 1, 1000000, 1, "--alert-rate takes 1..1000000"),
	FLAG("no-alerts", rules_enabled, false),
	NUMBER("max-hosts", 0, max_hosts, 16, 16u * 1024 * 1024, 1, "--max-hosts takes 16..16777216"),
	NUMBER("evidence-packets", 0, evidence.ring_packets, 0, 1024, 1,
	       "--evidence-packets takes 0..1024"),
	NUMBER("evidence-after", 0, evidence.after_packets, 0, 1000000, 1,
	       "--evidence-after takes 0..1000000"),
	NUMBER("evidence-snap", 0, evidence.snap, 64, 262144, 1, "--evidence-snap takes 64..262144 bytes"),
	NUMBER("evidence-max-mb", 0, evidence.max_bytes, 1, 1u << 24, MIB,
	       "--evidence-max-mb takes 1..16777216"),
	NUMBER("evidence-memcap-mb", 0, evidence.memcap, 1, 1u << 20, MIB,
	       "--evidence-memcap-mb takes 1..1048576"),
	SETTER("syslog", 0, true, set_syslog, NULL),
	SETTER("publish", 0, true, set_publish, NULL),
	SETTER("publish-types", 0, true, set_publish_types, NULL),
	TEXT("site", 0, site),
	TEXT("nats-creds", 0, nats_creds),
	TEXT("nats-tls-ca", 0, nats_tls_ca),
	NUMBER("publish-drain", 0, publish_drain, 0, 3600, 1, "--publish-drain takes 0..3600 seconds"),
	TEXT("user", 'u', user),
	TEXT("pidfile", 0, pidfile),
	SETTER("syslog-facility", 0, true, set_syslog_facility,
	       "--syslog-facility takes local0..local7, daemon, user, auth, ..."),
	NUMBER("syslog-queue", 0, syslog_queue, 1, 10000000, 1, "--syslog-queue takes 1..10000000"),
	SETTER("quiet", 'q', false, quieter, NULL),
	SETTER("verbose", 'v', false, louder, NULL),
	SETTER("version", 'V', false, print_version, NULL),
	SETTER("help", 'h', false, print_usage, NULL),
};

#define N_OPT_SPECS (sizeof(opt_specs) / sizeof(opt_specs[0]))

/* getopt_long returns the short letter of a row that has one, and
 * OPT_LONG_ONLY + its index for a row that has none. */
#define OPT_LONG_ONLY 256

static void store(struct options *o, const struct opt_spec *s, uint64_t v, const char *text)
{
	void *at = (char *)o + s->offset;
	switch (s->field) {
	case FIELD_BOOL: *(bool *)at = v != 0; break;
	case FIELD_INT: *(int *)at = (int)v; break;
	case FIELD_U16: *(uint16_t *)at = (uint16_t)v; break;
	case FIELD_U32: *(uint32_t *)at = (uint32_t)v; break;
	case FIELD_U64: *(uint64_t *)at = v; break;
	case FIELD_TEXT: *(const char **)at = text; break;
	case FIELD_NONE: break;
	}
}

static enum set_result apply(struct options *o, const struct opt_spec *s, const char *arg)
{
	uint64_t v;
	switch (s->kind) {
	case OPT_FLAG:
		store(o, s, s->value, NULL);
		return SET_OK;
	case OPT_TEXT:
		store(o, s, 0, arg);
		return SET_OK;
	case OPT_NUMBER:
		if (!parse_u64(arg, s->min, s->max, &v))
			return SET_BAD;
		store(o, s, v * s->scale, NULL);
		return SET_OK;
	case OPT_SETTER:
		return s->set(o, arg);
	}
	return SET_BAD;
}

/* getopt_long's view of the table: its long options and short letters */
static void getopt_tables(struct option *longopts, char *shortopts)
{
	for (size_t i = 0; i < N_OPT_SPECS; i++) {
		const struct opt_spec *s = &opt_specs[i];
		longopts[i] = (struct option){
			s->name, s->has_arg ? required_argument : no_argument, NULL,
			s->letter ? s->letter : OPT_LONG_ONLY + (int)i,
		};
		if (s->letter) {
			*shortopts++ = s->letter;
			if (s->has_arg)
				*shortopts++ = ':';
		}
	}
	longopts[N_OPT_SPECS] = (struct option){ NULL, 0, NULL, 0 };
	*shortopts = '\0';
}

static const struct opt_spec *spec_of(int c)
{
	if (c >= OPT_LONG_ONLY)
		return c - OPT_LONG_ONLY < (int)N_OPT_SPECS ? &opt_specs[c - OPT_LONG_ONLY] : NULL;
	for (size_t i = 0; i < N_OPT_SPECS; i++)
		if (opt_specs[i].letter && opt_specs[i].letter == c)
			return &opt_specs[i];
	return NULL;
}

/* What no single option can tell: the arguments left over and the
 * combinations that make no run. */
static int check_run_options(const struct options *o, int argc, char **argv)
{
	if (optind < argc) {
		log_error("unexpected argument '%s' (captures are given with -r)", argv[optind]);
		return -1;
	}
	if (!o->iface && o->n_inputs == 0) {
		log_error("nothing to read: give -r FILE|DIR or -i IFACE (see fabmon --help)");
		return -1;
	}
	if (o->iface && o->n_inputs) {
		log_error("-r and -i cannot be combined: one run reads files or one interface");
		return -1;
	}
	if (o->publish && !o->outdir) {
		log_error("--publish needs -o DIR: DIR/eve.json is what it sends, and keeps what the "
			  "servers have not acknowledged yet");
		return -1;
	}
	char err[512];
	if (o->publish && !publish_check_security(o->nats_creds, o->nats_tls_ca, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	if ((o->nats_creds || o->nats_tls_ca) && !o->publish) {
		log_error("--nats-creds and --nats-tls-ca are for the servers of --publish: give "
			  "--publish too");
		return -1;
	}
	if (o->publish_types && !o->publish) {
		log_error("--publish-types says which records --publish sends: give --publish too");
		return -1;
	}
	if (o->fail_on && !o->rules_enabled) {
		log_error("--fail-on needs the rule engine: it cannot be combined with --no-alerts");
		return -1;
	}
	return 0;
}

int options_parse(struct options *o, int argc, char **argv)
{
	struct option longopts[N_OPT_SPECS + 1];
	char shortopts[2 * N_OPT_SPECS + 1];
	getopt_tables(longopts, shortopts);
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct opt_spec *s = spec_of(c);
		if (!s) { /* getopt_long said what is wrong */
			fprintf(stderr, "Try 'fabmon --help'.\n");
			return -1;
		}
		switch (apply(o, s, optarg)) {
		case SET_OK: break;
		case SET_BAD: log_error("bad value '%s': %s", optarg, s->bad); return -1;
		case SET_FAILED: return -1;
		case SET_EXIT: return 1;
		}
	}
	return check_run_options(o, argc, argv);
}
