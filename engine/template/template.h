/*
 * template.h - Tinybird's SQL templating language (Tornado-based), pure C.
 *
 * A node's SQL is a template when its first non-blank line is a lone `%`.
 * Otherwise it is plain SQL and is returned unchanged. A template is text
 * with:
 *   {{ expr }}                       insert a value, rendered as SQL
 *   {% if e %} {% elif e %} {% else %} {% end %}
 *   {% for x in e %} {% for a, b in e %} ... {% else %} {% end %}
 *   {% set x = e %}  {% break %}  {% continue %}
 *   {# comment #}    {{! and {%! for a literal {{ / {%
 * Expressions are a small Python subset: literals (int, float, 'str', "str",
 * True, False, None), lists, tuples, dicts, names, calls of template
 * functions, str methods (', '.join(x), x.split(',') ...), indexing and
 * slices, + - * / // %, comparisons (chained), in / not in / is / is not,
 * and / or / not, and `a if c else b`. `import`, `**`, lambdas, dunder names
 * are refused.
 *
 * Request parameters are raw strings. A name not set by the template nor
 * given in the request evaluates to None. Values are rendered into the SQL
 * as follows: str -> single-quoted with \0 \r \b \t \n ' " \ % ` escaped
 * by a backslash; int/float raw; bool 1/0; list ['a',1]; None -> error;
 * typed functions render their own SQL (String(x) -> 'x',
 * Int32(x) -> toInt32('5'), Int(x) -> 5, Float64(x) -> toFloat64('1.5'),
 * Date(x) -> '2024-01-01', DateTime(x) -> '2024-01-01 00:00:00',
 * Boolean(x) -> 1/0, Array(x, 'Int32') -> [1,2], column(x, 'c') -> `c`,
 * columns(x, 'a,b') -> `a`,`b`, symbol(x) -> `x`).
 *
 * Errors are -EINVAL with Tinybird's message in err->msg, e.g.
 *   Template Syntax Error: Required parameter is not defined. Check the
 *     parameters a and b. Please provide a value or set a default value in
 *     the pipe code.
 *   Template Syntax Error: Error validating 'abc' to type Int32
 *   Missing {% end %} block for if at line 4
 *   import is forbidden
 *   expression "x" evaluated to null
 *   the message of error('...') / custom_error({'error': '...'}) as given
 * err->line is set for syntax errors (1-based, the `%` line is line 1 of
 * the text passed in). -ENOMEM when memory runs out; every render is bounded
 * (loop iterations, nesting, output size), so no input hangs or crashes.
 */
#ifndef RS_TEMPLATE_H
#define RS_TEMPLATE_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

/* One request parameter: raw strings. A name may repeat (an array). */
struct rs_tmpl_param {
	const char *name;
	const char *value;
};

/* Is sql a template (first non-blank line is `%`)? */
int rs_tmpl_is_template(const char *sql, size_t len);

/*
 * Render sql with params, appending the result to out (which the caller
 * owns; on error out may hold a partial result, to be discarded). Plain SQL
 * (no `%` line) is appended unchanged; for a template the `%` line is
 * dropped. Returns 0, -EINVAL (message in err) or -ENOMEM.
 */
int rs_tmpl_render(const char *sql, size_t len, const struct rs_tmpl_param *params,
		   unsigned nparams, struct rs_buf *out, struct rs_err *err);

#define RS_TMPL_ANALYSIS 0x1	/* render with placeholders for missing values */

struct rs_tmpl_opts {
	unsigned flags;		/* RS_TMPL_* */
	int http_status;	/* out: 400 for template errors, or error()'s code */
};

/*
 * rs_tmpl_render with options (opts may be NULL). In analysis mode (as
 * Tinybird does to infer an endpoint's columns) a typed function without
 * value renders a placeholder: String '__no_value__', numbers 0, Date
 * '2019-01-01', DateTime '2019-01-01 00:00:00', Array two placeholders;
 * error() and custom_error() do nothing; defined(x) is false.
 */
int rs_tmpl_render_ex(const char *sql, size_t len, const struct rs_tmpl_param *params,
		      unsigned nparams, struct rs_buf *out, struct rs_tmpl_opts *opts,
		      struct rs_err *err);

/*
 * Check a node's SQL without request values: template syntax, and the
 * reserved parameter names 'format' and 'q'. 0 or -EINVAL.
 */
int rs_tmpl_validate(const char *sql, size_t len, struct rs_err *err);

/*
 * Split a query string "a=1&b=x%20y&c=1&c=2" (a leading '?' is skipped)
 * into params, URL-decoding names and values ('+' is a space, %XX a byte;
 * a malformed % escape is kept as is). "a" alone gives a = "". Empty pieces
 * are skipped. *out is one allocation holding the array and its strings:
 * free(*out). Returns 0 or -ENOMEM.
 */
int rs_tmpl_params_parse(const char *qs, size_t len, struct rs_tmpl_param **out,
			 unsigned *n, struct rs_err *err);

/* A parameter as the template uses it (for documentation / OpenAPI). */
struct rs_tmpl_param_info {
	const char *name;
	const char *type;		/* "String", "Int32", "Array(Int32)", "column" ... */
	const char *default_value;	/* literal default as text, or NULL */
	const char *description;	/* description= or NULL */
	const char *example;		/* example= or NULL */
	int required;			/* required=True given */
};

/*
 * List the request parameters a template uses, in order of first use:
 * first arguments of typed functions and of defined(), and bare names that
 * are neither set by the template nor functions. Plain SQL has none.
 * *out is one allocation: free(*out). 0, -EINVAL (syntax) or -ENOMEM.
 */
int rs_tmpl_params_list(const char *sql, size_t len, struct rs_tmpl_param_info **out,
			unsigned *n, struct rs_err *err);

#endif
