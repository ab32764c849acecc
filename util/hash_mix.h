/* SPDX-License-Identifier: BSD-2-Clause */
/* A 64-bit finaliser (MurmurHash3's fmix64): every input bit flips about
 * half of the output bits, so the low bits of a hash index a table well. */
#ifndef FABMON_HASH_MIX_H
#define FABMON_HASH_MIX_H

#include <stdint.h>

static inline uint64_t hash_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
