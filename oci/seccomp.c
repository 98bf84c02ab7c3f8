/* seccomp.c - linux.seccomp compiled into the classic BPF program libseccomp
 * would build for runc, and loaded. Syscall numbers: seccomp-syscalls.h. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "oci/seccomp.h"
#include "sort.h"

/*
 * What the program does, and where it follows runc + libseccomp:
 *
 * - It dispatches on seccomp_data.arch to one section per AUDIT_ARCH; an arch
 *   not in the filter gets SECCOMP_RET_KILL_THREAD (libseccomp's default
 *   bad-arch action, which runc keeps). The native arch is always in.
 * - x86_64 and x32 share AUDIT_ARCH_X86_64; x32 numbers carry bit 30. With
 *   both in the filter one section holds both number sets (they cannot
 *   collide); with only one, numbers of the other ABI are a bad arch, except
 *   nr -1, which tracers use to skip a syscall (libseccomp does the same).
 * - Arches of another CPU family (and mips, ppc, s390, ...) are accepted and
 *   left out: no kernel that runs this binary reports them, so libseccomp's
 *   sections for them could never match. A name unknown on an arch is skipped
 *   there, as libseccomp and runc do.
 * - A rule whose action equals the default action is dropped (runc does, to
 *   keep libseccomp from refusing it). For each syscall, an unconditional rule
 *   wins over conditional ones, the first such rule if there are several
 *   (libseccomp keeps the first catch-all and drops later rules for that
 *   syscall). Otherwise conditional rules are tried in the profile's order and
 *   the first that matches decides; none matching means the default action.
 *   libseccomp merges overlapping conditional rules with different actions
 *   into a tree whose outcome is not a simple order; profiles in use (Docker's)
 *   never have such overlaps.
 * - The comparisons of one rule are ANDed, except when the rule compares the
 *   same argument twice: runc then adds each comparison as a rule of its own,
 *   so they are ORed here too.
 * - Arguments are compared as 64-bit values (high word, then low word); on the
 *   32-bit ABIs (x86, x32, arm) only the low words, the rule's value cut to 32
 *   bits, as libseccomp does. MASKED_EQ compares (arg & value) with
 *   (valueTwo & value).
 * - runc's -ENOSYS stub: unless the default action is ALLOW, LOG or TRACE, a
 *   syscall numbered above the highest one the profile names on that arch
 *   fails with ENOSYS instead of the default action, so that libcs fall back
 *   from syscalls newer than the profile (clone3, faccessat2...). Unlike runc,
 *   arm's private syscalls (0x0f0000 + n, "cacheflush", "set_tls"...) neither
 *   count as the highest nor get ENOSYS: with them in the profile, as in
 *   Docker's, runc's stub never fires on arm.
 * - Per arch, syscalls are found by a binary tree of comparisons with linear
 *   leaves (runc turns on libseccomp's tree for long profiles too), so a
 *   syscall costs a few dozen instructions, not hundreds.
 */

/* The arches whose syscall numbers tug knows; the tables of one CPU family are
 * compiled in (seccomp-syscalls.h maps its columns to these). */
enum arch { ARCH_X86_64, ARCH_X86, ARCH_X32, ARCH_AARCH64, ARCH_ARM, ARCH_FOREIGN };

#include "oci/seccomp-syscalls.h"

#define X32_BIT 0x40000000u
#define ARM_PRIVATE_BASE 0x0f0000u
#define NARGS 6
/* Syscalls compared one after the other at a leaf of the dispatch tree:
 * fewer means a faster lookup and a few more instructions. */
#define LEAF 16
/* "The instruction that follows", where a jump wants a label. */
#define NEXT (-1)

#define ARG_LO(i)                                                                                  \
	((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i) +                                \
		    4 * (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)))
#define ARG_HI(i) (ARG_LO(i) ^ 4)

/* In enum arch order first; then names accepted and left out (runc's list
 * plus the spec's parisc). */
static const char *const arch_names[] = {
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",      "SCMP_ARCH_X32",         "SCMP_ARCH_AARCH64",
	"SCMP_ARCH_ARM",    "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",  "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
};

static const uint32_t arch_audit[ARCH_FOREIGN] = {
	AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM,
};

/* libseccomp treats these as 32-bit: it compares the low words only. */
#define ARCH_32BIT ((1u << ARCH_X86) | (1u << ARCH_X32) | (1u << ARCH_ARM))

static const uint8_t col_arch[SC_COLS] = SC_COL_ARCHES;

