/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/syslog_out.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

struct msg {
	char *p;
	size_t len;
};

struct syslog_out {
	struct syslog_config cfg;
	char hostname[256];
	int pid;
	int fd;
	bool connecting;              /* TCP connect in progress */
	struct addrinfo *ai;          /* resolved once */
	int64_t next_try_ms;          /* backoff */
	int64_t backoff_ms;
	int64_t idle_check_ms;        /* next idle look at a TCP peer */
	struct msg *q;                /* ring of queue_max */
	uint32_t head, n;
	size_t sent_off;              /* bytes of the head message already written (TCP) */
	struct syslog_stats st;
	bool warned_down;
	bool warned_refused;          /* UDP: the receiver's host said nobody listens */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int syslog_facility_parse(const char *name)
{
	static const char *const names[24] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
		"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
	};
	for (int i = 0; i < 24; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	return -1;
}

bool syslog_parse_target(const char *spec, struct syslog_config *c, char *err, size_t errlen)
{
	const char *rest;
	if (strncmp(spec, "udp://", 6) == 0) {
		c->transport = SYSLOG_UDP;
		rest = spec + 6;
	} else if (strncmp(spec, "tcp://", 6) == 0) {
		c->transport = SYSLOG_TCP;
		rest = spec + 6;
	} else {
		snprintf(err, errlen, "expected udp://HOST[:PORT] or tcp://HOST[:PORT]");
		return false;
	}
	const char *host = rest, *port = NULL;
	size_t hl;
	if (*rest == '[') {
		const char *end = strchr(rest, ']');
		if (!end) {
			snprintf(err, errlen, "unclosed '[' in the IPv6 address");
			return false;
		}
		host = rest + 1;
		hl = (size_t)(end - host);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1]) {
			snprintf(err, errlen, "unexpected '%s' after the address", end + 1);
			return false;
		}
	} else {
		const char *colon = strrchr(rest, ':');
		hl = colon ? (size_t)(colon - rest) : strlen(rest);
		if (colon)
			port = colon + 1;
	}
	if (!hl || hl >= sizeof(c->host)) {
		snprintf(err, errlen, "no host");
		return false;
	}
	memcpy(c->host, host, hl);
	c->host[hl] = '\0';
	long v = 514;
	if (port) {
		/* digits only: strtol would take " +514" and 20 leading zeros,
		 * which do not fit c->port as written */
		char *end;
		v = strtol(port, &end, 10);
		if (!*port || strspn(port, "0123456789") != strlen(port) || *end || v < 1 ||
		    v > 65535) {
			snprintf(err, errlen, "bad port '%s'", port);
			return false;
		}
	}
	snprintf(c->port, sizeof(c->port), "%ld", v);
	return true;
}

size_t syslog_format(char *out, size_t len, int facility, int severity, const char *hostname,
		     const char *msgid, int pid, int64_t sec, uint32_t usec, const char *msg,
		     size_t msglen)
{
	/* fabmon's severity 1 critical .. 4 low to syslog's crit(2) .. notice(5) */
	int sev = severity < 1 ? 1 : severity > 4 ? 4 : severity;
	int pri = facility * 8 + sev + 1;
	time_t t = (time_t)sec;
	struct tm tm;
	char ts[40] = "-";
	if (gmtime_r(&t, &tm)) {
		size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(ts + n, sizeof(ts) - n, ".%06uZ", usec % 1000000u);
	}
	int h = snprintf(out, len, "<%d>1 %s %s fabmon %d %s - ", pri, ts,
			 hostname && *hostname ? hostname : "-", pid, msgid && *msgid ? msgid : "-");
	if (h < 0)
		return 0;
	size_t total = (size_t)h + msglen;
	if ((size_t)h < len) {
		size_t n = len - (size_t)h - 1 < msglen ? len - (size_t)h - 1 : msglen;
		memcpy(out + h, msg, n);
		out[(size_t)h + n] = '\0';
	}
	return total;
}

