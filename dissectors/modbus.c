/* SPDX-License-Identifier: BSD-2-Clause */
/* Modbus/TCP dissector. See modbus.h for the frame. */
#include "dissectors/modbus.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/dissector_common.h"
#include "util/bview.h"

#define MODBUS_RESYNC_WAIT 1024

/* ------------------------------------------------------------ tables */

/* Function codes: Modbus Application Protocol V1.1b3 §5 and §6 (public),
 * the reserved/vendor codes as Zeek's consts.zeek names them. */
static const char *const fnames[128] = {
	[1] = "read_coils",
	[2] = "read_discrete_inputs",
	[3] = "read_holding_registers",
	[4] = "read_input_registers",
	[5] = "write_single_coil",
	[6] = "write_single_register",
	[7] = "read_exception_status",
	[8] = "diagnostics",
	[9] = "program_484",
	[10] = "poll_484",
	[11] = "get_comm_event_counter",
	[12] = "get_comm_event_log",
	[13] = "program_584_984",
	[14] = "poll_584_984",
	[15] = "write_multiple_coils",
	[16] = "write_multiple_registers",
	[17] = "report_server_id",
	[18] = "program_884_u84",
	[19] = "reset_comm_link_884_u84",
	[20] = "read_file_record",
	[21] = "write_file_record",
	[22] = "mask_write_register",
	[23] = "read_write_multiple_registers",
	[24] = "read_fifo_queue",
	[40] = "program_concept",
	[41] = "reserved_41",
	[42] = "reserved_42",
	[43] = "encapsulated_interface_transport",
	[90] = "program_unity_umas",
	[91] = "object_messaging",
	[125] = "firmware_replacement",
	[126] = "program_584_984_2",
	[127] = "report_local_address",
};

const char *modbus_function_name(uint8_t function)
{
	function &= 0x7f;
	if (fnames[function])
		return fnames[function];
	if ((function >= 65 && function <= 72) || (function >= 100 && function <= 110))
		return "user_defined";
	return "unassigned";
}

/* Public function codes E1.1b3 assigns, vendor codes sawp lists as
 * reserved, and user-defined ranges: anything else is unassigned. */
static bool function_known(uint8_t f)
{
	return f != 0 && strcmp(modbus_function_name(f), "unassigned") != 0;
}

static bool function_public(uint8_t f)
{
	return (f >= 1 && f <= 8) || f == 11 || f == 12 || (f >= 15 && f <= 17) || (f >= 20 && f <= 24) ||
	       f == 43;
}

enum modbus_access modbus_access_of(uint8_t f, uint8_t mei_type)
{
	switch (f & 0x7f) {
	case 1: case 2: case 3: case 4: case 7: case 20: case 24:
		return MODBUS_ACCESS_READ;
	case 5: case 6: case 15: case 16: case 21: case 22: case 23:
		return MODBUS_ACCESS_WRITE;
	case 8: case 11: case 12: case 19:
		return MODBUS_ACCESS_DIAGNOSTIC;
	case 17:
		return MODBUS_ACCESS_IDENTIFICATION;
	case 43:
		return mei_type == 0x0e ? MODBUS_ACCESS_IDENTIFICATION : MODBUS_ACCESS_OTHER;
	/* 484/584/984/884 programming, Concept, Unity (UMAS), firmware */
	case 9: case 10: case 13: case 14: case 18: case 40: case 90: case 125: case 126: case 127:
		return MODBUS_ACCESS_PROGRAMMING;
	default:
		return MODBUS_ACCESS_OTHER;
	}
}

static const char *const access_names[MODBUS_ACCESS_COUNT] = {
	[MODBUS_ACCESS_READ] = "read",
	[MODBUS_ACCESS_WRITE] = "write",
	[MODBUS_ACCESS_DIAGNOSTIC] = "diagnostic",
	[MODBUS_ACCESS_PROGRAMMING] = "programming",
	[MODBUS_ACCESS_IDENTIFICATION] = "identification",
	[MODBUS_ACCESS_OTHER] = "other",
};

const char *modbus_access_name(enum modbus_access a)
{
	return (unsigned)a < MODBUS_ACCESS_COUNT ? access_names[a] : "other";
}

bool modbus_write_span(const struct modbus_pdu *pd, uint32_t *lo, uint32_t *hi)
{
	if (pd->function == 23 && pd->has_write) {
		*lo = pd->write_address;
		*hi = *lo + (pd->write_quantity ? pd->write_quantity - 1u : 0);
		return true;
	}
	if (!pd->has_address)
		return false;
	*lo = pd->address;
	uint32_t q = (pd->function == 15 || pd->function == 16) && pd->has_quantity ? pd->quantity : 1;
	*hi = *lo + (q ? q - 1 : 0);
	return true;
}

bool modbus_read_span(const struct modbus_pdu *pd, uint32_t *lo, uint32_t *hi)
{
	if (!pd->has_address)
		return false;
	*lo = pd->address;
	*hi = *lo + (pd->has_quantity && pd->quantity ? pd->quantity - 1u : 0);
	return true;
}

enum modbus_access modbus_access_parse(const char *name)
{
	for (int a = 0; a < MODBUS_ACCESS_COUNT; a++)
		if (strcmp(access_names[a], name) == 0)
			return (enum modbus_access)a;
	return MODBUS_ACCESS_COUNT;
}

const char *modbus_exception_name(uint8_t code)
{
	switch (code) {
	case 1: return "illegal_function";
	case 2: return "illegal_data_address";
	case 3: return "illegal_data_value";
	case 4: return "server_device_failure";
	case 5: return "acknowledge";
	case 6: return "server_device_busy";
	case 7: return "negative_acknowledge";
	case 8: return "memory_parity_error";
	case 10: return "gateway_path_unavailable";
	case 11: return "gateway_target_device_failed_to_respond";
	default: return NULL;
	}
}

