/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which NATS servers, and how to reach them: the URL list, TLS and
 * credentials files, as nats.c takes them. Shared by the sensor's
 * --publish (publish.h) and `fabmon collect`.
 */
#ifndef FABMON_SENSOR_OUTPUT_NATS_OPTIONS_H
#define FABMON_SENSOR_OUTPUT_NATS_OPTIONS_H

#include <nats/nats.h>
#include <stdbool.h>
#include <stddef.h>

/* true when spec is a list of nats:// or tls:// URLs; otherwise false with
 * err saying why. */
bool publish_parse_servers(const char *spec, char *err, size_t errlen);

/* The servers of spec (URLs separated by commas, at most 16) into o: the
 * client then picks one and fails over to the others. */
natsStatus publish_nats_servers(natsOptions *o, const char *spec);

/* A credentials file (JWT and seed) and TLS trusting the CA certificates of
 * tls_ca into o; either NULL: not used. */
natsStatus publish_nats_security(natsOptions *o, const char *creds, const char *tls_ca);

/* Before a run that publishes (or `fabmon collect`): libnats loaded
 * (nats_load.c; false with err "NATS: cannot load libnats.so.3.4: ..."),
 * then --nats-creds and --nats-tls-ca checked: a credentials file that
 * cannot be read or holds no user JWT and seed, a CA file nats.c cannot
 * load; false with err naming the option and file. NULL: not given. */
bool publish_check_security(const char *creds, const char *tls_ca, char *err, size_t errlen);

/* nats.c's error text without the source location it puts first
 * ("(conn.c:733): SSL handshake error" -> "SSL handshake error"). */
const char *publish_nats_text(const char *text);

#endif
