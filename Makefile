# mmnet: shared-memory networking between co-located VMs.
#
#   make deps     install the Debian packages everything below needs (as root; idempotent)
#   make          build kernel/mmnet.ko, bpf/mmnet.bpf.o and the tools; and build/kernel-debug/mmnet.ko, the
#                 module with fault injection (MMNET_DEBUG=y) that selftests/errors.sh loads for its last part
#   make check    static checks, host tests, and the selftests on both testbeds; ends in "N passed, N failed"
#   make demo     boot the Xen testbed and show two guests talking
#   make bench    benchmarks: build/bench/results.csv and docs/performance.md (scripts/bench)
#   make profile  perf in both Xen guests during mmnet and netfront streams: docs/perf/profile-xen.txt
#   make stage DESTDIR=DIR   copy the build into DIR/mmnet, the layout the testbed guests see
#
# KVER and KDIR default to the installed linux-image-amd64 (never the running kernel's, see scripts/kver).

KVER ?= $(shell scripts/kver)
KDIR ?= /lib/modules/$(KVER)/build
CLANG ?= clang
CC ?= gcc

UAPI := include/uapi
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_x86 -I$(UAPI) -I/usr/include/$(shell $(CC) -dumpmachine) \
	-Wall -Wextra -Werror
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I$(UAPI)
BUILD := build
DEBUG_DIR := $(BUILD)/kernel-debug

BPF_OBJS := bpf/mmnet.bpf.o
HOST_TESTS := $(BUILD)/host/classifier_test
TOOL_DIRS := $(patsubst %/Makefile,%,$(wildcard tools/*/Makefile))

.PHONY: all kernel kernel-debug bpf tools host-tests ring-tests xenproto-tests filter-tests selftest-tools deps check demo bench profile stage clean
all: kernel kernel-debug bpf tools host-tests ring-tests xenproto-tests filter-tests selftest-tools

deps:
	scripts/deps

kernel:
	$(MAKE) -C kernel KDIR=$(KDIR)

# The same sources built again with MMNET_DEBUG=y, in a directory of their own (kernel/Makefile's debug).
kernel-debug:
	$(MAKE) -C kernel KDIR=$(KDIR) DEBUG_DIR=$(abspath $(DEBUG_DIR)) debug

bpf: $(BPF_OBJS)
bpf/%.bpf.o: bpf/%.bpf.c $(UAPI)/linux/mmnet.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

tools: bpf
	@for d in $(TOOL_DIRS); do $(MAKE) -C $$d || exit 1; done

host-tests: $(HOST_TESTS)
$(BUILD)/host/%: selftests/host/%.c $(UAPI)/linux/mmnet.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< -lbpf -o $@

# The ring logic built in userspace: unit tests, the fuzzer, the benchmark (selftests/ring).
ring-tests:
	$(MAKE) -C selftests/ring

# The xenstore parsers and rendezvous rules the kernel shares with mmnetd, in userspace: unit tests, the fuzzer
# (selftests/xenproto).
xenproto-tests:
	$(MAKE) -C selftests/xenproto

# Programs the selftests run in the guests (selftests/tools), staged into their /mmnet/bin.
selftest-tools:
	$(MAKE) -C selftests/tools

# The receive filter (what a peer may send through its channel), in userspace: unit tests, the fuzzer
# (selftests/filter).
filter-tests:
	$(MAKE) -C selftests/filter

check: deps all
	scripts/check

demo: deps all
	scripts/demo

bench: deps all
	scripts/bench

# perf inside both Xen guests while mmnet and netfront carry streams and request/response: the hottest
# functions, the paths into the hypervisor and where the time went (docs/perf/profile-xen.txt, which
# docs/performance.md quotes).
profile: deps all
	scripts/perf-stage $(BUILD)/perf
	TB_EXTRA=$(abspath $(BUILD))/perf selftests/testbed/run --xen --guests 2 selftests/bench/profile.sh \
		-p "mmnet netfront" -c xen_hypercall_pv tcp_stream:16384 tcp_stream:65536 tcp_rr:1 >$(BUILD)/profile.log
	mkdir -p docs/perf
	sed -n 's/^[0-9:.]* g1| //p' $(BUILD)/profile.log | grep -Ev '^(@@|ok |#|selftests:|TAP|1\.\.|testbed:|\[)' \
		>docs/perf/profile-xen.txt

# The guests' view: the repository's files plus what the build made, at /mmnet; tools on PATH from /mmnet/bin.
# Of build/, only the fault-injection module, at the same path (/mmnet/build/kernel-debug/mmnet.ko), without
# its debug info (the guests' memory holds /mmnet).
stage: all
	@test -n "$(DESTDIR)" || { echo "stage: DESTDIR= is required" >&2; exit 2; }
	@rm -rf $(DESTDIR)/mmnet && mkdir -p $(DESTDIR)/mmnet/bin $(DESTDIR)/mmnet/$(DEBUG_DIR)
	@{ git ls-files -co --exclude-standard | grep -v '^$(BUILD)/'; \
	   ls kernel/*.ko $(BPF_OBJS); } | sort -u | \
	   while read -r f; do [ -e "$$f" ] && echo "$$f"; done | cpio -pdm --quiet $(DESTDIR)/mmnet
	@strip --strip-debug -o $(DESTDIR)/mmnet/$(DEBUG_DIR)/mmnet.ko $(DEBUG_DIR)/mmnet.ko
	@for d in $(TOOL_DIRS); do $(MAKE) -s -C $$d install DESTDIR= BINDIR=$(abspath $(DESTDIR))/mmnet/bin || exit 1; done
	@$(MAKE) -s -C selftests/tools install BINDIR=$(abspath $(DESTDIR))/mmnet/bin

clean:
	$(MAKE) -C kernel KDIR=$(KDIR) DEBUG_DIR=$(abspath $(DEBUG_DIR)) clean
	@for d in $(TOOL_DIRS); do $(MAKE) -C $$d clean; done
	rm -f $(BPF_OBJS)
	$(MAKE) -C selftests/ring clean
	$(MAKE) -C selftests/xenproto clean
	$(MAKE) -C selftests/filter clean
	$(MAKE) -C selftests/tools clean
	rm -rf $(BUILD)/host
