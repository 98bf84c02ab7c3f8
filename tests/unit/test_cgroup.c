/* test_cgroup.c - cgroup layout detection from recorded mountinfo texts, path
 * resolution, the resources -> files plan and the BPF device program; no root,
 * nothing touches /sys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "oci/cgroup-priv.h"
#include "tap.h"

/* ---------------------------------------------------------------- fixtures */

/* CentOS 7 / Debian 9: v1 only, co-mounted cpu,cpuacct and net_cls,net_prio. */
static const char legacy_mi[] =
	"18 41 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw\n"
	"25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup "
	"cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
	"28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - "
	"cgroup cgroup rw,cpu,cpuacct\n"
	"29 25 0:26 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:10 - "
	"cgroup cgroup rw,net_cls,net_prio\n"
	"30 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup "
	"cgroup rw,memory\n"
	"31 25 0:28 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:12 - cgroup "
	"cgroup rw,devices\n"
	"32 25 0:29 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:13 - cgroup "
	"cgroup rw,freezer\n"
	"33 25 0:30 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup "
	"cgroup rw,blkio\n"
	"34 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup "
	"cgroup rw,pids\n"
	"35 25 0:32 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:16 - cgroup "
	"cgroup rw,cpuset\n"
	"36 25 0:33 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:17 - cgroup "
	"cgroup rw,hugetlb\n"
	"37 25 0:34 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime shared:18 - "
	"cgroup cgroup rw,perf_event\n"
	"41 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/centos-root rw,attr2,inode64\n";

static const char legacy_self[] =
	"11:hugetlb:/\n10:cpuset:/\n9:pids:/user.slice\n8:blkio:/user.slice\n"
	"7:freezer:/\n6:devices:/user.slice\n5:memory:/user.slice/user-0.slice/session-3.scope\n"
	"4:net_prio,net_cls:/\n3:cpuacct,cpu:/user.slice\n2:perf_event:/\n"
	"1:name=systemd:/user.slice/user-0.slice/session-3.scope\n";

/* Ubuntu 20.04: systemd's hybrid layout, an empty cgroup2 at .../unified. */
static const char hybrid_mi[] =
	"35 24 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 "
	"cgroup2 rw,nsdelegate\n"
	"37 35 0:32 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup "
	"cgroup rw,xattr,name=systemd\n"
	"40 35 0:35 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - "
	"cgroup cgroup rw,cpu,cpuacct\n"
	"41 35 0:36 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup "
	"cgroup rw,memory\n"
	"42 35 0:37 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup "
	"cgroup rw,pids\n"
	"43 35 0:38 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:18 - cgroup "
	"cgroup rw,devices\n"
	"44 35 0:39 / /sys/fs/cgroup/rdma rw,nosuid,nodev,noexec,relatime shared:19 - cgroup "
	"cgroup rw,rdma\n";

static const char hybrid_self[] =
	"12:rdma:/\n8:devices:/user.slice\n7:pids:/user.slice/user-1000.slice/session-2.scope\n"
	"6:memory:/user.slice/user-1000.slice/session-2.scope\n3:cpu,cpuacct:/user.slice\n"
	"1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n"
	"0::/user.slice/user-1000.slice/session-2.scope\n";

/* The machine these tests were written on (Debian 12 VM, kernel 6.18):
 * cpu and cpuacct apart, hugetlb only on cgroup2. */
static const char here_mi[] =
	"21 26 0:20 / /proc rw,relatime - proc proc rw\n"
	"22 26 0:21 / /sys rw,relatime - sysfs sysfs rw\n"
	"26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534\n"
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char here_self[] =
	"9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
	"4:memory:/process_api/bbb1fcf9d09c0fc9e4c850471cb5d521\n3:cpuset:/\n2:cpuacct:/\n"
	"1:cpu:/\n0::/\n";

/* Debian 12 / Fedora: pure v2. */
static const char unified_mi[] =
	"22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
	"23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
	"26 23 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";
static const char unified_self[] = "0::/user.slice/user-1000.slice/session-2.scope\n";

/* v1 inside a Docker container without a cgroup namespace: bind mounts of
 * the container's own subtree, and a mount point with an escaped space. */
static const char dind_mi[] =
	"649 641 0:30 /docker/abc123 /run/tool/memory rw - cgroup cgroup rw,memory\n"
	"650 641 0:30 /docker/abc123 /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime "
	"master:15 - cgroup cgroup rw,memory\n"
	"651 641 0:31 /docker/abc123 /sys/fs/cgroup/my\\040pids rw,nosuid,nodev,noexec,relatime "
	"master:16 - cgroup cgroup rw,pids\n"
	"652 641 0:31 /docker/abc123 /mnt/again rw - cgroup cgroup rw,pids\n";
