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
KUT_TIMEOUT=${KUT_TIMEOUT:-300}
# shellcheck source=tools/kut-source.sh
source "$(dirname "${BASH_SOURCE[0]}")/kut-source.sh"
kut_prepare kut-vmexit-bench
# The guest CPU model the runner's probe chose for this host (e.g. host,-arch-capabilities).
KVM_CPU=$("$RUNNER" --root "$ROOT" caps | awk '/^KVM -cpu:/ && !done { print $3; done = 1 }')
[[ -n $KVM_CPU ]] || { echo "kut-vmexit-bench: 'runner caps' named no KVM -cpu model: is KVM usable here?" >&2; exit 2; }
read -r -a KUT_QEMU_ARGS <<<"${KUT_QEMU_ARGS:--cpu $KVM_CPU -machine pit=off}"

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
        v=$(tr -d '\r' <"$log" | awk -v c="$c" 'NF == 2 && $2 ~ /^[0-9]+$/ { n = $1; sub(/^[01]+/, "", n); if (n == c && !done) { print $2; done = 1 } }')
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
