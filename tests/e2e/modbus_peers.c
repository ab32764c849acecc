/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * modbus-peers: a libmodbus Modbus/TCP server and client for fabmon's
 * end-to-end tests (libmodbus is the implementation fabs run).
 *
 *   modbus-peers server ADDR PORT
 *       modbus_mapping_new + modbus_receive/modbus_reply, for one client
 *       after the other until killed (after "listening" on stdout)
 *   modbus-peers client ADDR PORT LOG
 *       a scripted sequence of reads, writes, mask write, read/write,
 *       report server id, requests that raise exceptions, diagnostics,
 *       device identification and UMAS (raw requests); every request is
 *       logged as a JSON line with what was asked and what came back
 */
#include <errno.h>
#include <modbus.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *logf_;

static void logq(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logq(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(logf_, fmt, ap);
	va_end(ap);
	fputc('\n', logf_);
	fflush(logf_);
}

/* The exception code libmodbus reports through errno, or 0. */
static int exception_of(int rc)
{
	if (rc >= 0)
		return 0;
	if (errno > MODBUS_ENOBASE && errno < MODBUS_ENOBASE + 12)
		return errno - MODBUS_ENOBASE;
	return -1; /* a transport error */
}

static void values_json(char *out, size_t len, const uint16_t *v, int n)
{
	size_t o = 0;
	out[o++] = '[';
	for (int i = 0; i < n && o + 8 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%u", i ? "," : "", v[i]);
	out[o++] = ']';
	out[o] = '\0';
}

static void bits_json(char *out, size_t len, const uint8_t *v, int n)
{
	uint16_t w[256];
	for (int i = 0; i < n && i < 256; i++)
		w[i] = v[i];
	values_json(out, len, w, n);
}

/*
 * A raw request (function code + data) on a connection of its own:
 * libmodbus 3.1.6's server cannot size requests of functions it does not
 * implement (FC 7, 8, 43, 90): it takes the function code alone as the
 * request, and the bytes left over would garble the rest of a shared
 * connection. Logs the exception code the server answered (-1: none).
 */
static void raw(const char *addr, int port, const char *what, const uint8_t *pdu, int n, const char *extra)
{
	modbus_t *ctx = modbus_new_tcp(addr, port);
	modbus_set_slave(ctx, 1);
	modbus_set_response_timeout(ctx, 2, 0);
	if (modbus_connect(ctx) < 0) {
		fprintf(stderr, "connect: %s\n", modbus_strerror(errno));
		exit(2);
	}
	uint8_t req[260], rsp[MODBUS_TCP_MAX_ADU_LENGTH];
	req[0] = 1; /* unit id: libmodbus prefixes the MBAP header */
	memcpy(req + 1, pdu, (size_t)n);
	int rc = modbus_send_raw_request(ctx, req, n + 1);
	int ex = -1;
	if (rc > 0) {
		rc = modbus_receive_confirmation(ctx, rsp);
		/* MBAP 7 bytes, then the function code (| 0x80) and the code */
		if (rc >= 9 && (rsp[7] & 0x80))
			ex = rsp[8];
		else if (rc > 7)
			ex = 0;
	}
	logq("{\"what\":\"%s\",\"function\":%u%s,\"exception\":%d}", what, pdu[0], extra ? extra : "", ex);
	modbus_close(ctx);
	modbus_free(ctx);
}

static int client(const char *addr, int port)
{
	modbus_t *ctx = modbus_new_tcp(addr, port);
	modbus_set_slave(ctx, 1);
	if (modbus_connect(ctx) < 0) {
		fprintf(stderr, "connect: %s\n", modbus_strerror(errno));
		return 2;
	}
	uint8_t bits[64];
	uint16_t regs[64];
	char v[512];
	int rc;

	rc = modbus_read_bits(ctx, 0, 16, bits);
	bits_json(v, sizeof(v), bits, rc > 0 ? rc : 0);
	logq("{\"what\":\"read coils\",\"function\":1,\"address\":0,\"quantity\":16,\"exception\":%d,\"read\":%s}",
	     exception_of(rc), v);
	rc = modbus_read_input_bits(ctx, 0, 8, bits);
	logq("{\"what\":\"read discrete inputs\",\"function\":2,\"address\":0,\"quantity\":8,\"exception\":%d}",
	     exception_of(rc));
	rc = modbus_read_registers(ctx, 0, 10, regs);
	values_json(v, sizeof(v), regs, rc > 0 ? rc : 0);
	logq("{\"what\":\"read holding registers\",\"function\":3,\"address\":0,\"quantity\":10,\"exception\":%d,"
	     "\"read\":%s}", exception_of(rc), v);
	rc = modbus_read_input_registers(ctx, 5, 3, regs);
	logq("{\"what\":\"read input registers\",\"function\":4,\"address\":5,\"quantity\":3,\"exception\":%d}",
	     exception_of(rc));
	rc = modbus_write_bit(ctx, 3, 1);
	logq("{\"what\":\"write single coil\",\"function\":5,\"address\":3,\"values\":[65280],\"exception\":%d}",
	     exception_of(rc));
	rc = modbus_write_register(ctx, 4, 1234);
	logq("{\"what\":\"write single register\",\"function\":6,\"address\":4,\"values\":[1234],\"exception\":%d}",
	     exception_of(rc));
	uint8_t coils[10] = { 1, 0, 1, 1, 0, 0, 1, 1, 1, 0 };
	rc = modbus_write_bits(ctx, 10, 10, coils);
	bits_json(v, sizeof(v), coils, 10);
	logq("{\"what\":\"write multiple coils\",\"function\":15,\"address\":10,\"quantity\":10,\"bits\":%s,"
	     "\"exception\":%d}", v, exception_of(rc));
	uint16_t w[5] = { 1, 2, 3, 4, 5 };
	rc = modbus_write_registers(ctx, 20, 5, w);
	values_json(v, sizeof(v), w, 5);
	logq("{\"what\":\"write multiple registers\",\"function\":16,\"address\":20,\"quantity\":5,\"values\":%s,"
	     "\"exception\":%d}", v, exception_of(rc));
	rc = modbus_mask_write_register(ctx, 4, 0x00f2, 0x0025);
	logq("{\"what\":\"mask write register\",\"function\":22,\"address\":4,\"and_mask\":242,\"or_mask\":37,"
	     "\"exception\":%d}", exception_of(rc));
	uint16_t w2[2] = { 777, 888 };
	rc = modbus_write_and_read_registers(ctx, 30, 2, w2, 0, 4, regs);
	logq("{\"what\":\"read/write multiple registers\",\"function\":23,\"address\":0,\"quantity\":4,"
	     "\"write_address\":30,\"write_quantity\":2,\"values\":[777,888],\"exception\":%d}", exception_of(rc));
	uint8_t id[64];
	rc = modbus_report_slave_id(ctx, sizeof(id), id);
	logq("{\"what\":\"report server id\",\"function\":17,\"exception\":%d}", exception_of(rc));
	/* requests the server refuses */
	rc = modbus_read_registers(ctx, 5000, 2, regs);
	logq("{\"what\":\"read beyond the map\",\"function\":3,\"address\":5000,\"quantity\":2,\"exception\":%d}",
	     exception_of(rc));
	modbus_close(ctx);
	modbus_free(ctx);
	raw(addr, port, "read 126 registers (over the limit)", (const uint8_t[]){ 3, 0, 0, 0, 126 }, 5,
	    ",\"address\":0,\"quantity\":126");
	raw(addr, port, "diagnostics: restart communications", (const uint8_t[]){ 8, 0, 1, 0, 0 }, 5,
	    ",\"subfunction\":1");
	raw(addr, port, "diagnostics: force listen only", (const uint8_t[]){ 8, 0, 4, 0, 0 }, 5, ",\"subfunction\":4");
	raw(addr, port, "read device identification", (const uint8_t[]){ 0x2b, 0x0e, 1, 0 }, 4, ",\"mei_type\":14");
	raw(addr, port, "UMAS", (const uint8_t[]){ 0x5a, 0x00, 0x02 }, 3, NULL);
	raw(addr, port, "read exception status", (const uint8_t[]){ 7 }, 1, NULL);
	return 0;
}

static int server(const char *addr, int port)
{
	modbus_t *ctx = modbus_new_tcp(addr, port);
	modbus_mapping_t *map = modbus_mapping_new(100, 100, 100, 100);
	if (!ctx || !map)
		return 2;
	for (int i = 0; i < 100; i++) {
		map->tab_registers[i] = (uint16_t)(i * 10);
		map->tab_input_registers[i] = (uint16_t)(1000 + i);
		map->tab_bits[i] = (uint8_t)(i % 3 == 0);
		map->tab_input_bits[i] = (uint8_t)(i % 2);
	}
	int ls = modbus_tcp_listen(ctx, 1);
	if (ls < 0) {
		fprintf(stderr, "listen: %s\n", modbus_strerror(errno));
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	/* one client after the other, until the test stops it */
	for (;;) {
		if (modbus_tcp_accept(ctx, &ls) < 0)
			return 2;
		for (;;) {
			uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
			int rc = modbus_receive(ctx, q);
			if (rc > 0)
				modbus_reply(ctx, q, rc, map);
			else if (rc == -1)
				break; /* the client closed */
		}
		modbus_close(ctx);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s server|client ADDR PORT [LOG]\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "server") == 0)
		return server(argv[2], atoi(argv[3]));
	if (argc < 5)
		return 2;
	logf_ = fopen(argv[4], "w");
	if (!logf_)
		return 2;
	return client(argv[2], atoi(argv[3]));
}