static const char dind_self[] = "9:memory:/docker/abc123\n8:pids:/docker/abc123/sub\n";

static int detect(struct oci_cgroup_layout *l, const char *mi, const char *self, const char *ctrls,
		  const char *root)
{
	struct oci_cgroup_probe p = {
		.root = root, .mountinfo = mi, .self_cgroup = self, .v2_controllers = ctrls};
	struct err e;
	int rc = oci_cgroup_detect_from(l, &p, &e);

	if (rc < 0)
		diag("detect: %s", e.msg);
	return rc;
}

static const struct oci_cgroup_hier *hier_with(const struct oci_cgroup_layout *l, int c)
{
	int s = oci_cgroup_v1_slot(l, c);

	return s < 0 ? NULL : &l->v1[s];
}

static void test_detect(void)
{
	struct oci_cgroup_layout l;
	const struct oci_cgroup_hier *h;

	ok(detect(&l, legacy_mi, legacy_self, NULL, NULL) == 0, "legacy: detected");
	is_str(oci_cgroup_mode_name(l.mode), "v1", "legacy: mode");
	is_int((long long)l.n_v1, 11, "legacy: 11 hierarchies");
	ok(!l.has_v2, "legacy: no cgroup2");
	h = hier_with(&l, OCI_CG_CPUACCT);
	ok(h && h == hier_with(&l, OCI_CG_CPU), "legacy: cpu and cpuacct share a hierarchy");
	is_str(h ? h->mnt : NULL, "/sys/fs/cgroup/cpu,cpuacct", "legacy: cpu,cpuacct mount");
	is_str(h ? h->own : NULL, "/user.slice", "legacy: own cpu cgroup (listed as cpuacct,cpu)");
	h = hier_with(&l, OCI_CG_NET_PRIO);
	ok(h && h->ctrls == (OCI_CG_BIT(OCI_CG_NET_CLS) | OCI_CG_BIT(OCI_CG_NET_PRIO)),
	   "legacy: net_cls,net_prio co-mounted");
	is_str(l.v1[0].name, "systemd", "legacy: name=systemd is a named hierarchy");
	is_str(l.v1[0].own, "/user.slice/user-0.slice/session-3.scope", "legacy: own systemd");
	is_str(hier_with(&l, OCI_CG_MEMORY)->own, "/user.slice/user-0.slice/session-3.scope",
	       "legacy: own memory cgroup");
	oci_cgroup_layout_free(&l);

	ok(detect(&l, hybrid_mi, hybrid_self, "", NULL) == 0, "hybrid: detected");
	is_str(oci_cgroup_mode_name(l.mode), "hybrid", "hybrid: mode");
	is_str(l.v2.mnt, "/sys/fs/cgroup/unified", "hybrid: cgroup2 at unified");
	is_int(l.v2.ctrls, 0, "hybrid: cgroup2 holds no controllers");
	is_str(l.v2.own, "/user.slice/user-1000.slice/session-2.scope", "hybrid: own cgroup2");
	ok(hier_with(&l, OCI_CG_RDMA) != NULL, "hybrid: rdma");
	ok(hier_with(&l, OCI_CG_FREEZER) == NULL, "hybrid: no freezer hierarchy");
	oci_cgroup_layout_free(&l);

	ok(detect(&l, here_mi, here_self, "hugetlb\n", NULL) == 0, "this host: detected");
	is_str(oci_cgroup_mode_name(l.mode), "hybrid", "this host: hybrid");
	is_int((long long)l.n_v1, 9, "this host: 9 v1 hierarchies");
	ok(hier_with(&l, OCI_CG_CPU) != hier_with(&l, OCI_CG_CPUACCT),
	   "this host: cpu, cpuacct apart");
	is_int(l.v2.ctrls, OCI_CG_BIT(OCI_CG_HUGETLB), "this host: hugetlb on cgroup2");
	ok(hier_with(&l, OCI_CG_HUGETLB) == NULL, "this host: hugetlb not on v1");
	is_str(hier_with(&l, OCI_CG_MEMORY)->own, "/process_api/bbb1fcf9d09c0fc9e4c850471cb5d521",
	       "this host: own memory cgroup");
	is_str(l.v2.own, "/", "this host: own cgroup2 is the root");
	oci_cgroup_layout_free(&l);

	ok(detect(&l, unified_mi, unified_self, "cpuset cpu io memory hugetlb pids rdma misc\n",
		  NULL) == 0,
	   "v2: detected");
	is_str(oci_cgroup_mode_name(l.mode), "v2", "v2: mode");
	is_int((long long)l.n_v1, 0, "v2: no v1 hierarchies");
	is_str(l.v2.mnt, "/sys/fs/cgroup", "v2: mount");
	ok(l.v2.ctrls ==
		   (OCI_CG_BIT(OCI_CG_CPUSET) | OCI_CG_BIT(OCI_CG_CPU) | OCI_CG_BIT(OCI_CG_IO) |
		    OCI_CG_BIT(OCI_CG_MEMORY) | OCI_CG_BIT(OCI_CG_HUGETLB) |
		    OCI_CG_BIT(OCI_CG_PIDS) | OCI_CG_BIT(OCI_CG_RDMA) | OCI_CG_BIT(OCI_CG_MISC)),
	   "v2: cgroup.controllers parsed");
	oci_cgroup_layout_free(&l);

	/* A private cgroup2 mount used as the root: pure v2 there, v1 ignored. */
	ok(detect(&l, here_mi, here_self, "hugetlb", "/sys/fs/cgroup/unified") == 0 &&
		   l.mode == OCI_CGROUP_UNIFIED && l.n_v1 == 0,
	   "cgroup2 mount at the chosen root: pure v2");
	oci_cgroup_layout_free(&l);

	ok(detect(&l, dind_mi, dind_self, NULL, NULL) == 0, "container bind mounts: detected");
	is_int((long long)l.n_v1, 2, "container bind mounts: a second mount of pids is skipped");
	is_str(hier_with(&l, OCI_CG_PIDS)->mnt, "/sys/fs/cgroup/my pids", "mount point unescaped");
	is_str(hier_with(&l, OCI_CG_MEMORY)->root, "/docker/abc123", "mount root kept");
	is_str(hier_with(&l, OCI_CG_MEMORY)->mnt, "/sys/fs/cgroup/memory",
	       "a mount below /sys/fs/cgroup beats an earlier one elsewhere");
	oci_cgroup_layout_free(&l);

	{
		struct oci_cgroup_probe p = {.mountinfo = "1 2 3:4 / / rw - ext4 x rw\n",
					     .self_cgroup = ""};
		struct err e;

		ok(oci_cgroup_detect_from(&l, &p, &e) < 0 && strstr(e.msg, "no cgroup"),
		   "no cgroup mounted: error (%s)", e.msg);
	}
}

