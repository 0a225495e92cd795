/*
 * catalog.h - organizations, workspaces and data sources, and where they
 * live on disk. The catalog owns names, definitions and the mapping from a
 * data source to its stored tables; storage/ owns the bytes of the tables.
 * (A ClickHouse backend would replace storage/ and ingest/, not this.)
 *
 * On disk, under the storage root:
 *   orgs/<org>/org.meta                 created=<unix time>
 *   orgs/<org>/admins                   text, one user or @group a line
 *   orgs/<org>/ws/<ws>/ws.meta          created=<unix time>
 *   orgs/<org>/ws/<ws>/members          text
 *   orgs/<org>/ws/<ws>/ds/<name>/definition    the .datasource text
 *   orgs/<org>/ws/<ws>/ds/<name>/data/         table (storage/table.h)
 *   orgs/<org>/ws/<ws>/ds/<name>/quarantine/   table, once a row was quarantined
 *   orgs/<org>/ws/<ws>/files/<folder>/<name>   plain files: pipes, tests, scratch
 *   orgs/<org>/ws/<ws>/service/ops_log/        the datasources_ops_log table
 *   orgs/<org>/ws/<ws>/service/ops_log.csv     its CSV rendering (append-only)
 *   orgs/<org>/ws/<ws>/errors/<uid>            .errors lines of one user
 *   errors/<uid>                               .errors outside workspaces
 *
 * Locking: one catalog rwlock guards the maps of orgs, workspaces and data
 * sources (readers: lookups; writers: create/delete/rename). Workspaces and
 * data sources are reference counted, so a handle keeps its object alive
 * after a delete (operations on it then fail with -ENOENT). A data source's
 * definition is an immutable, reference-counted version (rs_dsv) swapped on
 * alter; its commits are serialised by ds->commit_lock.
 */
#ifndef RS_CATALOG_CATALOG_H
#define RS_CATALOG_CATALOG_H

#include <pthread.h>
#include <stdint.h>

#include "../storage/table.h"
#include "../types/schema.h"
#include "datafile.h"
#include "keyexpr.h"
#include "members.h"

struct rs_err;
struct rs_buf;

struct rs_limits {
	uint64_t query_timeout_ms;
	uint64_t max_result;
	uint64_t query_memory;
	uint64_t max_ingest;
	uint64_t max_storage;		/* 0 = unlimited */
	unsigned max_datasources;
	unsigned max_columns;
	uint64_t max_row;
	unsigned max_concurrent_queries;
};

void rs_limits_default(struct rs_limits *l);

/* One immutable version of a data source's definition. */
struct rs_dsv {
	int refs;
	char *text;			/* the datafile as written */
	size_t len;
	struct rs_ds_def def;
	struct rs_schema schema;	/* names + types, from def */
	struct rs_key sort_key;
	struct rs_key part_key;
	struct rs_ttl ttl;		/* ENGINE_TTL, col -1 when none */
	struct rs_col *defaults;	/* one row per column: DEFAULT value, or the type's zero */
	uint8_t *has_default;		/* per column: DEFAULT given */
	struct rs_schema qschema;	/* the quarantine table's schema */
};

struct rs_ws;

struct rs_ds {
	int refs;			/* under the catalog lock */
	char *name;
	char *id;			/* stable id, e.g. t_<hex> */
	struct rs_ws *ws;		/* borrowed: the workspace outlives it */
	char *dir;
	int deleted;
	pthread_mutex_t lock;		/* guards cur, quarantine */
	struct rs_dsv *cur;
	struct rs_table *data;
	struct rs_table *quarantine;	/* NULL until the first quarantined row */
	pthread_mutex_t commit_lock;	/* serialises commits into data/quarantine */
	pthread_mutex_t merge_lock;	/* held by a background merge; delete waits */
};

struct rs_org;

