/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to `fabmon report`: the exposure section (issue 19 item 1), made
 * from the exposure records (one per host of a fab zone that accepted
 * connections, SEMI E187 network security): report.json's "exposure" and
 * exposure.csv's rows. */
#ifndef FABMON_REPORT_EXPOSURE_H
#define FABMON_REPORT_EXPOSURE_H

#include <jansson.h>

/* {hosts: the exposure objects sorted by address, their counts}, from the
 * objects by address (report_model.h's rep.exposure). NULL: out of memory. */
json_t *rep_exposure_json(const json_t *by_ip);
/* exposure.csv's rows, one per host and service, from the report tree:
 * ip, zone, model, softrev, proto, port, app_proto, flows, clients,
 * client_zones, first_seen, last_seen, insecure, risks, tls_version,
 * tls_cipher, allowed. NULL: out of memory. */
json_t *rep_exposure_rows(const json_t *rep);

#endif
