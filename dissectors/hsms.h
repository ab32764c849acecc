/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HSMS (SEMI E37) over a reassembled TCP stream: framing, control messages
 * and session state, transactions, and the GEM meaning of data messages.
 *
 *   +----------------+----------+------+------+------+------+--------------+
 *   | length (4, BE) | session  | byte | byte | PType| SType| system bytes |  body
 *   | = 10 + body    | id (2)   |  2   |  3   |  (1) |  (1) |     (4)      |  (SECS-II)
 *   +----------------+----------+------+------+------+------+--------------+
 *   data message: byte 2 = W-bit (0x80) | stream, byte 3 = function
 *   control:      byte 2/3 = 0, or status (Select/Deselect.rsp) / reason and
 *                 rejected SType/PType (Reject.req)
 *
 * Roles: the HSMS "active" entity opens the TCP connection and sends
 * Select.req; by default it is the host and the passive one the equipment.
 * Messages that only one role sends (an S6F11 event report, an S1F14
 * carrying MDLN/SOFTREV, an S2F41 host command, ...) override that, so an
 * equipment that connects out (reversed connect modes) is still named the
 * equipment.
 */
#ifndef FABMON_HSMS_H
#define FABMON_HSMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "dissectors/gem.h"
#include "dissectors/secs2.h"

#define HSMS_HEADER_LEN 10
#define HSMS_SML_MAX 1024         /* characters of SML per message record */
#define HSMS_MAX_PENDING 64       /* open transactions per connection */
#define HSMS_MAX_EQUIPMENT_HOSTS 8
#define HSMS_MAX_DEVICE_IDS 8
#define HSMS_MAX_PORTS 4
#define HSMS_ID_LEN 48            /* MDLN and SOFTREV are A[20] in E5; room for odd tools */

enum hsms_stype {
	HSMS_DATA = 0,
	HSMS_SELECT_REQ = 1,
	HSMS_SELECT_RSP = 2,
	HSMS_DESELECT_REQ = 3,
	HSMS_DESELECT_RSP = 4,
	HSMS_LINKTEST_REQ = 5,
	HSMS_LINKTEST_RSP = 6,
	HSMS_REJECT_REQ = 7,
	HSMS_SEPARATE_REQ = 9,
};

enum hsms_session_state {
	HSMS_STATE_UNKNOWN = 0,   /* picked up mid-stream: select not seen */
	HSMS_STATE_NOT_SELECTED,
	HSMS_STATE_SELECTED,
	HSMS_STATE_SEPARATED,     /* Separate.req or Deselect done */
};

enum hsms_role { HSMS_ROLE_HOST = 0, HSMS_ROLE_EQUIPMENT = 1 };

struct hsms_config {
	uint32_t max_message;     /* declared length above this: anomaly, skipped */
	uint32_t decode_window;   /* bytes of a message decoded (SML, fields, checks) */
	uint32_t t3_ms;           /* reply timeout (E37 T3; 45 s is the usual default) */
	struct secs2_limits limits;
	uint16_t max_equipment;   /* inventory entries */
	bool sml;                 /* render SML for records */
};

void hsms_config_defaults(struct hsms_config *c);

/* One HSMS message, as given to the event sink (valid during the call). */
struct hsms_message {
	int dir;                  /* 0 client->server, 1 back */
	enum hsms_role sender;
	bool roles_from_messages; /* false: roles assumed from who connected */
	uint32_t length;          /* header + body, as declared */
	uint16_t session_id;
	uint8_t byte2, byte3, ptype, stype;
	uint32_t system;
	/* data messages */
	uint8_t stream, function;
	bool wbit;
	const struct gem_msg *gem; /* NULL if not in the table */
	enum gem_category category;
	const uint8_t *body;      /* the decoded part of the body */
	uint32_t body_len;        /* bytes at body */
	uint32_t body_total;      /* bytes the header declared */
	struct secs2_check check;
	/* SML is rendered only where it is written (hsms_message_sml): the
	 * routine messages a run only counts cost nothing to render */
	const struct secs2_limits *sml_limits; /* NULL: no SML (--no-sml) */
	/* GEM fields (MDLN, RCMD, PPID, CEID, ...): read them with
	 * hsms_message_fields(), which extracts them from the body where they
	 * are first read. The routine messages a run only counts (S6F11, S1F3,
	 * their replies) are mostly never read that far: extracting every
	 * event report's values was a tenth of the packet path. A message
	 * made elsewhere (a test) may set fields itself. */
	const struct gem_fields *fields;
	struct hsms_fields_memo *fields_memo; /* the dissector's, while emitted */
	/* transaction (replies) */
	bool is_reply;
	bool matched;             /* the primary was seen */
	bool primary_wbit;        /* the primary asked for a reply */
	uint8_t primary_stream, primary_function;
	uint64_t latency_us;
	enum hsms_session_state state; /* after this message */
};

