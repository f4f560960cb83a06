// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ring draining on a fake /dev/powerledger region laid out as the uapi
 * header says (and as kmod/ring.c builds it): two rings of 8 slots, meta and
 * consumer parts page-aligned.  The test plays the producer with the same
 * release/acquire discipline as the kernel.
 */
#include "testutil.h"

#include <errno.h>

#include "capture/ring_reader.h"

#define PAGE  4096
#define NR    2
#define SLOTS 8

struct fake {
	uint8_t *region;
	struct pl_info info;
	struct pl_mmap_meta *meta;
	struct pl_ring_prod *prod;
	struct pl_ring_cons *cons;
	uint8_t *data;
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->info.abi_version = PL_ABI_VERSION;
	f->info.record_size = PL_SAMPLE_SIZE;
	f->info.nr_rings = NR;
	f->info.slots = SLOTS;
	f->info.cons_offset = PAGE;
	f->info.data_offset = 2 * PAGE;
	f->info.ring_size = SLOTS * PL_SAMPLE_SIZE;
	f->info.mmap_size = 2 * PAGE + NR * SLOTS * PL_SAMPLE_SIZE;
	f->region = calloc(1, f->info.mmap_size);
	f->meta = (struct pl_mmap_meta *)f->region;
	f->meta->magic = PL_MMAP_MAGIC;
	f->meta->abi_version = PL_ABI_VERSION;
	f->meta->nr_rings = NR;
	f->meta->slots = SLOTS;
	f->meta->record_size = PL_SAMPLE_SIZE;
	f->meta->prod_offset = sizeof(struct pl_mmap_meta);
	f->meta->ring_size = f->info.ring_size;
	f->prod = (struct pl_ring_prod *)(f->region + f->meta->prod_offset);
	f->cons = (struct pl_ring_cons *)(f->region + PAGE);
	f->data = f->region + 2 * PAGE;
}

/* The kernel's pl_ring_write(): returns false when the ring is full (and counts it lost). */
static bool produce(struct fake *f, uint32_t ring, uint32_t dev, uint64_t seq)
{
	uint64_t head = f->prod[ring].head, tail = __atomic_load_n(&f->cons[ring].tail, __ATOMIC_ACQUIRE);
	struct pl_sample s = { 0 };

	if (head - tail >= SLOTS) {
		f->prod[ring].lost++;
		return false;
	}
	s.ts_ns = 1000 + seq;
	s.seq = seq;
	s.dev_id = dev;
	s.version = PL_SAMPLE_VERSION;
	s.gpu_pid = 77;
	memcpy(f->data + ring * f->info.ring_size + (head & (SLOTS - 1)) * PL_SAMPLE_SIZE, &s, sizeof(s));
	__atomic_store_n(&f->prod[ring].head, head + 1, __ATOMIC_RELEASE);
	return true;
}

