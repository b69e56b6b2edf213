# Sourced by the tools/kut-*-bench.sh scripts: kvm-unit-tests' x86/vmexit.flat, cloned and
# built once in a scratch folder outside this repository, and this checkout's runner.
#
#   kut_prepare NAME    (NAME: the calling script, for its error messages)
#
# Reads KUT_DIR (default ${TMPDIR:-/tmp}/ktest-kut), KUT_SOURCE (a git URL or a local
# clone; default the upstream repository) and KUT_COMMIT (checked out if set). Sets ROOT,
# RUNNER, KUT_DIR (absolute), SRC (the kvm-unit-tests tree) and KUT_REV ("hash date").
# Nothing of kvm-unit-tests is ever written inside the repository.
kut_prepare() {
    local name=$1 tool
    ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    RUNNER=$ROOT/build/bin/runner
    KUT_DIR=${KUT_DIR:-${TMPDIR:-/tmp}/ktest-kut}
    KUT_SOURCE=${KUT_SOURCE:-https://gitlab.com/kvm-unit-tests/kvm-unit-tests.git}
    for tool in jq git make gcc timeout; do
        command -v "$tool" >/dev/null || { echo "$name: '$tool' not found: install it (apt-get install $tool)" >&2; exit 2; }
    done
    [[ -x $RUNNER ]] || { echo "$name: $RUNNER not found: run 'make' first" >&2; exit 2; }
    mkdir -p "$KUT_DIR"
    KUT_DIR=$(cd "$KUT_DIR" && pwd)
    case "$KUT_DIR/" in
        "$ROOT"/*) echo "$name: KUT_DIR=$KUT_DIR is inside the repository; choose a scratch folder outside it" >&2; exit 2 ;;
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
            || { echo "$name: building kvm-unit-tests failed; see $KUT_DIR/build.log" >&2; exit 1; }
    fi
}
