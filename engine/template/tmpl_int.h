/*
 * tmpl_int.h - internals of the templating engine (not for other modules).
 *
 * Pipeline: parse.c splits the template into a tree of nodes (text, {{ }},
 * {% if/for/set %}); lex.c + expr.c turn the code inside the braces into
 * expression trees; eval.c evaluates them to values (value.c) calling the
 * functions of funcs.c / helpers.c; render.c walks the node tree.
 *
 * Memory: everything of one render (tree, values, strings) lives in one
 * arena freed at the end, so an error can return from anywhere without
 * leaking. The arena has a byte cap, so hostile templates cannot eat the
 * machine; hitting it is an error like any other.
 */
#ifndef RS_TEMPLATE_INT_H
#define RS_TEMPLATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "template.h"

/* ---- limits ---- */
#define RS_TMPL_MAX_DEPTH	100		/* nesting of blocks and expressions */
#define RS_TMPL_MAX_ITERS	100000		/* loop iterations per render */
#define RS_TMPL_MAX_ARENA	(256u << 20)	/* bytes of one render */
#define RS_TMPL_MAX_OUT		(64u << 20)	/* bytes of rendered SQL */
#define RS_TMPL_MAX_STR		(16u << 20)	/* one string value */
#define RS_TMPL_MAX_LIST	(1u << 20)	/* items of one list */
#define RS_TMPL_MAX_NEST	32		/* lists in lists */

/* ---- arena ---- */
struct rs_tmpl_chunk;
struct rs_tmpl_arena {
	struct rs_tmpl_chunk *head;
	size_t used;		/* bytes handed out, checked against the cap */
	int failed;		/* sticky: an allocation was refused */
};

void *rs_tmpl_alloc(struct rs_tmpl_arena *a, size_t n);	/* zeroed; NULL = over cap */
char *rs_tmpl_strndup(struct rs_tmpl_arena *a, const char *s, size_t n);
void rs_tmpl_arena_release(struct rs_tmpl_arena *a);

/* ---- values ---- */
enum rs_tv_kind {
	TV_NONE, TV_BOOL, TV_INT, TV_FLOAT, TV_STR, TV_LIST, TV_TUPLE, TV_DICT,
	TV_SQL,		/* already-rendered SQL text (typed function result) */
};

struct rs_tv {
	enum rs_tv_kind kind;
	int64_t i;		/* BOOL (0/1), INT */
	double f;		/* FLOAT */
	const char *s;		/* STR, SQL: bytes (NUL-terminated), len */
	size_t len;
	struct rs_tv **items;	/* LIST, TUPLE: n items; DICT: n keys then n values */
	size_t n;
	struct rs_tv *base;	/* SQL: the plain value behind it (never NULL) */
	unsigned nest;		/* containers: 1 + deepest item (rs_tmpl_seal) */
};

extern struct rs_tv rs_tmpl_none, rs_tmpl_true, rs_tmpl_false;

/* ---- expression trees ---- */
enum rs_tx_kind {
	TX_CONST, TX_NAME, TX_LIST, TX_TUPLE, TX_DICT, TX_CALL, TX_METHOD,
	TX_INDEX, TX_SLICE, TX_NEG, TX_POS, TX_NOT, TX_BIN, TX_CMP, TX_AND,
	TX_OR, TX_COND,
};

/* binary and comparison operators (TX_BIN op / TX_CMP ops[]) */
enum rs_tx_op {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN, OP_IS, OP_ISNOT,
};

struct rs_tx {
	enum rs_tx_kind kind;
	enum rs_tx_op op;		/* TX_BIN */
	unsigned line;
	struct rs_tv *val;		/* TX_CONST */
	const char *name;		/* TX_NAME; TX_CALL callee; TX_METHOD method */
	struct rs_tx **kids;		/* operands, items, call arguments; NULL = omitted slice bound */
	const char **kw;		/* TX_CALL/TX_METHOD: keyword of each argument or NULL */
	enum rs_tx_op *ops;		/* TX_CMP: nkids - 1 operators */
	unsigned nkids;
};

