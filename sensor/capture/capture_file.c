/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/capture/capture_file.h"

#include <inttypes.h>
#include <limits.h>
#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u
#define PCAPNG_BOM 0x1a2b3c4du

#define BT_SHB 0x0a0d0d0au
#define BT_IDB 1u
#define BT_PB 2u    /* obsolete Packet Block */
#define BT_SPB 3u
#define BT_EPB 6u

#define MAXIMUM_SNAPLEN 262144u
#define SHB_MAX (1024u * 1024)           /* libpcap's BT_SHB_INSANE_MAX */
#define INITIAL_MAX_BLOCK (16u * 1024 * 1024)

#ifndef DLT_DBUS
#define DLT_DBUS 231
#endif
#ifndef DLT_EBHSCR
#define DLT_EBHSCR 279
#endif
#ifndef DLT_USBPCAP
#define DLT_USBPCAP 249
#endif

enum scale { PASS_THROUGH, SCALE_UP_DEC, SCALE_DOWN_DEC, SCALE_BIN };

struct iface {
	int dlt;
	uint32_t snaplen;      /* adjusted as libpcap does */
	uint64_t tsresol;      /* units per second */
	uint64_t tsoffset;     /* seconds added */
	uint64_t scale_factor;
	enum scale scale;
	bool seen;
};

struct capfile {
	struct capstream *s;
	enum capfile_format fmt;
	bool be;               /* fields are big-endian (pcap file, pcapng section) */
	/* classic pcap */
	int dlt;
	uint32_t snapshot;
	size_t hdrsize;
	bool nsec;
	int lengths_swapped;   /* 0 no, 1 yes, 2 maybe (version 2.3) */
	/* pcapng: the interfaces of the current section */
	struct iface *ifs;
	size_t nif, capif;
	uint32_t max_block;
	uint64_t packets;
	uint64_t err_off;
	char err[320];
};

static uint16_t rd16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd64(const uint8_t *p, bool be)
{
	return be ? (uint64_t)rd32(p, true) << 32 | rd32(p + 4, true)
		  : (uint64_t)rd32(p + 4, false) << 32 | rd32(p, false);
}

int capfile_linktype_to_dlt(uint32_t linktype)
{
	/* LINKTYPE_ values that are not the DLT_ value (libpcap's linktype_to_dlt) */
	switch (linktype) {
	case 100: return DLT_ATM_RFC1483;
	case 101: return DLT_RAW;
	case 102: return DLT_SLIP_BSDOS;
	case 103: return DLT_PPP_BSDOS;
	case 106: return DLT_ATM_CLIP;
#ifdef DLT_PFSYNC
	case 246: return DLT_PFSYNC;
#endif
#ifdef DLT_PKTAP
	case 258: return DLT_PKTAP;
#endif
	default: return (int)(linktype & INT_MAX);
	}
}

static uint32_t max_snaplen_for_dlt(int dlt)
{
	switch (dlt) {
	case DLT_DBUS: return 128u * 1024 * 1024;
	case DLT_EBHSCR: return 8u * 1024 * 1024;
	case DLT_USBPCAP: return 1024u * 1024;
	default: return MAXIMUM_SNAPLEN;
	}
}

static uint32_t adjust_snapshot(int dlt, uint32_t snaplen)
{
	return snaplen == 0 || snaplen > INT_MAX ? max_snaplen_for_dlt(dlt) : snaplen;
}

static int fail(struct capfile *f, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct capfile *f, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	f->err_off = off;
	return CAPFILE_DAMAGED;
}

/*
 * A peek that came up short: the end of the bytes (what was cut is said by
 * the caller's words), a stream error, or an interruption.
 */
