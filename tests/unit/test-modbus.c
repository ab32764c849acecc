/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Modbus/TCP: every public function code, request and response, valid,
 * truncated, oversized and malformed (Modbus Application Protocol V1.1b3);
 * then the dissector through the app-layer glue: framing, resync, pairing,
 * flood, unsolicited responses, identification, the probe.
 */
#include <stdarg.h>

#include "dissectors/modbus.h"
#include "sensor/applayer.h"
#include "sensor/output/eve_modbus.h"
#include "test.h"

struct row {
	const char *name;
	bool request;
	const char *req_hex;   /* for responses: the request they answer, or NULL */
	const char *hex;       /* the PDU: function code + data */
	const char *anomaly;   /* NULL: valid */
	int access;            /* -1: not checked */
	int address, quantity; /* -1: not set */
	int nvalues;
	int value0;            /* -1: not checked */
};

#define R(...) { __VA_ARGS__ }
static const struct row rows[] = {
	/* reads */
	R("fc1 req", true, NULL, "0100130013", NULL, MODBUS_ACCESS_READ, 0x13, 0x13, 0, -1),
	R("fc1 req qty 0", true, NULL, "0100130000", "MODBUS_INVALID_QUANTITY", -1, 0x13, 0, 0, -1),
	R("fc1 req qty 2001", true, NULL, "01001307d1", "MODBUS_INVALID_QUANTITY", -1, 0x13, 2001, 0, -1),
	R("fc1 req qty 2000", true, NULL, "01001307d0", NULL, -1, 0x13, 2000, 0, -1),
	R("fc1 req cut", true, NULL, "010013", "MODBUS_PDU_TRUNCATED", -1, -1, -1, 0, -1),
	R("fc1 req long", true, NULL, "01001300130000", "MODBUS_PDU_TOO_LONG", -1, 0x13, 0x13, 0, -1),
	R("fc1 resp", false, "0100130013", "0103cd6b05", NULL, MODBUS_ACCESS_READ, 0x13, 0x13, 19, 1),
	R("fc1 resp count vs qty", false, "0100130013", "0102cd6b", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc1 resp count vs data", false, NULL, "0103cd6b", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc2 req", true, NULL, "0200c40016", NULL, MODBUS_ACCESS_READ, 0xc4, 0x16, 0, -1),
	R("fc2 resp", false, "0200c40016", "0203acdb35", NULL, -1, 0xc4, 0x16, 22, 0),
	R("fc3 req", true, NULL, "03006b0003", NULL, MODBUS_ACCESS_READ, 0x6b, 3, 0, -1),
	R("fc3 req qty 126", true, NULL, "03006b007e", "MODBUS_INVALID_QUANTITY", -1, 0x6b, 126, 0, -1),
	R("fc3 resp", false, "03006b0003", "0306022b00000064", NULL, -1, 0x6b, 3, 3, 0x022b),
	R("fc3 resp odd count", false, NULL, "0305022b000000", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc3 resp count vs qty", false, "03006b0003", "0304022b0000", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc4 req", true, NULL, "0400080001", NULL, MODBUS_ACCESS_READ, 8, 1, 0, -1),
	R("fc4 resp", false, "0400080001", "0402000a", NULL, -1, 8, 1, 1, 10),
	R("fc7 req", true, NULL, "07", NULL, MODBUS_ACCESS_READ, -1, -1, 0, -1),
	R("fc7 req long", true, NULL, "0700", "MODBUS_PDU_TOO_LONG", -1, -1, -1, 0, -1),
	R("fc7 resp", false, "07", "076d", NULL, -1, -1, -1, 1, 0x6d),
	R("fc24 req", true, NULL, "1804de", NULL, MODBUS_ACCESS_READ, 0x04de, -1, 0, -1),
	R("fc24 resp", false, NULL, "1800060002 01b8 1284", NULL, -1, -1, -1, 2, 0x01b8),
	R("fc24 resp 32 entries", false, NULL, "18004200200000", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc20 req", true, NULL, "140e0600040001000206000300090002", NULL, MODBUS_ACCESS_READ, 1, 2, 1, 4),
	R("fc20 req bad ref", true, NULL, "14070500040001000a", "MODBUS_INVALID_VALUE", -1, -1, -1, -1, -1),
	R("fc20 resp", false, NULL, "140c05060df3fe2005060df3fe20", NULL, -1, -1, -1, 0, -1),
	/* writes */
	R("fc5 req on", true, NULL, "0500acff00", NULL, MODBUS_ACCESS_WRITE, 0xac, -1, 1, 0xff00),
	R("fc5 req off", true, NULL, "0500ac0000", NULL, -1, 0xac, -1, 1, 0),
	R("fc5 req bad value", true, NULL, "0500ac1234", "MODBUS_INVALID_VALUE", -1, 0xac, -1, 1, 0x1234),
	R("fc5 resp echo", false, "0500acff00", "0500acff00", NULL, -1, 0xac, -1, 1, 0xff00),
	R("fc5 resp differs", false, "0500acff00", "0500ac0000", "MODBUS_VALUE_MISMATCH", -1, -1, -1, -1, -1),
	R("fc6 req", true, NULL, "0600010003", NULL, MODBUS_ACCESS_WRITE, 1, -1, 1, 3),
	R("fc6 resp other address", false, "0600010003", "0600020003", "MODBUS_VALUE_MISMATCH", -1, -1, -1, -1, -1),
	R("fc15 req", true, NULL, "0f0013000a02cd01", NULL, MODBUS_ACCESS_WRITE, 0x13, 10, 10, 1),
	R("fc15 req count", true, NULL, "0f0013000a01cd", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc15 req qty 1969", true, NULL, "0f001307b1f7", "MODBUS_INVALID_QUANTITY", -1, -1, -1, -1, -1),
	R("fc15 resp", false, "0f0013000a02cd01", "0f0013000a", NULL, -1, 0x13, 10, 0, -1),
	R("fc16 req", true, NULL, "100001000204000a0102", NULL, MODBUS_ACCESS_WRITE, 1, 2, 2, 10),
	R("fc16 req qty 124", true, NULL, "100001007c", "MODBUS_PDU_TRUNCATED", -1, -1, -1, -1, -1),
	R("fc16 req qty 124 counted", true, NULL, "100001007cf8", "MODBUS_INVALID_QUANTITY", -1, -1, -1, -1, -1),
	R("fc16 req data short", true, NULL, "100001000204000a01", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc16 resp", false, "100001000204000a0102", "1000010002", NULL, -1, 1, 2, 0, -1),
	R("fc16 resp differs", false, "100001000204000a0102", "1000010003", "MODBUS_VALUE_MISMATCH", -1, -1, -1, -1, -1),
	R("fc21 req", true, NULL, "150d0600040007000306af04be100d", NULL, MODBUS_ACCESS_WRITE, 7, 3, 1, 4),
	R("fc22 req", true, NULL, "16000400f20025", NULL, MODBUS_ACCESS_WRITE, 4, -1, 0, -1),
	R("fc22 resp", false, "16000400f20025", "16000400f20025", NULL, -1, 4, -1, 0, -1),
	R("fc22 resp differs", false, "16000400f20025", "16000400f20026", "MODBUS_VALUE_MISMATCH", -1, -1, -1, -1, -1),
	R("fc23 req", true, NULL, "17000300060000e0003006000a00ff00ff", "MODBUS_INVALID_QUANTITY", -1, 3, 6, -1, -1),
	R("fc23 req ok", true, NULL, "170003000600e000030600ff00ff00ff", NULL, MODBUS_ACCESS_WRITE, 3, 6, 3, 0xff),
	R("fc23 resp", false, "170003000600e000030600ff00ff00ff", "170c00fe0acd00010003000d00ff", NULL, -1, 3, 6, 6, 0xfe),
	/* diagnostics */
	R("fc8 restart comms", true, NULL, "0800010000", NULL, MODBUS_ACCESS_DIAGNOSTIC, -1, -1, 1, 0),
	R("fc8 listen only", true, NULL, "0800040000", NULL, MODBUS_ACCESS_DIAGNOSTIC, -1, -1, 1, 0),
	R("fc8 odd data", true, NULL, "08000400", "MODBUS_PDU_TOO_LONG", -1, -1, -1, -1, -1),
	R("fc8 resp echo", false, "080000a537", "080000a537", NULL, -1, -1, -1, 1, 0xa537),
	R("fc8 resp other sub", false, "080000a537", "080001a537", "MODBUS_VALUE_MISMATCH", -1, -1, -1, -1, -1),
	R("fc11 req", true, NULL, "0b", NULL, MODBUS_ACCESS_DIAGNOSTIC, -1, -1, 0, -1),
	R("fc11 resp", false, "0b", "0bffff0108", NULL, -1, -1, -1, 2, 0xffff),
	R("fc12 resp", false, "0c", "0c09000001080121 2000", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc12 resp ok", false, "0c", "0c0800000108012120 00", NULL, -1, -1, -1, 3, 0),
	/* identification */
	R("fc17 req", true, NULL, "11", NULL, MODBUS_ACCESS_IDENTIFICATION, -1, -1, 0, -1),
	R("fc17 resp", false, "11", "1104414243ff", NULL, MODBUS_ACCESS_IDENTIFICATION, -1, -1, 0, -1),
	R("fc17 resp count", false, "11", "1105414243ff", "MODBUS_BYTE_COUNT_MISMATCH", -1, -1, -1, -1, -1),
	R("fc43/14 req", true, NULL, "2b0e0100", NULL, MODBUS_ACCESS_IDENTIFICATION, -1, -1, 0, -1),
	R("fc43/14 req bad code", true, NULL, "2b0e0500", "MODBUS_INVALID_VALUE", -1, -1, -1, -1, -1),
	R("fc43/13 canopen", true, NULL, "2b0d0102", NULL, MODBUS_ACCESS_OTHER, -1, -1, 0, -1),
	R("fc43/14 resp", false, "2b0e0100", "2b0e0101000003000443484c4c010448432d32020331" "2e30",
	  NULL, MODBUS_ACCESS_IDENTIFICATION, -1, -1, 0, -1),
	R("fc43/14 resp object cut", false, "2b0e0100", "2b0e01010000030009434849", "MODBUS_PDU_TRUNCATED", -1, -1, -1, -1, -1),
	/* vendor, programming, user-defined, unassigned */
	R("umas", true, NULL, "5a0002", NULL, MODBUS_ACCESS_PROGRAMMING, -1, -1, 0, -1),
	R("firmware replacement", true, NULL, "7d0102", NULL, MODBUS_ACCESS_PROGRAMMING, -1, -1, 0, -1),
	R("program concept", true, NULL, "28", NULL, MODBUS_ACCESS_PROGRAMMING, -1, -1, 0, -1),
	R("user defined 65", true, NULL, "41aa", NULL, MODBUS_ACCESS_OTHER, -1, -1, 0, -1),
	R("unassigned 50", true, NULL, "32", "MODBUS_INVALID_FUNCTION_CODE", MODBUS_ACCESS_OTHER, -1, -1, 0, -1),
	R("fc 0", true, NULL, "00", "MODBUS_INVALID_FUNCTION_CODE", -1, -1, -1, 0, -1),
	/* exceptions */
	R("exception 2", false, "0300010001", "8302", NULL, MODBUS_ACCESS_READ, -1, -1, 0, -1),
	R("exception 9 invalid", false, NULL, "8309", "MODBUS_INVALID_EXCEPTION_CODE", -1, -1, -1, -1, -1),
	R("exception long", false, NULL, "830200", "MODBUS_PDU_TOO_LONG", -1, -1, -1, -1, -1),
	R("exception cut", false, NULL, "83", "MODBUS_PDU_TRUNCATED", -1, -1, -1, -1, -1),
	R("exception wrong fc", false, "0300010001", "8402", "MODBUS_FUNCTION_MISMATCH", -1, -1, -1, -1, -1),
	R("exception in a request", true, NULL, "8302", "MODBUS_INVALID_FUNCTION_CODE", -1, -1, -1, -1, -1),
	R("response other fc", false, "0300010001", "040200ff", "MODBUS_FUNCTION_MISMATCH", -1, -1, -1, -1, -1),
};

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	while (*h) {
		if (*h == ' ') {
			h++;
			continue;
		}
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		uint8_t tmp[300];
		size_t n = unhex(r->hex, tmp);
		uint8_t *pdu = malloc(n); /* exact size: ASan sees over-reads */
		memcpy(pdu, tmp, n);
		struct modbus_request req;
		struct modbus_pdu rp, o;
		bool have_req = false;
		if (r->req_hex) {
			uint8_t rb[300];
			size_t rn = unhex(r->req_hex, rb);
			memset(&rp, 0, sizeof(rp));
			CHECK(modbus_decode_pdu(rb, rn, true, NULL, &rp) == NULL || r->anomaly);
			modbus_request_of(&rp, &req);
			have_req = true;
		}
		memset(&o, 0, sizeof(o));
		const char *a = modbus_decode_pdu(pdu, n, r->request, have_req ? &req : NULL, &o);
		if ((a == NULL) != (r->anomaly == NULL) || (a && strcmp(a, r->anomaly) != 0))
			fprintf(stderr, "row '%s': got %s\n", r->name, a ? a : "valid");
		if (r->anomaly)
			CHECK_STR(a, r->anomaly);
		else
			CHECK(a == NULL);
		if (r->access >= 0)
			CHECK_EQ(o.access, r->access);
		if (r->address >= 0) {
			CHECK(o.has_address);
			CHECK_EQ(o.address, r->address);
		}
		if (r->quantity >= 0) {
			CHECK(o.has_quantity);
			CHECK_EQ(o.quantity, r->quantity);
		}
		if (r->nvalues >= 0)
			CHECK_EQ(o.nvalues, r->nvalues);
		if (r->value0 >= 0 && o.nvalues)
			CHECK_EQ(o.values[0], r->value0);
		free(pdu);
	}
}

/* Every prefix of every valid request and response decodes without reading
 * past it, and is never called valid when bytes are missing. */
static void test_truncations(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].anomaly)
			continue;
		uint8_t tmp[300];
		size_t n = unhex(rows[i].hex, tmp);
		for (size_t cut = 1; cut < n; cut++) {
			uint8_t *p = malloc(cut);
			memcpy(p, tmp, cut);
			struct modbus_pdu o;
			memset(&o, 0, sizeof(o));
			const char *a = modbus_decode_pdu(p, cut, rows[i].request, NULL, &o);
			/* FC 8 with data and the free-form vendor codes may end anywhere */
			bool free_form = o.function == 8 || o.access == MODBUS_ACCESS_PROGRAMMING ||
					 o.access == MODBUS_ACCESS_OTHER || (o.function == 20 && !rows[i].request) ||
					 o.function == 21 || (o.function == 20 && rows[i].request);
			if (!free_form && a == NULL)
				fprintf(stderr, "row '%s' cut at %zu decodes as valid\n", rows[i].name, cut);
			CHECK(free_form || a != NULL);
			free(p);
		}
	}
}

