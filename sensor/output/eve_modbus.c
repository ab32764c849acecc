/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The `modbus` record of a transaction, as Suricata 7/8 writes it
 * (rust/src/modbus/log.rs over sawp-modbus's Message), plus fabmon's decode.
 * Suricata's part is a function of the bytes on the wire alone, so it is
 * computed here from the ADU, the way sawp reads it: which object
 * (read/write/diagnostic/mei/exception/data) a message gets depends on its
 * function code and direction, not on whether its values are sane.
 */
#include "sensor/output/eve_modbus.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sensor/output/eve_feed.h"

/* ------------------------------------------------------------ names */

/* sawp-modbus FunctionCode, by code (Display is the variant's name). */
static const char *const suri_fc[25] = {
	NULL, "RdCoils", "RdDiscreteInputs", "RdHoldRegs", "RdInputRegs", "WrSingleCoil",
	"WrSingleReg", "RdExcStatus", "Diagnostic", "Program484", "Poll484", "GetCommEventCtr",
	"GetCommEventLog", "ProgramController", "PollController", "WrMultCoils", "WrMultRegs",
	"ReportServerID", "Program884", "ResetCommLink", "RdFileRec", "WrFileRec", "MaskWrReg",
	"RdWrMultRegs", "RdFIFOQueue",
};

/* The function a message is about: an exception's is its function's. */
static uint8_t code_of(uint8_t raw)
{
	return raw & 0x7f;
}

static bool named(uint8_t code)
{
	return (code >= 1 && code <= 24) || code == 43;
}

const char *modbus_suricata_function_code(uint8_t raw)
{
	uint8_t c = code_of(raw);
	if (c == 43)
		return "MEI";
	return c >= 1 && c <= 24 ? suri_fc[c] : "Unknown";
}

const char *modbus_suricata_exception_code(uint8_t code)
{
	static const char *const n[12] = {
		NULL, "IllegalFunction", "IllegalDataAddr", "IllegalDataValue", "ServerDeviceFail", "Ack",
		"ServerDeviceBusy", "NegAck", "MemParityErr", NULL, "GatewayPathUnavailable",
		"GatewayTargetFailToResp",
	};
	return code < 12 && n[code] ? n[code] : "Unknown";
}

const char *modbus_suricata_diagnostic_code(uint16_t sub)
{
	static const char *const n[22] = {
		"RetQueryData", "RestartCommOpt", "RetDiagReg", "ChangeInputDelimiter",
		"ForceListenOnlyMode", NULL, NULL, NULL, NULL, NULL, "ClearCtrDiagReg", "RetBusMsgCount",
		"RetBusCommErrCount", "RetBusExcErrCount", "RetServerMsgCount", "RetServerNoRespCount",
		"RetServerNAKCount", "RetServerBusyCount", "RetBusCharOverrunCount", "RetOverrunErrCount",
		"ClearOverrunCounterFlag", "GetClearPlusStats",
	};
	return sub < 22 && n[sub] ? n[sub] : "Reserved";
}

const char *modbus_suricata_mei_code(uint8_t mei)
{
	return mei == 0x0d ? "CANOpenGenRefReqResp" : mei == 0x0e ? "RdDevId" : "Unknown";
}

/* A flag set printed as sawp does: every variant (masks included) whose
 * bits are all set, in declaration order, joined by " | "; "NONE" if empty. */
struct flag_name {
	unsigned bits;
	const char *name;
};

static void flags_text(unsigned v, const struct flag_name *items, size_t n, char out[80])
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (!v || (v & items[i].bits) != items[i].bits)
			continue;
		size_t l = strlen(items[i].name);
		if (o + 3 + l >= 80)
			break; /* never with the names above; bounded all the same */
		if (o) {
			memcpy(out + o, " | ", 3);
			o += 3;
		}
		memcpy(out + o, items[i].name, l);
		o += l;
	}
	if (!o) {
		memcpy(out, "NONE", 4);
		o = 4;
	}
	out[o] = '\0';
}