static int short_read(struct capfile *f, uint64_t off, size_t got, const char *what)
{
	struct capstream *s = f->s;
	const char *codec = capstream_codec_name(capstream_codec(s));
	switch (capstream_state(s)) {
	case CS_INTERRUPTED:
		snprintf(f->err, sizeof(f->err), "interrupted");
		return CAPFILE_STOPPED;
	case CS_TRUNCATED:
		return fail(f, off,
			    "the %s stream is truncated: it ends after %" PRIu64
			    " compressed bytes, inside %s",
			    codec, capstream_raw_offset(s), what);
	case CS_CORRUPT:
		return fail(f, off,
			    "the %s data is corrupt (%s), %" PRIu64
			    " compressed bytes in, inside %s",
			    codec, capstream_error(s), capstream_raw_offset(s), what);
	case CS_IO_ERROR:
		return fail(f, off, "read error inside %s: %s", what, capstream_error(s));
	default:
		return fail(f, off, "the capture is truncated: it ends %zu bytes into %s", got, what);
	}
}

/* ---- classic pcap ---- */

static enum capfile_open_result open_pcap(struct capfile *f, const uint8_t *h, char *err,
					  size_t errlen)
{
	uint32_t magic = rd32(h, false);
	f->be = magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC && magic != PCAP_MAGIC_KUZNETZOV;
	magic = rd32(h, f->be);
	uint16_t vmaj = rd16(h + 4, f->be), vmin = rd16(h + 6, f->be);
	uint32_t snaplen = rd32(h + 16, f->be), linktype = rd32(h + 20, f->be);
	if (vmaj < 2) {
		snprintf(err, errlen, "archaic pcap savefile format");
		return CAPFILE_OPEN_DAMAGED;
	}
	if (!((vmaj == 2 && vmin <= 4) || (vmaj == 543 && vmin == 0))) {
		snprintf(err, errlen, "unsupported pcap savefile version %u.%u", vmaj, vmin);
		return CAPFILE_OPEN_DAMAGED;
	}
	f->fmt = CAPFILE_PCAP;
	f->nsec = magic == PCAP_MAGIC_NSEC;
	f->dlt = capfile_linktype_to_dlt(linktype & 0x03ffffff);
	f->snapshot = adjust_snapshot(f->dlt, snaplen);
	f->hdrsize = 16;
	if (magic == PCAP_MAGIC_KUZNETZOV) {
		f->hdrsize = 24; /* + ifindex, protocol, pkt_type */
		if (f->dlt == DLT_EN10MB)
			f->snapshot = f->snapshot <= INT_MAX - 14 ? f->snapshot + 14 : INT_MAX;
	}
	/* caplen and len were interchanged at version 2.3 (libpcap) */
	f->lengths_swapped = vmaj == 543 || (vmaj == 2 && vmin < 3) ? 1 : vmaj == 2 && vmin == 3 ? 2 : 0;
	capstream_consume(f->s, 24);
	return CAPFILE_OPEN_OK;
}

static int next_pcap(struct capfile *f, struct capfile_packet *p)
{
	const uint8_t *b;
	uint64_t off = capstream_offset(f->s);
	uint64_t n = f->packets + 1;
	char what[96];
	size_t got = capstream_peek(f->s, f->hdrsize, &b);
	if (got < f->hdrsize) {
		if (got == 0 && capstream_state(f->s) == CS_EOF)
			return CAPFILE_END;
		if (got == 0)
			snprintf(what, sizeof(what), "the bytes after packet %" PRIu64, n - 1);
		else
			snprintf(what, sizeof(what), "the %zu-byte header of packet %" PRIu64, f->hdrsize,
				 n);
		return short_read(f, off, got, what);
	}
	int32_t sec = (int32_t)rd32(b, f->be);
	long usec = (int32_t)rd32(b + 4, f->be);
	uint32_t caplen = rd32(b + 8, f->be), len = rd32(b + 12, f->be);
	if (f->nsec)
		usec /= 1000;
	if (f->lengths_swapped == 1 || (f->lengths_swapped == 2 && caplen > len)) {
		uint32_t t = caplen;
		caplen = len;
		len = t;
	}
	uint32_t max = max_snaplen_for_dlt(f->dlt);
	if (caplen > max) {
		if (caplen > f->snapshot)
			return fail(f, off, "invalid packet capture length %u, bigger than snaplen of %u",
				    caplen, f->snapshot);
		return fail(f, off, "invalid packet capture length %u, bigger than maximum of %u",
			    caplen, max);
	}
	/* more than the file's snaplen: keep the first snaplen bytes (libpcap) */
	uint32_t keep = caplen > f->snapshot ? f->snapshot : caplen;
	size_t rec = f->hdrsize + caplen;
	got = capstream_peek(f->s, rec, &b);
	if (got < rec) {
		snprintf(what, sizeof(what), "packet %" PRIu64 " (%u captured bytes)", n, caplen);
		return short_read(f, off, got > f->hdrsize ? got - f->hdrsize : 0, what);
	}
	p->sec = sec;
	p->usec = (uint32_t)usec;
	p->caplen = keep;
	p->wirelen = len;
	p->data = b + f->hdrsize;
	p->at = off + f->hdrsize;
	p->dlt = f->dlt;
	p->iface = 0;
	p->new_iface = f->packets == 0;
	capstream_consume(f->s, rec);
	f->packets++;
	return CAPFILE_PACKET;
}

