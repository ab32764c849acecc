/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fabmon's pcap/pcapng reader and the decompressing stream under it: packets
 * equal to libpcap's (time stamps included) on what libpcap reads; exact
 * packet counts when a capture is cut at every byte; oversized and malformed
 * lengths; byte order; nanoseconds and if_tsresol; several sections; mixed
 * link types; gzip, zstd and xz whole, cut and corrupt.
 */
#include <lzma.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "sensor/capture/capture_file.h"
#include "test.h"

struct buf {
	uint8_t d[16384];
	size_t n;
	bool be;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	if (b->be) {
		x[0] = (uint8_t)(v >> 8);
		x[1] = (uint8_t)v;
	}
	put(b, x, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put8(b, (uint8_t)(b->be ? v >> (24 - 8 * i) : v >> (8 * i)));
}

static void put64(struct buf *b, uint64_t v)
{
	if (b->be) {
		put32(b, (uint32_t)(v >> 32));
		put32(b, (uint32_t)v);
	} else {
		put32(b, (uint32_t)v);
		put32(b, (uint32_t)(v >> 32));
	}
}

/* a frame of n bytes whose bytes say which packet it is */
static void frame(uint8_t *f, size_t n, int k)
{
	for (size_t i = 0; i < n; i++)
		f[i] = (uint8_t)(k * 31 + i);
}

static void pcap_header(struct buf *b, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
	put32(b, magic);
	put16(b, 2);
	put16(b, 4);
	put32(b, 0);
	put32(b, 0);
	put32(b, snaplen);
	put32(b, linktype);
}

static void pcap_record(struct buf *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len,
			int k)
{
	uint8_t f[2048];
	put32(b, sec);
	put32(b, frac);
	put32(b, caplen);
	put32(b, len);
	frame(f, caplen, k);
	put(b, f, caplen);
}

/* three packets; returns the record boundaries in ends[] */
static void small_pcap(struct buf *b, bool be, bool nsec, size_t ends[4])
{
	memset(b, 0, sizeof(*b));
	b->be = be;
	pcap_header(b, nsec ? 0xa1b23c4d : 0xa1b2c3d4, 65535, 1);
	ends[0] = b->n;
	pcap_record(b, 1700000000, nsec ? 123456789 : 123456, 60, 60, 0);
	ends[1] = b->n;
	pcap_record(b, 1700000001, nsec ? 999999999 : 999999, 100, 1500, 1);
	ends[2] = b->n;
	pcap_record(b, 1700000002, 5, 0, 0, 2);
	ends[3] = b->n;
}

static size_t block_start(struct buf *b, uint32_t type)
{
	size_t at = b->n;
	put32(b, type);
	put32(b, 0); /* patched by block_end */
	return at;
}

static void block_end(struct buf *b, size_t at)
{
	while (b->n % 4)
		put8(b, 0);
	uint32_t total = (uint32_t)(b->n - at + 4);
	put32(b, total);
	size_t save = b->n;
	b->n = at + 4;
	put32(b, total);
	b->n = save;
}

static void shb(struct buf *b)
{
	size_t at = block_start(b, 0x0a0d0d0a);
	put32(b, 0x1a2b3c4d);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX);
	block_end(b, at);
}

/* tsresol < 0: no option */
static void idb(struct buf *b, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = block_start(b, 1);
	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	put16(b, 2); /* if_name: skipped */
	put16(b, 5);
	put(b, "eth0\0\0\0", 8);
	if (tsresol >= 0) {
		put16(b, 9);
		put16(b, 1);
		put8(b, (uint8_t)tsresol);
		put(b, "\0\0\0", 3);
	}
	if (tsoffset) {
		put16(b, 14);
		put16(b, 8);
		put64(b, (uint64_t)tsoffset);
	}
	put32(b, 0); /* opt_endofopt */
	block_end(b, at);
}

static void epb(struct buf *b, uint32_t iface, uint64_t ts, uint32_t caplen, uint32_t len, int k)
{
	uint8_t f[2048];
	size_t at = block_start(b, 6);
	put32(b, iface);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, len);
	frame(f, caplen, k);
	put(b, f, caplen);
	block_end(b, at);
}