struct rs_ws {
	int refs;
	char *name;
	struct rs_org *org;
	char *dir;
	int64_t created;
	int deleted;
	struct rs_ds **ds;		/* under the catalog lock */
	unsigned nds;
	struct rs_limits limits;
	pthread_mutex_t log_lock;	/* ops log and .errors appends */
	struct rs_table *ops_log;	/* = svc[0], tinybird.datasources_ops_log */
	struct rs_table *svc[3];	/* service data sources (svclog.h) */
	uint64_t svc_size[3];		/* bytes of their CSV renderings */
	struct rs_svc_pend *svc_pend;	/* rows not yet in svc[] (svclog.c) */
	int running_queries;		/* open pipe/playground results (atomic) */
	pthread_mutex_t members_lock;	/* guards members */
	char *members;			/* the members file, cached */
	size_t members_len;
};

struct rs_org {
	char *name;
	char *dir;
	int64_t created;
	char *admins;			/* the admins file, cached (catalog lock) */
	size_t admins_len;
	struct rs_ws **ws;
	unsigned nws;
};

struct rs_catalog;
/* Called after rows were committed into ds, outside any lock, with the new
 * parts (referenced for the call: a merge may already have replaced them in
 * the table): materialized views hang here (engine/pipes/mv.c). */
typedef void (*rs_commit_hook_fn)(struct rs_catalog *c, struct rs_ds *ds, struct rs_part **parts,
				  unsigned n, const char *user);

struct rs_catalog {
	rs_commit_hook_fn on_commit;	/* may be NULL */
	char *root;
	pthread_rwlock_t lock;
	struct rs_org **orgs;
	unsigned norgs;
	struct rs_limits limits;	/* defaults for every workspace */
	/* per-workspace overrides from the config: "org/ws" -> limits */
	char **limit_names;
	struct rs_limits *limit_vals;
	unsigned nlimit;
	char **cfg_admin_orgs;		/* [organization X] admins = ... */
	char **cfg_admins;
	unsigned ncfg_admins;
	pthread_mutex_t errors_lock;	/* root .errors */
	/* background merges (merger.c) */
	pthread_t merger;
	pthread_mutex_t merger_mu;
	pthread_cond_t merger_cv;
	volatile int merger_stop;
	int merger_on;
};

/* Background merges of small parts: start after open, stop before close. */
int rs_catalog_start_merger(struct rs_catalog *c);
void rs_catalog_stop_merger(struct rs_catalog *c);
void rs_catalog_merge_all(struct rs_catalog *c);	/* one pass, synchronously */

/* Name rules (SPEC 2). */
int rs_name_valid_org(const char *s);	/* orgs and workspaces */
int rs_name_valid_table(const char *s);	/* data sources and pipes */

int rs_catalog_open(const char *root, const struct rs_limits *defaults,
		    struct rs_catalog **out, struct rs_err *err);
void rs_catalog_close(struct rs_catalog *c);
/* Per-workspace limit override (from the config), before or after open. */
void rs_catalog_set_ws_limits(struct rs_catalog *c, const char *org_ws,
			      const struct rs_limits *l);

/* Organizations. Names are copied into *names (caller frees each and the
 * array). */
int rs_org_create(struct rs_catalog *c, const char *name, struct rs_err *err);
int rs_org_delete(struct rs_catalog *c, const char *name, struct rs_err *err);
int rs_org_exists(struct rs_catalog *c, const char *name, int64_t *created);
int rs_org_list(struct rs_catalog *c, char ***names, unsigned *n);

/* Workspaces. rs_ws_get returns a reference (rs_ws_unref) or NULL. */
int rs_ws_create(struct rs_catalog *c, const char *org, const char *ws,
		 const char *creator, struct rs_err *err);
int rs_ws_delete(struct rs_catalog *c, const char *org, const char *ws,
		 struct rs_err *err);