/* ---- pcapng ---- */

/* A whole block at *blk (not consumed): CAPFILE_PACKET, END, DAMAGED or STOPPED. */
static int read_block(struct capfile *f, const uint8_t **blk, uint32_t *type, uint32_t *total,
		      bool *be)
{
	uint64_t off = capstream_offset(f->s);
	const uint8_t *b;
	size_t got = capstream_peek(f->s, 12, &b);
	if (got < 8) {
		if (got == 0 && capstream_state(f->s) == CS_EOF)
			return CAPFILE_END;
		return short_read(f, off, got, got ? "a block header" : "the bytes after the last block");
	}
	*be = f->be;
	*type = rd32(b, *be);
	if (rd32(b, false) == BT_SHB) { /* a new section: its own byte order */
		*type = BT_SHB;
		if (got < 12)
			return short_read(f, off, got, "a section header");
		uint32_t bom = rd32(b + 8, false);
		if (bom != PCAPNG_BOM && rd32(b + 8, true) != PCAPNG_BOM)
			return fail(f, off, "a section header has a bad byte-order magic");
		*be = bom != PCAPNG_BOM;
	}
	*total = rd32(b + 4, *be);
	if (*total < 12)
		return fail(f, off, "block of type %u has a length of %u < 12", *type, *total);
	if (*total % 4)
		return fail(f, off, "block of type %u has a length of %u, not a multiple of 4", *type,
			    *total);
	uint32_t max = *type == BT_SHB ? SHB_MAX : f->max_block;
	if (*total > max)
		return fail(f, off, "block of type %u has a length of %u, more than the maximum %u",
			    *type, *total, max);
	got = capstream_peek(f->s, *total, &b);
	if (got < *total) {
		char what[80];
		snprintf(what, sizeof(what), "a block of type %u and %u bytes", *type, *total);
		return short_read(f, off, got, what);
	}
	if (rd32(b + *total - 4, *be) != *total)
		return fail(f, off, "block of type %u: lengths in header (%u) and trailer (%u) differ",
			    *type, *total, rd32(b + *total - 4, *be));
	*blk = b;
	return CAPFILE_PACKET;
}

/* A section header block (already bounded): byte order and version. */
static int start_section(struct capfile *f, const uint8_t *b, uint32_t total, bool be,
			 uint64_t off, bool first)
{
	if (total < 28)
		return fail(f, off, "section header block of %u bytes is too short", total);
	uint16_t vmaj = rd16(b + 12, be), vmin = rd16(b + 14, be);
	if (vmaj != 1 || (first && vmin != 0 && vmin != 2))
		return fail(f, off, "unsupported pcapng savefile version %u.%u", vmaj, vmin);
	f->be = be;
	f->nif = 0; /* a section describes its own interfaces */
	return CAPFILE_PACKET;
}