static void skipped_block(struct buf *b, uint32_t type)
{
	size_t at = block_start(b, type);
	put32(b, 0x12345678);
	block_end(b, at);
}

/* SHB, IDB (Ethernet), an NRB, 3 EPBs and an ISB; block ends in ends[] */
static void small_pcapng(struct buf *b, bool be, size_t ends[8])
{
	memset(b, 0, sizeof(*b));
	b->be = be;
	shb(b);
	ends[0] = b->n;
	idb(b, 1, 65535, -1, 0);
	ends[1] = b->n;
	skipped_block(b, 4);
	ends[2] = b->n;
	epb(b, 0, 1700000000123456ull, 60, 60, 0);
	ends[3] = b->n;
	epb(b, 0, 1700000001999999ull, 101, 1500, 1);
	ends[4] = b->n;
	epb(b, 0, 1700000002000005ull, 0, 0, 2);
	ends[5] = b->n;
	skipped_block(b, 5);
	ends[6] = b->n;
}

struct readout {
	int open;        /* capfile_open_result */
	int end;         /* last capfile_next result */
	int n;
	struct capfile_packet p[16];
	uint8_t data[16][2048];
	uint64_t err_off;
	char err[320];
};

static void read_all(const uint8_t *d, size_t n, struct readout *r)
{
	memset(r, 0, sizeof(*r));
	struct capstream *s = capstream_open_mem(d, n);
	CHECK(s != NULL);
	struct capfile *f;
	char err[320];
	r->open = capfile_open(&f, s, err, sizeof(err));
	if (r->open != CAPFILE_OPEN_OK) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		r->end = CAPFILE_DAMAGED;
		return;
	}
	struct capfile_packet p;
	while ((r->end = capfile_next(f, &p)) == CAPFILE_PACKET) {
		if (r->n < 16) {
			r->p[r->n] = p;
			memcpy(r->data[r->n], p.data, p.caplen);
			r->p[r->n].data = r->data[r->n];
		}
		r->n++;
	}
	CHECK_EQ((long long)capfile_packets(f), r->n);
	r->err_off = capfile_error_offset(f);
	snprintf(r->err, sizeof(r->err), "%s", capfile_error(f));
	capfile_close(f);
}

/* libpcap on the same bytes: every packet equal to ours */
static void same_as_libpcap(const uint8_t *d, size_t n, const struct readout *r)
{
	FILE *fp = fmemopen((void *)d, n, "rb");
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(fp, perr);
	CHECK(p != NULL);
	if (!p)
		return;
	struct pcap_pkthdr *h;
	const u_char *pd;
	int i = 0;
	while (pcap_next_ex(p, &h, &pd) == 1) {
		CHECK(i < r->n);
		if (i >= r->n)
			break;
		CHECK_EQ(r->p[i].sec, (int64_t)h->ts.tv_sec);
		CHECK_EQ(r->p[i].usec, (uint32_t)h->ts.tv_usec);
		CHECK_EQ(r->p[i].caplen, h->caplen);
		CHECK_EQ(r->p[i].wirelen, h->len);
		CHECK_EQ(r->p[i].dlt, pcap_datalink(p));
		CHECK_MEM(r->p[i].data, pd, h->caplen);
		i++;
	}
	CHECK_EQ(i, r->n);
	pcap_close(p);
}

static void test_pcap_whole(void)
{
	struct buf b;
	size_t ends[4];
	struct readout r;
	for (int be = 0; be < 2; be++)
		for (int ns = 0; ns < 2; ns++) {
			small_pcap(&b, be, ns, ends);
			read_all(b.d, b.n, &r);
			CHECK_EQ(r.open, CAPFILE_OPEN_OK);
			CHECK_EQ(r.end, CAPFILE_END);
			CHECK_EQ(r.n, 3);
			CHECK_EQ(r.p[0].sec, 1700000000);
			CHECK_EQ(r.p[0].usec, 123456);
			CHECK_EQ(r.p[1].usec, 999999);
			CHECK_EQ(r.p[1].caplen, 100);
			CHECK_EQ(r.p[1].wirelen, 1500);
			CHECK_EQ(r.p[2].caplen, 0);
			CHECK_EQ(r.p[0].dlt, DLT_EN10MB);
			same_as_libpcap(b.d, b.n, &r);
		}
}

