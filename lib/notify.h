/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify.h — the sampler behind qnotify (lib/notify.c), as tests and benches see it: how
 * many samples it took and the CPU time its thread used, so that its cost can be measured
 * per sample (not exported from libqsock.so; in libqsock.a).
 */
#ifndef QSOCK_NOTIFY_H
#define QSOCK_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Samples taken by this process's sampler threads so far, and whether one runs now; @cpu_ns (may be
 * NULL) gets the running sampler thread's CPU time (0 when none runs). */
bool qsock_notify_sampler(uint64_t *samples, uint64_t *cpu_ns);

#endif /* QSOCK_NOTIFY_H */
