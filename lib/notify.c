// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * notify.c — qnotify and qnotify_read (qsock.h): events of a stream on a file descriptor.
 *
 * The kernel emits no events, so they are made here by sampling: one thread per process, the
 * sampler, started by the first qnotify and ending when the last notifier is closed, reads
 * each watched stream's class statistics (qsock_mgr_stream_stats, the one netlink request
 * qinfo makes) at the notifier's interval and compares them with the previous sample
 * (notify_detect.c). The send path is untouched: nothing here runs in qsend*. What it costs
 * is that request per watched stream per interval, in the sampler (docs/architecture.md).
 *
 * A notifier is a connected SOCK_SEQPACKET pair: the caller gets one end, the sampler keeps
 * the other and sees POLLHUP on it when the caller closed theirs (the last copy of it), so
 * close() ends a notifier and no call of ours is needed. The events wait in the watcher
 * (under `lock`), and one byte on the pair makes the caller's end readable: sent when the
 * pending events go from none to some, drained by qnotify_read under the same lock, so the
 * end is readable exactly while events wait, however many samples raised them. Decided over
 * an eventfd (a close() of it cannot be seen) and over one record per event on the pair
 * (records pile up when the caller reads slowly; coalesced here, they cannot).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "errors.h"
#include "notify.h"
#include "notify_detect.h"
#include "sockinfo.h"
#include "sys.h"

#define QSOCK_EXPORT __attribute__((visibility("default")))
#define NSEC_PER_USEC 1000ULL

struct watcher {
	struct watcher *next;
	int lib_fd;			/* the sampler's end of the pair */
	uint64_t nfd_cookie;		/* SO_COOKIE of the caller's end: qnotify_read's key */
	struct qsock_stream stream;	/* the class sampled */
	uint32_t mask;
	uint32_t backlog;
	uint64_t interval_ns;
	uint64_t next_ns;		/* the sampler's: when the next sample is due */
	bool stopped;			/* QNOTIFY_GONE was raised: no more samples */
	struct qsock_notify_track track;
	struct qnotify_event pending;	/* under lock: what qnotify_read returns next */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Under lock. Watchers are linked by qnotify and unlinked and freed by the sampler alone, so
 * the sampler may use them without the lock between its passes. */
static struct watcher *watchers;
static bool running;		/* a sampler thread exists */
static int wake_fd = -1;	/* eventfd: a watcher was linked (the sampler's, closed by it) */
static clockid_t sampler_clock;	/* the running sampler's CPU clock */
static _Atomic uint64_t samples_taken;	/* by the sampler (not qnotify's baselines) */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int sample(const struct qsock_stream *st, struct qsock_notify_sample *s,
		  struct qsock_err *err)
{
	struct qos_info info;
	int rc;

