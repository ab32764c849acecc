/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/nats_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/comma_list.h"

bool publish_parse_servers(const char *spec, char *err, size_t errlen)
{
	if (!spec || !*spec) {
		snprintf(err, errlen, "no server given");
		return false;
	}
	size_t len;
	for (const char *s; (s = comma_next(&spec, &len));) {
		if (!((len > 7 && !strncmp(s, "nats://", 7)) || (len > 6 && !strncmp(s, "tls://", 6)))) {
			snprintf(err, errlen, "'%.*s' is not a nats://HOST[:PORT] or tls://HOST[:PORT] URL",
				 (int)len, s);
			return false;
		}
	}
	return true;
}

natsStatus publish_nats_servers(natsOptions *o, const char *spec)
{
	/* the URL list as nats.c wants it */
	const char *servers[16];
	char *copy = strdup(spec);
	int n = 0;
	for (char *s = copy, *save = NULL, *t; copy && (t = strtok_r(s, ",", &save)) && n < 16; s = NULL)
		servers[n++] = t;
	natsStatus s = copy ? natsOptions_SetServers(o, servers, n) : NATS_NO_MEMORY;
	free(copy);
	return s;
}

natsStatus publish_nats_security(natsOptions *o, const char *creds, const char *tls_ca)
{
	natsStatus s = NATS_OK;
	if (creds)
		s = natsOptions_SetUserCredentialsFromFiles(o, creds, NULL);
	if (s == NATS_OK && tls_ca)
		s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && tls_ca)
		s = natsOptions_LoadCATrustedCertificates(o, tls_ca);
	return s;
}

/* A .creds file holds a user JWT and its NKey seed between these lines
 * (nsc generate creds); nats.c reads it only when it connects. */
static bool is_creds_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "--nats-creds %s: %s", path, strerror(errno));
		return false;
	}
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (!strstr(buf, "-----BEGIN NATS USER JWT-----") || !strstr(buf, "SEED-----")) {
		snprintf(err, errlen, "--nats-creds %s: not a NATS credentials file (it must hold "
			 "a user JWT and its NKey seed, as 'nsc generate creds' writes them)", path);
		return false;
	}
	return true;
}

bool publish_check_security(const char *creds, const char *tls_ca, char *err, size_t errlen)
{
	/* libnats is loaded when first used (nats_load.c): a sensor that cannot
	 * load it says so at start, not at its first record */
	natsOptions *o = NULL;
	if (natsOptions_Create(&o) != NATS_OK) {
		snprintf(err, errlen, "NATS: %s", nats_GetLastError(NULL));
		return false;
	}
	natsOptions_Destroy(o);
	o = NULL;
	if (creds && !is_creds_file(creds, err, errlen))
		return false;
	if (!tls_ca)
		return true;
	FILE *f = fopen(tls_ca, "r");
	if (!f) {
		snprintf(err, errlen, "--nats-tls-ca %s: %s", tls_ca, strerror(errno));
		return false;
	}
	fclose(f);
	/* loaded now, as the connection will: a file that is no PEM CA fails here */
	natsStatus s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_LoadCATrustedCertificates(o, tls_ca);
	natsOptions_Destroy(o);
	if (s != NATS_OK) {
		const char *why = nats_GetLastError(NULL);
		snprintf(err, errlen, "--nats-tls-ca %s: %s", tls_ca,
			 why && *why ? publish_nats_text(why) : natsStatus_GetText(s));
		return false;
	}
	return true;
}


const char *publish_nats_text(const char *text)
{
	const char *after = text[0] == '(' ? strstr(text, "): ") : NULL;
	return after ? after + 3 : text;
}
