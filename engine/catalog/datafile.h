/*
 * datafile.h - Tinybird datafiles: .datasource and .pipe (grammar only).
 *
 * Grammar (docs/tinybird-reference.md 2.1-2.7, 4.1): line oriented; the
 * first token of a line is the keyword (case-insensitive); "KEYWORD >" opens
 * a block of indented lines; '#' starts a comment line; values may be quoted
 * ("MergeTree" == MergeTree). Unknown keywords are refused with line:col:
 *   "3:1: FOO is not a valid option in datasource files"
 * SETTINGS is refused ("use ENGINE_SETTINGS instead").
 *
 * Errors: -EINVAL with err->line/col set and a message that starts with
 * "LINE:COL: ". Implementation: datafile_ds.c, datafile_pipe.c, datafile_lex.c,
 * datafile_schema.c (internals: datafile_int.h).
 *
 * Lexical details: lines end with \n or \r\n (a UTF-8 BOM is skipped);
 * outside blocks, blank lines and '#' comment lines are ignored and any
 * other line must start at column 1 ("3:5: unexpected indented line"). A
 * block holds the following lines indented by spaces or tabs, '#' lines
 * included (blank lines between them kept, blank lines at either end
 * dropped), dedented by their common indentation; it ends at the next line
 * that starts at column 1, except a '#' comment line, which is skipped. Any keyword may
 * take a block or an inline value ("DESCRIPTION text" works); an inline
 * value quoted as a whole is unquoted. Single-valued keywords may appear
 * once ("7:1: duplicated ENGINE"); TOKEN and INCLUDE repeat. A "missing"
 * error about the whole file is reported at 1:1 ("1:1: missing SCHEMA").
 * A NUL byte is -EINVAL; a file larger than RS_DATAFILE_MAX_BYTES -EFBIG.
 *
 * Both parsers: on success the caller releases *out with the matching
 * _release(); on failure *out is left released (all zero) and needs nothing.
 */
#ifndef RS_CATALOG_DATAFILE_H
#define RS_CATALOG_DATAFILE_H

#include <stddef.h>

#include "../types/type.h"

struct rs_err;

#define RS_DATAFILE_MAX_BYTES (16u << 20)

struct rs_ds_column {
	char *name;		/* unquoted (backticks removed) */
	struct rs_type *type;	/* parsed with rs_type_parse */
	char *type_text;	/* as written */
	char *jsonpath;		/* "$.a.b" or NULL (means $.<name>) */
	char *default_expr;	/* expression text after DEFAULT, or NULL */
	char *codec;		/* text inside CODEC(...), or NULL */
	unsigned line;		/* file line of the column name */
};

struct rs_kv {
	char *key;		/* upper-case keyword */
	char *value;
	unsigned line;
};

enum rs_engine_kind {
	RS_ENGINE_MERGETREE,
	RS_ENGINE_REPLACING,
	RS_ENGINE_SUMMING,
	RS_ENGINE_AGGREGATING,
	RS_ENGINE_COLLAPSING,
	RS_ENGINE_VERSIONED_COLLAPSING,
	RS_ENGINE_NULL,
};

struct rs_ds_def {
	char *description;		/* block text, lines joined by \n, dedented; or NULL */
	struct rs_ds_column *cols;
	unsigned ncols;
	enum rs_engine_kind engine;
	char *engine_text;		/* as written, e.g. "MergeTree" or "ReplacingMergeTree(ver)" */
	char *sorting_key;		/* ENGINE_SORTING_KEY value, or NULL */
	char *partition_key;
	char *primary_key;
	char *sampling_key;
	char *ttl;
	char *settings;			/* ENGINE_SETTINGS */
	char *ver, *is_deleted, *sign, *version_col, *summing_columns;
	char **shared_with;		/* SHARED_WITH block: workspace names */
	unsigned nshared;
	char *forward_query;		/* block text */
	int backfill_skip;		/* BACKFILL skip */
	int version;			/* VERSION n, -1 when absent */
	char *tags;
	char *indexes;			/* INDEXES block text, one index per line */
	struct rs_kv *extra;		/* TOKEN, KAFKA_*, IMPORT_*, INCLUDE ... kept verbatim,
					 * in file order; TOKEN values are normalised to
					 * "name SCOPE" (quotes removed, scope upper-case
					 * READ|APPEND|CREATE) */
	unsigned nextra;
};