const char *modbus_diag_name(uint16_t sub)
{
	switch (sub) {
	case 0: return "return_query_data";
	case 1: return "restart_communications";
	case 2: return "return_diagnostic_register";
	case 3: return "change_ascii_input_delimiter";
	case 4: return "force_listen_only_mode";
	case 10: return "clear_counters_and_diagnostic_register";
	case 11: return "return_bus_message_count";
	case 12: return "return_bus_communication_error_count";
	case 13: return "return_bus_exception_error_count";
	case 14: return "return_server_message_count";
	case 15: return "return_server_no_response_count";
	case 16: return "return_server_nak_count";
	case 17: return "return_server_busy_count";
	case 18: return "return_bus_character_overrun_count";
	case 20: return "clear_overrun_counter_and_flag";
	default: return "reserved";
	}
}

/* Read Device Identification object ids (V1.1b3 §6.21). */
const char *modbus_object_name(uint8_t id)
{
	switch (id) {
	case 0: return "vendor_name";
	case 1: return "product_code";
	case 2: return "major_minor_revision";
	case 3: return "vendor_url";
	case 4: return "product_name";
	case 5: return "model_name";
	case 6: return "user_application_name";
	default: return id < 0x80 ? "reserved" : "private";
	}
}

/* ------------------------------------------------------------ PDU decode */

static void take_registers(struct modbus_pdu *o, struct bview *v, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		uint16_t r = bv_be16(v);
		if (v->err)
			return;
		if (o->nvalues < MODBUS_MAX_VALUES)
			o->values[o->nvalues++] = r;
		else
			o->values_truncated = true;
	}
}

/* The first `count` bits of `bits`, least significant first in each byte. */
static void take_bits(struct modbus_pdu *o, struct bview bits, size_t count)
{
	o->values_are_bits = true;
	uint8_t byte = 0;
	for (size_t i = 0; i < count; i++) {
		if (i % 8 == 0) {
			byte = bv_u8(&bits);
			if (bits.err)
				return;
		}
		if (o->nvalues < MODBUS_MAX_VALUES)
			o->values[o->nvalues++] = (uint16_t)((byte >> (i % 8)) & 1);
		else
			o->values_truncated = true;
	}
}

#define TRUNC "MODBUS_PDU_TRUNCATED"
#define EXTRA "MODBUS_PDU_TOO_LONG"

/* Nothing left, or the PDU has bytes its function does not define. */
static const char *end_of(struct bview *v)
{
	if (v->err)
		return TRUNC;
	return bv_left(v) ? EXTRA : NULL;
}

static const char *decode_request(struct modbus_pdu *o, struct bview *v)
{
	uint8_t f = o->function;
	switch (f) {
	case 1: case 2: case 3: case 4: {
		o->address = bv_be16(v);
		o->quantity = bv_be16(v);
		o->has_address = o->has_quantity = true;
		const char *e = end_of(v);
		if (e)
			return e;
		/* V1.1b3: 1..2000 coils/inputs, 1..125 registers */
		uint16_t max = f <= 2 ? 2000 : 125;
		if (o->quantity < 1 || o->quantity > max)
			return "MODBUS_INVALID_QUANTITY";
		return NULL;
	}
	case 5:
	case 6: {
		o->address = bv_be16(v);
		uint16_t val = bv_be16(v);
		o->has_address = true;
		const char *e = end_of(v);
		if (e)
			return e;
		o->values[o->nvalues++] = val;
		if (f == 5 && val != 0x0000 && val != 0xff00)
			return "MODBUS_INVALID_VALUE"; /* a coil is 0x0000 or 0xFF00 */
		return NULL;
	}
	case 7: case 11: case 12: case 17:
		return end_of(v);
	case 8: {
		o->subfunction = bv_be16(v);
		o->has_subfunction = true;
		if (v->err)
			return TRUNC;
		take_registers(o, v, bv_left(v) / 2);
		if (bv_left(v) % 2)
			return EXTRA;
		return NULL;
	}
	case 15:
	case 16: {
		o->address = bv_be16(v);
		o->quantity = bv_be16(v);
		o->byte_count = bv_u8(v);
		o->has_address = o->has_quantity = o->has_byte_count = true;
		if (v->err)
			return TRUNC;
		uint16_t max = f == 15 ? 1968 : 123;
		if (o->quantity < 1 || o->quantity > max)
			return "MODBUS_INVALID_QUANTITY";
		size_t want = f == 15 ? ((size_t)o->quantity + 7) / 8 : (size_t)o->quantity * 2;
		if (o->byte_count != want || bv_left(v) != want)
			return "MODBUS_BYTE_COUNT_MISMATCH";
		if (f == 15)
			take_bits(o, bv_sub(v, want), o->quantity);
		else
			take_registers(o, v, o->quantity);
		return NULL;
	}
	case 20:
	case 21: {
		o->byte_count = bv_u8(v);
		o->has_byte_count = true;
		if (v->err)
			return TRUNC;
		if (bv_left(v) != o->byte_count)
			return "MODBUS_BYTE_COUNT_MISMATCH";
		/* sub-requests: reference type 6, file, record, length (, data) */
		while (bv_left(v) > 0) {
			uint8_t ref = bv_u8(v);
			uint16_t file = bv_be16(v), rec = bv_be16(v), len = bv_be16(v);
			if (v->err)
				return TRUNC;
			if (ref != 6)
				return "MODBUS_INVALID_VALUE";
			if (!o->has_address) {
				o->address = rec;
				o->quantity = len;
				o->has_address = o->has_quantity = true;
				o->values[o->nvalues++] = file;
			}
			if (f == 21 && !bv_skip(v, (size_t)len * 2))
				return TRUNC;
		}
		return NULL;
	}
	case 22: {
		o->address = bv_be16(v);
		o->and_mask = bv_be16(v);
		o->or_mask = bv_be16(v);
		o->has_address = o->has_masks = true;
		return end_of(v);
	}
	case 23: {
		o->address = bv_be16(v);
		o->quantity = bv_be16(v);
		o->write_address = bv_be16(v);
		o->write_quantity = bv_be16(v);
		o->byte_count = bv_u8(v);
		o->has_address = o->has_quantity = o->has_write = o->has_byte_count = true;
		if (v->err)
			return TRUNC;
		if (o->quantity < 1 || o->quantity > 125 || o->write_quantity < 1 || o->write_quantity > 121)
			return "MODBUS_INVALID_QUANTITY";
		if (o->byte_count != o->write_quantity * 2 || bv_left(v) != o->byte_count)
			return "MODBUS_BYTE_COUNT_MISMATCH";
		take_registers(o, v, o->write_quantity);
		return NULL;
	}
	case 24:
		o->address = bv_be16(v);
		o->has_address = true;
		return end_of(v);
	case 43: {
		o->mei_type = bv_u8(v);
		o->has_mei = true;
		if (v->err)
			return TRUNC;
		o->access = modbus_access_of(43, o->mei_type);
		if (o->mei_type == 0x0e) {
			o->read_device_id_code = bv_u8(v);
			o->object_id = bv_u8(v);
			const char *e = end_of(v);
			if (e)
				return e;
			if (o->read_device_id_code < 1 || o->read_device_id_code > 4)
				return "MODBUS_INVALID_VALUE";
		}
		return NULL;
	}
	default:
		return NULL; /* vendor and user-defined codes: not specified, not checked */
	}
}

