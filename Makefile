# page-alloc-bench top-level build.
#   make                 kmod (against KDIR; default: the cached kernel of SUITE) + tools
#   make kmod            the module in kmod/ (KDIR=..., LLVM=1 passed through)
#   make tools           pab-load, pab-exhaust, pab-antagonize, pab-report: Native AOT executables
#                        for linux-x64 in build/bin (no runtime beside them)
#   make kmod-vm         the module and guest image for SUITE's kernel, as vm-run uses them
#   make vm-smoke        boot SUITE's kernel and run a command in it
#   make deps            install the Debian packages the project needs
#   make check-kmod      sparse and checkpatch --strict on the module
#   make check-scripts   shellcheck -S warning on every shell script (found by name and shebang)
#   make test            every test (what CI runs); ends with "tests: N passed, N failed"
#   make test-shapes     the default pipeline in guests of other shapes (1 to 16 CPUs, 512 MiB to
#                        8 GiB, two NUMA nodes): scripts/test-shapes, one table row each (CI runs it)
#   make bench           the full benchmark: here if this kernel loads modules, else in QEMU
#                        (KERNEL=bzImage KDIR=tree for your own kernel)
#   make compare NEW=SPEC    A/B over boots against BASE (default bookworm): scripts/compare-kernels
#                        (ROUNDS=5, ARGS= page-alloc-bench options)
#   make page_alloc_bench.run   self-extracting bundle of module, tools and pipeline (MAKESELF=...)
#   make clean
SUITE ?= bookworm
LLVM ?=
KDIR ?=

# KDIR defaults to the unpacked headers of SUITE's kernel (fetched on first use).
kdir = $(or $(KDIR),$(shell scripts/kernel-prep --suite $(SUITE) --print KDIR))

.PHONY: test-shapes compare all kmod tools kmod-vm vm-image vm-smoke deps clean test-matrix check-kmod check-scripts test bench page_alloc_bench.run

all: kmod tools

kmod:
	$(MAKE) -C kmod KDIR=$(kdir) $(if $(LLVM),LLVM=$(LLVM))

# publish-tools does nothing when no tool source changed since the last publish.
tools:
	scripts/publish-tools --out build/bin

kmod-vm:
	scripts/kernel-prep --suite $(SUITE) --kmod --image

vm-image:
	scripts/kernel-prep --suite $(SUITE) --image

vm-smoke: kmod-vm
	scripts/vm-run --suite $(SUITE) -- sh -c 'uname -r; insmod /opt/pab/kmod/page_alloc_bench.ko && rmmod page_alloc_bench && echo module ok'

deps:
	scripts/install-deps

test-matrix:
	scripts/test-matrix

check-kmod:
	scripts/check-kmod

check-scripts:
	scripts/install-deps
	scripts/check-scripts

clean:
	-[ -z "$(KDIR)" ] || $(MAKE) -C kmod KDIR=$(KDIR) clean
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/Module.symvers kmod/modules.order
	rm -rf build

test:
	scripts/run-tests

test-shapes:
	scripts/test-shapes

bench:
	scripts/run-benchmark $(if $(KERNEL),--kernel $(KERNEL) --kdir $(KDIR))

BASE ?= bookworm
ROUNDS ?= 5
compare:
	@[ -n "$(NEW)" ] || { echo "make compare: give NEW=SPEC (e.g. NEW=bookworm+init_on_alloc=0); see scripts/compare-kernels --help" >&2; exit 2; }
	scripts/compare-kernels --rounds $(ROUNDS) base=$(BASE) new=$(NEW) $(if $(ARGS),-- $(ARGS))

MAKESELF ?= makeself
page_alloc_bench.run: kmod tools
	scripts/make-bundle --ko kmod/page_alloc_bench.ko --makeself "$(MAKESELF)" --out $@