/* ---------------------------------------------------------------- paths */

static const char *dir_of(struct oci_cgroup *cg, int ctrl)
{
	const char *d = oci_cgroup_dir(cg, ctrl);

	return d ? d : "(none)";
}

static void test_paths_v1(void)
{
	struct oci_cgroup_layout l;
	struct oci_cgroup *cg, *cg2;
	struct err e;
	char *saved;

	detect(&l, legacy_mi, legacy_self, NULL, NULL);
	ok(oci_cgroup_open(&l, NULL, "ctr1", &cg, &e) == 0, "v1: no cgroupsPath");
	is_str(dir_of(cg, OCI_CG_MEMORY),
	       "/sys/fs/cgroup/memory/user.slice/user-0.slice/session-3.scope/ctr1",
	       "v1: no cgroupsPath is <own cgroup>/<id> (runc)");
	is_str(dir_of(cg, OCI_CG_CPU), "/sys/fs/cgroup/cpu,cpuacct/user.slice/ctr1",
	       "v1: own cgroup per hierarchy");
	is_str(oci_cgroup_driver(cg), "v1", "v1: v1 driver");
	ok(oci_cgroup_save(cg, &saved, &e) == 0 && strstr(saved, ":cpu,cpuacct:/user.slice/ctr1\n"),
	   "v1: saved as /proc/PID/cgroup lines");
	ok(oci_cgroup_open_saved(&l, saved, &cg2, &e) == 0, "v1: reopened from saved");
	is_str(dir_of(cg2, OCI_CG_PIDS), dir_of(cg, OCI_CG_PIDS), "v1: same folders after reopen");
	oci_cgroup_free(cg2);
	free(saved);
	oci_cgroup_free(cg);

	ok(oci_cgroup_open(&l, "/tug/../tug/./ctr2//", "x", &cg, &e) == 0, "v1: absolute");
	is_str(dir_of(cg, OCI_CG_MEMORY), "/sys/fs/cgroup/memory/tug/ctr2",
	       "v1: absolute is from the root, cleaned");
	oci_cgroup_free(cg);
	ok(oci_cgroup_open(&l, "../../../etc", "x", &cg, &e) == 0, "v1: relative with ..");
	is_str(dir_of(cg, OCI_CG_CPU), "/sys/fs/cgroup/cpu,cpuacct/user.slice/etc",
	       "v1: .. cannot climb above the own cgroup");
	oci_cgroup_free(cg);
	ok(oci_cgroup_open(&l, "/..", "x", &cg, &e) < 0 && strstr(e.msg, "root"),
	   "v1: the root cgroup is refused (%s)", e.msg);
	ok(oci_cgroup_open(&l, "system.slice:docker:abc", "x", &cg, &e) < 0 &&
		   strstr(e.msg, "--systemd-cgroup"),
	   "systemd path: clear error (%s)", e.msg);
	ok(oci_cgroup_open_saved(&l, "1:name=systemd:/\n", &cg, &e) < 0,
	   "saved path at the root is refused");
	oci_cgroup_layout_free(&l);

	detect(&l, dind_mi, dind_self, NULL, NULL);
	ok(oci_cgroup_open(&l, "ctr6", "x", &cg, &e) == 0, "container mounts: relative");
	is_str(dir_of(cg, OCI_CG_PIDS), "/sys/fs/cgroup/my pids/sub/ctr6",
	       "container mounts: the mount root is stripped");
	is_str(cg->path[oci_cgroup_v1_slot(&l, OCI_CG_PIDS)], "/docker/abc123/sub/ctr6",
	       "container mounts: path in hierarchy terms");
	oci_cgroup_free(cg);
	ok(oci_cgroup_open(&l, "/x", "x", &cg, &e) == 0 &&
		   strcmp(dir_of(cg, OCI_CG_MEMORY), "/sys/fs/cgroup/memory/x") == 0,
	   "container mounts: absolute is below what the mount shows");
	oci_cgroup_free(cg);
	ok(oci_cgroup_open_saved(&l, "9:memory:/elsewhere/y\n", &cg, &e) < 0 &&
		   strstr(e.msg, "outside"),
	   "container mounts: a cgroup the mount does not show is refused (%s)", e.msg);
	oci_cgroup_layout_free(&l);
}

