// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The sample source interface (see source.h). */
#include <string.h>
#include <time.h>

#include "capture/source.h"

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

long source__drain(struct source *s, struct pl_sample **out, size_t *n, size_t *cap)
{
	return s->ops->drain(s, out, n, cap);
}

uint64_t source__now(struct source *s)
{
	return s->ops->now_ns(s);
}

void source__stats(struct source *s, uint32_t dev_id, struct source_stats *st)
{
	memset(st, 0, sizeof(*st));
	s->ops->stats(s, dev_id, st);
}

uint64_t source__period(struct source *s, uint32_t dev_id)
{
	return s->ops->period_ns(s, dev_id);
}

void source__free(struct source *s)
{
	if (s)
		s->ops->free(s);
}
