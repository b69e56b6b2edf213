#!/usr/bin/env bash
# The vmexit suite: kvm-unit-tests' x86/vmexit.flat against `runner vmexit`, interleaved on
# this host, ROUNDS rounds (default 3), one line per case present in both, with each
# round's figure (cycles per operation) of each side.
#
#   tools/kut-vmexit-bench.sh [ROUNDS] [CASE ...]
#
# kvm-unit-tests is cloned and built in a scratch folder outside this repository (KUT_DIR,
# default ${TMPDIR:-/tmp}/ktest-kut), from KUT_SOURCE (a git URL or a local clone), as
# tools/kut-ipi-bench.sh does; nothing of it is written inside the repository.
#
# Per round, one after the other:
#   kvm-unit-tests  x86/run x86/vmexit.flat -smp 2 -append "CASE ..."   (its `NAME N` lines)
#   ours            build/bin/runner vmexit CASE ... --runs 1 --no-apicv --json F (each case's median)
# kvm-unit-tests gets the guest CPU and machine ours runs with (KUT_QEMU_ARGS): with its
# default qemu64 CPU it has no TSC-deadline timer and skips both tscdeadline cases, and its
# default machine has the in-kernel PIT that ours turns off for every benchmark VM.
# The default cases leave out vmcall/vmmcall: on an AMD host vmexit.flat's vmcall does not
# come back under kvm_pvm (its run stops there), and ours skips or hangs the same way.
# They leave out tscdeadline too: there vmexit.flat arms the deadline 3,000 cycles ahead and
# spins, unbounded, until its handler runs; on kvm_pvm (-cpu host,-arch-capabilities) it
# never did (2026-12-02, killed after 300 s) and took every later case with it. Name it as a
# case to try it anyway.
set -euo pipefail

