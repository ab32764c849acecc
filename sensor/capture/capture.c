/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/capture/capture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/capture/capture_stream.h"
#include "sensor/capture/decode.h"
#include "util/log.h"
#include "sensor/options.h"

const char *capture_dlt_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

static enum capture_error errno_class(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return CAP_ERR_MISSING;
	if (e == EACCES || e == EPERM)
		return CAP_ERR_PERMISSION;
	return CAP_ERR_OTHER;
}

static enum capture_error set_filter(struct capture *c, const char *bpf, char *err, size_t errlen)
{
	if (!bpf)
		return CAP_OK;
	struct bpf_program prog;
	if (pcap_compile(c->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad filter '%s' for '%s': %s", bpf, c->name, pcap_geterr(c->pcap));
		return CAP_ERR_FILTER;
	}
	int rc = pcap_setfilter(c->pcap, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "cannot set filter on '%s': %s", c->name, pcap_geterr(c->pcap));
		return CAP_ERR_FILTER;
	}
	return CAP_OK;
}

static void set_label(struct capture *c, const char *path)
{
	if (strcmp(path, "-") == 0)
		snprintf(c->label, sizeof(c->label), "standard input");
	else
		snprintf(c->label, sizeof(c->label), "'%s'", path);
}

/* The filter compiled for link type dlt (once per link type met). */
static const struct bpf_program *filter_for(struct capture *c, int dlt, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nfilters; i++)
		if (c->filters[i].dlt == dlt)
			return &c->filters[i].prog;
	struct capture_filter *nf = realloc(c->filters, (c->nfilters + 1) * sizeof(*nf));
	if (!nf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->filters = nf;
	/* a dead handle of the packets' link type compiles the filter as
	 * libpcap would for a file of that one link type */
	pcap_t *dead = pcap_open_dead(dlt, 262144);
	if (!dead) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct capture_filter *cf = &c->filters[c->nfilters];
	if (pcap_compile(dead, &cf->prog, c->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		if (c->nfilters == 0)
			snprintf(err, errlen, "bad filter '%s' for %s: %s", c->bpf, c->label,
				 pcap_geterr(dead));
		else
			snprintf(err, errlen, "bad filter '%s' for %s (its link type %s): %s", c->bpf,
				 c->label, capture_dlt_name(dlt), pcap_geterr(dead));
		pcap_close(dead);
		return NULL;
	}
	pcap_close(dead);
	cf->dlt = dlt;
	c->nfilters++;
	return &cf->prog;
}

static void free_filters(struct capture *c)
{
	for (size_t i = 0; i < c->nfilters; i++)
		pcap_freecode(&c->filters[i].prog);
	free(c->filters);
	c->filters = NULL;
	c->nfilters = 0;
}

enum capture_error capture_open_file(struct capture *c, const char *path, const char *bpf,
				     const volatile sig_atomic_t *cancel, char *err,
				     size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->name = path;
	c->bpf = bpf;
	set_label(c, path);
	bool is_stdin = strcmp(path, "-") == 0;
	struct stat sb;
	if (is_stdin) {
		if (isatty(0)) {
			snprintf(err, errlen, "standard input is a terminal, not a capture: pipe one in "
					      "(tcpdump -w - | fabmon -r -)");
			return CAP_ERR_NOT_CAPTURE;
		}
	} else if (stat(path, &sb) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot read capture '%s': %s", path, strerror(e));
		return errno_class(e);
	} else if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "'%s' is a directory, not a capture file", path);
		return CAP_ERR_NOT_CAPTURE;
	}
	struct capstream *s = capstream_open(path, cancel);
	if (!s) {
		int e = errno;
		snprintf(err, errlen, "cannot read capture %s: %s", c->label, strerror(e));
		return errno_class(e);
	}
	const char *codec = capstream_codec_name(capstream_codec(s));
	char why[512], how[64] = "";
	if (codec)
		snprintf(how, sizeof(how), "%s-compressed; ", codec);
	switch (capfile_open(&c->file, s, why, sizeof(why))) {
	case CAPFILE_OPEN_OK:
		break;
	case CAPFILE_OPEN_EMPTY:
		if (codec)
			snprintf(err, errlen, "%s is empty once decompressed (%s), not a pcap or pcapng capture",
				 c->label, codec);
		else
			snprintf(err, errlen, "%s is empty, not a pcap or pcapng capture", c->label);
		return CAP_ERR_NOT_CAPTURE;
	case CAPFILE_OPEN_NOT_CAPTURE:
		snprintf(err, errlen, "%s is not a pcap or pcapng capture (%s%s)", c->label, how, why);
		return CAP_ERR_NOT_CAPTURE;
	default:
		snprintf(err, errlen, "%s is not a pcap or pcapng capture fabmon can read (%s%s)",
			 c->label, how, why);
		return CAP_ERR_NOT_CAPTURE;
	}
	/* a pcapng may describe interfaces of several link types: one that
	 * fabmon decodes is enough; the others' packets are counted */
	size_t nif = capfile_ifaces(c->file), usable = 0;
	for (size_t i = 0; i < nif; i++)
		if (decode_link_supported(capfile_iface_dlt(c->file, i)))
			usable++;
	c->dlt = capfile_iface_dlt(c->file, 0);
	if (usable == 0) {
		snprintf(err, errlen, "%s has link type %s (%d), which carries no IP fabmon can decode",
			 c->label, capture_dlt_name(c->dlt), c->dlt);
		capture_close(c);
		return CAP_ERR_NOT_CAPTURE;
	}
	for (size_t i = 0; i < nif; i++) {
		int dlt = capfile_iface_dlt(c->file, i);
		if (bpf && !filter_for(c, dlt, err, errlen)) {
			capture_close(c);
			return CAP_ERR_FILTER;
		}
	}
	return CAP_OK;
}

