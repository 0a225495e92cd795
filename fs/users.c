/*
 * users.c - the user name of a uid, as the catalog's roles and the logs
 * name callers. Every FUSE request needs it; getpwuid_r() reads
 * /etc/passwd each time (7 syscalls here), so names are cached per uid.
 * An entry is trusted for USER_TTL_NS and only while /etc/passwd is the
 * same file (inode, size, mtime): useradd/usermod show up at once, other
 * NSS sources within a second.
 */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../engine/base/util.h"
#include "fs.h"

#define USER_SLOTS 64
#define USER_TTL_NS 1000000000ull

static struct {
	uid_t uid;
	uint64_t at;			/* rs_now_ns() when looked up; 0 = empty */
	char name[64];
} slots[USER_SLOTS];
static struct stat passwd_st;		/* /etc/passwd when the entries were made */
static pthread_mutex_t users_lock = PTHREAD_MUTEX_INITIALIZER;

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void rsfs_user_name(uid_t uid, char *out, size_t outsz)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	struct stat st;
	uint64_t now = rs_now_ns();
	unsigned slot = (unsigned)uid % USER_SLOTS;
	int have_st = stat("/etc/passwd", &st) == 0;

	pthread_mutex_lock(&users_lock);
	if (!have_st || !same_file(&st, &passwd_st)) {
		memset(slots, 0, sizeof(slots));
		if (have_st)
			passwd_st = st;
	}
	if (have_st && slots[slot].at && slots[slot].uid == uid &&
	    now - slots[slot].at < USER_TTL_NS) {
		snprintf(out, outsz, "%s", slots[slot].name);
		pthread_mutex_unlock(&users_lock);
		return;
	}
	pthread_mutex_unlock(&users_lock);
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(out, outsz, "%s", pw.pw_name);
	else
		snprintf(out, outsz, "%u", (unsigned)uid);
	pthread_mutex_lock(&users_lock);
	if (have_st && same_file(&st, &passwd_st)) {
		slots[slot].uid = uid;
		slots[slot].at = now;
		snprintf(slots[slot].name, sizeof(slots[slot].name), "%s", out);
	}
	pthread_mutex_unlock(&users_lock);
}
