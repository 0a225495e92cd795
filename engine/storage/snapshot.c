/* snapshot.c - references on table snapshots (the rest is in table.c). */
#include "table.h"

struct rs_snapshot *rs_snapshot_ref(struct rs_snapshot *s)
{
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}
