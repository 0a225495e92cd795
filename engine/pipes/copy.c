/*
 * copy.c - copy pipes (SPEC 4): a pipe whose node has TYPE copy and
 * TARGET_DATASOURCE <ds> writes its result into <ds>, in COPY_MODE append
 * (default) or replace, when its .pipe is touched and on its
 * COPY_SCHEDULE (cron: minute hour day-of-month month day-of-week, with
 * '*', steps ('*' slash n), ranges a-b and lists; @hourly, @daily ...; @on-demand never runs by
 * itself). One scheduler thread checks every workspace each minute.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/err.h"
#include "../base/util.h"
#include "../catalog/datafile.h"
#include "../ingest/ingest.h"
#include "pipes_int.h"

static const struct rs_pipe_node *copy_node(const struct rs_pipe_def *pd)
{
	for (unsigned i = 0; i < pd->nnodes; i++)
		if (pd->nodes[i].type == RS_NODE_COPY)
			return &pd->nodes[i];
	return NULL;
}

int rs_copy_run(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *text,
		size_t len, const char *user, struct rs_err *err)
{
	struct rs_pipe_def pd;
	const struct rs_pipe_node *node;
	struct rs_pipe_req req = { .cat = c, .ws = ws, .name = name, .text = text, .len = len,
				   .node_type = RS_NODE_COPY };
	struct rs_pq *pq = NULL;
	struct rs_ds *target;
	struct rs_ingest *g;
	const struct rs_col *cols;
	size_t n;
	int rc, replace;

	if ((rc = rs_pipe_parse(text, len, &pd, err)))
		return rc;
	node = copy_node(&pd);
	if (!node) {
		rs_pipe_def_release(&pd);
		return 0;	/* not a copy pipe: touching it does nothing */
	}
	target = rs_ds_get(c, ws, node->target_datasource);
	replace = node->copy_mode && !strcmp(node->copy_mode, "replace");
	if (!target) {
		rc = rs_errf(err, -ENOENT, "copy pipe '%s': no data source '%s'", name,
			     node->target_datasource);
		rs_pipe_def_release(&pd);
		return rc;
	}
	rs_pipe_def_release(&pd);
	if ((rc = rs_pipe_open(&req, &pq, err))) {
		rs_ds_unref(c, target);
		return rc;
	}
	g = rs_ingest_new(c, target, RS_IN_CSV, replace, user);
	rs_ingest_set_event(g, "copy");
	while ((rc = rs_query_next(rs_pq_query(pq), &cols, &n, err)) > 0)
		if ((rc = rs_ingest_add_cols(g, rs_query_schema(rs_pq_query(pq)), cols, n, err)))
			break;
	rs_pq_close(pq);
	if (!rc) {
		/* a replace with no rows still empties the target */
		rc = rs_ingest_commit(g, NULL, err);
	}
	rs_ingest_free(g);
	rs_ds_unref(c, target);
	return rc;
}

/* ---- cron ---- */

/* does value v match one cron field: "*", a step, "1-5", "0,30"? */
static int field_match(const char *f, int v, int lo, int hi)
{
	char buf[128];
	char *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", f);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int a = lo, b = hi, step = 1;
		char *slash = strchr(tok, '/');
		if (slash) {
			step = atoi(slash + 1);
			*slash = 0;
			if (step <= 0)
				return 0;
		}
		if (strcmp(tok, "*")) {
			char *dash = strchr(tok, '-');
			a = atoi(tok);
			b = dash ? atoi(dash + 1) : (slash ? hi : a);
		}
		if (v >= a && v <= b && (v - a) % step == 0)
			return 1;
	}
	return 0;
}