/* runc's flags; TSYNC is passed on (runc ignores it: it always syncs). */
static const struct {
	const char *name;
	unsigned int bit;
} flag_names[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
};

static int find_name(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ syscall tables */

/* strcmp against a name in sc_names, which ends at a byte below 32 too. */
static int sc_cmp(const char *name, const char *coded)
{
	unsigned char a, b;

	do {
		a = (unsigned char)*name++;
		b = (unsigned char)*coded++;
		b = b < 32 ? 0 : b;
	} while (a && a == b);
	return a - b;
}

/* The table row of name, or -1: a binary search for the block, then a walk
 * through the block rebuilding each name from the one before. */
static int sc_find(const char *name)
{
	size_t lo = 0, hi = NELEM(sc_block), len = 0, b;
	const char *p, *end;
	char cur[SC_NAME_MAX + 1];
	int row, c;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc_cmp(name, sc_names + sc_block[mid]) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0)
		return -1;
	b = lo - 1;
	p = sc_names + sc_block[b];
	end = b + 1 < NELEM(sc_block) ? sc_names + sc_block[b + 1]
				      : sc_names + sizeof(sc_names) - 1;
	for (row = (int)(b * SC_BLOCK);; row++) {
		while (p < end && (unsigned char)*p >= 32 && len < SC_NAME_MAX)
			cur[len++] = *p++;
		cur[len] = '\0';
		c = strcmp(name, cur);
		if (c <= 0 || p == end)
			return c == 0 ? row : -1;
		len = (unsigned char)*p++;
	}
}

/* The number the kernel reports for row's syscall on column col, or -1. */
static long sc_number(int row, int col)
{
	unsigned int v = sc_nr[row][col];

	if (v == SC_NONE)
		return -1;
	if (col_arch[col] == ARCH_ARM && v >= 0xf000)
		return ARM_PRIVATE_BASE + (v & 0xfff);
	if (col_arch[col] == ARCH_X32)
		return v | X32_BIT;
	return v;
}

static int arch_col(int arch)
{
	int col;

	for (col = 0; col < SC_COLS; col++)
		if (col_arch[col] == arch)
			return col;
	return -1;
}

long oci_seccomp_syscall_nr(const char *arch, const char *name)
{
	int a = find_name(arch_names, NELEM(arch_names), arch);
	int col = a >= 0 && a < ARCH_FOREIGN ? arch_col(a) : -1;
	int row = col >= 0 && name ? sc_find(name) : -1;

	return row >= 0 ? sc_number(row, col) : -1;
}

/* ------------------------------------------------------------ code generator */

/* Instructions are generated with symbolic jump targets (labels) and laid out
 * at the end, when it is known which conditional jumps are too long for their
 * 8-bit offsets: those go through an unconditional jump (32-bit offset)
 * placed right after them. */
struct ins {
	uint16_t code;
	uint8_t far; /* bit 0: jt goes through a trampoline, bit 1: jf does */
	uint32_t k;
	int jt, jf; /* labels or NEXT; a JA's target is jt */
};

struct gen {
	struct ins *ins;
	size_t n, cap; /* n keeps counting past IR_MAX, to say how many were wanted */
	int *lbl; /* label -> index of the instruction placed after it */
	size_t nlbl, lcap;
	bool nomem; /* sticky: everything after a failed allocation is a no-op */
};

/* Layout only adds instructions, so more than this can never load. */
#define IR_MAX (BPF_MAXINSNS + 1)

