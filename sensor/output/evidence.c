/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/evidence.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "sensor/flow/flow.h"
#include "util/log.h"

/* One flow's ring: its last cfg.ring_packets packets, their bytes packed
 * one after the other in a buffer of ring_bytes() (a frame longer
 * than snap is kept cut, with its wire length). Packed, not one snap-sized
 * slot each: fab traffic is mostly small packets, and a slot per packet
 * spread each flow's recent packets over eight pages instead of one. */
struct ev_slot {
	int64_t sec;
	uint32_t usec, caplen, wirelen;
	uint16_t src;                 /* reread: the capture file it is in */
	uint64_t off;                 /* of its bytes in data; reread: in its capture file */
};

struct ev_flow {
	uint16_t n, head;             /* packets in the ring, next slot */
	uint32_t wpos;                /* where the next packet's bytes go */
	uint32_t maxroom;             /* the largest packet it has kept */
	bool empty;                   /* charged to the share of empty flows (mem_empty) */
	int dlt;
	pcap_t *dead;                 /* for the open file */
	pcap_dumper_t *dump;
	int64_t file;                 /* serial of its file in the file list, -1 none */
	uint32_t written, remaining;  /* packets in the open file, still to write */
	uint16_t nfiles;              /* files this flow has had */
	int64_t last_file;            /* serial of its latest file, -1 none */
	struct ev_slot *slot;
	uint8_t *data;
};

/* An input capture file of a reread run. At most EV_SRC_OPEN of them keep
 * a descriptor open (`-r DIR` may name thousands of files): the least
 * recently read is closed, and opened again by its path when an alert
 * needs its frames, if it is still the same file: device, inode (which a
 * new file may take over), size and modification time as when it was
 * closed. */
#define EV_SRC_OPEN 8
struct ev_src {
	char *path;                   /* NULL: not an input of this run */
	int fd;                       /* -1: closed for now */
	dev_t dev;
	ino_t ino;
	off_t size;                   /* at the last close */
	struct timespec mtime;
	uint64_t used;                /* when last read (ev->src_clock) */
	bool warned;                  /* a frame could not be read back: said */
};

struct ev_file {
	char name[128];               /* "evidence/NAME.pcap" */
	uint64_t bytes;
	bool open;
};

struct evidence {
	struct evidence_config cfg;
	char dir[4096];               /* the output directory */
	bool dir_ok;
	uint64_t mem;                 /* bytes of all rings */
	uint64_t mem_empty;           /* of which rings of flows without payload yet */
	uint64_t empty_cap;           /* their share (empty_share()) */
	uint32_t open;
	/* Reread (evidence_reread, st.read_back): the rings keep where each
	 * frame is in its capture file, not its bytes, and an alert reads them
	 * back. Reading a file, every frame was copied into its ring only to
	 * be thrown away unread by most flows: on the bench's fab capture that
	 * copy was a third of the run and half its memory. */
	struct ev_src *src;           /* reread: each input file */
	size_t nsrc;
	unsigned src_open;            /* of them with a descriptor open */
	uint64_t src_clock;
	uint8_t *rbuf;                /* reread: one frame read back (snap bytes) */
	bool warned_unreadable;
	struct ev_file *files;        /* oldest first */
	size_t nfiles, capfiles, first; /* files[first..nfiles) still on disk */
	uint64_t base;                /* serial of files[0] (entries compacted away) */
	struct evidence_stats st;
};

/* One snap more than the packets can hold: then the next packet always
 * fits after the newest or at the front, and the ring keeps its last
 * ring_packets whatever their sizes (tests/unit/test-evidence.c). */
static uint32_t ring_bytes(const struct evidence_config *c)
{
	return ((uint32_t)c->ring_packets + 1) * c->snap;
}

static size_t ring_size(const struct evidence *ev)
{
	const struct evidence_config *c = &ev->cfg;
	return sizeof(struct ev_flow) + c->ring_packets * sizeof(struct ev_slot) +
	       (ev->st.read_back ? 0 : ring_bytes(c));
}