ROUNDS=${1:-3}
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || { echo "kut-vmexit-bench: ROUNDS must be a positive number, got '$ROUNDS'" >&2; exit 2; }
shift || true
CASES=("$@")
[[ ${#CASES[@]} -gt 0 ]] || CASES=(cpuid mov_from_cr8 mov_to_cr8 inl_from_pmtimer inl_from_qemu inl_from_kernel outl_to_kernel
    mov_dr tscdeadline_immed self_ipi_sti_nop self_ipi_sti_hlt self_ipi_tpr self_ipi_tpr_sti_nop self_ipi_tpr_sti_hlt
    ipi ipi_halt wr_kernel_gs_base wr_tsc_adjust_msr rd_tsc_adjust_msr toggle_cr0_wp toggle_cr4_pge)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KUT_DIR=${KUT_DIR:-${TMPDIR:-/tmp}/ktest-kut}
KUT_SOURCE=${KUT_SOURCE:-https://gitlab.com/kvm-unit-tests/kvm-unit-tests.git}
KUT_TIMEOUT=${KUT_TIMEOUT:-300}
RUNNER=$ROOT/build/bin/runner

for tool in jq git make gcc timeout; do
    command -v "$tool" >/dev/null || { echo "kut-vmexit-bench: '$tool' not found: install it (apt-get install $tool)" >&2; exit 2; }
done
[[ -x $RUNNER ]] || { echo "kut-vmexit-bench: $RUNNER not found: run 'make' first" >&2; exit 2; }
# The guest CPU model the runner's probe chose for this host (e.g. host,-arch-capabilities).
KVM_CPU=$("$RUNNER" --root "$ROOT" caps | awk '/^KVM -cpu:/ { print $3; exit }')
[[ -n $KVM_CPU ]] || { echo "kut-vmexit-bench: 'runner caps' named no KVM -cpu model: is KVM usable here?" >&2; exit 2; }
read -r -a KUT_QEMU_ARGS <<<"${KUT_QEMU_ARGS:--cpu $KVM_CPU -machine pit=off}"
mkdir -p "$KUT_DIR"
KUT_DIR=$(cd "$KUT_DIR" && pwd)
case "$KUT_DIR/" in
    "$ROOT"/*) echo "kut-vmexit-bench: KUT_DIR=$KUT_DIR is inside the repository; choose a scratch folder outside it" >&2; exit 2 ;;
esac
SRC=$KUT_DIR/src
if [[ ! -d $SRC/.git ]]; then
    echo "cloning kvm-unit-tests from $KUT_SOURCE into $SRC" >&2
    git clone -q "$KUT_SOURCE" "$SRC"
fi
if [[ -n ${KUT_COMMIT:-} ]]; then git -C "$SRC" checkout -q "$KUT_COMMIT"; fi
KUT_REV=$(git -C "$SRC" log -1 --format='%h %cs')
if [[ ! -f $SRC/x86/vmexit.flat ]]; then
    echo "building kvm-unit-tests x86/vmexit.flat ($KUT_REV); log: $KUT_DIR/build.log" >&2
    (cd "$SRC" && ./configure && make -j"$(nproc)" x86/vmexit.flat) >"$KUT_DIR/build.log" 2>&1 \
        || { echo "kut-vmexit-bench: building kvm-unit-tests failed; see $KUT_DIR/build.log" >&2; exit 1; }
fi

load() { cut -d' ' -f1 /proc/loadavg; }
echo "kvm-unit-tests $KUT_REV, ktest $(git -C "$ROOT" describe --always --dirty), $(uname -r), $(qemu-system-x86_64 --version | head -1)"
echo "cases: ${CASES[*]}"
echo "kvm-unit-tests QEMU arguments: ${KUT_QEMU_ARGS[*]} (ours: runner vmexit's own, --no-apicv)"
RESULTS=$KUT_DIR/vmexit-results.tsv
: >"$RESULTS"
for ((r = 1; r <= ROUNDS; r++)); do
    echo "round $r: load $(load) at $(date -u +%T)"
    log=$KUT_DIR/round$r-kut.log
    (cd "$SRC" && QEMU=${QEMU:-qemu-system-x86_64} ACCEL=kvm timeout "$KUT_TIMEOUT" x86/run x86/vmexit.flat -smp 2 "${KUT_QEMU_ARGS[@]}" -append "${CASES[*]}") >"$log" 2>&1 \
        || echo "  kvm-unit-tests ended with status $? (log: $log); its figures so far are kept"
    for c in "${CASES[@]}"; do
        # Its lines are "NAME CYCLES" (CR LF); the self-IPI cases print a run of 0/1 digits before
        # theirs, and "  ipi NAME N" / "  eoi NAME N" under them (not the case's figure).
        v=$(tr -d '\r' <"$log" | awk -v c="$c" 'NF == 2 && $2 ~ /^[0-9]+$/ { n = $1; sub(/^[01]+/, "", n); if (n == c) { print $2; exit } }')
        printf '%s\tkut\t%s\t%s\n' "$c" "$r" "${v:-}" >>"$RESULTS"
    done
    json=$KUT_DIR/round$r-ours.json
    "$RUNNER" --root "$ROOT" vmexit "${CASES[@]}" --runs 1 --no-apicv --json "$json" >"$KUT_DIR/round$r-ours.log" 2>&1 \
        || echo "  runner vmexit ended with status $? (log: $KUT_DIR/round$r-ours.log); its figures so far are kept"
    if [[ -f $json ]]; then
        jq -r --arg r "$r" '.columns[] | select(.unavailable == null) | .cases[] | [.name, "ours", $r, (if .cyclesMedian == null then "" else (.cyclesMedian | floor | tostring) end)] | @tsv' "$json" >>"$RESULTS"
    fi
done
echo "load $(load) at $(date -u +%T) (end)"
printf '%-22s %-40s %-40s\n' case "kvm-unit-tests cycles/op (per round)" "ours, median cycles/op (per round)"
for c in "${CASES[@]}"; do
    k=$(awk -F'\t' -v c="$c" '$1 == c && $2 == "kut" { printf "%s ", ($4 == "" ? "-" : $4) }' "$RESULTS")
    o=$(awk -F'\t' -v c="$c" '$1 == c && $2 == "ours" { printf "%s ", ($4 == "" ? "-" : $4) }' "$RESULTS")
    printf '%-22s %-40s %-40s\n' "$c" "$k" "$o"
done