/* Cut at every byte: the complete records are returned, then the damage
 * (or a clean end exactly at a record boundary). */
static void test_pcap_cut_everywhere(void)
{
	struct buf b;
	size_t ends[4];
	small_pcap(&b, false, false, ends);
	for (size_t cut = 0; cut <= b.n; cut++) {
		struct readout r;
		read_all(b.d, cut, &r);
		if (cut == 0) {
			CHECK_EQ(r.open, CAPFILE_OPEN_EMPTY);
			continue;
		}
		if (cut < ends[0]) {
			CHECK(r.open != CAPFILE_OPEN_OK);
			continue;
		}
		int whole = 0;
		for (int i = 1; i < 4; i++)
			if (ends[i] <= cut)
				whole = i;
		CHECK_EQ(r.open, CAPFILE_OPEN_OK);
		CHECK_EQ(r.n, whole);
		bool boundary = cut == ends[whole];
		CHECK_EQ(r.end, boundary ? CAPFILE_END : CAPFILE_DAMAGED);
		if (!boundary) {
			CHECK_EQ(r.err_off, ends[whole]);
			CHECK(strstr(r.err, "truncated") != NULL);
		}
	}
}

static void test_pcapng_whole_and_cut(void)
{
	struct buf b;
	size_t ends[8];
	for (int be = 0; be < 2; be++) {
		small_pcapng(&b, be, ends);
		struct readout r;
		read_all(b.d, b.n, &r);
		CHECK_EQ(r.end, CAPFILE_END);
		CHECK_EQ(r.n, 3);
		CHECK_EQ(r.p[0].usec, 123456);
		CHECK_EQ(r.p[1].sec, 1700000001);
		CHECK_EQ(r.p[1].caplen, 101);
		CHECK_EQ(r.p[1].wirelen, 1500);
		CHECK(r.p[0].new_iface && !r.p[1].new_iface);
		same_as_libpcap(b.d, b.n, &r);
	}
	small_pcapng(&b, false, ends);
	/* packets end at ends[3..5]; open needs the SHB and the IDB */
	for (size_t cut = 0; cut <= b.n; cut++) {
		struct readout r;
		read_all(b.d, cut, &r);
		if (cut < ends[1]) {
			CHECK(r.open != CAPFILE_OPEN_OK);
			continue;
		}
		int whole = 0;
		for (int i = 3; i <= 5; i++)
			if (ends[i] <= cut)
				whole = i - 2;
		bool boundary = false;
		for (int i = 1; i <= 6; i++)
			boundary |= cut == ends[i];
		CHECK_EQ(r.open, CAPFILE_OPEN_OK);
		CHECK_EQ(r.n, whole);
		CHECK_EQ(r.end, boundary ? CAPFILE_END : CAPFILE_DAMAGED);
	}
}

static void test_pcap_malformed(void)
{
	struct buf b;
	struct readout r;
	/* caplen beyond any snaplen */
	memset(&b, 0, sizeof(b));
	pcap_header(&b, 0xa1b2c3d4, 65535, 1);
	pcap_record(&b, 1, 0, 10, 10, 0);
	put32(&b, 2);
	put32(&b, 0);
	put32(&b, 0x7fffffff);
	put32(&b, 60);
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(r.end, CAPFILE_DAMAGED);
	CHECK(strstr(r.err, "invalid packet capture length 2147483647") != NULL);
	CHECK_EQ(r.err_off, 24 + 16 + 10);
	/* caplen above the file's snaplen (but sane): cut to the snaplen, as libpcap */
	memset(&b, 0, sizeof(b));
	pcap_header(&b, 0xa1b2c3d4, 64, 1);
	pcap_record(&b, 1, 0, 100, 100, 0);
	pcap_record(&b, 2, 0, 30, 30, 1);
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.end, CAPFILE_END);
	CHECK_EQ(r.p[0].caplen, 64);
	CHECK_EQ(r.p[1].caplen, 30);
	same_as_libpcap(b.d, b.n, &r);
	/* version 2.2: caplen and len interchanged */
	memset(&b, 0, sizeof(b));
	put32(&b, 0xa1b2c3d4);
	put16(&b, 2);
	put16(&b, 2);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 65535);
	put32(&b, 101); /* LINKTYPE_RAW */
	put32(&b, 1);
	put32(&b, 0);
	put32(&b, 1500); /* len first */
	put32(&b, 20);
	uint8_t f[20];
	frame(f, 20, 3);
	put(&b, f, 20);
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(r.p[0].caplen, 20);
	CHECK_EQ(r.p[0].wirelen, 1500);
	CHECK_EQ(r.p[0].dlt, DLT_RAW);
	same_as_libpcap(b.d, b.n, &r);
	/* unsupported version, not a capture, nothing */
	memset(&b, 0, sizeof(b));
	put32(&b, 0xa1b2c3d4);
	put16(&b, 3);
	b.n = 24;
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.open, CAPFILE_OPEN_DAMAGED);
	CHECK(strstr(r.err, "version 3.0") != NULL);
	read_all((const uint8_t *)"hello, world, this is text\n", 27, &r);
	CHECK_EQ(r.open, CAPFILE_OPEN_NOT_CAPTURE);
	CHECK(strstr(r.err, "68 65 6c 6c") != NULL);
	read_all(b.d, 10, &r);
	CHECK_EQ(r.open, CAPFILE_OPEN_DAMAGED);
}

