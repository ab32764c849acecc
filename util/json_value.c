/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers over jansson values: getters and makers (json_value.h). */
#include "util/json_value.h"

#include <stdio.h>
#include <stdlib.h>

json_t *json_member(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

const char *json_member_str(const json_t *o, const char *key)
{
	json_t *v = json_member(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *json_member_str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_member_str(o, key);
	return s ? s : dflt;
}

const char *eve_alert_rule_id(const json_t *alert, const char *dflt)
{
	const char *s = json_member_str(alert, "rule_id");
	if (!s)
		s = json_member_str(alert, "rule");
	return s ? s : dflt;
}

bool json_member_int(const json_t *o, const char *key, json_int_t *out)
{
	json_t *v = json_member(o, key);
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

uint64_t json_member_count(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	if (json_is_real(v))
		return json_real_value(v) > 0 ? (uint64_t)json_real_value(v) : 0;
	return 0;
}

const char *json_scalar_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (!v) {
		snprintf(buf, len, "-");
		return buf;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	return buf;
}

json_t *json_count(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

json_t *json_string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *json_timestamp_or_null(const char *t)
{
	return t && *t ? json_string(t) : json_null();
}
