// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU-context events -> context intervals -> energy per context
 * (ctxjoin.h says what "active" means for each source).
 *
 * Hosts run a handful of GPU processes with a few contexts each, so the
 * state is small arrays searched linearly; an event costs a few dozen
 * comparisons (scripts/bench-agent measures the join per sample).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "science/ctxjoin.h"

/* One thread's CUDA context stack (top = last). */
struct thread {
	uint32_t tid, tgid;
	uint64_t *stack;
	size_t depth, cap;
};

/* A context that may be active: who owns it and whether it is now. */
struct slot {
	uint32_t tgid;
	uint64_t ctx;
	uint16_t source;
	unsigned int refs;     /* threads with it on top (CUDA), jobs on the ring (DRM) */
	uint64_t begin_ns;     /* of the open interval */
	bool hold;	       /* active until CTX_IOCTL_HOLD_NS after last_ns (no begin/end events) */
	size_t last_done;      /* 1 + index in done of its last closed interval (merging), 0 none */
	uint64_t last_ns;      /* hold: the last event */
	uint64_t launches;     /* in the open interval */
	struct ctx_interval who; /* owner fields (tgid, ns_tgid, pidns_ino, comm, gpu) */
};

struct ctxgpu {
	uint32_t tgid;
	uint64_t ctx;
	uint32_t gpu;
};

struct fence {
	uint64_t fence, entity;
	uint32_t tgid;	  /* the slot the job opened */
	uint64_t ts_ns;	  /* when it ran: a job never seen done is forgotten after CTX_FENCE_MAX_NS */
};

#define CTX_FENCE_MAX_NS (10 * 1000000000ULL)
/* Closed intervals of one context closer than this are one (a DRM job train, a tight push/pop loop). */
#define CTX_MERGE_NS 1000000ULL

