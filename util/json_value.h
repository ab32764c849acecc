/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers over jansson values: getters that take a missing member or
 * one of another type as absent, and makers for values that may be absent. */
#ifndef FABMON_JSON_VALUE_H
#define FABMON_JSON_VALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* o[key]; NULL if o is not an object or has no such member. */
json_t *json_member(const json_t *o, const char *key);
/* o[key] if it is a string, else NULL; else dflt. */
const char *json_member_str(const json_t *o, const char *key);
const char *json_member_str_or(const json_t *o, const char *key, const char *dflt);
/* The rule id of an EVE alert object: alert.rule_id, or alert.rule in
 * eve.json written by fabmon before rule_id (Suricata's alert.rule is the
 * signature text); dflt if neither is a string. */
const char *eve_alert_rule_id(const json_t *alert, const char *dflt);
/* o[key] if it is an integer: true and *out set. */
bool json_member_int(const json_t *o, const char *key, json_int_t *out);
/* o[key] as a count: integers and reals, 0 if negative or not a number. */
uint64_t json_member_count(const json_t *o, const char *key);
/* A scalar as text (strings bare, numbers and the rest as JSON; NULL "-"):
 * the string itself, or buf. */
const char *json_scalar_text(const json_t *v, char *buf, size_t len);

/* A count (capped at INT64_MAX); a string, or null for NULL; a
 * timestamp, or null for NULL or "". */
json_t *json_count(uint64_t v);
json_t *json_string_or_null(const char *s);
json_t *json_timestamp_or_null(const char *t);

#endif
