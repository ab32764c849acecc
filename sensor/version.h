/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef FABMON_VERSION_H
#define FABMON_VERSION_H
#define FABMON_VERSION "0.1.0"
#endif
