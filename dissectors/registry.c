/* SPDX-License-Identifier: BSD-2-Clause */
/* Every dissector fabmon runs, in probe order. A new protocol adds its
 * `const struct dissector dissector_<name>` here. */
#include "dissectors/dissector.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"

const struct dissector *const dissector_registry[] = {
	&dissector_hsms,
	&dissector_modbus,
	NULL,
};
