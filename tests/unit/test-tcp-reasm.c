/* SPDX-License-Identifier: BSD-2-Clause */
/* TCP reassembly: the exact byte stream and gaps a dissector sees. */
#include "sensor/flow/tcp_reasm.h"
#include "test.h"

/* Transcript of what the sink received: bytes as-is, gaps as "<gap N>". */
struct transcript {
	char s[8192];
	size_t n;
	int data_calls;
};

static void t_data(void *ctx, int dir, const uint8_t *d, uint32_t len)
{
	struct transcript *t = ctx;
	(void)dir;
	t->data_calls++;
	if (t->n + len < sizeof(t->s)) {
		memcpy(t->s + t->n, d, len);
		t->n += len;
		t->s[t->n] = '\0';
	}
}

static void t_gap(void *ctx, int dir, uint32_t missing)
{
	struct transcript *t = ctx;
	(void)dir;
	t->n += (size_t)snprintf(t->s + t->n, sizeof(t->s) - t->n, "<gap %u>", missing);
}

struct fixture {
	struct tcp_reasm r;
	struct tcp_stream s;
	struct transcript t;
	struct tcp_sink sink;
};

static void setup(struct fixture *fx, uint32_t max_bytes, uint16_t max_segs, uint64_t memcap)
{
	memset(fx, 0, sizeof(*fx));
	struct tcp_reasm_config c = { max_bytes, max_segs, memcap };
	tcp_reasm_init(&fx->r, &c);
	fx->sink.data = t_data;
	fx->sink.gap = t_gap;
	fx->sink.ctx = &fx->t;
}

static void seg(struct fixture *fx, uint32_t seq, uint8_t flags, const char *pl)
{
	uint32_t n = (uint32_t)strlen(pl);
	tcp_stream_segment(&fx->r, &fx->s, 0, &fx->sink, seq, flags, (const uint8_t *)pl, n, n);
}

static void teardown(struct fixture *fx)
{
	tcp_stream_release(&fx->r, &fx->s);
	CHECK_EQ(fx->r.mem_used, 0);
}

static void test_in_order(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 100, 0x02, "");           /* SYN: ISN 100, data from 101 */
	seg(&fx, 101, 0x18, "hello ");
	seg(&fx, 107, 0x18, "world");
	seg(&fx, 112, 0x11, "");           /* FIN */
	CHECK_STR(fx.t.s, "hello world");
	CHECK_EQ(fx.s.bytes, 11);
	CHECK(fx.s.state & TCPS_FIN_DONE);
	CHECK(!(fx.s.state & TCPS_MIDSTREAM));
	CHECK_EQ(fx.t.data_calls, 2); /* delivered straight from each segment */
	teardown(&fx);
}

static void test_out_of_order(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 0, 0x02, "");
	seg(&fx, 1, 0x10, "AAAA");
	seg(&fx, 9, 0x10, "CCCC");   /* ahead: buffered */
	seg(&fx, 13, 0x10, "DDDD");
	CHECK_STR(fx.t.s, "AAAA");
	CHECK_EQ(fx.s.ooo_count, 2);
	seg(&fx, 5, 0x10, "BBBB");   /* fills the hole */
	CHECK_STR(fx.t.s, "AAAABBBBCCCCDDDD");
	CHECK_EQ(fx.s.ooo_count, 0);
	CHECK_EQ(fx.s.ooo_segs, 2);
	CHECK_EQ(fx.s.gaps, 0);
	teardown(&fx);
}

static void test_retransmission_and_overlap(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 0, 0x02, "");
	seg(&fx, 1, 0x10, "abcd");
	seg(&fx, 1, 0x10, "abcd");   /* full retransmission */
	CHECK_EQ(fx.s.retrans, 1);
	seg(&fx, 3, 0x10, "cdef");   /* overlaps 2 known bytes */
	CHECK_STR(fx.t.s, "abcdef");
	CHECK_EQ(fx.s.overlaps, 1);
	/* out-of-order overlap: first wins, differing bytes counted */
	seg(&fx, 11, 0x10, "KLMN");
	seg(&fx, 9, 0x10, "ijXXmnop"); /* 9..16: "XXmn" differs from "KLMN" at 11..14 */
	seg(&fx, 7, 0x10, "gh");
	CHECK_STR(fx.t.s, "abcdefghijKLMNop");
	CHECK_EQ(fx.s.overlap_diff, 1);
	seg(&fx, 15, 0x10, "XX"); /* 15..16 already delivered */
	CHECK_STR(fx.t.s, "abcdefghijKLMNop");
	CHECK_EQ(fx.s.retrans, 2);
	teardown(&fx);
}

