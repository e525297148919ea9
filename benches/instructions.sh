#!/bin/sh
# Instructions per (customer, offer) pair on the shared workload, for both paths and for the
# explained one written as JSON, counted by
# callgrind over `customer_loop` of benches/decide_once.rs (so loading the rules and parsing
# the records are not counted; turning each record into a context is).
# Usage: benches/instructions.sh [customers for decide-only] [customers for decide+explain and JSON]
set -eu
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
bin=$(cargo bench --bench decide_once --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*decide_once[^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "no decide_once binary (target: $target)" >&2; exit 1; }
count() {
    out=$(mktemp)
    valgrind --tool=callgrind --toggle-collect='*customer_loop*' --callgrind-out-file="$out" \
        "$bin" "$1" "$2" >/dev/null 2>&1
    total=$(sed -n 's/^summary: *//p' "$out")
    rm -f "$out"
    echo "$1: $total instructions for $2 customers x 200 offers = $((total / ($2 * 200))) per pair"
}
count statuses "${1:-10000}"
count decide "${2:-500}"
count json "${2:-500}"
