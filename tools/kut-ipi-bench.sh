#!/usr/bin/env bash
# IPI round trip: kvm-unit-tests' `vmexit ipi` against `runner ipi`, interleaved on
# this host, ROUNDS rounds (default 5), medians and ranges over the rounds.
#
#   tools/kut-ipi-bench.sh [ROUNDS]
#
# kvm-unit-tests is cloned and built in a scratch folder outside this repository
# (KUT_DIR, default ${TMPDIR:-/tmp}/ktest-kut), from KUT_SOURCE (a git URL or a local
# clone; default the upstream repository), at KUT_COMMIT if set. Nothing of it is
# ever written inside the repository.
#
# Per round, each on its own:
#   kvm-unit-tests x2APIC  x86/run x86/vmexit.flat -smp 2 -append ipi
#   kvm-unit-tests xAPIC   x86/run x86/vmexit.flat -smp 2 -append ipi -cpu qemu64,-x2apic
#   ours, halted target    build/bin/runner ipi --halt --runs 5 --iters 200 --warmup 20
#   ours, spinning target  build/bin/runner ipi --runs 5 --iters 200 --warmup 20
# kvm-unit-tests' figure is its `ipi N` line (cycles per on_cpu() round trip to a
# halting AP, its whole loop over the iterations divided by their number, as our
# ipi.cycles.avg is); its `ipi ipi N` line (the on_cpu() call alone) is shown too.
# Ours are the medians over the 5 boots of the C# and assembly columns (w/o IPIv),
# with the timer overhead median each run measured. Because a host can change state from
# one boot to the next (seen here: halted round trips of ~70k cycles in some boots and
# ~210k in others), the C#/asm rows are also given paired: each boot's C# batch average
# over its own asm batch average, both timed in the same boot, the median over all the
# rounds' boots; and the same of the sample medians, which lean against C#: each C# sample
# is timed by calls to the RDTSC code, each asm sample by the same instructions inline.
set -euo pipefail

ROUNDS=${1:-5}
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || { echo "kut-ipi-bench: ROUNDS must be a positive number, got '$ROUNDS'" >&2; exit 2; }
OURS_ARGS=(--runs 5 --iters 200 --warmup 20)
KUT_TIMEOUT=${KUT_TIMEOUT:-300}
# shellcheck source=tools/kut-source.sh
source "$(dirname "${BASH_SOURCE[0]}")/kut-source.sh"
kut_prepare kut-ipi-bench

# kut MODE ROUND: prints "<ipi N> <ipi ipi N>" or fails naming what happened.
kut() {
    local mode=$1 round=$2 log=$KUT_DIR/round$2-$1.log extra=()
    [[ $mode == xapic ]] && extra=(-cpu qemu64,-x2apic)
    if ! (cd "$SRC" && timeout "$KUT_TIMEOUT" x86/run x86/vmexit.flat -smp 2 -append ipi "${extra[@]}") >"$log" 2>&1; then
        # vmexit exits through isa-debug-exit with a non-zero status even when it passes;
        # only a missing figure counts as a failure.
        :
    fi
    local total on_cpu
    # The serial console ends lines with CR LF.
    total=$(tr -d '\r' <"$log" | awk '$1 == "ipi" && $2 ~ /^[0-9]+$/ && !done { print $2; done = 1 }')
    on_cpu=$(tr -d '\r' <"$log" | awk '$1 == "ipi" && $2 == "ipi" && !done { print $3; done = 1 }')
    [[ -n $total ]] || { echo "kut-ipi-bench: kvm-unit-tests $mode printed no 'ipi N' line (timeout ${KUT_TIMEOUT}s?); see $log" >&2; return 1; }
    echo "$total ${on_cpu:-0}"
}

# ours TARGET ROUND: writes the runner's JSON for the round.
ours() {
    local target=$1 round=$2 json=$KUT_DIR/round$2-ours-$1.json extra=()
    [[ $target == halt ]] && extra=(--halt)
    "$RUNNER" --root "$ROOT" ipi "${extra[@]}" "${OURS_ARGS[@]}" --json "$json" >"$KUT_DIR/round$round-ours-$target.log" 2>&1 \
        || { echo "kut-ipi-bench: runner ipi ($target) failed; see $KUT_DIR/round$round-ours-$target.log" >&2; return 1; }
    echo "$json"
}

# field JSON APIC FIELD: csharp|asm median, or the median of the runs' timer overhead medians.
field() {
    local json=$1 apic=$2 what=$3
    case $what in
        csharp|asm) jq -r --arg a "$apic" --arg w "$what" \
            '.columns[] | select(.apic == $a and .ipiv == false and (.send // "icr") == "icr") | .stats[$w].median // empty' "$json" ;;
        overhead) jq -r --arg a "$apic" \
            '[.columns[] | select(.apic == $a and .ipiv == false and (.send // "icr") == "icr") | .runs[] | select(.used) | .metrics["timer.overhead.median"]] | sort | .[length / 2 | floor] // empty' "$json" ;;
        paired) jq -r --arg a "$apic" \
            '.columns[] | select(.apic == $a and .ipiv == false and (.send // "icr") == "icr") | .runs[] | select(.used)
             | select(.metrics["ipi.asm.cycles.median"] > 0) | .metrics["ipi.cycles.median"] / .metrics["ipi.asm.cycles.median"]' "$json" ;;
        paired_avg) jq -r --arg a "$apic" \
            '.columns[] | select(.apic == $a and .ipiv == false and (.send // "icr") == "icr") | .runs[] | select(.used)
             | select(.metrics["ipi.asm.cycles.avg"] > 0) | .metrics["ipi.cycles.avg"] / .metrics["ipi.asm.cycles.avg"]' "$json" ;;
    esac
}