static int add_iface(struct capfile *f, const uint8_t *b, uint32_t total, uint64_t off)
{
	const uint8_t *o = b + 16, *end = b + total - 4;
	if (o > end)
		return fail(f, off, "interface description block of %u bytes is too short", total);
	struct iface ifc = { 0 };
	ifc.dlt = capfile_linktype_to_dlt(rd16(b + 8, f->be));
	ifc.snaplen = adjust_snapshot(ifc.dlt, rd32(b + 12, f->be));
	ifc.tsresol = 1000000;
	bool binary = false, saw_res = false, saw_off = false;
	while (o < end) {
		if (end - o < 4)
			return fail(f, off, "interface description block: option header cut short");
		uint16_t code = rd16(o, f->be), len = rd16(o + 2, f->be);
		size_t padded = ((size_t)len + 3) / 4 * 4;
		if ((size_t)(end - o - 4) < padded)
			return fail(f, off, "interface description block: option %u of %u bytes overruns the block",
				    code, len);
		const uint8_t *v = o + 4;
		o += 4 + padded;
		if (code == 0) {
			if (len != 0)
				return fail(f, off, "interface description block: opt_endofopt of length %u",
					    len);
			break;
		}
		if (code == 9) { /* if_tsresol */
			if (len != 1 || saw_res)
				return fail(f, off, "interface description block: bad if_tsresol option");
			saw_res = true;
			uint8_t r = v[0];
			if (r & 0x80) {
				if ((r & 0x7f) > 63)
					return fail(f, off, "if_tsresol 2^-%u is too fine", r & 0x7f);
				binary = true;
				ifc.tsresol = (uint64_t)1 << (r & 0x7f);
			} else {
				if (r > 19)
					return fail(f, off, "if_tsresol 10^-%u is too fine", r);
				ifc.tsresol = 1;
				for (unsigned i = 0; i < r; i++)
					ifc.tsresol *= 10;
			}
		} else if (code == 14) { /* if_tsoffset */
			if (len != 8 || saw_off)
				return fail(f, off, "interface description block: bad if_tsoffset option");
			saw_off = true;
			ifc.tsoffset = rd64(v, f->be);
		}
	}
	/* libpcap's scaling of the fraction to microseconds */
	const uint64_t user = 1000000;
	if (ifc.tsresol == user) {
		ifc.scale = PASS_THROUGH;
	} else if (binary) {
		ifc.scale = SCALE_BIN;
	} else if (ifc.tsresol > user) {
		ifc.scale = SCALE_DOWN_DEC;
		ifc.scale_factor = ifc.tsresol / user;
	} else {
		ifc.scale = SCALE_UP_DEC;
		ifc.scale_factor = user / ifc.tsresol;
	}
	if (f->nif == f->capif) {
		if (f->capif >= 1u << 20)
			return fail(f, off, "more than %zu interfaces in a section", f->capif);
		size_t nc = f->capif ? f->capif * 2 : 4;
		struct iface *ni = realloc(f->ifs, nc * sizeof(*ni));
		if (!ni)
			return fail(f, off, "out of memory for interface %zu", f->nif);
		f->ifs = ni;
		f->capif = nc;
	}
	f->ifs[f->nif++] = ifc;
	uint64_t need = 8 + 20 + (uint64_t)max_snaplen_for_dlt(ifc.dlt) + 131072 + 4;
	if (need > f->max_block)
		f->max_block = (uint32_t)need;
	return CAPFILE_PACKET;
}

static bool is_packet_block(uint32_t type)
{
	return type == BT_EPB || type == BT_SPB || type == BT_PB;
}

