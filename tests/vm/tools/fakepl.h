/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared by fakepl.c (the LD_PRELOAD ioctl stand-in) and plread_test.c
 * (which lays out the fake device file and produces into its rings).
 */
#ifndef PL_TOOLS_FAKEPL_H
#define PL_TOOLS_FAKEPL_H

#include <stdbool.h>

/* where the fake file keeps its struct pl_info, inside the meta part */
#define FAKEPL_INFO_OFF		2048
/* what PL_IOC_GET_STATS reports as samples */
#define FAKEPL_STATS_SAMPLES	1000

#endif /* PL_TOOLS_FAKEPL_H */