/* A pcapng with one EPB whose block is broken as mutate() says. */
static void ng_with(struct buf *b, void (*mutate)(struct buf *, size_t at))
{
	memset(b, 0, sizeof(*b));
	shb(b);
	idb(b, 1, 65535, -1, 0);
	epb(b, 0, 1, 10, 10, 0);
	size_t at = b->n;
	epb(b, 0, 2, 10, 10, 1);
	mutate(b, at);
}

static void set32(struct buf *b, size_t at, uint32_t v)
{
	size_t save = b->n;
	b->n = at;
	put32(b, v);
	b->n = save;
}

static void len_not4(struct buf *b, size_t at) { set32(b, at + 4, 45); }
static void len_small(struct buf *b, size_t at) { set32(b, at + 4, 8); }
static void len_huge(struct buf *b, size_t at) { set32(b, at + 4, 0xfffffff0u); }
static void trailer_differs(struct buf *b, size_t at) { (void)at; set32(b, b->n - 4, 400); }
static void caplen_overruns(struct buf *b, size_t at) { set32(b, at + 20, 200); }
static void caplen_above_snaplen(struct buf *b, size_t at) { set32(b, at + 20, 70000); }
static void unknown_iface(struct buf *b, size_t at) { set32(b, at + 8, 3); }

static void test_pcapng_malformed(void)
{
	static const struct {
		void (*mutate)(struct buf *, size_t);
		const char *words;
	} cases[] = {
		{ len_not4, "not a multiple of 4" },
		{ len_small, "< 12" },
		{ len_huge, "more than the maximum" },
		{ trailer_differs, "trailer" },
		{ caplen_overruns, "overruns" },
		{ caplen_above_snaplen, "bigger than snaplen" },
		{ unknown_iface, "interface 3" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		struct readout r;
		ng_with(&b, cases[i].mutate);
		read_all(b.d, b.n, &r);
		CHECK_EQ(r.open, CAPFILE_OPEN_OK);
		CHECK_EQ(r.n, 1);
		CHECK_EQ(r.end, CAPFILE_DAMAGED);
		if (!strstr(r.err, cases[i].words))
			fprintf(stderr, "case %zu: %s\n", i, r.err);
		CHECK(strstr(r.err, cases[i].words) != NULL);
	}
	/* a packet before any interface; no interface at all */
	struct buf b;
	struct readout r;
	memset(&b, 0, sizeof(b));
	shb(&b);
	epb(&b, 0, 1, 10, 10, 0);
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.open, CAPFILE_OPEN_DAMAGED);
	CHECK(strstr(r.err, "before any interface") != NULL);
	memset(&b, 0, sizeof(b));
	shb(&b);
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.open, CAPFILE_OPEN_DAMAGED);
	CHECK(strstr(r.err, "no interface") != NULL);
}

