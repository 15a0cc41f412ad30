/* The plan reader. The plan is text written by the Java launcher; plan_ops.def defines its format and every
 * operation (name, argument count, how often it may appear), and this file builds its op table from that list:
 * a line is looked up in the table, its argument count and occurrence checked there, and only then handed to the
 * operation's handler (plan_ops.c). A plan that breaks any rule is refused as a whole, before anything starts. */
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_PLAN (16u << 20)
#define MAX_WORDS 8

enum occurs { REQUIRED, ONCE, MANY };

struct op_spec {
    const char *name;
    int min_args, max_args;
    enum occurs occurs;
    void (*apply)(struct plan *plan, char **arg, int n, size_t line);
};

static const struct op_spec ops[] = {
#define PLAN_OP(name, id, min, max, occurs, meaning) {name, min, max, occurs, op_##id},
#include "plan_ops.def"
#undef PLAN_OP
};

#define N_OPS (sizeof ops / sizeof ops[0])

int plan_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes in place; a NUL byte or a broken escape makes the whole plan invalid. */
static char *decode(char *word, size_t line)
{
    char *out = word;
    for (char *in = word; *in; in++) {
        if (*in == '%') {
            int hi = plan_hex_digit(in[1]), lo = hi < 0 ? -1 : plan_hex_digit(in[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                die("plan line %zu: bad escape", line);
            *out++ = (char)(hi << 4 | lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return word;
}

unsigned long long plan_number(const char *s, size_t line)
{
    if (strcmp(s, "inf") == 0)
        return RLIM_INFINITY;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || *s < '0' || *s > '9')
        die("plan line %zu: '%s' is not a number", line, s);
    return v;
}

unsigned plan_mode_bits(const char *s, size_t line)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 8);
    if (errno || *end || *s < '0' || *s > '7' || v > 07777)
        die("plan line %zu: '%s' is not an octal mode", line, s);
    return (unsigned)v;
}

static const struct op_spec *lookup(const char *name, size_t line)
{
    for (size_t i = 0; i < N_OPS; i++)
        if (!strcmp(ops[i].name, name))
            return &ops[i];
    die("plan line %zu: unknown operation '%s' (helper and launcher versions differ?)", line, name);
}

static void apply_line(struct plan *plan, char **w, int n, size_t line, unsigned *seen)
{
    const struct op_spec *op = lookup(w[0], line);
    int args = n - 1;
    if (args < op->min_args || args > op->max_args) {
        if (op->min_args == op->max_args)
            die("plan line %zu: '%s' takes %d argument(s), got %d", line, op->name, op->min_args, args);
        die("plan line %zu: '%s' takes %d to %d arguments, got %d", line, op->name, op->min_args, op->max_args, args);
    }
    unsigned *count = &seen[op - ops];
    if (op->occurs != MANY && *count > 0)
        die("plan line %zu: '%s' may appear only once", line, op->name);
    (*count)++;
    op->apply(plan, w + 1, args, line);
}

/* What no single line can show: everything REQUIRED is there, and the parts fit together. */
static void check_whole(const struct plan *plan, const unsigned *seen)
{
    for (size_t i = 0; i < N_OPS; i++)
        if (ops[i].occurs == REQUIRED && !seen[i])
            die("plan has no '%s' line", ops[i].name);
    if (plan->argc == 0)
        die("plan names no program");
    if (plan->mode == MODE_NAMESPACES && !plan->clone_flags)
        die("namespaces mode without namespaces");
    if ((plan->n_guard_names || plan->n_guard_exempt) && !plan->guard_filter_len)
        die("plan names create-guard names or exempt paths but has no create-guard program");
    if (plan->guard_filter_len && !plan->n_guard_names)
        die("plan has a create-guard program but no create-guard-name");
    if (plan->guard_filter_len && !plan->seccomp_len)
        die("plan has a create-guard program but no seccomp program (the guard runs under the main filter)");
}

void plan_read(int fd, struct plan *plan)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = xcalloc(cap, 1);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= MAX_PLAN)
                die("plan larger than %u bytes", MAX_PLAN);
            cap *= 2;
            char *bigger = realloc(buf, cap);
            if (!bigger)
                die("out of memory");
            buf = bigger;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("reading the plan");
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len))
        die("plan contains a NUL byte");

    unsigned seen[N_OPS] = {0};
    const unsigned *ended = &seen[lookup("end", 0) - ops];
    size_t line_no = 0;
    bool header = false;
    /* Every line counts, empty ones too, so that a message's line number is the line a reader sees. */
    for (char *line = buf, *next; line < buf + len; line = next) {
        char *newline = strchr(line, '\n');
        next = newline ? newline + 1 : buf + len;
        if (newline)
            *newline = '\0';
        line_no++;
        if (!*line)
            continue;
        if (*ended)
            die("plan line %zu: text after 'end'", line_no);
        char *words[MAX_WORDS];
        int n = 0;
        char *wsave = NULL;
        for (char *w = strtok_r(line, " ", &wsave); w; w = strtok_r(NULL, " ", &wsave)) {
            if (n == MAX_WORDS)
                die("plan line %zu: too many words", line_no);
            words[n++] = decode(w, line_no);
        }
        if (n == 0)
            continue;
        if (!header) {
            if (line_no != 1 || n != 2 || strcmp(words[0], "mcp-contain-plan") || strcmp(words[1], "1"))
                die("not an mcp-contain plan (version 1)");
            header = true;
            continue;
        }
        apply_line(plan, words, n, line_no, seen);
    }
    if (!header)
        die("not an mcp-contain plan (it is empty)");
    if (!*ended)
        die("plan is truncated (no 'end' line)");
    check_whole(plan, seen);
    plan->argv[plan->argc] = NULL;
    plan->envp[plan->envc] = NULL;
}
