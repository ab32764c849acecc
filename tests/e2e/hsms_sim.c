/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hsms-sim: a small HSMS (SEMI E37) host and equipment that speak SECS-II
 * (SEMI E5) / GEM (E30), for fabmon's end-to-end tests. Written from the
 * protocol notes, independent of fabmon's dissector. Every message a side
 * sends is logged as a JSON line, so a test can check fabmon saw exactly
 * what went over the wire.
 *
 *   hsms-sim equipment ADDR PORT LOG [--session N]
 *       accept one connection, answer as a GEM equipment would, send
 *       S6F11 event reports after a host command, exit after Separate.req
 *   hsms-sim host ADDR PORT LOG [--session N] [--pp-size N] [--malformed]
 *       connect, select, run a GEM session (S1F13, S1F1, S2F41, S2F15,
 *       S7F3 with a recipe of N bytes, S7F5, S99F1, linktest), separate;
 *       --malformed sends what E37/E5 forbid instead (see host_malformed)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static FILE *logf_;
static uint16_t session = 0;
static uint32_t next_system = 0x1000;

/* ---------------------------------------------------------------- SECS-II */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(3);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

/* item header: format code (octal, E5 Table 1) and the fewest length bytes */
static void item_hdr(struct buf *b, unsigned code, uint32_t len)
{
	uint8_t h[4];
	int nl = len < 0x100 ? 1 : len < 0x10000 ? 2 : 3;
	h[0] = (uint8_t)(code << 2 | (unsigned)nl);
	for (int i = 0; i < nl; i++)
		h[1 + i] = (uint8_t)(len >> (8 * (nl - 1 - i)));
	put(b, h, 1 + (size_t)nl);
}

static void L(struct buf *b, uint32_t n) { item_hdr(b, 000, n); }
static void A(struct buf *b, const char *s) { item_hdr(b, 020, (uint32_t)strlen(s)); put(b, s, strlen(s)); }
static void B1(struct buf *b, uint8_t v) { item_hdr(b, 010, 1); put(b, &v, 1); }
static void U4(struct buf *b, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	item_hdr(b, 054, 4);
	put(b, d, 4);
}

/* ---------------------------------------------------------------- HSMS */

struct msg {
	uint32_t len;
	uint16_t session;
	uint8_t b2, b3, ptype, stype;
	uint32_t system;
	uint8_t *body;
	uint32_t body_len;
};

