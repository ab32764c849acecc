/* SPDX-License-Identifier: BSD-2-Clause */
/* The evidence ring: packets of every size (empty, small, cut at snap) go
 * round a packed ring many times; at the alert, the file holds exactly the
 * last ring_packets of them (cut to snap, wire length and time kept), then
 * the packets after, read back with libpcap. */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/output/evidence.h"
#include "sensor/flow/flow.h"
#include "test.h"

#define RING 5
#define SNAP 64
#define AFTER 3

/* packet i: its length and its bytes (every byte says which packet) */
static const uint32_t cycle[] = { 60, 0, 1, 64, 65, 200, 33, 63, 17, 1500, 2, 64 };
/* one that needs the oldest packets' bytes given up, not only their slots:
 * 44 at 0, four of 64 up to 300, then 64 more fit only at the front */
static const uint32_t crafted[] = { 44, 64, 64, 64, 64, 64, 64, 44, 1, 64, 64, 64, 64, 63 };
static const uint32_t sizes[] = { 0, 1, 2, 17, 33, 44, 60, 63, 64, 65, 200, 1500 };
static int pattern; /* 0: cycle, 1: crafted, 2: pseudo-random, 3: growing */

static uint32_t len_of(int i)
{
	switch (pattern) {
	case 0: return cycle[i % (int)(sizeof(cycle) / sizeof(cycle[0]))];
	case 1: return crafted[i % (int)(sizeof(crafted) / sizeof(crafted[0]))];
	case 2: return sizes[((uint32_t)i * 2654435761u >> 7) % (sizeof(sizes) / sizeof(sizes[0]))];
	default: return (uint32_t)(1 + i / 2 + (i % 3) * 5); /* the ring wraps while they grow */
	}
}

static void frame_of(int i, uint8_t *buf)
{
	for (uint32_t k = 0; k < len_of(i); k++)
		buf[k] = (uint8_t)(i * 7 + k);
}

/* The evidence file an alert named, opened with libpcap (NULL: checked). */
static pcap_t *open_written(const char *dir, const struct evidence_ref *ref)
{
	char path[1200], err[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/%s", dir, ref->file);
	pcap_t *p = pcap_open_offline(path, err);
	CHECK(p != NULL);
	return p;
}

/* total packets fed before the alert; reread: the ring keeps where each
 * frame is in a capture file (it is written there, and the bytes handed
 * with it are garbage: the evidence must come from the file) */
static void run_case(int before, bool reread)
{
	char dir[] = "/tmp/fabmon-evidence-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct evidence_config cfg = { .ring_packets = RING, .snap = SNAP, .after_packets = AFTER,
				       .memcap = 1 << 20, .max_bytes = 1 << 20, .max_open = 4 };
	struct evidence *ev = evidence_create(&cfg, dir);
	CHECK(ev != NULL);
	if (!ev)
		return;
	FILE *cap = NULL;
	if (reread) {
		char cp[600];
		snprintf(cp, sizeof(cp), "%s/capture", dir);
		cap = fopen(cp, "w+");
		CHECK(cap != NULL);
		CHECK(evidence_reread(ev));
		CHECK(evidence_source(ev, 2, fileno(cap), cp));
	}
	struct flow f;
	memset(&f, 0, sizeof(f));
	f.flow_id = 4242;
	uint8_t buf[1500];
	int i = 0;
	for (; i < before; i++) {
		frame_of(i, buf);
		if (reread) {
			uint64_t at = (uint64_t)ftell(cap) + 16; /* after a record header */
			uint8_t hdr[16] = { 0 };
			fwrite(hdr, 1, sizeof(hdr), cap);
			fwrite(buf, 1, len_of(i), cap);
			fflush(cap);
			memset(buf, 0xee, sizeof(buf));
			evidence_packet_at(ev, &f, DLT_EN10MB, 1000 + i, (uint32_t)i, len_of(i),
					   len_of(i) + 4, buf, false, 2, at);
		} else {
			evidence_packet(ev, &f, DLT_EN10MB, 1000 + i, (uint32_t)i, len_of(i), len_of(i) + 4,
					buf, false);
		}
	}
	struct evidence_ref ref;
	CHECK(evidence_alert(ev, &f, &ref));
	int kept = before < RING ? before : RING;
	CHECK_EQ(ref.first_packet, 1);
	CHECK_EQ(ref.last_packet, kept);
	/* after the alert: written as they come, from the bytes handed over */
	for (int k = 0; k < AFTER + 2; k++, i++) {
		frame_of(i, buf);
		evidence_packet_at(ev, &f, DLT_EN10MB, 1000 + i, (uint32_t)i, len_of(i), len_of(i) + 4,
				   buf, false, 2, reread ? (uint64_t)ftell(cap) + 1 : 0);
	}
	CHECK_EQ(evidence_stats(ev)->write_errors, 0);
	evidence_flow_end(ev, &f);
	evidence_destroy(ev);
	if (cap)
		fclose(cap);

	pcap_t *p = open_written(dir, &ref);
	if (p) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int n = 0;
		int first = before - kept;
		while (pcap_next_ex(p, &h, &d) == 1) {
			int want = first + n;
			uint32_t cut = len_of(want) < SNAP ? len_of(want) : SNAP;
			uint8_t exp[1500];
			frame_of(want, exp);
			CHECK_EQ(h->caplen, cut);
			CHECK_EQ(h->len, len_of(want) + 4);
			CHECK_EQ(h->ts.tv_sec, 1000 + want);
			CHECK_EQ(h->ts.tv_usec, want);
			if (h->caplen == cut)
				CHECK_MEM(d, exp, cut);
			n++;
		}
		CHECK_EQ(n, kept + AFTER);
		pcap_close(p);
	}
	test_remove_tree(dir);
}