static void test_paths_v2(void)
{
	struct oci_cgroup_layout l;
	struct oci_cgroup *cg;
	struct err e;

	detect(&l, unified_mi, unified_self, "memory pids", NULL);
	ok(oci_cgroup_open(&l, "", "ctr3", &cg, &e) == 0, "v2: empty cgroupsPath");
	is_str(dir_of(cg, -1), "/sys/fs/cgroup/user.slice/user-1000.slice/ctr3",
	       "v2: relative is from the parent of the own cgroup (runc)");
	is_str(oci_cgroup_driver(cg), "v2", "v2: v2 driver");
	oci_cgroup_free(cg);
	ok(oci_cgroup_open(&l, "/machine.slice/ctr4", "x", &cg, &e) == 0 &&
		   strcmp(dir_of(cg, OCI_CG_MEMORY), "/sys/fs/cgroup/machine.slice/ctr4") == 0,
	   "v2: absolute");
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&l);

	if (!CFG_CGROUP_V1)
		return;
	detect(&l, hybrid_mi, hybrid_self, "", NULL);
	ok(oci_cgroup_open(&l, "ctr5", "x", &cg, &e) == 0, "hybrid: relative");
	is_str(dir_of(cg, -1), "/sys/fs/cgroup/unified/user.slice/user-1000.slice/ctr5",
	       "hybrid: cgroup2 half from its parent");
	is_str(cg->dir[0], "/sys/fs/cgroup/systemd/user.slice/user-1000.slice/session-2.scope/ctr5",
	       "hybrid: name=systemd from the own cgroup");
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&l);
}

static void test_compiled_out(void)
{
	struct oci_cgroup_layout l;
	struct oci_cgroup *cg;
	struct err e;

	if (!CFG_CGROUP_V1) {
		detect(&l, legacy_mi, legacy_self, NULL, NULL);
		ok(oci_cgroup_open(&l, "c", "x", &cg, &e) < 0 && strstr(e.msg, "compiled out"),
		   "v1 host without the v1 driver: clear error (%s)", e.msg);
		oci_cgroup_layout_free(&l);
	}
	if (!CFG_CGROUP_V2) {
		detect(&l, unified_mi, unified_self, "", NULL);
		ok(oci_cgroup_open(&l, "c", "x", &cg, &e) < 0 && strstr(e.msg, "compiled out"),
		   "v2 host without the v2 driver: clear error (%s)", e.msg);
		oci_cgroup_layout_free(&l);
	}
}

/* ---------------------------------------------------------------- plans */