static int next_pcapng(struct capfile *f, struct capfile_packet *p)
{
	uint64_t off;
	const uint8_t *b;
	uint32_t type, total;
	bool be;
	for (;;) {
		off = capstream_offset(f->s);
		int rc = read_block(f, &b, &type, &total, &be);
		if (rc != CAPFILE_PACKET)
			return rc;
		if (is_packet_block(type))
			break;
		if (type == BT_SHB)
			rc = start_section(f, b, total, be, off, false);
		else if (type == BT_IDB)
			rc = add_iface(f, b, total, off);
		if (rc != CAPFILE_PACKET)
			return rc;
		capstream_consume(f->s, total); /* NRB, ISB, DSB, custom...: skipped */
	}
	uint64_t n = f->packets + 1;
	uint32_t body = total - 12, fixed = type == BT_SPB ? 4 : 20;
	if (body < fixed)
		return fail(f, off, "packet %" PRIu64 ": block of type %u is too short", n, type);
	uint32_t iface, caplen, len;
	uint64_t t = 0;
	if (type == BT_SPB) {
		iface = 0;
		len = rd32(b + 8, be);
		caplen = len;
		if (f->nif > 0 && caplen > f->ifs[0].snaplen)
			caplen = f->ifs[0].snaplen;
	} else {
		iface = type == BT_EPB ? rd32(b + 8, be) : rd16(b + 8, be);
		t = (uint64_t)rd32(b + 12, be) << 32 | rd32(b + 16, be);
		caplen = rd32(b + 20, be);
		len = rd32(b + 24, be);
	}
	if (iface >= f->nif)
		return fail(f, off,
			    "packet %" PRIu64 " arrived on interface %u, but the section describes %zu",
			    n, iface, f->nif);
	struct iface *ifc = &f->ifs[iface];
	if (caplen > ifc->snaplen)
		return fail(f, off,
			    "packet %" PRIu64 ": invalid capture length %u, bigger than snaplen of %u", n,
			    caplen, ifc->snaplen);
	if (caplen > body - fixed)
		return fail(f, off, "packet %" PRIu64 ": capture length %u overruns its %u-byte block", n,
			    caplen, total);
	uint64_t sec = t / ifc->tsresol + ifc->tsoffset, frac = t % ifc->tsresol;
	switch (ifc->scale) {
	case SCALE_UP_DEC: frac *= ifc->scale_factor; break;
	case SCALE_DOWN_DEC: frac /= ifc->scale_factor; break;
	case SCALE_BIN: frac = frac * 1000000u / ifc->tsresol; break; /* libpcap's, overflow included */
	default: break;
	}
	p->sec = (int64_t)sec;
	p->usec = (uint32_t)frac;
	p->caplen = caplen;
	p->wirelen = len;
	p->data = b + 8 + fixed;
	p->at = off + 8 + fixed;
	p->dlt = ifc->dlt;
	p->iface = iface;
	p->new_iface = !ifc->seen;
	ifc->seen = true;
	capstream_consume(f->s, total);
	f->packets++;
	return CAPFILE_PACKET;
}

/* The section header, the first interface, and every interface described
 * before the first packet. */
static enum capfile_open_result open_pcapng(struct capfile *f, char *err, size_t errlen)
{
	const uint8_t *b;
	uint32_t type, total;
	bool be;
	f->fmt = CAPFILE_PCAPNG;
	f->max_block = INITIAL_MAX_BLOCK;
	int rc = read_block(f, &b, &type, &total, &be);
	if (rc == CAPFILE_PACKET)
		rc = start_section(f, b, total, be, 0, true);
	if (rc != CAPFILE_PACKET)
		goto damaged;
	capstream_consume(f->s, total);
	for (;;) {
		uint64_t off = capstream_offset(f->s);
		rc = read_block(f, &b, &type, &total, &be);
		if (rc == CAPFILE_END && f->nif == 0)
			rc = fail(f, off, "the capture has no interface description block");
		if (rc != CAPFILE_PACKET)
			break;
		if (is_packet_block(type) || type == BT_SHB) {
			if (f->nif == 0)
				rc = fail(f, off, "the capture has a packet before any interface description block");
			break;
		}
		if (type == BT_IDB)
			rc = add_iface(f, b, total, off);
		if (rc != CAPFILE_PACKET)
			break;
		capstream_consume(f->s, total);
	}
	if (f->nif > 0)
		return CAPFILE_OPEN_OK; /* a later error is met again by capfile_next */
damaged:
	if (rc == CAPFILE_STOPPED)
		snprintf(err, errlen, "interrupted");
	else
		snprintf(err, errlen, "%s", f->err);
	return CAPFILE_OPEN_DAMAGED;
}

