/* SPDX-License-Identifier: BSD-2-Clause */
/* Reading a policy file (the sensor owns all I/O; zones/ parses memory). */
#ifndef FABMON_POLICY_FILE_H
#define FABMON_POLICY_FILE_H

#include "zones/policy.h"

#define POLICY_FILE_MAX (16u << 20)

/* Read and parse path; NULL on error (err says where and why). */
struct policy *policy_load_file(const char *path, struct policy_error *err);

#endif