/* if_tsresol (decimal, binary) and if_tsoffset: as libpcap scales them */
static void test_pcapng_tsresol(void)
{
	static const struct {
		int res;
		uint64_t ts;
	} cases[] = {
		{ 9, 1700000000123456789ull },   /* ns */
		{ 3, 1700000000123ull },         /* ms */
		{ 0x80 | 20, (1700000000ull << 20) | 777777 },
		{ 0x80 | 10, (1700000000ull << 10) | 1000 },
		{ 6, 1700000000654321ull },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		memset(&b, 0, sizeof(b));
		shb(&b);
		idb(&b, 1, 0, cases[i].res, i == 4 ? 1000 : 0);
		epb(&b, 0, cases[i].ts, 14, 14, 0);
		epb(&b, 0, cases[i].ts + 1, 14, 14, 1);
		struct readout r;
		read_all(b.d, b.n, &r);
		CHECK_EQ(r.n, 2);
		same_as_libpcap(b.d, b.n, &r);
	}
	/* explicitly: 2^-20 units and an offset */
	struct buf b;
	memset(&b, 0, sizeof(b));
	shb(&b);
	idb(&b, 1, 0, 0x80 | 20, -100);
	epb(&b, 0, (1000ull << 20) | (1u << 19), 14, 14, 0);
	struct readout r;
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.p[0].sec, 900);
	CHECK_EQ(r.p[0].usec, 500000);
}

/* Two sections of different byte orders; interfaces of different link types
 * (libpcap 1.10 refuses both). */
static void test_pcapng_sections_and_mixed(void)
{
	struct buf b;
	memset(&b, 0, sizeof(b));
	shb(&b);
	idb(&b, 1, 65535, -1, 0);   /* Ethernet */
	idb(&b, 113, 65535, 9, 0);  /* Linux cooked, ns */
	epb(&b, 0, 1700000000000001ull, 60, 60, 0);
	epb(&b, 1, 1700000000000002000ull, 44, 44, 1);
	epb(&b, 0, 1700000000000003ull, 60, 60, 2);
	skipped_block(&b, 0x00000bad); /* custom block */
	b.be = true;
	shb(&b);
	idb(&b, 101, 0, -1, 0);     /* raw IP -> DLT_RAW */
	idb(&b, 276, 0, -1, 0);     /* Linux cooked v2 */
	/* a simple packet block: interface 0 */
	size_t at = block_start(&b, 3);
	put32(&b, 20);
	uint8_t f[20];
	frame(f, 20, 3);
	put(&b, f, 20);
	block_end(&b, at);
	epb(&b, 1, 1700000000000004ull, 48, 48, 4);
	struct readout r;
	read_all(b.d, b.n, &r);
	CHECK_EQ(r.end, CAPFILE_END);
	CHECK_EQ(r.n, 5);
	int want_dlt[5] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_EN10MB, DLT_RAW, 276 };
	uint32_t want_if[5] = { 0, 1, 0, 0, 1 };
	bool want_new[5] = { true, true, false, true, true };
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(r.p[i].dlt, want_dlt[i]);
		CHECK_EQ(r.p[i].iface, want_if[i]);
		CHECK_EQ(r.p[i].new_iface, want_new[i]);
	}
	CHECK_EQ(r.p[1].sec, 1700000000);
	CHECK_EQ(r.p[1].usec, 2);
	CHECK_EQ(r.p[3].sec, 0); /* an SPB has no time stamp */
	CHECK_EQ(r.p[3].caplen, 20);
	uint8_t want[48];
	frame(want, 48, 4);
	CHECK_MEM(r.p[4].data, want, 48);
	/* what the interfaces known at open say */
	struct capstream *s = capstream_open_mem(b.d, b.n);
	struct capfile *cf;
	char err[200];
	CHECK_EQ(capfile_open(&cf, s, err, sizeof(err)), CAPFILE_OPEN_OK);
	CHECK_EQ(capfile_ifaces(cf), 2);
	CHECK_EQ(capfile_iface_dlt(cf, 1), DLT_LINUX_SLL);
	capfile_close(cf);
}

/* ---- compressed ---- */

static size_t gzip_of(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

static size_t zstd_of(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	return ZSTD_compress(out, cap, in, n, 3);
}

static size_t xz_of(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t pos = 0;
	lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, n, out, &pos, cap);
	return pos;
}