static const char *decode_response(struct modbus_pdu *o, struct bview *v, const struct modbus_request *req)
{
	uint8_t f = o->function;
	switch (f) {
	case 1: case 2: case 3: case 4: case 23: {
		o->byte_count = bv_u8(v);
		o->has_byte_count = true;
		if (v->err)
			return TRUNC;
		if (bv_left(v) != o->byte_count)
			return "MODBUS_BYTE_COUNT_MISMATCH";
		if (req) {
			o->address = req->address;
			o->quantity = req->quantity;
			o->has_address = req->has_address;
			o->has_quantity = req->has_quantity;
		}
		if (f <= 2) {
			size_t want = req ? ((size_t)req->quantity + 7) / 8 : o->byte_count;
			take_bits(o, bv_sub(v, o->byte_count), req ? req->quantity : (size_t)o->byte_count * 8);
			if (req && o->byte_count != want)
				return "MODBUS_BYTE_COUNT_MISMATCH";
			return NULL;
		}
		if (o->byte_count % 2 || (req && o->byte_count != req->quantity * 2))
			return "MODBUS_BYTE_COUNT_MISMATCH";
		take_registers(o, v, o->byte_count / 2);
		return NULL;
	}
	case 5:
	case 6:
	case 8:
	case 22: {
		/* the response echoes the request */
		if (f == 8) {
			o->subfunction = bv_be16(v);
			o->has_subfunction = true;
		} else {
			o->address = bv_be16(v);
			o->has_address = true;
		}
		if (f == 22) {
			o->and_mask = bv_be16(v);
			o->or_mask = bv_be16(v);
			o->has_masks = true;
		} else if (f != 8) {
			o->values[o->nvalues++] = bv_be16(v);
		} else {
			take_registers(o, v, bv_left(v) / 2);
		}
		const char *e = end_of(v);
		if (e)
			return e;
		if (req) {
			bool differs = f == 8 ? req->subfunction != o->subfunction : req->address != o->address;
			if ((f == 5 || f == 6) && req->has_value && req->value != o->values[0])
				differs = true;
			if (f == 22 && (req->and_mask != o->and_mask || req->or_mask != o->or_mask))
				differs = true;
			if (differs)
				return "MODBUS_VALUE_MISMATCH";
		}
		return NULL;
	}
	case 7:
		o->values[o->nvalues++] = bv_u8(v);
		return end_of(v);
	case 11:
		take_registers(o, v, 2); /* status, event count */
		return end_of(v);
	case 12:
		o->byte_count = bv_u8(v);
		o->has_byte_count = true;
		if (v->err)
			return TRUNC;
		if (bv_left(v) != o->byte_count || o->byte_count < 6)
			return "MODBUS_BYTE_COUNT_MISMATCH";
		take_registers(o, v, 3); /* status, event count, message count */
		return NULL;
	case 15:
	case 16:
		o->address = bv_be16(v);
		o->quantity = bv_be16(v);
		o->has_address = o->has_quantity = true;
		if (end_of(v))
			return end_of(v);
		if (req && (req->address != o->address || req->quantity != o->quantity))
			return "MODBUS_VALUE_MISMATCH";
		return NULL;
	case 17: {
		o->byte_count = bv_u8(v);
		o->has_byte_count = true;
		if (v->err)
			return TRUNC;
		if (bv_left(v) != o->byte_count || o->byte_count < 1)
			return "MODBUS_BYTE_COUNT_MISMATCH";
		/* V1.1b3 §6.17: server id (device specific), run indicator
		 * (0x00/0xFF), additional data. The id's length is not given;
		 * the common layout (libmodbus, pymodbus) is one byte, so a
		 * run indicator in the second byte marks it */
		struct bview d = bv_sub(v, o->byte_count);
		uint8_t run;
		o->server_id = bv_ptr(&d);
		if (bv_peek_u8(&d, 1, &run) && (run == 0x00 || run == 0xff)) {
			o->server_id_len = 1;
			o->run_indicator = run;
			o->has_run_indicator = true;
			bv_skip(&d, 2);
			o->server_data = bv_ptr(&d);
			o->server_data_len = (uint8_t)bv_left(&d);
		} else {
			o->server_id_len = o->byte_count;
		}
		return NULL;
	}
	case 20:
	case 21:
	case 24:
		/* lengths are checked as far as the structure goes */
		if (f == 24) {
			uint16_t bc = bv_be16(v);
			uint16_t count = bv_be16(v);
			if (v->err)
				return TRUNC;
			if (bv_left(v) != (size_t)count * 2 || bc != count * 2 + 2)
				return "MODBUS_BYTE_COUNT_MISMATCH";
			if (count > 31)
				return "MODBUS_INVALID_QUANTITY";
			take_registers(o, v, count);
			return NULL;
		}
		o->byte_count = bv_u8(v);
		o->has_byte_count = true;
		if (v->err)
			return TRUNC;
		return bv_left(v) != o->byte_count ? "MODBUS_BYTE_COUNT_MISMATCH" : NULL;
	case 43: {
		o->mei_type = bv_u8(v);
		o->has_mei = true;
		if (v->err)
			return TRUNC;
		o->access = modbus_access_of(43, o->mei_type);
		if (o->mei_type != 0x0e)
			return NULL;
		o->read_device_id_code = bv_u8(v);
		bv_skip(v, 1);                 /* conformity level */
		bv_skip(v, 1);                 /* more follows */
		o->object_id = bv_u8(v);       /* next object id */
		uint8_t nobj = bv_u8(v);
		if (v->err)
			return TRUNC;
		for (uint8_t i = 0; i < nobj; i++) {
			uint8_t id = bv_u8(v), len = bv_u8(v);
			struct bview val = bv_sub(v, len);
			if (v->err)
				return TRUNC;
			if (o->nobjects < MODBUS_MAX_OBJECTS)
				o->objects[o->nobjects++] = (struct modbus_object){ id, len, bv_ptr(&val) };
		}
		return end_of(v);
	}
	default:
		return NULL;
	}
}

