/* SPDX-License-Identifier: BSD-2-Clause */
/* A sensor run: open inputs and outputs, drive the pipeline, report. */
#ifndef FABMON_RUN_H
#define FABMON_RUN_H

#include "sensor/options.h"

/* Returns an enum exit_code. */
int sensor_run(const struct options *o);

#endif