enum { AT_READ = 1, AT_WRITE = 2, AT_DISCRETES = 4, AT_COILS = 8, AT_INPUT = 16, AT_HOLDING = 32,
       AT_SINGLE = 64, AT_MULTIPLE = 128 };

static unsigned access_bits(uint8_t raw)
{
	switch (code_of(raw)) {
	case 1: return AT_COILS | AT_READ;
	case 2: return AT_DISCRETES | AT_READ;
	case 3: return AT_HOLDING | AT_READ;
	case 4: return AT_INPUT | AT_READ;
	case 5: return AT_COILS | AT_WRITE | AT_SINGLE;
	case 6: return AT_HOLDING | AT_WRITE | AT_SINGLE;
	case 15: return AT_COILS | AT_WRITE | AT_MULTIPLE;
	case 16: return AT_HOLDING | AT_WRITE | AT_MULTIPLE;
	case 22: return AT_HOLDING | AT_WRITE;
	case 23: return AT_HOLDING | AT_READ | AT_WRITE | AT_MULTIPLE;
	default: return 0;
	}
}

void modbus_suricata_access_type(uint8_t raw, char out[80])
{
	static const struct flag_name items[] = {
		{ AT_READ, "READ" }, { AT_WRITE, "WRITE" }, { AT_DISCRETES, "DISCRETES" },
		{ AT_COILS, "COILS" }, { AT_INPUT, "INPUT" }, { AT_HOLDING, "HOLDING" },
		{ AT_SINGLE, "SINGLE" }, { AT_MULTIPLE, "MULTIPLE" },
		{ AT_DISCRETES | AT_COILS, "BIT_ACCESS_MASK" },
		{ AT_DISCRETES | AT_COILS | AT_INPUT | AT_HOLDING, "FUNC_MASK" },
		{ AT_WRITE | AT_SINGLE, "WRITE_SINGLE" }, { AT_WRITE | AT_MULTIPLE, "WRITE_MULTIPLE" },
	};
	flags_text(access_bits(raw), items, sizeof(items) / sizeof(items[0]), out);
}

enum { CAT_PUBLIC_ASSIGNED = 1, CAT_PUBLIC_UNASSIGNED = 2, CAT_USER_DEFINED = 4, CAT_RESERVED = 8 };

/* The function byte of an unknown code (an exception's too: then none). */
static unsigned category_of_raw(uint8_t r)
{
	if (r == 0 || r >= 128)
		return 0;
	if ((r >= 9 && r <= 14) || r == 41 || r == 42 || r == 90 || r == 91 || r >= 125)
		return CAT_RESERVED;
	if ((r >= 65 && r <= 72) || (r >= 100 && r <= 110))
		return CAT_USER_DEFINED;
	return CAT_PUBLIC_UNASSIGNED;
}

/* The PDU's bytes after the function code. */
static const uint8_t *pdu_data(const struct modbus_pdu *p, size_t *n)
{
	size_t hdr = MODBUS_MBAP_LEN + 1;
	*n = p->adu_len > hdr ? p->adu_len - hdr : 0;
	return p->adu + hdr;
}

static uint8_t raw_fc(const struct modbus_pdu *p)
{
	return p->adu_len > MODBUS_MBAP_LEN ? p->adu[MODBUS_MBAP_LEN] : 0;
}

static bool is_exception(const struct modbus_pdu *p)
{
	return !p->request && (raw_fc(p) & 0x80);
}

