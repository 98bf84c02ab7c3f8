/* dockerspec-defaults.c - what dockerd gives every container: its 14
 * capabilities (changed by CapAdd/CapDrop, all with Privileged), masked and
 * read-only /proc and /sys paths, the device cgroup rules, and the devices of
 * HostConfig.Devices / DeviceCgroupRules (all host devices when privileged). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "oci/caps.h"
#include "oci/dockerspec-priv.h"

/* Docker's default set, by name (oci/caps.c has the numbers). */
static const char *const default_caps[] = {
	"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
	"CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",    "CAP_AUDIT_WRITE",
};

static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/interrupts",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/sys/devices/virtual/powercap",
	"/sys/firmware",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* linux.resources.devices: deny all, then the nodes every container needs
 * (null, zero, full, random, urandom, tty, console, ptmx); no tun (10:200)
 * unless asked for, 10:229 (fuse) denied. */
static const struct {
	bool allow;
	int major, minor;
} default_rules[] = {
	{false, -1, -1}, {true, 1, 5}, {true, 1, 3}, {true, 1, 9},
	{true, 1, 8},    {true, 5, 0}, {true, 5, 1}, {false, 10, 229},
};

int ds_cap_parse(const char *name, char *norm, size_t size)
{
	size_t n = 0;

	if (size < 5)
		return -1;
	if (strncasecmp(name, "CAP_", 4) != 0) {
		memcpy(norm, "CAP_", 4);
		n = 4;
	}
	for (const char *p = name; *p && n + 1 < size; p++)
		norm[n++] = (char)toupper((unsigned char)*p);
	norm[n] = '\0';
	if (strcasecmp(name, "ALL") == 0) {
		snprintf(norm, size, "ALL");
		return -2;
	}
	return oci_cap_from_name(norm);
}

static int check_cap_list(const cJSON *hc, const char *key, struct err *e)
{
	const cJSON *it;
	char norm[64];

	cJSON_ArrayForEach(it, ds_get(hc, key))
	{
		int c = ds_cap_parse(it->valuestring, norm, sizeof(norm));

		if (c == -1)
			return err_set(e, "invalid %s: unknown capability: \"%s\"", key, norm);
		if (c >= 0 && c > oci_cap_last_kernel())
			return err_set(e,
				       "invalid %s: capability not supported by your kernel or not "
				       "available in the current environment: \"%s\"",
				       key, norm);
	}
	return 0;
}

int ds_check_caps(const cJSON *hc, struct err *e)
{
	return check_cap_list(hc, "CapAdd", e) < 0 ? -1 : check_cap_list(hc, "CapDrop", e);
}