struct syslog_out *syslog_out_create(const struct syslog_config *c, char *err, size_t errlen)
{
	struct syslog_out *so = calloc(1, sizeof(*so));
	if (!so) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	so->cfg = *c;
	if (!so->cfg.queue_max)
		so->cfg.queue_max = 10000;
	so->q = calloc(so->cfg.queue_max, sizeof(*so->q));
	so->fd = -1;
	so->pid = (int)getpid();
	if (c->hostname && *c->hostname)
		snprintf(so->hostname, sizeof(so->hostname), "%s", c->hostname);
	else if (gethostname(so->hostname, sizeof(so->hostname) - 1) < 0)
		snprintf(so->hostname, sizeof(so->hostname), "-");
	for (char *p = so->hostname; *p; p++)
		if (*p <= 32 || *p >= 127)
			*p = '-'; /* PRINTUSASCII only */
	struct addrinfo hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = c->transport == SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int rc = so->q ? getaddrinfo(c->host, c->port, &hints, &so->ai) : EAI_MEMORY;
	if (rc != 0) {
		snprintf(err, errlen, "syslog receiver %s:%s: %s", c->host, c->port, gai_strerror(rc));
		syslog_out_destroy(so);
		return NULL;
	}
	so->backoff_ms = 1000;
	return so;
}

static void drop_head(struct syslog_out *so)
{
	free(so->q[so->head].p);
	so->q[so->head].p = NULL;
	so->head = (so->head + 1) % so->cfg.queue_max;
	so->n--;
	so->sent_off = 0;
	so->st.queued = so->n;
}

void syslog_out_destroy(struct syslog_out *so)
{
	if (!so)
		return;
	while (so->n)
		drop_head(so);
	if (so->fd >= 0)
		close(so->fd);
	if (so->ai)
		freeaddrinfo(so->ai);
	free(so->q);
	free(so);
}

static void disconnect(struct syslog_out *so, const char *why, int err)
{
	if (so->fd >= 0) {
		close(so->fd);
		so->fd = -1;
	}
	if (so->st.connected) {
		so->st.disconnects++;
		log_warn("syslog receiver %s:%s: %s%s%s; alerts are queued (at most %u)", so->cfg.host,
			 so->cfg.port, why, err ? ": " : "", err ? strerror(err) : "", so->cfg.queue_max);
	} else if (!so->warned_down) {
		log_warn("syslog receiver %s:%s: %s%s%s; retrying, alerts are queued (at most %u)",
			 so->cfg.host, so->cfg.port, why, err ? ": " : "", err ? strerror(err) : "",
			 so->cfg.queue_max);
	}
	so->warned_down = true;
	so->st.connected = false;
	so->connecting = false;
	so->sent_off = 0; /* a cut message is sent again whole */
	so->next_try_ms = now_ms() + so->backoff_ms;
	so->backoff_ms = so->backoff_ms * 2 > 60000 ? 60000 : so->backoff_ms * 2;
}

static void start_connect(struct syslog_out *so)
{
	const struct addrinfo *a = so->ai;
	so->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
	if (so->fd < 0) {
		so->st.connect_failures++;
		disconnect(so, "cannot open a socket", errno);
		return;
	}
	if (connect(so->fd, a->ai_addr, a->ai_addrlen) == 0) {
		so->connecting = false;
	} else if (errno == EINPROGRESS) {
		so->connecting = true;
		return;
	} else {
		so->st.connect_failures++;
		disconnect(so, "cannot connect", errno);
		return;
	}
	so->st.connected = true;
	so->st.connects++;
}

/* TCP: the receiver never writes, so readable means it closed; found out
 * before handing it more (they would be lost unseen) */
static bool peer_closed(struct syslog_out *so)
{
	struct pollfd pfd = { so->fd, POLLIN, 0 };
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
		char b[256];
		ssize_t r = recv(so->fd, b, sizeof(b), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			disconnect(so, "connection closed by the receiver", r < 0 ? errno : 0);
			return true;
		}
	}
	return false;
}

static bool connected(struct syslog_out *so)
{
	if (so->fd < 0) {
		if (now_ms() < so->next_try_ms)
			return false;
		start_connect(so);
		if (so->fd < 0)
			return false;
	}
	if (so->connecting) {
		struct pollfd pfd = { so->fd, POLLOUT, 0 };
		if (poll(&pfd, 1, 0) <= 0)
			return false;
		int e = 0;
		socklen_t el = sizeof(e);
		getsockopt(so->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			so->st.connect_failures++;
			disconnect(so, "cannot connect", e);
			return false;
		}
		so->connecting = false;
		so->st.connected = true;
		so->st.connects++;
	}
	if (so->cfg.transport == SYSLOG_TCP && peer_closed(so))
		return false;
	if (so->warned_down && so->st.connected) {
		log_info("syslog receiver %s:%s: connected; sending %u queued alerts", so->cfg.host,
			 so->cfg.port, so->n);
		so->warned_down = false;
		so->backoff_ms = 1000;
	}
	return true;
}

/* UDP: ECONNREFUSED is the ICMP port unreachable for an earlier datagram,
 * counted as sent when the kernel took it: it was not delivered. */