static void test_names(void)
{
	CHECK_STR(modbus_function_name(3), "read_holding_registers");
	CHECK_STR(modbus_function_name(0x83), "read_holding_registers");
	CHECK_STR(modbus_function_name(90), "program_unity_umas");
	CHECK_STR(modbus_function_name(125), "firmware_replacement");
	CHECK_STR(modbus_function_name(101), "user_defined");
	CHECK_STR(modbus_function_name(50), "unassigned");
	CHECK_STR(modbus_exception_name(2), "illegal_data_address");
	CHECK(modbus_exception_name(9) == NULL);
	CHECK_STR(modbus_diag_name(4), "force_listen_only_mode");
	CHECK_STR(modbus_diag_name(1), "restart_communications");
	CHECK_STR(modbus_object_name(0), "vendor_name");
	for (int a = 0; a < MODBUS_ACCESS_COUNT; a++)
		CHECK_EQ(modbus_access_parse(modbus_access_name((enum modbus_access)a)), a);
	CHECK_EQ(modbus_access_parse("nonsense"), MODBUS_ACCESS_COUNT);
	CHECK_EQ(modbus_access_of(43, 0x0e), MODBUS_ACCESS_IDENTIFICATION);
	CHECK_EQ(modbus_access_of(43, 0x0d), MODBUS_ACCESS_OTHER);
	CHECK_EQ(modbus_access_of(90, 0), MODBUS_ACCESS_PROGRAMMING);
}

