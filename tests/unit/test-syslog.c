/* SPDX-License-Identifier: BSD-2-Clause */
/* Syslog output: RFC 5424 lines, targets, facilities; a real UDP and TCP
 * exchange over loopback with octet-counting framing (RFC 6587). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sensor/output/syslog_out.h"
#include "test.h"

static void test_format(void)
{
	char out[512];
	size_t n = syslog_format(out, sizeof(out), 16, 1, "fab1", "FAB-HSMS-002", 42, 1772438412,
				 99095, "{\"a\":1}", 7);
	CHECK_STR(out, "<130>1 2026-03-02T08:00:12.099095Z fab1 fabmon 42 FAB-HSMS-002 - {\"a\":1}");
	CHECK_EQ(n, strlen(out));
	/* severities: critical..low -> crit(2)..notice(5); facility daemon(3) */
	syslog_format(out, sizeof(out), 3, 4, "h", "R", 1, 0, 0, "m", 1);
	CHECK_STR(out, "<29>1 1970-01-01T00:00:00.000000Z h fabmon 1 R - m");
	syslog_format(out, sizeof(out), 16, 9, NULL, NULL, 1, 0, 0, "m", 1);
	CHECK_STR(out, "<133>1 1970-01-01T00:00:00.000000Z - fabmon 1 - - m");
	/* cut, but says the whole length */
	char small[40];
	n = syslog_format(small, sizeof(small), 16, 2, "h", "R", 1, 0, 0, "0123456789", 10);
	CHECK_EQ(n, strlen("<131>1 1970-01-01T00:00:00.000000Z h fabmon 1 R - 0123456789"));
	CHECK_EQ(strlen(small), sizeof(small) - 1);
}

static void test_targets(void)
{
	struct syslog_config c;
	char err[128];
	memset(&c, 0, sizeof(c));
	CHECK(syslog_parse_target("udp://10.0.0.5", &c, err, sizeof(err)));
	CHECK_EQ(c.transport, SYSLOG_UDP);
	CHECK_STR(c.host, "10.0.0.5");
	CHECK_STR(c.port, "514");
	CHECK(syslog_parse_target("tcp://siem.fab.local:6514", &c, err, sizeof(err)));
	CHECK_EQ(c.transport, SYSLOG_TCP);
	CHECK_STR(c.host, "siem.fab.local");
	CHECK_STR(c.port, "6514");
	CHECK(syslog_parse_target("tcp://[fd00::1]:601", &c, err, sizeof(err)));
	CHECK_STR(c.host, "fd00::1");
	CHECK_STR(c.port, "601");
	CHECK(!syslog_parse_target("http://x", &c, err, sizeof(err)));
	CHECK(!syslog_parse_target("tcp://x:99999", &c, err, sizeof(err)));
	CHECK_STR(err, "bad port '99999'");
	CHECK(!syslog_parse_target("udp://", &c, err, sizeof(err)));
	/* digits only (found by fuzz-syslog-target): strtol took a sign and
	 * blanks, and 20 leading zeros were cut to "000000000000000" */
	CHECK(!syslog_parse_target("udp://h: +514", &c, err, sizeof(err)));
	CHECK(!syslog_parse_target("udp://h:-0", &c, err, sizeof(err)));
	CHECK(syslog_parse_target("udp://h:00000000000000000000514", &c, err, sizeof(err)));
	CHECK_STR(c.port, "514");
	CHECK_EQ(syslog_facility_parse("local7"), 23);
	CHECK_EQ(syslog_facility_parse("daemon"), 3);
	CHECK_EQ(syslog_facility_parse("nope"), -1);
}

static int listener(int type, uint16_t *port)
{
	int fd = socket(AF_INET, type, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	socklen_t l = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &l);
	*port = ntohs(a.sin_port);
	if (type == SOCK_STREAM)
		listen(fd, 1);
	return fd;
}

