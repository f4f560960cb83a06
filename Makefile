# powerledger — top-level build.  `make help` lists the targets.
.DELETE_ON_ERROR:
SHELL := /bin/bash

V ?= 0
Q := $(if $(filter 1,$(V)),,@)

# Debian's current 6.1 ABI (whatever linux-headers-amd64 depends on today).
KABI ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /lib/modules/$(KABI)/build
KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(filter 1,$(V)),V=1,)

.PHONY: all module module-debug sparse w1 clean module-clean help deps check bench demo dkms-install style
all: module

module:
	$(Q)test -d $(KDIR) || { echo "powerledger: no kernel build tree at $(KDIR) (run scripts/install-deps)" >&2; exit 2; }
	$(Q)$(KMAKE) modules

module-debug:
	$(Q)$(KMAKE) PL_DEBUG=y modules

# W=1 and sparse over the module: both must be silent.
w1:
	$(Q)$(KMAKE) W=1 modules
sparse:
	$(Q)$(KMAKE) C=2 modules

deps:
	$(Q)scripts/install-deps

# Every test: unit, KUnit in a minimal kernel, VM integration, DKMS.
check: deps
	$(Q)scripts/check

# Figures, not tests: see README's performance section.
bench: deps
	$(Q)scripts/bench-sampler
	$(Q)scripts/bench-agent
	$(Q)scripts/bench-gpuctx

demo: deps
	$(Q)scripts/demo

dkms-install: deps
	$(Q)scripts/dkms-install

style:
	$(Q)scripts/style

module-clean:
	$(Q)$(KMAKE) clean >/dev/null 2>&1 || true

clean: module-clean
	$(Q)$(MAKE) -s -C tests/sim clean >/dev/null 2>&1 || true
	$(Q)rm -rf build

help:
	@echo "make               build powerledger.ko against Debian's 6.1 headers (KDIR=...)"
	@echo "make module-debug  same with -DDEBUG"
	@echo "make w1 | sparse   warnings / sparse (C=2) over the module"
	@echo "make check         install what is missing, run every test (PL_CHECK_STAGES= to pick)"
	@echo "make bench         sampler benchmark in the VM (figures for README)"
	@echo "make demo          the main job on the embedded default (simulated PSU in a VM)"
	@echo "make dkms-install  install the module with DKMS for Debian's kernel"
