/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Modbus/TCP (Modbus Application Protocol Specification V1.1b3, Modbus
 * Messaging on TCP/IP Implementation Guide V1.0b) over a reassembled stream.
 *
 *   +------------------+------------------+-------------+---------+------+--------+
 *   | transaction id 2 | protocol id 2 (0) | length 2     | unit 1  | FC 1 | data   |
 *   +------------------+------------------+-------------+---------+------+--------+
 *   MBAP header (7 bytes); length counts unit id + PDU (2..254); an ADU is
 *   at most 260 bytes. A response is the request's FC, or FC | 0x80 and an
 *   exception code.
 *
 * Requests go toward the Modbus server: the side on a configured port (502)
 * if either is, else the TCP server.
 */
#ifndef FABMON_MODBUS_H
#define FABMON_MODBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"

#define MODBUS_MBAP_LEN 7
#define MODBUS_MAX_ADU 260
#define MODBUS_MAX_VALUES 64      /* register/coil values kept per PDU */
#define MODBUS_MAX_OBJECTS 16     /* device identification objects per PDU */
#define MODBUS_MAX_PENDING 64     /* open transactions per connection */
#define MODBUS_ID_LEN 64
#define MODBUS_MAX_CLIENTS 8
#define MODBUS_MAX_UNITS 8

/* What a function does to the server; stable names in modbus_access_name(). */
enum modbus_access {
	MODBUS_ACCESS_READ,
	MODBUS_ACCESS_WRITE,
	MODBUS_ACCESS_DIAGNOSTIC,
	MODBUS_ACCESS_PROGRAMMING,
	MODBUS_ACCESS_IDENTIFICATION,
	MODBUS_ACCESS_OTHER,
	MODBUS_ACCESS_COUNT
};

struct modbus_config {
	uint16_t max_devices;     /* servers in the inventory */
};

void modbus_config_defaults(struct modbus_config *c);

struct modbus_object {
	uint8_t id;
	uint8_t len;
	const uint8_t *value;
};

/* One PDU, as given to the event sink (valid during the call). */
struct modbus_pdu {
	int dir;                  /* 0 client->server, 1 back */
	bool request;             /* sent toward the Modbus server */
	uint16_t transaction_id;
	uint16_t protocol_id;
	uint16_t length;          /* MBAP length field */
	uint8_t unit_id;
	uint8_t fc;               /* as on the wire (0x83 for an exception to FC 3) */
	uint8_t function;         /* fc & 0x7f */
	const char *function_name;
	enum modbus_access access;
	bool exception;
	uint8_t exception_code;
	/* decoded fields; has_* say which are set */
	bool has_address, has_quantity, has_write, has_subfunction, has_mei, has_byte_count, has_masks;
	uint16_t address;
	uint16_t quantity;
	uint16_t write_address;   /* FC 23 */
	uint16_t write_quantity;
	uint16_t subfunction;     /* FC 8 */
	uint8_t mei_type;         /* FC 43 */
	uint8_t read_device_id_code;
	uint8_t object_id;
	uint8_t byte_count;
	uint16_t and_mask, or_mask; /* FC 22 */
	bool values_are_bits;     /* coils/discrete inputs */
	uint16_t values[MODBUS_MAX_VALUES];
	uint16_t nvalues;
	bool values_truncated;    /* more values than kept */
	struct modbus_object objects[MODBUS_MAX_OBJECTS];
	uint8_t nobjects;
	const uint8_t *server_id; /* FC 17 response: the device-specific id */
	uint8_t server_id_len;
	bool has_run_indicator;
	uint8_t run_indicator;    /* 0x00 off, 0xFF on */
	const uint8_t *server_data; /* additional data after the run indicator */
	uint8_t server_data_len;
	const char *anomaly;      /* fabmon's first check it fails (stable name), or NULL */
	/* the ADU as on the wire: MBAP header and PDU (Suricata's raw fields) */
	const uint8_t *adu;
	uint16_t adu_len;
	uint64_t tx_id;           /* the transaction it belongs to (1, 2, ... in its flow) */
};

/* How a transaction's request and response were paired. */
enum modbus_tx_state {
	MODBUS_TX_ANSWERED,       /* request and its response */
	MODBUS_TX_UNANSWERED,     /* request only: the flow ended first */
	MODBUS_TX_EVICTED,        /* request only: given up, too many open (MODBUS_FLOODED) */
	MODBUS_TX_UNMATCHED,      /* response only: no open request had its id and unit */
};

const char *modbus_tx_state_name(enum modbus_tx_state s);

