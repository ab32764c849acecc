/* SPDX-License-Identifier: BSD-2-Clause */
/* The exposure table (rules/exposure.h, issue 19 item 1): services kept
 * apart by transport, port and application; clients and zones counted
 * distinct up to their caps; the lowest TLS version; software hints once
 * each; the insecure reasons from nDPI's risk bits and the application;
 * hosts listed by address, only those that offered a service. */
#include <stdlib.h>
#include <string.h>

#include "rules/exposure.h"
#include "test.h"

static struct ip_addr ip(const char *s)
{
	struct ip_addr a;
	ip_addr_parse(s, &a);
	return a;
}

static void test_services(void)
{
	struct exposure x;
	CHECK_EQ(exposure_init(&x, 16), 0);
	struct ip_addr h = ip("10.30.1.21");
	CHECK(exposure_host(&x, 0, &h) == NULL); /* slot 0: no learned host */
	CHECK(exposure_host(&x, 17, &h) == NULL);
	struct exposure_host *e = exposure_host(&x, 3, &h);
	CHECK(e != NULL);
	CHECK(exposure_host(&x, 3, &h) == e);
	bool created;
	struct exposure_service *s = exposure_service(e, 6, 445, "NetBIOS.SMBv1", &created);
	CHECK(created);
	CHECK(exposure_service(e, 6, 445, "NetBIOS.SMBv1", &created) == s && !created);
	exposure_service(e, 6, 445, "NetBIOS.SMBv23", &created);
	CHECK(created); /* another application on the port: another service */
	exposure_service(e, 17, 445, "NetBIOS.SMBv1", &created);
	CHECK(created);
	CHECK_EQ(e->nsvc, 3);
	s = &e->svc[0];

	/* nine distinct clients, two zones and one in none; times widen */
	struct ndpi_summary n;
	memset(&n, 0, sizeof(n));
	n.risk = 1ULL << FAB_RISK_SMB_INSECURE_VERSION;
	char c[32];
	for (int i = 0; i < 9; i++) {
		snprintf(c, sizeof(c), "10.20.1.%d", i + 1);
		struct ip_addr a = ip(c);
		exposure_count(s, &a, i % 2 ? "fab-system" : (i == 8 ? NULL : "itot-dmz"), 100 - i, 5,
			       200 + i, 7, &n);
	}
	struct ip_addr again = ip("10.20.1.1");
	exposure_count(s, &again, "itot-dmz", 150, 0, 150, 0, NULL);
	CHECK_EQ(s->flows, 10);
	CHECK_EQ(s->nclients, EXPOSURE_MAX_CLIENTS);
	CHECK(s->clients_more);
	CHECK_EQ(s->nzones, 2);
	CHECK(!s->zones_more);
	CHECK(s->client_unzoned);
	CHECK_EQ(s->first_sec, 92);
	CHECK_EQ(s->last_sec, 208);
	const char *names[16];
	size_t k = exposure_insecure(s, names, 16);
	CHECK_EQ(k, 1); /* the risk and the application say the same: once */
	CHECK_STR(names[0], "smbv1");

	/* TLS: the lowest version the server chose, with its cipher */
	struct exposure_service *t = exposure_service(e, 6, 443, "TLS", &created);
	memset(&n, 0, sizeof(n));
	n.tls_version = 0x0303;
	n.tls_cipher = 0xc02f;
	exposure_count(t, &again, "itot-dmz", 1, 0, 1, 0, &n);
	n.tls_version = 0x0301;
	n.tls_cipher = 0x000a;
	n.risk = 1ULL << FAB_RISK_TLS_OBSOLETE_VERSION | 1ULL << FAB_RISK_TLS_WEAK_CIPHER;
	exposure_count(t, &again, "itot-dmz", 2, 0, 2, 0, &n);
	n.tls_version = 0x0302;
	n.tls_cipher = 0x002f;
	exposure_count(t, &again, "itot-dmz", 3, 0, 3, 0, &n);
	CHECK_EQ(t->tls_version, 0x0301);
	CHECK_EQ(t->tls_cipher, 0x000a);
	k = exposure_insecure(t, names, 16);
	CHECK_EQ(k, 2);
	CHECK_STR(names[0], "tls-obsolete-version");
	CHECK_STR(names[1], "tls-weak-cipher");

	/* by the application alone: either part of nDPI's name */
	static const struct { const char *app, *why; } apps[] = {
		{ "Telnet", "telnet" }, { "FTP_CONTROL", "ftp" }, { "TFTP", "tftp" },
		{ "VNC", "vnc" }, { "RDP", "rdp" }, { "NetBIOS.SMBv23", "smb" }, { "SMBv1", "smbv1" },
	};
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
		struct exposure_service *a = exposure_service(e, 6, (uint16_t)(1000 + i), apps[i].app,
							      &created);
		CHECK(a != NULL);
		if (a && exposure_insecure(a, names, 16) == 1)
			CHECK_STR(names[0], apps[i].why);
		else
			CHECK(false);
	}
	struct exposure_service *ok = exposure_service(e, 6, 5000, "hsms", &created);
	CHECK_EQ(exposure_insecure(ok, names, 16), 0);

	/* at most EXPOSURE_MAX_SERVICES a host, the rest counted */
	while (e->nsvc < EXPOSURE_MAX_SERVICES)
		exposure_service(e, 17, (uint16_t)(2000 + e->nsvc), "Unknown", &created);
	CHECK(exposure_service(e, 17, 9, "Unknown", &created) == NULL);
	CHECK_EQ(e->services_dropped, 1);
	exposure_free(&x);
}