declare -A series
add() { series[$1]+="$2 "; }
declare -A paired
add_all() { local key=$1; shift; paired[$key]+="$* "; }

# The host's 1-minute load average as each round starts and after the last: other work on
# the machine moves every figure, so the figures say how busy it was.
loads=()
load1() { cut -d' ' -f1 /proc/loadavg; }
for ((round = 1; round <= ROUNDS; round++)); do
    loads+=("$(load1)")
    echo "round $round/$ROUNDS (load average ${loads[-1]})" >&2
    out=$(kut x2apic "$round"); read -r k2 k2c <<<"$out"
    halt=$(ours halt "$round")
    out=$(kut xapic "$round"); read -r kx kxc <<<"$out"
    spin=$(ours spin "$round")
    add kut.x2apic "$k2"; add kut_oncpu.x2apic "$k2c"
    add kut.xapic "$kx"; add kut_oncpu.xapic "$kxc"
    for apic in x2apic xapic; do
        add halt.csharp.$apic "$(field "$halt" $apic csharp)"
        add halt.asm.$apic "$(field "$halt" $apic asm)"
        add halt.overhead.$apic "$(field "$halt" $apic overhead)"
        add spin.csharp.$apic "$(field "$spin" $apic csharp)"
        add spin.asm.$apic "$(field "$spin" $apic asm)"
        add spin.overhead.$apic "$(field "$spin" $apic overhead)"
        add_all paired.halt.$apic $(field "$halt" $apic paired)
        add_all paired.spin.$apic $(field "$spin" $apic paired)
        add_all paired_avg.halt.$apic $(field "$halt" $apic paired_avg)
        add_all paired_avg.spin.$apic $(field "$spin" $apic paired_avg)
    done
    [[ $round == 1 ]] && HOST=$(jq -r '.host.where + ", QEMU " + .host.qemuVersion + ", -cpu " + .host.kvmCpuModel' "$halt")
done

# summary NUMBERS...: "median min max" of the numbers.
summary() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.0f %.0f %.0f\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'; }
# ratios A B: per-round A/B.
ratios() { paste <(printf '%s\n' ${series[$1]}) <(printf '%s\n' ${series[$2]}) | awk '$2 > 0 { printf "%.3f\n", $1 / $2 }'; }
ratio_summary() { ratios "$1" "$2" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f %.2f %.2f\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'; }

echo
echo "IPI round trip, cycles: median [min - max] over $ROUNDS interleaved rounds"
echo "host: ${HOST:-?}; date: $(date -u +%F); kvm-unit-tests $KUT_REV; ktest $(git -C "$ROOT" describe --always --dirty --abbrev=7)"
loads+=("$(load1)")
echo "command: tools/kut-ipi-bench.sh $ROUNDS"
echo "load average (1 min) at each round's start, then at the end: ${loads[*]}"
row() {
    read -r m lo hi < <(summary ${series[$2]})
    printf '  %-44s %12s  [%s - %s]\n' "$1" "$(printf "%'d" "$m")" "$(printf "%'d" "$lo")" "$(printf "%'d" "$hi")"
}
rrow() {
    read -r m lo hi < <(ratio_summary "$2" "$3")
    printf '  %-44s %12s  [%s - %s]  target %s\n' "$1" "$m" "$lo" "$hi" "$4"
}
# prow LABEL KEY TARGET WHAT: median [min - max] of the per-boot paired ratios, and how many.
prow() {
    local values=${paired[$2]:-}
    [[ -n ${values// /} ]] || { printf '  %-44s %12s\n' "$1" "no boots"; return; }
    read -r m lo hi n < <(printf '%s\n' $values | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f %.2f %.2f %d\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR], NR }')
    printf '  %-44s %12s  [%s - %s]  target %s (%d boots, %s)\n' "$1" "$m" "$lo" "$hi" "$3" "$n" "$4"
}
for apic in x2apic xapic; do
    echo "$apic:"
    row "kvm-unit-tests ipi (halting AP)" kut.$apic
    row "kvm-unit-tests ipi, on_cpu() alone" kut_oncpu.$apic
    row "ours C#, halted target" halt.csharp.$apic
    row "ours asm, halted target" halt.asm.$apic
    row "ours C#, spinning target" spin.csharp.$apic
    row "ours asm, spinning target" spin.asm.$apic
    row "ours timer overhead (RDTSC pair), halted runs" halt.overhead.$apic
    rrow "C# / kvm-unit-tests, halted" halt.csharp.$apic kut.$apic "<= 1.00"
    rrow "C# / asm, halted" halt.csharp.$apic halt.asm.$apic "<= 1.50"
    rrow "C# / asm, spinning" spin.csharp.$apic spin.asm.$apic "<= 1.05"
    prow "C# / asm, halted, paired per boot" paired_avg.halt.$apic "<= 1.50" "batch averages"
    prow "C# / asm, spinning, paired per boot" paired_avg.spin.$apic "<= 1.05" "batch averages"
    prow "  halted, of the sample medians" paired.halt.$apic "<= 1.50" "each C# sample holds 2 timer calls more"
    prow "  spinning, of the sample medians" paired.spin.$apic "<= 1.05" "as above"
done
echo "per round (logs and JSON: $KUT_DIR/round*):"
for key in $(printf '%s\n' "${!series[@]}" | sort); do printf '  %-24s %s\n' "$key" "${series[$key]}"; done
