/* SPDX-License-Identifier: BSD-2-Clause */
/* The floor of the benchmark: read every packet of a capture with libpcap
 * and touch each byte's first cache line, nothing else. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, bytes = 0, x = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		bytes += h->len;
		x += d[0];
	}
	pcap_close(p);
	printf("%llu packets, %llu bytes (%llu)\n", n, bytes, x & 1);
	return 0;
}