/* A flood must not starve real alerts of evidence (issue 16 item 2). A flood
 * of SYNs from spoofed sources (or of handshakes completed from many
 * sources) is nothing but TCP flows that carry no payload, each a flow of
 * its own until it times out or is evicted: with a ring each they would hold
 * the whole memcap, and a real connection starting during the flood would
 * get none (its alerts' evidence.none "memcap"). So the rings of TCP flows
 * that have carried no payload yet (half-open flows, handshakes without
 * data) come out of a share of an eighth of --evidence-memcap-mb, and a
 * flow keeps its ring when its first payload comes (the ring is then
 * charged to the whole cap only). Flows with payload may use the whole cap,
 * so they always find at least seven eighths of it free of empty flows. An
 * empty flow that finds the share full gets no ring for now
 * (f->evidence_denied EV_DENIED_EMPTY, counted in empty_no_ring) and tries
 * again with its first packet that carries payload: during a flood a real
 * connection's evidence lacks its handshake, never its payload. A flood's own
 * alerts (a SYN to a port no conduit allows) have evidence while the share
 * lasts. A share rather than rings sized to a few packets: a ring never
 * moves or grows, and the share bounds the flood whatever the ring size. */
#define EV_DENIED 1                   /* no ring: the cap was reached */
#define EV_DENIED_EMPTY 2             /* no ring yet: the share of empty flows was full */

static uint64_t empty_share(const struct evidence_config *c)
{
	return c->memcap / 8;
}

/* Has f, this frame included, carried no TCP payload yet? */
static bool empty_so_far(const struct flow *f, bool payload)
{
	if (f->key.proto != 6 || payload)
		return false;
	for (int d = 0; d < 2; d++)
		if (f->tcp[d].bytes || f->tcp[d].gap_bytes || f->tcp[d].ooo_bytes)
			return false;
	return true;
}

static int mtime_cmp(const void *x, const void *y)
{
	const struct ev_file *a = x, *b = y;
	/* name starts with the UTC time: orders as time */
	return strcmp(a->name, b->name);
}

/* The entry of a file by its serial, NULL once it was rotated out. */
static struct ev_file *file_at(const struct evidence *ev, int64_t serial)
{
	if (serial < 0 || (uint64_t)serial < ev->base + ev->first || (uint64_t)serial >= ev->base + ev->nfiles)
		return NULL;
	return &ev->files[(uint64_t)serial - ev->base];
}

/* Returns the new file's serial, or -1. */
static int64_t add_file(struct evidence *ev, const char *name, uint64_t bytes, bool open)
{
	if (ev->nfiles == ev->capfiles) {
		/* drop the deleted head before growing */
		if (ev->first) {
			memmove(ev->files, ev->files + ev->first,
				(ev->nfiles - ev->first) * sizeof(*ev->files));
			ev->nfiles -= ev->first;
			ev->base += ev->first;
			ev->first = 0;
		}
		if (ev->nfiles == ev->capfiles) {
			size_t nc = ev->capfiles ? ev->capfiles * 2 : 64;
			struct ev_file *nf = realloc(ev->files, nc * sizeof(*nf));
			if (!nf)
				return -1;
			ev->files = nf;
			ev->capfiles = nc;
		}
	}
	struct ev_file *f = &ev->files[ev->nfiles];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->bytes = bytes;
	f->open = open;
	ev->st.bytes += bytes;
	return (int64_t)(ev->base + ev->nfiles++);
}

/* Delete the oldest closed files until the directory is under its cap. */
static void rotate(struct evidence *ev)
{
	while (ev->st.bytes > ev->cfg.max_bytes && ev->first < ev->nfiles) {
		struct ev_file *f = &ev->files[ev->first];
		if (f->open)
			break; /* being written: the cap holds again once it closes */
		char path[4300];
		snprintf(path, sizeof(path), "%s/%s", ev->dir, f->name);
		if (unlink(path) < 0 && errno != ENOENT)
			log_warn("cannot delete old evidence '%s': %s", path, strerror(errno));
		ev->st.bytes -= f->bytes;
		ev->st.rotated++;
		ev->st.rotated_bytes += f->bytes;
		ev->first++;
	}
}