	memset(&info, 0, sizeof(info));
	rc = qsock_mgr_stream_stats(st, &info, err);
	if (rc)
		return rc;
	s->sent_pkts = info.sent_pkts;
	s->drops = info.drops;
	s->drop_late = info.drop_late;
	s->violations = info.violations;
	s->backlog_pkts = info.backlog_pkts;
	return 0;
}

/* Under lock: record @ev and make the caller's end readable if it was not. */
static void raise_locked(struct watcher *w, uint32_t ev, uint64_t now)
{
	static const char token = 1;

	if (!ev)
		return;
	/* at most one byte waits, so the pair's buffer cannot fill */
	if (!w->pending.events)
		qsock_sys.sendto(w->lib_fd, &token, 1, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
	w->pending.events |= ev;
	w->pending.time_ns = now;
}

static void take(struct watcher *w, uint64_t now)
{
	struct qsock_notify_sample s;
	struct qsock_err err;
	uint32_t ev;
	int rc;

	rc = sample(&w->stream, &s, &err);
	atomic_fetch_add_explicit(&samples_taken, 1, memory_order_relaxed);
	pthread_mutex_lock(&lock);
	if (rc) {
		w->pending.error = -rc;
		ev = QNOTIFY_GONE;
	} else {
		ev = qsock_notify_step(&w->track, &s, w->mask, w->backlog, &w->pending);
		if (ev & QNOTIFY_GONE)
			w->pending.error = ENOENT;
	}
	if (ev & QNOTIFY_GONE)
		w->stopped = true;
	raise_locked(w, ev, now);
	pthread_mutex_unlock(&lock);
	w->next_ns += w->interval_ns;
	if (w->next_ns <= now) /* fell behind (a stall): no burst of samples to catch up */
		w->next_ns = now + w->interval_ns;
}

static void unlink_free(struct watcher *w)
{
	struct watcher **pp;

	pthread_mutex_lock(&lock);
	for (pp = &watchers; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	qsock_sys.close(w->lib_fd);
	free(w);
}

static void *sampler(void *unused)
{
	struct pollfd *pfd = NULL;
	struct watcher **pw = NULL;
	size_t cap = 0;

	(void)unused;
	for (;;) {
		struct timespec ts, *timeout = NULL;
		uint64_t now, due = UINT64_MAX;
		size_t n = 1, want = 1;
		struct watcher *w;

		pthread_mutex_lock(&lock);
		if (!watchers) {
			/* the last notifier is gone: so is the thread, and its eventfd */
			running = false;
			qsock_sys.close(wake_fd);
			wake_fd = -1;
			pthread_mutex_unlock(&lock);
			break;
		}
		for (w = watchers; w; w = w->next)
			want++;
		if (want > cap) {
			struct pollfd *np = realloc(pfd, want * sizeof(*pfd));
			struct watcher **nw = np ? realloc(pw, want * sizeof(*pw)) : NULL;

			if (np)
				pfd = np;
			if (nw) {
				pw = nw;
				cap = want;
			}
		}
		if (!cap) { /* no memory at all: try again in a while */
			pthread_mutex_unlock(&lock);
			nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
			continue;
		}
		pfd[0] = (struct pollfd){ .fd = wake_fd, .events = POLLIN };
		/* no memory for a larger array: the watchers that fit now, the others later */
		for (w = watchers; w && n < cap; w = w->next, n++) {
			pfd[n] = (struct pollfd){ .fd = w->lib_fd }; /* POLLHUP: closed */
			pw[n] = w;
			if (!w->stopped && w->next_ns < due)
				due = w->next_ns;
		}
		pthread_mutex_unlock(&lock);

		now = mono_ns();
		if (due != UINT64_MAX) {
			uint64_t left = due > now ? due - now : 0;

			ts.tv_sec = (time_t)(left / 1000000000ULL);
			ts.tv_nsec = (long)(left % 1000000000ULL);
			timeout = &ts;
		}
		if (ppoll(pfd, n, timeout, NULL) < 0 && errno != EINTR)
			continue;
		if (pfd[0].revents & POLLIN) {
			eventfd_t v;

			eventfd_read(wake_fd, &v);
		}
		now = mono_ns();
		for (size_t i = 1; i < n; i++) {
			w = pw[i];
			if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL))
				unlink_free(w);
			else if (!w->stopped && now >= w->next_ns)
				take(w, now);
		}
	}
	free(pfd);
	free(pw);
	return NULL;
}

/* Under lock: start the sampler. */
static int start_locked(struct qsock_err *err)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t tid;
	int rc;

	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wake_fd < 0)
		return qsock_errf(err, -errno, "eventfd for the sampler thread: %s",
				  strerror(errno));
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* the program's signals are the program's threads' business, never the sampler's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&tid, &attr, sampler, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc) {
		qsock_sys.close(wake_fd);
		wake_fd = -1;
		return qsock_errf(err, -rc, "starting the sampler thread: %s", strerror(rc));
	}
	if (pthread_getcpuclockid(tid, &sampler_clock))
		sampler_clock = (clockid_t)-1;
	running = true;
	return 0;
}

/* fork: the child has no sampler; its copies of the watchers' ends go, and its copies of
 * the callers' ends are no notifiers of the child's (qnotify_read says so). */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

static void atfork_child(void)
{
	while (watchers) {
		struct watcher *w = watchers;

		watchers = w->next;
		qsock_sys.close(w->lib_fd);
		free(w);
	}
	if (wake_fd >= 0)
		qsock_sys.close(wake_fd);
	wake_fd = -1;
	running = false;
	pthread_mutex_unlock(&lock); /* taken by this thread in atfork_prepare */
}

