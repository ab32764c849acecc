/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve_run.h"

#include "util/version.h"

/* reload: -1 not said, 0/1 */
static void policy_members(struct jbuf *b, const struct run_policy *rp, int reload)
{
	const struct policy *p = rp->policy;
	jb_obj_open(b, "policy");
	jb_str(b, "source", p->source);
	if (p->name[0])
		jb_str(b, "name", p->name);
	jb_bool(b, "builtin", p->builtin);
	jb_str(b, "sha256", rp->sha256);
	if (rp->copy[0])
		jb_str(b, "copy", rp->copy);
	jb_u64(b, "zones", p->nzones);
	jb_u64(b, "hosts", p->nhosts);
	jb_u64(b, "conduits", p->nconduits);
	jb_name(b, "default_action", p->default_action == POLICY_DENY ? "deny" : "allow");
	jb_bool(b, "infer_roles", p->infer_roles);
	if (reload >= 0)
		jb_bool(b, "reload", reload);
	jb_obj_close(b);
}

void eve_run_build(struct eve *e, struct jbuf *b, const struct run_info *ri)
{
	eve_header(e, b, ri->started, 0, NULL, "run");
	jb_obj_open(b, "run");
	jb_name(b, "fabmon_version", FABMON_VERSION);
	jb_name(b, "mode", ri->mode);
	if (ri->iface)
		jb_str(b, "interface", ri->iface);
	char ts[40];
	eve_format_time(ri->started, 0, ts);
	jb_name(b, "started", ts);
	if (ri->user)
		jb_str(b, "user", ri->user);
	if (ri->ninputs) {
		jb_arr_open(b, "inputs");
		for (int i = 0; i < ri->ninputs; i++) {
			const struct run_input *in = &ri->inputs[i];
			jb_obj_open(b, NULL);
			jb_str(b, "file", in->file);
			if (in->hashed) {
				jb_name(b, "sha256", in->sha256);
				jb_u64(b, "bytes", in->bytes);
			} else {
				jb_null(b, "sha256");
				jb_str(b, "not_hashed", in->not_hashed ? in->not_hashed : "unknown");
			}
			jb_obj_close(b);
		}
		jb_arr_close(b);
	}
	if (ri->hsms_records) {
		jb_obj_open(b, "records");
		jb_name(b, "hsms", ri->hsms_records);
		jb_name(b, "modbus", ri->modbus_records);
		jb_name(b, "flow", ri->flow_records);
		jb_obj_close(b);
	}
	if (ri->pol.policy)
		policy_members(b, &ri->pol, -1);
	else
		jb_null(b, "policy");
	jb_obj_close(b);
	jb_obj_close(b);
}

void eve_run(struct eve *e, const struct run_info *ri)
{
	eve_run_build(e, &e->jb, ri);
	eve_put(e, &e->jb);
}

void eve_policy(struct eve *e, int64_t sec, uint32_t usec, const struct run_policy *rp, bool reload)
{
	struct jbuf *b = &e->jb;
	eve_header(e, b, sec, usec, NULL, "policy");
	policy_members(b, rp, reload);
	eve_commit(e, b);
}