static void test_gap_on_flush(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 0, 0x02, "");
	seg(&fx, 1, 0x10, "0123");
	seg(&fx, 15, 0x10, "ABCD");  /* 10 bytes never captured */
	seg(&fx, 25, 0x10, "EF");    /* another hole of 6 */
	CHECK_STR(fx.t.s, "0123");
	tcp_stream_flush(&fx.r, &fx.s, 0, &fx.sink);
	CHECK_STR(fx.t.s, "0123<gap 10>ABCD<gap 6>EF");
	CHECK_EQ(fx.s.gaps, 2);
	CHECK_EQ(fx.s.gap_bytes, 16);
	CHECK_EQ(fx.s.bytes, 10);
	teardown(&fx);
}

static void test_gap_on_peer_ack(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 0, 0x02, "");
	seg(&fx, 1, 0x10, "xy");
	/* an ACK past the hole with nothing buffered proves nothing yet */
	tcp_stream_peer_ack(&fx.r, &fx.s, 0, &fx.sink, 50);
	CHECK_STR(fx.t.s, "xy");
	seg(&fx, 13, 0x10, "late");
	tcp_stream_peer_ack(&fx.r, &fx.s, 0, &fx.sink, 12); /* before the buffered data */
	CHECK_STR(fx.t.s, "xy");
	tcp_stream_peer_ack(&fx.r, &fx.s, 0, &fx.sink, 17); /* acked the buffered data */
	CHECK_STR(fx.t.s, "xy<gap 10>late");
	teardown(&fx);
}

static void test_bounds_force_gap(void)
{
	struct fixture fx;
	setup(&fx, 8, 64, 1 << 20); /* at most 8 bytes held out of order */
	seg(&fx, 0, 0x02, "");
	seg(&fx, 1, 0x10, "a");
	seg(&fx, 5, 0x10, "eeee");
	seg(&fx, 9, 0x10, "iiii");
	CHECK_STR(fx.t.s, "a");
	seg(&fx, 20, 0x10, "tt"); /* 10 bytes held > 8: oldest hole given up */
	CHECK_STR(fx.t.s, "a<gap 3>eeeeiiii");
	CHECK_EQ(fx.s.ooo_count, 1);
	CHECK_EQ(fx.r.forced_gaps, 1);
	teardown(&fx);

	setup(&fx, 1 << 20, 2, 1 << 20); /* at most 2 segments */
	seg(&fx, 0, 0x02, "");
	seg(&fx, 3, 0x10, "c");
	seg(&fx, 5, 0x10, "e");
	seg(&fx, 7, 0x10, "g");
	CHECK_STR(fx.t.s, "<gap 2>c");
	CHECK_EQ(fx.s.ooo_count, 2);
	teardown(&fx);
}

static void test_memcap(void)
{
	struct fixture fx;
	/* memcap too small for any segment: out-of-order data is delivered at
	 * once after declaring the hole */
	setup(&fx, 1 << 20, 64, 8);
	seg(&fx, 0, 0x02, "");
	seg(&fx, 1, 0x10, "ab");
	seg(&fx, 10, 0x10, "jk");
	CHECK_STR(fx.t.s, "ab<gap 7>jk");
	CHECK(fx.r.memcap_hits >= 1);
	seg(&fx, 3, 0x10, "cdefghi"); /* the late hole filler is old data now */
	CHECK_STR(fx.t.s, "ab<gap 7>jk");
	CHECK_EQ(fx.s.retrans, 1);
	teardown(&fx);
}

static void test_midstream(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 5000, 0x18, "mid");
	seg(&fx, 5003, 0x18, "stream");
	CHECK_STR(fx.t.s, "midstream");
	CHECK(fx.s.state & TCPS_MIDSTREAM);
	teardown(&fx);
}