static bool grow(void **p, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 256;
	void *np = realloc(*p, ncap * size);

	if (!np)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

static void emit(struct gen *g, uint16_t code, uint32_t k, int jt, int jf)
{
	if (g->nomem)
		return;
	if (g->n < IR_MAX) {
		if (g->n == g->cap && !grow((void **)&g->ins, &g->cap, sizeof(*g->ins))) {
			g->nomem = true;
			return;
		}
		g->ins[g->n] = (struct ins){.code = code, .k = k, .jt = jt, .jf = jf};
	}
	g->n++;
}

static int label(struct gen *g)
{
	if (g->nomem)
		return 0;
	if (g->nlbl == g->lcap && !grow((void **)&g->lbl, &g->lcap, sizeof(*g->lbl))) {
		g->nomem = true;
		return 0;
	}
	g->lbl[g->nlbl] = -1;
	return (int)g->nlbl++;
}

static void here(struct gen *g, int l)
{
	if (!g->nomem)
		g->lbl[l] = (int)g->n;
}

static void ld(struct gen *g, uint32_t off)
{
	emit(g, BPF_LD | BPF_W | BPF_ABS, off, 0, 0);
}

static void jmp(struct gen *g, uint16_t op, uint32_t k, int jt, int jf)
{
	emit(g, BPF_JMP | op | BPF_K, k, jt, jf);
}

static void ja(struct gen *g, int l)
{
	emit(g, BPF_JMP | BPF_JA, 0, l, 0);
}

static void ret(struct gen *g, uint32_t k)
{
	emit(g, BPF_RET | BPF_K, k, 0, 0);
}

static bool is_cond(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* The instruction a jump from i to label l lands on, or -1 if that is not a
 * forward jump to an instruction (a generator bug). */
static long target(const struct gen *g, size_t i, int l)
{
	long t = l == NEXT ? (long)i + 1 : g->lbl[l];

	return t > (long)i && t < (long)g->n ? t : -1;
}

static size_t far_size(uint8_t far)
{
	return 1 + (far & 1) + (far >> 1);
}

/* Mark the conditional jumps that cannot reach, until nothing changes: a new
 * trampoline can push other jumps out of reach, never back in. */
static void relax(struct gen *g, size_t *pos)
{
	bool changed = true;
	size_t i, p;

	while (changed) {
		changed = false;
		for (i = 0, p = 0; i < g->n; p += far_size(g->ins[i].far), i++)
			pos[i] = p;
		pos[g->n] = p;
		for (i = 0; i < g->n; i++) {
			struct ins *in = &g->ins[i];

			if (!is_cond(in->code))
				continue;
			if (!(in->far & 1) && pos[target(g, i, in->jt)] - pos[i] - 1 > 255)
				in->far |= 1, changed = true;
			if (!(in->far & 2) && pos[target(g, i, in->jf)] - pos[i] - 1 > 255)
				in->far |= 2, changed = true;
		}
	}
}

static struct sock_filter trampoline(const size_t *pos, size_t at, long t)
{
	return (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(pos[t] - at - 1), 0, 0);
}

static void lay_out(const struct gen *g, const size_t *pos, struct sock_filter *out)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		const struct ins *in = &g->ins[i];
		size_t p = pos[i];
		struct sock_filter *f = &out[p];
		long t, u;

		*f = (struct sock_filter)BPF_STMT(in->code, in->k);
		if (in->code == (BPF_JMP | BPF_JA)) {
			f->k = (uint32_t)(pos[target(g, i, in->jt)] - p - 1);
		} else if (is_cond(in->code)) {
			t = target(g, i, in->jt);
			u = target(g, i, in->jf);
			f->jt = in->far & 1 ? 0 : (uint8_t)(pos[t] - p - 1);
			f->jf = in->far & 2 ? in->far & 1 : (uint8_t)(pos[u] - p - 1);
			if (in->far & 1)
				out[p + 1] = trampoline(pos, p + 1, t);
			if (in->far & 2)
				out[p + 1 + (in->far & 1)] =
					trampoline(pos, p + 1 + (in->far & 1), u);
		}
	}
}

static int assemble(struct gen *g, struct oci_bpf *out, struct err *e)
{
	size_t i, len, *pos;

	if (g->nomem)
		return err_sys(e, ENOMEM, "linux.seccomp: compile the filter");
	if (g->n > BPF_MAXINSNS)
		return err_set(e,
			       "linux.seccomp: the filter needs at least %zu BPF instructions, "
			       "more than the kernel's limit of %d",
			       g->n, BPF_MAXINSNS);
	for (i = 0; i < g->n; i++) {
		const struct ins *in = &g->ins[i];

		if ((in->code == (BPF_JMP | BPF_JA) && target(g, i, in->jt) < 0) ||
		    (is_cond(in->code) && (target(g, i, in->jt) < 0 || target(g, i, in->jf) < 0)))
			return err_set(e, "linux.seccomp: internal error: bad jump at %zu", i);
	}
	pos = malloc((g->n + 1) * sizeof(*pos));
	if (!pos)
		return err_sys(e, ENOMEM, "linux.seccomp: compile the filter");
	relax(g, pos);
	len = pos[g->n];
	if (len > BPF_MAXINSNS) {
		free(pos);
		return err_set(e,
			       "linux.seccomp: the filter needs %zu BPF instructions, more than "
			       "the kernel's limit of %d",
			       len, BPF_MAXINSNS);
	}
	out->insns = malloc(len * sizeof(*out->insns));
	if (!out->insns) {
		free(pos);
		return err_sys(e, ENOMEM, "linux.seccomp: compile the filter");
	}
	lay_out(g, pos, out->insns);
	out->len = (unsigned short)len;
	free(pos);
	return 0;
}

