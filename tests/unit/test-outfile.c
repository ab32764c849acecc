/* SPDX-License-Identifier: BSD-2-Clause */
/* Output file: records survive a disk that refuses writes for a while; past
 * the backlog bound whole records are dropped and counted, never torn.
 * eve.json's records wait for the run record while the inputs are hashed
 * (eve_hold): nothing reaches the file before it, and it comes first. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sensor/output/eve.h"
#include "sensor/output/outfile.h"
#include "test.h"

static char tmpdir[] = "/tmp/fabmon-outfile-XXXXXX";

static size_t file_lines(const char *path, char *first, size_t firstlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	char line[256];
	size_t n = 0;
	while (fgets(line, sizeof(line), fp)) {
		if (n == 0 && first) {
			size_t l = strlen(line) < firstlen - 1 ? strlen(line) : firstlen - 1;
			memcpy(first, line, l);
			first[l] = '\0';
		}
		n++;
	}
	fclose(fp);
	return n;
}

static void test_roundtrip(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/a.json", tmpdir);
	struct outfile o;
	CHECK_EQ(outfile_open(&o, path, true, 1 << 20), 0);
	for (int i = 0; i < 10000; i++) {
		char rec[64];
		int n = snprintf(rec, sizeof(rec), "{\"i\":%d}\n", i);
		outfile_put(&o, rec, (size_t)n);
	}
	CHECK_EQ(outfile_close(&o), 0);
	char first[64];
	CHECK_EQ(file_lines(path, first, sizeof(first)), 10000);
	CHECK_STR(first, "{\"i\":0}\n");
	/* truncate=false appends */
	CHECK_EQ(outfile_open(&o, path, false, 1 << 20), 0);
	outfile_put(&o, "{}\n", 3);
	CHECK_EQ(outfile_close(&o), 0);
	CHECK_EQ(file_lines(path, NULL, 0), 10001);
}

/* /dev/full answers every write with ENOSPC: a full disk on demand. */
static void test_disk_full_then_recovers(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/b.json", tmpdir);
	struct outfile o;
	CHECK_EQ(outfile_open(&o, path, true, 1 << 20), 0);
	int real_fd = o.fd;
	o.fd = open("/dev/full", O_WRONLY);
	CHECK(o.fd >= 0);
	int started = 0, recovered = 0;
	for (int i = 0; i < 5000; i++) {
		char rec[64];
		int n = snprintf(rec, sizeof(rec), "{\"i\":%d}\n", i);
		enum outfile_event ev = outfile_put(&o, rec, (size_t)n);
		started += ev == OUTFILE_STARTED_FAILING;
	}
	enum outfile_event ev = outfile_flush(&o);
	started += ev == OUTFILE_STARTED_FAILING;
	CHECK_EQ(started, 1);        /* reported once, not per record */
	CHECK_EQ(o.err, ENOSPC);
	CHECK_EQ(o.dropped, 0);      /* all 5000 held in memory */
	CHECK(o.write_errors >= 1);
	/* the disk is cleaned up: everything lands, in order */
	close(o.fd);
	o.fd = real_fd;
	ev = outfile_flush(&o);
	recovered += ev == OUTFILE_RECOVERED;
	CHECK_EQ(recovered, 1);
	CHECK_EQ(outfile_close(&o), 0);
	char first[64];
	CHECK_EQ(file_lines(path, first, sizeof(first)), 5000);
	CHECK_STR(first, "{\"i\":0}\n");
}

static void test_backlog_bound(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/c.json", tmpdir);
	struct outfile o;
	CHECK_EQ(outfile_open(&o, path, true, 0), 0); /* smallest backlog */
	close(o.fd);
	o.fd = open("/dev/full", O_WRONLY);
	size_t cap = o.max_pending;
	char rec[100];
	memset(rec, 'x', sizeof(rec));
	rec[99] = '\n';
	uint64_t n = cap / 100 + 1000;
	for (uint64_t i = 0; i < n; i++)
		outfile_put(&o, rec, sizeof(rec));
	CHECK(o.dropped >= 1000);
	CHECK_EQ(o.records + o.dropped, n);
	CHECK(o.len <= cap);
	CHECK_EQ(o.len % 100, 0); /* whole records only */
	int rc = outfile_close(&o);
	CHECK_EQ(rc, -ENOSPC);
	CHECK_EQ(o.dropped, n);   /* at close nothing could be written */
}

static size_t file_size(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fclose(fp);
	return n > 0 ? (size_t)n : 0;
}

