/* SPDX-License-Identifier: BSD-2-Clause */
/* Output file: records survive a disk that refuses writes for a while; past
 * the backlog bound whole records are dropped and counted, never torn. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

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
	RUN(test_open_errors);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return test_done();
}