/* ------------------------------------------------------------ argument tests */

static bool arg_is_masked(const struct oci_seccomp_arg *a)
{
	return a->op == OCI_SCMP_CMP_MASKED_EQ;
}

/* A comparison that always holds: libseccomp leaves it out of the rule. */
static bool arg_tautology(const struct oci_seccomp_arg *a, bool is32)
{
	return arg_is_masked(a) && (is32 ? (uint32_t)a->value : a->value) == 0;
}

/* The low (or only) word of a comparison: jump to pass or fail. */
static void emit_word(struct gen *g, int op, uint32_t off, uint32_t v, uint32_t mask, int pass,
		      int fail)
{
	ld(g, off);
	switch (op) {
	case OCI_SCMP_CMP_MASKED_EQ:
		if (mask != UINT32_MAX)
			emit(g, BPF_ALU | BPF_AND | BPF_K, mask, 0, 0);
		/* fall through */
	case OCI_SCMP_CMP_EQ:
		jmp(g, BPF_JEQ, v, pass, fail);
		break;
	case OCI_SCMP_CMP_NE:
		jmp(g, BPF_JEQ, v, fail, pass);
		break;
	case OCI_SCMP_CMP_GT:
		jmp(g, BPF_JGT, v, pass, fail);
		break;
	case OCI_SCMP_CMP_GE:
		jmp(g, BPF_JGE, v, pass, fail);
		break;
	case OCI_SCMP_CMP_LT:
		jmp(g, BPF_JGE, v, fail, pass);
		break;
	case OCI_SCMP_CMP_LE:
		jmp(g, BPF_JGT, v, fail, pass);
		break;
	}
}

/* The high word of a 64-bit comparison: decides alone when it differs from
 * the value's, else goes on to cont, where the low word is compared. */
static void emit_high(struct gen *g, int op, uint32_t off, uint32_t v, uint32_t mask, int cont,
		      int pass, int fail)
{
	ld(g, off);
	switch (op) {
	case OCI_SCMP_CMP_MASKED_EQ:
		if (mask != UINT32_MAX)
			emit(g, BPF_ALU | BPF_AND | BPF_K, mask, 0, 0);
		/* fall through */
	case OCI_SCMP_CMP_EQ:
		jmp(g, BPF_JEQ, v, cont, fail);
		break;
	case OCI_SCMP_CMP_NE:
		jmp(g, BPF_JEQ, v, cont, pass);
		break;
	case OCI_SCMP_CMP_GT:
	case OCI_SCMP_CMP_GE:
		jmp(g, BPF_JGT, v, pass, NEXT);
		jmp(g, BPF_JEQ, v, cont, fail);
		break;
	case OCI_SCMP_CMP_LT:
	case OCI_SCMP_CMP_LE:
		jmp(g, BPF_JGT, v, fail, NEXT);
		jmp(g, BPF_JEQ, v, cont, pass);
		break;
	}
}

/* Jump to pass when argument a satisfies its comparison, else to fail. The
 * caller has left tautologies out. */
static void emit_cmp(struct gen *g, const struct oci_seccomp_arg *a, bool is32, int pass, int fail)
{
	bool masked = arg_is_masked(a);
	uint64_t mask = masked ? a->value : UINT64_MAX;
	uint64_t v = (masked ? a->value_two : a->value) & mask;
	int p = pass == NEXT ? label(g) : pass;
	int f = fail == NEXT ? label(g) : fail;
	bool need_lo = !masked || (uint32_t)mask;

	if (!is32 && !(masked && !(mask >> 32)))
		emit_high(g, a->op, ARG_HI(a->index), (uint32_t)(v >> 32), (uint32_t)(mask >> 32),
			  need_lo ? NEXT : p, p, f);
	if (need_lo)
		emit_word(g, a->op, ARG_LO(a->index), (uint32_t)v, (uint32_t)mask, p, f);
	if (pass == NEXT)
		here(g, p);
	if (fail == NEXT)
		here(g, f);
}

/* ------------------------------------------------------------ compiler */

struct rule_info {
	uint32_t ret; /* SECCOMP_RET_* with data */
	bool keep; /* false: same action as the default, dropped */
	bool any_of; /* an argument compared twice: runc ORs the comparisons */
};

