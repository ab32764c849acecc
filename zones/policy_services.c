/* SPDX-License-Identifier: BSD-2-Clause */
/* The `services:` section's lookups: which entries cover a host, and
 * whether one allows a service (issue 19 item 1, SEMI E187 network
 * security; IEC 62443-3-3 SR 7.7 least functionality). */
#include <string.h>
#include <strings.h>

#include "zones/policy.h"

/* Is a inside prefix/len (the prefix masked, the same family)? */
static bool in_prefix(const struct ip_addr *a, const struct ip_addr *prefix, unsigned len)
{
	if (a->family != prefix->family)
		return false;
	size_t whole = len / 8;
	if (memcmp(a->a, prefix->a, whole) != 0)
		return false;
	unsigned bits = len % 8;
	if (!bits)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> bits);
	return (a->a[whole] & mask) == prefix->a[whole];
}

bool policy_services_cover(const struct policy_services *s, const struct ip_addr *a,
			   const char *model)
{
	if (s->model[0])
		return model && model[0] && strcmp(s->model, model) == 0;
	return in_prefix(a, &s->prefix, s->len);
}

int policy_services_allow(const struct policy_services *s, uint8_t proto, uint16_t port,
			  const char *app)
{
	for (unsigned i = 0; i < s->nallow; i++) {
		const struct policy_service_allow *w = &s->allow[i];
		if (w->proto == proto && port >= w->ports.lo && port <= w->ports.hi &&
		    (!w->app[0] || policy_app_name_matches(w->app, app)))
			return (int)i + 1;
	}
	return 0;
}