void modbus_suricata_category(const struct modbus_pdu *p, char out[80])
{
	static const struct flag_name items[] = {
		{ CAT_PUBLIC_ASSIGNED, "PUBLIC_ASSIGNED" }, { CAT_PUBLIC_UNASSIGNED, "PUBLIC_UNASSIGNED" },
		{ CAT_USER_DEFINED, "USER_DEFINED" }, { CAT_RESERVED, "RESERVED" },
	};
	uint8_t raw = raw_fc(p), c = code_of(raw);
	size_t n;
	const uint8_t *d = pdu_data(p, &n);
	unsigned cat;
	if (!named(c)) {
		cat = category_of_raw(raw);
	} else if (c == 8) {
		/* by its sub-function; none when there is no diagnostic object */
		cat = is_exception(p) || n < 2 ? 0
		      : !strcmp(modbus_suricata_diagnostic_code((uint16_t)(d[0] << 8 | d[1])), "Reserved")
			      ? CAT_RESERVED : CAT_PUBLIC_ASSIGNED;
	} else if (c == 43) {
		cat = is_exception(p) || n < 1 ? 0
		      : !strcmp(modbus_suricata_mei_code(d[0]), "Unknown") ? CAT_RESERVED : CAT_PUBLIC_ASSIGNED;
	} else {
		cat = CAT_PUBLIC_ASSIGNED;
	}
	flags_text(cat, items, sizeof(items) / sizeof(items[0]), out);
}

/* Suricata's error flags, set by fabmon's own checks: the kind of the check
 * the message failed (p->anomaly). */
void modbus_suricata_error_flags(const struct modbus_pdu *p, char out[80])
{
	static const struct { const char *anomaly, *flag; } map[] = {
		{ "MODBUS_PDU_TRUNCATED", "DATA_LENGTH" },
		{ "MODBUS_PDU_TOO_LONG", "DATA_LENGTH" },
		{ "MODBUS_INVALID_QUANTITY", "DATA_VALUE" },
		{ "MODBUS_INVALID_VALUE", "DATA_VALUE" },
		{ "MODBUS_BYTE_COUNT_MISMATCH", "DATA_VALUE" },
		{ "MODBUS_VALUE_MISMATCH", "DATA_VALUE" },
		{ "MODBUS_INVALID_EXCEPTION_CODE", "EXC_CODE" },
		{ "MODBUS_INVALID_FUNCTION_CODE", "FUNC_CODE" },
	};
	snprintf(out, 80, "NONE");
	for (size_t i = 0; p->anomaly && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(p->anomaly, map[i].anomaly))
			snprintf(out, 80, "%s", map[i].flag);
}

/* ------------------------------------------------------------ writing */

/* Rust's std::str::from_utf8: shortest forms, no surrogates, <= U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		size_t len;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* Suricata's set_string_from_bytes: the bytes as text when they are UTF-8,
 * else ASCII as is and every other byte as the four characters \xNN. */
static void suricata_bytes(struct jbuf *b, const char *key, const uint8_t *s, size_t n)
{
	if (utf8_valid(s, n)) {
		jb_strn(b, key, s, n);
		return;
	}
	uint8_t tmp[4 * MODBUS_MAX_ADU];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 <= sizeof(tmp); i++) {
		if (s[i] < 0x80) {
			tmp[o++] = s[i];
		} else {
			static const char hex[] = "0123456789abcdef";
			tmp[o++] = '\\', tmp[o++] = 'x';
			tmp[o++] = (uint8_t)hex[s[i] >> 4];
			tmp[o++] = (uint8_t)hex[s[i] & 15];
		}
	}
	jb_strn(b, key, tmp, o);
}

static uint16_t be16(const uint8_t *d)
{
	return (uint16_t)(d[0] << 8 | d[1]);
}

/*
 * Suricata's data object of a message (log_message's match on sawp's Data).
 * A message too short for its object is logged with its bytes as `data`
 * (sawp: Incomplete inside the ADU). Returns nothing; writes into b.
 */