/* ------------------------------------------------------------ record */

/* A message object as fabmon writes it for an ADU (header + PDU in hex). */
static const char *message_json(const char *adu_hex, bool request, struct jbuf *b)
{
	static uint8_t a[MODBUS_MAX_ADU];
	size_t n = unhex(adu_hex, a);
	struct modbus_pdu p;
	memset(&p, 0, sizeof(p));
	p.transaction_id = (uint16_t)(a[0] << 8 | a[1]);
	p.protocol_id = (uint16_t)(a[2] << 8 | a[3]);
	p.unit_id = a[6];
	p.adu = a;
	p.adu_len = (uint16_t)n;
	p.anomaly = modbus_decode_pdu(a + MODBUS_MBAP_LEN, n - MODBUS_MBAP_LEN, request, NULL, &p);
	jb_reset(b);
	jb_obj_open(b, NULL);
	eve_modbus_message(b, "m", &p);
	jb_obj_close(b);
	jb_raw(b, "", 1);
	return b->p;
}

#define HDR(fields) "{\"m\":{\"transaction_id\":1,\"protocol_id\":0,\"unit_id\":10," fields

/* Suricata's names are sawp-modbus's Display strings: the values its tests
 * (test_printing) and suricata-verify's tests/modbus check ("READ | COILS",
 * "PUBLIC_ASSIGNED", "RdCoils", "MEI", "WRITE | MULTIPLE | WRITE_MULTIPLE"
 * within FC 16's set); every other string is a variant name the same way. */
