/* SPDX-License-Identifier: BSD-2-Clause */
/* A sensor run: open inputs and outputs, drive the pipeline, report. */
#ifndef FABMON_RUN_H
#define FABMON_RUN_H

#include "sensor/options.h"

struct learner;
/* Run the sensor as O says; with LEARN (`fabmon learn`), observe into it
 * with the rules off, else NULL. Returns an enum exit_code. */
int sensor_run(const struct options *o, struct learner *learn);

#endif
