/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CPU lists as taskset(1) and /proc/<pid>/status write them ("0,2",
 * "0-3", "1,4-5"), and pinning the calling thread to one CPU. Includes
 * nothing of the project.
 */
#ifndef FABMON_CPU_LIST_H
#define FABMON_CPU_LIST_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#define CPU_LIST_MAX_CPU 1023   /* CPU_SETSIZE - 1 */

/* Parse text into out (at most max CPU numbers, in the order given; a
 * range counts each of its CPUs). Returns how many, or -1 with why set:
 * not a number, a range that runs backwards, a CPU above CPU_LIST_MAX_CPU,
 * more than max CPUs, an empty item. */
int cpu_list_parse(const char *text, uint16_t *out, unsigned max, char *why, size_t whylen);

/* The CPUs the calling thread may run on, as a list ("0-1"), into buf:
 * 1, or 0 when the kernel would not say (or buf is too small). */
int cpu_list_allowed(char *buf, size_t len);

/* May the calling thread run on cpu? 1 or 0. */
int cpu_list_is_allowed(unsigned cpu);

/* Pin the calling thread to cpu: 0, or -errno. */
int cpu_pin_self(unsigned cpu);

/* The calling thread's CPUs, saved (0, or -errno) and given back to it. */
int cpu_save_self(cpu_set_t *saved);
int cpu_restore_self(const cpu_set_t *saved);

#endif
