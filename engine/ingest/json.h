/*
 * json.h - NDJSON lines and JSON values for ingestion.
 *
 * rs_lines splits a stream of chunks into lines (\n, optional \r before it),
 * delivering each complete line; memory is one line. Blank lines (empty or
 * only spaces, tabs, \r) are counted but not delivered. A line longer than
 * max_row bytes (\r included, \n not) fails feed() with -EFBIG ("row larger
 * than max_row (N bytes) at line L"). Errors are sticky: after one (or after
 * the callback stops it), feed() and finish() return the same code.
 *
 * rs_json_parse parses one JSON text (a line) into a flat token tape owned
 * by the doc (reused across lines: no allocation per line once warm). The
 * tape points into the text, which must outlive the doc's use. Strict RFC
 * 8259; nesting deeper than RS_JSON_DEPTH_MAX is malformed; a \u escape of a
 * lone surrogate and invalid UTF-8 in strings are malformed too.
 * Paths are Tinybird jsonpaths: "$" (whole document), "$.a.b",
 * "$.a['key with dots']", "$.items[0]", "$.items[:]" (every element: used
 * for Array columns). With duplicate keys in an object, the first one wins.
 * Implementation: json.c, jsonpath.c.
 */
#ifndef RS_INGEST_JSON_H
#define RS_INGEST_JSON_H

#include <stddef.h>
#include <stdint.h>

struct rs_err;
struct rs_buf;

/* ---- line splitter ---- */
typedef int (*rs_line_fn)(void *ctx, const char *line, size_t len, uint64_t lineno);
struct rs_lines;
struct rs_lines *rs_lines_new(size_t max_row, rs_line_fn fn, void *ctx);
int rs_lines_feed(struct rs_lines *l, const char *data, size_t len, struct rs_err *err);
int rs_lines_finish(struct rs_lines *l, struct rs_err *err);
void rs_lines_free(struct rs_lines *l);

/* ---- values ---- */
enum rs_json_kind {
	RS_JSON_NULL,
	RS_JSON_FALSE,
	RS_JSON_TRUE,
	RS_JSON_NUMBER,
	RS_JSON_STRING,
	RS_JSON_ARRAY,
	RS_JSON_OBJECT,
};

struct rs_json_doc;	/* opaque: tape + scratch */

#define RS_JSON_DEPTH_MAX 128	/* open arrays/objects; deeper is malformed */

struct rs_json_doc *rs_json_doc_new(void);
void rs_json_doc_free(struct rs_json_doc *d);
/* Parse s[0..len) (the whole text must be one JSON value, surrounding
 * whitespace allowed). -EINVAL with "malformed JSON at column N: ..." */
int rs_json_parse(struct rs_json_doc *d, const char *s, size_t len, struct rs_err *err);

/* Nodes are indexes into the tape; 0 is the root; -1 = none. After a failed
 * parse there are no nodes. An invalid node (-1, out of range) reads as
 * RS_JSON_NULL with empty text; rs_json_text/rs_json_key return -EINVAL. */
enum rs_json_kind rs_json_kind(const struct rs_json_doc *d, int node);
/* Raw source text of a node (for numbers: the literal; for objects and
 * arrays: the whole JSON text; for strings: including quotes). */
void rs_json_raw(const struct rs_json_doc *d, int node, const char **p, size_t *len);
/* String content, unescaped (\uXXXX and surrogate pairs to UTF-8) into
 * scratch (reset first) or pointing into the source when no escapes.
 * For non-strings: same as rs_json_raw. -EINVAL on a bad escape. */
int rs_json_text(const struct rs_json_doc *d, int node, struct rs_buf *scratch,
		 const char **p, size_t *len);
int rs_json_first_child(const struct rs_json_doc *d, int node);	/* array elem / object value */
int rs_json_next_sibling(const struct rs_json_doc *d, int node);
/* For object members: the key of value node 'node' (unescaped as above).
 * -EINVAL for a node that is not an object member. */
int rs_json_key(const struct rs_json_doc *d, int node, struct rs_buf *scratch,
		const char **p, size_t *len);
/* Elements of an array, members of an object; 0 for other nodes. */
unsigned rs_json_nchildren(const struct rs_json_doc *d, int node);
/* 1 if member 'node' has the key key[0..len) (compared unescaped), else 0. */
int rs_json_key_eq(const struct rs_json_doc *d, int node, const char *key, size_t len);
/* The value of the first member of object 'node' with key key[0..len), or
 * -1 (also when 'node' is not an object). */
int rs_json_member(const struct rs_json_doc *d, int node, const char *key, size_t len);

/* ---- paths ---- */
struct rs_jsonpath;
/* Grammar: '$' then any of  .name  ['name'] ["name"] (\ escapes the next
 * character)  [N] (decimal index)  and a final [:]. -EINVAL "invalid jsonpath
 * '<path>'" otherwise. */
int rs_jsonpath_compile(const char *path, struct rs_jsonpath **out, struct rs_err *err);
void rs_jsonpath_free(struct rs_jsonpath *p);
int rs_jsonpath_is_array(const struct rs_jsonpath *p);	/* ends in [:] */
/* Node at path (for [:] paths: the array node itself), or -1 when absent:
 * a missing key or index, or a step through a value of the wrong kind (a key
 * of a non-object, an index or [:] of a non-array). A JSON null is a node. */
int rs_jsonpath_lookup(const struct rs_json_doc *d, const struct rs_jsonpath *p);

#endif