static void test_seq_wrap(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 0xfffffffd, 0x02, "");      /* ISN near the top */
	seg(&fx, 0xfffffffe, 0x10, "AB");    /* ...fffe, ...ffff */
	seg(&fx, 2, 0x10, "EF");             /* ahead across the wrap */
	seg(&fx, 0, 0x10, "CD");
	CHECK_STR(fx.t.s, "ABCDEF");
	teardown(&fx);
}

static void test_truncated_payload(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 0, 0x02, "");
	/* 10 bytes on the wire, 4 captured (snaplen) */
	tcp_stream_segment(&fx.r, &fx.s, 0, &fx.sink, 1, 0x10, (const uint8_t *)"WXYZ", 4, 10);
	seg(&fx, 11, 0x10, "next");
	CHECK_STR(fx.t.s, "WXYZ<gap 6>next");
	/* the same, arriving out of order */
	tcp_stream_segment(&fx.r, &fx.s, 0, &fx.sink, 25, 0x10, (const uint8_t *)"pq", 2, 5);
	seg(&fx, 15, 0x10, "0123456789");
	CHECK_STR(fx.t.s, "WXYZ<gap 6>next0123456789pq<gap 3>");
	teardown(&fx);
}

static void test_syn_with_data(void)
{
	struct fixture fx;
	setup(&fx, 65536, 64, 1 << 20);
	seg(&fx, 41, 0x02, "tfo");  /* TCP Fast Open: data on the SYN after ISN */
	seg(&fx, 45, 0x18, "!");
	CHECK_STR(fx.t.s, "tfo!");
	teardown(&fx);
}

/* Random segmentation, order and duplication of a known stream always
 * reproduces it exactly when nothing is lost. */
static void test_shuffled_property(void)
{
	char stream[600];
	for (int i = 0; i < 600; i++)
		stream[i] = (char)('A' + (i * 7) % 26);
	unsigned seed = 12345;
	for (int round = 0; round < 200; round++) {
		struct fixture fx;
		setup(&fx, 1 << 20, 1024, 1 << 22);
		uint32_t isn = (uint32_t)rand_r(&seed) * 2654435761u;
		tcp_stream_segment(&fx.r, &fx.s, 0, &fx.sink, isn, 0x02, NULL, 0, 0);
		struct { uint32_t off, len; } segs[200];
		int n = 0;
		for (uint32_t off = 0; off < 600 && n < 200;) {
			uint32_t len = 1 + (uint32_t)rand_r(&seed) % 40;
			if (off + len > 600)
				len = 600 - off;
			segs[n].off = off;
			segs[n].len = len;
			n++;
			off += len;
		}
		for (int i = n - 1; i > 0; i--) { /* shuffle */
			int j = rand_r(&seed) % (i + 1);
			__typeof__(segs[0]) tmp = segs[i];
			segs[i] = segs[j];
			segs[j] = tmp;
		}
		for (int i = 0; i < n; i++) {
			tcp_stream_segment(&fx.r, &fx.s, 0, &fx.sink, isn + 1 + segs[i].off, 0x10,
					   (const uint8_t *)stream + segs[i].off, segs[i].len, segs[i].len);
			if (rand_r(&seed) % 4 == 0) /* duplicate some */
				tcp_stream_segment(&fx.r, &fx.s, 0, &fx.sink, isn + 1 + segs[i].off, 0x10,
						   (const uint8_t *)stream + segs[i].off, segs[i].len,
						   segs[i].len);
		}
		CHECK_EQ(fx.t.n, 600);
		CHECK_MEM(fx.t.s, stream, 600);
		CHECK_EQ(fx.s.gaps, 0);
		CHECK_EQ(fx.s.overlap_diff, 0);
		teardown(&fx);
	}
}

int main(void)
{
	RUN(test_in_order);
	RUN(test_out_of_order);
	RUN(test_retransmission_and_overlap);
	RUN(test_gap_on_flush);
	RUN(test_gap_on_peer_ack);
	RUN(test_bounds_force_gap);
	RUN(test_memcap);
	RUN(test_midstream);
	RUN(test_seq_wrap);
	RUN(test_truncated_payload);
	RUN(test_syn_with_data);
	RUN(test_shuffled_property);
	return test_done();
}
