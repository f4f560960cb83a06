// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Drains the kernel's per-CPU sample rings (see ring_reader.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/ring_reader.h"

int ring_reader__init(struct ring_reader *r, const void *ro, size_t ro_len, void *cons, const struct pl_info *info,
		      struct plerr *e)
{
	const struct pl_mmap_meta *m = ro;
	uint64_t prod_end, data_end;

	memset(r, 0, sizeof(*r));
	if (ro_len < sizeof(*m) || info->mmap_size != ro_len)
		return plerr_set(e, -EPROTO, "mapping of %zu bytes, the device says %llu", ro_len,
				 (unsigned long long)info->mmap_size);
	if (m->magic != PL_MMAP_MAGIC)
		return plerr_set(e, -EPROTO, "bad ring magic 0x%08x", m->magic);
	if (m->abi_version != PL_ABI_VERSION || info->abi_version != PL_ABI_VERSION)
		return plerr_set(e, -EPROTO, "ring ABI version %u, this agent speaks %d", m->abi_version,
				 PL_ABI_VERSION);
	if (m->record_size != PL_SAMPLE_SIZE || info->record_size != PL_SAMPLE_SIZE)
		return plerr_set(e, -EPROTO, "record size %u, this agent reads %d", m->record_size, PL_SAMPLE_SIZE);
	if (!m->slots || (m->slots & (m->slots - 1)) || m->slots != info->slots)
		return plerr_set(e, -EPROTO, "ring slots %u: not a power of two or not what the device said", m->slots);
	if (!m->nr_rings || m->nr_rings > RING_READER_MAX_RINGS || m->nr_rings != info->nr_rings)
		return plerr_set(e, -EPROTO, "%u rings: out of range or not what the device said", m->nr_rings);
	if (m->ring_size != (uint64_t)m->slots * PL_SAMPLE_SIZE || m->ring_size != info->ring_size)
		return plerr_set(e, -EPROTO, "ring size %llu != slots * record size", (unsigned long long)m->ring_size);
	prod_end = m->prod_offset + (uint64_t)m->nr_rings * sizeof(struct pl_ring_prod);
	data_end = info->data_offset + (uint64_t)m->nr_rings * m->ring_size;
	if (m->prod_offset < sizeof(*m) || prod_end > info->cons_offset ||
	    info->cons_offset + (uint64_t)m->nr_rings * sizeof(struct pl_ring_cons) > info->data_offset ||
	    data_end > ro_len || m->prod_offset % 8 || info->cons_offset % 8 || info->data_offset % 8)
		return plerr_set(e, -EPROTO, "ring layout outside the %zu-byte mapping or misaligned", ro_len);
	r->ro = ro;
	r->ro_len = ro_len;
	r->cons = cons;
	r->prod = (const struct pl_ring_prod *)((const uint8_t *)ro + m->prod_offset);
	r->data = (const uint8_t *)ro + info->data_offset;
	r->nr_rings = m->nr_rings;
	r->slots = m->slots;
	r->record_size = m->record_size;
	r->ring_size = m->ring_size;
	return 0;
}

static int sample_cmp(const void *a, const void *b)
{
	const struct pl_sample *x = a, *y = b;

	if (x->dev_id != y->dev_id)
		return x->dev_id < y->dev_id ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

long ring_reader__drain(struct ring_reader *r, struct pl_sample **out, size_t *n, size_t *cap)
{
	uint64_t heads[RING_READER_MAX_RINGS], tails[RING_READER_MAX_RINGS], want = 0, k;
	size_t start = *n, need;
	struct pl_sample *p;
	uint32_t i;

	for (i = 0; i < r->nr_rings; i++) {
		/* Pairs with the producer's smp_store_release(&prod->head). */
		heads[i] = __atomic_load_n(&r->prod[i].head, __ATOMIC_ACQUIRE);
		/* Only we write tail: a plain read of our own last store. */
		tails[i] = r->cons[i].tail;
		if (heads[i] - tails[i] > r->slots) {
			/* Not a state the kernel makes (it never overwrites): skip to head. */
			r->resyncs++;
			tails[i] = heads[i];
			__atomic_store_n(&r->cons[i].tail, heads[i], __ATOMIC_RELEASE);
		}
		want += heads[i] - tails[i];
	}
	if (!want)
		return 0;
	need = *n + (size_t)want;
	if (need > *cap) {
		size_t c = *cap ? *cap : 1024;

		while (c < need)
			c *= 2;
		p = realloc(*out, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*out = p;
		*cap = c;
	}
	for (i = 0; i < r->nr_rings; i++) {
		const uint8_t *ring = r->data + (uint64_t)i * r->ring_size;

		for (k = tails[i]; k != heads[i]; k++) {
			struct pl_sample *s = &(*out)[*n];

			memcpy(s, ring + (k & (r->slots - 1)) * (uint64_t)r->record_size, sizeof(*s));
			if (s->version != PL_SAMPLE_VERSION) {
				r->bad_records++;
				continue;
			}
			(*n)++;
		}
		/* Pairs with the producer's smp_load_acquire(&cons->tail): the slots are free now. */
		__atomic_store_n(&r->cons[i].tail, heads[i], __ATOMIC_RELEASE);
	}
	qsort(*out + start, *n - start, sizeof(**out), sample_cmp);
	return (long)(*n - start);
}

uint64_t ring_reader__lost(const struct ring_reader *r)
{
	uint64_t lost = 0;

	for (uint32_t i = 0; i < r->nr_rings; i++)
		lost += __atomic_load_n(&r->prod[i].lost, __ATOMIC_RELAXED);
	return lost;
}