static void test_suricata_layout(void)
{
	struct jbuf b;
	CHECK(jb_init(&b, 1024));
	CHECK_STR(modbus_suricata_function_code(1), "RdCoils");
	CHECK_STR(modbus_suricata_function_code(0x81), "RdCoils");
	CHECK_STR(modbus_suricata_function_code(43), "MEI");
	CHECK_STR(modbus_suricata_function_code(0), "Unknown");
	CHECK_STR(modbus_suricata_function_code(44), "Unknown");
	CHECK_STR(modbus_suricata_diagnostic_code(0), "RetQueryData");
	CHECK_STR(modbus_suricata_diagnostic_code(21), "GetClearPlusStats");
	CHECK_STR(modbus_suricata_diagnostic_code(5), "Reserved");
	CHECK_STR(modbus_suricata_exception_code(1), "IllegalFunction");
	CHECK_STR(modbus_suricata_exception_code(9), "Unknown");
	CHECK_STR(modbus_suricata_mei_code(0), "Unknown");
	char t[80];
	modbus_suricata_access_type(1, t);
	CHECK_STR(t, "READ | COILS");
	modbus_suricata_access_type(0x90, t);
	CHECK_STR(t, "WRITE | HOLDING | MULTIPLE | WRITE_MULTIPLE");
	modbus_suricata_access_type(23, t);
	CHECK_STR(t, "READ | WRITE | HOLDING | MULTIPLE | WRITE_MULTIPLE");
	modbus_suricata_access_type(8, t);
	CHECK_STR(t, "NONE");

	/* read coils: Suricata's read object */
	CHECK_STR(message_json("0001000000060a 01 0000 0010", true, &b),
		  HDR("\"function_raw\":1,\"function_code\":\"RdCoils\",\"access_type\":\"READ | COILS\","
		      "\"category\":\"PUBLIC_ASSIGNED\",\"error_flags\":\"NONE\","
		      "\"read\":{\"address\":0,\"quantity\":16},\"function_name\":\"read_coils\",\"access\":\"read\"}}"));
	/* its response: the bytes read as Suricata's string (not UTF-8: \xNN), the bits fabmon's */
	CHECK_STR(message_json("0001000000050a 01 02 ff01", false, &b),
		  HDR("\"function_raw\":1,\"function_code\":\"RdCoils\",\"access_type\":\"READ | COILS\","
		      "\"category\":\"PUBLIC_ASSIGNED\",\"error_flags\":\"NONE\",\"read\":{\"data\":\"\\\\xff\\u0001\"},"
		      "\"function_name\":\"read_coils\",\"access\":\"read\",\"byte_count\":2,"
		      "\"bits\":[1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0]}}"));
	/* an exception: raw int, Suricata's code string, fabmon's name */
	CHECK_STR(message_json("0001000000030a 83 02", false, &b),
		  HDR("\"function_raw\":131,\"function_code\":\"RdHoldRegs\",\"access_type\":\"READ | HOLDING\","
		      "\"category\":\"PUBLIC_ASSIGNED\",\"error_flags\":\"NONE\",\"exception\":{\"raw\":2,"
		      "\"code\":\"IllegalDataAddr\",\"name\":\"illegal_data_address\"},"
		      "\"function_name\":\"read_holding_registers\",\"access\":\"read\"}}"));
	/* an exception to FC 8 has no diagnostic object: category NONE (sawp) */
	CHECK(strstr(message_json("0001000000030a 88 04", false, &b), "\"category\":\"NONE\"") != NULL);
	/* a reserved sub-function: RESERVED */
	CHECK_STR(message_json("0001000000060a 08 0016 0000", true, &b),
		  HDR("\"function_raw\":8,\"function_code\":\"Diagnostic\",\"access_type\":\"NONE\","
		      "\"category\":\"RESERVED\",\"error_flags\":\"NONE\",\"diagnostic\":{\"raw\":22,"
		      "\"code\":\"Reserved\",\"data\":\"\\u0000\\u0000\",\"name\":\"reserved\"},"
		      "\"function_name\":\"diagnostics\",\"access\":\"diagnostic\",\"values\":[0]}}"));
	/* write multiple registers: address and quantity; a bad quantity is DATA_VALUE */
	CHECK_STR(message_json("00010000000b0a 10 0014 0002 04 0001 0000", true, &b),
		  HDR("\"function_raw\":16,\"function_code\":\"WrMultRegs\","
		      "\"access_type\":\"WRITE | HOLDING | MULTIPLE | WRITE_MULTIPLE\",\"category\":\"PUBLIC_ASSIGNED\","
		      "\"error_flags\":\"NONE\",\"write\":{\"address\":20,\"quantity\":2},"
		      "\"function_name\":\"write_multiple_registers\",\"access\":\"write\",\"byte_count\":4,"
		      "\"values\":[1,0]}}"));
	CHECK(strstr(message_json("0001000000070a 10 0014 0000 00", true, &b),
		     "\"error_flags\":\"DATA_VALUE\"") != NULL);
	/* its response: Suricata's write.data is the quantity */
	CHECK(strstr(message_json("0001000000060a 10 0014 0002", false, &b),
		     "\"write\":{\"address\":20,\"data\":2}") != NULL);
	/* FC 23: read and write objects */
	CHECK(strstr(message_json("00010000000f0a 17 0000 0002 0010 0001 02 abcd", true, &b),
		     "\"read\":{\"address\":0,\"quantity\":2},\"write\":{\"address\":16,\"quantity\":1}") != NULL);
	/* mask write: and/or masks in the write object */
	CHECK(strstr(message_json("0001000000080a 16 0004 00f2 0025", true, &b),
		     "\"write\":{\"address\":4,\"and_mask\":242,\"or_mask\":37}") != NULL);
	/* a user-defined code: Unknown, USER_DEFINED, the bytes as data */
	CHECK_STR(message_json("0001000000040a 41 4142", true, &b),
		  HDR("\"function_raw\":65,\"function_code\":\"Unknown\",\"access_type\":\"NONE\","
		      "\"category\":\"USER_DEFINED\",\"error_flags\":\"NONE\",\"data\":\"AB\","
		      "\"function_name\":\"user_defined\",\"access\":\"other\"}}"));
	/* FC 90 is reserved; FC 50 public unassigned (and fabmon's FUNC_CODE) */
	CHECK(strstr(message_json("0001000000020a 5a", true, &b), "\"category\":\"RESERVED\"") != NULL);
	CHECK(strstr(message_json("0001000000020a 32", true, &b),
		     "\"category\":\"PUBLIC_UNASSIGNED\",\"error_flags\":\"FUNC_CODE\"") != NULL);
	/* read device identification */
	CHECK(strstr(message_json("0001000000050a 2b 0e 01 00", true, &b),
		     "\"mei\":{\"raw\":14,\"code\":\"RdDevId\",\"data\":\"\\u0001\\u0000\"}") != NULL);
	/* too short for Suricata's object: its bytes as data, DATA_LENGTH */
	CHECK(strstr(message_json("0001000000040a 05 0001", true, &b),
		     "\"error_flags\":\"DATA_LENGTH\",\"data\":\"\\u0000\\u0001\"") != NULL);
	/* report server id: no data object of its own, the empty bytes */
	CHECK(strstr(message_json("0001000000020a 11", true, &b), "\"data\":\"\"") != NULL);
	jb_free(&b);
}

