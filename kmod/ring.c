// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU sample rings, mapped into the consumer through /dev/powerledger.
 *
 * One vmalloc_user() region holds the read-only meta part (struct
 * pl_mmap_meta + one struct pl_ring_prod per ring), the consumer part (one
 * struct pl_ring_cons per ring, the only part user space may write) and the
 * rings.  uapi/linux/powerledger.h documents the layout and the ordering.
 *
 * Producers are the sampler threads.  A record goes to the ring of the CPU
 * the thread runs on, written with preemption disabled, so each ring has
 * exactly one producer at a time although several devices share it.
 *
 * The region lives as long as the module: a mapping holds the file, the
 * file holds the module, so rmmod cannot free pages that are still mapped,
 * and unbinding a PSU does not touch the rings at all.
 *
 * Consumer: every mapping belongs to the one file holding the consumer
 * slot, which only a file open for writing may take (see get_consumer()).
 */
#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/version.h>
#include <linux/wait.h>

#include "powerledger.h"
#include "ring.h"

/* pl_ring_write() copies PL_SAMPLE_SIZE bytes out of a struct pl_sample. */
static_assert(sizeof(struct pl_sample) == PL_SAMPLE_SIZE);
/* The mmap layout gives each ring's head/lost and tail a cache line of their own. */
static_assert(sizeof(struct pl_ring_prod) == 64);
static_assert(sizeof(struct pl_ring_cons) == 64);

static unsigned int ring_slots = 2048;
module_param(ring_slots, uint, 0444);
MODULE_PARM_DESC(ring_slots, "records per per-CPU ring, rounded up to a power of two (64..65536, default 2048)");

struct pl_rings {
	void *region;
	size_t size;
	u32 nr;
	u32 slots;
	size_t cons_offset;
	size_t data_offset;
	size_t ring_size;
	struct pl_mmap_meta *meta;
	struct pl_ring_prod *prod;
	struct pl_ring_cons *cons;
	u8 *data;

	u32 watermark;
	wait_queue_head_t wq;

	struct mutex lock;	/* consumer ownership */
	struct file *consumer;	/* the one file that may map us, open for writing */
	bool active;		/* records reach the rings; producers read it locklessly */
};

static struct pl_rings rings;

int pl_ring_init(void)
{
	u32 slots = clamp_t(u32, ring_slots, 64, 65536);
	u32 i;

	slots = roundup_pow_of_two(slots);
	rings.nr = nr_cpu_ids;
	rings.slots = slots;
	rings.ring_size = (size_t)slots * PL_SAMPLE_SIZE;
	rings.cons_offset = pl_ring_part_size(sizeof(struct pl_mmap_meta),
					      rings.nr, sizeof(struct pl_ring_prod),
					      PAGE_SIZE);
	rings.data_offset = rings.cons_offset +
			    pl_ring_part_size(0, rings.nr,
					      sizeof(struct pl_ring_cons), PAGE_SIZE);
	rings.size = rings.data_offset + rings.nr * rings.ring_size;

	rings.region = vmalloc_user(rings.size);	/* zeroed */
	if (!rings.region)
		return -ENOMEM;

	rings.meta = rings.region;
	rings.prod = rings.region + sizeof(struct pl_mmap_meta);
	rings.cons = rings.region + rings.cons_offset;
	rings.data = rings.region + rings.data_offset;

	rings.meta->magic = PL_MMAP_MAGIC;
	rings.meta->abi_version = PL_ABI_VERSION;
	rings.meta->nr_rings = rings.nr;
	rings.meta->slots = slots;
	rings.meta->record_size = PL_SAMPLE_SIZE;
	rings.meta->prod_offset = sizeof(struct pl_mmap_meta);
	rings.meta->ring_size = rings.ring_size;
	for (i = 0; i < rings.nr; i++)
		rings.cons[i].tail = 0;

	rings.watermark = 16;
	init_waitqueue_head(&rings.wq);
	mutex_init(&rings.lock);
	pr_debug("%u rings x %u slots, %zu bytes mapped\n", rings.nr, slots, rings.size);
	return 0;
}

void pl_ring_uninit(void)
{
	vfree(rings.region);
	rings.region = NULL;
}

/*
 * Publish @s (sampler thread).  Returns 0, -ENODEV when nobody consumes
 * (the record is not kept, nothing is lost), or -ENOSPC when the ring was
 * full and the record was dropped and counted.
 */
int pl_ring_write(const struct pl_sample *s)
{
	struct pl_ring_prod *prod;
	u64 head, tail;
	bool wake;
	int cpu;

	/* Pairs with become_consumer(): tails are reset before we see active. */
	if (!smp_load_acquire(&rings.active))
		return -ENODEV;

	cpu = get_cpu();
	prod = &rings.prod[cpu];
	head = prod->head;	/* we are its only writer: preemption is off */
	/* Pairs with the consumer's release of tail after reading its records. */
	tail = smp_load_acquire(&rings.cons[cpu].tail);
	if (!pl_ring_has_room(head, tail, rings.slots)) {
		WRITE_ONCE(prod->lost, prod->lost + 1);
		put_cpu();
		return -ENOSPC;
	}
	memcpy(rings.data + cpu * rings.ring_size +
	       (size_t)pl_ring_slot(head, rings.slots) * PL_SAMPLE_SIZE,
	       s, PL_SAMPLE_SIZE);
	/* Pairs with the consumer's acquire of head: the record is visible first. */
	smp_store_release(&prod->head, head + 1);
	wake = pl_ring_used(head + 1, tail) >= READ_ONCE(rings.watermark);
	put_cpu();

	if (wake && wq_has_sleeper(&rings.wq))
		wake_up_interruptible(&rings.wq);
	return 0;
}

