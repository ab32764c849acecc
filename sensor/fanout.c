/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/fanout.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <unistd.h>

#include "sensor/worker.h"
#include "util/log.h"

/* Frames a worker reads before it looks for a pause request again. */
#define BURST 512

struct fan_worker {
	struct fanout *all;
	struct worker *w;
	struct capture cap;          /* worker 0's is the caller's (copied) */
	struct timeval skip_before;  /* frames the socket took before it joined */
	uint64_t skipped;
	uint64_t seq;                /* this worker's frames: index + k * n */
	bool holding;                /* in a frame, it holds the shared state */
	pthread_t thread;
	bool started;
};

struct fanout {
	/* the shared state's lock: held by a worker from its frame's first
	 * touch of the shared state to the frame's end */
	pthread_mutex_t shared;
	/* fanout_pause: the others park until pause_req clears */
	pthread_mutex_t park;
	pthread_cond_t parked_cv, resume_cv;
	unsigned parked, running;     /* under park */
	_Atomic bool pause_req, paused, stop;
	unsigned depth;               /* nested pauses, the calling thread's */
	int wake_fd;                  /* eventfd: a worker in poll() wakes for a pause or stop */
	uint16_t source;
	unsigned n;
	struct fan_worker *fw;
	_Atomic bool failed;
	char error[512];              /* the first failure, set once before failed */
};

/* A worker's turn: the lock, once a frame (at once while the calling
 * thread has the workers paused: no worker runs then). */
static void fan_enter(void *ctx)
{
	struct fan_worker *fw = ctx;
	if (fw->holding || atomic_load_explicit(&fw->all->paused, memory_order_relaxed))
		return;
	pthread_mutex_lock(&fw->all->shared);
	fw->holding = true;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct fan_worker *fw = (struct fan_worker *)user;
	if (timercmp(&h->ts, &fw->skip_before, <)) {
		fw->skipped++; /* another socket of the group has it */
		return;
	}
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.ts_sec = (int64_t)h->ts.tv_sec;
	p.ts_usec = (uint32_t)h->ts.tv_usec;
	p.caplen = h->caplen;
	p.wirelen = h->len < h->caplen ? h->caplen : h->len;
	p.data = data;
	enum decode_status st = decode_counted(&p, fw->cap.dlt, &fw->w->dc);
	if (st == DEC_OK || st == DEC_FRAGMENT) {
		fw->seq += fw->all->n;
		worker_packet(fw->w, &p, fw->all->source, fw->cap.dlt, fw->seq);
	}
	if (fw->holding) {
		fw->holding = false;
		pthread_mutex_unlock(&fw->all->shared);
	}
}

static void fail(struct fanout *f, const struct fan_worker *fw, const char *why)
{
	pthread_mutex_lock(&f->park);
	if (!atomic_load(&f->failed)) {
		snprintf(f->error, sizeof(f->error), "capture on '%s' (worker %u) failed: %s",
			 fw->cap.name, fw->w->index, why);
		atomic_store(&f->failed, true);
	}
	pthread_mutex_unlock(&f->park);
}

static void park(struct fanout *f)
{
	pthread_mutex_lock(&f->park);
	f->parked++;
	pthread_cond_signal(&f->parked_cv);
	while (atomic_load(&f->pause_req))
		pthread_cond_wait(&f->resume_cv, &f->park);
	f->parked--;
	pthread_mutex_unlock(&f->park);
}

static void *fan_main(void *arg)
{
	struct fan_worker *fw = arg;
	struct fanout *f = fw->all;
	worker_thread_begin(fw->w, false);
	int fd = pcap_get_selectable_fd(fw->cap.pcap);
	while (!atomic_load(&f->stop)) {
		if (atomic_load(&f->pause_req)) {
			park(f);
			continue;
		}
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { f->wake_fd, POLLIN, 0 } };
		if (poll(pfd, 2, 100) < 0 && errno != EINTR) {
			fail(f, fw, strerror(errno));
			break;
		}
		if (atomic_load(&f->pause_req) || atomic_load(&f->stop))
			continue;
		int n = pcap_dispatch(fw->cap.pcap, BURST, on_frame, (u_char *)fw);
		if (n < 0 && n != PCAP_ERROR_BREAK) {
			fail(f, fw, pcap_geterr(fw->cap.pcap));
			break;
		}
	}
	if (!atomic_load(&f->failed))
		capture_read_rest(&fw->cap, on_frame, (u_char *)fw);
	pthread_mutex_lock(&f->park);
	f->running--; /* a pause no longer waits for this one */
	pthread_cond_signal(&f->parked_cv);
	pthread_mutex_unlock(&f->park);
	return NULL;
}

int fanout_read_own(struct fanout *f)
{
	if (atomic_load(&f->failed))
		return -1;
	return pcap_dispatch(f->fw[0].cap.pcap, -1, on_frame, (u_char *)&f->fw[0]);
}

const char *fanout_error(const struct fanout *f)
{
	return f->error;
}

void fanout_pause(struct fanout *f)
{
	if (f->depth++ > 0)
		return;
	atomic_store(&f->pause_req, true);
	uint64_t one = 1;
	if (write(f->wake_fd, &one, sizeof(one)) < 0)
		log_debug("fanout: wake: %s", strerror(errno)); /* they wake within 100 ms anyway */
	pthread_mutex_lock(&f->park);
	while (f->parked < f->running)
		pthread_cond_wait(&f->parked_cv, &f->park);
	pthread_mutex_unlock(&f->park);
	atomic_store_explicit(&f->paused, true, memory_order_relaxed);
}