/* "mount-basename/file=value" lines, cgroup2 as "unified/". */
static char *render(const struct oci_cgroup_layout *l, const struct oci_resources *r, struct err *e)
{
	struct oci_cgroup_plan p;
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (oci_cgroup_plan(l, r, &p, e) < 0)
		return NULL;
	f = open_memstream(&buf, &size);
	for (size_t i = 0; i < p.w.n; i++) {
		const struct oci_cgroup_write *x = &p.w.v[i];
		const char *m =
			x->slot == OCI_CG_V2SLOT ? "unified" : strrchr(l->v1[x->slot].mnt, '/') + 1;

		fprintf(f, "%s/%s=%s%s\n", m, x->file, x->value,
			x->flags & OCI_CGW_ALT        ? " (alt)"
			: x->flags & OCI_CGW_OPTIONAL ? " (opt)"
						      : "");
	}
	if (p.bpf_devices)
		fprintf(f, "bpf-devices\n");
	fclose(f);
	oci_cgroup_plan_free(&p);
	return buf;
}

static int check_plan(const struct oci_cgroup_layout *l, const struct oci_resources *r,
		      const char *want, const char *name)
{
	struct err e = {0};
	char *got = render(l, r, &e);
	int pass = is_str(got, want, "%s", name);

	if (!got)
		diag("plan: %s", e.msg);
	free(got);
	return pass;
}

static int plan_error(const struct oci_cgroup_layout *l, const struct oci_resources *r,
		      const char *needle, const char *name)
{
	struct oci_cgroup_plan p;
	struct err e = {0};
	int rc = oci_cgroup_plan(l, r, &p, &e);

	if (rc == 0)
		oci_cgroup_plan_free(&p);
	return ok(rc < 0 && strstr(e.msg, needle), "%s (%s)", name, rc < 0 ? e.msg : "no error");
}

#define I64(x) ((struct oci_opt_i64){true, (x)})
#define U64(x) ((struct oci_opt_u64){true, (x)})

