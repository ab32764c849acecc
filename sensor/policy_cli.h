/* SPDX-License-Identifier: BSD-2-Clause */
/* The policy commands: check-policy, rules, learn. */
#ifndef FABMON_POLICY_CLI_H
#define FABMON_POLICY_CLI_H

/* argv[0] is the command name. Returns an enum exit_code. */
int cmd_check_policy(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_learn(int argc, char **argv);

#endif