struct ctx {
	const struct oci_seccomp *s;
	struct rule_info *ri;
	uint32_t def; /* the default action's return value */
	unsigned int arches; /* bit per enum arch in the filter */
	bool stub; /* runc's -ENOSYS for syscalls newer than the profile */
	int l_badarch, l_enosys;
	struct gen g;
};

/* One syscall number in one rule, on the arch of one section. */
struct ent {
	uint32_t nr;
	uint32_t rule;
	bool is32;
};

/* All rules for one syscall number. */
struct grp {
	uint32_t nr;
	size_t first, n; /* in the section's ents */
	bool is32;
	bool uncond; /* decided by the syscall alone: ret */
	uint32_t ret;
};

static bool rule_uncond(const struct ctx *c, size_t r, bool is32)
{
	const struct oci_seccomp_rule *rule = &c->s->syscalls[r];
	size_t j, taut = 0;

	for (j = 0; j < rule->n_args; j++)
		taut += arg_tautology(&rule->args[j], is32);
	return c->ri[r].any_of ? taut > 0 : taut == rule->n_args;
}

/* Rule r's tests, falling through to the next rule when they fail. */
static void emit_rule(struct ctx *c, size_t r, bool is32)
{
	const struct oci_seccomp_rule *rule = &c->s->syscalls[r];
	struct gen *g = &c->g;
	bool any_of = c->ri[r].any_of;
	int fail = label(g), pass = any_of ? label(g) : NEXT;
	size_t j, left = 0;

	for (j = 0; j < rule->n_args; j++)
		left += !arg_tautology(&rule->args[j], is32);
	for (j = 0; j < rule->n_args; j++) {
		const struct oci_seccomp_arg *a = &rule->args[j];

		if (arg_tautology(a, is32))
			continue;
		left--;
		if (any_of)
			emit_cmp(g, a, is32, pass, left ? NEXT : fail);
		else
			emit_cmp(g, a, is32, NEXT, fail);
	}
	if (any_of)
		here(g, pass);
	ret(g, c->ri[r].ret);
	here(g, fail);
}

static void emit_leaf(struct ctx *c, const struct grp *gr, size_t n, const struct ent *ents)
{
	struct gen *g = &c->g;
	struct {
		uint32_t ret;
		int l;
	} pool[LEAF];
	int lbl[LEAF];
	size_t np = 0, i, k, j;

	/* the syscalls; unconditional ones jump straight to a shared return */
	for (i = 0; i < n; i++) {
		if (gr[i].uncond) {
			for (k = 0; k < np && pool[k].ret != gr[i].ret; k++)
				;
			if (k == np) {
				pool[np].ret = gr[i].ret;
				pool[np++].l = label(g);
			}
			lbl[i] = pool[k].l;
		} else {
			lbl[i] = label(g);
		}
		jmp(g, BPF_JEQ, gr[i].nr, lbl[i], NEXT);
	}
	ret(g, c->def);
	for (k = 0; k < np; k++) {
		here(g, pool[k].l);
		ret(g, pool[k].ret);
	}
	/* a block of argument tests per conditional syscall */
	for (i = 0; i < n; i++) {
		if (gr[i].uncond)
			continue;
		here(g, lbl[i]);
		for (j = gr[i].first; j < gr[i].first + gr[i].n; j++)
			if (j == gr[i].first || ents[j].rule != ents[j - 1].rule)
				emit_rule(c, ents[j].rule, gr[i].is32);
		ret(g, c->def);
	}
}

static void emit_tree(struct ctx *c, const struct grp *gr, size_t n, const struct ent *ents)
{
	size_t mid = n / 2;
	int right;

	if (n <= LEAF) {
		emit_leaf(c, gr, n, ents);
		return;
	}
	right = label(&c->g);
	jmp(&c->g, BPF_JGT, gr[mid - 1].nr, right, NEXT);
	emit_tree(c, gr, mid, ents);
	here(&c->g, right);
	emit_tree(c, gr + mid, n - mid, ents);
}

