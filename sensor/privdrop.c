/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/privdrop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int pidfile_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	int rc = write(fd, buf, (size_t)n) == n ? 0 : -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

void pidfile_remove(const char *path)
{
	if (path)
		unlink(path); /* may fail after the drop: systemd cleans /run/fabmon */
}

int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "unknown user '%s'%s%s", user, errno ? ": " : "",
			 errno ? strerror(errno) : "");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int chown_one(const char *path, uid_t uid, gid_t gid)
{
	return lchown(path, uid, gid) < 0 ? -errno : 0;
}

int privdrop_chown_outputs(const char *dir, uid_t uid, gid_t gid)
{
	int rc = chown_one(dir, uid, gid);
	if (rc < 0)
		return rc;
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		/* only what fabmon writes there */
		if (strcmp(n, "eve.json") && strncmp(n, "policy-", 7) && strcmp(n, "evidence"))
			continue;
		char p[4200];
		snprintf(p, sizeof(p), "%s/%s", dir, n);
		if ((rc = chown_one(p, uid, gid)) < 0)
			break;
		if (strcmp(n, "evidence") == 0) {
			DIR *e = opendir(p);
			struct dirent *fe;
			while (e && (fe = readdir(e)) != NULL) {
				if (fe->d_name[0] == '.')
					continue;
				char fp[4500];
				snprintf(fp, sizeof(fp), "%s/%s", p, fe->d_name);
				chown_one(fp, uid, gid);
			}
			if (e)
				closedir(e);
		}
	}
	closedir(d);
	return rc;
}

int privdrop_to(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		snprintf(err, errlen, "cannot become uid %u gid %u: %s", (unsigned)uid, (unsigned)gid,
			 strerror(errno));
		return -1;
	}
	/* no way back: setuid(0) must fail now */
	if (uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "still able to regain root after dropping privileges");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	return 0;
}