/* ------------------------------------------------------------ dissector */

static const struct dissector *const registry[] = { &dissector_modbus, NULL };

struct log {
	char s[8192];
	size_t n;
	uint64_t anomalies, resyncs; /* of the last session summary */
};

static void observe(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		    uint32_t usec)
{
	(void)sec;
	(void)usec;
	(void)f;
	struct log *l = ctx;
	int n = 0;
	if (ev->kind == APP_EVENT_MODBUS) {
		const struct modbus_pdu *p = ev->body;
		n = snprintf(l->s + l->n, sizeof(l->s) - l->n, "%s %u/%u fc%u%s|", p->request ? "Q" : "R",
			     p->transaction_id, p->unit_id, p->function, p->exception ? " ex" : "");
	} else if (ev->kind == APP_EVENT_MODBUS_TX) {
		const struct modbus_tx *t = ev->body;
		n = snprintf(l->s + l->n, sizeof(l->s) - l->n, "tx%" PRIu64 " %s%s%s|", t->id,
			     modbus_tx_state_name(t->state), t->request ? " Q" : "", t->response ? " R" : "");
	} else if (ev->kind == APP_EVENT_ANOMALY) {
		n = snprintf(l->s + l->n, sizeof(l->s) - l->n, "! %s|", ((const struct app_anomaly *)ev->body)->name);
	} else if (ev->kind == APP_EVENT_MODBUS_ASSET) {
		const struct modbus_asset_event *a = ev->body;
		n = snprintf(l->s + l->n, sizeof(l->s) - l->n, "asset %d %s %s|", a->change, a->dev->vendor,
			     a->dev->revision);
	} else if (ev->kind == APP_EVENT_MODBUS_SESSION) {
		const struct modbus_session_summary *s = ev->body;
		l->anomalies = s->anomalies;
		l->resyncs = s->resyncs;
		n = snprintf(l->s + l->n, sizeof(l->s) - l->n, "end q=%" PRIu64 " r=%" PRIu64 " unanswered=%" PRIu64 "|",
			     s->requests, s->responses, s->unanswered);
	}
	if (n > 0 && (size_t)n < sizeof(l->s) - l->n)
		l->n += (size_t)n;
}

struct fx {
	struct applayer al;
	struct flow f;
	struct log log;
};

static void setup(struct fx *x, uint16_t port)
{
	memset(x, 0, sizeof(*x));
	applayer_init(&x->al, registry);
	CHECK_EQ(applayer_start(&x->al), 0);
	event_sinks_add(&x->al.sinks, (struct event_sink){ .ctx = &x->log, .app_event = observe });
	x->f.key.family = 4;
	x->f.key.proto = 6;
	x->f.key.a[0][3] = 1;
	x->f.key.a[1][3] = 2;
	x->f.key.port[0] = 40000;
	x->f.key.port[1] = port;
	x->f.flow_id = 1;
}

static size_t adu(uint8_t *o, uint16_t tid, uint8_t unit, const char *pduhex)
{
	size_t n = unhex(pduhex, o + 7);
	o[0] = (uint8_t)(tid >> 8), o[1] = (uint8_t)tid, o[2] = 0, o[3] = 0;
	o[4] = (uint8_t)((n + 1) >> 8), o[5] = (uint8_t)(n + 1), o[6] = unit;
	return n + 7;
}

static void feed(struct fx *x, int dir, const uint8_t *b, size_t n, size_t chunk, int64_t t)
{
	for (size_t i = 0; i < n; i += chunk)
		applayer_data(&x->al, &x->f, dir, b + i, n - i < chunk ? n - i : chunk, t, 0);
}