/* Load nr, apply runc's -ENOSYS stub and libseccomp's x86_64/x32 split. */
static void emit_prologue(struct ctx *c, unsigned int mask, const uint32_t *max)
{
	struct gen *g = &c->g;
	bool b64 = mask & (1u << ARCH_X86_64), b32 = mask & (1u << ARCH_X32);
	int body = label(g), l32 = label(g), a;

	ld(g, offsetof(struct seccomp_data, nr));
	if (c->stub && (b64 || b32)) {
		/* each ABI gets its own limit; runc tests bit 30 the same way */
		jmp(g, BPF_JSET, X32_BIT, l32, NEXT);
		if (b64 && max[ARCH_X86_64])
			jmp(g, BPF_JGT, max[ARCH_X86_64], c->l_enosys, body);
		else
			ja(g, body);
		here(g, l32);
		if (b32 && max[ARCH_X32])
			jmp(g, BPF_JGT, max[ARCH_X32], c->l_enosys, NEXT);
	} else if (c->stub) {
		for (a = 0; a < ARCH_FOREIGN; a++) {
			if (!(mask & (1u << a)) || !max[a])
				continue;
			if (a == ARCH_ARM) { /* private syscalls are not newer ones */
				jmp(g, BPF_JGT, max[a], NEXT, body);
				jmp(g, BPF_JGE, ARM_PRIVATE_BASE, body, c->l_enosys);
			} else {
				jmp(g, BPF_JGT, max[a], c->l_enosys, NEXT);
			}
		}
	}
	here(g, body);
	if (b64 && !b32) {
		jmp(g, BPF_JGE, X32_BIT, NEXT, body = label(g));
		jmp(g, BPF_JEQ, UINT32_MAX, body, c->l_badarch);
		here(g, body);
	} else if (b32 && !b64) {
		jmp(g, BPF_JGE, X32_BIT, body = label(g), c->l_badarch);
		here(g, body);
	}
}

