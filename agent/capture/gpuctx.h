/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The consumer of bpf/gpuctx.bpf.c: loads the programs (libbpf skeleton),
 * attaches each event source where it is present, pins the maps under
 * PL_GPUCTX_PIN_DIR for bpftool, and collects struct pl_gpuctx_event from
 * the ring buffer.  Missing sources are skipped with the reason (no BTF,
 * no permission, lockdown, library or module absent); the caller runs on.
 *
 * Single-threaded: the caller polls gpuctx__fd() (epoll) with its own
 * loop and calls gpuctx__consume().
 */
#ifndef PL_GPUCTX_H
#define PL_GPUCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>
#include <bpf/gpuctx.h>

#include "lib/util.h"

struct gpuctx_opts {
	const char *libcuda;	  /* libcuda.so.1 to probe; NULL: discover (gpuctx_find_libcuda()) */
	const char *libcudart;	  /* libcudart to probe for cudaLaunchKernel; NULL: none */
	const char *nv_ioctl_sym; /* kernel function for the NVIDIA ioctl kprobe; NULL: nvidia_unlocked_ioctl
				   * when the nvidia module is loaded */
	uint32_t tgid;		  /* only this process; 0 every process */
	bool sched;		  /* also sched_switch events of GPU-owning tasks */
	bool pin;		  /* pin the maps under PL_GPUCTX_PIN_DIR */
	bool load_all;		  /* load every program even where its source is absent (tests:
				   * BPF_PROG_TEST_RUN); attach only where present */
	uint32_t ringbuf_bytes;	  /* ring buffer size (power of two >= 4096); 0: 1 MiB */
};

struct gpuctx;

/* gpuctx.c APIs: */

/*
 * Loads and attaches.  Returns NULL with e set when nothing could be
 * attached (e says why for each source); otherwise a handle whose
 * gpuctx__report() says what was attached and what was skipped and why.
 */
struct gpuctx *gpuctx__open(const struct gpuctx_opts *o, struct plerr *e);
/* "cuda: attached (...); drm: skipped (...); ..." one line, no newline. */
const char *gpuctx__report(const struct gpuctx *g);
/* bit (1 << PL_GCS_*) of the sources attached */
uint32_t gpuctx__sources(const struct gpuctx *g);
/* The ring buffer's epoll fd: readable when events wait. */
int gpuctx__fd(const struct gpuctx *g);
/* Moves waiting events into the handle's buffer; returns how many, or -errno. */
int gpuctx__consume(struct gpuctx *g);
/*
 * Hands over the buffered events (malloc'ed, unsorted across CPUs:
 * ctxjoin_sort()), leaving the buffer empty.  *ev NULL when *n is 0.
 */
void gpuctx__take(struct gpuctx *g, struct pl_gpuctx_event **ev, size_t *n);
/*
 * Counters summed over CPUs (enum pl_gpuctx_counter); DROPPED also counts
 * events read but not kept for want of memory.  -errno.
 */
int gpuctx__counters(const struct gpuctx *g, uint64_t out[__PL_GC_CNT_MAX]);
/* The loaded object, for tests that run programs (BPF_PROG_TEST_RUN). */
int gpuctx__prog_fd(const struct gpuctx *g, const char *name);
/* Detaches, unpins, frees.  NULL is fine. */
void gpuctx__free(struct gpuctx *g);

/*
 * Where libcuda.so.1 is: $PL_LIBCUDA, then the directories of
 * LD_LIBRARY_PATH, then the usual driver directories.  Writes the path to
 * buf and returns 0, or -ENOENT.
 */
int gpuctx_find_libcuda(char *buf, size_t len);

#endif /* PL_GPUCTX_H */