int capture_next(struct capture *c, struct capfile_packet *p, char *err, size_t errlen)
{
	for (;;) {
		int rc = capfile_next(c->file, p);
		if (rc != CAPFILE_PACKET || !c->bpf)
			return rc;
		const struct bpf_program *prog = filter_for(c, p->dlt, err, errlen);
		if (!prog)
			return CAPTURE_BAD_FILTER;
		struct pcap_pkthdr h = { .caplen = p->caplen, .len = p->wirelen };
		if (pcap_offline_filter(prog, &h, p->data))
			return rc;
	}
}

enum capture_error capture_open_live(struct capture *c, const struct options *o, int block_ms,
				     char *err, size_t errlen, char *warn, size_t warnlen)
{
	memset(c, 0, sizeof(*c));
	c->name = o->iface;
	c->live = true;
	warn[0] = '\0';
	char perr[PCAP_ERRBUF_SIZE] = "";
	c->pcap = pcap_create(o->iface, perr);
	if (!c->pcap) {
		snprintf(err, errlen, "cannot capture on '%s': %s", o->iface, perr);
		return CAP_ERR_OTHER;
	}
	/* Not immediate mode: libpcap then uses TPACKET_V3, whose ring holds
	 * packets back to back in blocks handed over when full or after the
	 * block_ms timeout. Immediate mode means TPACKET_V2, one ring frame per
	 * packet sized for the snaplen: with 256 KiB frames a 64 MiB buffer held
	 * 256 packets and a burst overflowed it (live rate test: zero loss up to
	 * 50,000 packets/s with V2, at tcpreplay's top speed with V3).
	 * setters only fail on an activated handle; checked for form's sake */
	if (pcap_set_snaplen(c->pcap, o->snaplen) != 0 ||
	    pcap_set_promisc(c->pcap, o->promisc ? 1 : 0) != 0 ||
	    pcap_set_immediate_mode(c->pcap, 0) != 0 ||
	    pcap_set_buffer_size(c->pcap, o->buffer_mib * 1024 * 1024) != 0 ||
	    pcap_set_timeout(c->pcap, block_ms) != 0) {
		snprintf(err, errlen, "cannot configure capture on '%s'", o->iface);
		capture_close(c);
		return CAP_ERR_OTHER;
	}
	int rc = pcap_activate(c->pcap);
	if (rc < 0) {
		enum capture_error ce = CAP_ERR_OTHER;
		const char *why = pcap_geterr(c->pcap);
		switch (rc) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			snprintf(err, errlen, "no such interface '%s' (%s)", o->iface, why);
			ce = CAP_ERR_MISSING;
			break;
		case PCAP_ERROR_PERM_DENIED:
			snprintf(err, errlen,
				 "no permission to capture on '%s': run as root or grant CAP_NET_RAW and "
				 "CAP_NET_ADMIN (%s)",
				 o->iface, why);
			ce = CAP_ERR_PERMISSION;
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			snprintf(err, errlen, "interface '%s' is down", o->iface);
			break;
		default:
			snprintf(err, errlen, "cannot capture on '%s': %s", o->iface, why);
			break;
		}
		capture_close(c);
		return ce;
	}
	if (rc > 0)
		snprintf(warn, warnlen, "capture on '%s' started with a warning: %s", o->iface,
			 rc == PCAP_WARNING_PROMISC_NOTSUP ? "promiscuous mode not supported"
							   : pcap_statustostr(rc));
	c->dlt = pcap_datalink(c->pcap);
	if (!decode_link_supported(c->dlt)) {
		snprintf(err, errlen, "interface '%s' has link type %s (%d), which fabmon cannot decode",
			 o->iface, capture_dlt_name(c->dlt), c->dlt);
		capture_close(c);
		return CAP_ERR_NOT_CAPTURE;
	}
	enum capture_error ce = set_filter(c, o->bpf, err, errlen);
	if (ce != CAP_OK) {
		capture_close(c);
		return ce;
	}
	if (pcap_setnonblock(c->pcap, 1, perr) < 0) {
		snprintf(err, errlen, "cannot make capture on '%s' non-blocking: %s", o->iface, perr);
		capture_close(c);
		return CAP_ERR_OTHER;
	}
	return CAP_OK;
}

