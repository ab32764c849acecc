/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
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
	o->frag_max = 1024;
	o->frag_timeout = 30;   /* Linux ipfrag_time */
	o->ndpi_tcp_pkts = 80;  /* ndpiReader's defaults, so labels compare */
	o->ndpi_udp_pkts = 24;
	o->ndpi_guess = true;
	o->out_backlog = 64ull * 1024 * 1024;
	o->hsms_enabled = true;
	o->hsms_records = true;
	hsms_config_defaults(&o->hsms);
	o->modbus_enabled = true;
	o->modbus_records = 1; /* RECORDS_DEFAULT: all but routine reads */
	o->rules_enabled = true;
	o->report = true;
	o->evidence.ring_packets = 16;
	o->evidence.snap = 2048;
	o->evidence.after_packets = 32;
	o->evidence.memcap = 256ull << 20;
	o->evidence.max_bytes = 1024ull << 20;
	o->evidence.max_open = 256;
	o->syslog_facility = 16; /* local0 */
	o->syslog_queue = 10000;
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
	       "                           (DIR/report.html, report.json, matrix.csv, inventory.csv;\n"
	       "                           'fabmon report DIR' writes it at any time)\n"
	       "      --no-input-hash      do not hash the captures for the run record (it costs one\n"
	       "                           more read of each file: on slow disks, as long as the run)\n"
	       "      --stats-interval S   seconds between stats records in live mode (default 60)\n"
	       "      --sensor-name NAME   'host' field of every record (default: none)\n"
	       "      --output-backlog MIB records held in memory while the disk refuses writes\n"
	       "                           (default 64)\n"
	       "\n"
	       "Flows and reassembly:\n"
	       "      --flows N            flow table capacity, preallocated (default 131072)\n"
	       "      --timeout CLASS=S    idle timeout in seconds for CLASS: tcp-new (60),\n"
	       "                           tcp-established (3600), tcp-closed (30), udp (120),\n"
	       "                           other (60); repeatable\n"
	       "      --tcp-ooo-bytes N    out-of-order bytes held per direction (default 1048576)\n"
	       "      --tcp-ooo-segments N out-of-order segments held per direction (default 1024)\n"
	       "      --reassembly-memcap MIB  all out-of-order data together (default 256)\n"
	       "      --frag-max N         IP datagrams in reassembly at once (default 1024)\n"
	       "      --frag-timeout S     (default 30)\n"
	       "      --ndpi-tcp-packets N nDPI gives up on a TCP flow after N packets (default 80)\n"
	       "      --ndpi-udp-packets N ... on a UDP flow (default 24)\n"
	       "      --no-ndpi-guess      do not let nDPI guess the protocol from ports\n"
	       "\n"
	       "HSMS / SECS-II / GEM (SEMI E37/E5/E30):\n"
	       "      --hsms-ports LIST    ports where HSMS is expected (default 5000); HSMS is also\n"
	       "                           found on any other port by a strict heuristic\n"
	       "      --hsms-max-message N a declared message length above N is an anomaly and\n"
	       "                           is not trusted (default 16777216)\n"
	       "      --hsms-decode-window N  bytes of each message decoded; the rest of a larger\n"
	       "                           message is skipped (default 65536)\n"
	       "      --hsms-t3 S          reply timeout for W-bit primaries (default 45)\n"
	       "      --no-hsms-records    decode HSMS but write no per-message 'hsms' records\n"
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
	       "\n"
	       "Other commands:\n"
	       "  fabmon check-policy FILE|--builtin   validate a policy, print its zones and conduits\n"
	       "  fabmon learn -r CAPTURE... [-o FILE] [--zone-prefix N]\n"
	       "                                       write a draft policy from traffic known to be\n"
	       "                                       clean (zones: private /N subnets, default 16)\n"
	       "  fabmon rules                         list the built-in rules and their references\n"
	       "  fabmon report DIR [-o OUTDIR]        write the audit report of a run (report.html, ...)\n"
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

