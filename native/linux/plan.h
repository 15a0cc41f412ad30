/* Shared by the plan reader (plan.c) and the operation handlers (plan_ops.c); nothing else needs it. */
#ifndef MCP_CONTAIN_PLAN_H
#define MCP_CONTAIN_PLAN_H

#include "helper.h"

/* One handler per line of plan_ops.def: ARG holds the N decoded words after the name (N already checked against
 * the table's MIN_ARGS..MAX_ARGS); LINE is for messages. */
#define PLAN_OP(name, id, min, max, occurs, meaning) void op_##id(struct plan *plan, char **arg, int n, size_t line);
#include "plan_ops.def"
#undef PLAN_OP

unsigned long long plan_number(const char *s, size_t line);
unsigned plan_mode_bits(const char *s, size_t line);
int plan_hex_digit(int c);

#endif