/* ---- template nodes ---- */
enum rs_tn_kind { TN_TEXT, TN_EXPR, TN_IF, TN_FOR, TN_SET, TN_BREAK, TN_CONTINUE };

struct rs_tn {
	enum rs_tn_kind kind;
	unsigned line;
	struct rs_tn *next;
	const char *text;		/* TEXT: bytes; EXPR: source of the expression */
	size_t len;
	struct rs_tx *expr;		/* EXPR, SET value, FOR iterable */
	/* IF: ncond conditions with their bodies, then the else body (may be NULL) */
	struct rs_tx **conds;
	struct rs_tn **bodies;
	unsigned ncond;
	struct rs_tn *els;		/* IF and FOR: else body */
	struct rs_tn *body;		/* FOR body */
	const char **targets;		/* FOR, SET: names bound (tuple unpacking if > 1) */
	unsigned ntargets;
};

/* ---- expression lexer / parser (lex.c, expr.c) ---- */
enum rs_tk_kind { TK_EOF, TK_NAME, TK_INT, TK_FLOAT, TK_STR, TK_OP };

struct rs_tk {
	enum rs_tk_kind kind;
	const char *p;			/* source span */
	size_t len;
	unsigned line;
	int64_t i;
	double f;
	char *s;			/* TK_STR: decoded (arena) */
	size_t slen;
};

struct rs_tlex {
	const char *p, *end;
	unsigned line;
	struct rs_tmpl_arena *a;
	struct rs_err *err;
	struct rs_tk tok;		/* current token */
};

int rs_tmpl_lex_init(struct rs_tlex *lx, const char *p, size_t n, unsigned line,
		     struct rs_tmpl_arena *a, struct rs_err *err);
int rs_tmpl_lex_next(struct rs_tlex *lx);
/* Is the current token the operator / name s? */
int rs_tmpl_tok_is(const struct rs_tk *t, const char *s);

/* Parse a whole expression of n bytes (the inside of {{ }} or an if). */
int rs_tmpl_parse_expr(struct rs_tmpl_arena *a, const char *p, size_t n,
		       unsigned line, struct rs_tx **out, struct rs_err *err);
/* The `a, b in expr` / `a = expr` heads of for and set. */
int rs_tmpl_parse_targets(struct rs_tlex *lx, const char ***names, unsigned *n);
int rs_tmpl_parse_expr_lx(struct rs_tlex *lx, struct rs_tx **out);

/* ---- template parser (parse.c) ---- */
int rs_tmpl_parse(struct rs_tmpl_arena *a, const char *p, size_t n, unsigned line,
		  struct rs_tn **out, struct rs_err *err);

/* ---- evaluation context ---- */
struct rs_tvar {
	const char *name;
	struct rs_tv *v;
};

struct rs_tctx {
	struct rs_tmpl_arena *a;
	const struct rs_tmpl_param *params;
	unsigned nparams;
	struct rs_tvar *vars;		/* {% set %} and loop variables */
	unsigned nvars, capvars;
	struct rs_tvar pcache[32];	/* request parameters already made values */
	unsigned npcache;
	struct rs_err *err;
	unsigned line;			/* line being evaluated, for messages */
	unsigned long iters;
	unsigned depth;
	const char **missing;		/* required parameters evaluated without value */
	unsigned nmissing;
	int analysis;			/* placeholders instead of errors (RS_TMPL_ANALYSIS) */
	int http_status;		/* error()/custom_error() status */
	struct rs_buf *out;
};

