# Builds every test kernel (tests/<name>/ -> build/<name>.elf), the image tool and
# the runner. `make run` builds and runs the default suite; `make test` runs the
# unit tests and boots every test kernel. Both install missing Debian packages.

BUILD      := build
KERNELS    := $(patsubst tests/%/,%,$(sort $(dir $(wildcard tests/*/*.cs))))
CORELIB    := $(wildcard kernel/corelib/*.cs)
KERNELLIB  := $(wildcard kernel/lib/*.cs)
BOOT_ASM   := $(wildcard kernel/boot/*.asm)
BOOT_INC   := $(wildcard kernel/boot/*.inc)
BOOT_OBJS  := $(patsubst kernel/boot/%.asm,$(BUILD)/boot/%.o,$(BOOT_ASM))
LDSCRIPT   := linker/kernel.ld
DOTNET     ?= dotnet
CONFIG     ?= Release
RUNNER     := $(BUILD)/bin/runner
IMAGETOOL  := $(BUILD)/tools/imagetool/imagetool
IMAGE_SRCS := $(shell find linker/ImageTool linker/ImageTool.Lib -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*') linker/ImageTool/ImageTool.csproj linker/ImageTool.Lib/ImageTool.Lib.csproj Directory.Build.props Directory.Packages.props
HOST_SRCS  := $(shell find runner/Runner \( -name '*.cs' -o -name '*.sh' \) -not -path '*/obj/*' -not -path '*/bin/*') runner/Runner/Runner.csproj $(IMAGE_SRCS)
# Everything the unit-test assemblies are built from (their fixtures are copied to the output).
TEST_SRCS  := $(shell find runner/Runner.Tests linker/ImageTool.Tests -type f -not -path '*/obj/*' -not -path '*/bin/*') Runner.sln $(HOST_SRCS)
UNIT_STAMP := $(BUILD)/.unit-tests-built
TFM        := $(shell sed -n 's:.*<TargetFramework>\(.*\)</TargetFramework>.*:\1:p' Directory.Build.props)
IMAGETOOL_TESTS := linker/ImageTool.Tests/bin/$(CONFIG)/$(TFM)/ImageTool.Tests.dll
RUNNER_TESTS := runner/Runner.Tests/bin/$(CONFIG)/$(TFM)/Runner.Tests.dll
# xz unpacks a Debian kernel's modules for the L1 host (--host-kernel); perf counts KVM tracepoints.
DEB_TOOLS  := qemu-system-x86_64:qemu-system-x86 nasm:nasm ld.lld:lld xz:xz-utils perf:linux-perf dpkg-deb:dpkg
# Files rather than commands: the face plots are drawn with (SkiaSharp's build sees no system fonts).
DEB_FILES  := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core

.PHONY: all kernels host unit-tests run test unit-check deps clean
.DELETE_ON_ERROR:
# Keep the intermediate .dll/.o of each kernel so a second make does nothing.
.SECONDARY:

all: deps kernels host unit-tests

kernels: $(patsubst %,$(BUILD)/%.elf,$(KERNELS))
host: $(RUNNER)
unit-tests: $(UNIT_STAMP)

# Debian packages the build and the runs need; installed when root, named otherwise.
deps: $(BUILD)/.deps
$(BUILD)/.deps:
	@mkdir -p $(BUILD)
	@missing=""; for t in $(DEB_TOOLS); do \
	  command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t##*:}"; done; \
	for f in $(DEB_FILES); do [ -e $${f%%:*} ] || missing="$$missing $${f##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing) >$(BUILD)/apt.log 2>&1 \
	      || { echo "apt-get install$$missing failed: see $(BUILD)/apt.log"; exit 1; }; \
	  else \
	    echo "missing tools: run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
	@touch $@

# Tool paths come from NuGet restore of kernel/toolchain (ilc) and the SDK (csc).
$(BUILD)/toolchain.mk: kernel/toolchain/Toolchain.csproj Directory.Packages.props
	@mkdir -p $(BUILD)
	$(DOTNET) restore kernel/toolchain/Toolchain.csproj -v q --nologo
	@$(DOTNET) msbuild kernel/toolchain/Toolchain.csproj -nologo -getProperty:IlcPath -getProperty:CscPath \
	  | sed -n 's/^ *"\(IlcPath\|CscPath\)": "\(.*\)",\{0,1\}$$/\1 := \2/p' > $@.tmp
	@grep -q '^IlcPath' $@.tmp && grep -q '^CscPath' $@.tmp || { echo "cannot locate ilc/csc: see $@.tmp"; exit 1; }
	@mv $@.tmp $@

-include $(BUILD)/toolchain.mk

# CS0649/CS0169: hardware and runtime structures are filled and read through pointers only.
CSCFLAGS := /nostdlib /noconfig /unsafe /nologo /optimize+ /deterministic /langversion:latest \
            /nullable:enable /target:library /runtimemetadataversion:v4.0.30319 /warnaserror+ /nowarn:CS8500,CS0649,CS0169
# The kernel assembly is its own system module: ilc finds the core library types in it.
ILCFLAGS := --systemmodule:kernel --targetos:linux --targetarch:x64 -O --nativelib --directpinvoke:*

$(BUILD)/boot/%.o: kernel/boot/%.asm $(BOOT_INC) $(BUILD)/.deps
	@mkdir -p $(dir $@)
	nasm -f elf64 -Ikernel/boot/ -o $@ $<

# One assembly per kernel: core library + guest library + the test's sources. Then the
# NASM side's structure offsets and sizes (a %define whose comment names a C# member) are
# checked against it, so the two layouts cannot drift apart; a mismatch leaves no assembly.
$(BUILD)/%/kernel.dll: $(CORELIB) $(KERNELLIB) tests/%/*.cs $(BUILD)/toolchain.mk $(BOOT_ASM) $(BOOT_INC) $(IMAGETOOL)
	@mkdir -p $(dir $@)
	$(DOTNET) $(CscPath) $(CSCFLAGS) /out:$@ $(CORELIB) $(KERNELLIB) $(wildcard tests/$*/*.cs)
	$(IMAGETOOL) layout $@ $(BOOT_INC) $(BOOT_ASM) || { rm -f $@; exit 1; }

$(BUILD)/%/kernel.o: $(BUILD)/%/kernel.dll
	$(IlcPath) $< -o $@ $(ILCFLAGS)

# Linked, then checked (no SSE/x87 anywhere, PVH note, nothing unresolved) before
# it may take the final name. The old image goes first: after a failed link or check
# there is no image the runner could boot with stale code.
$(BUILD)/%.elf: $(BUILD)/%/kernel.o $(BOOT_OBJS) $(LDSCRIPT) $(IMAGETOOL)
	@rm -f $@
	ld.lld -nostdlib -static --no-pie -z max-page-size=4096 -T $(LDSCRIPT) -Map=$(BUILD)/$*/kernel.map -o $@.tmp $(BOOT_OBJS) $<
	$(IMAGETOOL) check $@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

$(IMAGETOOL): $(IMAGE_SRCS)
	$(DOTNET) build linker/ImageTool/ImageTool.csproj -c $(CONFIG) -o $(dir $@) --nologo -v q -clp:NoSummary
	@touch $@

# Published ReadyToRun (precompiled; the SDK restores the linux-x64 runtime and crossgen
# packs): a one-test run is mostly start-up, and the JIT was half of it.
$(RUNNER): $(HOST_SRCS)
	$(DOTNET) publish runner/Runner/Runner.csproj -c $(CONFIG) -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
	  -o $(dir $@) --nologo -v q -clp:NoSummary
	@touch $@

# The unit-test assemblies, built with the rest so `make test` runs them with --no-build
# (a dotnet test that builds spent ~20 s of the unit stage on an up-to-date tree checking
# it). After the runner and the image tool (order-only): their builds restore the same
# projects, and two restores of one project at once race on its obj/ folder.
$(UNIT_STAMP): $(TEST_SRCS) | $(RUNNER) $(IMAGETOOL)
	$(DOTNET) build Runner.sln -c $(CONFIG) --nologo -v q -clp:NoSummary
	@touch $@

# The default suite; `build/bin/runner run --help` for more.
run: all
	$(RUNNER) run -g default

RESULTS := $(BUILD)/test-results

# Unit tests (xunit, both test projects, built by `make`), then every test kernel under QEMU: once
# as each entry asks (KVM where usable) and once under TCG; then the `nested` group
# under mainline kvm_amd in an L1 Linux host (Debian's 6.12 kernel package, fetched
# once into ~/.cache/ktest). The last line is the combined total CI reads; any
# failure anywhere makes the exit status non-zero, and a stage that fails without a
# failed result in its files (the apicv-inhibit stage's output goes to its log) is
# named and counted there, so the line never says "0 failed" under a failed run.
NESTED_KERNEL ?= debian-6.12
# Test kernels booted at once under KVM (one per host CPU). TCG stays one at a time: its
# timer checks have no steal time to correct for, and two TCG VMs on two CPUs failed them.
KERNEL_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# `stage` runs one stage and prints its wall time: the figures a slow CI run is judged by.
test: all
	@rm -rf $(RESULTS); mkdir -p $(RESULTS); status=0; exits=""; \
	stage() { name=$$1; shift; t0=$$(date +%s); "$$@"; rc=$$?; [ $$rc = 0 ] || status=1; exits="$$exits --stage $$name=$$rc"; \
	  echo "stage $$name: $$(( $$(date +%s) - t0 )) s$$( [ $$rc = 0 ] || echo ", exit status $$rc")"; }; \
	stage unit $(MAKE) -s --no-print-directory unit-check; \
	echo "test kernels, default accelerator:"; \
	stage kernels-default $(RUNNER) run -j $(KERNEL_JOBS) --junit $(RESULTS)/kernels-default.xml; \
	echo "test kernels, TCG:"; \
	stage kernels-tcg $(RUNNER) run --accel tcg --junit $(RESULTS)/kernels-tcg.xml; \
	echo "test kernels, mainline KVM in an L1 host ($(NESTED_KERNEL)):"; \
	stage kernels-nested $(RUNNER) run -g nested --host-kernel $(NESTED_KERNEL) --junit $(RESULTS)/kernels-nested.xml; \
	echo "in-VM APICv check, L1 host with a forced AVIC and q35's reinjecting PIT (must report PIT_REINJ; log: $(RESULTS)/apicv-inhibit.log):"; \
	stage apicv-inhibit sh -c '$(RUNNER) --host-kernel $(NESTED_KERNEL) --host-kvm-param kvm_amd.avic=1 --host-kvm-param kvm_amd.force_avic=1 \
	  ipi --xapic --ipiv --kind self --cpus 1 --runs 1 --iters 50 --keep-pit --junit $(RESULTS)/apicv-inhibit.xml > $(RESULTS)/apicv-inhibit.log 2>&1'; \
	grep -h "in the VM:" $(RESULTS)/apicv-inhibit.log || true; \
	case "$$exits" in *apicv-inhibit=0*) ;; *) tail -n 25 $(RESULTS)/apicv-inhibit.log;; esac; \
	$(RUNNER) totals $(RESULTS) $$exits || status=1; \
	exit $$status

# make test's unit stage alone (tools/bench-self times it this way too). Both assemblies at
# once, each as xunit v3's own in-process runner: `dotnet test` put ~4 s of VSTest and MSBuild
# start-up in front of the same tests, and ran the two one after the other. Runner.Tests in
# the foreground: a background command of a non-interactive shell starts with SIGINT ignored,
# the runners it starts would inherit that, and its signal tests send them SIGINT.
unit-check: unit-tests
	@mkdir -p $(RESULTS); rm -f $(RESULTS)/*.trx $(RESULTS)/unit-*.log; \
	echo "unit tests: $(notdir $(IMAGETOOL_TESTS) $(RUNNER_TESTS)) (logs: $(RESULTS)/unit-*.log)"; \
	xunit() { n=$$(basename $$1 .dll); $(DOTNET) exec $$1 -noLogo -noColor -trx $(RESULTS)/$$n.trx > $(RESULTS)/unit-$$n.log 2>&1; }; \
	xunit $(IMAGETOOL_TESTS) & bg=$$!; xunit $(RUNNER_TESTS); rc=$$?; wait $$bg || rc=1; \
	[ $$rc = 0 ] || { echo "unit tests FAILED:"; grep -h -a -A3 '\[FAIL\]' $(RESULTS)/unit-*.log | head -60; }; \
	grep -h -E '^ +[A-Za-z.]+Tests +Total: ' $(RESULTS)/unit-*.log; exit $$rc

clean:
	rm -rf $(BUILD)