static void test_compressed(void)
{
	struct buf b;
	size_t ends[4];
	small_pcap(&b, false, false, ends);
	struct readout plain;
	read_all(b.d, b.n, &plain);
	static const struct {
		size_t (*enc)(const uint8_t *, size_t, uint8_t *, size_t);
		enum capstream_codec codec;
	} codecs[] = { { gzip_of, CS_GZIP }, { zstd_of, CS_ZSTD }, { xz_of, CS_XZ } };
	static uint8_t z[2 * 16384];
	for (size_t c = 0; c < 3; c++) {
		size_t zn = codecs[c].enc(b.d, b.n, z, sizeof(z));
		CHECK(zn > 0);
		/* whole: the same packets */
		struct readout r;
		read_all(z, zn, &r);
		CHECK_EQ(r.end, CAPFILE_END);
		CHECK_EQ(r.n, 3);
		for (int i = 0; i < 3; i++) {
			CHECK_EQ(r.p[i].usec, plain.p[i].usec);
			CHECK_MEM(r.data[i], plain.data[i], plain.p[i].caplen);
		}
		struct capstream *s = capstream_open_mem(z, zn);
		CHECK_EQ(capstream_codec(s), codecs[c].codec);
		capstream_close(s);
		/* two streams back to back (cat a.gz b.gz): read as one */
		static uint8_t z2[2 * 16384];
		size_t n1 = codecs[c].enc(b.d, ends[1], z2, sizeof(z2));
		size_t n2 = codecs[c].enc(b.d + ends[1], b.n - ends[1], z2 + n1, sizeof(z2) - n1);
		read_all(z2, n1 + n2, &r);
		CHECK_EQ(r.end, CAPFILE_END);
		CHECK_EQ(r.n, 3);
		/* cut anywhere: never more packets, damaged unless the cut is clean */
		for (size_t cut = 1; cut < zn; cut++) {
			read_all(z, cut, &r);
			CHECK(r.n <= 3);
			CHECK(r.end == CAPFILE_DAMAGED);
			if (r.open == CAPFILE_OPEN_OK && !strstr(r.err, "truncated"))
				fprintf(stderr, "codec %zu cut %zu: %s\n", c, cut, r.err);
			if (r.open == CAPFILE_OPEN_OK)
				CHECK(strstr(r.err, "truncated") != NULL);
		}
		/* a flipped byte in the middle: never a crash; damaged or
		 * (gzip/xz check the CRC at the end) all read then damaged */
		for (size_t at = 0; at < zn; at += 7) {
			z[at] ^= 0x55;
			read_all(z, zn, &r);
			CHECK(r.n <= 3);
			z[at] ^= 0x55;
		}
	}
	/* the truncated gzip says so, with the compressed bytes read */
	size_t zn = gzip_of(b.d, b.n, z, sizeof(z));
	struct readout r;
	read_all(z, zn - 8, &r);
	CHECK_EQ(r.n, 3); /* the trailer is cut: every packet was there */
	CHECK(strstr(r.err, "the gzip stream is truncated") != NULL);
	/* corrupt xz: the decompressor's words */
	zn = xz_of(b.d, b.n, z, sizeof(z));
	z[zn - 20] ^= 0xff; /* in the index */
	read_all(z, zn, &r);
	CHECK_EQ(r.n, 3);
	CHECK(strstr(r.err, "the xz data is corrupt") != NULL);
}

static void test_linktype_map(void)
{
	CHECK_EQ(capfile_linktype_to_dlt(1), DLT_EN10MB);
	CHECK_EQ(capfile_linktype_to_dlt(101), DLT_RAW);
	CHECK_EQ(capfile_linktype_to_dlt(113), DLT_LINUX_SLL);
	CHECK_EQ(capfile_linktype_to_dlt(276), 276);
	CHECK_EQ(capfile_linktype_to_dlt(0), DLT_NULL);
}

int main(void)
{
	RUN(test_pcap_whole);
	RUN(test_pcap_cut_everywhere);
	RUN(test_pcapng_whole_and_cut);
	RUN(test_pcap_malformed);
	RUN(test_pcapng_malformed);
	RUN(test_pcapng_tsresol);
	RUN(test_pcapng_sections_and_mixed);
	RUN(test_compressed);
	RUN(test_linktype_map);
	return test_done();
}
