/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * EVE `modbus` records in Suricata's layout (rust/src/modbus/log.rs): one
 * record per transaction, {"id", "request": {...}, "response": {...}}, each
 * message with Suricata's fields under Suricata's names and meanings (the
 * strings are sawp-modbus's Display names), and fabmon's richer decode
 * beside them (README "Modbus/TCP", doc/eve-schema-modbus.json).
 */
#ifndef FABMON_EVE_MODBUS_H
#define FABMON_EVE_MODBUS_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/modbus.h"
#include "sensor/output/eve.h"

/* Suricata's names. `raw` is the function byte as on the wire. */
const char *modbus_suricata_function_code(uint8_t raw);
const char *modbus_suricata_exception_code(uint8_t code);
const char *modbus_suricata_diagnostic_code(uint16_t subfunction);
const char *modbus_suricata_mei_code(uint8_t mei_type);
/* Flag sets as sawp prints them ("READ | COILS", "NONE"); out holds 80. */
void modbus_suricata_access_type(uint8_t raw, char out[80]);
void modbus_suricata_category(const struct modbus_pdu *p, char out[80]);
void modbus_suricata_error_flags(const struct modbus_pdu *p, char out[80]);

/* One message object (`key`: "request"/"response") of a decoded PDU whose
 * adu/adu_len are set. */
void eve_modbus_message(struct jbuf *b, const char *key, const struct modbus_pdu *p);

/* The `modbus` record of a transaction. */
void eve_modbus_tx(struct eve *e, struct flow *f, int64_t sec, uint32_t usec, const struct modbus_tx *tx);

#endif