static int ent_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;

	if (a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

/* The section's (syscall, rule) pairs sorted by number then rule order, and
 * the highest number the profile names per arch (for the stub, all rules
 * count, as in runc). */
static size_t collect(const struct ctx *c, unsigned int mask, struct ent *ents, uint32_t *max)
{
	const struct oci_seccomp *s = c->s;
	size_t r, k, n = 0;
	int col;

	for (col = 0; col < SC_COLS; col++) {
		int a = col_arch[col];

		if (!(mask & (1u << a)))
			continue;
		for (r = 0; r < s->n_syscalls; r++) {
			for (k = 0; k < s->syscalls[r].n_names; k++) {
				int row = sc_find(s->syscalls[r].names[k]);
				long nr = row >= 0 ? sc_number(row, col) : -1;

				if (nr < 0)
					continue;
				if ((uint32_t)nr > max[a] &&
				    !(a == ARCH_ARM && (uint32_t)nr >= ARM_PRIVATE_BASE))
					max[a] = (uint32_t)nr;
				if (c->ri[r].keep)
					ents[n++] = (struct ent){(uint32_t)nr, (uint32_t)r,
								 (ARCH_32BIT >> a) & 1};
			}
		}
	}
	sort_heap(ents, n, sizeof(*ents), ent_cmp);
	return n;
}

static size_t group(const struct ctx *c, const struct ent *ents, size_t n, struct grp *gr)
{
	size_t i, j, ng = 0;

	for (i = 0; i < n; i = j) {
		struct grp *x = &gr[ng++];

		*x = (struct grp){.nr = ents[i].nr, .first = i, .is32 = ents[i].is32};
		for (j = i; j < n && ents[j].nr == ents[i].nr; j++)
			if (!x->uncond && rule_uncond(c, ents[j].rule, x->is32)) {
				x->uncond = true;
				x->ret = c->ri[ents[j].rule].ret;
			}
		x->n = j - i;
	}
	return ng;
}

static int emit_section(struct ctx *c, unsigned int mask, struct err *e)
{
	const struct oci_seccomp *s = c->s;
	uint32_t max[ARCH_FOREIGN] = {0};
	size_t r, total = 0, n, ng;
	struct ent *ents;
	struct grp *gr;

	for (r = 0; r < s->n_syscalls; r++)
		total += s->syscalls[r].n_names;
	total *= 2; /* a section holds two arches at most (x86_64 and x32) */
	ents = malloc((total ? total : 1) * sizeof(*ents));
	gr = malloc((total ? total : 1) * sizeof(*gr));
	if (!ents || !gr) {
		free(ents);
		free(gr);
		return err_sys(e, ENOMEM, "linux.seccomp: compile the filter");
	}
	n = collect(c, mask, ents, max);
	ng = group(c, ents, n, gr);
	emit_prologue(c, mask, max);
	if (ng)
		emit_tree(c, gr, ng, ents);
	else
		ret(&c->g, c->def);
	free(ents);
	free(gr);
	return 0;
}

/* The arch dispatch, then one section per AUDIT_ARCH, native first. */
static int emit_program(struct ctx *c, struct err *e)
{
	struct gen *g = &c->g;
	unsigned int mask[SC_COLS] = {0};
	uint32_t audit[SC_COLS];
	int lsec[SC_COLS];
	size_t nsec = 0, i;
	int k;

	for (k = 0; k < SC_COLS; k++) {
		int col = k == 0 ? SC_NATIVE_COL : k <= SC_NATIVE_COL ? k - 1 : k;
		int a = col_arch[col];

		if (!(c->arches & (1u << a)))
			continue;
		for (i = 0; i < nsec && audit[i] != arch_audit[a]; i++)
			;
		if (i == nsec) {
			audit[nsec] = arch_audit[a];
			lsec[nsec++] = label(g);
		}
		mask[i] |= 1u << a;
	}
	c->l_badarch = label(g);
	c->l_enosys = label(g);
	ld(g, offsetof(struct seccomp_data, arch));
	for (i = 0; i < nsec; i++)
		jmp(g, BPF_JEQ, audit[i], lsec[i], NEXT);
	ret(g, SECCOMP_RET_KILL_THREAD);
	for (i = 0; i < nsec; i++) {
		here(g, lsec[i]);
		if (emit_section(c, mask[i], e) < 0)
			return -1;
	}
	here(g, c->l_badarch);
	ret(g, SECCOMP_RET_KILL_THREAD);
	here(g, c->l_enosys);
	ret(g, SECCOMP_RET_ERRNO | ENOSYS);
	return 0;
}

/* ------------------------------------------------------------ spec checks */

/* An action and its errnoRet as a SECCOMP_RET_* value. at + key name the
 * JSON fields for messages. */
static int action_ret(int action, const struct oci_opt_u64 *eret, const char *at,
		      const char *act_key, const char *errno_key, uint32_t *ret_val, struct err *e)
{
	uint64_t data = eret->has ? eret->v : EPERM;

	switch (action) {
	case OCI_SCMP_KILL:
		*ret_val = SECCOMP_RET_KILL_THREAD;
		return 0;
	case OCI_SCMP_KILL_PROCESS:
		*ret_val = SECCOMP_RET_KILL_PROCESS;
		return 0;
	case OCI_SCMP_TRAP:
		*ret_val = SECCOMP_RET_TRAP;
		return 0;
	case OCI_SCMP_ALLOW:
		*ret_val = SECCOMP_RET_ALLOW;
		return 0;
	case OCI_SCMP_LOG:
		*ret_val = SECCOMP_RET_LOG;
		return 0;
	case OCI_SCMP_ERRNO:
	case OCI_SCMP_TRACE:
		if (data > SECCOMP_RET_DATA)
			return err_set(e,
				       "%s%s: %llu does not fit in the 16 bits of data a seccomp "
				       "action carries",
				       at, errno_key, (unsigned long long)data);
		*ret_val = (action == OCI_SCMP_ERRNO ? SECCOMP_RET_ERRNO : SECCOMP_RET_TRACE) |
			   (uint32_t)data;
		return 0;
	case OCI_SCMP_NOTIFY:
		return err_set(e,
			       "%s%s: SCMP_ACT_NOTIFY is not supported (tug has no seccomp "
			       "agent support)",
			       at, act_key);
	}
	return err_set(e, "%s%s: unknown action %d", at, act_key, action);
}

static int check_flags(const struct oci_seccomp *s, unsigned int *flags, struct err *e)
{
	size_t i;
	int k;

	*flags = 0;
	for (i = 0; i < s->n_flags; i++) {
		const char *f = s->flags[i] ? s->flags[i] : "";

		for (k = 0; k < (int)NELEM(flag_names) && strcmp(f, flag_names[k].name); k++)
			;
		if (k < (int)NELEM(flag_names))
			*flags |= flag_names[k].bit;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
			return err_set(
				e,
				"linux.seccomp.flags[%zu]: %s only applies to SCMP_ACT_NOTIFY, "
				"which tug does not support",
				i, f);
		else
			return err_set(e, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, f);
	}
	return 0;
}

static int check_arches(struct ctx *c, struct err *e)
{
	const struct oci_seccomp *s = c->s;
	size_t i;

	c->arches = 1u << col_arch[SC_NATIVE_COL];
	for (i = 0; i < s->n_architectures; i++) {
		const char *name = s->architectures[i];
		int a = find_name(arch_names, NELEM(arch_names), name);

		if (a < 0)
			return err_set(e,
				       "linux.seccomp.architectures[%zu]: unknown architecture "
				       "\"%s\"",
				       i, name ? name : "");
		/* another CPU family's arch: no kernel running tug reports it */
		if (a < ARCH_FOREIGN && arch_col(a) >= 0)
			c->arches |= 1u << a;
	}
	return 0;
}

static int check_rule(struct ctx *c, size_t r, struct err *e)
{
	const struct oci_seccomp_rule *rule = &c->s->syscalls[r];
	struct rule_info *ri = &c->ri[r];
	unsigned int seen = 0;
	char at[48];
	size_t j;

	snprintf(at, sizeof(at), "linux.seccomp.syscalls[%zu].", r);
	if (action_ret(rule->action, &rule->errno_ret, at, "action", "errnoRet", &ri->ret, e) < 0)
		return -1;
	ri->keep = ri->ret != c->def;
	for (j = 0; j < rule->n_names; j++)
		if (!rule->names[j] || !rule->names[j][0])
			return err_set(e, "%snames[%zu]: empty syscall name", at, j);
	for (j = 0; j < rule->n_args; j++) {
		const struct oci_seccomp_arg *a = &rule->args[j];

		if (a->index >= NARGS)
			return err_set(e, "%sargs[%zu].index: %u is out of range (0-%d)", at, j,
				       a->index, NARGS - 1);
		if ((unsigned int)a->op > OCI_SCMP_CMP_MASKED_EQ)
			return err_set(e, "%sargs[%zu].op: unknown operator %d", at, j, (int)a->op);
		if (seen & (1u << a->index))
			ri->any_of = true;
		seen |= 1u << a->index;
	}
	return 0;
}

static int check_spec(struct ctx *c, unsigned int *flags, struct err *e)
{
	const struct oci_seccomp *s = c->s;
	size_t r;

	if (action_ret(s->default_action, &s->default_errno_ret, "linux.seccomp.", "defaultAction",
		       "defaultErrnoRet", &c->def, e) < 0)
		return -1;
	if (check_flags(s, flags, e) < 0 || check_arches(c, e) < 0)
		return -1;
	c->ri = calloc(s->n_syscalls ? s->n_syscalls : 1, sizeof(*c->ri));
	if (!c->ri)
		return err_sys(e, ENOMEM, "linux.seccomp: compile the filter");
	for (r = 0; r < s->n_syscalls; r++)
		if (check_rule(c, r, e) < 0)
			return -1;
	/* runc leaves the stub out when the default already lets syscalls run
	 * (a good tracer handles -ENOSYS itself); ERRNO(ENOSYS) needs none */
	c->stub = c->def != SECCOMP_RET_ALLOW && c->def != SECCOMP_RET_LOG &&
		  (c->def & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_TRACE &&
		  c->def != (SECCOMP_RET_ERRNO | ENOSYS);
	return 0;
}

int oci_seccomp_compile(const struct oci_seccomp *s, struct oci_bpf *out, struct err *e)
{
	struct ctx c = {.s = s};
	int rc = -1;

	*out = (struct oci_bpf){0};
	if (check_spec(&c, &out->flags, e) < 0 || emit_program(&c, e) < 0)
		goto out;
	rc = assemble(&c.g, out, e);
out:
	if (rc < 0)
		*out = (struct oci_bpf){0};
	free(c.ri);
	free(c.g.ins);
	free(c.g.lbl);
	return rc;
}

void oci_seccomp_free(struct oci_bpf *f)
{
	free(f->insns);
	f->insns = NULL;
	f->len = 0;
}

/* ------------------------------------------------------------ loading */

int oci_seccomp_load(const struct oci_bpf *f, struct err *e)
{
	struct sock_fprog prog = {.len = f->len, .filter = f->insns};
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);

	/* kernels before 3.17 have only prctl, which takes no flags */
	if (r < 0 && errno == ENOSYS && !f->flags)
		r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	if (r == 0)
		return 0;
	if (r > 0)
		return err_set(e,
			       "load seccomp filter: thread %ld could not be synchronized "
			       "(SECCOMP_FILTER_FLAG_TSYNC)",
			       r);
	if (errno == EACCES)
		return err_sys(e, errno,
			       "load seccomp filter (set no_new_privs or keep "
			       "CAP_SYS_ADMIN)");
	if (errno == EINVAL && f->flags)
		return err_sys(e, errno,
			       "load seccomp filter with flags 0x%x (one may be too new "
			       "for this kernel)",
			       f->flags);
	return err_sys(e, errno, "load seccomp filter (%u instructions)", f->len);
}