void modbus_request_of(const struct modbus_pdu *req, struct modbus_request *out)
{
	memset(out, 0, sizeof(*out));
	out->function = req->function;
	out->mei_type = req->mei_type;
	out->has_mei = req->has_mei;
	out->has_address = req->has_address;
	out->has_quantity = req->has_quantity;
	out->address = req->address;
	out->quantity = req->quantity;
	out->subfunction = req->subfunction;
	out->and_mask = req->and_mask;
	out->or_mask = req->or_mask;
	if ((req->function == 5 || req->function == 6) && req->nvalues) {
		out->value = req->values[0];
		out->has_value = true;
	}
}

const char *modbus_decode_pdu(const uint8_t *pdu, size_t n, bool request,
			      const struct modbus_request *req, struct modbus_pdu *o)
{
	struct bview v = bv_make(pdu, n);
	o->request = request;
	o->fc = bv_u8(&v);
	if (v.err)
		return TRUNC;
	o->function = o->fc & 0x7f;
	o->function_name = modbus_function_name(o->function);
	o->access = modbus_access_of(o->function, req ? req->mei_type : 0);
	if (req && req->has_mei)
		o->mei_type = req->mei_type;
	if (o->fc & 0x80) {
		if (request)
			return "MODBUS_INVALID_FUNCTION_CODE"; /* requests never set bit 7 */
		o->exception = true;
		o->exception_code = bv_u8(&v);
		const char *e = end_of(&v);
		if (e)
			return e;
		if (!modbus_exception_name(o->exception_code))
			return "MODBUS_INVALID_EXCEPTION_CODE";
		if (req && req->function != o->function)
			return "MODBUS_FUNCTION_MISMATCH";
		return NULL;
	}
	if (!function_known(o->function))
		return "MODBUS_INVALID_FUNCTION_CODE";
	if (!request && req && req->function != o->function)
		return "MODBUS_FUNCTION_MISMATCH";
	return request ? decode_request(o, &v) : decode_response(o, &v, req);
}

/* ------------------------------------------------------------ global */

void modbus_config_defaults(struct modbus_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_devices = 4096;
}

struct modbus_global {
	struct modbus_config cfg;
	struct asset_table dev;     /* struct modbus_device, by address */
};

struct modbus_global *modbus_global_create(const struct modbus_config *cfg)
{
	struct modbus_global *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	if (cfg)
		g->cfg = *cfg;
	else
		modbus_config_defaults(&g->cfg);
	if (!asset_table_init(&g->dev, sizeof(struct modbus_device),
			      offsetof(struct modbus_device, addr), g->cfg.max_devices)) {
		free(g);
		return NULL;
	}
	return g;
}

void modbus_global_destroy(struct modbus_global *g)
{
	if (!g)
		return;
	asset_table_free(&g->dev);
	free(g);
}

size_t modbus_device_count(const struct modbus_global *g)
{
	return asset_table_count(&g->dev);
}

const struct modbus_device *modbus_device_at(const struct modbus_global *g, size_t i)
{
	return asset_table_at(&g->dev, i);
}

/* ------------------------------------------------------------ per flow */

/* An open request: its ADU as sent (decoded again when the transaction is
 * written), so that a flow's state does not hold 64 decoded PDUs. */
struct mb_pending {
	bool used;
	uint16_t transaction_id;
	uint8_t unit_id;
	uint16_t adu_len;
	uint64_t tx_id;
	struct modbus_request req;
	int64_t sec;
	uint32_t usec;
	uint8_t adu[MODBUS_MAX_ADU];
};

/* Open requests a flow's state holds itself. A client rarely has more than
 * one open (libmodbus waits for each answer), a gateway polling several
 * units a few; a flow that has more open at once gets a table of
 * MODBUS_MAX_PENDING (dissect_alloc), so that 64 slots of 312 bytes are
 * not the cost of every connection. */
#define INLINE_PENDING 4
#define GROWN_BYTES (MODBUS_MAX_PENDING * sizeof(struct mb_pending))

struct modbus_flow {
	struct dissect_stream st;  /* init, resync, anomalies */
	int request_dir;          /* direction of requests */
	size_t dev_index;         /* + 1 */
	struct mb_pending pend[INLINE_PENDING]; /* until more are open at once */
	struct dissect_grown grown; /* MODBUS_MAX_PENDING of them, once grown */
	uint64_t next_tx;         /* transactions created so far */
	bool flood_reported;
	struct modbus_session_summary sum;
};

/* The open-request table: the flow's own slots, or the grown table (which
 * starts with them, in the same places). */
static struct mb_pending *slots(struct modbus_flow *fs, int *n)
{
	struct mb_pending *more = fs->grown.more;
	*n = more ? MODBUS_MAX_PENDING : INLINE_PENDING;
	return more ? more : fs->pend;
}

