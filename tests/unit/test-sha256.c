/* SPDX-License-Identifier: BSD-2-Clause */
/* SHA-256: FIPS 180-4 / NIST CAVP vectors, every split of the input. */
#include "util/sha256.h"
#include "test.h"

#include <errno.h>
#include <unistd.h>

static void test_vectors(void)
{
	char hex[65];
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(m, strlen(m), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* one million 'a' */
	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	sha256_hex(a, 1000000, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* the same digest whatever the pieces */
	for (size_t cut = 0; cut < 200; cut += 7) {
		struct sha256_stream c;
		uint8_t d[32];
		sha256_stream_init(&c);
		sha256_stream_update(&c, a, cut);
		sha256_stream_update(&c, a + cut, 1000 - cut);
		sha256_stream_final(&c, d);
		char h2[65], h1[65];
		sha256_to_hex(d, h2);
		sha256_hex(a, 1000, h1);
		CHECK_STR(h2, h1);
	}
	free(a);
}

/* a file bigger than one read chunk, hashed as it is read */
static void test_file(void)
{
	char path[] = "/tmp/fabmon-sha256-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "wb");
	for (int i = 0; i < 1000; i++)
		fputs("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaa", f);
	for (int i = 0; i < 9000; i++)
		fputs("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaa", f);
	fclose(f);
	char hex[65];
	uint64_t n = 0;
	CHECK_EQ(sha256_file(path, hex, &n), 0);
	CHECK_EQ(n, 1000000);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* given up when told (the run record's hash when the run is stopped);
	 * not told, the same digest */
	_Atomic int stop = 1;
	n = 7;
	CHECK_EQ(sha256_file_until(path, hex, &n, &stop), -ECANCELED);
	CHECK_EQ(n, 7);
	stop = 0;
	CHECK_EQ(sha256_file_until(path, hex, &n, &stop), 0);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unlink(path);
	CHECK_EQ(sha256_file(path, hex, &n), -ENOENT);
}

int main(void)
{
	RUN(test_vectors);
	RUN(test_file);
	return test_done();
}