static void test_stream(void)
{
	struct fx x;
	setup(&x, 502);
	uint8_t q[512], r[512];
	size_t qn = 0, rn = 0;
	qn += adu(q + qn, 1, 1, "0300000004");
	qn += adu(q + qn, 2, 1, "0600100064");
	qn += adu(q + qn, 3, 1, "2b0e0100");
	feed(&x, 0, q, qn, 5, 100); /* three requests over odd-sized segments */
	rn += adu(r + rn, 1, 1, "030800010002000300 04");
	rn += adu(r + rn, 2, 1, "0600100064");
	rn += adu(r + rn, 3, 1, "2b0e01010000020007436869 6c6c436f0203312e30");
	feed(&x, 1, r, rn, rn, 100);
	/* garbage, then a request */
	memcpy(q, "\xde\xad\xbe\xef\x00", 5);
	qn = 5 + adu(q + 5, 4, 1, "0500010000");
	feed(&x, 0, q, qn, qn, 101);
	/* protocol id 1: not Modbus; then valid again */
	qn = adu(q, 5, 1, "0300000001");
	q[3] = 1;
	qn += adu(q + qn, 6, 1, "0300000001");
	feed(&x, 0, q, qn, qn, 101);
	/* a response to nothing */
	rn = adu(r, 99, 1, "0500010000");
	feed(&x, 1, r, rn, rn, 102);
	applayer_end(&x.al, &x.f, 103, 0);
	applayer_destroy(&x.al);
	CHECK_STR(x.log.s,
		  "asset 0  |Q 1/1 fc3|Q 2/1 fc6|Q 3/1 fc43|R 1/1 fc3|tx1 answered Q R|R 2/1 fc6|"
		  "tx2 answered Q R|asset 1 ChillCo 1.0|R 3/1 fc43|tx3 answered Q R|"
		  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_RESYNC|Q 4/1 fc5|"
		  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_RESYNC|"
		  "Q 6/1 fc3|! MODBUS_UNSOLICITED_RESPONSE|R 99/1 fc5|tx6 unmatched R|"
		  /* the requests still open at the end, in the order they were sent */
		  "tx4 unanswered Q|tx5 unanswered Q|end q=5 r=4 unanswered=2|");
	/* the summary counts what the flow emitted: 5 anomalies, 2 of them resyncs */
	CHECK_EQ(x.log.anomalies, 5);
	CHECK_EQ(x.log.resyncs, 2);
}

static void test_flood(void)
{
	struct fx x;
	setup(&x, 502);
	uint8_t q[16];
	for (int i = 0; i < 70; i++) {
		size_t n = adu(q, (uint16_t)i, 1, "0300000001");
		feed(&x, 0, q, n, n, 100 + i);
	}
	applayer_end(&x.al, &x.f, 200, 0);
	applayer_destroy(&x.al);
	CHECK(strstr(x.log.s, "! MODBUS_FLOODED|") != NULL);
	CHECK(strstr(x.log.s, "unanswered=70|") != NULL);
	/* the 6 oldest given up as they were evicted, the 64 others at the end:
	 * every request is in exactly one transaction record */
	const char *ev1 = strstr(x.log.s, "tx1 evicted Q|"), *ev6 = strstr(x.log.s, "tx6 evicted Q|");
	CHECK(ev1 && ev6 && ev1 < ev6 && ev1 > strstr(x.log.s, "Q 63/1 fc3|"));
	CHECK(strstr(x.log.s, "tx7 evicted") == NULL && strstr(x.log.s, "tx7 unanswered Q|tx8 unanswered Q|"));
	CHECK(strstr(x.log.s, "tx70 unanswered Q|end") != NULL);
	size_t txs = 0;
	for (const char *t = x.log.s; (t = strstr(t, "|tx")) != NULL; t++)
		txs++;
	CHECK_EQ(txs, 70);
	/* reported once, not per request */
	CHECK(strstr(strstr(x.log.s, "MODBUS_FLOODED") + 1, "MODBUS_FLOODED") == NULL);
}

/* More requests open than a flow's state holds itself (4): the table grows,
 * under the memory cap, and every request still finds its response, out of
 * order too; the grown table is given back at the flow's end. */
static void test_pending_grows(void)
{
	struct fx x;
	setup(&x, 502);
	uint8_t b[16];
	for (int i = 1; i <= 6; i++) {
		size_t n = adu(b, (uint16_t)i, 1, "0300000001");
		feed(&x, 0, b, n, n, i);
	}
	uint64_t state = dissector_modbus.state_size;
	CHECK(x.al.st.memuse > state + 64 * 256); /* the table: 64 requests of up to 260 bytes */
	for (int i = 6; i >= 1; i--) {
		size_t n = adu(b, (uint16_t)i, 1, "03020001");
		feed(&x, 1, b, n, n, 10 + i);
	}
	applayer_end(&x.al, &x.f, 20, 0);
	CHECK_EQ(x.al.st.memuse, 0);
	CHECK_EQ(x.al.st.memcap_hits, 0);
	applayer_destroy(&x.al);
	for (int i = 1; i <= 6; i++) {
		char want[32];
		snprintf(want, sizeof(want), "|tx%d answered Q R|", i);
		CHECK(strstr(x.log.s, want) != NULL);
	}
	CHECK(strstr(x.log.s, "MODBUS") == NULL); /* no anomaly */
	CHECK(strstr(x.log.s, "end q=6 r=6 unanswered=0|") != NULL);
}

/* The memory cap refuses the grown table: the flow is still dissected, with
 * the 4 open requests its state holds; the oldest is given up for a fifth,
 * counted as a memory cap hit and reported as a flood of 4. */
static void test_pending_at_memcap(void)
{
	struct fx x;
	setup(&x, 502);
	x.al.memcap = dissector_modbus.state_size + 1024;
	uint8_t b[16];
	for (int i = 1; i <= 6; i++) {
		size_t n = adu(b, (uint16_t)i, 1, "0300000001");
		feed(&x, 0, b, n, n, i);
	}
	CHECK_EQ(x.al.st.memcap_hits, 1); /* asked once, not for every request */
	CHECK_EQ(x.al.st.memuse, dissector_modbus.state_size);
	for (int i = 6; i >= 1; i--) {
		size_t n = adu(b, (uint16_t)i, 1, "03020001");
		feed(&x, 1, b, n, n, 10 + i);
	}
	applayer_end(&x.al, &x.f, 20, 0);
	applayer_destroy(&x.al);
	CHECK(strstr(x.log.s, "! MODBUS_FLOODED|") != NULL);
	CHECK(strstr(x.log.s, "|tx1 evicted Q|") && strstr(x.log.s, "|tx2 evicted Q|"));
	for (int i = 3; i <= 6; i++) {
		char want[32];
		snprintf(want, sizeof(want), "|tx%d answered Q R|", i);
		CHECK(strstr(x.log.s, want) != NULL);
	}
	/* the responses to the two given up find no request */
	CHECK(strstr(x.log.s, "|tx7 unmatched R|") && strstr(x.log.s, "|tx8 unmatched R|"));
	CHECK_EQ(x.al.st.memcap_hits, 1);
}

