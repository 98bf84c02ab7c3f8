/* spec-seccomp.c - "linux.seccomp": names of actions and operators to enums.
 * Compiling the result into BPF is oci/seccomp.c's job. */
#include <stdint.h>
#include <string.h>

#include "oci/spec-internal.h"

static const struct {
	const char *name;
	enum oci_seccomp_action action;
} actions[] = {
	{"SCMP_ACT_KILL", OCI_SCMP_KILL},
	{"SCMP_ACT_KILL_THREAD", OCI_SCMP_KILL},
	{"SCMP_ACT_KILL_PROCESS", OCI_SCMP_KILL_PROCESS},
	{"SCMP_ACT_TRAP", OCI_SCMP_TRAP},
	{"SCMP_ACT_ERRNO", OCI_SCMP_ERRNO},
	{"SCMP_ACT_TRACE", OCI_SCMP_TRACE},
	{"SCMP_ACT_ALLOW", OCI_SCMP_ALLOW},
	{"SCMP_ACT_LOG", OCI_SCMP_LOG},
	{"SCMP_ACT_NOTIFY", OCI_SCMP_NOTIFY},
};

static const char *const ops[] = {
	[OCI_SCMP_CMP_NE] = "SCMP_CMP_NE",
	[OCI_SCMP_CMP_LT] = "SCMP_CMP_LT",
	[OCI_SCMP_CMP_LE] = "SCMP_CMP_LE",
	[OCI_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[OCI_SCMP_CMP_GE] = "SCMP_CMP_GE",
	[OCI_SCMP_CMP_GT] = "SCMP_CMP_GT",
	[OCI_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

int oci_seccomp_action_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(name, actions[i].name) == 0)
			return (int)actions[i].action;
	return -1;
}

int oci_seccomp_op_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(name, ops[i]) == 0)
			return (int)i;
	return -1;
}

static int get_action(struct sp *p, const cJSON *o, const char *path, const char *key,
		      enum oci_seccomp_action *out)
{
	const char *name;
	int a;

	if (json_get_string(o, path, key, JSON_REQUIRED, &name, p->e) < 0)
		return -1;
	a = oci_seccomp_action_from_name(name);
	if (a < 0)
		return err_set(p->e, "%s.%s: unknown action \"%s\"", path, key, name);
	*out = (enum oci_seccomp_action)a;
	return 0;
}

/* Argument values are Go uint64s: up to 2^64-1, which a double rounds to
 * 2^64; negative ones (some tools write -1) are taken as two's complement. */
static int get_u64(struct sp *p, const cJSON *a, const char *path, const char *key, unsigned flags,
		   uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, key);
	double d;

	if (!v || cJSON_IsNull(v)) {
		if (flags & JSON_REQUIRED)
			return err_set(p->e, "%s.%s: missing", path, key);
		*out = 0;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return err_set(p->e, "%s.%s: expected an integer", path, key);
	d = v->valuedouble;
	if (d < -9223372036854775808.0 || (d < 9223372036854775808.0 && d != (double)(int64_t)d))
		return err_set(p->e, "%s.%s: expected an integer", path, key);
	if (d >= 18446744073709551615.0)
		*out = UINT64_MAX;
	else if (d >= 9223372036854775808.0)
		*out = (uint64_t)d;
	else
		*out = (uint64_t)(int64_t)d;
	return 0;
}

static int parse_arg(struct sp *p, const cJSON *a, const char *path, struct oci_seccomp_arg *arg)
{
	const char *op;
	uint32_t index;

	if (json_as_object(a, path, p->e) < 0 ||
	    json_get_uint32(a, path, "index", JSON_REQUIRED, &index, p->e) < 0 ||
	    get_u64(p, a, path, "value", JSON_REQUIRED, &arg->value) < 0 ||
	    get_u64(p, a, path, "valueTwo", 0, &arg->value_two) < 0 ||
	    json_get_string(a, path, "op", JSON_REQUIRED, &op, p->e) < 0)
		return -1;
	if (index > 5)
		return err_set(p->e, "%s.index: %u is not a syscall argument (0..5)", path, index);
	arg->index = index;
	if (oci_seccomp_op_from_name(op) < 0)
		return err_set(p->e, "%s.op: unknown operator \"%s\"", path, op);
	arg->op = (enum oci_seccomp_op)oci_seccomp_op_from_name(op);
	return 0;
}

static int parse_rule(struct sp *p, const cJSON *r, const char *path, struct oci_seccomp_rule *rule)
{
	const cJSON *args, *it;
	char ap[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	const char *one = NULL;
	size_t i = 0;
	int got;

	if (json_as_object(r, path, p->e) < 0 ||
	    sp_strings(p, r, path, "names", &rule->names, &rule->n_names) < 0 ||
	    json_get_string(r, path, "name", 0, &one, p->e) < 0 ||
	    get_action(p, r, path, "action", &rule->action) < 0 ||
	    sp_opt_u64(p, r, path, "errnoRet", &rule->errno_ret) < 0)
		return -1;
	if (!rule->names && one) { /* the pre-1.0 spelling, still written by some tools */
		rule->names = sp_array(p, 2, sizeof(char *));
		if (!rule->names)
			return -1;
		rule->names[0] = one;
		rule->n_names = 1;
	}
	if (!rule->n_names)
		return err_set(p->e, "%s.names: missing", path);
	got = json_get_array(r, path, "args", 0, &args, p->e);
	if (got <= 0)
		return got;
	json_path_key(ap, sizeof(ap), path, "args");
	rule->n_args = (size_t)cJSON_GetArraySize(args);
	rule->args = sp_array(p, rule->n_args, sizeof(struct oci_seccomp_arg));
	if (!rule->args)
		return -1;
	cJSON_ArrayForEach(it, args)
	{
		if (parse_arg(p, it, json_path_index(ip, sizeof(ip), ap, i), &rule->args[i]) < 0)
			return -1;
		i++;
	}
	return 0;
}

int sp_parse_seccomp(struct sp *p, const cJSON *obj, const char *path)
{
	struct oci_seccomp *sc = sp_alloc(p, sizeof(*sc));
	const cJSON *arr, *it;
	char sp_[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int got;

	if (!sc)
		return -1;
	p->s->lnx.seccomp = sc;
	if (get_action(p, obj, path, "defaultAction", &sc->default_action) < 0 ||
	    sp_opt_u64(p, obj, path, "defaultErrnoRet", &sc->default_errno_ret) < 0 ||
	    sp_strings(p, obj, path, "architectures", &sc->architectures, &sc->n_architectures) <
		    0 ||
	    sp_strings(p, obj, path, "flags", &sc->flags, &sc->n_flags) < 0 ||
	    json_get_string(obj, path, "listenerPath", 0, &sc->listener_path, p->e) < 0 ||
	    json_get_string(obj, path, "listenerMetadata", 0, &sc->listener_metadata, p->e) < 0)
		return -1;
	got = json_get_array(obj, path, "syscalls", 0, &arr, p->e);
	if (got <= 0)
		return got;
	json_path_key(sp_, sizeof(sp_), path, "syscalls");
	sc->n_syscalls = (size_t)cJSON_GetArraySize(arr);
	sc->syscalls = sp_array(p, sc->n_syscalls, sizeof(struct oci_seccomp_rule));
	if (!sc->syscalls)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		if (parse_rule(p, it, json_path_index(ip, sizeof(ip), sp_, i), &sc->syscalls[i]) <
		    0)
			return -1;
		i++;
	}
	return 0;
}
