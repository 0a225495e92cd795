#include "members.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/err.h"

const char *rs_role_name(enum rs_role r)
{
	static const char *const names[] = { "none", "viewer", "guest", "admin" };

	return names[r];
}

static enum rs_role parse_role(const char *s, size_t n)
{
	if (n == 5 && !memcmp(s, "admin", 5))
		return RS_ROLE_ADMIN;
	if (n == 5 && !memcmp(s, "guest", 5))
		return RS_ROLE_GUEST;
	if (n == 6 && !memcmp(s, "viewer", 6))
		return RS_ROLE_VIEWER;
	return RS_ROLE_NONE;
}

/* Split a line into up to 3 words; returns the count. */
static int words(const char *p, const char *end, const char **w, size_t *wl)
{
	int n = 0;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == ','))
			p++;
		if (p >= end)
			break;
		if (n == 3)
			return 4;
		w[n] = p;
		while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != ',')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	return n;
}

static int names_identity(const char *w, size_t n, const struct rs_identity *id)
{
	char group[256];

	if (n && w[0] == '@') {
		if (n - 1 >= sizeof(group) || !id->in_group)
			return 0;
		memcpy(group, w + 1, n - 1);
		group[n - 1] = 0;
		return id->in_group(id->ctx, group);
	}
	return id->user && strlen(id->user) == n && !memcmp(id->user, w, n);
}

/* end of the line starting at p (the '\n' or the end of the text) */
static const char *eol(const char *p, const char *end)
{
	const char *e = memchr(p, '\n', (size_t)(end - p));

	return e ? e : end;
}

#define FOR_LINES(text, len, p, e) \
	for (const char *p = (text), *e = eol(p, (text) + (len)); p < (text) + (len); \
	     p = e + 1, e = p < (text) + (len) ? eol(p, (text) + (len)) : p)

enum rs_role rs_members_role(const char *text, size_t len, const struct rs_identity *id)
{
	enum rs_role best = RS_ROLE_NONE;

	FOR_LINES(text, len, p, e) {
		const char *w[3];
		size_t wl[3];
		int n = words(p, e, w, wl);
		enum rs_role r;

		if (n != 2 || w[0][0] == '#')
			continue;
		r = parse_role(w[1], wl[1]);
		if (r > best && names_identity(w[0], wl[0], id))
			best = r;
	}
	return best;
}

int rs_admins_has(const char *text, size_t len, const struct rs_identity *id)
{
	FOR_LINES(text, len, p, e) {
		const char *w[3];
		size_t wl[3];
		int n = words(p, e, w, wl);

		if (n < 1 || w[0][0] == '#')
			continue;
		for (int i = 0; i < n && i < 3; i++)
			if (names_identity(w[i], wl[i], id))
				return 1;
	}
	return 0;
}

int rs_members_validate(const char *text, size_t len, int admins_file, struct rs_err *err)
{
	unsigned line = 0;

	FOR_LINES(text, len, p, e) {
		const char *w[3];
		size_t wl[3];
		int n = words(p, e, w, wl);

		line++;
		if (n == 0 || w[0][0] == '#')
			continue;
		if (admins_file) {
			if (n != 1)
				return rs_errf(err, -EINVAL,
					       "line %u: expected one user or @group, got '%.*s'", line,
					       (int)(e - p), p);
			continue;
		}
		if (n != 2)
			return rs_errf(err, -EINVAL,
				       "line %u: expected '<user|@group> <admin|guest|viewer>', got '%.*s'",
				       line, (int)(e - p), p);
		if (parse_role(w[1], wl[1]) == RS_ROLE_NONE)
			return rs_errf(err, -EINVAL, "line %u: Role '%.*s' is not valid", line,
				       (int)wl[1], w[1]);
		if (wl[0] == 1 && w[0][0] == '@')
			return rs_errf(err, -EINVAL, "line %u: empty group name", line);
	}
	return 0;
}