/* Error helpers; all return -EINVAL (or -ENOMEM) and record the message. */
int rs_tmpl_fail(struct rs_tctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int rs_tmpl_nomem(struct rs_tctx *c);

int rs_tmpl_eval(struct rs_tctx *c, const struct rs_tx *x, struct rs_tv **out);
struct rs_tv *rs_tmpl_lookup(struct rs_tctx *c, const char *name);
/* Was name bound by {% set %} or a loop (shadowing a request parameter)? */
int rs_tmpl_lookup_is_var(struct rs_tctx *c, const char *name);
/* Request values of a parameter (all occurrences, in order); 0 = absent. */
unsigned rs_tmpl_param_values(struct rs_tctx *c, const char *name, const char **vals,
			      unsigned max);
int rs_tmpl_setvar(struct rs_tctx *c, const char *name, struct rs_tv *v);
int rs_tmpl_add_missing(struct rs_tctx *c, const char *name);

/* ---- values (value.c) ---- */
struct rs_tv *rs_tmpl_int(struct rs_tctx *c, int64_t i);
struct rs_tv *rs_tmpl_float(struct rs_tctx *c, double f);
struct rs_tv *rs_tmpl_str(struct rs_tctx *c, const char *s, size_t n);
struct rs_tv *rs_tmpl_sql(struct rs_tctx *c, const char *s, size_t n, struct rs_tv *base);
struct rs_tv *rs_tmpl_list(struct rs_tctx *c, enum rs_tv_kind kind, size_t n);
static inline struct rs_tv *rs_tmpl_bool(int b)
{
	return b ? &rs_tmpl_true : &rs_tmpl_false;
}
/* The plain value (SQL values compare and compute as their base). */
static inline const struct rs_tv *rs_tmpl_plain(const struct rs_tv *v)
{
	return v->kind == TV_SQL ? v->base : v;
}
/* Compute v->nest after filling a container; fails when too deep. */
int rs_tmpl_seal(struct rs_tctx *c, struct rs_tv *v);
const char *rs_tmpl_type_name(const struct rs_tv *v);
int rs_tmpl_truthy(const struct rs_tv *v);
int rs_tmpl_equal(const struct rs_tv *a, const struct rs_tv *b);
/* Python ordering: <0, 0, >0; -EINVAL-style failure sets *bad. */
int rs_tmpl_compare(const struct rs_tv *a, const struct rs_tv *b, int *bad);
/* str(v) as Python prints it. */
int rs_tmpl_to_str(struct rs_tctx *c, const struct rs_tv *v, struct rs_buf *b);
/* Append v as SQL: strings quoted and escaped, numbers raw, SQL verbatim. */
int rs_tmpl_to_sql(struct rs_tctx *c, const struct rs_tv *v, struct rs_buf *b);
int rs_tmpl_sql_quote(struct rs_buf *b, const char *s, size_t n);
int rs_tmpl_fmt_float(struct rs_buf *b, double f);
/* Items to iterate over (list, tuple, str chars, dict keys). */
int rs_tmpl_iter(struct rs_tctx *c, const struct rs_tv *v, struct rs_tv ***items,
		 size_t *n);

/* ---- functions (funcs.c, helpers.c) ---- */
struct rs_targ {
	struct rs_tv *v;
	const char *kw;			/* keyword or NULL */
	const char *name;		/* the argument was this bare name */
};

/* Call the template function `name`; -ENOENT if there is none. */
int rs_tmpl_call(struct rs_tctx *c, const char *name, struct rs_targ *args,
		 unsigned nargs, struct rs_tv **out);
int rs_tmpl_call_helper(struct rs_tctx *c, const char *name, struct rs_targ *args,
			unsigned nargs, struct rs_tv **out);
int rs_tmpl_call_method(struct rs_tctx *c, struct rs_tv *self, const char *name,
			struct rs_targ *args, unsigned nargs, struct rs_tv **out);
/* Is name a typed parameter function (String, Int32, Array, column ...)? */
int rs_tmpl_is_typed(const char *name);
/* Argument lookup: positional index pos (or -1) or keyword kw. */
struct rs_tv *rs_tmpl_arg(struct rs_targ *args, unsigned nargs, int pos, const char *kw);
/* Quote an identifier with backticks, dotted parts separately. */
int rs_tmpl_backtick(struct rs_buf *b, const char *s, size_t n);
/* JSON text -> value (json.c). */
int rs_tmpl_json_parse(struct rs_tctx *c, const char *s, size_t n, struct rs_tv **out);
int rs_tmpl_json_write(struct rs_tctx *c, const struct rs_tv *v, struct rs_buf *b);
/* Dates (helpers.c): seconds since the epoch of a parsed date. */
int rs_tmpl_parse_date(const char *s, size_t n, const char *fmt, int64_t *secs);

#endif