/* Notes of alert hits (what a repeat record names when its window closes):
 * a first hit writes a file; a repeat hit on a flow whose file is closed
 * names that file (no file per hit); a repeat on a flow that had none
 * starts one; no flow, no ring and a rotated file each say why. */
static void feed(struct evidence *ev, struct flow *f, int n, int64_t t)
{
	uint8_t buf[64];
	memset(buf, 0xab, sizeof(buf));
	for (int i = 0; i < n; i++)
		evidence_packet(ev, f, DLT_EN10MB, t + i, 0, sizeof(buf), sizeof(buf), buf, false);
}

static void test_notes(void)
{
	char dir[] = "/tmp/fabmon-evidence-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct evidence_config cfg = { .ring_packets = RING, .snap = SNAP, .after_packets = 0,
				       .memcap = 1 << 20, .max_bytes = 1 << 20, .max_open = 4 };
	struct evidence *ev = evidence_create(&cfg, dir);
	CHECK(ev != NULL);
	if (!ev)
		return;
	struct flow a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.flow_id = 1;
	b.flow_id = 2;
	struct evidence_note first, rep, other;
	struct evidence_ref ref, ref2;
	feed(ev, &a, 3, 1000);
	evidence_note_hit(ev, &a, false, &first);
	CHECK(evidence_resolve(ev, &first, &ref));
	CHECK_EQ(ref.last_packet, 3);
	CHECK_EQ(evidence_stats(ev)->files, 1);
	/* after 0: the file is closed; more hits on a as repeats name it */
	feed(ev, &a, 2, 1010);
	evidence_note_hit(ev, &a, true, &rep);
	CHECK(evidence_resolve(ev, &rep, &ref2));
	CHECK_STR(ref2.file, ref.file);
	CHECK_EQ(evidence_stats(ev)->files, 1);
	/* a repeat on b, which had no file: one is written */
	feed(ev, &b, 2, 1020);
	evidence_note_hit(ev, &b, true, &other);
	CHECK(evidence_resolve(ev, &other, &ref2));
	CHECK(strstr(ref2.file, "flow2") != NULL);
	CHECK_EQ(ref2.last_packet, 2);
	CHECK_EQ(evidence_stats(ev)->files, 2);
	/* no flow */
	evidence_note_hit(ev, NULL, true, &other);
	CHECK(!evidence_resolve(ev, &other, &ref2));
	CHECK_STR(evidence_none_name(ref2.none), "no_flow");
	evidence_flow_end(ev, &a);
	evidence_flow_end(ev, &b);
	evidence_destroy(ev);
	test_remove_tree(dir);

	/* a ring bigger than the memcap: no ring, "memcap"; a cap of one
	 * file's bytes: the older file is rotated away before it is named */
	CHECK(mkdtemp(strcpy(dir, "/tmp/fabmon-evidence-XXXXXX")) != NULL);
	struct evidence_config small = cfg;
	small.memcap = 16;
	ev = evidence_create(&small, dir);
	memset(&a, 0, sizeof(a));
	feed(ev, &a, 3, 1000);
	evidence_note_hit(ev, &a, false, &first);
	CHECK(!evidence_resolve(ev, &first, &ref));
	CHECK_STR(evidence_none_name(ref.none), "memcap");
	evidence_flow_end(ev, &a);
	evidence_destroy(ev);
	struct evidence_config capped = cfg;
	capped.max_bytes = 300;
	ev = evidence_create(&capped, dir);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.flow_id = 1;
	b.flow_id = 2;
	feed(ev, &a, 3, 1000);
	evidence_note_hit(ev, &a, false, &first);
	CHECK(evidence_resolve(ev, &first, &ref));
	feed(ev, &b, 3, 1100);
	evidence_note_hit(ev, &b, false, &other);
	CHECK(!evidence_resolve(ev, &first, &ref));
	CHECK_STR(evidence_none_name(ref.none), "rotated");
	CHECK(evidence_resolve(ev, &other, &ref2));
	evidence_flow_end(ev, &a);
	evidence_flow_end(ev, &b);
	evidence_destroy(ev);
	test_remove_tree(dir);
}

