#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../engine/base/util.h"
#include "../engine/storage/gcache.h"

void rs_config_defaults(struct rs_config *cfg)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char path[4096];

	memset(cfg, 0, sizeof(*cfg));
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/roost", xdg);
	else
		snprintf(path, sizeof(path), "%s/.local/share/roost", home && *home ? home : "/root");
	cfg->storage_path = xstrdup(path);
	cfg->cache_bytes = RS_GCACHE_DEFAULT;
	cfg->mem_retain = 512ull << 20;
	cfg->mem_release_ms = 10000;
	rs_limits_default(&cfg->limits);
}

void rs_config_release(struct rs_config *cfg)
{
	free(cfg->storage_path);
	for (unsigned i = 0; i < cfg->nws_limits; i++)
		free(cfg->ws_limit_names[i]);
	free(cfg->ws_limit_names);
	free(cfg->ws_limits);
	for (unsigned i = 0; i < cfg->norgs; i++) {
		free(cfg->orgs[i].org);
		free(cfg->orgs[i].admins);
	}
	free(cfg->orgs);
	memset(cfg, 0, sizeof(*cfg));
}

static int parse_u64(const char *s, uint64_t *out, const char *const *units,
		     const uint64_t *mult, unsigned nunits)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	for (unsigned i = 0; i < nunits; i++)
		if (!strcasecmp(end, units[i])) {
			*out = (uint64_t)(v * (double)mult[i]);
			return 0;
		}
	return -EINVAL;
}

int rs_parse_duration_ms(const char *s, uint64_t *out)
{
	static const char *const u[] = { "", "ms", "s", "m", "h" };
	static const uint64_t m[] = { 1000, 1, 1000, 60000, 3600000 };

	return parse_u64(s, out, u, m, 5);
}

int rs_parse_size(const char *s, uint64_t *out)
{
	static const char *const u[] = { "", "B", "K", "KB", "M", "MB", "G", "GB", "T", "TB" };
	static const uint64_t m[] = { 1, 1, 1ull << 10, 1ull << 10, 1ull << 20, 1ull << 20,
				      1ull << 30, 1ull << 30, 1ull << 40, 1ull << 40 };

	return parse_u64(s, out, u, m, 10);
}

struct parse_state {
	struct rs_config *cfg;
	char msg[512];
};

static int set_limit(struct rs_limits *l, const char *name, const char *value, char *msg,
		     size_t msgsz)
{
	uint64_t v;
	int rc;

	if (!strcmp(name, "query_timeout")) {
		rc = rs_parse_duration_ms(value, &v);
		if (!rc)
			l->query_timeout_ms = v;
	} else if (!strcmp(name, "max_result")) {
		rc = rs_parse_size(value, &v);
		if (!rc)
			l->max_result = v;
	} else if (!strcmp(name, "query_memory")) {
		rc = rs_parse_size(value, &v);
		if (!rc)
			l->query_memory = v;
	} else if (!strcmp(name, "max_ingest")) {
		rc = rs_parse_size(value, &v);
		if (!rc)
			l->max_ingest = v;
	} else if (!strcmp(name, "max_storage")) {
		if (!strcasecmp(value, "unlimited")) {
			l->max_storage = 0;
			rc = 0;
		} else {
			rc = rs_parse_size(value, &v);
			if (!rc)
				l->max_storage = v;
		}
	} else if (!strcmp(name, "max_row")) {
		rc = rs_parse_size(value, &v);
		if (!rc)
			l->max_row = v;
	} else if (!strcmp(name, "max_datasources") || !strcmp(name, "max_columns") ||
		   !strcmp(name, "max_concurrent_queries")) {
		char *end;
		unsigned long n = strtoul(value, &end, 10);
		rc = (*value && !*end && n > 0 && n < 1000000) ? 0 : -EINVAL;
		if (!rc) {
			if (!strcmp(name, "max_datasources"))
				l->max_datasources = (unsigned)n;
			else if (!strcmp(name, "max_columns"))
				l->max_columns = (unsigned)n;
			else
				l->max_concurrent_queries = (unsigned)n;
		}
	} else {
		snprintf(msg, msgsz, "unknown key '%s' in [limits]", name);
		return -EINVAL;
	}
	if (rc)
		snprintf(msg, msgsz, "invalid value '%s' for %s", value, name);
	return rc;
}