/* A classic pcap magic, in either byte order. */
static bool pcap_magic(const uint8_t b[4])
{
	for (int be = 0; be < 2; be++) {
		uint32_t m = rd32(b, be);
		if (m == PCAP_MAGIC_USEC || m == PCAP_MAGIC_NSEC || m == PCAP_MAGIC_KUZNETZOV)
			return true;
	}
	return false;
}

bool capfile_magic(const uint8_t b[4])
{
	return pcap_magic(b) || rd32(b, false) == BT_SHB;
}

enum capfile_open_result capfile_open(struct capfile **out, struct capstream *s, char *err,
				      size_t errlen)
{
	*out = NULL;
	struct capfile *f = calloc(1, sizeof(*f));
	if (!f) {
		capstream_close(s);
		snprintf(err, errlen, "out of memory");
		return CAPFILE_OPEN_DAMAGED;
	}
	f->s = s;
	const uint8_t *b;
	size_t got = capstream_peek(s, 24, &b);
	enum capfile_open_result r;
	uint32_t m = got >= 4 ? rd32(b, false) : 0;
	bool pcap = got >= 4 && pcap_magic(b);
	if (got == 0 && capstream_state(s) == CS_EOF) {
		snprintf(err, errlen, "no bytes");
		r = CAPFILE_OPEN_EMPTY;
	} else if (got < 24 && capstream_state(s) != CS_EOF) {
		short_read(f, 0, got, "the file header");
		snprintf(err, errlen, "%s", f->err);
		r = CAPFILE_OPEN_DAMAGED;
	} else if (pcap && got < 24) {
		snprintf(err, errlen, "truncated pcap file header: %zu of its 24 bytes", got);
		r = CAPFILE_OPEN_DAMAGED;
	} else if (pcap) {
		r = open_pcap(f, b, err, errlen);
	} else if (m == BT_SHB && got >= 12 &&
		   (rd32(b + 8, false) == PCAPNG_BOM || rd32(b + 8, true) == PCAPNG_BOM)) {
		r = open_pcapng(f, err, errlen);
	} else {
		char hex[3 * 4 + 1] = "";
		for (size_t i = 0, k = 0; i < got && i < 4; i++)
			k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%s%02x", i ? " " : "", b[i]);
		snprintf(err, errlen, "it starts with bytes %s, which no pcap or pcapng file does", hex);
		r = CAPFILE_OPEN_NOT_CAPTURE;
	}
	if (r != CAPFILE_OPEN_OK) {
		capfile_close(f);
		return r;
	}
	*out = f;
	return r;
}

int capfile_next(struct capfile *f, struct capfile_packet *p)
{
	return f->fmt == CAPFILE_PCAP ? next_pcap(f, p) : next_pcapng(f, p);
}

void capfile_close(struct capfile *f)
{
	if (!f)
		return;
	capstream_close(f->s);
	free(f->ifs);
	free(f);
}

enum capfile_format capfile_format(const struct capfile *f)
{
	return f->fmt;
}

const char *capfile_error(const struct capfile *f)
{
	return f->err;
}

uint64_t capfile_error_offset(const struct capfile *f)
{
	return f->err_off;
}

uint64_t capfile_packets(const struct capfile *f)
{
	return f->packets;
}

struct capstream *capfile_stream(const struct capfile *f)
{
	return f->s;
}

size_t capfile_ifaces(const struct capfile *f)
{
	return f->fmt == CAPFILE_PCAP ? 1 : f->nif;
}

int capfile_iface_dlt(const struct capfile *f, size_t i)
{
	if (f->fmt == CAPFILE_PCAP)
		return f->dlt;
	return i < f->nif ? f->ifs[i].dlt : -1;
}