static void test_put_front(void)
{
	char path[256], first[64];
	snprintf(path, sizeof(path), "%s/d.json", tmpdir);
	struct outfile o;
	CHECK_EQ(outfile_open(&o, path, true, 4 << 20), 0);
	o.held = true;
	char rec[100];
	memset(rec, 'x', sizeof(rec));
	rec[sizeof(rec) - 1] = '\n';
	for (int i = 0; i < 20000; i++) /* 2 MB, past the flush size: the queue grows */
		CHECK_EQ(outfile_put(&o, rec, sizeof(rec)), OUTFILE_OK);
	CHECK_EQ(outfile_flush(&o), OUTFILE_OK);
	CHECK_EQ(file_size(path), 0);
	CHECK_EQ(o.dropped, 0);
	CHECK(o.cap >= 2000000);
	outfile_put_front(&o, "{\"first\":1}\n", 12);
	CHECK(!o.held);
	/* written out: the queue is back to its usual size, not 2 MB */
	CHECK_EQ(o.len, 0);
	CHECK_EQ(o.cap, 512 * 1024);
	CHECK_EQ(outfile_close(&o), 0);
	CHECK_EQ(file_lines(path, first, sizeof(first)), 20001);
	CHECK_STR(first, "{\"first\":1}\n");
	/* closed while still held: what was queued is written, not lost */
	CHECK_EQ(outfile_open(&o, path, true, 1 << 20), 0);
	o.held = true;
	outfile_put(&o, rec, sizeof(rec));
	CHECK_EQ(outfile_close(&o), 0);
	CHECK_EQ(file_size(path), sizeof(rec));
}

/* The run record's stand-in: ready when told, built once. */
static bool first_ready;
static int first_built;

static bool fake_ready(void *ctx)
{
	(void)ctx;
	return first_ready;
}

static void fake_build(struct eve *e, struct jbuf *b, void *ctx)
{
	(void)ctx;
	first_built++;
	jb_obj_open(b, NULL);
	jb_name(b, "event_type", "run");
	jb_obj_close(b);
	e->rec_type = "run";
}

static void put_record(struct eve *e, int i)
{
	struct jbuf *b = &e->jb;
	jb_reset(b);
	jb_obj_open(b, NULL);
	jb_u64(b, "i", (uint64_t)i);
	jb_obj_close(b);
	e->rec_type = "flow";
	CHECK(eve_put(e, b));
	CHECK_STR(e->rec_type, "flow"); /* the record being queued keeps its type */
}

static void test_eve_hold(void)
{
	char path[256], first[64];
	snprintf(path, sizeof(path), "%s/eve.json", tmpdir);
	/* released when ready: as a record is queued or at a flush */
	struct eve e = { 0 };
	CHECK_EQ(outfile_open(&e.out, path, true, 1 << 20), 0);
	CHECK(jb_init(&e.jb, 256));
	e.open = true;
	first_ready = false;
	first_built = 0;
	eve_hold(&e, (struct eve_first){ fake_ready, fake_build, NULL });
	for (int i = 0; i < 100; i++)
		put_record(&e, i);
	eve_flush(&e);
	CHECK_EQ(file_size(path), 0);
	CHECK_EQ(first_built, 0);
	first_ready = true;
	put_record(&e, 100);
	CHECK_EQ(first_built, 1);
	CHECK(!e.holding);
	eve_release(&e); /* nothing more to do */
	CHECK_EQ(first_built, 1);
	CHECK_EQ(outfile_close(&e.out), 0);
	CHECK_EQ(file_lines(path, first, sizeof(first)), 102);
	CHECK_STR(first, "{\"event_type\":\"run\"}\n");

	/* never ready: waited for when the held records fill half the backlog
	 * (1 MiB here), so nothing is dropped */
	CHECK_EQ(outfile_open(&e.out, path, true, 1 << 20), 0);
	first_ready = false;
	first_built = 0;
	eve_hold(&e, (struct eve_first){ fake_ready, fake_build, NULL });
	int n = 0;
	while (first_built == 0 && n < 200000)
		put_record(&e, n++);
	CHECK_EQ(first_built, 1);
	CHECK(n > 1000);
	CHECK(e.out.len + 16 <= (1u << 20) / 2 + 64);
	CHECK_EQ(e.out.dropped, 0);
	CHECK_EQ(outfile_close(&e.out), 0);
	CHECK_EQ(file_lines(path, first, sizeof(first)), (size_t)n + 1);
	CHECK_STR(first, "{\"event_type\":\"run\"}\n");
	jb_free(&e.jb);
}

static void test_open_errors(void)
{
	struct outfile o;
	CHECK_EQ(outfile_open(&o, "/nonexistent-dir/x.json", true, 1 << 20), -ENOENT);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_roundtrip);
	RUN(test_disk_full_then_recovers);
	RUN(test_backlog_bound);
	RUN(test_put_front);
	RUN(test_eve_hold);
	RUN(test_open_errors);
	test_remove_tree(tmpdir);
	return test_done();
}