int capture_join_fanout(struct capture *c, uint16_t group, char *err, size_t errlen)
{
	/* the kernel's flow hash is symmetric (skb_get_hash_symmetric) */
	/* the group id in the low 16 bits, mode and flags in the high ones (the
	 * defrag flag is 0x8000: shifted as unsigned, as the kernel reads it) */
	uint32_t arg = group | (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
	if (setsockopt(pcap_fileno(c->pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0) {
		snprintf(err, errlen, "cannot share capture on '%s' between workers (PACKET_FANOUT): %s",
			 c->name, strerror(errno));
		return -1;
	}
	return 0;
}

void capture_read_rest(struct capture *c, pcap_handler cb, u_char *user)
{
	int fd = pcap_get_selectable_fd(c->pcap);
	if (fd < 0)
		return;
	for (int round = 0; round < 3; round++) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 150) <= 0)
			break;
		int n;
		while ((n = pcap_dispatch(c->pcap, -1, cb, user)) > 0)
			;
		if (n < 0)
			break;
	}
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);
	c->pcap = NULL;
	capfile_close(c->file);
	c->file = NULL;
	free_filters(c);
}

struct input {
	char *path;
	int64_t first_sec;
	uint32_t first_usec;
};

static int input_cmp(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	if (x->first_sec != y->first_sec)
		return x->first_sec < y->first_sec ? -1 : 1;
	if (x->first_usec != y->first_usec)
		return x->first_usec < y->first_usec ? -1 : 1;
	return strcmp(x->path, y->path);
}

int capture_reread_fd(const struct capture *c)
{
	return c->file ? capstream_reread_fd(capfile_stream(c->file)) : -1;
}

