/* SPDX-License-Identifier: BSD-2-Clause */
/* What a cache line costs to move between two CPUs: two threads, one on
 * each, hand a counter back and forth; prints the round trip in ns. With
 * several workers fabmon's turn moves lines like this for most frames
 * (README "Worker threads"), so this bounds what a second worker can give
 * on a machine: about 0.1 us on one physical CPU, several times that
 * between a VM's virtual CPUs. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS 200000L

static _Alignas(64) _Atomic long turn;

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static int pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return sched_setaffinity(0, sizeof(s), &s);
}

static void *answer(void *arg)
{
	if (pin(*(int *)arg) < 0)
		exit(1);
	for (long i = 0; i < ROUNDS; i++) {
		while (atomic_load_explicit(&turn, memory_order_acquire) != 2 * i + 1)
			relax();
		atomic_store_explicit(&turn, 2 * i + 2, memory_order_release);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CPU_A CPU_B\n", argv[0]);
		return 2;
	}
	int a = atoi(argv[1]), b = atoi(argv[2]);
	if (pin(a) < 0) {
		perror("CPU_A");
		return 1;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, answer, &b) != 0)
		return 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < ROUNDS; i++) {
		atomic_store_explicit(&turn, 2 * i + 1, memory_order_release);
		while (atomic_load_explicit(&turn, memory_order_acquire) != 2 * i + 2)
			relax();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(t, NULL);
	double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / ROUNDS;
	printf("%.0f\n", ns);
	return 0;
}
