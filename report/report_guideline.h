/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to `fabmon report`: the guideline evidence table (issue 19 item
 * 3). One row per clause of METI's OT guideline for semiconductor device
 * factories that passive observation can speak to — zone separation, no
 * internet from fab zones, the IT/OT DMZ as the only way in, no insecure
 * protocols on equipment, equipment controlled only by its designated
 * hosts, an inventory, monitoring coverage — with its SEMI E187, NIST CSF
 * 2.0 (semiconductor profile) and IEC 62443-3-3 counterparts, its status
 * (broken / observed / not observed), the evidence and the capture period.
 *
 * Made from the report's JSON tree alone (report_build.c calls it last), so
 * the report written at the end of a run and `fabmon report` give the same
 * table.
 */
#ifndef FABMON_REPORT_GUIDELINE_H
#define FABMON_REPORT_GUIDELINE_H

#include <jansson.h>

#include "report/report_i18n.h"

/* The rows, an array (NULL when out of memory). */
json_t *rep_guideline_json(const json_t *report);

/* A row's evidence sentence in lang (the row's "evidence" is the English). */
json_t *rep_guideline_evidence(const json_t *row, enum rep_lang lang);

#endif