/* Body of APP_EVENT_MODBUS_TX: one transaction, when it is complete or given
 * up. Suricata's unit of logging: one `modbus` record per transaction. */
struct modbus_tx {
	uint64_t id;                       /* 1, 2, ... in the flow, in order of creation */
	const struct modbus_pdu *request;  /* NULL: response only */
	const struct modbus_pdu *response; /* NULL: request only */
	enum modbus_tx_state state;
	uint64_t latency_us;               /* answered: request to response */
};

/* Routine polling: a read answered without exception, both messages sound
 * (what --modbus-records non-read leaves out). */
bool modbus_tx_routine(const struct modbus_tx *tx);

/* What a response is checked against: the fields of its request. */
struct modbus_request {
	uint8_t function;
	uint8_t mei_type;
	bool has_mei;
	bool has_address, has_quantity, has_value;
	uint16_t address, quantity, subfunction, value, and_mask, or_mask;
};

void modbus_request_of(const struct modbus_pdu *req, struct modbus_request *out);

struct modbus_device {
	struct ip_addr addr;
	char vendor[MODBUS_ID_LEN];
	char product_code[MODBUS_ID_LEN];
	char revision[MODBUS_ID_LEN];
	char vendor_url[MODBUS_ID_LEN];
	char product_name[MODBUS_ID_LEN];
	char model_name[MODBUS_ID_LEN];
	char user_application[MODBUS_ID_LEN];
	char server_id[MODBUS_ID_LEN];   /* FC 17, printable or hex */
	char server_data[MODBUS_ID_LEN]; /* FC 17 additional data (often the firmware) */
	char prev_revision[MODBUS_ID_LEN];
	uint16_t ports[4];
	uint8_t nports;
	uint8_t units[MODBUS_MAX_UNITS];
	uint8_t nunits;
	struct ip_addr clients[MODBUS_MAX_CLIENTS];
	uint8_t nclients;
	bool clients_overflow;
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	uint64_t requests, writes;
	bool identified;
};

enum modbus_asset_change {
	MODBUS_ASSET_NEW,
	MODBUS_ASSET_IDENTIFIED,
	MODBUS_ASSET_CHANGED,
	MODBUS_ASSET_NEW_CLIENT,
	MODBUS_ASSET_SUMMARY,
};

struct modbus_asset_event {
	enum modbus_asset_change change;
	const struct modbus_device *dev;
};

/* Body of APP_EVENT_MODBUS_SESSION: the connection at its end. */
struct modbus_session_summary {
	uint64_t requests, responses, exceptions;
	uint64_t by_access[MODBUS_ACCESS_COUNT];
	uint64_t unanswered, unmatched_responses, anomalies, resyncs;
	uint8_t units[MODBUS_MAX_UNITS];
	uint8_t nunits;
};

extern const struct dissector dissector_modbus;

struct modbus_global;
struct modbus_global *modbus_global_create(const struct modbus_config *cfg);
void modbus_global_destroy(struct modbus_global *g);
size_t modbus_device_count(const struct modbus_global *g);
const struct modbus_device *modbus_device_at(const struct modbus_global *g, size_t i);

const char *modbus_function_name(uint8_t function);
const char *modbus_access_name(enum modbus_access a);
enum modbus_access modbus_access_of(uint8_t function, uint8_t mei_type);
/* Access class from its name (policy files); MODBUS_ACCESS_COUNT if unknown. */
enum modbus_access modbus_access_parse(const char *name);
/* The registers or coils a request writes, [lo, hi] (FC 23: its write
 * part; FC 15/16: address and quantity; the other writes: one address);
 * false when it names no address. */
bool modbus_write_span(const struct modbus_pdu *pd, uint32_t *lo, uint32_t *hi);
/* Those a request reads: address and quantity (one without a quantity);
 * false when it names no address. */
bool modbus_read_span(const struct modbus_pdu *pd, uint32_t *lo, uint32_t *hi);
const char *modbus_exception_name(uint8_t code);
const char *modbus_diag_name(uint16_t subfunction);
const char *modbus_object_name(uint8_t id);

/*
 * Decode one PDU (function code and data, `n` bytes) into `out`; `req` is
 * the request this response answers, if known (for byte counts and
 * echoes). Returns NULL when the PDU is valid, else the stable anomaly name
 * of the first violation (fields decoded so far are kept).
 */
const char *modbus_decode_pdu(const uint8_t *pdu, size_t n, bool request,
			      const struct modbus_request *req, struct modbus_pdu *out);

#endif