struct ctxjoin {
	uint64_t start_ns;
	struct thread *th;
	size_t nth, capth;
	struct slot *sl;
	size_t nsl, capsl;
	struct ctxgpu *cg;
	size_t ncg, capcg;
	struct ctx_interval *owners; /* DRM: entity (ctx) -> last submitter */
	size_t now, capow;
	struct fence *fl;
	size_t nfl, capfl;
	struct ctx_interval *done; /* closed intervals */
	size_t ndone, capdone;
	struct pl_gpuctx_event *pend; /* ctxjoin__add()ed, not yet settled, sorted */
	size_t npend, cappend;
	struct pl_gpuctx_event *merge, *batch; /* ctxjoin__add()'s scratch */
	size_t capmerge, capbatch;
	struct ctxjoin_stats st;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *q;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	q = realloc(*p, ncap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

struct ctxjoin *ctxjoin__new(uint64_t start_ns)
{
	struct ctxjoin *j = calloc(1, sizeof(*j));

	if (j)
		j->start_ns = start_ns;
	return j;
}

void ctxjoin__free(struct ctxjoin *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->nth; i++)
		free(j->th[i].stack);
	free(j->th);
	free(j->sl);
	free(j->cg);
	free(j->owners);
	free(j->fl);
	free(j->done);
	free(j->pend);
	free(j->merge);
	free(j->batch);
	free(j);
}

void ctxjoin__forget(struct ctxjoin *j, uint64_t before_ns)
{
	size_t i, k = 0;

	for (i = 0; i < j->ndone; i++)
		if (j->done[i].end_ns >= before_ns)
			j->done[k++] = j->done[i];
	j->ndone = k;
	/* Closed contexts and idle threads come back on their next event: keep only what is open. */
	for (i = k = 0; i < j->nsl; i++)
		if (j->sl[i].refs) {
			j->sl[k] = j->sl[i];
			j->sl[k++].last_done = 0;
		}
	j->nsl = k;
	for (i = k = 0; i < j->nth; i++)
		if (j->th[i].depth)
			j->th[k++] = j->th[i];
		else
			free(j->th[i].stack);
	j->nth = k;
	for (i = k = 0; i < j->nfl; i++)
		if (j->fl[i].ts_ns + CTX_FENCE_MAX_NS >= before_ns)
			j->fl[k++] = j->fl[i];
	j->nfl = k;
}

static int cmp_event(const void *a, const void *b);

/*
 * The batch is sorted on its own and merged into the pending events (kept
 * sorted): linear in what waits, where sorting everything again each time
 * was the consumer's main cost at 70000 events/s.
 */
int ctxjoin__add(struct ctxjoin *j, const struct pl_gpuctx_event *ev, size_t n)
{
	struct pl_gpuctx_event *nb, *tmp;
	size_t a = 0, b = 0, k = 0, need = j->npend + n;

	if (!n)
		return 0;
	/* Two buffers reused across calls (page faults are most of a fresh one's cost). */
	if (grow((void **)&j->batch, &j->capbatch, n, sizeof(*j->batch)) ||
	    grow((void **)&j->merge, &j->capmerge, need, sizeof(*j->merge)))
		return -ENOMEM;
	nb = j->batch;
	memcpy(nb, ev, n * sizeof(*ev));
	ctxjoin_sort(nb, n);
	while (a < j->npend && b < n)
		j->merge[k++] = cmp_event(&j->pend[a], &nb[b]) <= 0 ? j->pend[a++] : nb[b++];
	while (a < j->npend)
		j->merge[k++] = j->pend[a++];
	while (b < n)
		j->merge[k++] = nb[b++];
	tmp = j->pend;
	j->pend = j->merge;
	j->merge = tmp;
	a = j->cappend;
	j->cappend = j->capmerge;
	j->capmerge = a;
	j->npend = k;
	return 0;
}

int ctxjoin__settle(struct ctxjoin *j, uint64_t upto_ns)
{
	size_t i, k;
	int ret = 0;

	/* pend is sorted (ctxjoin__add() merges). */
	for (i = 0; i < j->npend && j->pend[i].ts_ns < upto_ns; i++) {
		ret = ctxjoin__push(j, &j->pend[i]);
		if (ret)
			break;
	}
	for (k = 0; i < j->npend; i++, k++)
		j->pend[k] = j->pend[i];
	j->npend = k;
	return ret;
}

const struct ctxjoin_stats *ctxjoin__stats(const struct ctxjoin *j)
{
	return &j->st;
}

/* comm as the trace stores it: printable ASCII, '?' for anything else. */
static void copy_comm(char dst[CTX_COMM_LEN + 1], const char *src)
{
	size_t i;

	for (i = 0; i < CTX_COMM_LEN && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = 0;
}

static void owner_from(struct ctx_interval *w, const struct pl_gpuctx_event *ev)
{
	memset(w, 0, sizeof(*w));
	w->tgid = ev->tgid;
	w->ns_tgid = ev->ns_tgid;
	w->pidns_ino = ev->pidns_ino;
	w->gpu = PL_GPU_UNKNOWN;
	copy_comm(w->comm, ev->comm);
}

static uint32_t gpu_of(const struct ctxjoin *j, uint32_t tgid, uint64_t ctx)
{
	size_t i;

	for (i = 0; i < j->ncg; i++)
		if (j->cg[i].tgid == tgid && j->cg[i].ctx == ctx)
			return j->cg[i].gpu;
	return PL_GPU_UNKNOWN;
}

static struct slot *slot_get(struct ctxjoin *j, uint32_t tgid, uint64_t ctx, uint16_t source,
			     const struct ctx_interval *who)
{
	struct slot *s;
	size_t i;

	for (i = 0; i < j->nsl; i++)
		if (j->sl[i].tgid == tgid && j->sl[i].ctx == ctx && j->sl[i].source == source) {
			/* Closed: whoever opens it now is its owner (a reused pid, an exec'd comm). */
			if (!j->sl[i].refs)
				j->sl[i].who = *who;
			return &j->sl[i];
		}
	if (grow((void **)&j->sl, &j->capsl, j->nsl + 1, sizeof(*j->sl)))
		return NULL;
	s = &j->sl[j->nsl++];
	memset(s, 0, sizeof(*s));
	s->tgid = tgid;
	s->ctx = ctx;
	s->source = source;
	s->who = *who;
	return s;
}

static int close_slot(struct ctxjoin *j, struct slot *s, uint64_t end_ns)
{
	struct ctx_interval *iv;

	if (s->last_done && s->last_done <= j->ndone) {
		iv = &j->done[s->last_done - 1];
		if (iv->end_ns + CTX_MERGE_NS >= s->begin_ns && iv->tgid == s->tgid && iv->ctx == s->ctx &&
		    iv->source == s->source) {
			if (end_ns > iv->end_ns)
				iv->end_ns = end_ns;
			iv->launches += s->launches;
			s->launches = 0;
			return 0;
		}
	}
	if (grow((void **)&j->done, &j->capdone, j->ndone + 1, sizeof(*j->done)))
		return -ENOMEM;
	s->last_done = j->ndone + 1;
	iv = &j->done[j->ndone++];
	*iv = s->who;
	iv->begin_ns = s->begin_ns;
	iv->end_ns = end_ns > s->begin_ns ? end_ns : s->begin_ns;
	iv->ctx = s->ctx;
	iv->source = s->source;
	iv->launches = s->launches;
	if (s->source == PL_GCS_CUDA && s->ctx)
		iv->gpu = gpu_of(j, s->tgid, s->ctx);
	s->launches = 0;
	return 0;
}

static int slot_ref(struct ctxjoin *j, struct slot *s, uint64_t ts)
{
	(void)j;
	if (s->refs++ == 0) {
		s->begin_ns = ts;
		s->launches = 0;
	}
	return 0;
}

static int slot_unref(struct ctxjoin *j, struct slot *s, uint64_t ts)
{
	if (!s->refs) {
		j->st.unmatched++;
		return 0;
	}
	if (--s->refs == 0)
		return close_slot(j, s, ts);
	return 0;
}

static struct thread *thread_get(struct ctxjoin *j, uint32_t tid, uint32_t tgid, bool create)
{
	struct thread *t;
	size_t i;

	for (i = 0; i < j->nth; i++)
		if (j->th[i].tid == tid && j->th[i].tgid == tgid)
			return &j->th[i];
	if (!create || grow((void **)&j->th, &j->capth, j->nth + 1, sizeof(*j->th)))
		return NULL;
	t = &j->th[j->nth++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = tgid;
	return t;
}

static uint64_t top(const struct thread *t)
{
	return t->depth ? t->stack[t->depth - 1] : 0;
}

/* The thread's top went from old to its current one: move the references. */
static int retop(struct ctxjoin *j, struct thread *t, uint64_t old, uint64_t ts, const struct pl_gpuctx_event *ev)
{
	uint64_t now = top(t);
	struct ctx_interval who;
	struct slot *s;
	int ret;

	if (now == old)
		return 0;
	if (old) {
		owner_from(&who, ev);
		s = slot_get(j, t->tgid, old, PL_GCS_CUDA, &who);
		if (!s)
			return -ENOMEM;
		ret = slot_unref(j, s, ts);
		if (ret)
			return ret;
	}
	if (now) {
		owner_from(&who, ev);
		s = slot_get(j, t->tgid, now, PL_GCS_CUDA, &who);
		if (!s)
			return -ENOMEM;
		return slot_ref(j, s, ts);
	}
	return 0;
}

static int stack_push(struct thread *t, uint64_t ctx)
{
	if (grow((void **)&t->stack, &t->cap, t->depth + 1, sizeof(*t->stack)))
		return -ENOMEM;
	t->stack[t->depth++] = ctx;
	return 0;
}

static int thread_clear(struct ctxjoin *j, struct thread *t, uint64_t ts, const struct pl_gpuctx_event *ev)
{
	uint64_t old = top(t);

	t->depth = 0;
	return retop(j, t, old, ts, ev);
}

static int on_hold(struct ctxjoin *j, const struct pl_gpuctx_event *ev, uint16_t source);

/* Forgets the GPU of (tgid, ctx), or of every context of tgid (all). */
static void drop_gpu(struct ctxjoin *j, uint32_t tgid, uint64_t ctx, bool all)
{
	size_t i, k = 0;

	for (i = 0; i < j->ncg; i++)
		if (j->cg[i].tgid != tgid || (!all && j->cg[i].ctx != ctx))
			j->cg[k++] = j->cg[i];
	j->ncg = k;
}

static int on_cuda(struct ctxjoin *j, const struct pl_gpuctx_event *ev)
{
	struct thread *t;
	uint64_t old;
	size_t i, k;
	int ret;

	t = thread_get(j, ev->pid, ev->tgid, ev->kind != PL_GC_LAUNCH && ev->kind != PL_GC_POP);
	if (!t) {
		if (ev->kind == PL_GC_LAUNCH) {
			j->st.launches_no_ctx++;
			return on_hold(j, ev, ev->source); /* cuda or cudart: the source that saw it */
		} else if (ev->kind == PL_GC_POP)
			j->st.unmatched++;
		else
			return -ENOMEM;
		return 0;
	}
	old = top(t);
	switch (ev->kind) {
	case PL_GC_CREATE:
		/* A context address may be reused after a destroy: the newest create holds. */
		for (i = 0; i < j->ncg; i++)
			if (j->cg[i].tgid == ev->tgid && j->cg[i].ctx == ev->ctx)
				break;
		if (i == j->ncg) {
			if (grow((void **)&j->cg, &j->capcg, j->ncg + 1, sizeof(*j->cg)))
				return -ENOMEM;
			j->ncg++;
		}
		j->cg[i] = (struct ctxgpu){ ev->tgid, ev->ctx, ev->gpu };
		/* aux 1: a primary context retained, not made current (cuCtxSetCurrent will) */
		ret = ev->aux ? 0 : stack_push(t, ev->ctx);
		break;
	case PL_GC_PUSH:
		ret = stack_push(t, ev->ctx);
		break;
	case PL_GC_POP:
		if (!t->depth) {
			j->st.unmatched++;
			return 0;
		}
		t->depth--;
		ret = 0;
		break;
	case PL_GC_SET_CURRENT:
		if (!ev->ctx) {
			if (t->depth)
				t->depth--;
			ret = 0;
		} else if (t->depth) {
			t->stack[t->depth - 1] = ev->ctx;
			ret = 0;
		} else {
			ret = stack_push(t, ev->ctx);
		}
		break;
	case PL_GC_DESTROY:
		/* Gone from every thread of the process, not only this one. */
		for (i = 0; i < j->nth; i++) {
			if (j->th[i].tgid != ev->tgid)
				continue;
			struct thread *u = &j->th[i];
			uint64_t uold = top(u);

			if (u->tgid != ev->tgid)
				continue;
			for (k = 0; k < u->depth;)
				if (u->stack[k] == ev->ctx)
					memmove(&u->stack[k], &u->stack[k + 1], (--u->depth - k) * sizeof(*u->stack));
				else
					k++;
			ret = retop(j, u, uold, ev->ts_ns, ev);
			if (ret)
				return ret;
		}
		drop_gpu(j, ev->tgid, ev->ctx, false);
		return 0;
	case PL_GC_LAUNCH: {
		struct ctx_interval who;
		struct slot *s;

		if (!old) {
			j->st.launches_no_ctx++;
			return on_hold(j, ev, ev->source); /* cuda or cudart: the source that saw it */
		}
		owner_from(&who, ev);
		s = slot_get(j, t->tgid, old, PL_GCS_CUDA, &who);
		if (!s)
			return -ENOMEM;
		s->launches++;
		return 0;
	}
	default:
		return 0;
	}
	if (ret)
		return ret;
	return retop(j, t, old, ev->ts_ns, ev);
}

static struct ctx_interval *drm_owner(struct ctxjoin *j, uint64_t entity)
{
	size_t i;

	for (i = 0; i < j->now; i++)
		if (j->owners[i].ctx == entity)
			return &j->owners[i];
	return NULL;
}

static int on_drm(struct ctxjoin *j, const struct pl_gpuctx_event *ev)
{
	struct ctx_interval *o, anon;
	struct slot *s;
	size_t i;

	switch (ev->kind) {
	case PL_GC_JOB_QUEUED:
		o = drm_owner(j, ev->ctx);
		if (!o) {
			if (grow((void **)&j->owners, &j->capow, j->now + 1, sizeof(*j->owners)))
				return -ENOMEM;
			o = &j->owners[j->now++];
		}
		owner_from(o, ev);
		o->ctx = ev->ctx;
		return 0;
	case PL_GC_JOB_RUN:
		o = drm_owner(j, ev->ctx);
		if (!o) {
			memset(&anon, 0, sizeof(anon));
			anon.gpu = PL_GPU_UNKNOWN;
			anon.flags = CTXI_F_NO_OWNER;
			o = &anon;
		}
		s = slot_get(j, o->tgid, ev->ctx, PL_GCS_DRM, o);
		if (!s || grow((void **)&j->fl, &j->capfl, j->nfl + 1, sizeof(*j->fl)))
			return -ENOMEM;
		j->fl[j->nfl++] = (struct fence){ ev->aux, ev->ctx, o->tgid, ev->ts_ns };
		slot_ref(j, s, ev->ts_ns);
		s->launches++;
		return 0;
	case PL_GC_JOB_DONE:
		for (i = 0; i < j->nfl; i++)
			if (j->fl[i].fence == ev->aux)
				break;
		if (i == j->nfl) {
			j->st.unmatched++;
			return 0;
		}
		for (size_t k = 0; k < j->nsl; k++) {
			s = &j->sl[k];
			if (s->source == PL_GCS_DRM && s->ctx == j->fl[i].entity && s->tgid == j->fl[i].tgid && s->refs) {
				j->fl[i] = j->fl[--j->nfl];
				return slot_unref(j, s, ev->ts_ns);
			}
		}
		j->fl[i] = j->fl[--j->nfl];
		j->st.unmatched++;
		return 0;
	default:
		return 0;
	}
}

/*
 * Point events (an NVIDIA ioctl, a launch on a thread whose context was made
 * current before we attached): the process counts as active until
 * CTX_IOCTL_HOLD_NS after the last one.
 */
static int on_hold(struct ctxjoin *j, const struct pl_gpuctx_event *ev, uint16_t source)
{
	struct ctx_interval who;
	struct slot *s;
	int ret;

	owner_from(&who, ev);
	s = slot_get(j, ev->tgid, 0, source, &who);
	if (!s)
		return -ENOMEM;
	s->hold = true;
	if (s->refs && ev->ts_ns > s->last_ns + CTX_IOCTL_HOLD_NS) {
		s->refs = 0;
		ret = close_slot(j, s, s->last_ns + CTX_IOCTL_HOLD_NS);
		if (ret)
			return ret;
	}
	if (!s->refs) {
		s->refs = 1;
		s->begin_ns = ev->ts_ns;
		s->launches = 0;
	}
	s->last_ns = ev->ts_ns;
	s->launches++;
	return 0;
}

static int on_exit_event(struct ctxjoin *j, const struct pl_gpuctx_event *ev)
{
	size_t i;
	int ret;

	for (i = 0; i < j->nth; i++) {
		struct thread *t = &j->th[i];

		if (t->tgid != ev->tgid || (!ev->aux && t->tid != ev->pid))
			continue;
		ret = thread_clear(j, t, ev->ts_ns, ev);
		if (ret)
			return ret;
	}
	/* aux 1: the process's last thread (signal->live reached 0); a leader's pthread_exit is not that. */
	if (!ev->aux)
		return 0;
	drop_gpu(j, ev->tgid, 0, true);
	for (i = 0; i < j->nsl; i++) {
		struct slot *s = &j->sl[i];

		if (s->tgid == ev->tgid && s->hold && s->refs) {
			uint64_t end = s->last_ns + CTX_IOCTL_HOLD_NS;

			s->refs = 0;
			ret = close_slot(j, s, end < ev->ts_ns ? end : ev->ts_ns);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int ctxjoin__push(struct ctxjoin *j, const struct pl_gpuctx_event *ev)
{
	j->st.events++;
	if (ev->kind && ev->kind < __PL_GC_KIND_MAX)
		j->st.by_kind[ev->kind]++;
	if (ev->source && ev->source < __PL_GCS_MAX)
		j->st.sources |= 1U << ev->source;
	switch (ev->source) {
	case PL_GCS_CUDA:
	case PL_GCS_CUDART:
		if (ev->kind >= PL_GC_CREATE && ev->kind <= PL_GC_LAUNCH)
			return on_cuda(j, ev);
		return 0;
	case PL_GCS_DRM:
		return on_drm(j, ev);
	case PL_GCS_NVIDIA:
		return ev->kind == PL_GC_IOCTL ? on_hold(j, ev, PL_GCS_NVIDIA) : 0;
	case PL_GCS_SCHED:
		if (ev->kind == PL_GC_EXEC) {
			/* exec: the old program's contexts died with its address space, as at exit */
			struct pl_gpuctx_event x = *ev;

			x.aux = 1;
			return on_exit_event(j, &x);
		}
		return ev->kind == PL_GC_EXIT ? on_exit_event(j, ev) : 0;
	default:
		return 0;
	}
}

static int cmp_interval(const void *a, const void *b)
{
	const struct ctx_interval *x = a, *y = b;

	if (x->begin_ns != y->begin_ns)
		return x->begin_ns < y->begin_ns ? -1 : 1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->ctx != y->ctx)
		return x->ctx < y->ctx ? -1 : 1;
	return 0;
}

int ctxjoin__intervals(const struct ctxjoin *j, uint64_t end_ns, struct ctx_interval **out, size_t *n)
{
	struct ctx_interval *v;
	size_t i, k = 0, open = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < j->nsl; i++)
		open += j->sl[i].refs > 0;
	if (!j->ndone && !open)
		return 0;
	v = malloc((j->ndone + open) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < j->ndone; i++)
		if (j->done[i].begin_ns < end_ns)
			v[k++] = j->done[i];
	for (i = 0; i < j->nsl; i++) {
		const struct slot *s = &j->sl[i];
		struct ctx_interval *iv;
		uint64_t end = end_ns;

		if (!s->refs || s->begin_ns >= end_ns)
			continue;
		iv = &v[k++];
		*iv = s->who;
		iv->begin_ns = s->begin_ns;
		iv->ctx = s->ctx;
		iv->source = s->source;
		iv->launches = s->launches;
		if (s->source == PL_GCS_CUDA)
			iv->gpu = gpu_of(j, s->tgid, s->ctx);
		if (s->hold && s->last_ns + CTX_IOCTL_HOLD_NS < end)
			end = s->last_ns + CTX_IOCTL_HOLD_NS;
		else
			iv->flags |= CTXI_F_OPEN;
		iv->end_ns = end;
	}
	for (i = 0; i < k; i++)
		if (v[i].end_ns > end_ns)
			v[i].end_ns = end_ns;
	qsort(v, k, sizeof(*v), cmp_interval);
	*out = v;
	*n = k;
	return 0;
}

static int cmp_event(const void *a, const void *b)
{
	const struct pl_gpuctx_event *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

void ctxjoin_sort(struct pl_gpuctx_event *ev, size_t n)
{
	if (n > 1)
		qsort(ev, n, sizeof(*ev), cmp_event);
}

void ctx_interval_name(const struct ctx_interval *iv, char *buf, size_t len)
{
	static const char *const src[] = { "?", "cuda", "cudart", "drm", "nvidia", "sched" };
	char gpu[16] = "?";

	if (iv->gpu != PL_GPU_UNKNOWN)
		snprintf(gpu, sizeof(gpu), "%u", iv->gpu);
	snprintf(buf, len, "%u/%s %s ctx 0x%" PRIx64 " gpu %s", iv->tgid, iv->comm[0] ? iv->comm : "?",
		 iv->source < sizeof(src) / sizeof(src[0]) ? src[iv->source] : "?", iv->ctx, gpu);
}

size_t ctx_active_at(const struct ctx_interval *iv, size_t niv, uint64_t ts_ns, size_t *idx, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < niv && iv[i].begin_ns <= ts_ns; i++)
		if (ts_ns < iv[i].end_ns) {
			if (k < max)
				idx[k] = i;
			k++;
		}
	return k;
}

static int cmp_energy(const void *a, const void *b)
{
	const struct ctx_energy *x = a, *y = b;

	if (x->energy_j != y->energy_j)
		return x->energy_j > y->energy_j ? -1 : 1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->ctx != y->ctx)
		return x->ctx < y->ctx ? -1 : 1;
	return x->source < y->source ? -1 : x->source > y->source;
}

/* A point-event hint (an NVIDIA ioctl, a CUDA launch with no known context), not a context. */
static bool is_hint(uint16_t source, uint64_t ctx)
{
	return source == PL_GCS_NVIDIA || ((source == PL_GCS_CUDA || source == PL_GCS_CUDART) && !ctx);
}

static const struct series *cmp_series; /* qsort has no context argument */

static int cmp_by_ts(const void *a, const void *b)
{
	uint64_t x = cmp_series->s[*(const size_t *)a].ts_ns, y = cmp_series->s[*(const size_t *)b].ts_ns;

	return x < y ? -1 : x > y;
}

int ctx_attribute(const struct series *v, size_t from, size_t to, const struct ctx_interval *iv, size_t niv,
		  struct ctx_energy **out, size_t *n, double *unattributed_j, double *total_j)
{
	struct ctx_energy *g = NULL;
	size_t *grp = NULL, *act = NULL, *order = NULL, *pg = NULL, ng = 0, nact = 0, next = 0, i, k, m;
	uint64_t *stamp = NULL, *pstamp = NULL, gen = 0;
	uint32_t *proc = NULL, *pcount = NULL, np = 0;
	bool *preal = NULL;
	int ret = -ENOMEM;

	*out = NULL;
	*n = 0;
	*unattributed_j = *total_j = 0;
	if (to > v->n)
		to = v->n;
	if (from > to)
		from = to;
	if (niv) {
		grp = malloc(niv * sizeof(*grp));
		act = malloc(niv * sizeof(*act));
		g = calloc(niv, sizeof(*g));
		stamp = calloc(niv, sizeof(*stamp));	/* per group: counted this sample */
		pstamp = calloc(niv, sizeof(*pstamp));	/* per process: seen this sample */
		proc = calloc(niv, sizeof(*proc));	/* group -> process index */
		pcount = calloc(niv, sizeof(*pcount));	/* per process: groups counted this sample */
		preal = calloc(niv, sizeof(*preal));	/* per process: a real context active this sample */
		pg = calloc(niv, sizeof(*pg));		/* this sample's counted groups */
		if (!grp || !act || !g || !stamp || !pstamp || !proc || !pcount || !preal || !pg)
			goto out;
	}
	/* One group per (tgid, ctx, source); one process per tgid. */
	{
		uint32_t *ptgid = calloc(niv ? niv : 1, sizeof(*ptgid));

		if (!ptgid)
			goto out;
		for (i = 0; i < niv; i++) {
			for (k = 0; k < ng; k++)
				if (g[k].tgid == iv[i].tgid && g[k].ctx == iv[i].ctx && g[k].source == iv[i].source)
					break;
			if (k == ng) {
				g[k].ctx = iv[i].ctx;
				g[k].tgid = iv[i].tgid;
				g[k].ns_tgid = iv[i].ns_tgid;
				g[k].gpu = iv[i].gpu;
				g[k].pidns_ino = iv[i].pidns_ino;
				g[k].source = iv[i].source;
				memcpy(g[k].comm, iv[i].comm, sizeof(g[k].comm));
				for (m = 0; m < np; m++)
					if (ptgid[m] == iv[i].tgid)
						break;
				if (m == np)
					ptgid[np++] = iv[i].tgid;
				proc[k] = (uint32_t)m;
				ng++;
			}
			if (iv[i].gpu != PL_GPU_UNKNOWN)
				g[k].gpu = iv[i].gpu;
			g[k].launches += iv[i].launches;
			grp[i] = k;
		}
		free(ptgid);
	}
	/* Samples in time order: a tampered trace's backwards steps must not restart the sweep. */
	if (to > from) {
		bool sorted = true;

		for (i = from + 1; i < to && sorted; i++)
			sorted = v->s[i].ts_ns >= v->s[i - 1].ts_ns;
		if (!sorted) {
			order = malloc((to - from) * sizeof(*order));
			if (!order)
				goto out;
			for (i = from; i < to; i++)
				order[i - from] = i;
			cmp_series = v;
			qsort(order, to - from, sizeof(*order), cmp_by_ts);
		}
	}
	for (size_t o = from; o < to; o++) {
		size_t si = order ? order[o - from] : o, npg = 0, nproc = 0;
		const struct pl_sample *s = &v->s[si];
		uint64_t dt = v->period_ns;
		int64_t uw;
		double e;

		/* Duration: to the next sample in time (the period for the last, or across a gap). */
		if (o + 1 < to) {
			uint64_t nts = v->s[order ? order[o + 1 - from] : o + 1].ts_ns;

			if (nts > s->ts_ns && nts - s->ts_ns < 10 * v->period_ns)
				dt = nts - s->ts_ns;
		}
		/* Sweep: intervals begin in order; drop those that ended. */
		while (next < niv && iv[next].begin_ns <= s->ts_ns)
			act[nact++] = next++;
		for (k = 0; k < nact;)
			if (iv[act[k]].end_ns <= s->ts_ns)
				act[k] = act[--nact];
			else
				k++;
		if (!sample_power_uw(s, &uw))
			continue;
		e = (double)uw * 1e-6 * (double)dt * 1e-9;
		*total_j += e;
		/*
		 * Equal shares per process, then per context within it; a
		 * process's hints count only while it has no real context
		 * active (an ioctl of a CUDA process is not a second share).
		 */
		gen++;
		for (k = 0; k < nact; k++) {
			size_t gi = grp[act[k]];
			uint32_t pi = proc[gi];

			if (pstamp[pi] != gen) {
				pstamp[pi] = gen;
				pcount[pi] = 0;
				preal[pi] = false;
				nproc++;
			}
			if (!is_hint(g[gi].source, g[gi].ctx))
				preal[pi] = true;
		}
		for (k = 0; k < nact; k++) {
			size_t gi = grp[act[k]];
			uint32_t pi = proc[gi];

			if (stamp[gi] == gen || (preal[pi] && is_hint(g[gi].source, g[gi].ctx)))
				continue;
			stamp[gi] = gen;
			pcount[pi]++;
			pg[npg++] = gi;
		}
		if (!npg) {
			*unattributed_j += e;
			continue;
		}
		for (k = 0; k < npg; k++) {
			g[pg[k]].energy_j += e / (double)nproc / (double)pcount[proc[pg[k]]];
			g[pg[k]].samples++;
		}
	}
	/* Active time within the series' span. */
	if (to > from) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (i = from; i < to; i++) {
			if (v->s[i].ts_ns < lo)
				lo = v->s[i].ts_ns;
			if (v->s[i].ts_ns > hi)
				hi = v->s[i].ts_ns;
		}
		hi += v->period_ns;
		for (i = 0; i < niv; i++) {
			uint64_t a = iv[i].begin_ns, b = iv[i].end_ns;

			if (a < lo)
				a = lo;
			if (b > hi)
				b = hi;
			if (b > a)
				g[grp[i]].active_ns += b - a;
		}
	}
	qsort(g, ng, sizeof(*g), cmp_energy);
	*out = ng ? g : NULL;
	*n = ng;
	if (!ng)
		free(g);
	g = NULL;
	ret = 0;
out:
	free(g);
	free(grp);
	free(act);
	free(order);
	free(stamp);
	free(pstamp);
	free(proc);
	free(pcount);
	free(preal);
	free(pg);
	return ret;
}