static bool any_ring_ready(void)
{
	u32 wm = READ_ONCE(rings.watermark);
	u32 i;

	for (i = 0; i < rings.nr; i++) {
		/* Pairs with the producer's release: poll reports only whole records. */
		u64 head = smp_load_acquire(&rings.prod[i].head);
		u64 tail = READ_ONCE(rings.cons[i].tail);
		u64 used = pl_ring_used(head, tail);

		if (used >= wm && used <= rings.slots)
			return true;
	}
	return false;
}

__poll_t pl_ring_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &rings.wq, wait);
	return any_ring_ready() ? EPOLLIN | EPOLLRDNORM : 0;
}

int pl_ring_set_watermark(u32 wm)
{
	if (!wm || wm > rings.slots)
		return -EINVAL;
	WRITE_ONCE(rings.watermark, wm);
	return 0;
}

void pl_ring_info(struct pl_info *info)
{
	info->record_size = PL_SAMPLE_SIZE;
	info->nr_rings = rings.nr;
	info->slots = rings.slots;
	info->watermark = READ_ONCE(rings.watermark);
	info->mmap_size = rings.size;
	info->cons_offset = rings.cons_offset;
	info->data_offset = rings.data_offset;
	info->ring_size = rings.ring_size;
}

/* A new consumer starts with empty rings: stale records are skipped, not lost. */
static void become_consumer(struct file *file)
{
	u32 i;

	for (i = 0; i < rings.nr; i++)
		WRITE_ONCE(rings.cons[i].tail, READ_ONCE(rings.prod[i].head));
	rings.consumer = file;
	/* Tails first, then let producers in (pairs with pl_ring_write()). */
	smp_store_release(&rings.active, true);
}

/*
 * Take the consumer slot for @file; caller holds rings.lock.  Only a file
 * open for writing may: the consumer is whoever moves tail, and a reader
 * that never does would hold the slot while every record is dropped and
 * the real consumer gets -EBUSY.  Returns 1 if @file just took the slot,
 * 0 if it held it already, -EPERM for a file not open for writing, -EBUSY
 * while another file holds it.
 */
static int get_consumer(struct file *file)
{
	lockdep_assert_held(&rings.lock);
	if (!(file->f_mode & FMODE_WRITE))
		return -EPERM;
	if (rings.consumer == file)
		return 0;
	if (rings.consumer)
		return -EBUSY;
	become_consumer(file);
	return 1;
}

/* Give the slot back if @file holds it; caller holds rings.lock. */
static void put_consumer(struct file *file)
{
	lockdep_assert_held(&rings.lock);
	if (rings.consumer != file)
		return;
	/* Producers stop writing; one already past the check finishes harmlessly. */
	smp_store_release(&rings.active, false);
	rings.consumer = NULL;
}

int pl_ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	unsigned long off;
	int taken, ret;

	if (vma->vm_pgoff > (rings.size >> PAGE_SHIFT))
		return -EINVAL;
	off = vma->vm_pgoff << PAGE_SHIFT;
	if (size > rings.size - off)
		return -EINVAL;

	if (vma->vm_flags & VM_WRITE) {
		if (off < rings.cons_offset || off + size > rings.data_offset)
			return -EPERM;
		if (!(vma->vm_flags & VM_SHARED))
			return -EINVAL;	/* a private copy of the tails is useless */
	}

	mutex_lock(&rings.lock);
	ret = get_consumer(file);
	if (ret < 0)
		goto out;
	taken = ret;

	/*
	 * A fork must not inherit the mapping: the child's copy would hold the
	 * file, and with it the consumer slot, after the consumer is gone, and
	 * a second writer of tail would break the single-consumer ordering.
	 * Read-only parts must stay read-only: no mprotect(PROT_WRITE) later.
	 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_DONTCOPY);
	if (!(vma->vm_flags & VM_WRITE))
		vm_flags_clear(vma, VM_MAYWRITE);
#else
	vma->vm_flags |= VM_DONTCOPY;
	if (!(vma->vm_flags & VM_WRITE))
		vma->vm_flags &= ~VM_MAYWRITE;
#endif
	ret = remap_vmalloc_range(vma, rings.region, vma->vm_pgoff);
	if (ret && taken)
		put_consumer(file);
out:
	mutex_unlock(&rings.lock);
	return ret;
}

/* Last reference to a file is gone, so none of its mappings remains. */
void pl_ring_release(struct file *file)
{
	mutex_lock(&rings.lock);
	put_consumer(file);
	mutex_unlock(&rings.lock);
}
