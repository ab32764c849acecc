/* SPDX-License-Identifier: BSD-2-Clause */
/* The ustar writer (util/ustar): header fields and checksum as POSIX lays
 * them out, long names split at a '/', sizes and padding, errors (names
 * that do not fit, a member cut short or overrun, a full disk), and GNU
 * tar as an independent reader of what it writes. */
#include "util/ustar.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test-ustar-XXXXXX";

static uint64_t field_octal(const uint8_t *f, size_t len)
{
	uint64_t v = 0;
	for (size_t i = 0; i < len && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(f[i] - '0');
	return v;
}

/* the header's checksum, computed here: its own field as eight spaces */
static unsigned checksum(const uint8_t *h)
{
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return sum;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

static const char *long_name(void)
{
	/* 60 + 1 + 60 + 1 + 90 = 212 bytes: must split after the second part */
	static char n[256];
	memset(n, 'a', 60);
	n[60] = '/';
	memset(n + 61, 'b', 60);
	n[121] = '/';
	memset(n + 122, 'c', 90);
	n[212] = '\0';
	return n;
}

static void test_archive(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/a.tar", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	struct ustar *t = malloc(sizeof(*t));
	ustar_open(t, fd);
	uint8_t data[1000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	struct ustar_member d = { .name = "bundle/", .dir = true, .mode = 0755, .mtime = 1700000000,
				  .uname = "root", .gname = "root" };
	CHECK_EQ(ustar_header(t, &d), 0);
	struct ustar_member f = { .name = "bundle/alerts.json", .mode = 0644, .size = sizeof(data),
				  .mtime = 1700000000, .uname = "root", .gname = "root" };
	CHECK_EQ(ustar_header(t, &f), 0);
	CHECK_EQ(ustar_data(t, data, 300), 0);   /* in pieces */
	CHECK_EQ(ustar_data(t, data + 300, 700), 0);
	struct ustar_member e = { .name = "bundle/empty", .mode = 0644, .mtime = -5 };
	CHECK_EQ(ustar_header(t, &e), 0);
	struct ustar_member l = { .name = long_name(), .mode = 0600, .size = 3, .mtime = 1 };
	CHECK_EQ(ustar_header(t, &l), 0);
	CHECK_EQ(ustar_data(t, "xyz", 3), 0);
	CHECK_EQ(ustar_close(t), 0);
	free(t);
	close(fd);

	size_t len = 0;
	uint8_t *a = slurp(path, &len);
	CHECK(a != NULL);
	/* 4 headers, 2 data blocks, 1 more: 7 blocks, 2 end blocks: one record */
	CHECK_EQ(len, USTAR_RECORD);
	const uint8_t *h = a;
	CHECK_STR((const char *)h, "bundle/");
	CHECK_EQ(h[156], '5');
	CHECK_STR((const char *)h + 100, "0000755");
	CHECK_STR((const char *)h + 124, "00000000000");
	CHECK_EQ(field_octal(h + 136, 12), 1700000000);
	CHECK_MEM(h + 257, "ustar\0" "00", 8);
	CHECK_STR((const char *)h + 265, "root");
	CHECK_STR((const char *)h + 297, "root");
	CHECK_EQ(field_octal(h + 148, 8), checksum(h));
	CHECK_EQ(h[154], '\0');
	CHECK_EQ(h[155], ' ');
	h = a + 512;
	CHECK_STR((const char *)h, "bundle/alerts.json");
	CHECK_EQ(h[156], '0');
	CHECK_EQ(field_octal(h + 124, 12), 1000);
	CHECK_EQ(field_octal(h + 148, 8), checksum(h));
	CHECK_MEM(a + 1024, data, sizeof(data));
	for (size_t i = 1024 + sizeof(data); i < 2048; i++)
		CHECK_EQ(a[i], 0); /* padded to the block */
	h = a + 2048;
	CHECK_STR((const char *)h, "bundle/empty");
	CHECK_EQ(field_octal(h + 136, 12), 0); /* before the epoch: 0 */
	CHECK_EQ(h[265], '\0');                /* no owner name */
	h = a + 2560;
	/* prefix "aaa…/bbb…" (121), name "ccc…" (90) */
	CHECK_EQ(strnlen((const char *)h + 345, 155), 121);
	CHECK_MEM(h + 345, long_name(), 121);
	CHECK_EQ(strnlen((const char *)h, 100), 90);
	CHECK_MEM(h, long_name() + 122, 90);
	CHECK_EQ(field_octal(h + 148, 8), checksum(h));
	CHECK_MEM(a + 3072, "xyz", 3);
	for (size_t i = 3075; i < len; i++)
		if (a[i]) {
			CHECK_EQ(i, 0); /* the end blocks and the record's rest are zeros */
			break;
		}
	free(a);

	/* GNU tar reads it: names (the long one joined again), sizes, content */
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "TZ=UTC tar -tvf %s > %s/list 2>&1", path, dir);
	CHECK_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/list", dir);
	size_t ll = 0;
	char *list = (char *)slurp(cmd, &ll);
	list = realloc(list, ll + 1);
	list[ll] = '\0';
	CHECK(strstr(list, "drwxr-xr-x root/root") != NULL);
	CHECK(strstr(list, "-rw-r--r-- root/root      1000 2023-11-14") != NULL);
	CHECK(strstr(list, long_name()) != NULL);
	free(list);
	snprintf(cmd, sizeof(cmd), "tar -xOf %s bundle/alerts.json | cmp -s - %s/want", path, dir);
	char want[64];
	snprintf(want, sizeof(want), "%s/want", dir);
	FILE *w = fopen(want, "wb");
	fwrite(data, 1, sizeof(data), w);
	fclose(w);
	CHECK_EQ(system(cmd), 0);
}

/* names: 100 bytes fit the name field alone; one more must split */
static void test_names(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/n.tar", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct ustar t;
	char n[300];
	memset(n, 'x', 100);
	n[100] = '\0';
	ustar_open(&t, fd);
	struct ustar_member m = { .name = n, .mode = 0644 };
	CHECK_EQ(ustar_header(&t, &m), 0);
	CHECK_MEM(t.rec, n, 100); /* no NUL: the field is full */
	CHECK_EQ(t.rec[345], 0);
	/* 101 bytes with no '/': does not fit */
	memset(n, 'x', 101);
	n[101] = '\0';
	ustar_open(&t, fd);
	CHECK_EQ(ustar_header(&t, &m), -1);
	CHECK(strstr(ustar_error(&t), "pathname too long for ustar") != NULL);
	CHECK_EQ(ustar_close(&t), -1); /* unusable after a failure */
	/* a 101-byte last part after a '/' */
	memset(n, 'x', 120);
	n[10] = '/';
	n[120] = '\0';
	ustar_open(&t, fd);
	CHECK_EQ(ustar_header(&t, &m), -1);
	/* a 156-byte first part: the split must come earlier */
	memset(n, 'y', 200);
	n[156] = '/';
	n[200] = '\0';
	ustar_open(&t, fd);
	CHECK_EQ(ustar_header(&t, &m), -1);
	n[40] = '/'; /* prefix 40, name 159: still no */
	ustar_open(&t, fd);
	CHECK_EQ(ustar_header(&t, &m), -1);
	memset(n, 'y', 200);
	n[150] = '/'; /* prefix 150, name 49 */
	ustar_open(&t, fd);
	CHECK_EQ(ustar_header(&t, &m), 0);
	CHECK_EQ(strnlen((const char *)t.rec + 345, 155), 150);
	CHECK_EQ(strnlen((const char *)t.rec, 100), 49);
	/* an empty name, an owner name of 32 bytes */
	ustar_open(&t, fd);
	m.name = "";
	CHECK_EQ(ustar_header(&t, &m), -1);
	ustar_open(&t, fd);
	m.name = "ok";
	m.uname = "0123456789012345678901234567890123";
	CHECK_EQ(ustar_header(&t, &m), -1);
	close(fd);
}

/* a member's size is what it declared: no more, no less */
static void test_sizes(void)
{
	int fd = open("/dev/null", O_WRONLY);
	struct ustar t;
	ustar_open(&t, fd);
	struct ustar_member m = { .name = "f", .mode = 0644, .size = 10 };
	CHECK_EQ(ustar_header(&t, &m), 0);
	CHECK_EQ(ustar_data(&t, "0123456789A", 11), -1);
	CHECK(strstr(ustar_error(&t), "1 bytes more than") != NULL);
	ustar_open(&t, fd);
	CHECK_EQ(ustar_header(&t, &m), 0);
	CHECK_EQ(ustar_data(&t, "01234", 5), 0);
	CHECK_EQ(ustar_close(&t), -1);
	CHECK(strstr(ustar_error(&t), "5 bytes of the last member missing") != NULL);
	ustar_open(&t, fd);
	CHECK_EQ(ustar_header(&t, &m), 0);
	CHECK_EQ(ustar_header(&t, &m), -1);
	/* 8 GiB: one more than 11 octal digits hold */
	ustar_open(&t, fd);
	m.size = USTAR_MAX_SIZE + 1;
	CHECK_EQ(ustar_header(&t, &m), -1);
	CHECK(strstr(ustar_error(&t), "more than ustar can hold") != NULL);
	ustar_open(&t, fd);
	m.size = USTAR_MAX_SIZE;
	CHECK_EQ(ustar_header(&t, &m), 0);
	CHECK_STR((const char *)t.rec + 124, "77777777777");
	close(fd);
}

/* a full disk: said with the system's reason, at the record that failed */
static void test_full_disk(void)
{
	int fd = open("/dev/full", O_WRONLY);
	if (fd < 0)
		return;
	struct ustar t;
	ustar_open(&t, fd);
	struct ustar_member m = { .name = "f", .mode = 0644, .size = 20000 };
	CHECK_EQ(ustar_header(&t, &m), 0);
	static uint8_t zeros[20000];
	CHECK_EQ(ustar_data(&t, zeros, sizeof(zeros)), -1);
	CHECK_STR(ustar_error(&t), "write failed: No space left on device");
	close(fd);
	/* and at the end, when everything fits one record */
	fd = open("/dev/full", O_WRONLY);
	ustar_open(&t, fd);
	m.size = 3;
	CHECK_EQ(ustar_header(&t, &m), 0);
	CHECK_EQ(ustar_data(&t, "abc", 3), 0);
	CHECK_EQ(ustar_close(&t), -1);
	CHECK(strstr(ustar_error(&t), "No space left") != NULL);
	close(fd);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 2;
	RUN(test_archive);
	RUN(test_names);
	RUN(test_sizes);
	RUN(test_full_disk);
	test_remove_tree(dir);
	return test_done();
}
