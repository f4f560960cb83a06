// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A stand-in libcuda.so.1 for the VM tests: the real driver API's symbol
 * names and context-stack semantics (per thread: create and push push, pop
 * pops, set replaces the top), no GPU.  The agent's uprobes attach to these
 * symbols exactly as they would to NVIDIA's library.
 */
#include <stdint.h>
#include <stdlib.h>

typedef int CUresult;
typedef int CUdevice;
typedef struct fake_ctx *CUcontext;
typedef void *CUfunction;
typedef void *CUstream;

struct fake_ctx {
	CUdevice dev;
	uint64_t launches;
};

#define CUDA_SUCCESS 0
#define CUDA_ERROR_INVALID_VALUE 1
#define CUDA_ERROR_INVALID_CONTEXT 201
#define DEPTH 16

static __thread CUcontext stack[DEPTH];
static __thread int depth;

#define API __attribute__((visibility("default"), noinline))

API CUresult cuInit(unsigned int flags)
{
	(void)flags;
	return CUDA_SUCCESS;
}

API CUresult cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
	CUcontext c;

	(void)flags;
	if (!pctx || depth == DEPTH)
		return CUDA_ERROR_INVALID_VALUE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return CUDA_ERROR_INVALID_VALUE;
	c->dev = dev;
	stack[depth++] = c;
	*pctx = c;
	return CUDA_SUCCESS;
}

/* One primary context per device, made current by cuCtxSetCurrent (as the runtime API does). */
API CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
{
	static CUcontext primary[8];

	if (!pctx || dev < 0 || dev >= 8)
		return CUDA_ERROR_INVALID_VALUE;
	if (!primary[dev]) {
		primary[dev] = calloc(1, sizeof(*primary[dev]));
		if (!primary[dev])
			return CUDA_ERROR_INVALID_VALUE;
		primary[dev]->dev = dev;
	}
	*pctx = primary[dev];
	return CUDA_SUCCESS;
}

API CUresult cuCtxDestroy_v2(CUcontext ctx)
{
	int i, k = 0;

	if (!ctx)
		return CUDA_ERROR_INVALID_CONTEXT;
	for (i = 0; i < depth; i++)
		if (stack[i] != ctx)
			stack[k++] = stack[i];
	depth = k;
	free(ctx);
	return CUDA_SUCCESS;
}

API CUresult cuCtxSetCurrent(CUcontext ctx)
{
	if (!ctx) {
		if (depth)
			depth--;
		return CUDA_SUCCESS;
	}
	if (depth)
		stack[depth - 1] = ctx;
	else
		stack[depth++] = ctx;
	return CUDA_SUCCESS;
}

API CUresult cuCtxPushCurrent_v2(CUcontext ctx)
{
	if (!ctx || depth == DEPTH)
		return CUDA_ERROR_INVALID_VALUE;
	stack[depth++] = ctx;
	return CUDA_SUCCESS;
}

API CUresult cuCtxPopCurrent_v2(CUcontext *pctx)
{
	if (!depth)
		return CUDA_ERROR_INVALID_CONTEXT;
	depth--;
	if (pctx)
		*pctx = stack[depth];
	return CUDA_SUCCESS;
}

API CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
			    unsigned int by, unsigned int bz, unsigned int shmem, CUstream s, void **params,
			    void **extra)
{
	(void)f, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz, (void)shmem, (void)s, (void)params,
		(void)extra;
	if (!depth)
		return CUDA_ERROR_INVALID_CONTEXT;
	stack[depth - 1]->launches++;
	return CUDA_SUCCESS;
}

API CUresult cuLaunchKernelEx(const void *config, CUfunction f, void **params, void **extra)
{
	(void)config;
	return cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, NULL, params, extra);
}