static void test_ring(void)
{
	/* fewer than the ring holds, exactly full, and many times round */
	for (pattern = 0; pattern < 4; pattern++) {
		for (int before = 1; before <= 160; before += before < 40 ? 1 : 7) {
			int failed = test_failures;
			run_case(before, false);
			run_case(before, true);
			if (test_failures != failed)
				fprintf(stderr, "  (pattern %d, %d packets before the alert)\n", pattern, before);
		}
	}
}

/* A flood of TCP flows without payload (spoofed SYNs, or handshakes
 * completed from many sources) takes at most an eighth of the memcap: a
 * connection with data still gets its ring, a flow that found the share full
 * gets one with its first payload, and a flow whose payload comes gives its
 * share back (issue 16 item 2). */
static void tcp_flow(struct flow *f, uint64_t id)
{
	memset(f, 0, sizeof(*f));
	f->flow_id = id;
	f->key.proto = 6;
}

static void feed_tcp(struct evidence *ev, struct flow *f, int n, int64_t t, bool payload)
{
	uint8_t buf[64];
	memset(buf, 0xcd, sizeof(buf));
	for (int i = 0; i < n; i++) {
		evidence_packet(ev, f, DLT_EN10MB, t + i, 0, sizeof(buf), sizeof(buf), buf, payload);
		if (payload)
			f->tcp[DIR_TOSERVER].bytes += 10; /* as the pipeline counts it after */
	}
}