/*
 * Parse a .datasource datafile. Validation: SCHEMA present with at least
 * one column; column names match ^[a-zA-Z_][.0-9a-zA-Z_]*$ ("invalid column
 * name 'x'"), not 'index' ("column name 'index' is reserved"), no
 * duplicates ("duplicated column 'x'"); types parse (message names the
 * column: "4:15: column 'ts': unknown type 'DateTim'"); ENGINE known
 * ("unknown engine 'X'"); ENGINE_VER/ENGINE_IS_DELETED only with
 * ReplacingMergeTree, ENGINE_SIGN with (Versioned)CollapsingMergeTree (and
 * required there unless the ENGINE value has arguments), ENGINE_VERSION
 * with VersionedCollapsingMergeTree, ENGINE_SUMMING_COLUMNS with
 * SummingMergeTree; a simple column name given to ENGINE_VER, _IS_DELETED,
 * _SIGN or _VERSION must be in SCHEMA; DateTime64 needs a precision;
 * VERSION is an integer >= 0; BACKFILL is "skip"; INDEXES lines are
 * "name expr TYPE type GRANULARITY n". Positions point at the offending
 * token.
 *
 * SCHEMA: columns are separated by commas (a trailing comma after the last
 * one is accepted; "3:16: missing ',' after column 'a'"). After the type,
 * `json:$.path` (or bare json:$.path), DEFAULT expr and CODEC(...) may
 * follow, also on the next lines. Types and expressions are scanned with
 * bracket depth and quotes, so commas inside them are fine. Indented lines
 * starting with '#' inside SCHEMA are comments.
 */
int rs_ds_parse(const char *text, size_t len, struct rs_ds_def *out, struct rs_err *err);
void rs_ds_def_release(struct rs_ds_def *d);

enum rs_node_type {
	RS_NODE_STANDARD,
	RS_NODE_ENDPOINT,
	RS_NODE_MATERIALIZED,
	RS_NODE_COPY,
	RS_NODE_SINK,
};

struct rs_pipe_node {
	char *name;
	char *description;
	char *sql;		/* block text, dedented, lines joined by \n */
	unsigned sql_line;	/* line of the first SQL line in the file */
	unsigned sql_indent;	/* bytes of indentation removed from each SQL
				 * line: file col = SQL col + sql_indent */
	enum rs_node_type type;
	char *datasource;	/* materialized: DATASOURCE */
	char *target_datasource;/* copy: TARGET_DATASOURCE */
	char *copy_schedule;	/* cron expression or @on-demand */
	char *copy_mode;	/* "append" or "replace" (COPY_MODE or MODE,
				 * lower-cased); copy nodes default to "append",
				 * other nodes have NULL unless it is given */
	struct rs_kv *extra;	/* other node keys kept verbatim (ENGINE*,
				 * DEPLOYMENT_METHOD, CACHE, EXPORT_*) */
	unsigned nextra;
	unsigned line;		/* line of NODE */
};

struct rs_pipe_def {
	char *description;
	struct rs_pipe_node *nodes;
	unsigned nnodes;
	struct rs_kv *extra;	/* TOKEN ("name READ"), TAGS, INCLUDE, VERSION */
	unsigned nextra;
};

/*
 * Parse a .pipe datafile (grammar and the key rules of reference 4.1:
 * at least one NODE ("1:1: missing NODE"); each NODE has a name matching
 * ^[a-zA-Z_][0-9a-zA-Z_]*$ and SQL ("node 'x' has no SQL"); node names
 * unique ("duplicated node 'x'"); TYPE values (case-insensitive endpoint,
 * materialized, copy, sink; one typed node per pipe); materialized needs
 * DATASOURCE; copy needs TARGET_DATASOURCE, a mode of append|replace and a
 * COPY_SCHEDULE of 5 cron fields or @on-demand/@once; sink needs
 * EXPORT_CONNECTION_NAME). DESCRIPTION before the first NODE describes the
 * pipe, after it the node; TOKEN, TAGS, INCLUDE, VERSION are pipe keys
 * wherever they appear; node keys before the first NODE are an error.
 * SQL text itself is not parsed here.
 */
int rs_pipe_parse(const char *text, size_t len, struct rs_pipe_def *out, struct rs_err *err);
void rs_pipe_def_release(struct rs_pipe_def *p);

#endif