static void atfork_register(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static int check_params(const struct qnotify_params *p, struct qsock_err *err)
{
	if (!p)
		return qsock_errf(err, -EINVAL, "struct qnotify_params is NULL");
	if (p->size != sizeof(*p))
		return qsock_errf(err, -EINVAL,
				  "qnotify_params.size %u: this libqsock knows size %zu", p->size,
				  sizeof(*p));
	if (!p->mask)
		return qsock_errf(err, -EINVAL,
				  "qnotify_params.mask is 0: name at least one QNOTIFY_* event");
	if (p->mask & ~QNOTIFY_ALL)
		return qsock_errf(err, -EINVAL,
				  "qnotify_params.mask 0x%x: unknown bits 0x%x (known: 0x%x)",
				  p->mask, p->mask & ~QNOTIFY_ALL, QNOTIFY_ALL);
	if (p->interval_us &&
	    (p->interval_us < QNOTIFY_INTERVAL_MIN_US || p->interval_us > QNOTIFY_INTERVAL_MAX_US))
		return qsock_errf(err, -ERANGE,
				  "qnotify_params.interval_us %u: out of range %u..%u "
				  "(0: the default, %u)",
				  p->interval_us, QNOTIFY_INTERVAL_MIN_US, QNOTIFY_INTERVAL_MAX_US,
				  QNOTIFY_INTERVAL_DEFAULT_US);
	return 0;
}

QSOCK_EXPORT int qnotify(int fd, const struct qnotify_params *p)
{
	struct qsock_notify_sample s;
	struct qsock_err err = { "" };
	struct watcher *w;
	uint64_t now;
	uint32_t ev;
	int rc, sv[2];

	rc = check_params(p, &err);
	if (rc)
		return qsock_fail("qnotify", rc, &err);
	w = calloc(1, sizeof(*w));
	if (!w)
		return qsock_fail("qnotify", qsock_errf(&err, -ENOMEM, "no memory"), &err);
	rc = qsock_api_stream(fd, &w->stream, &err);
	/* the baseline, in the caller's thread: a class that cannot be read fails here */
	if (!rc)
		rc = sample(&w->stream, &s, &err);
	if (rc) {
		free(w);
		return qsock_fail("qnotify", rc, &err);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv)) {
		rc = qsock_errf(&err, -errno, "socketpair: %s", strerror(errno));
		free(w);
		return qsock_fail("qnotify", rc, &err);
	}
	qsock_sock_cookie(sv[1], &w->nfd_cookie);
	w->lib_fd = sv[0];
	w->mask = p->mask;
	w->backlog = p->backlog_pkts;
	w->interval_ns =
		(uint64_t)(p->interval_us ? p->interval_us : QNOTIFY_INTERVAL_DEFAULT_US) *
		NSEC_PER_USEC;
	now = mono_ns();
	w->next_ns = now + w->interval_ns;
	w->pending.size = sizeof(w->pending);
	ev = qsock_notify_step(&w->track, &s, w->mask, w->backlog, &w->pending);

	pthread_once(&atfork_once, atfork_register);
	pthread_mutex_lock(&lock);
	rc = running ? 0 : start_locked(&err);
	if (rc) {
		pthread_mutex_unlock(&lock);
		qsock_sys.close(sv[0]);
		qsock_sys.close(sv[1]);
		free(w);
		return qsock_fail("qnotify", rc, &err);
	}
	w->next = watchers;
	watchers = w;
	raise_locked(w, ev, now);
	eventfd_write(wake_fd, 1);
	pthread_mutex_unlock(&lock);
	return sv[1];
}

QSOCK_EXPORT int qnotify_read(int nfd, struct qnotify_event *ev)
{
	struct qsock_err err = { "" };
	struct qnotify_event out;
	struct watcher *w;
	uint64_t cookie;
	char drain[16];

	if (!ev)
		return qsock_fail("qnotify_read",
				  qsock_errf(&err, -EINVAL, "struct qnotify_event is NULL"), &err);
	if (ev->size < sizeof(*ev))
		return qsock_fail("qnotify_read",
				  qsock_errf(&err, -EINVAL,
					     "qnotify_event.size %u: at least %zu (this libqsock's)",
					     ev->size, sizeof(*ev)),
				  &err);
	if (nfd < 0 || qsock_sock_cookie(nfd, &cookie) || !cookie)
		goto not_ours;
	pthread_mutex_lock(&lock);
	for (w = watchers; w && w->nfd_cookie != cookie; w = w->next)
		;
	if (!w) {
		pthread_mutex_unlock(&lock);
		goto not_ours;
	}
	if (!w->pending.events) {
		pthread_mutex_unlock(&lock);
		return qsock_fail("qnotify_read",
				  qsock_errf(&err, -EAGAIN, "no event since the last qnotify_read"),
				  &err);
	}
	while (recv(nfd, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	out = w->pending;
	memset(&w->pending, 0, sizeof(w->pending));
	w->pending.size = sizeof(w->pending);
	w->pending.backlog_pkts = out.backlog_pkts;
	pthread_mutex_unlock(&lock);
	/* a newer caller's larger struct: ours, and zeros after it */
	memset((char *)ev + sizeof(out), 0, ev->size - sizeof(out));
	memcpy(ev, &out, sizeof(out));
	return 0;

not_ours:
	return qsock_fail("qnotify_read",
			  qsock_errf(&err, -EBADF, "fd %d is not a qnotify descriptor of this process",
				     nfd),
			  &err);
}

bool qsock_notify_sampler(uint64_t *samples, uint64_t *cpu_ns)
{
	struct timespec ts;
	bool r;

	*samples = atomic_load_explicit(&samples_taken, memory_order_relaxed);
	pthread_mutex_lock(&lock);
	r = running;
	if (cpu_ns) {
		*cpu_ns = 0;
		if (r && sampler_clock != (clockid_t)-1 && !clock_gettime(sampler_clock, &ts))
			*cpu_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	}
	pthread_mutex_unlock(&lock);
	return r;
}