static void asset_event(struct dissect_ctx *ctx, enum modbus_asset_change c, const struct modbus_device *d)
{
	struct modbus_asset_event ae = { c, d };
	struct app_event ev = { APP_EVENT_MODBUS_ASSET, 0, &ae };
	ctx->emit(ctx, &ev);
}

static struct modbus_device *device(struct modbus_flow *fs, struct dissect_ctx *ctx)
{
	struct modbus_global *g = dissect_global(ctx); /* the inventory, shared by the workers */
	const struct dissect_flow *df = ctx->flow;
	const struct ip_addr *srv = fs->request_dir == 0 ? &df->server : &df->client;
	const struct ip_addr *cli = fs->request_dir == 0 ? &df->client : &df->server;
	uint16_t port = fs->request_dir == 0 ? df->server_port : df->client_port;
	struct modbus_device *d = fs->dev_index ? asset_table_at(&g->dev, fs->dev_index - 1) : NULL;
	if (!d) {
		bool created;
		d = asset_table_find(&g->dev, srv, true, &created);
		if (!d)
			return NULL;
		if (created) {
			d->first_sec = ctx->ts_sec;
			d->first_usec = ctx->ts_usec;
		}
		fs->dev_index = asset_table_index(&g->dev, d) + 1;
		set_add_u16(d->ports, &d->nports, 4, port);
		bool known = set_add_addr(d->clients, &d->nclients, MODBUS_MAX_CLIENTS,
					  &d->clients_overflow, cli);
		d->last_sec = ctx->ts_sec; /* the asset record says when it was last seen */
		d->last_usec = ctx->ts_usec;
		if (created)
			asset_event(ctx, MODBUS_ASSET_NEW, d);
		else if (!known)
			asset_event(ctx, MODBUS_ASSET_NEW_CLIENT, d);
	}
	d->last_sec = ctx->ts_sec;
	d->last_usec = ctx->ts_usec;
	return d;
}