/* inih wants nonzero = ok, 0 = error: the opposite of ours; converted
 * here only. Debian's libinih passes no line number to handlers, but
 * ini_parse returns the line of the first error, which is the one whose
 * message we keep. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	struct rs_config *cfg = ps->cfg;
	int rc = 0;
	char tmp[400];

	tmp[0] = 0;
	if (!strcmp(section, "storage")) {
		if (!strcmp(name, "path")) {
			if (!*value) {
				snprintf(tmp, sizeof(tmp), "empty storage path");
				rc = -EINVAL;
			} else {
				free(cfg->storage_path);
				cfg->storage_path = xstrdup(value);
			}
		} else if (!strcmp(name, "cache")) {
			uint64_t v;

			if ((rc = rs_parse_size(value, &v)))
				snprintf(tmp, sizeof(tmp), "invalid value '%s' for cache", value);
			else
				cfg->cache_bytes = v;
		} else {
			snprintf(tmp, sizeof(tmp), "unknown key '%s' in [storage]", name);
			rc = -EINVAL;
		}
	} else if (!strcmp(section, "memory")) {
		uint64_t v;

		if (!strcmp(name, "retain")) {
			if (!(rc = rs_parse_size(value, &v)))
				cfg->mem_retain = v;
		} else if (!strcmp(name, "release_after")) {
			if (!(rc = rs_parse_duration_ms(value, &v)))
				cfg->mem_release_ms = v;
		} else {
			snprintf(tmp, sizeof(tmp), "unknown key '%s' in [memory]", name);
			rc = -EINVAL;
			goto out;
		}
		if (rc)
			snprintf(tmp, sizeof(tmp), "invalid value '%s' for %s", value, name);
	} else if (!strcmp(section, "limits")) {
		rc = set_limit(&cfg->limits, name, value, tmp, sizeof(tmp));
	} else if (!strncmp(section, "limits ", 7)) {
		const char *ws = section + 7;
		unsigned i;
		for (i = 0; i < cfg->nws_limits; i++)
			if (!strcmp(cfg->ws_limit_names[i], ws))
				break;
		if (i == cfg->nws_limits) {
			if (!strchr(ws, '/')) {
				snprintf(tmp, sizeof(tmp), "section [%s] must name org/workspace", section);
				rc = -EINVAL;
				goto out;
			}
			cfg->ws_limit_names = xrealloc(cfg->ws_limit_names, (i + 1) * sizeof(char *));
			cfg->ws_limits = xrealloc(cfg->ws_limits, (i + 1) * sizeof(*cfg->ws_limits));
			cfg->ws_limit_names[i] = xstrdup(ws);
			cfg->ws_limits[i] = cfg->limits;
			cfg->nws_limits++;
		}
		rc = set_limit(&cfg->ws_limits[i], name, value, tmp, sizeof(tmp));
	} else if (!strncmp(section, "organization ", 13)) {
		if (strcmp(name, "admins")) {
			snprintf(tmp, sizeof(tmp), "unknown key '%s' in [%s]", name, section);
			rc = -EINVAL;
		} else {
			cfg->orgs = xrealloc(cfg->orgs, (cfg->norgs + 1) * sizeof(*cfg->orgs));
			cfg->orgs[cfg->norgs].org = xstrdup(section + 13);
			cfg->orgs[cfg->norgs].admins = xstrdup(value);
			cfg->norgs++;
		}
	} else {
		snprintf(tmp, sizeof(tmp), "unknown section [%s]", section);
		rc = -EINVAL;
	}
out:
	if (rc && !ps->msg[0])
		snprintf(ps->msg, sizeof(ps->msg), "%s", tmp);
	return rc == 0;
}

static int known_section(const char *s)
{
	return !strcmp(s, "storage") || !strcmp(s, "memory") || !strcmp(s, "limits") ||
	       (!strncmp(s, "limits ", 7) && s[7]) || (!strncmp(s, "organization ", 13) && s[13]);
}

/* inih calls handlers for keys only: an unknown section without keys
 * would go unnoticed, so headers are checked first. */
static int check_sections(const char *file, char *msg, size_t msgsz)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	int lineno = 0;

	if (!f)
		return 0;	/* ini_parse reports it */
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '[')
			continue;
		end = strchr(p, ']');
		if (!end) {
			snprintf(msg, msgsz, "%s:%d: unterminated section header", file, lineno);
			fclose(f);
			return -EINVAL;
		}
		*end = 0;
		if (!known_section(p + 1)) {
			snprintf(msg, msgsz, "%s:%d: unknown section [%s]", file, lineno, p + 1);
			fclose(f);
			return -EINVAL;
		}
	}
	fclose(f);
	return 0;
}

int rs_config_load(struct rs_config *cfg, const char *file, char *msg, size_t msgsz)
{
	struct parse_state ps = { .cfg = cfg };
	int r;

	if (check_sections(file, msg, msgsz))
		return -EINVAL;
	r = ini_parse(file, on_key, &ps);

	if (r == -1) {
		snprintf(msg, msgsz, "%s: cannot open: %s", file, strerror(errno));
		return -EINVAL;
	}
	if (r != 0) {
		if (ps.msg[0])
			snprintf(msg, msgsz, "%s:%d: %s", file, r, ps.msg);
		else
			snprintf(msg, msgsz, "%s:%d: syntax error", file, r);
		return -EINVAL;
	}
	/* workspace overrides inherit [limits] even when it comes later */
	return 0;
}