static void test_plan_v1(void)
{
	struct oci_cgroup_layout l;
	struct oci_resources r;
	struct oci_device_rule dev[] = {
		{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}, {true, 'c', 136, -1, "rw"},
		{true, 'a', -1, -1, "m"},    {false, 'b', 8, 0, ""},
	};
	struct oci_throttle_device thr = {8, 0, 1048576};
	struct oci_hugepage_limit huge = {"2MB", 4194304};

	detect(&l, legacy_mi, legacy_self, NULL, NULL);
	memset(&r, 0, sizeof(r));
	r.memory.limit = I64(67108864);
	r.memory.swap = I64(134217728);
	r.memory.reservation = I64(33554432);
	r.memory.kernel = I64(1048576);
	r.memory.swappiness = U64(10);
	r.memory.disable_oom_killer = true;
	check_plan(&l, &r,
		   "memory/memory.memsw.limit_in_bytes=-1 (opt)\n"
		   "memory/memory.limit_in_bytes=67108864\n"
		   "memory/memory.memsw.limit_in_bytes=134217728\n"
		   "memory/memory.soft_limit_in_bytes=33554432\n"
		   "memory/memory.kmem.limit_in_bytes=1048576 (opt)\n"
		   "memory/memory.swappiness=10\n"
		   "memory/memory.oom_control=1\n",
		   "v1 memory: memsw opened up first, then limit, then memsw");
	memset(&r, 0, sizeof(r));
	r.memory.limit = I64(-1);
	check_plan(&l, &r,
		   "memory/memory.memsw.limit_in_bytes=-1 (opt)\n"
		   "memory/memory.limit_in_bytes=-1\n"
		   "memory/memory.memsw.limit_in_bytes=-1 (opt)\n",
		   "v1 memory: unlimited memory means unlimited swap");
	r.memory.limit = I64(100);
	r.memory.swap = I64(50);
	plan_error(&l, &r, "below the memory limit", "v1 memory: swap below limit refused");

	memset(&r, 0, sizeof(r));
	r.cpu.shares = U64(512);
	r.cpu.quota = I64(50000);
	r.cpu.period = U64(100000);
	r.cpu.cpus = "0-1";
	r.cpu.mems = "0";
	r.pids.limit = I64(0);
	r.block_io.weight = U64(300);
	r.block_io.throttle[1] = &thr;
	r.block_io.n_throttle[1] = 1;
	r.hugepage_limits = &huge;
	r.n_hugepage_limits = 1;
	check_plan(&l, &r,
		   "cpu,cpuacct/cpu.shares=512\n"
		   "cpu,cpuacct/cpu.cfs_period_us=100000\n"
		   "cpu,cpuacct/cpu.cfs_quota_us=50000\n"
		   "cpu,cpuacct/cpu.cfs_period_us=100000\n"
		   "cpuset/cpuset.cpus=0-1\n"
		   "cpuset/cpuset.mems=0\n"
		   "blkio/blkio.weight=300 (opt)\n"
		   "blkio/blkio.bfq.weight=300 (alt)\n"
		   "blkio/blkio.throttle.write_bps_device=8:0 1048576\n"
		   "pids/pids.max=max\n"
		   "hugetlb/hugetlb.2MB.limit_in_bytes=4194304\n",
		   "v1 cpu, cpuset, blkio, pids 0 = max, hugetlb");

	memset(&r, 0, sizeof(r));
	r.devices = dev;
	r.n_devices = sizeof(dev) / sizeof(dev[0]);
	check_plan(&l, &r,
		   "devices/devices.deny=a\n"
		   "devices/devices.deny=a\n"
		   "devices/devices.allow=c 1:3 rwm\n"
		   "devices/devices.allow=c 136:* rw\n"
		   "devices/devices.allow=c *:* m\n"
		   "devices/devices.allow=b *:* m\n"
		   "devices/devices.deny=b 8:0 rwm\n",
		   "v1 devices: deny all first, narrow \"a\" split into c and b");

	memset(&r, 0, sizeof(r));
	r.unified = &(struct oci_kv){"memory.high", "1G"};
	r.n_unified = 1;
	plan_error(&l, &r, "needs cgroup v2", "v1: unified refused");
	oci_cgroup_layout_free(&l);
	if (!CFG_CGROUP_V2)
		return;

	/* This host: hugetlb is only on cgroup2, so its limit goes there. */
	detect(&l, here_mi, here_self, "hugetlb\n", NULL);
	memset(&r, 0, sizeof(r));
	r.hugepage_limits = &huge;
	r.n_hugepage_limits = 1;
	r.pids.limit = I64(64);
	check_plan(&l, &r,
		   "pids/pids.max=64\n"
		   "unified/hugetlb.2MB.max=4194304\n",
		   "hybrid: a controller only cgroup2 has is set there");
	r.unified = &(struct oci_kv){"hugetlb.2MB.rsvd.max", "0"};
	r.n_unified = 1;
	check_plan(&l, &r,
		   "pids/pids.max=64\n"
		   "unified/hugetlb.2MB.max=4194304\n"
		   "unified/hugetlb.2MB.rsvd.max=0\n",
		   "hybrid: unified keys for cgroup2 controllers");
	r.unified = &(struct oci_kv){"memory.high", "1G"};
	plan_error(&l, &r, "memory controller on a cgroup v1",
		   "hybrid: unified key for a v1 controller");
	memset(&r, 0, sizeof(r));
	r.memory.swap = I64(1 << 30);
	check_plan(&l, &r, "memory/memory.memsw.limit_in_bytes=1073741824\n",
		   "hybrid: v1 swap alone is fine (the v2 objection is not taken)");
	oci_cgroup_layout_free(&l);

	/* Ubuntu hybrid: no freezer, hugetlb nowhere. */
	detect(&l, hybrid_mi, hybrid_self, "", NULL);
	memset(&r, 0, sizeof(r));
	r.hugepage_limits = &huge;
	r.n_hugepage_limits = 1;
	plan_error(&l, &r, "needs the hugetlb cgroup controller",
		   "a controller no hierarchy has: clear error");
	oci_cgroup_layout_free(&l);
}