static void log_msg(const char *side, const struct msg *m, const char *extra_fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void log_msg(const char *side, const struct msg *m, const char *extra_fmt, ...)
{
	fprintf(logf_, "{\"side\":\"%s\",\"session_id\":%u,\"stype\":%u,\"ptype\":%u,\"system\":%u,\"length\":%u",
		side, m->session, m->stype, m->ptype, m->system, m->len);
	if (m->stype == 0)
		fprintf(logf_, ",\"stream\":%u,\"function\":%u,\"wbit\":%s", m->b2 & 0x7f, m->b3,
			(m->b2 & 0x80) ? "true" : "false");
	va_list ap;
	va_start(ap, extra_fmt);
	vfprintf(logf_, extra_fmt, ap);
	va_end(ap);
	fprintf(logf_, "}\n");
	fflush(logf_);
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("send");
			exit(2);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Send a raw frame: 4-byte length + header + body; in `chunks` writes so a
 * big message crosses many TCP segments. */
static void send_frame(int fd, uint32_t len, uint16_t sess, uint8_t b2, uint8_t b3, uint8_t ptype,
		       uint8_t stype, uint32_t system, const uint8_t *body, size_t body_len, int chunks)
{
	uint8_t h[14] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
			  (uint8_t)(sess >> 8), (uint8_t)sess, b2, b3, ptype, stype,
			  (uint8_t)(system >> 24), (uint8_t)(system >> 16), (uint8_t)(system >> 8), (uint8_t)system };
	send_all(fd, h, 14);
	size_t step = chunks > 1 ? (body_len + (size_t)chunks - 1) / (size_t)chunks : body_len;
	for (size_t off = 0; off < body_len; off += step) {
		send_all(fd, body + off, body_len - off < step ? body_len - off : step);
		if (chunks > 1)
			usleep(1000);
	}
}

static void send_data(int fd, const char *side, uint8_t s, uint8_t f, int w, uint32_t system,
		      const struct buf *body, const char *extra_fmt, ...) __attribute__((format(printf, 8, 9)));
static void send_data(int fd, const char *side, uint8_t s, uint8_t f, int w, uint32_t system,
		      const struct buf *body, const char *extra_fmt, ...)
{
	struct msg m = { (uint32_t)(10 + (body ? body->n : 0)), session, (uint8_t)((w ? 0x80 : 0) | s), f, 0, 0,
			 system, body ? body->p : NULL, (uint32_t)(body ? body->n : 0) };
	send_frame(fd, m.len, m.session, m.b2, m.b3, 0, 0, system, m.body, m.body_len,
		   m.body_len > 65536 ? 20 : 1);
	char extra[512];
	va_list ap;
	va_start(ap, extra_fmt);
	vsnprintf(extra, sizeof(extra), extra_fmt, ap);
	va_end(ap);
	log_msg(side, &m, "%s", extra);
}

static void send_control(int fd, const char *side, uint8_t stype, uint32_t system, uint8_t b3)
{
	/* E37: control messages carry session 0xFFFF (GS Select.req carries the entity) */
	struct msg m = { 10, 0xffff, 0, b3, 0, stype, system, NULL, 0 };
	if (stype == 1 && session != 0)
		m.session = session;
	send_frame(fd, 10, m.session, 0, b3, 0, stype, system, NULL, 0, 1);
	log_msg(side, &m, "%s", "");
}

static int read_full(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int recv_msg(int fd, struct msg *m)
{
	uint8_t h[14];
	if (read_full(fd, h, 14) < 0)
		return -1;
	m->len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	if (m->len < 10 || m->len > (1u << 24)) {
		/* E37 would close the connection; the test wants to go on, so
		 * treat the 14 bytes as garbage and read the next header */
		return recv_msg(fd, m);
	}
	m->session = (uint16_t)(h[4] << 8 | h[5]);
	m->b2 = h[6], m->b3 = h[7], m->ptype = h[8], m->stype = h[9];
	m->system = (uint32_t)h[10] << 24 | (uint32_t)h[11] << 16 | (uint32_t)h[12] << 8 | h[13];
	m->body_len = m->len - 10;
	m->body = malloc(m->body_len ? m->body_len : 1);
	if (!m->body || (m->body_len && read_full(fd, m->body, m->body_len) < 0))
		return -1;
	return 0;
}

/* Wait for the reply to `system`, answering what the peer sends meanwhile. */
static void answer(int fd, const char *side, struct msg *m);

static void wait_reply(int fd, const char *side, uint32_t system)
{
	for (;;) {
		struct msg m;
		if (recv_msg(fd, &m) < 0) {
			fprintf(stderr, "%s: connection closed waiting for %u\n", side, system);
			exit(2);
		}
		bool reply = m.system == system && (m.stype == 2 || m.stype == 4 || m.stype == 6 ||
						    (m.stype == 0 && (m.b3 % 2 == 0)));
		if (!reply)
			answer(fd, side, &m);
		free(m.body);
		if (reply)
			return;
	}
}

/* ---------------------------------------------------------------- equipment */

static const char *MDLN = "SIM-EQ", *SOFTREV = "1.2.3";

static void answer(int fd, const char *side, struct msg *m)
{
	if (m->stype == 1) {
		send_control(fd, side, 2, m->system, 0);
		return;
	}
	if (m->stype == 5) {
		send_control(fd, side, 6, m->system, 0);
		return;
	}
	if (m->stype != 0 || !(m->b2 & 0x80))
		return; /* no reply wanted */
	uint8_t s = m->b2 & 0x7f, f = m->b3;
	struct buf b = { 0 };
	if (s == 1 && f == 13 && strcmp(side, "equipment") == 0) {
		L(&b, 2), B1(&b, 0), L(&b, 2), A(&b, MDLN), A(&b, SOFTREV);
		send_data(fd, side, 1, 14, 0, m->system, &b, ",\"mdln\":\"%s\",\"softrev\":\"%s\"", MDLN, SOFTREV);
	} else if (s == 1 && f == 13) {
		L(&b, 2), B1(&b, 0), L(&b, 0);
		send_data(fd, side, 1, 14, 0, m->system, &b, "%s", "");
	} else if (s == 1 && f == 1) {
		L(&b, 2), A(&b, MDLN), A(&b, SOFTREV);
		send_data(fd, side, 1, 2, 0, m->system, &b, ",\"mdln\":\"%s\",\"softrev\":\"%s\"", MDLN, SOFTREV);
	} else if (s == 2 && f == 41) {
		L(&b, 2), B1(&b, 0), L(&b, 0);
		send_data(fd, side, 2, 42, 0, m->system, &b, ",\"hcack\":0");
	} else if (s == 2 && f == 15) {
		B1(&b, 0);
		send_data(fd, side, 2, 16, 0, m->system, &b, ",\"eac\":0");
	} else if (s == 7 && f == 3) {
		B1(&b, 0);
		send_data(fd, side, 7, 4, 0, m->system, &b, ",\"ackc7\":0");
	} else if (s == 7 && f == 5) {
		L(&b, 2), A(&b, "RCP-SIM"), A(&b, "STEP1;STEP2;STEP3");
		send_data(fd, side, 7, 6, 0, m->system, &b, ",\"ppid\":\"RCP-SIM\",\"ppbody_length\":17");
	} else if (s == 6 && f == 11) {
		B1(&b, 0);
		send_data(fd, side, 6, 12, 0, m->system, &b, ",\"ackc6\":0");
	} else {
		/* E5 S9F3/F5: unrecognized stream / function, carrying the header */
		uint8_t mhead[10] = { (uint8_t)(m->session >> 8), (uint8_t)m->session, m->b2, m->b3, 0, 0,
				      (uint8_t)(m->system >> 24), (uint8_t)(m->system >> 16),
				      (uint8_t)(m->system >> 8), (uint8_t)m->system };
		item_hdr(&b, 010, 10);
		put(&b, mhead, 10);
		uint8_t f9 = s > 20 ? 3 : 5;
		send_data(fd, side, 9, f9, 0, next_system++, &b, ",\"mhead_sf\":\"S%uF%u W\"", s, f);
	}
	free(b.p);
}

static int run_equipment(int fd)
{
	for (;;) {
		struct msg m;
		if (recv_msg(fd, &m) < 0)
			return 0;
		if (m.stype == 9) { /* Separate.req */
			free(m.body);
			return 0;
		}
		/* E37: a reply carries its primary's session id; the equipment's
		 * own primaries use the device id the host addresses */
		if (m.stype == 0 && m.ptype == 0)
			session = m.session;
		bool host_command = m.stype == 0 && (m.b2 & 0x7f) == 2 && m.b3 == 41;
		bool ignore = false;
		if (host_command && m.body_len > 4 && memmem(m.body, m.body_len, "IGNORE", 6))
			ignore = true; /* the malformed scenario's unanswered primary */
		if (!ignore)
			answer(fd, "equipment", &m);
		free(m.body);
		if (host_command && !ignore) {
			/* the command starts processing: two event reports */
			for (uint32_t i = 0; i < 2; i++) {
				struct buf b = { 0 };
				L(&b, 3), U4(&b, i), U4(&b, 100 + i), L(&b, 0);
				uint32_t sys = next_system++;
				send_data(fd, "equipment", 6, 11, 1, sys, &b, ",\"ceid\":%u", 100 + i);
				free(b.p);
				wait_reply(fd, "equipment", sys);
			}
		}
	}
}

/* ---------------------------------------------------------------- host */

static void host_normal(int fd, size_t pp_size)
{
	uint32_t sys;
	send_control(fd, "host", 1, sys = next_system++, 0);
	wait_reply(fd, "host", sys);
	struct buf b = { 0 };
	L(&b, 0);
	send_data(fd, "host", 1, 13, 1, sys = next_system++, &b, "%s", "");
	wait_reply(fd, "host", sys);
	send_data(fd, "host", 1, 1, 1, sys = next_system++, NULL, "%s", "");
	wait_reply(fd, "host", sys);
	b.n = 0;
	L(&b, 2), A(&b, "START"), L(&b, 1), L(&b, 2), A(&b, "LOTID"), A(&b, "LOT-7");
	send_data(fd, "host", 2, 41, 1, sys = next_system++, &b, ",\"rcmd\":\"START\",\"params\":\"LOTID=LOT-7\"");
	wait_reply(fd, "host", sys);
	b.n = 0;
	L(&b, 1), L(&b, 2), U4(&b, 9108), U4(&b, 30);
	send_data(fd, "host", 2, 15, 1, sys = next_system++, &b, ",\"ecids\":\"9108\"");
	wait_reply(fd, "host", sys);
	b.n = 0;
	L(&b, 2), A(&b, "RCP-BIG");
	item_hdr(&b, 010, (uint32_t)pp_size);
	uint8_t *pp = malloc(pp_size ? pp_size : 1);
	for (size_t i = 0; i < pp_size; i++)
		pp[i] = (uint8_t)(i * 7);
	put(&b, pp, pp_size);
	free(pp);
	send_data(fd, "host", 7, 3, 1, sys = next_system++, &b, ",\"ppid\":\"RCP-BIG\",\"ppbody_length\":%zu",
		  pp_size);
	wait_reply(fd, "host", sys);
	b.n = 0;
	A(&b, "RCP-SIM");
	send_data(fd, "host", 7, 5, 1, sys = next_system++, &b, ",\"ppid\":\"RCP-SIM\"");
	wait_reply(fd, "host", sys);
	send_data(fd, "host", 99, 1, 1, sys = next_system++, NULL, "%s", ""); /* answered by S9F3 */
	send_control(fd, "host", 5, sys = next_system++, 0);
	wait_reply(fd, "host", sys);
	send_control(fd, "host", 9, next_system++, 0);
	free(b.p);
}

/* What E37/E5 forbid, each followed by something valid. */
static void host_malformed(int fd)
{
	uint32_t sys;
	struct buf b = { 0 };
	/* data before select (the equipment answers anyway) */
	send_data(fd, "host", 1, 1, 0, next_system++, NULL, "%s", "");
	send_control(fd, "host", 1, sys = next_system++, 0);
	wait_reply(fd, "host", sys);
	/* linktest with a session id other than 0xFFFF */
	struct msg m = { 10, 7, 0, 0, 0, 5, sys = next_system++, NULL, 0 };
	send_frame(fd, 10, 7, 0, 0, 0, 5, sys, NULL, 0, 1);
	log_msg("host", &m, "%s", "");
	wait_reply(fd, "host", sys);
	/* a control message with a body */
	uint8_t two[2] = { 0xaa, 0xbb };
	m = (struct msg){ 12, 0xffff, 0, 0, 0, 5, sys = next_system++, two, 2 };
	send_frame(fd, 12, 0xffff, 0, 0, 0, 5, sys, two, 2, 1);
	log_msg("host", &m, "%s", "");
	wait_reply(fd, "host", sys);
	/* SType 8 (unused) and PType 1 (not SECS-II) */
	m = (struct msg){ 10, 0xffff, 0, 0, 0, 8, next_system++, NULL, 0 };
	send_frame(fd, 10, 0xffff, 0, 0, 0, 8, m.system, NULL, 0, 1);
	log_msg("host", &m, "%s", "");
	m = (struct msg){ 10, session, 0x01, 0x01, 1, 0, next_system++, NULL, 0 };
	send_frame(fd, 10, session, 0x01, 0x01, 1, 0, m.system, NULL, 0, 1);
	log_msg("host", &m, "%s", "");
	/* a reply to nothing */
	send_data(fd, "host", 1, 2, 0, 0xdead, NULL, "%s", "");
	/* SECS-II that breaks E5 (in host-to-equipment messages, so the roles
	 * stay clear): U4 with 3 bytes; lists nested 40 deep */
	uint8_t bad[5] = { 0xb1, 0x03, 0, 0, 1 };
	b.n = 0;
	put(&b, bad, 5);
	send_data(fd, "host", 1, 3, 0, next_system++, &b, "%s", "");
	b.n = 0;
	for (int i = 0; i < 40; i++)
		L(&b, 1);
	L(&b, 0);
	send_data(fd, "host", 2, 13, 0, next_system++, &b, "%s", "");
	/* a host command the equipment will not answer (still open at close) */
	b.n = 0;
	L(&b, 2), A(&b, "IGNORE"), L(&b, 0);
	send_data(fd, "host", 2, 41, 1, next_system++, &b, ",\"rcmd\":\"IGNORE\"");
	/* a length of 2 GB: not to be trusted; then a valid message */
	uint8_t huge[14] = { 0x7f, 0xff, 0xff, 0xff, 0, 0, 0x81, 0x01, 0, 0, 0, 0, 0, 1 };
	send_all(fd, huge, 14);
	fprintf(logf_, "{\"side\":\"host\",\"raw\":\"length 2147483647\"}\n");
	send_control(fd, "host", 5, sys = next_system++, 0);
	wait_reply(fd, "host", sys);
	send_control(fd, "host", 9, next_system++, 0);
	free(b.p);
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s equipment|host ADDR PORT LOG [--session N] [--pp-size N] [--malformed]\n",
			argv[0]);
		return 2;
	}
	size_t pp_size = 4096;
	bool malformed = false;
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--session") == 0 && i + 1 < argc)
			session = (uint16_t)atoi(argv[++i]);
		else if (strcmp(argv[i], "--pp-size") == 0 && i + 1 < argc)
			pp_size = (size_t)atol(argv[++i]);
		else if (strcmp(argv[i], "--malformed") == 0)
			malformed = true;
	}
	logf_ = fopen(argv[4], "w");
	if (!logf_) {
		perror(argv[4]);
		return 2;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3])) };
	if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[2]);
		return 2;
	}
	int one = 1;
	if (strcmp(argv[1], "equipment") == 0) {
		int ls = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
			perror("bind/listen");
			return 2;
		}
		printf("listening\n");
		fflush(stdout);
		int fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			perror("accept");
			return 2;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		next_system = 0x80000000u;
		int rc = run_equipment(fd);
		close(fd);
		close(ls);
		return rc;
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		return 2;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (malformed)
		host_malformed(fd);
	else
		host_normal(fd, pp_size);
	usleep(200000);
	close(fd);
	fclose(logf_);
	return 0;
}
