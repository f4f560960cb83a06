// SPDX-License-Identifier: GPL-2.0
/*
 * powerledger_kunit.ko: KUnit suites of the module's pure logic (PMBus
 * codec, ring arithmetic, record packing).  The suites live next to the
 * code they test (*_test.c) and run when this module is loaded.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for powerledger");
