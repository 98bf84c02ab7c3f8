/* cgroup-bpfdev.c - device access on cgroup v2, which has no devices files: the
 * spec's rules become a BPF_PROG_TYPE_CGROUP_DEVICE program, loaded and attached
 * with the bpf(2) syscall directly (no libbpf). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "oci/cgroup-priv.h"

#define MAX_OLD_PROGS 64

static struct bpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

/* An empty access string is taken as "rwm", as in the v1 driver. */
static unsigned access_bits(const char *acc)
{
	unsigned bits = 0;

	for (; *acc; acc++)
		bits |= *acc == 'r'   ? BPF_DEVCG_ACC_READ
			: *acc == 'w' ? BPF_DEVCG_ACC_WRITE
			: *acc == 'm' ? BPF_DEVCG_ACC_MKNOD
				      : 0;
	return bits ? bits : 7;
}

/* One rule as a block: checks that jump past the block when they fail,
 * then "return allow". Registers: r2 type, r3 access asked, r4 major,
 * r5 minor (loaded once by the prologue), r1 scratch. */
static int rule_block(const struct oci_device_rule *d, size_t idx, struct bpf_insn *out, size_t *k,
		      bool *catch_all, struct err *e)
{
	struct bpf_insn chk[8];
	unsigned acc = access_bits(d->access);
	int nc = 0, total;

	if (d->type != 'a' && d->type != 'b' && d->type != 'c')
		return err_set(e, "linux.resources.devices[%zu]: type '%c' is not a, b or c", idx,
			       d->type);
	if (d->major < -1 || d->major > INT32_MAX || d->minor < -1 || d->minor > INT32_MAX)
		return err_set(e, "linux.resources.devices[%zu]: device number out of range", idx);
	if (d->type != 'a')
		chk[nc++] = mk(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
			       d->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	/* Allow matches when it grants all that is asked; deny when it names
	 * any of it (O_RDWR on a "deny w" device is denied). */
	if (acc != 7) {
		chk[nc++] = mk(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0);
		chk[nc++] = mk(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0,
			       (int32_t)(d->allow ? ~acc & 7 : acc));
		chk[nc++] = mk(BPF_JMP | (d->allow ? BPF_JNE : BPF_JEQ) | BPF_K, 1, 0, 0, 0);
	}
	if (d->major >= 0)
		chk[nc++] = mk(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)d->major);
	if (d->minor >= 0)
		chk[nc++] = mk(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)d->minor);
	total = nc + 2;
	for (int j = 0; j < nc; j++) {
		if (BPF_CLASS(chk[j].code) == BPF_JMP)
			chk[j].off = (int16_t)(total - j - 1);
		out[(*k)++] = chk[j];
	}
	out[(*k)++] = mk(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, d->allow ? 1 : 0);
	out[(*k)++] = mk(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*catch_all = nc == 0;
	return 0;
}

int oci_cgroup_bpf_build(const struct oci_device_rule *rules, size_t n, struct bpf_insn **prog,
			 size_t *len, struct err *e)
{
	struct bpf_insn *p = malloc((6 + n * 10 + 2) * sizeof(*p));
	bool catch_all = false;
	size_t k = 0;

	*prog = NULL;
	*len = 0;
	if (!p)
		return err_sys(e, ENOMEM, "device filter");
	/* struct bpf_cgroup_dev_ctx: access_type = access << 16 | type, major, minor. */
	p[k++] = mk(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);
	p[k++] = mk(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	p[k++] = mk(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0);
	p[k++] = mk(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	p[k++] = mk(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);
	p[k++] = mk(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);
	/* Later rules override earlier ones: test them last to first. Code after
	 * a rule that matches everything would be unreachable, which the
	 * verifier refuses, so the walk stops there. */
	for (size_t i = n; i-- > 0 && !catch_all;) {
		if (rule_block(&rules[i], i, p, &k, &catch_all, e) < 0) {
			free(p);
			return -1;
		}
	}
	if (!catch_all) {
		p[k++] = mk(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		p[k++] = mk(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	*prog = p;
	*len = k;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
}

static int prog_load(const struct bpf_insn *prog, size_t len, char *log, size_t log_size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)len;
	a.license = (uint64_t)(uintptr_t) "GPL";
	if (log) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)log_size;
		a.log_level = 1;
	}
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* Kernels before 5.11 charge BPF programs to RLIMIT_MEMLOCK, often 64 KiB:
 * lift it for the load only, so that no child inherits the change. */
static int load(const struct bpf_insn *prog, size_t len, struct err *e)
{
	struct rlimit old, inf = {RLIM_INFINITY, RLIM_INFINITY};
	char log[2048];
	int fd = prog_load(prog, len, NULL, 0), err = errno;

	if (fd < 0 && err == EPERM && getrlimit(RLIMIT_MEMLOCK, &old) == 0 &&
	    setrlimit(RLIMIT_MEMLOCK, &inf) == 0) {
		fd = prog_load(prog, len, NULL, 0);
		err = errno;
		setrlimit(RLIMIT_MEMLOCK, &old);
	}
	if (fd >= 0)
		return fd;
	if (err == EINVAL || err == EACCES) {
		log[0] = '\0';
		prog_load(prog, len, log, sizeof(log));
		log[strcspn(log, "\n")] = '\0';
		return err_sys(e, err, "load device filter (%zu instructions; verifier: %s)", len,
			       log[0] ? log : "no log");
	}
	return err_sys(e, err, "load device filter");
}

/* The device programs attached to this cgroup itself; none on kernels
 * without BPF_PROG_QUERY (before 4.15 there is nothing to find anyway). */
static size_t attached(int cgfd, uint32_t *ids)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = MAX_OLD_PROGS;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return 0;
	return a.query.prog_cnt < MAX_OLD_PROGS ? a.query.prog_cnt : MAX_OLD_PROGS;
}

static int detach_id(int cgfd, uint32_t id, const char *dir, struct err *e)
{
	union bpf_attr a;
	int fd, rc = 0;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	if ((fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a)) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "device filter %u on %s", id, dir);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
		rc = err_sys(e, errno, "detach old device filter %u from %s", id, dir);
	close(fd);
	return rc;
}

int oci_cgroup_bpf_apply(const char *dir, const struct oci_device_rule *rules, size_t n,
			 struct err *e)
{
	uint32_t old[MAX_OLD_PROGS];
	struct bpf_insn *prog;
	union bpf_attr a;
	size_t len, n_old;
	int cgfd = -1, fd = -1, rc = -1;

	if (oci_cgroup_bpf_build(rules, n, &prog, &len, e) < 0)
		return -1;
	if ((fd = load(prog, len, e)) < 0)
		goto out;
	if ((cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_sys(e, errno, "open %s", dir);
		goto out;
	}
	n_old = attached(cgfd, old);
	/* The new one first: in between both apply, which is only stricter. */
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0) {
		err_sys(e, errno, "attach device filter to %s", dir);
		goto out;
	}
	for (size_t i = 0; i < n_old; i++)
		if (detach_id(cgfd, old[i], dir, e) < 0)
			goto out;
	rc = 0;
out:
	if (cgfd >= 0)
		close(cgfd);
	if (fd >= 0)
		close(fd);
	free(prog);
	return rc;
}