/* A device identification value: printable, or hex. */
static void id_text(char *out, size_t outlen, struct bview v)
{
	bool printable = v.len > 0;
	uint8_t c;
	for (size_t i = 0; bv_peek_u8(&v, i, &c); i++)
		if (c < 0x20 || c >= 0x7f)
			printable = false;
	size_t o = 0;
	if (printable) {
		while (bv_left(&v) && o + 1 < outlen)
			out[o++] = (char)bv_u8(&v);
	} else {
		static const char hex[] = "0123456789abcdef";
		while (bv_left(&v) && o + 2 < outlen) {
			c = bv_u8(&v);
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static void learn_identity(struct modbus_flow *fs, struct dissect_ctx *ctx, const struct modbus_pdu *p)
{
	struct modbus_device *d = device(fs, ctx);
	if (!d)
		return;
	char old_rev[MODBUS_ID_LEN];
	memcpy(old_rev, d->revision, sizeof(old_rev));
	bool changed = false, learned = false;
	for (int i = 0; i < p->nobjects; i++) {
		char *dst = NULL;
		switch (p->objects[i].id) {
		case 0: dst = d->vendor; break;
		case 1: dst = d->product_code; break;
		case 2: dst = d->revision; break;
		case 3: dst = d->vendor_url; break;
		case 4: dst = d->product_name; break;
		case 5: dst = d->model_name; break;
		case 6: dst = d->user_application; break;
		default: break;
		}
		if (!dst)
			continue;
		char val[MODBUS_ID_LEN];
		id_text(val, sizeof(val), bv_make(p->objects[i].value, p->objects[i].len));
		if (dst[0] && strcmp(dst, val) != 0)
			changed = true;
		if (strcmp(dst, val) != 0) {
			memcpy(dst, val, sizeof(val));
			learned = true;
		}
	}
	if (p->function == 17 && p->server_id) {
		struct { char *dst; const uint8_t *v; size_t n; } f17[2] = {
			{ d->server_id, p->server_id, p->server_id_len },
			{ d->server_data, p->server_data, p->server_data_len },
		};
		for (int i = 0; i < 2; i++) {
			char val[MODBUS_ID_LEN];
			if (!f17[i].v)
				continue;
			id_text(val, sizeof(val), bv_make(f17[i].v, f17[i].n));
			if (f17[i].dst[0] && strcmp(f17[i].dst, val) != 0)
				changed = true;
			if (strcmp(f17[i].dst, val) != 0) {
				memcpy(f17[i].dst, val, sizeof(val));
				learned = true;
			}
		}
	}
	if (!learned)
		return;
	if (changed) {
		memcpy(d->prev_revision, old_rev, sizeof(old_rev));
		asset_event(ctx, MODBUS_ASSET_CHANGED, d);
	} else if (!d->identified) {
		d->identified = true;
		asset_event(ctx, MODBUS_ASSET_IDENTIFIED, d);
	}
	d->identified = true;
}

static struct mb_pending *pending_find(struct modbus_flow *fs, uint16_t tid, uint8_t unit)
{
	int n;
	struct mb_pending *t = slots(fs, &n);
	for (int i = 0; i < n; i++)
		if (t[i].used && t[i].transaction_id == tid && t[i].unit_id == unit)
			return &t[i];
	return NULL;
}

const char *modbus_tx_state_name(enum modbus_tx_state st)
{
	switch (st) {
	case MODBUS_TX_ANSWERED: return "answered";
	case MODBUS_TX_UNANSWERED: return "unanswered";
	case MODBUS_TX_EVICTED: return "evicted";
	case MODBUS_TX_UNMATCHED: return "unmatched";
	}
	return "unknown";
}

bool modbus_tx_routine(const struct modbus_tx *tx)
{
	return tx->state == MODBUS_TX_ANSWERED && tx->request->access == MODBUS_ACCESS_READ &&
	       !tx->response->exception && !tx->request->anomaly && !tx->response->anomaly;
}

/* The MBAP header that starts every ADU. */
struct mbap {
	uint16_t transaction_id, protocol_id, length;
	uint8_t unit_id;
};

/* Read it at v's cursor; false (v->err set) if fewer than 7 bytes. The
 * reads go through a view of exactly 7 bytes: the compiler sees their
 * bounds and checks once. */
static bool read_mbap(struct bview *v, struct mbap *h)
{
	struct bview m = bv_sub(v, MODBUS_MBAP_LEN);
	h->transaction_id = bv_be16(&m);
	h->protocol_id = bv_be16(&m);
	h->length = bv_be16(&m);
	h->unit_id = bv_u8(&m);
	return !m.err;
}

/* Decode an ADU, whose header h the caller read and checked, into o. */
static const char *decode_adu(struct bview adu, const struct mbap *h, bool request,
			      const struct modbus_request *req, struct modbus_pdu *o)
{
	memset(o, 0, sizeof(*o));
	o->adu = adu.p;
	o->adu_len = (uint16_t)adu.len;
	o->transaction_id = h->transaction_id;
	o->protocol_id = h->protocol_id;
	o->length = h->length;
	o->unit_id = h->unit_id;
	bv_skip(&adu, MODBUS_MBAP_LEN);
	o->anomaly = modbus_decode_pdu(bv_ptr(&adu), bv_left(&adu), request, req, o);
	return o->anomaly;
}

/* The request of an open transaction, decoded again into out. */
static const struct modbus_pdu *pending_request(const struct modbus_flow *fs, const struct mb_pending *p,
						struct modbus_pdu *out)
{
	struct bview adu = bv_make(p->adu, p->adu_len);
	struct bview hv = adu;
	struct mbap h;
	read_mbap(&hv, &h);
	decode_adu(adu, &h, true, NULL, out);
	out->dir = fs->request_dir;
	out->tx_id = p->tx_id;
	return out;
}

static void emit_tx(struct dissect_ctx *ctx, int dir, const struct modbus_tx *tx)
{
	struct app_event ev = { APP_EVENT_MODBUS_TX, dir, tx };
	ctx->emit(ctx, &ev);
}

/* A request given up: written as a transaction without response. */
static void pending_give_up(struct modbus_flow *fs, struct dissect_ctx *ctx, struct mb_pending *p,
			    enum modbus_tx_state st)
{
	struct modbus_pdu req;
	struct modbus_tx tx = { p->tx_id, pending_request(fs, p, &req), NULL, st, 0 };
	emit_tx(ctx, fs->request_dir, &tx);
	p->used = false;
}

/* A free slot in a grown table, NULL if it cannot grow. */
static struct mb_pending *grow(struct modbus_flow *fs, struct dissect_ctx *ctx)
{
	struct mb_pending *more = dissect_grow(ctx, &fs->grown, fs->pend, sizeof(fs->pend),
					       GROWN_BYTES);
	return more ? &more[INLINE_PENDING] : NULL;
}

static void pending_add(struct modbus_flow *fs, struct dissect_ctx *ctx, const struct modbus_pdu *req)
{
	struct mb_pending *slot = NULL, *oldest = NULL;
	int n;
	struct mb_pending *t = slots(fs, &n);
	for (int i = 0; i < n; i++) {
		struct mb_pending *p = &t[i];
		if (!p->used) {
			slot = p;
			break;
		}
		if (!oldest || p->tx_id < oldest->tx_id)
			oldest = p;
	}
	if (!slot)
		slot = grow(fs, ctx);
	if (!slot) {
		/* Suricata's "flooded": requests without answers must not grow
		 * state (n: fewer than MODBUS_MAX_PENDING if the memory cap
		 * refused the table, stats.app_layer.memcap_hits) */
		if (!fs->flood_reported) {
			dissect_anomaly(&fs->st, ctx, fs->request_dir, "MODBUS_FLOODED",
				"more than %d requests unanswered at once", n);
			fs->flood_reported = true;
		}
		fs->sum.unanswered++;
		slot = oldest;
		pending_give_up(fs, ctx, slot, MODBUS_TX_EVICTED);
	}
	slot->used = true;
	slot->transaction_id = req->transaction_id;
	slot->unit_id = req->unit_id;
	slot->tx_id = req->tx_id;
	modbus_request_of(req, &slot->req);
	slot->adu_len = req->adu_len;
	memcpy(slot->adu, req->adu, req->adu_len);
	slot->sec = ctx->ts_sec;
	slot->usec = ctx->ts_usec;
}

/* One ADU: `adu` holds all of it, h its MBAP header (checked by the parser). */
static void handle_adu(struct modbus_flow *fs, struct dissect_ctx *ctx, int dir, struct bview adu,
		       const struct mbap *h)
{
	struct modbus_pdu pdu, req;
	struct modbus_pdu *p = &pdu;
	bool request = dir == fs->request_dir;
	struct mb_pending *pend = request ? NULL : pending_find(fs, h->transaction_id, h->unit_id);
	const char *bad = decode_adu(adu, h, request, pend ? &pend->req : NULL, p);
	p->dir = dir;
	p->tx_id = pend ? pend->tx_id : ++fs->next_tx;
	set_add_u8(fs->sum.units, &fs->sum.nunits, MODBUS_MAX_UNITS, p->unit_id);
	struct modbus_device *d = device(fs, ctx);
	if (d)
		set_add_u8(d->units, &d->nunits, MODBUS_MAX_UNITS, p->unit_id);
	if (request) {
		fs->sum.requests++;
		fs->sum.by_access[p->access]++;
		if (d) {
			d->requests++;
			if (p->access == MODBUS_ACCESS_WRITE)
				d->writes++;
		}
	} else {
		fs->sum.responses++;
		if (p->exception)
			fs->sum.exceptions++;
	}
	if (bad)
		dissect_anomaly(&fs->st, ctx, dir, bad, "%s %s (FC %u, transaction %u, unit %u)",
			modbus_function_name(p->function), request ? "request" : "response", p->fc,
			p->transaction_id, p->unit_id);
	if (!request && !pend && !ctx->flow->midstream) {
		dissect_anomaly(&fs->st, ctx, dir, "MODBUS_UNSOLICITED_RESPONSE",
			"%s response (transaction %u, unit %u) to no open request",
			modbus_function_name(p->function), p->transaction_id, p->unit_id);
		fs->sum.unmatched_responses++;
	}
	if (!request && !p->exception && p->function == 43 && p->mei_type == 0x0e && p->nobjects)
		learn_identity(fs, ctx, p);
	if (!request && !p->exception && p->function == 17 && p->server_id)
		learn_identity(fs, ctx, p);
	if (request)
		pending_add(fs, ctx, p);
	struct app_event ev = { APP_EVENT_MODBUS, dir, p };
	ctx->emit(ctx, &ev);
	if (request)
		return;
	struct modbus_tx tx = { p->tx_id, NULL, p, MODBUS_TX_UNMATCHED, 0 };
	if (pend) {
		tx.request = pending_request(fs, pend, &req);
		tx.state = MODBUS_TX_ANSWERED;
		tx.latency_us = dissect_elapsed_us(pend->sec, pend->usec, ctx->ts_sec, ctx->ts_usec);
		pend->used = false;
	}
	emit_tx(ctx, dir, &tx);
}

/* A plausible MBAP header and function code at the start of `at` (at
 * least 8 bytes); with any_protocol, whatever its protocol id. */
static bool plausible_header(struct bview at, bool any_protocol)
{
	struct mbap h;
	read_mbap(&at, &h);
	uint8_t fc = bv_u8(&at);
	if (at.err || (h.protocol_id != 0 && !any_protocol) || h.length < 2 || h.length > 254)
		return false;
	uint8_t code;
	if (fc & 0x80)
		return function_known(fc & 0x7f) && h.length == 3 &&
		       (!bv_peek_u8(&at, MODBUS_MBAP_LEN + 1, &code) || modbus_exception_name(code) != NULL);
	return function_known(fc);
}

static bool plausible_adu(struct bview at)
{
	return plausible_header(at, false);
}

/*
 * For the resync: a plausible ADU and its length. arg, if not NULL, points
 * to a bool: take headers with any protocol id, so that the parser sees an
 * ADU whose only fault is its protocol id and reports it
 * (MODBUS_INVALID_PROTOCOL_ID) instead of skipping it unsaid.
 */
static bool plausible_frame(struct bview at, const void *arg, size_t *frame_len)
{
	uint16_t len, protocol_id;
	if (!plausible_header(at, arg && *(const bool *)arg) || !bv_peek_be16(&at, 4, &len) ||
	    !bv_peek_be16(&at, 2, &protocol_id))
		return false;
	*frame_len = 6 + (size_t)len;
	if (protocol_id == 0)
		return true;
	/* only the protocol id is wrong: the ADU must be a valid request of
	 * a public function code (what an attacker sends; a response's validity depends on its
	 * request, too lax a test on its own), so that junk
	 * does not pass for such an ADU; until all of it is at hand it stays
	 * a candidate (the resync waits for more, as it does to confirm) */
	if (at.len < *frame_len)
		return true;
	struct modbus_pdu pdu;
	memset(&pdu, 0, sizeof(pdu)); /* the decoder appends to its value list */
	const uint8_t *p = at.p + MODBUS_MBAP_LEN;
	size_t n = *frame_len - MODBUS_MBAP_LEN;
	return function_public(*p) && !modbus_decode_pdu(p, n, true, NULL, &pdu);
}

/* After garbage or a gap: the next ADU confirmed by the one after it, or
 * ending where the data at hand ends. */
static const struct dissect_framing modbus_framing = {
	.min_header = MODBUS_MBAP_LEN + 1,
	.resync_wait = MODBUS_RESYNC_WAIT,
	.resync_anomaly = "MODBUS_RESYNC",
	.junk_anomaly = "MODBUS_JUNK_BEFORE_FIRST_ADU",
	.header_name = "Modbus/TCP",
	.plausible = plausible_frame,
};

static bool is_modbus_port(uint16_t port)
{
	return port == 502 || port == 802; /* 802: Modbus/TCP over TLS's registered port */
}

static void flow_init(struct modbus_flow *fs, struct dissect_ctx *ctx)
{
	const struct dissect_flow *df = ctx->flow;
	dissect_stream_init(&fs->st, "modbus", df->midstream);
	/* requests go to the Modbus port; without one, to the TCP server */
	fs->request_dir = (is_modbus_port(df->client_port) && !is_modbus_port(df->server_port)) ? 1 : 0;
}

static struct parse_result modbus_parse(void *state, struct dissect_ctx *ctx, int dir, const uint8_t *d,
					size_t n)
{
	struct modbus_flow *fs = state;
	struct parse_result r = { PARSE_OK, 0, 0, 0 };
	struct bview in = bv_make(d, n);
	if (!fs->st.init)
		flow_init(fs, ctx);
	while (r.consumed < n) {
		struct bview rest = bv_from(&in, r.consumed);
		if (fs->st.resync[dir]) {
			static const bool any_protocol = true;
			if (dissect_resync_step(&fs->st, &modbus_framing, &any_protocol, ctx, dir, rest, &r))
				return r;
			continue;
		}
		struct bview hv = rest;
		struct mbap h;
		if (!read_mbap(&hv, &h)) {
			r.need = MODBUS_MBAP_LEN;
			return r;
		}
		if (h.protocol_id != 0 || h.length < 2 || h.length > 254) {
			if (h.protocol_id != 0)
				dissect_anomaly(&fs->st, ctx, dir, "MODBUS_INVALID_PROTOCOL_ID",
					"protocol id %u (Modbus is 0)", h.protocol_id);
			else
				dissect_anomaly(&fs->st, ctx, dir, "MODBUS_INVALID_LENGTH",
					"MBAP length %u outside 2..254", h.length);
			r.consumed += dissect_resync_begin(&fs->st, dir);
			continue;
		}
		size_t adu = 6 + (size_t)h.length;
		if (bv_left(&rest) < adu) {
			r.need = adu;
			return r;
		}
		handle_adu(fs, ctx, dir, bv_sub(&rest, adu), &h);
		dissect_framed(&fs->st, dir);
		r.consumed += adu;
	}
	return r;
}

static void modbus_gap(void *state, struct dissect_ctx *ctx, int dir, uint64_t missing)
{
	struct modbus_flow *fs = state;
	(void)missing;
	if (!fs->st.init)
		flow_init(fs, ctx);
	fs->st.resync[dir] = true;
}

static void modbus_finish(void *state, struct dissect_ctx *ctx)
{
	struct modbus_flow *fs = state;
	if (!fs->st.init)
		return;
	/* the requests still open, in the order they were sent */
	int n;
	struct mb_pending *t = slots(fs, &n);
	for (;;) {
		struct mb_pending *first = NULL;
		for (int i = 0; i < n; i++)
			if (t[i].used && (!first || t[i].tx_id < first->tx_id))
				first = &t[i];
		if (!first)
			break;
		fs->sum.unanswered++;
		pending_give_up(fs, ctx, first, MODBUS_TX_UNANSWERED);
	}
	dissect_grown_release(ctx, &fs->grown, GROWN_BYTES);
	fs->sum.anomalies = fs->st.anomalies;
	fs->sum.resyncs = fs->st.resyncs;
	struct app_event ev = { APP_EVENT_MODBUS_SESSION, 0, &fs->sum };
	ctx->emit(ctx, &ev);
}

/*
 * Off a Modbus port (nDPI 4.2 only looks at 502), at the start of v: a
 * whole ADU, protocol id 0, a public function code, a request that passes
 * every check of the specification, and either the end of the data or
 * another plausible ADU right after it.
 */
static enum probe_result probe_strict(int dir, struct bview v)
{
	size_t len = v.len;
	struct bview hv = v;
	struct mbap h;
	read_mbap(&hv, &h);
	uint8_t fc = bv_u8(&hv);
	if (hv.err)
		return PROBE_NEED_MORE;
	if (!plausible_adu(v))
		return PROBE_NO;
	size_t adu = 6 + (size_t)h.length;
	if (adu > len)
		return PROBE_NEED_MORE;
	if (!function_public(fc))
		return PROBE_NO;
	struct modbus_pdu pdu;
	memset(&pdu, 0, sizeof(pdu));
	bv_skip(&v, MODBUS_MBAP_LEN);
	struct bview pdu_bytes = bv_sub(&v, adu - MODBUS_MBAP_LEN);
	if (modbus_decode_pdu(bv_ptr(&pdu_bytes), pdu_bytes.len, dir == 0, NULL, &pdu))
		return PROBE_NO;
	if (adu != len && !plausible_adu(bv_rest(&v)))
		return adu + MODBUS_MBAP_LEN + 1 > len ? PROBE_NEED_MORE : PROBE_NO;
	return PROBE_MATCH;
}

/*
 * Probe. On a Modbus port an MBAP header at the start (protocol id 0)
 * claims the flow, whatever its function code (a function code scan, FC 0
 * or unassigned codes, must be seen, not ignored) and whatever its length
 * (a length out of range is an anomaly the parser reports before it skips
 * to the next ADU; no TLS record or HTTP request has two zero bytes there).
 * When the start is not an MBAP header, junk
 * or a malformed first ADU still does not hide the connection: it is
 * Modbus if a plausible ADU confirmed by the one after it (or ending with
 * the data) starts within the first DISSECT_PROBE_MAX bytes; the parser then
 * reports and skips what came before, as the resync does mid-stream. Why
 * that bound: an attacker's prefix only blinds fabmon if the server still
 * reads the ADUs behind it, and a server reads a prefix only as (bad) ADUs
 * of at most 260 bytes; a flow of another protocol on the port (TLS, HTTP)
 * has no confirmed pair of ADUs in its first 256 bytes (the odds of one
 * are those of 4 zero bytes and two consistent lengths and codes), so it
 * is left unclaimed instead of becoming a stream of anomalies.
 * Off a Modbus port: the strict test at any offset of those bytes.
 */
static enum probe_result modbus_probe(const struct dissect_flow *flow, int dir, const uint8_t *data,
				      size_t len, bool on_port)
{
	struct bview v = bv_make(data, len);
	if (on_port || is_modbus_port(flow->server_port) || is_modbus_port(flow->client_port)) {
		struct bview hv = v;
		struct mbap h;
		if (read_mbap(&hv, &h) && h.protocol_id == 0)
			return PROBE_MATCH; /* an MBAP header, its length in range or not */
		size_t at;
		return dissect_probe_scan(&modbus_framing, NULL, v, 1, &at);
	}
	bool undecided = false;
	for (size_t i = 0; i < len; i++) {
		enum probe_result pr = probe_strict(dir, bv_from(&v, i));
		if (pr == PROBE_MATCH)
			return PROBE_MATCH;
		if (pr == PROBE_NEED_MORE)
			undecided = true;
	}
	/* past DISSECT_PROBE_MAX nothing more comes: undecided is no */
	return undecided && len < DISSECT_PROBE_MAX ? PROBE_NEED_MORE : PROBE_NO;
}

static void *global_create(const void *cfg)
{
	return modbus_global_create(cfg);
}

static void global_destroy(void *g)
{
	modbus_global_destroy(g);
}

static void global_finish(void *gv, struct dissect_ctx *ctx)
{
	struct modbus_global *g = gv;
	for (size_t i = 0; i < asset_table_count(&g->dev); i++)
		asset_event(ctx, MODBUS_ASSET_SUMMARY, asset_table_at(&g->dev, i));
}

static const uint16_t modbus_ports[] = { 502, 0 };

const struct dissector dissector_modbus = {
	.name = "modbus",
	.state_size = sizeof(struct modbus_flow),
	.max_buffer = 2 * MODBUS_MAX_ADU + MODBUS_RESYNC_WAIT,
	.default_ports = modbus_ports,
	.probe = modbus_probe,
	.parse = modbus_parse,
	.gap = modbus_gap,
	.finish = modbus_finish,
	.global_create = global_create,
	.global_destroy = global_destroy,
	.global_finish = global_finish,
};