static void test_empty_share(void)
{
	char dir[] = "/tmp/fabmon-evidence-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct evidence_config cfg = { .ring_packets = RING, .snap = SNAP, .after_packets = 0,
				       .memcap = 64 << 10, .max_bytes = 1 << 20, .max_open = 4 };
	struct evidence *ev = evidence_create(&cfg, dir);
	CHECK(ev != NULL);
	if (!ev)
		return;
	enum { N = 400 };
	static struct flow syn[N];
	int with_ring = 0;
	for (int i = 0; i < N; i++) {
		tcp_flow(&syn[i], 100 + (uint64_t)i);
		feed_tcp(ev, &syn[i], 3, 1000, false); /* SYN, retransmitted; or a handshake */
		with_ring += syn[i].evidence != NULL;
	}
	const struct evidence_stats *st = evidence_stats(ev);
	CHECK(with_ring >= 1);
	CHECK(with_ring < N / 8);
	CHECK_EQ(st->empty_no_ring, N - with_ring);
	CHECK_EQ(st->no_ring, 0);
	/* a connection during the flood: its handshake finds the share full,
	 * its payload a ring from the rest */
	struct flow c;
	tcp_flow(&c, 1);
	feed_tcp(ev, &c, 3, 1002, false);
	CHECK(c.evidence == NULL);
	feed_tcp(ev, &c, 2, 1005, true);
	struct evidence_note n;
	struct evidence_ref ref;
	evidence_note_hit(ev, &c, false, &n);
	CHECK(evidence_resolve(ev, &n, &ref));
	CHECK_EQ(ref.last_packet, 2);
	CHECK_EQ(st->empty_no_ring, N - with_ring + 1);
	/* a UDP flow is not held to the share */
	struct flow u;
	memset(&u, 0, sizeof(u));
	u.flow_id = 2;
	u.key.proto = 17;
	feed(ev, &u, 1, 1006);
	CHECK(u.evidence != NULL);
	/* a flood flow with a ring carries payload: its room in the share is
	 * free again for the next empty flow */
	struct flow *first = &syn[0];
	CHECK(first->evidence != NULL);
	feed_tcp(ev, first, 1, 1007, true);
	struct flow more;
	tcp_flow(&more, 999);
	feed_tcp(ev, &more, 1, 1008, false);
	CHECK(more.evidence != NULL);
	CHECK_EQ(st->empty_no_ring, N - with_ring + 1);
	for (int i = 0; i < N; i++)
		evidence_flow_end(ev, &syn[i]);
	evidence_flow_end(ev, &more);
	evidence_flow_end(ev, &c);
	evidence_flow_end(ev, &u);
	evidence_destroy(ev);
	test_remove_tree(dir);
}

/* Reread: the capture file cut short under the ring (it changed while
 * fabmon read it): the frames no longer there are left out of the pcap,
 * counted as write errors, the others written; a frame given without its
 * place in a file is not kept; evidence_reread comes too late once a ring
 * keeps bytes. */
static void test_reread_cut(void)
{
	char dir[] = "/tmp/fabmon-evidence-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct evidence_config cfg = { .ring_packets = RING, .snap = SNAP, .after_packets = 0,
				       .memcap = 1 << 20, .max_bytes = 1 << 20, .max_open = 4 };
	struct evidence *ev = evidence_create(&cfg, dir);
	char cp[600];
	snprintf(cp, sizeof(cp), "%s/capture", dir);
	FILE *cap = fopen(cp, "w+");
	CHECK(ev && cap);
	if (!ev || !cap)
		return;
	CHECK(!evidence_source(ev, 0, fileno(cap), cp)); /* not in reread mode yet */
	CHECK(evidence_reread(ev));
	CHECK(evidence_source(ev, 0, fileno(cap), cp));
	struct flow f;
	memset(&f, 0, sizeof(f));
	f.flow_id = 7;
	uint8_t buf[40];
	for (int i = 0; i < 4; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		fwrite(buf, 1, sizeof(buf), cap);
		fflush(cap);
		evidence_packet_at(ev, &f, DLT_EN10MB, 1000 + i, 0, sizeof(buf), sizeof(buf), buf, false,
				   0, (uint64_t)i * sizeof(buf) + (i == 0 ? 1 : 0));
	}
	/* no place in a file: not kept */
	evidence_packet(ev, &f, DLT_EN10MB, 1010, 0, sizeof(buf), sizeof(buf), buf, false);
	CHECK_EQ(ftruncate(fileno(cap), 2 * sizeof(buf) + 10), 0); /* frames 2 and 3 cut */
	struct evidence_ref ref;
	CHECK(evidence_alert(ev, &f, &ref));
	CHECK_EQ(ref.last_packet, 2);
	CHECK_EQ(evidence_stats(ev)->write_errors, 2);
	evidence_flow_end(ev, &f);
	evidence_destroy(ev);
	fclose(cap);
	pcap_t *p = open_written(dir, &ref);
	if (p) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int n = 0;
		while (pcap_next_ex(p, &h, &d) == 1) {
			/* frame 0 was given at offset 1: its bytes from there */
			uint8_t exp[40];
			memset(exp, n == 0 ? 'a' : 'b', sizeof(exp));
			if (n == 0)
				exp[39] = 'b';
			CHECK_EQ(h->caplen, sizeof(buf));
			CHECK_EQ(h->ts.tv_sec, 1000 + n);
			if (h->caplen == sizeof(buf))
				CHECK_MEM(d, exp, sizeof(buf));
			n++;
		}
		CHECK_EQ(n, 2);
		pcap_close(p);
	}

	/* a ring that keeps bytes: too late to switch */
	ev = evidence_create(&cfg, dir);
	CHECK(ev != NULL);
	if (ev) {
		evidence_packet(ev, &f, DLT_EN10MB, 1000, 0, sizeof(buf), sizeof(buf), buf, false);
		CHECK(!evidence_reread(ev));
		evidence_flow_end(ev, &f);
		evidence_destroy(ev);
	}
	test_remove_tree(dir);
}