static void test_exchange(void)
{
	for (int tcp = 0; tcp < 2; tcp++) {
		uint16_t port;
		int l = listener(tcp ? SOCK_STREAM : SOCK_DGRAM, &port);
		struct syslog_config c;
		char spec[64], err[128];
		memset(&c, 0, sizeof(c));
		snprintf(spec, sizeof(spec), "%s://127.0.0.1:%u", tcp ? "tcp" : "udp", port);
		CHECK(syslog_parse_target(spec, &c, err, sizeof(err)));
		c.facility = 16;
		c.hostname = "s1";
		struct syslog_out *so = syslog_out_create(&c, err, sizeof(err));
		CHECK(so != NULL);
		if (!so)
			return;
		syslog_out_send(so, 2, "FAB-MB-001", "{\"n\":1}", 7, 0, 0);
		syslog_out_send(so, 3, "FAB-CL-001", "{\"n\":2}", 7, 0, 0);
		int c_fd = tcp ? accept(l, NULL, NULL) : l;
		CHECK_EQ(syslog_out_flush(so, 2000), 0);
		struct timeval tv = { 2, 0 };
		setsockopt(c_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		char buf[1024];
		size_t got = 0;
		/* both messages: two datagrams, or one stream holding both */
		for (int i = 0; i < 2 && got < sizeof(buf) - 2; i++) {
			ssize_t r = recv(c_fd, buf + got, sizeof(buf) - 2 - got, 0);
			if (r <= 0)
				break;
			got += (size_t)r;
			buf[got] = '\0';
			if (!tcp)
				buf[got++] = '\n';
			else if (strstr(buf, "{\"n\":2}"))
				break;
		}
		buf[got] = '\0';
		CHECK(strstr(buf, "{\"n\":2}") != NULL);
		const char *m1 = "<131>1 1970-01-01T00:00:00.000000Z s1 fabmon";
		CHECK(strstr(buf, m1) != NULL);
		if (tcp) {
			/* octet counting: "LEN SP MSG" */
			char want[128];
			int pid = (int)getpid();
			int len = snprintf(want, sizeof(want), "<131>1 1970-01-01T00:00:00.000000Z s1 fabmon "
					   "%d FAB-MB-001 - {\"n\":1}", pid);
			char framed[160];
			snprintf(framed, sizeof(framed), "%d %s", len, want);
			CHECK(strncmp(buf, framed, strlen(framed)) == 0);
		}
		CHECK_EQ(syslog_out_stats(so)->sent, 2);
		CHECK_EQ(syslog_out_stats(so)->dropped, 0);
		syslog_out_destroy(so);
		if (tcp)
			close(c_fd);
		close(l);
	}
}

/* An output to a loopback port nobody listens on any more (queue_max 0:
 * the default queue). */
static struct syslog_out *out_to_closed_port(int type, uint32_t queue_max)
{
	uint16_t port;
	close(listener(type, &port));
	struct syslog_config c;
	char spec[64], err[128];
	memset(&c, 0, sizeof(c));
	snprintf(spec, sizeof(spec), "%s://127.0.0.1:%u", type == SOCK_STREAM ? "tcp" : "udp", port);
	syslog_parse_target(spec, &c, err, sizeof(err));
	c.queue_max = queue_max;
	return syslog_out_create(&c, err, sizeof(err));
}

/* No receiver: messages wait, the queue bound holds, flush counts the rest. */
static void test_receiver_down(void)
{
	struct syslog_out *so = out_to_closed_port(SOCK_STREAM, 3);
	CHECK(so != NULL);
	if (!so)
		return;
	for (int i = 0; i < 5; i++)
		syslog_out_send(so, 1, "R", "{}", 2, 0, 0);
	CHECK_EQ(syslog_out_stats(so)->queued, 3);
	CHECK_EQ(syslog_out_stats(so)->dropped, 2);
	CHECK_EQ(syslog_out_flush(so, 100), 3);
	CHECK_EQ(syslog_out_stats(so)->dropped, 5);
	CHECK(syslog_out_stats(so)->connect_failures >= 1);
	syslog_out_destroy(so);
}

/* UDP with nothing listening: the host answers each datagram with an ICMP
 * port unreachable, which the next send (or the check at exit) reports:
 * none was delivered, and all are counted as dropped, none as sent. */
static void test_udp_receiver_down(void)
{
	struct syslog_out *so = out_to_closed_port(SOCK_DGRAM, 0);
	CHECK(so != NULL);
	if (!so)
		return;
	for (int i = 0; i < 5; i++)
		syslog_out_send(so, 1, "R", "{}", 2, 0, 0);
	CHECK_EQ(syslog_out_flush(so, 1000), 0); /* nothing left in the queue */
	CHECK_EQ(syslog_out_stats(so)->sent, 0);
	CHECK_EQ(syslog_out_stats(so)->dropped, 5);
	CHECK_EQ(syslog_out_stats(so)->send_errors, 5);
	CHECK_EQ(syslog_out_stats(so)->queued, 0);
	syslog_out_destroy(so);
}

int main(void)
{
	RUN(test_format);
	RUN(test_targets);
	RUN(test_exchange);
	RUN(test_receiver_down);
	RUN(test_udp_receiver_down);
	return test_done();
}