/* Evidence of earlier runs counts toward the cap and is rotated first. */
static void scan_existing(struct evidence *ev)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/evidence", ev->dir);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".pcap") != 0 || l > 100)
			continue;
		char fp[4400];
		struct stat sb;
		snprintf(fp, sizeof(fp), "%s/%s", path, de->d_name);
		if (stat(fp, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		char name[128];
		snprintf(name, sizeof(name), "evidence/%s", de->d_name);
		add_file(ev, name, (uint64_t)sb.st_size, false);
	}
	closedir(d);
	if (ev->nfiles)
		qsort(ev->files, ev->nfiles, sizeof(*ev->files), mtime_cmp);
}

struct evidence *evidence_create(const struct evidence_config *cfg, const char *dir)
{
	struct evidence *ev = calloc(1, sizeof(*ev));
	if (!ev)
		return NULL;
	ev->cfg = *cfg;
	if (ev->cfg.snap < 64)
		ev->cfg.snap = 64;
	ev->empty_cap = empty_share(&ev->cfg);
	if (dir && ev->cfg.ring_packets) {
		snprintf(ev->dir, sizeof(ev->dir), "%s", dir);
		char path[4200];
		snprintf(path, sizeof(path), "%s/evidence", dir);
		if (mkdir(path, 0750) < 0 && errno != EEXIST)
			log_error("cannot create '%s': %s; alerts will have no evidence", path,
				  strerror(errno));
		else
			ev->dir_ok = true;
		scan_existing(ev);
		rotate(ev);
	}
	return ev;
}

static void close_file(struct evidence *ev, struct ev_flow *ef)
{
	if (!ef->dump)
		return;
	int64_t pos = pcap_dump_ftell64(ef->dump);
	if (pcap_dump_flush(ef->dump) < 0)
		ev->st.write_errors++;
	pcap_dump_close(ef->dump);
	pcap_close(ef->dead);
	ef->dump = NULL;
	ef->dead = NULL;
	ev->open--;
	struct ev_file *f = file_at(ev, ef->file);
	if (f) {
		f->open = false;
		if (pos > 0) {
			ev->st.bytes -= f->bytes;
			f->bytes = (uint64_t)pos;
			ev->st.bytes += f->bytes;
		}
	}
	ef->file = -1;
	rotate(ev);
}

void evidence_destroy(struct evidence *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->nsrc; i++) {
		if (ev->src[i].fd >= 0)
			close(ev->src[i].fd);
		free(ev->src[i].path);
	}
	free(ev->src);
	free(ev->rbuf);
	free(ev->files);
	free(ev);
}

static void write_one(struct evidence *ev, struct ev_flow *ef, const struct ev_slot *s,
		      const uint8_t *data)
{
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)s->sec;
	h.ts.tv_usec = (suseconds_t)s->usec;
	h.caplen = s->caplen;
	h.len = s->wirelen;
	pcap_dump((u_char *)ef->dump, &h, data);
	ef->written++;
	ev->st.packets++;
	struct ev_file *f = file_at(ev, ef->file);
	if (f) {
		f->bytes += 16 + s->caplen;
		ev->st.bytes += 16 + s->caplen;
	}
}

/* Close the descriptors read longest ago but keep's, down to EV_SRC_OPEN. */
static void src_trim(struct evidence *ev, size_t keep)
{
	while (ev->src_open > EV_SRC_OPEN) {
		size_t old = SIZE_MAX;
		for (size_t i = 0; i < ev->nsrc; i++)
			if (i != keep && ev->src[i].fd >= 0 &&
			    (old == SIZE_MAX || ev->src[i].used < ev->src[old].used))
				old = i;
		if (old == SIZE_MAX)
			return;
		struct stat sb;
		if (fstat(ev->src[old].fd, &sb) == 0) {
			ev->src[old].size = sb.st_size;
			ev->src[old].mtime = sb.st_mtim;
		}
		close(ev->src[old].fd);
		ev->src[old].fd = -1;
		ev->src_open--;
	}
}

