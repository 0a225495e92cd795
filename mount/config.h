/*
 * config.h - roostfs configuration (SPEC 1): INI through inih. Unknown
 * sections and keys, and bad values, are errors reported as
 * "FILE:LINE: message"; the mount then refuses to start.
 */
#ifndef RS_MOUNT_CONFIG_H
#define RS_MOUNT_CONFIG_H

#include "../engine/catalog/catalog.h"

struct rs_org_admins {
	char *org;
	char *admins;		/* as written: "alice, @data-platform" */
};

struct rs_config {
	char *storage_path;
	uint64_t cache_bytes;		/* [storage] cache: granule cache budget */
	uint64_t mem_retain;		/* [memory] retain: freed memory kept (mem.h) */
	uint64_t mem_release_ms;	/* [memory] release_after: idle time, then back */
	struct rs_limits limits;
	char **ws_limit_names;	/* "org/ws" */
	struct rs_limits *ws_limits;
	unsigned nws_limits;
	struct rs_org_admins *orgs;
	unsigned norgs;
};

/* Defaults (embedded: $XDG_DATA_HOME/roost or ~/.local/share/roost). */
void rs_config_defaults(struct rs_config *cfg);
/* Parse 'file' over the defaults; on error returns -EINVAL and msg holds
 * "FILE:LINE: message". */
int rs_config_load(struct rs_config *cfg, const char *file, char *msg, size_t msgsz);
void rs_config_release(struct rs_config *cfg);
/* "10s", "500ms", "2m" -> ms; "5G", "100M", "1024" -> bytes. -EINVAL. */
int rs_parse_duration_ms(const char *s, uint64_t *out);
int rs_parse_size(const char *s, uint64_t *out);

#endif
