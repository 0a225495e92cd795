/* test_config.c - mount/config.c: keys, values, FILE:LINE errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../mount/config.h"
#include "t.h"

static char path[64];

static int load(const char *text, struct rs_config *cfg, char *msg, size_t msgsz)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/roost-cfg-%d.ini", (int)getpid());
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	rs_config_defaults(cfg);
	return rs_config_load(cfg, path, msg, msgsz);
}

static void test_config__every_limit_sets_its_field(void)
{
	struct rs_config cfg;
	char msg[512] = "";

	T_EQ_INT(load("[storage]\npath = /x/y\ncache = 64M\n[limits]\nquery_timeout = 2s\nmax_result = 5M\n"
		      "query_memory = 1G\nmax_ingest = 10K\nmax_storage = 3G\nmax_datasources = 7\n"
		      "max_columns = 9\nmax_row = 1M\nmax_concurrent_queries = 3\n",
		      &cfg, msg, sizeof(msg)), 0);
	T_EQ_STR(cfg.storage_path, "/x/y");
	T_EQ_U64(cfg.cache_bytes, 64ull << 20);
	T_EQ_U64(cfg.limits.query_timeout_ms, 2000);
	T_EQ_U64(cfg.limits.max_result, 5ull << 20);
	T_EQ_U64(cfg.limits.query_memory, 1ull << 30);
	T_EQ_U64(cfg.limits.max_ingest, 10ull << 10);
	T_EQ_U64(cfg.limits.max_storage, 3ull << 30);
	T_EQ_INT(cfg.limits.max_datasources, 7);
	T_EQ_INT(cfg.limits.max_columns, 9);
	T_EQ_U64(cfg.limits.max_row, 1ull << 20);
	T_EQ_INT(cfg.limits.max_concurrent_queries, 3);
	rs_config_release(&cfg);
}

static void test_config__workspace_overrides_and_admins(void)
{
	struct rs_config cfg;
	char msg[512] = "";

	T_EQ_INT(load("[limits]\nmax_row = 2M\n[limits acme/mkt]\nmax_storage = 5G\n"
		      "[organization acme]\nadmins = alice, @ops\n", &cfg, msg, sizeof(msg)), 0);
	T_EQ_INT(cfg.nws_limits, 1);
	T_EQ_STR(cfg.ws_limit_names[0], "acme/mkt");
	T_EQ_U64(cfg.ws_limits[0].max_storage, 5ull << 30);
	T_EQ_U64(cfg.ws_limits[0].max_row, 2ull << 20);	/* inherits [limits] */
	T_EQ_INT(cfg.norgs, 1);
	T_EQ_STR(cfg.orgs[0].org, "acme");
	T_EQ_STR(cfg.orgs[0].admins, "alice, @ops");
	rs_config_release(&cfg);
}

static void test_config__errors_name_file_and_line(void)
{
	struct rs_config cfg;
	char msg[512] = "", want[600];

	T_EQ_INT(load("[storage]\npath = /a\ncolour = blue\n", &cfg, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: unknown key 'colour' in [storage]", path);
	T_EQ_STR(msg, want);
	rs_config_release(&cfg);
	T_EQ_INT(load("\n[limits]\nquery_timeout = soon\n", &cfg, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: invalid value 'soon' for query_timeout", path);
	T_EQ_STR(msg, want);
	rs_config_release(&cfg);
	T_EQ_INT(load("[storage]\ncache = lots\n", &cfg, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: invalid value 'lots' for cache", path);
	T_EQ_STR(msg, want);
	rs_config_release(&cfg);
	T_EQ_INT(load("[memory]\nretain = 64M\nrelease_after = 3s\n", &cfg, msg, sizeof(msg)), 0);
	T_EQ_U64(cfg.mem_retain, 64ull << 20);
	T_EQ_U64(cfg.mem_release_ms, 3000);
	rs_config_release(&cfg);
	rs_config_defaults(&cfg);
	T_EQ_U64(cfg.mem_retain, 512ull << 20);
	T_EQ_U64(cfg.mem_release_ms, 10000);
	rs_config_release(&cfg);
	T_EQ_INT(load("[memory]\nretain = much\n", &cfg, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: invalid value 'much' for retain", path);
	T_EQ_STR(msg, want);
	rs_config_release(&cfg);
	T_EQ_INT(load("[memory]\nkeep = 1G\n", &cfg, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: unknown key 'keep' in [memory]", path);
	T_EQ_STR(msg, want);
	rs_config_release(&cfg);
	T_EQ_INT(load("[storage]\n[nonsense]\n", &cfg, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: unknown section [nonsense]", path);
	T_EQ_STR(msg, want);
	rs_config_release(&cfg);
	T_EQ_INT(load("[limits]\nmax_columns = -3\n", &cfg, msg, sizeof(msg)), -EINVAL);
	T_CONTAINS(msg, ":2: invalid value '-3' for max_columns");
	rs_config_release(&cfg);
}

static void test_config__durations_and_sizes(void)
{
	uint64_t v;

	T_EQ_INT(rs_parse_duration_ms("500ms", &v), 0);
	T_EQ_U64(v, 500);
	T_EQ_INT(rs_parse_duration_ms("2m", &v), 0);
	T_EQ_U64(v, 120000);
	T_EQ_INT(rs_parse_duration_ms("10", &v), 0);
	T_EQ_U64(v, 10000);
	T_EQ_INT(rs_parse_size("100M", &v), 0);
	T_EQ_U64(v, 100ull << 20);
	T_EQ_INT(rs_parse_size("1.5K", &v), 0);
	T_EQ_U64(v, 1536);
	T_EQ_INT(rs_parse_size("lots", &v), -EINVAL);
	T_EQ_INT(rs_parse_duration_ms("5 fortnights", &v), -EINVAL);
}

int main(void)
{
	T_RUN(test_config__every_limit_sets_its_field);
	T_RUN(test_config__workspace_overrides_and_admins);
	T_RUN(test_config__errors_name_file_and_line);
	T_RUN(test_config__durations_and_sizes);
	unlink(path);
	return T_DONE();
}