/* Input i's descriptor, opened again by its path if it was closed; -1 and
 * *why when that fails or the path now names another file. */
static int src_fd(struct evidence *ev, size_t i, const char **why)
{
	struct ev_src *c = &ev->src[i];
	c->used = ++ev->src_clock;
	if (c->fd >= 0)
		return c->fd;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		*why = strerror(errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (sb.st_dev != c->dev || sb.st_ino != c->ino || sb.st_size != c->size ||
	    sb.st_mtim.tv_sec != c->mtime.tv_sec || sb.st_mtim.tv_nsec != c->mtime.tv_nsec) {
		*why = "the file changed, or the path now names another file, since it was read";
		close(fd);
		return -1;
	}
	c->fd = fd;
	ev->src_open++;
	src_trim(ev, i);
	return fd;
}

/* A kept frame's bytes: in its ring, or read back from its capture file
 * (NULL when that read fails: the file was cut or changed while fabmon
 * read it; counted each time, told once for each file). */
static const uint8_t *slot_bytes(struct evidence *ev, const struct ev_flow *ef,
				 const struct ev_slot *s)
{
	if (!ev->st.read_back)
		return ef->data + s->off;
	const char *why = NULL;
	int fd = src_fd(ev, s->src, &why);
	ssize_t got = fd < 0 ? -1 : pread(fd, ev->rbuf, s->caplen, (off_t)s->off);
	if (got == (ssize_t)s->caplen)
		return ev->rbuf;
	if (!why)
		why = got < 0 ? strerror(errno) : "the file is shorter than when it was read";
	ev->st.write_errors++;
	if (!ev->src[s->src].warned)
		log_error("evidence: cannot read back %u bytes at offset %" PRIu64 " of '%s': %s; "
			  "its packets are left out of evidence pcaps (stats.evidence.write_errors)",
			  s->caplen, s->off, ev->src[s->src].path, why);
	ev->src[s->src].warned = true;
	return NULL;
}

/* Where the next packet's room bytes go, the oldest packets in the way
 * given up. The ring's packets lie in arrival order in one run of the
 * buffer, [oldest, wpos), or in two, [oldest, X) then [0, wpos). The ring
 * wraps to the front at (packets + 1) x the flow's largest packet so far,
 * not at the buffer's end: a flow of 80-byte Modbus frames keeps its ring
 * in 1.4 KiB instead of cycling through 34 KiB (cache and RSS). With
 * sizes that do not grow, the slack of one packet means nothing is ever
 * in the way; when they grow, the oldest make room, in order. */
static uint32_t place(const struct evidence *ev, struct ev_flow *ef, uint32_t room)
{
	uint32_t R = ev->cfg.ring_packets, full = ring_bytes(&ev->cfg);
	if (room > ef->maxroom)
		ef->maxroom = room;
	uint32_t wrap_at = (R + 1) * ef->maxroom;
	if (ef->n == R)
		ef->n--; /* the oldest gives up its slot */
	if (!ef->n)
		return 0;
	const struct ev_slot *o = &ef->slot[(ef->head + R - ef->n) % R];
	bool one_run = o->off < ef->wpos;
	uint32_t pos;
	if (one_run)
		pos = ef->wpos + room <= wrap_at ? ef->wpos : 0;
	else
		pos = ef->wpos + room <= full ? ef->wpos : 0; /* over the first run's oldest */
	/* two runs and back to the front (only a buffer too small for its
	 * packets): the first run is older than what the front holds, so it
	 * goes first */
	bool drop_first_run = !one_run && pos == 0;
	uint32_t end = pos + room;
	while (ef->n) {
		o = &ef->slot[(ef->head + R - ef->n) % R];
		bool in_first_run = drop_first_run && o->off >= ef->wpos;
		bool overlap = o->off < end && o->off + (o->caplen ? o->caplen : 1) > pos;
		if (!in_first_run && !overlap)
			break; /* in arrival order: once the oldest is clear, all are */
		ef->n--;
	}
	return pos;
}

/* A flow without a ring that does not ask for one with this frame: the cap
 * was reached, or the empty flows' share and the frame carries no payload. */
static bool still_denied(const struct flow *f, bool empty)
{
	return f->evidence_denied == EV_DENIED || (f->evidence_denied == EV_DENIED_EMPTY && empty);
}

bool evidence_packet_shared(const struct evidence *ev, const struct flow *f, bool payload)
{
	if (!ev || !ev->dir_ok)
		return false;
	const struct ev_flow *ef = f->evidence;
	bool empty = empty_so_far(f, payload);
	if (!ef) /* a ring drawn from the cap */
		return !still_denied(f, empty);
	return (ef->empty && !empty) || (ef->dump && ef->remaining);
}

bool evidence_reread(struct evidence *ev)
{
	if (!ev || ev->mem || ev->st.read_back)
		return ev && ev->st.read_back;
	if (!(ev->rbuf = malloc(ev->cfg.snap)))
		return false;
	ev->st.read_back = true;
	return true;
}

bool evidence_source(struct evidence *ev, uint16_t source, int fd, const char *path)
{
	struct stat sb;
	if (!ev || !ev->st.read_back || fd < 0 || !path || fstat(fd, &sb) < 0)
		return false;
	if (source >= ev->nsrc) {
		size_t n = (size_t)source + 1;
		struct ev_src *ns = realloc(ev->src, n * sizeof(*ns));
		if (!ns)
			return false;
		for (size_t i = ev->nsrc; i < n; i++)
			ns[i] = (struct ev_src){ .path = NULL, .fd = -1 };
		ev->src = ns;
		ev->nsrc = n;
	}
	struct ev_src *c = &ev->src[source];
	char *copy = strdup(path);
	int d = copy ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (d < 0) {
		free(copy);
		return false;
	}
	if (c->fd >= 0) {
		close(c->fd);
		ev->src_open--;
	}
	free(c->path);
	*c = (struct ev_src){ .path = copy, .fd = d, .dev = sb.st_dev, .ino = sb.st_ino,
			      .size = sb.st_size, .mtime = sb.st_mtim, .used = ++ev->src_clock };
	ev->src_open++;
	src_trim(ev, source);
	return true;
}

void evidence_packet(struct evidence *ev, struct flow *f, int dlt, int64_t sec, uint32_t usec,
		     uint32_t caplen, uint32_t wirelen, const uint8_t *frame, bool payload)
{
	evidence_packet_at(ev, f, dlt, sec, usec, caplen, wirelen, frame, payload, 0, 0);
}

void evidence_packet_at(struct evidence *ev, struct flow *f, int dlt, int64_t sec, uint32_t usec,
			uint32_t caplen, uint32_t wirelen, const uint8_t *frame, bool payload,
			uint16_t source, uint64_t at)
{
	if (!ev || !ev->dir_ok)
		return;
	if (ev->st.read_back && (!at || source >= ev->nsrc || !ev->src[source].path)) {
		/* a frame that is in no file it can read back (the file was
		 * swapped for a compressed one after it was checked) */
		if (!ev->warned_unreadable)
			log_warn("evidence: a frame of input %u cannot be read back from its file; "
				 "such frames are left out of evidence pcaps", (unsigned)source + 1);
		ev->warned_unreadable = true;
		return;
	}
	struct ev_flow *ef = f->evidence;
	bool empty = empty_so_far(f, payload);
	if (ef && ef->empty && !empty) {
		/* its first payload: its ring counts to the whole cap only */
		ef->empty = false;
		ev->mem_empty -= ring_size(ev);
	}
	if (!ef) {
		if (still_denied(f, empty))
			return;
		size_t need = ring_size(ev);
		if (empty && ev->mem_empty + need > ev->empty_cap) {
			if (!f->evidence_denied)
				ev->st.empty_no_ring++;
			f->evidence_denied = EV_DENIED_EMPTY;
			return;
		}
		/* malloc, not calloc: a slot's bytes are touched only when a
		 * packet fills it (most flows are short: their unused slots never
		 * cost a page) */
		if (ev->mem + need > ev->cfg.memcap || !(ef = malloc(need))) {
			f->evidence_denied = EV_DENIED;
			ev->st.no_ring++;
			return;
		}
		f->evidence_denied = 0;
		ev->mem += need;
		memset(ef, 0, sizeof(*ef));
		if (empty) {
			ef->empty = true;
			ev->mem_empty += need;
		}
		ef->dlt = dlt;
		ef->file = -1;
		ef->last_file = -1;
		ef->slot = (struct ev_slot *)(ef + 1);
		ef->data = ev->st.read_back ? NULL : (uint8_t *)(ef->slot + ev->cfg.ring_packets);
		f->evidence = ef;
	}
	if (dlt != ef->dlt)
		return; /* one link type per file */
	uint32_t len = caplen < ev->cfg.snap ? caplen : ev->cfg.snap;
	struct ev_slot *s = &ef->slot[ef->head];
	if (ev->st.read_back) {
		s->src = source;
		s->off = at;
	} else {
		uint32_t room = len ? len : 1; /* an empty frame holds a byte too: no two share a place */
		uint32_t pos = place(ev, ef, room);
		s = &ef->slot[ef->head];
		s->off = pos;
		memcpy(ef->data + pos, frame, len);
		ef->wpos = pos + room;
	}
	s->sec = sec;
	s->usec = usec;
	s->caplen = len;
	s->wirelen = wirelen;
	ef->head = (uint16_t)((ef->head + 1) % ev->cfg.ring_packets);
	if (ef->n < ev->cfg.ring_packets)
		ef->n++;
	if (ef->dump && ef->remaining) {
		write_one(ev, ef, s, frame);
		if (--ef->remaining == 0)
			close_file(ev, ef);
	}
}

/* Why f has nothing to write (or EVIDENCE_HAS_FILE). */
static enum evidence_none why_none(const struct evidence *ev, const struct flow *f)
{
	if (!ev || !ev->cfg.ring_packets)
		return EVIDENCE_NONE_OFF;
	if (!f)
		return EVIDENCE_NONE_NO_FLOW;
	if (!ev->dir_ok)
		return EVIDENCE_NONE_NO_DIRECTORY;
	if (f->evidence_denied)
		return EVIDENCE_NONE_MEMCAP;
	const struct ev_flow *ef = f->evidence;
	if (!ef || !ef->n)
		return EVIDENCE_NONE_NO_PACKETS;
	return EVIDENCE_HAS_FILE;
}

bool evidence_alert(struct evidence *ev, struct flow *f, struct evidence_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->none = why_none(ev, f);
	if (ref->none != EVIDENCE_HAS_FILE)
		return false;
	struct ev_flow *ef = f->evidence;
	if (ef->dump) {
		/* already writing this flow: the alert's packets are all in it */
		const struct ev_file *cur = file_at(ev, ef->file);
		snprintf(ref->file, sizeof(ref->file), "%s", cur ? cur->name : "");
		ref->first_packet = 1;
		ref->last_packet = ef->written;
		return true;
	}
	/* name: UTC time of the newest packet, the flow, and a counter */
	const struct ev_slot *last = &ef->slot[(ef->head + ev->cfg.ring_packets - 1) % ev->cfg.ring_packets];
	time_t t = (time_t)last->sec;
	struct tm tm;
	char when[32] = "00000000T000000Z";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	char name[128], path[4300];
	if (ef->nfiles)
		snprintf(name, sizeof(name), "evidence/%s-flow%llu-%u.pcap", when,
			 (unsigned long long)f->flow_id, ef->nfiles);
	else
		snprintf(name, sizeof(name), "evidence/%s-flow%llu.pcap", when,
			 (unsigned long long)f->flow_id);
	snprintf(path, sizeof(path), "%s/%s", ev->dir, name);
	ef->dead = pcap_open_dead(ef->dlt, (int)ev->cfg.snap);
	ef->dump = ef->dead ? pcap_dump_open(ef->dead, path) : NULL;
	if (!ef->dump) {
		log_error("cannot write evidence '%s': %s", path,
			  ef->dead ? pcap_geterr(ef->dead) : "out of memory");
		if (ef->dead)
			pcap_close(ef->dead);
		ef->dead = NULL;
		ev->st.write_errors++;
		ref->none = EVIDENCE_NONE_WRITE_ERROR;
		return false;
	}
	ev->open++;
	ev->st.files++;
	ef->nfiles++;
	ef->written = 0;
	ef->file = add_file(ev, name, 24, true);
	ef->last_file = ef->file;
	uint16_t start = (uint16_t)((ef->head + ev->cfg.ring_packets - ef->n) % ev->cfg.ring_packets);
	for (uint16_t i = 0; i < ef->n; i++) {
		uint16_t k = (uint16_t)((start + i) % ev->cfg.ring_packets);
		const uint8_t *bytes = slot_bytes(ev, ef, &ef->slot[k]);
		if (bytes)
			write_one(ev, ef, &ef->slot[k], bytes);
	}
	snprintf(ref->file, sizeof(ref->file), "%s", name);
	ref->first_packet = 1;
	ref->last_packet = ef->written;
	/* then the flow's next packets, unless too many files are open */
	ef->remaining = ev->open <= ev->cfg.max_open ? ev->cfg.after_packets : 0;
	if (!ef->remaining || ef->file < 0)
		close_file(ev, ef);
	else if (pcap_dump_flush(ef->dump) < 0)
		ev->st.write_errors++;
	return true;
}

void evidence_note_hit(struct evidence *ev, struct flow *f, bool repeat, struct evidence_note *out)
{
	memset(out, 0, sizeof(*out));
	const struct ev_flow *ef = ev && f ? f->evidence : NULL;
	if (repeat && ef && !ef->dump && file_at(ev, ef->last_file)) {
		/* its latest file, closed: the flow's packets up to then */
		out->file = (uint64_t)ef->last_file + 1;
		out->last_packet = ef->written;
		return;
	}
	struct evidence_ref ref;
	if (!evidence_alert(ev, f, &ref)) {
		out->none = (uint32_t)ref.none;
		return;
	}
	/* the file just written, or still being written */
	out->file = (uint64_t)ef->last_file + 1;
	out->last_packet = ref.last_packet;
}

bool evidence_resolve(const struct evidence *ev, const struct evidence_note *n,
		      struct evidence_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	if (!n->file) {
		ref->none = n->none ? (enum evidence_none)n->none : EVIDENCE_NONE_OFF;
		return false;
	}
	const struct ev_file *fl = ev ? file_at(ev, (int64_t)(n->file - 1)) : NULL;
	if (!fl) {
		ref->none = EVIDENCE_NONE_ROTATED;
		return false;
	}
	snprintf(ref->file, sizeof(ref->file), "%s", fl->name);
	ref->first_packet = 1;
	ref->last_packet = n->last_packet;
	return true;
}

void evidence_without(struct evidence *ev)
{
	if (ev)
		ev->st.not_written++;
}

const char *evidence_none_name(enum evidence_none none)
{
	switch (none) {
	case EVIDENCE_HAS_FILE: return "";
	case EVIDENCE_NONE_OFF: return "off";
	case EVIDENCE_NONE_NO_FLOW: return "no_flow";
	case EVIDENCE_NONE_MEMCAP: return "memcap";
	case EVIDENCE_NONE_NO_PACKETS: return "no_packets";
	case EVIDENCE_NONE_NO_DIRECTORY: return "no_directory";
	case EVIDENCE_NONE_WRITE_ERROR: return "write_error";
	case EVIDENCE_NONE_ROTATED: return "rotated";
	}
	return "";
}

void evidence_flow_end(struct evidence *ev, struct flow *f)
{
	struct ev_flow *ef = f->evidence;
	if (!ef)
		return;
	close_file(ev, ef);
	ev->mem -= ring_size(ev);
	if (ef->empty)
		ev->mem_empty -= ring_size(ev);
	free(ef);
	f->evidence = NULL;
}

void evidence_flush(struct evidence *ev)
{
	(void)ev; /* files are flushed after every alert and closed with their flow */
}

const struct evidence_stats *evidence_stats(const struct evidence *ev)
{
	return &ev->st;
}
