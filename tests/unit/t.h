/*
 * t.h - a tiny unit-test harness (one counting macro family, as Redis and
 * squashfuse do). A test file defines test functions and a main() that runs
 * them with T_RUN; T_DONE prints "<file>: N passed, N failed" and returns
 * the exit status.
 */
#ifndef RS_TESTS_T_H
#define RS_TESTS_T_H

#include <stdio.h>
#include <string.h>

static int t_fail, t_pass, t_cur_fail;

#define T_CHECK(cond, ...) do { if (!(cond)) { t_cur_fail++; \
	fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define T_OK(x) T_CHECK((x), "%s", "")
#define T_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { t_cur_fail++; fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", \
	__FILE__, __LINE__, #a, a_, b_); } } while (0)
#define T_EQ_U64(a, b) do { unsigned long long a_ = (a), b_ = (b); \
	if (a_ != b_) { t_cur_fail++; fprintf(stderr, "%s:%d: %s = %llu, want %llu\n", \
	__FILE__, __LINE__, #a, a_, b_); } } while (0)
#define T_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) { t_cur_fail++; fprintf(stderr, \
	"%s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, __LINE__, #a, \
	a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)
#define T_CONTAINS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) { t_cur_fail++; fprintf(stderr, \
	"%s:%d: %s = \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, #hay, \
	h_ ? h_ : "(null)", n_); } } while (0)

#define T_RUN(fn) do { t_cur_fail = 0; fn(); if (t_cur_fail) { t_fail++; \
	fprintf(stderr, "FAIL %s\n", #fn); } else t_pass++; } while (0)
#define T_DONE() (printf("%s: %d passed, %d failed\n", __FILE__, t_pass, t_fail), \
	t_fail ? 1 : 0)

#endif