static void test_plan_v2(void)
{
	struct oci_cgroup_layout l;
	struct oci_resources r;
	struct oci_throttle_device thr[2] = {{8, 0, 1048576}, {8, 16, 0}};
	struct oci_weight_device wd = {8, 0, {true, 500}, {false, 0}};
	struct oci_kv kv[] = {{"memory.high", "805306368"}, {"cgroup.max.depth", "5"}};
	struct oci_device_rule dev[] = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}};

	detect(&l, unified_mi, unified_self, "cpuset cpu io memory hugetlb pids", NULL);
	memset(&r, 0, sizeof(r));
	r.memory.limit = I64(1 << 30);
	r.memory.swap = I64(3 << 29);
	r.memory.reservation = I64(1 << 29);
	r.memory.swappiness = U64(60);
	r.cpu.shares = U64(1024);
	r.cpu.quota = I64(-1);
	r.cpu.period = U64(100000);
	r.cpu.cpus = "1";
	r.pids.limit = I64(-1);
	check_plan(&l, &r,
		   "unified/memory.swap.max=536870912\n"
		   "unified/memory.max=1073741824\n"
		   "unified/memory.low=536870912\n"
		   "unified/cpu.weight=39\n"
		   "unified/cpu.max=max 100000\n"
		   "unified/cpuset.cpus=1\n"
		   "unified/pids.max=max\n",
		   "v2 memory (swap = memsw - mem), cpu, pids");
	memset(&r, 0, sizeof(r));
	r.cpu.quota = I64(20000);
	r.block_io.weight = U64(500);
	r.block_io.weight_device = &wd;
	r.block_io.n_weight_device = 1;
	r.block_io.throttle[0] = &thr[0];
	r.block_io.n_throttle[0] = 2;
	r.unified = kv;
	r.n_unified = 2;
	r.devices = dev;
	r.n_devices = 2;
	check_plan(&l, &r,
		   "unified/cpu.max=20000\n"
		   "unified/io.bfq.weight=500 (opt)\n"
		   "unified/io.weight=default 4950 (alt)\n"
		   "unified/io.bfq.weight=8:0 500 (opt)\n"
		   "unified/io.weight=8:0 4950 (alt)\n"
		   "unified/io.max=8:0 rbps=1048576\n"
		   "unified/io.max=8:16 rbps=max\n"
		   "unified/memory.high=805306368\n"
		   "unified/cgroup.max.depth=5\n"
		   "bpf-devices\n",
		   "v2 io, unified verbatim last, devices by BPF");
	memset(&r, 0, sizeof(r));
	r.memory.swap = I64(1 << 30);
	plan_error(&l, &r, "needs a memory limit", "v2: swap without memory limit");
	memset(&r, 0, sizeof(r));
	r.cpu.realtime_runtime = I64(1000);
	plan_error(&l, &r, "no cgroup v2 equivalent", "v2: realtime refused");
	r.cpu.realtime_runtime = I64(0);
	r.unified = &(struct oci_kv){"../memory.max", "1"};
	r.n_unified = 1;
	plan_error(&l, &r, "not a cgroup file name", "v2: unified key with / or .. refused");
	r.unified = &(struct oci_kv){"rdma.max", "1"};
	plan_error(&l, &r, "rdma", "v2: a controller not in cgroup.controllers named");
	oci_cgroup_layout_free(&l);
}

static void test_conversions(void)
{
	is_int((long long)oci_cgroup_shares_to_weight(2), 1, "shares 2 -> weight 1");
	is_int((long long)oci_cgroup_shares_to_weight(1024), 39, "shares 1024 -> weight 39");
	is_int((long long)oci_cgroup_shares_to_weight(262144), 10000, "shares max -> 10000");
	is_int((long long)oci_cgroup_shares_to_weight(1), 1, "shares below 2 clamp");
	is_int((long long)oci_cgroup_shares_to_weight(0), 0, "shares 0 unset");
	is_int((long long)oci_cgroup_blkio_to_io_weight(10), 1, "blkio 10 -> io 1");
	is_int((long long)oci_cgroup_blkio_to_io_weight(1000), 10000, "blkio 1000 -> io 10000");
}

/* ---------------------------------------------------------------- BPF */

/* Just enough of an eBPF interpreter for what the builder emits; -1 for
 * an instruction it does not know, -2 for falling off the end. */
static int run_bpf(const struct bpf_insn *p, size_t len, unsigned type, unsigned acc, unsigned maj,
		   unsigned min)
{
	uint32_t ctx[3] = {acc << 16 | type, maj, min};
	uint64_t r[11] = {0};
	int r1_is_ctx = 1;

	for (size_t pc = 0; pc < len; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t imm = (uint64_t)(int64_t)i->imm;

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			if (i->src_reg != 1 || !r1_is_ctx || i->off % 4 || i->off > 8)
				return -1;
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & imm);
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			r[i->dst_reg] = (uint32_t)r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			pc += r[i->dst_reg] != imm ? i->off : 0;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += r[i->dst_reg] == imm ? i->off : 0;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			return -1;
		}
		if (i->dst_reg == 1 && BPF_CLASS(i->code) != BPF_JMP)
			r1_is_ctx = 0;
	}
	return -2;
}

/* The meaning the program must have: last matching rule wins, else deny. */
static int reference(const struct oci_device_rule *d, size_t n, unsigned type, unsigned acc,
		     unsigned maj, unsigned min)
{
	for (size_t i = n; i-- > 0;) {
		unsigned ra = 0;

		for (const char *a = d[i].access; *a; a++)
			ra |= *a == 'm' ? 1 : *a == 'r' ? 2 : 4;
		ra = ra ? ra : 7;
		if (d[i].type != 'a' && (d[i].type == 'c' ? 2u : 1u) != type)
			continue;
		if ((d[i].major >= 0 && (unsigned)d[i].major != maj) ||
		    (d[i].minor >= 0 && (unsigned)d[i].minor != min))
			continue;
		if (d[i].allow ? (acc & ~ra) != 0 : (acc & ra) == 0)
			continue;
		return d[i].allow;
	}
	return 0;
}

