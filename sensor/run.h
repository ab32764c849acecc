/* SPDX-License-Identifier: BSD-2-Clause */
/* A sensor run: open inputs and outputs, drive the pipeline, report. */
#ifndef FABMON_RUN_H
#define FABMON_RUN_H

#include "sensor/options.h"

/* Returns an enum exit_code. */
int sensor_run(const struct options *o);
/* The same run observing for `fabmon learn` (rules off). */
struct learner;
int sensor_run_learning(const struct options *o, struct learner *learn);

#endif