enum {
	OPT_NO_PROMISC = 256,
	OPT_APPEND,
	OPT_NO_REPORT,
	OPT_NO_INPUT_HASH,
	OPT_STATS_INTERVAL,
	OPT_SENSOR_NAME,
	OPT_BACKLOG,
	OPT_FLOWS,
	OPT_TIMEOUT,
	OPT_OOO_BYTES,
	OPT_OOO_SEGS,
	OPT_MEMCAP,
	OPT_FRAG_MAX,
	OPT_FRAG_TIMEOUT,
	OPT_NDPI_TCP,
	OPT_NDPI_UDP,
	OPT_NO_GUESS,
	OPT_HSMS_PORTS,
	OPT_NO_HSMS,
	OPT_NO_HSMS_RECORDS,
	OPT_HSMS_MAX,
	OPT_HSMS_WINDOW,
	OPT_HSMS_T3,
	OPT_NO_SML,
	OPT_MODBUS_PORTS,
	OPT_NO_MODBUS,
	OPT_NO_MODBUS_RECORDS,
	OPT_MODBUS_RECORDS,
	OPT_ALERT_WINDOW,
	OPT_ALERT_RATE,
	OPT_NO_ALERTS,
	OPT_EV_PACKETS,
	OPT_EV_AFTER,
	OPT_EV_SNAP,
	OPT_EV_MAX,
	OPT_EV_MEMCAP,
	OPT_PIDFILE,
	OPT_SYSLOG,
	OPT_SYSLOG_FACILITY,
	OPT_SYSLOG_QUEUE,
	OPT_FAIL_ON,
};

