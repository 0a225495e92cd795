/*
 * roles.c - the members of workspaces and the admins of organizations:
 * cached texts (members.h parses them), their durable updates, and the
 * config's admins merged into each organization's admins file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "catalog.h"

static struct rs_org *org_find(struct rs_catalog *c, const char *name)
{
	for (unsigned i = 0; i < c->norgs; i++)
		if (!strcmp(c->orgs[i]->name, name))
			return c->orgs[i];
	return NULL;
}

int rs_org_is_admin(struct rs_catalog *c, const char *org, const struct rs_identity *id)
{
	struct rs_org *o;
	int yes = 0;

	pthread_rwlock_rdlock(&c->lock);
	o = org_find(c, org);
	if (o && o->admins)
		yes = rs_admins_has(o->admins, o->admins_len, id);
	pthread_rwlock_unlock(&c->lock);
	return yes;
}

enum rs_role rs_ws_role(struct rs_catalog *c, struct rs_ws *ws, const struct rs_identity *id)
{
	enum rs_role r;

	if (rs_org_is_admin(c, ws->org->name, id))
		return RS_ROLE_ADMIN;
	pthread_mutex_lock(&ws->members_lock);
	r = ws->members ? rs_members_role(ws->members, ws->members_len, id) : RS_ROLE_NONE;
	pthread_mutex_unlock(&ws->members_lock);
	return r;
}

int rs_ws_set_members(struct rs_catalog *c, struct rs_ws *ws, const char *text, size_t len,
		      struct rs_err *err)
{
	char path[PATH_MAX];
	char *copy;
	int rc;

	if ((rc = rs_members_validate(text, len, 0, err)))
		return rc;
	snprintf(path, sizeof(path), "%s/members", ws->dir);
	pthread_mutex_lock(&ws->members_lock);
	rc = rs_write_file_atomic(path, text, len);
	if (!rc) {
		copy = xmalloc(len + 1);
		memcpy(copy, text, len);
		copy[len] = 0;
		free(ws->members);
		ws->members = copy;
		ws->members_len = len;
	}
	pthread_mutex_unlock(&ws->members_lock);
	return rc ? rs_errf(err, rc, "cannot write '%s': %s", path, strerror(-rc)) : 0;
}

/* Text + a line per config admin the text does not have yet. */
static char *with_config_admins(struct rs_catalog *c, const char *org, const char *text,
				size_t len, size_t *outlen)
{
	struct rs_buf b = RS_BUF_INIT;

	rs_buf_add(&b, text, len);
	for (unsigned i = 0; i < c->ncfg_admins; i++) {
		const char *p;
		if (strcmp(c->cfg_admin_orgs[i], org))
			continue;
		for (p = c->cfg_admins[i]; *p;) {
			char name[256];
			size_t n = 0;
			while (*p == ' ' || *p == ',' || *p == '\t')
				p++;
			while (*p && *p != ',' && *p != ' ' && *p != '\t' && n + 1 < sizeof(name))
				name[n++] = *p++;
			name[n] = 0;
			if (!n)
				continue;
			/* already a line of its own? */
			int found = 0;
			for (const char *q = b.data; q && *q && !found;) {
				const char *e = strchr(q, '\n');
				size_t l = e ? (size_t)(e - q) : strlen(q);
				found = l == n && !memcmp(q, name, n);
				q = e ? e + 1 : q + l;
			}
			if (!found) {
				if (b.len && b.data[b.len - 1] != '\n')
					rs_buf_addc(&b, '\n');
				rs_buf_printf(&b, "%s\n", name);
			}
		}
	}
	return rs_buf_detach(&b, outlen);
}

static int set_admins_locked(struct rs_catalog *c, struct rs_org *o, const char *text, size_t len,
			     struct rs_err *err)
{
	char path[PATH_MAX];
	size_t n;
	char *full = with_config_admins(c, o->name, text, len, &n);
	int rc;

	snprintf(path, sizeof(path), "%s/admins", o->dir);
	rc = rs_write_file_atomic(path, full, n);
	if (rc) {
		free(full);
		return rs_errf(err, rc, "cannot write '%s': %s", path, strerror(-rc));
	}
	free(o->admins);
	o->admins = full;
	o->admins_len = n;
	return 0;
}

int rs_org_set_admins(struct rs_catalog *c, const char *org, const char *text, size_t len,
		      struct rs_err *err)
{
	struct rs_org *o;
	int rc;

	if ((rc = rs_members_validate(text, len, 1, err)))
		return rc;
	pthread_rwlock_wrlock(&c->lock);
	o = org_find(c, org);
	rc = o ? set_admins_locked(c, o, text, len, err)
	       : rs_errf(err, -ENOENT, "no organization '%s'", org);
	pthread_rwlock_unlock(&c->lock);
	return rc;
}

void rs_catalog_config_admins(struct rs_catalog *c, const char *org, const char *list)
{
	struct rs_org *o;

	pthread_rwlock_wrlock(&c->lock);
	c->cfg_admin_orgs = xrealloc(c->cfg_admin_orgs, (c->ncfg_admins + 1) * sizeof(char *));
	c->cfg_admins = xrealloc(c->cfg_admins, (c->ncfg_admins + 1) * sizeof(char *));
	c->cfg_admin_orgs[c->ncfg_admins] = xstrdup(org);
	c->cfg_admins[c->ncfg_admins] = xstrdup(list);
	c->ncfg_admins++;
	o = org_find(c, org);
	if (o) {
		char *cur = o->admins ? xstrdup(o->admins) : xstrdup("");
		set_admins_locked(c, o, cur, strlen(cur), NULL);
		free(cur);
	}
	pthread_rwlock_unlock(&c->lock);
}

/* Called by catalog.c when an organization appears (load or create). */
int rs_org_load_admins(struct rs_catalog *c, struct rs_org *o)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/admins", o->dir);
	rc = rs_read_file(path, &text, &len);
	if (rc && rc != -ENOENT)
		return rc;
	rc = set_admins_locked(c, o, text ? text : "", text ? len : 0, NULL);
	free(text);
	return rc;
}

int rs_ws_load_members(struct rs_ws *ws)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/members", ws->dir);
	rc = rs_read_file(path, &text, &len);
	if (rc == -ENOENT) {
		text = xstrdup("");
		rc = 0;
	}
	if (rc)
		return rc;
	pthread_mutex_lock(&ws->members_lock);
	free(ws->members);
	ws->members = text;
	ws->members_len = len;
	pthread_mutex_unlock(&ws->members_lock);
	return 0;
}