/* Many input files (`-r DIR`): only the last few read keep a descriptor;
 * the others are opened again by path when an alert needs their frames,
 * and one whose path now names another file is left out and counted. */
#define SOURCES 20
static void test_reread_many_files(void)
{
	char dir[] = "/tmp/fabmon-evidence-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct evidence_config cfg = { .ring_packets = SOURCES + 4, .snap = SNAP, .after_packets = 0,
				       .memcap = 1 << 20, .max_bytes = 1 << 20, .max_open = 4 };
	struct evidence *ev = evidence_create(&cfg, dir);
	CHECK(ev && evidence_reread(ev));
	if (!ev)
		return;
	struct flow f;
	memset(&f, 0, sizeof(f));
	f.flow_id = 9;
	char cp[SOURCES][600];
	uint8_t buf[30];
	for (int i = 0; i < SOURCES; i++) {
		snprintf(cp[i], sizeof(cp[i]), "%s/part%02d.pcap", dir, i);
		FILE *cap = fopen(cp[i], "w");
		CHECK(cap != NULL);
		if (!cap)
			return;
		memset(buf, 'A' + i, sizeof(buf));
		fwrite("header..", 1, 8, cap);
		fwrite(buf, 1, sizeof(buf), cap);
		fflush(cap);
		CHECK(evidence_source(ev, (uint16_t)i, fileno(cap), cp[i]));
		fclose(cap); /* the capture's own descriptor goes, as when fabmon moves on */
		evidence_packet_at(ev, &f, DLT_EN10MB, 1000 + i, 0, sizeof(buf), sizeof(buf), buf, false,
				   (uint16_t)i, 8);
	}
	/* part03 replaced by another file of the same name */
	CHECK_EQ(unlink(cp[3]), 0);
	FILE *other = fopen(cp[3], "w");
	CHECK(other != NULL);
	if (other) {
		fwrite("header..zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 1, 40, other);
		fclose(other);
	}
	struct evidence_ref ref;
	CHECK(evidence_alert(ev, &f, &ref));
	CHECK_EQ(ref.last_packet, SOURCES - 1);
	CHECK_EQ(evidence_stats(ev)->write_errors, 1);
	evidence_flow_end(ev, &f);
	evidence_destroy(ev);
	pcap_t *p = open_written(dir, &ref);
	if (p) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int n = 0;
		while (pcap_next_ex(p, &h, &d) == 1) {
			int src = n < 3 ? n : n + 1; /* part03 left out */
			uint8_t exp[30];
			memset(exp, 'A' + src, sizeof(exp));
			CHECK_EQ(h->ts.tv_sec, 1000 + src);
			if (h->caplen == sizeof(exp))
				CHECK_MEM(d, exp, sizeof(exp));
			n++;
		}
		CHECK_EQ(n, SOURCES - 1);
		pcap_close(p);
	}
	test_remove_tree(dir);
}

int main(void)
{
	RUN(test_ring);
	RUN(test_notes);
	RUN(test_reread_cut);
	RUN(test_reread_many_files);
	RUN(test_empty_share);
	return test_done();
}