int options_parse(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "no-promisc", no_argument, NULL, OPT_NO_PROMISC },
		{ "append", no_argument, NULL, OPT_APPEND },
		{ "no-report", no_argument, NULL, OPT_NO_REPORT },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "no-input-hash", no_argument, NULL, OPT_NO_INPUT_HASH },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "sensor-name", required_argument, NULL, OPT_SENSOR_NAME },
		{ "output-backlog", required_argument, NULL, OPT_BACKLOG },
		{ "flows", required_argument, NULL, OPT_FLOWS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "tcp-ooo-bytes", required_argument, NULL, OPT_OOO_BYTES },
		{ "tcp-ooo-segments", required_argument, NULL, OPT_OOO_SEGS },
		{ "reassembly-memcap", required_argument, NULL, OPT_MEMCAP },
		{ "frag-max", required_argument, NULL, OPT_FRAG_MAX },
		{ "frag-timeout", required_argument, NULL, OPT_FRAG_TIMEOUT },
		{ "ndpi-tcp-packets", required_argument, NULL, OPT_NDPI_TCP },
		{ "ndpi-udp-packets", required_argument, NULL, OPT_NDPI_UDP },
		{ "no-ndpi-guess", no_argument, NULL, OPT_NO_GUESS },
		{ "hsms-ports", required_argument, NULL, OPT_HSMS_PORTS },
		{ "no-hsms", no_argument, NULL, OPT_NO_HSMS },
		{ "no-hsms-records", no_argument, NULL, OPT_NO_HSMS_RECORDS },
		{ "hsms-max-message", required_argument, NULL, OPT_HSMS_MAX },
		{ "hsms-decode-window", required_argument, NULL, OPT_HSMS_WINDOW },
		{ "hsms-t3", required_argument, NULL, OPT_HSMS_T3 },
		{ "no-sml", no_argument, NULL, OPT_NO_SML },
		{ "modbus-ports", required_argument, NULL, OPT_MODBUS_PORTS },
		{ "no-modbus", no_argument, NULL, OPT_NO_MODBUS },
		{ "no-modbus-records", no_argument, NULL, OPT_NO_MODBUS_RECORDS },
		{ "modbus-records", required_argument, NULL, OPT_MODBUS_RECORDS },
		{ "policy", required_argument, NULL, 'c' },
		{ "alert-window", required_argument, NULL, OPT_ALERT_WINDOW },
		{ "alert-rate", required_argument, NULL, OPT_ALERT_RATE },
		{ "no-alerts", no_argument, NULL, OPT_NO_ALERTS },
		{ "evidence-packets", required_argument, NULL, OPT_EV_PACKETS },
		{ "evidence-after", required_argument, NULL, OPT_EV_AFTER },
		{ "evidence-snap", required_argument, NULL, OPT_EV_SNAP },
		{ "evidence-max-mb", required_argument, NULL, OPT_EV_MAX },
		{ "evidence-memcap-mb", required_argument, NULL, OPT_EV_MEMCAP },
		{ "syslog", required_argument, NULL, OPT_SYSLOG },
		{ "user", required_argument, NULL, 'u' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "syslog-facility", required_argument, NULL, OPT_SYSLOG_FACILITY },
		{ "syslog-queue", required_argument, NULL, OPT_SYSLOG_QUEUE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:i:f:o:s:B:c:u:qvVh", longopts, NULL)) != -1) {
		const char *bad = NULL;
		switch (c) {
		case 'r':
			if (o->n_inputs >= OPT_MAX_INPUTS) {
				log_error("too many -r arguments (at most %d); pass a directory instead",
					  OPT_MAX_INPUTS);
				return -1;
			}
			if (strcmp(optarg, "-") == 0) {
				for (int k = 0; k < o->n_inputs; k++)
					if (strcmp(o->inputs[k], "-") == 0) {
						log_error("-r - (standard input) can be read only once");
						return -1;
					}
			}
			o->inputs[o->n_inputs++] = optarg;
			break;
		case 'i': o->iface = optarg; break;
		case 'f': o->bpf = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 's':
			if (!parse_u64(optarg, 64, 262144, &v)) bad = "--snaplen takes 64..262144";
			else o->snaplen = (int)v;
			break;
		case 'B':
			if (!parse_u64(optarg, 1, 4096, &v)) bad = "--buffer-size takes 1..4096 (MiB)";
			else o->buffer_mib = (int)v;
			break;
		case OPT_NO_PROMISC: o->promisc = false; break;
		case OPT_APPEND: o->append = true; break;
		case OPT_NO_REPORT: o->report = false; break;
		case OPT_FAIL_ON:
			o->fail_on = options_parse_severity(optarg);
			if (!o->fail_on)
				bad = "--fail-on takes critical, high, medium or low";
			break;
		case OPT_NO_INPUT_HASH: o->no_input_hash = true; break;
		case OPT_STATS_INTERVAL:
			if (!parse_u64(optarg, 1, 86400, &v)) bad = "--stats-interval takes 1..86400 seconds";
			else o->stats_interval = (uint32_t)v;
			break;
		case OPT_SENSOR_NAME: o->sensor_name = optarg; break;
		case OPT_BACKLOG:
			if (!parse_u64(optarg, 1, 65536, &v)) bad = "--output-backlog takes 1..65536 (MiB)";
			else o->out_backlog = v * 1024 * 1024;
			break;
		case OPT_FLOWS:
			if (!parse_u64(optarg, 16, 64u * 1024 * 1024, &v)) bad = "--flows takes 16..67108864";
			else o->flow.capacity = (uint32_t)v;
			break;
		case OPT_TIMEOUT:
			if (!parse_timeout(o, optarg))
				bad = "--timeout takes CLASS=SECONDS, CLASS one of tcp-new, tcp-established, "
				      "tcp-closed, udp, other";
			break;
		case OPT_OOO_BYTES:
			if (!parse_u64(optarg, 0, 1ull << 30, &v)) bad = "--tcp-ooo-bytes takes 0..1073741824";
			else o->tcp_ooo_bytes = (uint32_t)v;
			break;
		case OPT_OOO_SEGS:
			if (!parse_u64(optarg, 0, 65535, &v)) bad = "--tcp-ooo-segments takes 0..65535";
			else o->tcp_ooo_segs = (uint16_t)v;
			break;
		case OPT_MEMCAP:
			if (!parse_u64(optarg, 1, 1u << 20, &v)) bad = "--reassembly-memcap takes 1..1048576 (MiB)";
			else o->reasm_memcap = v * 1024 * 1024;
			break;
		case OPT_FRAG_MAX:
			if (!parse_u64(optarg, 1, 1u << 20, &v)) bad = "--frag-max takes 1..1048576";
			else o->frag_max = (uint32_t)v;
			break;
		case OPT_FRAG_TIMEOUT:
			if (!parse_u64(optarg, 1, 3600, &v)) bad = "--frag-timeout takes 1..3600 seconds";
			else o->frag_timeout = (uint32_t)v;
			break;
		case OPT_NDPI_TCP:
			if (!parse_u64(optarg, 1, 65535, &v)) bad = "--ndpi-tcp-packets takes 1..65535";
			else o->ndpi_tcp_pkts = (uint16_t)v;
			break;
		case OPT_NDPI_UDP:
			if (!parse_u64(optarg, 1, 65535, &v)) bad = "--ndpi-udp-packets takes 1..65535";
			else o->ndpi_udp_pkts = (uint16_t)v;
			break;
		case OPT_NO_GUESS: o->ndpi_guess = false; break;
		case OPT_HSMS_PORTS:
			if (!parse_ports(optarg, o->hsms_ports, 16))
				bad = "--hsms-ports takes up to 16 ports, comma-separated (e.g. 5000,6000)";
			break;
		case OPT_NO_HSMS: o->hsms_enabled = false; break;
		case OPT_NO_HSMS_RECORDS: o->hsms_records = false; break;
		case OPT_HSMS_MAX:
			if (!parse_u64(optarg, 64, 1u << 30, &v)) bad = "--hsms-max-message takes 64..1073741824 bytes";
			else o->hsms.max_message = (uint32_t)v;
			break;
		case OPT_HSMS_WINDOW:
			if (!parse_u64(optarg, 1024, 16u << 20, &v)) bad = "--hsms-decode-window takes 1024..16777216 bytes";
			else o->hsms.decode_window = (uint32_t)v;
			break;
		case OPT_HSMS_T3:
			if (!parse_u64(optarg, 1, 3600, &v)) bad = "--hsms-t3 takes 1..3600 seconds";
			else o->hsms.t3_ms = (uint32_t)v * 1000;
			break;
		case OPT_NO_SML: o->hsms.sml = false; break;
		case OPT_MODBUS_PORTS:
			if (!parse_ports(optarg, o->modbus_ports, 16))
				bad = "--modbus-ports takes up to 16 ports, comma-separated (e.g. 502,5020)";
			break;
		case OPT_NO_MODBUS: o->modbus_enabled = false; break;
		case OPT_NO_MODBUS_RECORDS: o->modbus_records = 0; break;
		case OPT_MODBUS_RECORDS:
			if (strcmp(optarg, "all") == 0)
				o->modbus_records = 2;
			else if (strcmp(optarg, "non-read") == 0)
				o->modbus_records = 1;
			else if (strcmp(optarg, "none") == 0)
				o->modbus_records = 0;
			else
				bad = "--modbus-records takes all, non-read or none";
			break;
		case 'c': o->policy = optarg; break;
		case 'u': o->user = optarg; break;
		case OPT_PIDFILE: o->pidfile = optarg; break;
		case OPT_ALERT_WINDOW:
			if (!parse_u64(optarg, 1, 86400, &v)) bad = "--alert-window takes 1..86400 seconds";
			else o->alert_window = (uint32_t)v;
			break;
		case OPT_ALERT_RATE:
			if (!parse_u64(optarg, 1, 1000000, &v)) bad = "--alert-rate takes 1..1000000";
			else o->alert_rate = (uint32_t)v;
			break;
		case OPT_NO_ALERTS: o->rules_enabled = false; break;
		case OPT_EV_PACKETS:
			if (!parse_u64(optarg, 0, 1024, &v)) bad = "--evidence-packets takes 0..1024";
			else o->evidence.ring_packets = (uint16_t)v;
			break;
		case OPT_EV_AFTER:
			if (!parse_u64(optarg, 0, 1000000, &v)) bad = "--evidence-after takes 0..1000000";
			else o->evidence.after_packets = (uint32_t)v;
			break;
		case OPT_EV_SNAP:
			if (!parse_u64(optarg, 64, 262144, &v)) bad = "--evidence-snap takes 64..262144 bytes";
			else o->evidence.snap = (uint32_t)v;
			break;
		case OPT_EV_MAX:
			if (!parse_u64(optarg, 1, 1u << 24, &v)) bad = "--evidence-max-mb takes 1..16777216";
			else o->evidence.max_bytes = v << 20;
			break;
		case OPT_SYSLOG: {
			struct syslog_config sc;
			char why[128];
			memset(&sc, 0, sizeof(sc));
			if (!syslog_parse_target(optarg, &sc, why, sizeof(why))) {
				log_error("bad value '%s': --syslog: %s", optarg, why);
				return -1;
			}
			o->syslog = optarg;
			break;
		}
		case OPT_SYSLOG_FACILITY: {
			int f = syslog_facility_parse(optarg);
			if (f < 0) bad = "--syslog-facility takes local0..local7, daemon, user, auth, ...";
			else o->syslog_facility = f;
			break;
		}
		case OPT_SYSLOG_QUEUE:
			if (!parse_u64(optarg, 1, 10000000, &v)) bad = "--syslog-queue takes 1..10000000";
			else o->syslog_queue = (uint32_t)v;
			break;
		case OPT_EV_MEMCAP:
			if (!parse_u64(optarg, 1, 1u << 20, &v)) bad = "--evidence-memcap-mb takes 1..1048576";
			else o->evidence.memcap = v << 20;
			break;
		case 'q': o->verbosity--; break;
		case 'v': o->verbosity++; break;
		case 'V': printf("fabmon %s\n", FABMON_VERSION); return 1;
		case 'h': options_usage(); return 1;
		default:
			fprintf(stderr, "Try 'fabmon --help'.\n");
			return -1;
		}
		if (bad) {
			log_error("bad value '%s': %s", optarg, bad);
			return -1;
		}
	}
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
	if (o->fail_on && !o->rules_enabled) {
		log_error("--fail-on needs the rule engine: it cannot be combined with --no-alerts");
		return -1;
	}
	return 0;
}
