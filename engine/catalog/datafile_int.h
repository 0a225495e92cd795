/*
 * datafile_int.h - internals shared by datafile_lex.c, datafile_schema.c,
 * datafile_ds.c and datafile_pipe.c. Not for other modules.
 *
 * df_lex() turns a datafile into entries, one per keyword line. An entry
 * keeps its keyword (upper-cased, sanitised for messages) and its value as
 * "value lines": the rest of the keyword line for "KEY value", or the
 * dedented lines of the block for "KEY >". Value lines borrow from the
 * input text, which must outlive the struct df_file. Every value line
 * knows its file position, so errors inside values (a bad type in SCHEMA,
 * later a SQL error) can be reported as file line:col.
 */
#ifndef RS_CATALOG_DATAFILE_INT_H
#define RS_CATALOG_DATAFILE_INT_H

#include <stddef.h>

struct rs_err;
struct rs_kv;

#define DF_KW_MAX 40	/* room for the longest keyword we show */

struct df_line {
	const char *s;		/* borrowed; not NUL-terminated */
	size_t len;		/* 0 for a blank line of a block */
	unsigned line, col;	/* file position of s[0] (1-based) */
};

struct df_entry {
	char kw[DF_KW_MAX];	/* upper-cased keyword; "FOO..." when too long */
	unsigned line, col;	/* position of the keyword */
	int block;		/* opened with "KEY >" */
	unsigned v0, nv;	/* value lines: f->l[v0 .. v0+nv) */
	unsigned indent;	/* bytes of indentation removed from block lines */
};

struct df_file {
	struct df_entry *e;
	unsigned n, cap;
	struct df_line *l;
	unsigned nl, lcap;
};

/*
 * Split 'text' into entries (see the comment at the top of datafile.h for
 * the grammar). Errors: -EINVAL (NUL byte, indented line outside a block,
 * text after '>'), -EFBIG (larger than RS_DATAFILE_MAX_BYTES), -ENOMEM.
 * On error f is released.
 */
int df_lex(const char *text, size_t len, struct df_file *f, struct rs_err *err);
void df_release(struct df_file *f);

/* -EINVAL with err->line/col set and "LINE:COL: " in front of the message. */
int df_err(struct rs_err *err, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "KW is not a valid option in <kind> files" at the keyword. */
int df_err_keyword(struct rs_err *err, const struct df_entry *e, const char *kind);
/* -ENOMEM with a message. */
int df_nomem(struct rs_err *err);

/*
 * Printable copy of s[0..n) for messages: bytes outside 0x20..0x7e become
 * '?', long strings are cut with "...". Returns buf.
 */
const char *df_show(const char *s, size_t n, char *buf, size_t cap);

/* Checked allocation helpers (data-sized; NULL / -ENOMEM on failure). */
char *df_strndup(const char *s, size_t n);
/* Make room for need elements of sz bytes in *pp (a T **). */
int df_grow(void *pp, unsigned *cap, unsigned need, size_t sz);

/*
 * The value of e as a new string (*out, caller frees). Block lines are
 * joined with '\n'. When 'unquote' is 1 and the value is one line quoted as
 * a whole ("MergeTree", 'a, b') the quotes are removed (\" and \\ escapes
 * resolved). -EINVAL "KW needs a value" when there is none; -ENOMEM.
 */
int df_value(const struct df_file *f, const struct df_entry *e, int unquote,
	     char **out, struct rs_err *err);
/* Position of the value (first value line), or the keyword when none. */
void df_value_pos(const struct df_file *f, const struct df_entry *e,
		  unsigned *line, unsigned *col);

/* Shell-like words of one line: whitespace separated, '...' or "..." quoted. */
struct df_word {
	const char *s;		/* inside the quotes for a quoted word */
	size_t len;
	unsigned col;		/* file column of the word (its quote) */
};
/* Returns the number of words (at most max; more are counted, not stored) or
 * -EINVAL for an unterminated quote (message set). */
int df_words(const struct df_line *l, struct df_word *w, unsigned max,
	     struct rs_err *err);

/* ^[a-zA-Z_][0-9a-zA-Z_]*$, with '.' allowed after the first byte if dots. */
int df_is_ident(const char *s, size_t n, int dots);
int df_strcaseeq(const char *a, size_t alen, const char *b);

/*
 * A set of names for duplicate checks (open addressing; the names are
 * borrowed). df_names_add: 1 added, 0 already present, -ENOMEM.
 */
struct df_names {
	const char **v;
	unsigned cap, n;
};
int df_names_add(struct df_names *s, const char *name);
void df_names_release(struct df_names *s);

/* Append {key, value (consumed), line} to a kv array; -ENOMEM frees value. */
int df_kv_add(struct rs_kv **kv, unsigned *n, const char *key, char *value,
	      unsigned line, struct rs_err *err);
void df_kv_free(struct rs_kv *kv, unsigned n);

/* "TOKEN name SCOPE": the value normalised to "name SCOPE" (*out, caller
 * frees). 'scopes' lists accepted scopes ("READ", "APPEND", NULL); a
 * missing scope becomes def_scope, or is an error when def_scope is NULL. */
int df_token(const struct df_file *f, const struct df_entry *e,
	     const char *const *scopes, const char *def_scope, char **out,
	     struct rs_err *err);

/* ENGINE and ENGINE_* keys that .datasource files (and classic MV nodes of
 * .pipe files) accept. */
int df_is_engine_key(const char *kw);

/* datafile_schema.c: the SCHEMA block into columns (appended to *cols). */
struct rs_ds_column;
int df_schema_parse(const struct df_file *f, const struct df_entry *e,
		    struct rs_ds_column **cols, unsigned *ncols,
		    struct rs_err *err);
void df_column_release(struct rs_ds_column *c);

#endif