static int check_rules(const struct oci_device_rule *d, size_t n, const char *name)
{
	static const unsigned majors[] = {1, 5, 8, 10, 136}, minors[] = {0, 1, 3, 5, 200};
	struct bpf_insn *prog;
	size_t len, bad = 0, cases = 0;
	struct err e;

	if (oci_cgroup_bpf_build(d, n, &prog, &len, &e) < 0)
		return ok(0, "%s: build (%s)", name, e.msg);
	for (unsigned t = 1; t <= 2; t++)
		for (unsigned a = 1; a <= 7; a++)
			for (size_t i = 0; i < 5; i++)
				for (size_t j = 0; j < 5; j++, cases++) {
					int got = run_bpf(prog, len, t, a, majors[i], minors[j]);
					int want = reference(d, n, t, a, majors[i], minors[j]);

					if (got != want && bad++ < 3)
						diag("type %u access %u %u:%u: got %d want %d", t,
						     a, majors[i], minors[j], got, want);
				}
	free(prog);
	return ok(bad == 0, "%s: %zu instructions agree with the rules on %zu cases", name, len,
		  cases);
}

static void test_bpf(void)
{
	/* Docker's default allow list. */
	static const struct oci_device_rule docker[] = {
		{false, 'a', -1, -1, "rwm"}, {true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"},
		{true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 5, "rwm"},    {true, 'c', 1, 7, "rwm"},
		{true, 'c', 5, 0, "rwm"},    {true, 'c', 5, 1, "rwm"},    {true, 'c', 1, 8, "rwm"},
		{true, 'c', 1, 9, "rwm"},    {true, 'c', 136, -1, "rwm"}, {true, 'c', 5, 2, "rwm"},
		{true, 'c', 10, 200, "rwm"},
	};
	static const struct oci_device_rule privileged[] = {{true, 'a', -1, -1, "rwm"}};
	static const struct oci_device_rule hole[] = {
		{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 3, "w"}, {true, 'c', 1, -1, "r"}};
	static const struct oci_device_rule masked[] = {{false, 'c', 1, -1, "rwm"},
							{true, 'c', 1, 3, "rw"},
							{true, 'a', 5, -1, "r"},
							{false, 'b', -1, 0, ""}};
	static const struct oci_device_rule bad_type[] = {{true, 'x', 1, 3, "rwm"}};
	struct bpf_insn *prog;
	size_t len;
	struct err e;

	check_rules(docker, sizeof(docker) / sizeof(docker[0]), "docker defaults");
	check_rules(privileged, 1, "allow all");
	check_rules(hole, 3, "allow all, deny c 1:3 w, allow c 1:* r");
	check_rules(masked, 4, "mixed wildcards and partial access");
	check_rules(NULL, 0, "no rules: deny everything");
	len = 0;
	if (oci_cgroup_bpf_build(privileged, 1, &prog, &len, &e) < 0)
		prog = NULL;
	is_int((long long)len, 8, "a catch-all rule ends the program (no unreachable code)");
	free(prog);
	ok(oci_cgroup_bpf_build(hole, 3, &prog, &len, &e) == 0 &&
		   run_bpf(prog, len, 2, 6, 1, 3) == 0 && run_bpf(prog, len, 2, 2, 1, 3) == 1,
	   "deny c 1:3 w: O_RDWR denied, O_RDONLY allowed");
	free(prog);
	ok(oci_cgroup_bpf_build(bad_type, 1, &prog, &len, &e) < 0 && strstr(e.msg, "devices[0]"),
	   "bad device type refused (%s)", e.msg);
}

int main(void)
{
	test_detect();
	if (CFG_CGROUP_V1)
		test_paths_v1();
	if (CFG_CGROUP_V2)
		test_paths_v2();
	test_compiled_out();
	if (CFG_CGROUP_V1)
		test_plan_v1();
	else
		ok(1, "v1 plans # SKIP cgroup v1 compiled out");
	if (CFG_CGROUP_V2) {
		test_plan_v2();
		test_bpf();
	} else {
		ok(1, "v2 plans and BPF # SKIP cgroup v2 compiled out");
	}
	test_conversions();
	return done_testing();
}