/* Requests go to port 502 even when the 502 side opened the connection. */
static void test_direction_by_port(void)
{
	struct fx x;
	setup(&x, 4446);
	x.f.key.port[0] = 502; /* the client is the Modbus port */
	uint8_t b[32];
	size_t n = adu(b, 7, 1, "0300000001");
	feed(&x, 1, b, n, n, 1); /* from 4446 to 502: a request */
	n = adu(b, 7, 1, "03020001");
	feed(&x, 0, b, n, n, 1);
	applayer_end(&x.al, &x.f, 2, 0);
	applayer_destroy(&x.al);
	CHECK_STR(x.log.s, "asset 0  |Q 7/1 fc3|R 7/1 fc3|tx1 answered Q R|end q=1 r=1 unanswered=0|");
}

/* The device inventory is bounded (max_devices): a server past the limit
 * is not recorded, a known server still learns its new clients. */
static void test_inventory_limit(void)
{
	struct fx x;
	setup(&x, 502);
	struct modbus_config cfg;
	modbus_config_defaults(&cfg);
	cfg.max_devices = 1;
	applayer_destroy(&x.al);
	struct applayer_proto *mp = applayer_proto(&x.al, "modbus");
	mp->cfg = &cfg;
	CHECK_EQ(applayer_start(&x.al), 0);
	uint8_t q[32];
	size_t n = adu(q, 1, 1, "0300000001");
	struct flow flows[3];
	for (int i = 0; i < 3; i++) {
		memset(&flows[i], 0, sizeof(flows[i]));
		flows[i].key = x.f.key;
		flows[i].flow_id = (uint64_t)i + 1;
	}
	flows[1].key.a[1][3] = 3; /* a second server: no room */
	flows[2].key.a[0][3] = 4; /* a second client of the first server */
	for (int i = 0; i < 3; i++) {
		applayer_data(&x.al, &flows[i], 0, q, n, 100 + i, 0);
		applayer_end(&x.al, &flows[i], 100 + i, 0);
	}
	const struct modbus_global *g = mp->global;
	CHECK_EQ(modbus_device_count(g), 1);
	const struct modbus_device *d = modbus_device_at(g, 0);
	CHECK(d != NULL);
	CHECK(modbus_device_at(g, 1) == NULL);
	if (d) {
		CHECK_EQ(d->addr.a[3], 2); /* 0.0.0.2 */
		CHECK_EQ(d->nclients, 2);
		CHECK_EQ(d->clients[1].a[3], 4);
		CHECK_EQ(d->requests, 2);
		CHECK_EQ(d->nports, 1);
		CHECK_EQ(d->ports[0], 502);
	}
	applayer_destroy(&x.al);
	CHECK_STR(x.log.s, "asset 0  |Q 1/1 fc3|tx1 unanswered Q|end q=1 r=0 unanswered=1|"
			   "Q 1/1 fc3|tx1 unanswered Q|end q=1 r=0 unanswered=1|"
			   "asset 3  |Q 1/1 fc3|tx1 unanswered Q|end q=1 r=0 unanswered=1|");
}

/* probe bytes of DISSECT_PROBE_MAX: src then `fill` */
static const uint8_t *padded(uint8_t *out, const void *src, size_t n, uint8_t fill)
{
	memset(out, fill, DISSECT_PROBE_MAX);
	memcpy(out, src, n);
	return out;
}

static void test_probe(void)
{
	struct dissect_flow df;
	memset(&df, 0, sizeof(df));
	df.server_port = 5020;
	uint8_t b[64], p[DISSECT_PROBE_MAX];
	const size_t P = DISSECT_PROBE_MAX;
	size_t n = adu(b, 1, 1, "0300000004");
	CHECK_EQ(dissector_modbus.probe(&df, 0, b, n, false), PROBE_MATCH);
	CHECK_EQ(dissector_modbus.probe(&df, 0, b, 6, false), PROBE_NEED_MORE);
	n = adu(b, 1, 1, "0300000000"); /* quantity 0 fails the spec */
	CHECK_EQ(dissector_modbus.probe(&df, 0, b, n, false), PROBE_NEED_MORE); /* may come later */
	CHECK_EQ(dissector_modbus.probe(&df, 0, padded(p, b, n, 0xee), P, false), PROBE_NO);
	n = adu(b, 1, 1, "5a0002"); /* UMAS off port 502: not public, not claimed */
	CHECK_EQ(dissector_modbus.probe(&df, 0, padded(p, b, n, 0xee), P, false), PROBE_NO);
	CHECK_EQ(dissector_modbus.probe(&df, 0, b, n, true), PROBE_MATCH);
	n = adu(b, 1, 1, "0300000004");
	b[n] = 'x'; /* followed by something that is not an ADU */
	memset(b + n + 1, 0, 8);
	CHECK_EQ(dissector_modbus.probe(&df, 0, padded(p, b, n + 9, 0xee), P, false), PROBE_NO);
	CHECK_EQ(dissector_modbus.probe(&df, 0, padded(p, "GET / HTTP/1.1\r\n", 16, 'a'), P, true), PROBE_NO);
	CHECK_EQ(dissector_modbus.probe(&df, 0, padded(p, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9, 0x5a), P, false),
		 PROBE_NO);
	CHECK_EQ(dissector_modbus.probe(&df, 0, padded(p, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9, 0x5a), P, true),
		 PROBE_NO);
	/* an MBAP header on the port, its length out of range: claimed */
	CHECK_EQ(dissector_modbus.probe(&df, 0, (const uint8_t *)"\x00\x01\x00\x00\x88\x04\x05\x07", 8, true),
		 PROBE_MATCH);
	/* junk, then two ADUs: on the port claimed at once; off it, once the
	 * whole request and the next header are there */
	uint8_t j[64];
	memcpy(j, "\xde\xad\xbe", 3);
	n = 3 + adu(j + 3, 1, 1, "0600100064");
	CHECK_EQ(dissector_modbus.probe(&df, 0, j, n, true), PROBE_MATCH); /* ends with the data */
	CHECK_EQ(dissector_modbus.probe(&df, 0, j, n - 1, true), PROBE_NEED_MORE);
	CHECK_EQ(dissector_modbus.probe(&df, 0, j, n, false), PROBE_MATCH);
	n += adu(j + n, 2, 1, "0300000004");
	CHECK_EQ(dissector_modbus.probe(&df, 0, j, n, false), PROBE_MATCH);
	/* junk past the probe bytes: not Modbus */
	memset(p, 0xee, P);
	CHECK_EQ(dissector_modbus.probe(&df, 0, p, P, true), PROBE_NO);
}