int rs_cron_match(const char *expr, time_t t)
{
	static const struct {
		const char *macro, *cron;
	} macros[] = {
		{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
		{ "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },	 { "@midnight", "0 0 * * *" },
		{ "@hourly", "0 * * * *" },
	};
	char f[5][64];
	struct tm tm;

	if (!expr || !*expr || expr[0] == '@') {
		for (unsigned i = 0; expr && i < RS_ARRAY_SIZE(macros); i++)
			if (!strcmp(expr, macros[i].macro))
				return rs_cron_match(macros[i].cron, t);
		return 0;	/* @on-demand, @once: never by schedule */
	}
	if (sscanf(expr, "%63s %63s %63s %63s %63s", f[0], f[1], f[2], f[3], f[4]) != 5)
		return 0;
	gmtime_r(&t, &tm);
	return field_match(f[0], tm.tm_min, 0, 59) && field_match(f[1], tm.tm_hour, 0, 23) &&
	       field_match(f[2], tm.tm_mday, 1, 31) && field_match(f[3], tm.tm_mon + 1, 1, 12) &&
	       field_match(f[4], tm.tm_wday, 0, 6);
}

/* ---- scheduler ---- */

static void run_due(struct rs_catalog *c, struct rs_ws *ws, time_t minute)
{
	char dir[PATH_MAX], file[PATH_MAX + 260];
	DIR *dh;
	struct dirent *e;

	if (rs_ws_files_dir(ws, "copies", dir, sizeof(dir)) || !(dh = opendir(dir)))
		return;
	while ((e = readdir(dh))) {
		size_t l = strlen(e->d_name), len;
		char *text = NULL, name[256];
		struct rs_pipe_def pd;
		const struct rs_pipe_node *node;
		int due = 0;

		if (l <= 5 || strcmp(e->d_name + l - 5, ".pipe") || l - 5 >= sizeof(name))
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
		if (rs_read_file(file, &text, &len))
			continue;
		if (rs_pipe_parse(text, len, &pd, NULL) == 0) {
			node = copy_node(&pd);
			due = node && rs_cron_match(node->copy_schedule, minute);
			rs_pipe_def_release(&pd);
		}
		if (due) {
			struct rs_err err = { 0 };
			memcpy(name, e->d_name, l - 5);
			name[l - 5] = 0;
			if (rs_copy_run(c, ws, name, text, len, "scheduler", &err))
				fprintf(stderr, "roost: copy pipe '%s' of '%s' failed: %s\n", name,
					ws->name, err.msg);
		}
		free(text);
	}
	closedir(dh);
}

static pthread_t sched;
static pthread_mutex_t sched_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sched_cv = PTHREAD_COND_INITIALIZER;
static int sched_stop, sched_on;

static void *sched_main(void *arg)
{
	struct rs_catalog *c = arg;
	time_t last = time(NULL) / 60;

	pthread_mutex_lock(&sched_mu);
	while (!sched_stop) {
		struct timespec ts;
		time_t now;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		pthread_cond_timedwait(&sched_cv, &sched_mu, &ts);
		now = time(NULL);
		if (sched_stop || now / 60 == last)
			continue;
		last = now / 60;
		pthread_mutex_unlock(&sched_mu);
		{
			struct rs_ws **ws = NULL;
			unsigned nws = 0;
			pthread_rwlock_rdlock(&c->lock);
			for (unsigned i = 0; i < c->norgs; i++)
				for (unsigned j = 0; j < c->orgs[i]->nws; j++) {
					ws = xrealloc(ws, (nws + 1) * sizeof(*ws));
					ws[nws] = c->orgs[i]->ws[j];
					__atomic_add_fetch(&ws[nws]->refs, 1, __ATOMIC_SEQ_CST);
					nws++;
				}
			pthread_rwlock_unlock(&c->lock);
			for (unsigned i = 0; i < nws; i++) {
				run_due(c, ws[i], last * 60);
				rs_ws_unref(c, ws[i]);
			}
			free(ws);
		}
		pthread_mutex_lock(&sched_mu);
	}
	pthread_mutex_unlock(&sched_mu);
	return NULL;
}

int rs_copy_scheduler_start(struct rs_catalog *c)
{
	int rc = pthread_create(&sched, NULL, sched_main, c);

	if (!rc)
		sched_on = 1;
	return -rc;
}

void rs_copy_scheduler_stop(void)
{
	if (!sched_on)
		return;
	pthread_mutex_lock(&sched_mu);
	sched_stop = 1;
	pthread_cond_signal(&sched_cv);
	pthread_mutex_unlock(&sched_mu);
	pthread_join(sched, NULL);
	sched_on = 0;
}