bool capture_path_rereadable(const char *path)
{
	/* a FIFO or a device must not be opened: its bytes would be read
	 * away from the capture's own reader */
	struct stat sb;
	if (!strcmp(path, "-") || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return false;
	/* its first four bytes: a pcap or pcapng magic, not a compressor's
	 * (only those, not a whole read buffer: -r DIR may name thousands) */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t m[4];
	bool got = fd >= 0 && read(fd, m, sizeof(m)) == (ssize_t)sizeof(m);
	if (fd >= 0)
		close(fd);
	return got && capfile_magic(m);
}

/* Time of the first packet; false if the file is not a readable capture. */
static bool first_packet_time(const char *path, int64_t *sec, uint32_t *usec)
{
	struct capstream *s = capstream_open(path, NULL);
	if (!s)
		return false;
	struct capfile *f;
	char why[512];
	if (capfile_open(&f, s, why, sizeof(why)) != CAPFILE_OPEN_OK)
		return false;
	struct capfile_packet p;
	int rc = capfile_next(f, &p);
	*sec = rc == CAPFILE_PACKET ? p.sec : INT64_MAX;
	*usec = rc == CAPFILE_PACKET ? p.usec : 0;
	capfile_close(f);
	return true;
}

static int add_path(char ***paths, int *n, int *cap, const char *p)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 16;
		char **np = realloc(*paths, (size_t)nc * sizeof(char *));
		if (!np)
			return -1;
		*paths = np;
		*cap = nc;
	}
	(*paths)[*n] = strdup(p);
	if (!(*paths)[*n])
		return -1;
	(*n)++;
	return 0;
}

static int expand_dir(const char *dir, char ***paths, int *n, int *cap, uint32_t *skipped,
		      char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	struct input *in = NULL;
	size_t nin = 0, capin = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		size_t need = strlen(dir) + strlen(de->d_name) + 2;
		char *full = malloc(need);
		if (!full) {
			rc = -1;
			break;
		}
		snprintf(full, need, "%s/%s", dir, de->d_name);
		struct stat sb;
		if (stat(full, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			free(full);
			continue;
		}
		int64_t s;
		uint32_t us;
		if (!first_packet_time(full, &s, &us)) {
			log_warn("skipping '%s' in '%s': not a pcap or pcapng capture", de->d_name, dir);
			(*skipped)++;
			free(full);
			continue;
		}
		if (nin == capin) {
			capin = capin ? capin * 2 : 16;
			struct input *ni = realloc(in, capin * sizeof(*in));
			if (!ni) {
				free(full);
				rc = -1;
				break;
			}
			in = ni;
		}
		in[nin++] = (struct input){ full, s, us };
	}
	closedir(d);
	if (rc == 0) {
		if (nin == 0)
			log_warn("directory '%s' holds no capture files", dir);
		qsort(in, nin, sizeof(*in), input_cmp);
		for (size_t i = 0; i < nin && rc == 0; i++)
			rc = add_path(paths, n, cap, in[i].path);
	}
	if (rc < 0)
		snprintf(err, errlen, "out of memory listing '%s'", dir);
	for (size_t i = 0; i < nin; i++)
		free(in[i].path);
	free(in);
	return rc;
}

int capture_expand_inputs(const char *const *args, int nargs, char ***paths, int *npaths,
			  uint32_t *skipped, char *err, size_t errlen)
{
	char **out = NULL;
	int n = 0, cap = 0;
	for (int i = 0; i < nargs; i++) {
		struct stat sb;
		int rc;
		if (stat(args[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = expand_dir(args[i], &out, &n, &cap, skipped, err, errlen);
		else
			rc = add_path(&out, &n, &cap, args[i]); /* errors reported on open */
		if (rc < 0) {
			if (!err[0])
				snprintf(err, errlen, "out of memory");
			capture_free_inputs(out, n);
			return -1;
		}
	}
	*paths = out;
	*npaths = n;
	return 0;
}

void capture_free_inputs(char **paths, int npaths)
{
	for (int i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
}