static uint64_t all_caps(void)
{
	int last = oci_cap_last_kernel();

	if (last > oci_cap_last_known())
		last = oci_cap_last_known();
	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

/* Bits of the list; *all when it holds "ALL". */
static uint64_t cap_bits(const cJSON *list, bool *all)
{
	const cJSON *it;
	uint64_t bits = 0;
	char norm[64];

	*all = false;
	cJSON_ArrayForEach(it, list)
	{
		int c = ds_cap_parse(it->valuestring, norm, sizeof(norm));

		if (c == -2)
			*all = true;
		else if (c >= 0)
			bits |= 1ULL << c;
	}
	return bits;
}

/* dockerd's TweakCapabilities. */
static uint64_t container_caps(const struct ds *d)
{
	uint64_t base = 0, add, drop;
	bool add_all, drop_all;

	if (d->privileged)
		return all_caps();
	for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
		base |= 1ULL << oci_cap_from_name(default_caps[i]);
	add = cap_bits(ds_get(d->hc, "CapAdd"), &add_all);
	drop = cap_bits(ds_get(d->hc, "CapDrop"), &drop_all);
	if (add_all)
		return all_caps() & ~drop;
	if (drop_all)
		return add;
	return (base & ~drop) | add;
}

int ds_defaults_caps(struct ds *d)
{
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	cJSON *proc = cJSON_GetObjectItemCaseSensitive(d->spec, "process");
	cJSON *caps = ds_obj(d, proc, "capabilities");

	if (!caps)
		return -1;
	d->caps = container_caps(d);
	for (size_t s = 0; s < 3; s++) {
		cJSON *l = ds_list(d, caps, sets[s]);

		if (!l)
			return -1;
		for (int c = 0; c < 64; c++)
			if ((d->caps & (1ULL << c)) && oci_cap_name(c) &&
			    ds_push(d, l, oci_cap_name(c)) < 0)
				return -1;
	}
	return 0;
}

static int add_rule(struct ds *d, cJSON *rules, bool allow, char type, int64_t major, int64_t minor,
		    const char *access)
{
	cJSON *r = ds_obj(d, rules, NULL);
	char t[2] = {type, '\0'};

	if (!r || !cJSON_AddBoolToObject(r, "allow", allow) ||
	    (type && !cJSON_AddStringToObject(r, "type", t)) ||
	    (major >= 0 && ds_num(d, r, "major", major) < 0) ||
	    (minor >= 0 && ds_num(d, r, "minor", minor) < 0) ||
	    !cJSON_AddStringToObject(r, "access", access))
		return ds_oom(d->e);
	return 0;
}

/* One node at host (lstat, as containerd's DeviceFromPath): 0 when added,
 * 1 when it is not a device, -1 on error. */
static int one_device(struct ds *d, const char *host, const char *dest, const char *perms,
		      cJSON *devs, cJSON *rules)
{
	struct stat st;
	char t[2] = "c";
	cJSON *o;

	if (lstat(host, &st) < 0)
		return err_sys(d->e, errno, "%s", host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return 1;
	t[0] = S_ISBLK(st.st_mode) ? 'b' : 'c';
	o = ds_obj(d, devs, NULL);
	if (!o || !cJSON_AddStringToObject(o, "path", dest) ||
	    !cJSON_AddStringToObject(o, "type", t) ||
	    ds_num(d, o, "major", major(st.st_rdev)) < 0 ||
	    ds_num(d, o, "minor", minor(st.st_rdev)) < 0 ||
	    ds_num(d, o, "fileMode", st.st_mode & 07777) < 0 ||
	    ds_num(d, o, "uid", st.st_uid) < 0 || ds_num(d, o, "gid", st.st_gid) < 0)
		return ds_oom(d->e);
	if (rules &&
	    add_rule(d, rules, true, t[0], major(st.st_rdev), minor(st.st_rdev), perms) < 0)
		return -1;
	return 0;
}

static bool skip_in_dev(const char *name)
{
	static const char *const skip[] = {"pts",  "shm",         "fd",    "mqueue",
					   ".lxc", ".lxd-mounts", ".udev", "console"};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return true;
	return false;
}

/* Every device below host, as dest/<relative path>; unreadable entries are
 * skipped as dockerd's walk does. depth bounds hostile trees. */
static int walk_devices(struct ds *d, const char *host, const char *dest, const char *perms,
			cJSON *devs, cJSON *rules, int depth, bool top_dev)
{
	DIR *dir = opendir(host);
	struct dirent *de;
	int r = 0;

	if (!dir)
		return 0;
	while (r >= 0 && (de = readdir(dir))) {
		char h[4096], c[4096];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (top_dev && skip_in_dev(de->d_name)))
			continue;
		if ((size_t)snprintf(h, sizeof(h), "%s/%s", host, de->d_name) >= sizeof(h) ||
		    (size_t)snprintf(c, sizeof(c), "%s/%s", dest, de->d_name) >= sizeof(c) ||
		    lstat(h, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0)
			r = walk_devices(d, h, c, perms, devs, rules, depth - 1, false);
		else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			r = one_device(d, h, c, perms, devs, rules);
	}
	closedir(dir);
	return r < 0 ? -1 : 0;
}

int ds_devices_from_path(struct ds *d, const char *host, const char *dest, const char *perms,
			 cJSON *devs, cJSON *rules)
{
	char real[4096];
	struct stat st;
	int r;
	int before = cJSON_GetArraySize(devs);

	if (!realpath(host, real))
		snprintf(real, sizeof(real), "%s", host);
	r = one_device(d, real, dest, perms, devs, rules);
	if (r == 1 && stat(real, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (walk_devices(d, real, dest, perms, devs, rules, 8, false) < 0)
			return -1;
		if (cJSON_GetArraySize(devs) > before)
			return 0;
	}
	if (r == 0)
		return 0;
	if (r < 0)
		return err_wrap(d->e,
				"error gathering device information while adding custom "
				"device \"%s\"",
				host);
	return err_set(d->e,
		       "error gathering device information while adding custom device \"%s\": "
		       "not a device node",
		       host);
}

/* "c 1:3 rwm", "a *:* m": dockerd's device cgroup rule format. */
static int parse_rule(const char *s, char *type, int64_t *maj, int64_t *min, char *acc)
{
	const char *p = s;

	if ((p[0] != 'a' && p[0] != 'b' && p[0] != 'c') || p[1] != ' ')
		return -1;
	*type = p[0];
	p += 2;
	for (int i = 0; i < 2; i++) {
		int64_t *v = i ? min : maj;

		if (*p == '*') {
			*v = -1;
			p++;
		} else if (isdigit((unsigned char)*p)) {
			for (*v = 0; isdigit((unsigned char)*p) && *v < (1LL << 40); p++)
				*v = *v * 10 + (*p - '0');
		} else {
			return -1;
		}
		if (*p++ != (i ? ' ' : ':'))
			return -1;
	}
	if (!*p || strlen(p) > 3 || strspn(p, "rwm") != strlen(p))
		return -1;
	strcpy(acc, p);
	return 0;
}

int ds_check_device_rule(const char *s, struct err *e)
{
	char t, acc[4];
	int64_t a, b;

	if (parse_rule(s, &t, &a, &b, acc) < 0)
		return err_set(e, "invalid device cgroup rule format: '%s'", s);
	return 0;
}

static int user_devices(struct ds *d, cJSON *devs, cJSON *rules)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ds_get(d->hc, "Devices"))
	{
		const char *host = ds_str(it, "PathOnHost"), *dest = ds_str(it, "PathInContainer");
		const char *perms = ds_str(it, "CgroupPermissions");

		if (!dest || !dest[0])
			dest = host;
		if (d->privileged && strcmp(host, dest) == 0)
			continue; /* all of /dev is there already */
		if (ds_devices_from_path(d, host, dest,
					 d->privileged || !perms || !perms[0] ? "rwm" : perms, devs,
					 d->privileged ? NULL : rules) < 0)
			return -1;
	}
	if (d->privileged)
		return 0;
	cJSON_ArrayForEach(it, ds_get(d->hc, "DeviceCgroupRules"))
	{
		char t, acc[4];
		int64_t a, b;

		if (parse_rule(it->valuestring, &t, &a, &b, acc) < 0)
			return err_set(d->e, "invalid device cgroup rule format: '%s'",
				       it->valuestring);
		if (add_rule(d, rules, true, t == 'a' ? 0 : t, a, b, acc) < 0)
			return -1;
	}
	return 0;
}

/* The request's list (MaskedPaths, ReadonlyPaths) replaces the default;
 * privileged containers have no default. */
static int add_paths(struct ds *d, cJSON *lnx, const char *key, const char *docker_key,
		     const char *const *dflt, size_t n)
{
	const cJSON *user = ds_get(d->hc, docker_key), *it;
	cJSON *l;

	if (d->privileged && !cJSON_IsArray(user))
		return 0;
	l = ds_list(d, lnx, key);
	if (!l)
		return -1;
	if (cJSON_IsArray(user)) {
		cJSON_ArrayForEach(it, user)
		{
			if (ds_push(d, l, it->valuestring) < 0)
				return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (ds_push(d, l, dflt[i]) < 0)
			return -1;
	return 0;
}

int ds_defaults_linux(struct ds *d, cJSON *lnx)
{
	cJSON *res = cJSON_GetObjectItemCaseSensitive(lnx, "resources");
	cJSON *rules, *devs;

	if (add_paths(d, lnx, "maskedPaths", "MaskedPaths", masked_paths,
		      sizeof(masked_paths) / sizeof(masked_paths[0])) < 0 ||
	    add_paths(d, lnx, "readonlyPaths", "ReadonlyPaths", readonly_paths,
		      sizeof(readonly_paths) / sizeof(readonly_paths[0])) < 0)
		return -1;
	if (!res && !(res = ds_obj(d, lnx, "resources")))
		return -1;
	devs = ds_list(d, lnx, "devices");
	rules = ds_list(d, res, "devices");
	if (!devs || !rules)
		return -1;
	if (d->privileged) {
		if (add_rule(d, rules, true, 0, -1, -1, "rwm") < 0 ||
		    walk_devices(d, "/dev", "/dev", "rwm", devs, NULL, 8, true) < 0)
			return -1;
	} else {
		for (size_t i = 0; i < sizeof(default_rules) / sizeof(default_rules[0]); i++)
			if (add_rule(d, rules, default_rules[i].allow,
				     default_rules[i].major < 0 ? 0 : 'c', default_rules[i].major,
				     default_rules[i].minor, "rwm") < 0)
				return -1;
	}
	return user_devices(d, devs, rules);
}
