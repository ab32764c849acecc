/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driver for the fuzz targets without libFuzzer (systemd's fuzz-main.c,
 * libpcap's onefile.c): replays inputs so `meson test --suite fuzz` checks
 * the corpus and every past crash under the sanitizers.
 *   ARGS: files or directories of raw inputs, and pcap/pcapng files (with
 *   --pcap): every packet of a capture becomes one input, prefixed by the
 *   link-type selector byte fuzz-decode expects, and for fuzz-pipeline all
 *   packets of a capture form one input joined by the separator.
 */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* optional, as in libFuzzer: once, before the first input */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static long inputs;

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return 1;
	}
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || (n > 0 && fread(buf, 1, (size_t)n, fp) != (size_t)n)) {
		fclose(fp);
		free(buf);
		return 1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, (size_t)(n > 0 ? n : 0));
	inputs++;
	free(buf);
	return 0;
}

static uint8_t selector_for(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return 0;
	case DLT_LINUX_SLL: return 1;
	case 276: return 2;
	case DLT_RAW: return 3;
	case DLT_NULL: return 4;
	case DLT_LOOP: return 5;
	default: return 0;
	}
}

static int run_pcap(const char *path, int joined, int explicit_arg)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		/* a README or manifest inside a capture directory is fine */
		fprintf(stderr, "%s: %s%s\n", path, err, explicit_arg ? "" : ", skipped");
		return explicit_arg;
	}
	uint8_t sel = selector_for(pcap_datalink(p));
	struct pcap_pkthdr *h;
	const u_char *d;
	uint8_t *all = NULL;
	size_t alen = 0, acap = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (joined) {
			/* grown by doubling: ASan's realloc always moves, and a
			 * capture of 10k packets made this quadratic */
			if (alen + 5 + h->caplen > acap) {
				size_t ncap = acap ? acap * 2 : 65536;
				while (ncap < alen + 5 + h->caplen)
					ncap *= 2;
				uint8_t *na = realloc(all, ncap);
				if (!na)
					break;
				all = na;
				acap = ncap;
			}
			if (alen) {
				memcpy(all + alen, "\x01\xd5\xca\x7a", 4);
				alen += 4;
			}
			all[alen++] = sel;
			memcpy(all + alen, d, h->caplen);
			alen += h->caplen;
		} else {
			uint8_t *one = malloc(h->caplen + 1);
			if (!one)
				break;
			one[0] = sel;
			memcpy(one + 1, d, h->caplen);
			LLVMFuzzerTestOneInput(one, h->caplen + 1);
			inputs++;
			free(one);
		}
	}
	if (joined && all) {
		LLVMFuzzerTestOneInput(all, alen);
		inputs++;
	}
	free(all);
	pcap_close(p);
	return 0;
}

static int run_path(const char *path, int pcap_mode, int joined, int explicit_arg)
{
	struct stat sb;
	if (stat(path, &sb) < 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode))
		return pcap_mode ? run_pcap(path, joined, explicit_arg) : run_file(path);
	DIR *dir = opendir(path);
	if (!dir)
		return 1;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char full[4096];
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		rc |= run_path(full, pcap_mode, joined, 0);
	}
	closedir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	int pcap_mode = 0, joined = 0, rc = 0;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pcap") == 0) {
			pcap_mode = 1;
			continue;
		}
		if (strcmp(argv[i], "--joined") == 0) {
			joined = 1;
			continue;
		}
		rc |= run_path(argv[i], pcap_mode, joined, 1);
	}
	fprintf(stderr, "replayed %ld inputs without a crash\n", inputs);
	return rc;
}