void fanout_resume(struct fanout *f)
{
	if (f->depth == 0 || --f->depth > 0)
		return;
	atomic_store_explicit(&f->paused, false, memory_order_relaxed);
	uint64_t v;
	if (read(f->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("fanout: wake reset: %s", strerror(errno));
	pthread_mutex_lock(&f->park);
	atomic_store(&f->pause_req, false);
	pthread_cond_broadcast(&f->resume_cv);
	pthread_mutex_unlock(&f->park);
}

void fanout_lock(struct fanout *f)
{
	if (!atomic_load_explicit(&f->paused, memory_order_relaxed))
		pthread_mutex_lock(&f->shared);
}

void fanout_unlock(struct fanout *f)
{
	if (!atomic_load_explicit(&f->paused, memory_order_relaxed))
		pthread_mutex_unlock(&f->shared);
}

void fanout_kernel_stats(struct fanout *f, struct capture_counters *cap)
{
	cap->kernel_received = cap->kernel_dropped = cap->iface_dropped = 0;
	for (unsigned i = 0; i < f->n; i++) {
		struct pcap_stat ps;
		if (pcap_stats(f->fw[i].cap.pcap, &ps) == 0) {
			cap->kernel_received += ps.ps_recv;
			cap->kernel_dropped += ps.ps_drop;
			cap->iface_dropped += ps.ps_ifdrop;
		}
	}
}

static void free_fanout(struct fanout *f)
{
	for (unsigned i = 1; i < f->n; i++) {
		if (f->fw[i].skipped)
			log_debug("fanout: worker %u skipped %" PRIu64 " frames taken before it joined",
				  i, f->fw[i].skipped);
		if (f->fw[i].cap.pcap)
			capture_close(&f->fw[i].cap);
	}
	for (unsigned i = 0; i < f->n; i++)
		worker_set_turn(f->fw[i].w, (struct worker_turn){ NULL, NULL });
	if (f->wake_fd >= 0)
		close(f->wake_fd);
	pthread_mutex_destroy(&f->shared);
	pthread_mutex_destroy(&f->park);
	pthread_cond_destroy(&f->parked_cv);
	pthread_cond_destroy(&f->resume_cv);
	free(f->fw);
	free(f);
}

void fanout_stop(struct fanout *f, struct capture_counters *kernel)
{
	if (!f)
		return;
	while (f->depth)
		fanout_resume(f);
	atomic_store(&f->stop, true);
	uint64_t one = 1;
	if (write(f->wake_fd, &one, sizeof(one)) < 0)
		log_debug("fanout: wake: %s", strerror(errno));
	if (f->fw[0].cap.pcap && !atomic_load(&f->failed)) /* while the others read theirs */
		capture_read_rest(&f->fw[0].cap, on_frame, (u_char *)&f->fw[0]);
	for (unsigned i = 1; i < f->n; i++)
		if (f->fw[i].started)
			pthread_join(f->fw[i].thread, NULL);
	if (kernel)
		fanout_kernel_stats(f, kernel);
	free_fanout(f);
}

/* Open the group's other sockets, each joined as soon as it is open. */
static int open_group(struct fanout *f, struct capture *first, const struct options *o,
		      char *err, size_t errlen)
{
	uint16_t group = (uint16_t)(getpid() & 0xffff);
	f->fw[0].cap = *first;
	if (capture_join_fanout(first, group, err, errlen) < 0)
		return -1;
	for (unsigned i = 1; i < f->n; i++) {
		char warn[512];
		struct fan_worker *fw = &f->fw[i];
		if (capture_open_live(&fw->cap, o, CAPTURE_FANOUT_BLOCK_MS, err, errlen, warn,
				      sizeof(warn)) != CAP_OK)
			return -1;
		/* until it joins, this socket takes every frame, which the group
		 * has too: those it skips */
		gettimeofday(&fw->skip_before, NULL);
		if (capture_join_fanout(&fw->cap, group, err, errlen) < 0)
			return -1;
	}
	return 0;
}

struct fanout *fanout_start(struct worker *w, unsigned n, struct capture *first, uint16_t source,
			    const struct options *o, char *err, size_t errlen)
{
	struct fanout *f = calloc(1, sizeof(*f));
	if (!f || !(f->fw = calloc(n, sizeof(*f->fw)))) {
		free(f);
		snprintf(err, errlen, "out of memory for %u workers", n);
		return NULL;
	}
	pthread_mutex_init(&f->shared, NULL);
	pthread_mutex_init(&f->park, NULL);
	pthread_cond_init(&f->parked_cv, NULL);
	pthread_cond_init(&f->resume_cv, NULL);
	f->n = n;
	f->source = source;
	f->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (unsigned i = 0; i < n; i++) {
		f->fw[i].all = f;
		f->fw[i].w = &w[i];
		f->fw[i].seq = i;
	}
	if (f->wake_fd < 0) {
		snprintf(err, errlen, "cannot make an eventfd for the workers: %s", strerror(errno));
		free_fanout(f);
		return NULL;
	}
	if (open_group(f, first, o, err, errlen) < 0) {
		free_fanout(f);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++)
		worker_set_turn(&w[i], (struct worker_turn){ fan_enter, &f->fw[i] });
	/* signals are the calling thread's: its poll() is the one they cut short */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 1; i < n; i++) {
		pthread_mutex_lock(&f->park);
		f->running++;
		pthread_mutex_unlock(&f->park);
		int rc = pthread_create(&f->fw[i].thread, NULL, fan_main, &f->fw[i]);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start worker thread %u: %s", i, strerror(rc));
			pthread_mutex_lock(&f->park);
			f->running--;
			pthread_mutex_unlock(&f->park);
			break;
		}
		f->fw[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!f->fw[n - 1].started) {
		fanout_stop(f, NULL);
		return NULL;
	}
	return f;
}