struct rs_ws *rs_ws_get(struct rs_catalog *c, const char *org, const char *ws);
void rs_ws_unref(struct rs_catalog *c, struct rs_ws *ws);
int rs_ws_list(struct rs_catalog *c, const char *org, char ***names, unsigned *n);

/* Data sources of a workspace. rs_ds_get returns a reference or NULL. */
struct rs_ds *rs_ds_get(struct rs_catalog *c, struct rs_ws *ws, const char *name);
void rs_ds_unref(struct rs_catalog *c, struct rs_ds *ds);
int rs_ds_list(struct rs_catalog *c, struct rs_ws *ws, char ***names, unsigned *n);
/* The current definition version, referenced (rs_dsv_unref). */
struct rs_dsv *rs_ds_version(struct rs_ds *ds);
void rs_dsv_unref(struct rs_dsv *v);
/* Does the data source have a quarantine table yet? */
int rs_ds_has_quarantine(struct rs_ds *ds);

/*
 * Create or change the data source 'name' from datafile text. Validates
 * everything first (-EINVAL with the reason; nothing changes), then makes
 * it durable. Logs 'create' or 'alter' in the ops log as 'user'.
 * *created tells which (may be NULL).
 */
int rs_ds_apply(struct rs_catalog *c, struct rs_ws *ws, const char *name,
		const char *text, size_t len, const char *user, int *created,
		struct rs_err *err);
/* rs_ds_apply with flags: RS_APPLY_RETYPE lets column types and keys
 * change (a FORWARD_QUERY migration rewrites every row right after);
 * RS_APPLY_QUIET logs nothing (the migration logs one 'alter'). */
#define RS_APPLY_RETYPE 1u
#define RS_APPLY_QUIET 2u
int rs_ds_apply_ex(struct rs_catalog *c, struct rs_ws *ws, const char *name,
		   const char *text, size_t len, const char *user, unsigned flags, int *created,
		   struct rs_err *err);
/* Would this datafile text change the type of an existing column? */
int rs_ds_schema_changes_types(struct rs_ds *d, const char *text, size_t len);
/* Delete (logs 'delete'). */
int rs_ds_delete(struct rs_catalog *c, struct rs_ws *ws, const char *name,
		 const char *user, struct rs_err *err);
/* Rename (logs 'rename'); -EEXIST when 'to' exists. */
int rs_ds_rename(struct rs_catalog *c, struct rs_ws *ws, const char *from,
		 const char *to, const char *user, struct rs_err *err);
/* Empty the data source (or its quarantine), logs 'truncate'. */
int rs_ds_truncate(struct rs_catalog *c, struct rs_ds *ds, int quarantine,
		   const char *user, struct rs_err *err);
/* Open (creating) the quarantine table; under ds->lock. */
int rs_ds_quarantine_table(struct rs_ds *ds, struct rs_table **out, struct rs_err *err);

/*
 * Roles (SPEC 6). rs_org_is_admin: is id an admin of the organization
 * (its admins file, which includes the config's admins)? rs_ws_role: id's
 * role in the workspace (org admins are admins everywhere in their org).
 */
int rs_org_is_admin(struct rs_catalog *c, const char *org, const struct rs_identity *id);
enum rs_role rs_ws_role(struct rs_catalog *c, struct rs_ws *ws, const struct rs_identity *id);
/* Replace the members / admins file: validated, durable, effective at once. */
int rs_ws_set_members(struct rs_catalog *c, struct rs_ws *ws, const char *text, size_t len,
		      struct rs_err *err);
int rs_org_set_admins(struct rs_catalog *c, const char *org, const char *text, size_t len,
		      struct rs_err *err);
/* Config admins of an organization ("alice, @ops"); call before open. */
void rs_catalog_config_admins(struct rs_catalog *c, const char *org, const char *list);

/* Path helpers: files/<folder> dir of a workspace (created on demand). */
int rs_ws_files_dir(struct rs_ws *ws, const char *folder, char *out, size_t outsz);

#endif