static void suricata_data(struct jbuf *b, const struct modbus_pdu *p)
{
	uint8_t raw = raw_fc(p), c = code_of(raw);
	unsigned at = access_bits(raw);
	size_t n;
	const uint8_t *d = pdu_data(p, &n);
	if (p->adu_len <= MODBUS_MBAP_LEN)
		return;
	if (is_exception(p)) {
		if (n < 1) {
			suricata_bytes(b, "data", d, n);
			return;
		}
		jb_obj_open(b, "exception");
		jb_u64(b, "raw", d[0]);
		jb_name(b, "code", modbus_suricata_exception_code(d[0]));
		const char *en = modbus_exception_name(d[0]);
		jb_name(b, "name", en ? en : "invalid"); /* fabmon */
		jb_obj_close(b);
		return;
	}
	if (c == 8) {
		if (n < 2)
			return; /* sawp: no data object */
		uint16_t sub = be16(d);
		jb_obj_open(b, "diagnostic");
		jb_u64(b, "raw", sub);
		jb_name(b, "code", modbus_suricata_diagnostic_code(sub));
		suricata_bytes(b, "data", d + 2, n - 2);
		jb_name(b, "name", modbus_diag_name(sub)); /* fabmon */
		jb_obj_close(b);
		return;
	}
	if (c == 43) {
		if (n < 1)
			return;
		jb_obj_open(b, "mei");
		jb_u64(b, "raw", d[0]);
		jb_name(b, "code", modbus_suricata_mei_code(d[0]));
		suricata_bytes(b, "data", d + 1, n - 1);
		jb_obj_close(b);
		return;
	}
	if (p->request) {
		bool plain = (c == 20 || c == 21) ? n == 0 :
			     (c == 7 || c == 11 || c == 12 || c == 17) ? n > 0 : c == 24 ? n != 2 : false;
		if (!plain && (at & AT_READ)) {
			if (n < 4) {
				suricata_bytes(b, "data", d, n);
				return;
			}
			jb_obj_open(b, "read");
			jb_u64(b, "address", be16(d));
			jb_u64(b, "quantity", be16(d + 2));
			jb_obj_close(b);
			if (!(at & AT_WRITE) || n < 9)
				return;
			d += 4, n -= 4;
		}
		if (!plain && (at & AT_WRITE)) {
			size_t need = (at & AT_SINGLE) ? 4 : (at & AT_MULTIPLE) ? 5 : 6;
			if (n < need) {
				suricata_bytes(b, "data", d, n);
				return;
			}
			jb_obj_open(b, "write");
			jb_u64(b, "address", be16(d));
			if (at & AT_SINGLE) {
				jb_u64(b, "data", be16(d + 2));
			} else if (at & AT_MULTIPLE) {
				/* Suricata adds the values' bytes as a string `data`,
				 * which its schema says is an integer: fabmon leaves it
				 * out (the values are in `values`/`bits`) */
				jb_u64(b, "quantity", be16(d + 2));
			} else {
				jb_u64(b, "and_mask", be16(d + 2));
				jb_u64(b, "or_mask", be16(d + 4));
			}
			jb_obj_close(b);
			return;
		}
		if (!plain && at)
			return;
		suricata_bytes(b, "data", d, n);
		return;
	}
	bool plain = (c == 7 && n != 1) || (c == 11 && n != 4);
	if (!plain && (at & AT_READ)) {
		if (n < 1)
			return;
		jb_obj_open(b, "read");
		suricata_bytes(b, "data", d + 1, n - 1);
		jb_obj_close(b);
		return;
	}
	if (!plain && (at & AT_WRITE)) {
		size_t need = (at & (AT_SINGLE | AT_MULTIPLE)) ? 4 : 6;
		if (n < need) {
			suricata_bytes(b, "data", d, n);
			return;
		}
		jb_obj_open(b, "write");
		jb_u64(b, "address", be16(d));
		if (at & (AT_SINGLE | AT_MULTIPLE)) {
			jb_u64(b, "data", be16(d + 2)); /* FC 15/16: the quantity written */
		} else {
			jb_u64(b, "and_mask", be16(d + 2));
			jb_u64(b, "or_mask", be16(d + 4));
		}
		jb_obj_close(b);
		return;
	}
	suricata_bytes(b, "data", d, n);
}

/* fabmon's function_name of a message: the dissector's name (a MEI
 * type's, ...) or the function code's. */
static const char *function_name(const struct modbus_pdu *p)
{
	return p->function_name ? p->function_name : modbus_function_name(p->function);
}

