/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libnats (--publish, --asset-kv, --nats-tls-ca, `fabmon collect`) loaded
 * with dlopen when one of them first sets up a connection, not when fabmon
 * starts. libnats brings OpenSSL, and the loader's relocation of libssl and
 * libcrypto alone kept about 1.9 MiB resident in every fabmon process,
 * publishing or not.
 *
 * fabmon's code calls libnats' functions by their names: this file defines
 * them (nats_load_table.h, generated from <nats/nats.h> by
 * scripts/gen_nats_load.py), each calling the library's own through a
 * pointer. natsOptions_Create, which every connection starts with, loads
 * the library; a call before it returns the table's "not loaded" value
 * (NATS_NOT_FOUND, NULL, 0: a destructor does nothing), and
 * nats_GetLastError says why the load failed.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include <nats/nats.h>

/* Debian's libnats3.4 (nats.c 3.4), the version built against */
#define NATS_SONAME "libnats.so.3.4"

static const char *nats_load_why(void);

/* Process-wide, like the library it loads. */
static struct {
	pthread_once_t once;
	_Atomic bool loaded;
	char why[300];
#define NATS_FN(ret, name, params, args, fallback) ret(*name) params;
#define NATS_FN_LOAD NATS_FN
#define NATS_FN_VOID(ret, name, params, args) void(*name) params;
#include "sensor/output/nats_load_table.h"
#undef NATS_FN
#undef NATS_FN_LOAD
#undef NATS_FN_VOID
} lib = { .once = PTHREAD_ONCE_INIT };

static void load(void)
{
	void *h = dlopen(NATS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(lib.why, sizeof(lib.why), "cannot load %s: %s", NATS_SONAME, dlerror());
		return;
	}
	const char *missing = NULL;
#define NATS_FN(ret, name, params, args, fallback)                                                 \
	if (!(lib.name = (ret(*) params)dlsym(h, #name)) && !missing)                              \
		missing = #name;
#define NATS_FN_LOAD NATS_FN
#define NATS_FN_VOID(ret, name, params, args) NATS_FN(void, name, params, args, )
#include "sensor/output/nats_load_table.h"
#undef NATS_FN
#undef NATS_FN_LOAD
#undef NATS_FN_VOID
	if (missing) {
		snprintf(lib.why, sizeof(lib.why), "%s has no %s", NATS_SONAME, missing);
		dlclose(h);
		return;
	}
	atomic_store_explicit(&lib.loaded, true, memory_order_release);
}

static bool loaded(void)
{
	return atomic_load_explicit(&lib.loaded, memory_order_acquire);
}

static const char *nats_load_why(void)
{
	return lib.why[0] ? lib.why : "libnats is not loaded";
}

#define NATS_FN(ret, name, params, args, fallback)                                                 \
	ret name params                                                                            \
	{                                                                                          \
		return loaded() ? lib.name args : fallback;                                        \
	}
#define NATS_FN_LOAD(ret, name, params, args, fallback)                                            \
	ret name params                                                                            \
	{                                                                                          \
		pthread_once(&lib.once, load);                                                     \
		return loaded() ? lib.name args : fallback;                                        \
	}
#define NATS_FN_VOID(ret, name, params, args)                                                      \
	void name params                                                                           \
	{                                                                                          \
		if (loaded())                                                                      \
			lib.name args;                                                             \
	}
#include "sensor/output/nats_load_table.h"