static void test_drain_order_wrap_lost(void **state)
{
	struct pl_sample *out = NULL;
	size_t n = 0, cap = 0, i;
	struct ring_reader r;
	struct plerr e = { "" };
	struct fake f;

	(void)state;
	fake_init(&f);
	assert_int_equal(ring_reader__init(&r, f.region, f.info.mmap_size, f.cons, &f.info, &e), 0);
	assert_int_equal(ring_reader__drain(&r, &out, &n, &cap), 0);
	/* The sampler migrated: seq 0..4 in ring 0, 5..7 in ring 1, and device 2 interleaved. */
	for (i = 0; i < 5; i++)
		assert_true(produce(&f, 0, 1, i));
	for (i = 5; i < 8; i++)
		assert_true(produce(&f, 1, 1, i));
	assert_true(produce(&f, 0, 2, 0));
	assert_int_equal(ring_reader__drain(&r, &out, &n, &cap), 9);
	for (i = 0; i < 8; i++) {
		assert_int_equal(out[i].dev_id, 1);
		assert_int_equal(out[i].seq, i);
		assert_int_equal(out[i].gpu_pid, 77); /* GPU-context tags come through */
	}
	assert_int_equal(out[8].dev_id, 2);
	assert_int_equal(f.cons[0].tail, 6);
	assert_int_equal(f.cons[1].tail, 3);
	/* Wrap: ring 0 at head 6 takes 8 more (slots 6,7,0..5), the 9th is dropped and counted. */
	for (i = 0; i < 8; i++)
		assert_true(produce(&f, 0, 1, 100 + i));
	assert_false(produce(&f, 0, 1, 108));
	assert_int_equal(ring_reader__lost(&r), 1);
	n = 0;
	assert_int_equal(ring_reader__drain(&r, &out, &n, &cap), 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(out[i].seq, 100 + i);
	/* Interleaved across rings: sorted back by seq. */
	produce(&f, 0, 1, 22);
	produce(&f, 1, 1, 21);
	produce(&f, 0, 1, 20);
	produce(&f, 1, 1, 23);
	n = 0;
	assert_int_equal(ring_reader__drain(&r, &out, &n, &cap), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(out[i].seq, 22 - 2 + i);
	assert_int_equal(r.resyncs, 0);
	free(out);
	free(f.region);
}

static void test_bogus_tail_and_bad_records(void **state)
{
	struct pl_sample *out = NULL;
	size_t n = 0, cap = 0;
	struct ring_reader r;
	struct plerr e = { "" };
	struct fake f;

	(void)state;
	fake_init(&f);
	assert_int_equal(ring_reader__init(&r, f.region, f.info.mmap_size, f.cons, &f.info, &e), 0);
	produce(&f, 0, 1, 0);
	/* Someone scribbled on the consumer page: a tail ahead of head. */
	f.cons[0].tail = 5;
	assert_int_equal(ring_reader__drain(&r, &out, &n, &cap), 0);
	assert_int_equal(r.resyncs, 1);
	assert_int_equal(f.cons[0].tail, 1);
	/* Records flow again, and one with a foreign version is skipped and counted. */
	produce(&f, 0, 1, 1);
	produce(&f, 0, 1, 2);
	f.data[(2 & (SLOTS - 1)) * PL_SAMPLE_SIZE + 31] = 9; /* version byte of seq 2 */
	assert_int_equal(ring_reader__drain(&r, &out, &n, &cap), 1);
	assert_int_equal(out[0].seq, 1);
	assert_int_equal(r.bad_records, 1);
	assert_int_equal(f.cons[0].tail, 3);
	free(out);
	free(f.region);
}

static void test_layout_checks(void **state)
{
	struct ring_reader r;
	struct plerr e = { "" };
	struct fake f;

	(void)state;
#define BROKEN(stmt, want)                                                                                             \
	do {                                                                                                           \
		fake_init(&f);                                                                                         \
		stmt;                                                                                                  \
		assert_int_equal(ring_reader__init(&r, f.region, f.info.mmap_size, f.cons, &f.info, &e), -EPROTO);     \
		if (!strstr(e.msg, want))                                                                              \
			fail_msg("'%s' lacks '%s'", e.msg, want);                                                      \
		free(f.region);                                                                                        \
	} while (0)
	BROKEN(f.meta->magic = 0, "bad ring magic");
	BROKEN(f.meta->abi_version = PL_ABI_VERSION + 1, "ABI version");
	BROKEN(f.meta->record_size = 64, "record size");
	BROKEN((f.meta->slots = 6, f.info.slots = 6), "power of two");
	BROKEN(f.info.nr_rings = 3, "rings");
	BROKEN(f.meta->ring_size = 1, "ring size");
	BROKEN(f.info.data_offset = f.info.mmap_size - 100, "outside");
	BROKEN(f.meta->prod_offset = 8, "outside");
	BROKEN(f.info.mmap_size = 100, "outside");
	/* A mapping shorter than the device said. */
	fake_init(&f);
	assert_int_equal(ring_reader__init(&r, f.region, f.info.mmap_size - 1, f.cons, &f.info, &e), -EPROTO);
	assert_non_null(strstr(e.msg, "mapping of"));
	free(f.region);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drain_order_wrap_lost),
		cmocka_unit_test(test_bogus_tail_and_bad_records),
		cmocka_unit_test(test_layout_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
