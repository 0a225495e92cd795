/*
 * path.c - what a path names, syntactically (SPEC 2). Existence is
 * node.c's business.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../engine/output/format.h"
#include "fs.h"

const char *const rsfs_folder_names[F_NFOLDERS] = {
	[F_DATASOURCES] = "datasources",
	[F_PIPES] = "pipes",
	[F_ENDPOINTS] = "endpoints",
	[F_MATERIALIZATIONS] = "materializations",
	[F_COPIES] = "copies",
	[F_FIXTURES] = "fixtures",
	[F_TESTS] = "tests",
	[F_PLAYGROUND] = "playground",
	[F_TINYBIRD] = "tinybird",
};

int rsfs_is_pipe_folder(enum rsfs_folder f)
{
	return f == F_PIPES || f == F_ENDPOINTS || f == F_MATERIALIZATIONS || f == F_COPIES;
}

static int copy(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n >= dstsz)
		return -ENAMETOOLONG;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

/* "<base>.<ext>" with a known output format */
static int split_fmt(const char *name, char *base, size_t basesz, int *fmt)
{
	const char *dot = strrchr(name, '.');

	*fmt = -1;
	if (!dot || dot == name)
		return 0;
	*fmt = rs_format_from_ext(dot + 1);
	if (*fmt < 0)
		return 0;
	return copy(base, basesz, name, (size_t)(dot - name)) == 0;
}

/* "<base>.<fmt>" or "<base>.<fmt>?<query>": a result to run */
static int result_name(struct rsfs_path *p, char *base, size_t basesz, int *fmt)
{
	char name[256];
	const char *q = strchr(p->name, '?');
	size_t n = q ? (size_t)(q - p->name) : strlen(p->name);

	memcpy(name, p->name, n);
	name[n] = 0;
	if (!split_fmt(name, base, basesz, fmt) || !rs_name_valid_table(base))
		return 0;
	snprintf(p->query, sizeof(p->query), "%s", q ? q + 1 : "");
	return 1;
}

static int ends_with(const char *s, const char *suffix, char *base, size_t basesz)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n <= m || strcmp(s + n - m, suffix))
		return 0;
	return copy(base, basesz, s, n - m) == 0;
}

/* "<origin>.<ds>": a data source shared from workspace <origin> */
static int shared_name(struct rsfs_path *p, const char *base)
{
	const char *dot = strchr(base, '.');
	char origin[72];

	if (!dot || (size_t)(dot - base) >= sizeof(origin))
		return 0;
	memcpy(origin, base, (size_t)(dot - base));
	origin[dot - base] = 0;
	if (!rs_name_valid_org(origin) || !rs_name_valid_table(dot + 1))
		return 0;
	snprintf(p->origin, sizeof(p->origin), "%s", origin);
	snprintf(p->base, sizeof(p->base), "%s", dot + 1);
	return 1;
}

