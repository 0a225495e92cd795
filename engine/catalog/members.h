/*
 * members.h - who is who in an organization and its workspaces (SPEC 6).
 *
 * A workspace's members text has one "<user|@group> <admin|guest|viewer>"
 * per line ('#' comments and blank lines allowed); an organization's
 * admins text has one "<user|@group>" per line. A caller's role is the
 * highest granted by any line naming the user or one of the user's groups.
 * Group membership is asked of the caller through a callback, so callers
 * resolve groups only when a text names one.
 */
#ifndef RS_CATALOG_MEMBERS_H
#define RS_CATALOG_MEMBERS_H

#include <stddef.h>

struct rs_err;

enum rs_role {
	RS_ROLE_NONE = 0,
	RS_ROLE_VIEWER = 1,
	RS_ROLE_GUEST = 2,
	RS_ROLE_ADMIN = 3,
};

struct rs_identity {
	const char *user;
	/* 1 if the identity belongs to Unix group 'group' (name without '@') */
	int (*in_group)(void *ctx, const char *group);
	void *ctx;
};

const char *rs_role_name(enum rs_role r);
enum rs_role rs_members_role(const char *text, size_t len, const struct rs_identity *id);
int rs_admins_has(const char *text, size_t len, const struct rs_identity *id);
/* -EINVAL naming the line: "line 3: Role 'owner' is not valid" */
int rs_members_validate(const char *text, size_t len, int admins_file, struct rs_err *err);

#endif