static void test_software(void)
{
	struct exposure x;
	CHECK_EQ(exposure_init(&x, 8), 0);
	struct ip_addr h = ip("10.30.1.23");
	struct exposure_host *e = exposure_host(&x, 1, &h);
	exposure_software(e, EXPOSURE_SW_SMB_NATIVE_OS, "Windows 5.1");
	exposure_software(e, EXPOSURE_SW_SMB_NATIVE_OS, "Windows 5.1");
	exposure_software(e, EXPOSURE_SW_SMB_NATIVE_LANMAN, "Windows 5.1"); /* another source */
	exposure_software(e, EXPOSURE_SW_HTTP_USER_AGENT, "");
	exposure_software(e, EXPOSURE_SW_HTTP_USER_AGENT, NULL);
	CHECK_EQ(e->nsoftware, 2);
	CHECK_STR(exposure_software_name((enum exposure_software)e->software[1].kind),
		  "smb-native-lanman");
	char v[16];
	for (int i = 0; i < 10; i++) {
		snprintf(v, sizeof(v), "agent/%d", i);
		exposure_software(e, EXPOSURE_SW_HTTP_USER_AGENT, v);
	}
	CHECK_EQ(e->nsoftware, EXPOSURE_MAX_SOFTWARE);
	CHECK(e->software_more);
	exposure_free(&x);
}

static void test_sorted(void)
{
	struct exposure x;
	CHECK_EQ(exposure_init(&x, 8), 0);
	size_t n;
	CHECK(exposure_sorted(&x, &n) == NULL && n == 0);
	static const char *const addrs[] = { "10.30.1.21", "fd00::1", "10.20.0.2", "10.30.1.3",
					     "10.9.0.1" };
	bool created;
	for (int i = 0; i < 5; i++) {
		struct ip_addr a = ip(addrs[i]);
		struct exposure_host *e = exposure_host(&x, (uint32_t)i + 1, &a);
		if (i != 4) /* a host with hints but no service: no record */
			exposure_service(e, 6, 22, "SSH", &created);
	}
	const struct exposure_host **v = exposure_sorted(&x, &n);
	CHECK_EQ(n, 4);
	static const char *const want[] = { "10.20.0.2", "10.30.1.3", "10.30.1.21", "fd00::1" };
	for (size_t i = 0; v && i < n && i < 4; i++) {
		char s[IP_ADDR_STRLEN];
		CHECK_STR(ip_addr_str(&v[i]->ip, s, sizeof(s)), want[i]);
	}
	free(v);
	exposure_free(&x);
}

int main(void)
{
	RUN(test_services);
	RUN(test_software);
	RUN(test_sorted);
	return test_done();
}