/* What fabmon knows of one piece of equipment (one IP address). */
struct hsms_equipment {
	struct ip_addr addr;
	char mdln[HSMS_ID_LEN];
	char softrev[HSMS_ID_LEN];
	char prev_softrev[HSMS_ID_LEN]; /* set when SOFTREV changed */
	uint16_t ports[HSMS_MAX_PORTS];
	uint8_t nports;
	uint16_t device_ids[HSMS_MAX_DEVICE_IDS];
	uint8_t ndevice_ids;
	struct ip_addr hosts[HSMS_MAX_EQUIPMENT_HOSTS];
	uint8_t nhosts;
	bool hosts_overflow;
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	uint64_t messages;
	/* the connection that holds it selected (HSMS-SS allows one) */
	uint64_t selected_flow;
	struct ip_addr selected_by;
	bool identified;
};

enum hsms_asset_change {
	HSMS_ASSET_NEW,           /* first seen */
	HSMS_ASSET_IDENTIFIED,    /* MDLN/SOFTREV learned */
	HSMS_ASSET_CHANGED,       /* MDLN or SOFTREV differs from before */
	HSMS_ASSET_NEW_HOST,      /* talks to a host it did not before */
	HSMS_ASSET_SUMMARY,       /* end of run */
};

struct hsms_asset_event {
	enum hsms_asset_change change;
	const struct hsms_equipment *eq;
};

/* Body of APP_EVENT_HSMS_SESSION: the connection's summary at its end. */
struct hsms_session_summary {
	enum hsms_session_state state;
	bool host_is_client;
	bool roles_from_messages;
	uint64_t messages[2];      /* by direction */
	uint64_t data_messages, control_messages;
	uint64_t transactions, unanswered, unmatched_replies, anomalies;
	uint64_t resyncs;
	uint16_t session_ids[HSMS_MAX_DEVICE_IDS];
	uint8_t nsession_ids;
};

extern const struct dissector dissector_hsms;

/* Global state: configuration and the equipment inventory. */
struct hsms_global;
struct hsms_global *hsms_global_create(const struct hsms_config *cfg);
void hsms_global_destroy(struct hsms_global *g);
/* Emit an HSMS_ASSET_SUMMARY event for every known equipment. */
void hsms_global_summary(struct hsms_global *g, struct dissect_ctx *ctx);
size_t hsms_equipment_count(const struct hsms_global *g);
const struct hsms_equipment *hsms_equipment_at(const struct hsms_global *g, size_t i);

/*
 * The message's SML ("S6F11 W <L[3] ...>") into out (NUL-terminated, cut to
 * len with *cut set). 0 if it has none: a control message, or SML is off.
 */
size_t hsms_message_sml(const struct hsms_message *m, char *out, size_t len, bool *cut);

/* The message's GEM fields, extracted on the first call (NULL: a control
 * message). Valid while the message is emitted. */
const struct gem_fields *hsms_message_fields(const struct hsms_message *m);

/*
 * A routine message: a linktest, an event report (S6F11/S6F12) or a status
 * poll (S1F3/S1F4), well-formed, in a selected session (or one picked up
 * mid-stream), and a reply only if it answers its primary; a linktest only
 * with session id 0xFFFF and no body. A busy tool sends these every
 * second; a record for each is most of an eve.json and tells an analyst
 * nothing the flow's counts do not. Anything else (control messages, commands, recipes, EC
 * changes, alarms, terminal, identification and error messages, rejects,
 * bodies that fail the SECS-II check) is not routine.
 */
bool hsms_message_routine(const struct hsms_message *m);

/* "S6F11": at most 8 characters and a NUL. */
size_t hsms_sf_text(char *out, uint8_t stream, uint8_t function);
const char *hsms_stype_name(uint8_t stype);
/* E37 defines it (hsms_stype_name gives "unknown" for the others: 8, 10+) */
bool hsms_stype_defined(uint8_t stype);
const char *hsms_state_name(enum hsms_session_state s);
const char *hsms_select_status_name(uint8_t status);
const char *hsms_reject_reason_name(uint8_t reason);
const char *hsms_deselect_status_name(uint8_t status);

#endif