static void classify_file(struct rsfs_path *p)
{
	char base[256];
	int fmt;

	p->kind = K_PLAIN;
	if (p->name[0] == '.')
		return;		/* editor scratch: .f.swp, .f.XXXXXX */
	switch (p->folder) {
	case F_DATASOURCES:
		if (ends_with(p->name, ".datasource", base, sizeof(base)) &&
		    (rs_name_valid_table(base) || shared_name(p, base))) {
			p->kind = K_DS_DEF;
			if (!p->origin[0])
				snprintf(p->base, sizeof(p->base), "%s", base);
		} else if (split_fmt(p->name, base, sizeof(base), &fmt) &&
			   (rs_name_valid_table(base) || shared_name(p, base))) {
			p->kind = K_DS_DATA;
			p->fmt = fmt;
			if (!p->origin[0])
				snprintf(p->base, sizeof(p->base), "%s", base);
		}
		break;
	case F_PIPES:
	case F_ENDPOINTS:
	case F_MATERIALIZATIONS:
	case F_COPIES:
		if (ends_with(p->name, ".pipe", base, sizeof(base)) &&
		    rs_name_valid_table(base)) {
			p->kind = K_PIPE_DEF;
			snprintf(p->base, sizeof(p->base), "%s", base);
		} else if (result_name(p, base, sizeof(base), &fmt)) {
			p->kind = K_PIPE_RESULT;
			p->fmt = fmt;
			snprintf(p->base, sizeof(p->base), "%s", base);
		}
		break;
	case F_TESTS:
		if (ends_with(p->name, ".result", base, sizeof(base)) && rs_name_valid_table(base)) {
			p->kind = K_TEST_RESULT;
			snprintf(p->base, sizeof(p->base), "%s", base);
		}
		break;
	case F_PLAYGROUND:
		if (result_name(p, base, sizeof(base), &fmt)) {
			p->kind = K_PLAY_RESULT;
			p->fmt = fmt;
			snprintf(p->base, sizeof(p->base), "%s", base);
		}
		break;
	case F_TINYBIRD:
		if (split_fmt(p->name, base, sizeof(base), &fmt)) {
			p->kind = K_SERVICE;
			p->fmt = fmt;
			snprintf(p->base, sizeof(p->base), "%s", base);
		} else {
			p->kind = K_NONE;
		}
		break;
	default:
		break;
	}
}

int rsfs_path_parse(const char *path, struct rsfs_path *p)
{
	const char *comp[6];
	size_t len[6];
	int n = 0;
	const char *s = path;

	memset(p, 0, sizeof(*p));
	p->folder = F_NONE;
	p->fmt = -1;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		if (n == 5)
			return -ENOENT;
		comp[n] = s;
		while (*s && *s != '/')
			s++;
		len[n] = (size_t)(s - comp[n]);
		n++;
	}
	p->depth = n;
	if (n == 0) {
		p->kind = K_ROOT;
		return 0;
	}
	if (n == 1 && len[0] == 7 && !memcmp(comp[0], ".errors", 7)) {
		p->kind = K_ROOT_ERRORS;
		return 0;
	}
	if (copy(p->org, sizeof(p->org), comp[0], len[0]))
		return -ENOENT;
	if (n == 1) {
		p->kind = K_ORG;
		return 0;
	}
	if (len[1] == 12 && !memcmp(comp[1], "organization", 12)) {
		if (n == 2) {
			p->kind = K_ORGDIR;
			return 0;
		}
		if (n == 3 && len[2] == 6 && !memcmp(comp[2], "admins", 6)) {
			p->kind = K_ORG_ADMINS;
			return 0;
		}
		if (n == 3) {
			if (copy(p->name, sizeof(p->name), comp[2], len[2]) ||
			    !split_fmt(p->name, p->base, sizeof(p->base), &p->fmt))
				return -ENOENT;
			p->kind = K_ORGVIEW;
			return 0;
		}
		return -ENOENT;
	}
	if (copy(p->ws, sizeof(p->ws), comp[1], len[1]))
		return -ENOENT;
	if (n == 2) {
		p->kind = K_WS;
		return 0;
	}
	if (n == 3 && len[2] == 7 && !memcmp(comp[2], "members", 7)) {
		p->kind = K_WS_MEMBERS;
		return 0;
	}
	if (n == 3 && len[2] == 7 && !memcmp(comp[2], ".errors", 7)) {
		p->kind = K_WS_ERRORS;
		return 0;
	}
	for (int f = 0; f < F_NFOLDERS; f++)
		if (strlen(rsfs_folder_names[f]) == len[2] &&
		    !memcmp(comp[2], rsfs_folder_names[f], len[2]))
			p->folder = (enum rsfs_folder)f;
	if (p->folder == F_NONE)
		return -ENOENT;
	if (n == 3) {
		p->kind = K_FOLDER;
		return 0;
	}
	if (n > 4)
		return -ENOENT;
	if (copy(p->name, sizeof(p->name), comp[3], len[3]))
		return -ENAMETOOLONG;
	classify_file(p);
	return p->kind == K_NONE ? -ENOENT : 0;
}
