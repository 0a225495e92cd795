/*
 * users.c - the user name of a uid, as the catalog's roles and the logs
 * name callers. Every FUSE request needs it, and getpwuid_r() reads
 * /etc/passwd each time (7 syscalls here), so names are cached per uid for
 * a second: a new user is seen at once (its uid was not cached), a renamed
 * one within a second.
 */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "../engine/base/util.h"
#include "fs.h"

#define USER_SLOTS 64
#define USER_TTL_NS 1000000000ull

static struct {
	uid_t uid;
	uint64_t at;			/* rs_now_ns() when looked up; 0 = empty */
	char name[64];
} slots[USER_SLOTS];
static pthread_mutex_t users_lock = PTHREAD_MUTEX_INITIALIZER;

void rsfs_user_name(uid_t uid, char *out, size_t outsz)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	uint64_t now = rs_now_ns();
	unsigned slot = (unsigned)uid % USER_SLOTS;

	pthread_mutex_lock(&users_lock);
	if (slots[slot].at && slots[slot].uid == uid && now - slots[slot].at < USER_TTL_NS) {
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
	slots[slot].uid = uid;
	slots[slot].at = now;
	snprintf(slots[slot].name, sizeof(slots[slot].name), "%s", out);
	pthread_mutex_unlock(&users_lock);
}