static void udp_refused(struct syslog_out *so)
{
	if (so->st.sent) {
		so->st.sent--;
		so->st.dropped++;
	}
	if (!so->warned_refused)
		log_warn("syslog receiver udp://%s:%s: refused (ICMP port unreachable: nothing listens "
			 "there); undelivered alerts are counted in stats.syslog.dropped",
			 so->cfg.host, so->cfg.port);
	so->warned_refused = true;
}

/* UDP at exit: whether the receiver refused the last datagrams sent (their
 * ICMP arrives after the send; wait for it briefly) */
static void udp_check_refused(struct syslog_out *so, int wait_ms)
{
	if (so->fd < 0 || !so->st.sent)
		return;
	struct pollfd pfd = { so->fd, 0, 0 }; /* POLLERR is always reported */
	if (poll(&pfd, 1, wait_ms) <= 0 || !(pfd.revents & POLLERR))
		return;
	int e = 0;
	socklen_t el = sizeof(e);
	if (getsockopt(so->fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == ECONNREFUSED) {
		so->st.send_errors++;
		udp_refused(so);
	}
}

void syslog_out_poll(struct syslog_out *so)
{
	if (!so->n && so->cfg.transport == SYSLOG_TCP && so->fd >= 0 && !so->connecting) {
		/* idle: look once a second whether the receiver went away, so that
		 * stats.syslog.connected tells the truth before the next alert */
		int64_t t = now_ms();
		if (t >= so->idle_check_ms) {
			so->idle_check_ms = t + 1000;
			peer_closed(so);
		}
		return;
	}
	while (so->n && connected(so)) {
		struct msg *m = &so->q[so->head];
		ssize_t w = send(so->fd, m->p + so->sent_off, m->len - so->sent_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			so->st.send_errors++;
			if (so->cfg.transport == SYSLOG_UDP && (errno == ECONNREFUSED || errno == EMSGSIZE)) {
				/* UDP: an ICMP for an earlier datagram (which was not
				 * delivered), or this one too big: this one is retried,
				 * or dropped if too big */
				if (errno == EMSGSIZE) {
					so->st.dropped++;
					drop_head(so);
				} else {
					udp_refused(so);
				}
				continue;
			}
			disconnect(so, "send failed", errno);
			return;
		}
		so->sent_off += (size_t)w;
		if (so->sent_off == m->len) {
			so->st.sent++;
			drop_head(so);
		}
	}
}

void syslog_out_send(struct syslog_out *so, int severity, const char *msgid, const char *msg,
		     size_t len, int64_t sec, uint32_t usec)
{
	if (so->n == so->cfg.queue_max) {
		so->st.dropped++; /* the newest goes: what waits keeps its order */
		syslog_out_poll(so);
		return;
	}
	char head[512];
	size_t hl = syslog_format(head, sizeof(head), so->cfg.facility, severity, so->hostname, msgid,
				  so->pid, sec, usec, "", 0);
	if (hl >= sizeof(head))
		hl = sizeof(head) - 1;
	char prefix[24] = "";
	size_t pl = 0;
	if (so->cfg.transport == SYSLOG_TCP)
		pl = (size_t)snprintf(prefix, sizeof(prefix), "%zu ", hl + len);
	char *p = malloc(pl + hl + len);
	if (!p) {
		so->st.dropped++;
		return;
	}
	memcpy(p, prefix, pl);
	memcpy(p + pl, head, hl);
	memcpy(p + pl + hl, msg, len);
	uint32_t tail = (so->head + so->n) % so->cfg.queue_max;
	so->q[tail] = (struct msg){ p, pl + hl + len };
	so->n++;
	so->st.queued = so->n;
	syslog_out_poll(so);
}

uint32_t syslog_out_flush(struct syslog_out *so, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	while (so->n && now_ms() < end) {
		syslog_out_poll(so);
		if (!so->n)
			break;
		if (so->fd < 0 && so->next_try_ms > end)
			break; /* the next attempt comes too late */
		if (so->fd < 0 && so->next_try_ms > now_ms()) {
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		struct pollfd pfd = { so->fd, POLLOUT, 0 };
		poll(&pfd, 1, 50);
	}
	if (so->cfg.transport == SYSLOG_UDP && !so->n) {
		int64_t rest = end - now_ms();
		udp_check_refused(so, rest <= 0 ? 0 : rest < 100 ? (int)rest : 100);
	}
	uint32_t left = so->n;
	so->st.dropped += left;
	while (so->n)
		drop_head(so);
	return left;
}

const struct syslog_stats *syslog_out_stats(const struct syslog_out *so)
{
	return &so->st;
}
