/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: handoff's hand-written evidence-pcap walker
 * (ho_pcap_count, handoff_evidence.c), which counts the packets of an
 * evidence file that came with someone else's eve.json. Input: the bytes of
 * the file, read from memory (fmemopen). Beyond not crashing, the walker
 * must agree with libpcap: when libpcap reads the same bytes to a clean end
 * of file, both count the same packets (a difference aborts: a finding).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "handoff/handoff_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* packets libpcap reads before a clean end of file; -1 on any error */
static long libpcap_count(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return -1;
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(f, err); /* owns f from here */
	if (!p) {
		fclose(f);
		return -1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	long n = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1)
		n++;
	pcap_close(p);
	return rc == PCAP_ERROR_BREAK ? n : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;   /* fmemopen needs a buffer */
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	long ours = ho_pcap_count(f, (long)size);
	fclose(f);
	if (ours < 0)
		return 0;
	/* libpcap reads caplen and len swapped in pcap 2.3 files (and maybe
	 * swapped in 2.0-2.2), the walker does not: fabmon writes 2.4 only,
	 * so the counts are compared for 2.4 and later */
	unsigned minor = data[0] == 0xd4 || data[0] == 0x4d ? data[6] | data[7] << 8
							    : data[7] | data[6] << 8;
	if (minor < 4)
		return 0;
	long theirs = libpcap_count(data, size);
	if (theirs >= 0 && theirs != ours) {
		fprintf(stderr, "evidence walker counts %ld packets, libpcap %ld\n", ours, theirs);
		abort();
	}
	return 0;
}