/* fabmon's decode, beside Suricata's fields. */
static void fabmon_fields(struct jbuf *b, const struct modbus_pdu *p)
{
	jb_name(b, "function_name", function_name(p));
	jb_name(b, "access", modbus_access_name(p->access));
	if (p->anomaly)
		jb_name(b, "anomaly", p->anomaly);
	/* where Suricata has no read/write object: file records, FIFO */
	if (p->function == 20 || p->function == 21 || p->function == 24) {
		if (p->has_address)
			jb_u64(b, "address", p->address);
		if (p->has_quantity)
			jb_u64(b, "quantity", p->quantity);
	}
	if (p->has_mei && p->mei_type == 0x0e && !p->exception) {
		jb_u64(b, "read_device_id_code", p->read_device_id_code);
		jb_u64(b, "object_id", p->object_id);
	}
	if (p->has_byte_count)
		jb_u64(b, "byte_count", p->byte_count);
	if (p->nvalues) {
		jb_u16_array(b, p->values_are_bits ? "bits" : "values", p->values, p->nvalues);
		if (p->values_truncated)
			jb_bool(b, "values_truncated", true);
	}
	if (p->nobjects) {
		unsigned repeated = 0;
		jb_obj_open(b, "objects");
		for (int i = 0; i < p->nobjects; i++) {
			/* a device that sends an object id twice: the first is
			 * written (a JSON object takes a key once; found by
			 * fuzz-eve-output), the repeats are counted beside */
			bool seen = false;
			for (int j = 0; j < i && !seen; j++)
				seen = p->objects[j].id == p->objects[i].id;
			if (seen) {
				repeated++;
				continue;
			}
			char key[24];
			const char *name = modbus_object_name(p->objects[i].id);
			if (strcmp(name, "reserved") == 0 || strcmp(name, "private") == 0) {
				snprintf(key, sizeof(key), "object_%u", p->objects[i].id);
				name = key;
			}
			jb_strn(b, name, p->objects[i].value, p->objects[i].len);
		}
		jb_obj_close(b);
		if (repeated)
			jb_u64(b, "objects_repeated", repeated);
	}
	if (p->server_id) {
		jb_strn(b, "server_id", p->server_id, p->server_id_len);
		if (p->has_run_indicator)
			jb_name(b, "run_indicator", p->run_indicator == 0xff ? "on" : "off");
		if (p->server_data)
			jb_strn(b, "server_data", p->server_data, p->server_data_len);
	}
}

void eve_modbus_message(struct jbuf *b, const char *key, const struct modbus_pdu *p)
{
	char text[80];
	uint8_t raw = raw_fc(p);
	jb_obj_open(b, key);
	jb_u64(b, "transaction_id", p->transaction_id);
	jb_u64(b, "protocol_id", p->protocol_id);
	jb_u64(b, "unit_id", p->unit_id);
	jb_u64(b, "function_raw", raw);
	jb_name(b, "function_code", modbus_suricata_function_code(raw));
	modbus_suricata_access_type(raw, text);
	jb_name(b, "access_type", text);
	modbus_suricata_category(p, text);
	jb_name(b, "category", text);
	modbus_suricata_error_flags(p, text);
	jb_name(b, "error_flags", text);
	suricata_data(b, p);
	fabmon_fields(b, p);
	jb_obj_close(b);
}

void eve_modbus_tx(struct eve *e, struct flow *f, int64_t sec, uint32_t usec, const struct modbus_tx *tx)
{
	struct jbuf *b = &e->jb;
	eve_header(e, b, sec, usec, f, "modbus");
	jb_obj_open(b, "modbus");
	jb_u64(b, "id", tx->id);
	if (tx->request)
		eve_modbus_message(b, "request", tx->request);
	if (tx->response)
		eve_modbus_message(b, "response", tx->response);
	jb_obj_open(b, "transaction"); /* fabmon */
	jb_name(b, "state", modbus_tx_state_name(tx->state));
	jb_bool(b, "matched", tx->state == MODBUS_TX_ANSWERED);
	if (tx->state == MODBUS_TX_ANSWERED)
		jb_u64(b, "latency_us", tx->latency_us);
	jb_obj_close(b);
	jb_obj_close(b);
	if (eve_commit(e, b) && e->report && tx->request)
		eve_feed_modbus(e, f, function_name(tx->request));
}