/*
 * Resync as the receiving stack would, in every position: a clean attack
 * session (FC 6, 16, 5 writes) with a junk or malformed prefix at the start
 * of the connection, between two of its ADUs, and after a gap. The
 * transcript is the clean one plus the exact anomalies, never a command
 * from the junk.
 */
struct prefix {
	const char *what;
	const char *hex;
	const char *start;   /* anomalies when it starts the connection */
	const char *middle;  /* when it comes after the first ADU */
};

static const struct prefix prefixes[] = {
	{ "junk byte", "ff", "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_RESYNC|" },
	{ "three junk bytes", "deadbe", "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_RESYNC|" },
	{ "text", "474554202f20485454502f312e300d0a0d0a",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_RESYNC|" },
	{ "MBAP length 0", "00090000000001", "! MODBUS_INVALID_LENGTH|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_LENGTH|! MODBUS_RESYNC|" },
	{ "MBAP length 1", "0009000000010106", "! MODBUS_INVALID_LENGTH|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_LENGTH|! MODBUS_RESYNC|" },
	{ "MBAP length 255", "0009000000ff010600100064", "! MODBUS_INVALID_LENGTH|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_LENGTH|! MODBUS_RESYNC|" },
	{ "MBAP length 0x8804", "000100008804050708091000", "! MODBUS_INVALID_LENGTH|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_LENGTH|! MODBUS_RESYNC|" },
	{ "protocol id 1", "000900010006010600630001",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_RESYNC|" },
	{ "protocol id 0x0010", "0009001000060a0100010003",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_JUNK_BEFORE_FIRST_ADU|",
	  "! MODBUS_INVALID_PROTOCOL_ID|! MODBUS_RESYNC|" },
};

static void session(uint8_t *q, size_t *first, size_t *total)
{
	size_t n = adu(q, 1, 1, "0600100064");
	*first = n;
	n += adu(q + n, 2, 1, "100020000204000a000b");
	n += adu(q + n, 3, 1, "0500050000");
	n += adu(q + n, 4, 1, "05000aff00");
	*total = n;
}

#define CLEAN_1 "asset 0  |Q 1/1 fc6|"
#define CLEAN_REST "Q 2/1 fc16|Q 3/1 fc5|Q 4/1 fc5|"
#define CLEAN_END "tx1 unanswered Q|tx2 unanswered Q|tx3 unanswered Q|tx4 unanswered Q|end q=4 r=0 unanswered=4|"

static void run_variant(const struct prefix *pf, int where, size_t chunk)
{
	struct fx x;
	setup(&x, 502);
	uint8_t q[512], junk[64], all[600];
	size_t first, total;
	session(q, &first, &total);
	size_t jn = unhex(pf->hex, junk);
	size_t at = where == 0 ? 0 : first;
	size_t n = 0;
	memcpy(all, q, at);
	n = at;
	memcpy(all + n, junk, jn);
	n += jn;
	memcpy(all + n, q + at, total - at);
	n += total - at;
	if (where == 2) {
		feed(&x, 0, all, at, chunk, 100);
		applayer_gap(&x.al, &x.f, 0, 100, 100, 0);
		feed(&x, 0, all + at, n - at, chunk, 100);
	} else {
		feed(&x, 0, all, n, chunk, 100);
	}
	applayer_end(&x.al, &x.f, 101, 0);
	applayer_destroy(&x.al);
	char want[1024];
	if (where == 0)
		snprintf(want, sizeof(want), "%s%s%s%s", pf->start, CLEAN_1, CLEAN_REST, CLEAN_END);
	else if (where == 1)
		snprintf(want, sizeof(want), "%s%s%s%s", CLEAN_1, pf->middle, CLEAN_REST, CLEAN_END);
	else /* after a gap the stack resyncs: the skip is the one anomaly,
	      * but an ADU whose only fault is its protocol id is named */
		snprintf(want, sizeof(want), "%s%s%s%s", CLEAN_1,
			 strstr(pf->what, "protocol id") ? pf->middle : "! MODBUS_RESYNC|", CLEAN_REST, CLEAN_END);
	if (strcmp(x.log.s, want) != 0)
		fprintf(stderr, "%s, position %d, segments of %zu:\n", pf->what, where, chunk);
	CHECK_STR(x.log.s, want);
}

static void test_resync_everywhere(void)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		for (int where = 0; where < 3; where++) {
			run_variant(&prefixes[i], where, 1000);
			run_variant(&prefixes[i], where, 1);
			run_variant(&prefixes[i], where, 5);
		}
}

/* Junk longer than the probe bytes on the port: the flow is not Modbus. */
static void test_junk_past_probe(void)
{
	struct fx x;
	setup(&x, 502);
	uint8_t b[600];
	memset(b, 0xee, 300);
	size_t n = 300 + adu(b + 300, 1, 1, "0600100064");
	feed(&x, 0, b, n, n, 100);
	CHECK(x.f.app == NULL);
	CHECK(x.f.app_probing_done);
	applayer_end(&x.al, &x.f, 101, 0);
	applayer_destroy(&x.al);
	CHECK_STR(x.log.s, "");
}

int main(void)
{
	RUN(test_table);
	RUN(test_truncations);
	RUN(test_names);
	RUN(test_suricata_layout);
	RUN(test_stream);
	RUN(test_flood);
	RUN(test_pending_grows);
	RUN(test_pending_at_memcap);
	RUN(test_direction_by_port);
	RUN(test_inventory_limit);
	RUN(test_probe);
	RUN(test_resync_everywhere);
	RUN(test_junk_past_probe);
	return test_done();
}
