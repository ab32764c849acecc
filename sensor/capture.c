/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/capture.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sensor/decode.h"
#include "sensor/log.h"
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

enum capture_error capture_open_file(struct capture *c, const char *path, const char *bpf,
				     char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->name = path;
	struct stat sb;
	if (stat(path, &sb) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot read capture '%s': %s", path, strerror(e));
		return errno_class(e);
	}
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "'%s' is a directory, not a capture file", path);
		return CAP_ERR_NOT_CAPTURE;
	}
	/* open it ourselves first so permission problems are told as such */
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		int e = errno;
		snprintf(err, errlen, "cannot read capture '%s': %s", path, strerror(e));
		return errno_class(e);
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	c->pcap = pcap_fopen_offline(fp, perr);
	if (!c->pcap) {
		fclose(fp);
		if (sb.st_size == 0)
			snprintf(err, errlen, "'%s' is empty, not a pcap or pcapng capture", path);
		else
			snprintf(err, errlen, "'%s' is not a pcap or pcapng capture (libpcap: %s)", path, perr);
		return CAP_ERR_NOT_CAPTURE;
	}
	c->dlt = pcap_datalink(c->pcap);
	if (!decode_link_supported(c->dlt)) {
		snprintf(err, errlen, "'%s' has link type %s (%d), which carries no IP fabmon can decode",
			 path, capture_dlt_name(c->dlt), c->dlt);
		capture_close(c);
		return CAP_ERR_NOT_CAPTURE;
	}
	enum capture_error ce = set_filter(c, bpf, err, errlen);
	if (ce != CAP_OK)
		capture_close(c);
	return ce;
}

enum capture_error capture_open_live(struct capture *c, const struct options *o, char *err,
				     size_t errlen, char *warn, size_t warnlen)
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
	 * 100 ms timeout. Immediate mode means TPACKET_V2, one ring frame per
	 * packet sized for the snaplen: with 256 KiB frames a 64 MiB buffer held
	 * 256 packets and a burst overflowed it (live rate test: zero loss up to
	 * 50,000 packets/s with V2, at tcpreplay's top speed with V3).
	 * setters only fail on an activated handle; checked for form's sake */
	if (pcap_set_snaplen(c->pcap, o->snaplen) != 0 ||
	    pcap_set_promisc(c->pcap, o->promisc ? 1 : 0) != 0 ||
	    pcap_set_immediate_mode(c->pcap, 0) != 0 ||
	    pcap_set_buffer_size(c->pcap, o->buffer_mib * 1024 * 1024) != 0 ||
	    pcap_set_timeout(c->pcap, 100) != 0) {
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

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);
	c->pcap = NULL;
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

/* Time of the first packet; false if the file is not a readable capture. */
static bool first_packet_time(const char *path, int64_t *sec, uint32_t *usec)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, perr);
	if (!p)
		return false;
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(p, &h, &d);
	*sec = rc == 1 ? (int64_t)h->ts.tv_sec : INT64_MAX;
	*usec = rc == 1 ? (uint32_t)h->ts.tv_usec : 0;
	pcap_close(p);
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
