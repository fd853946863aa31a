#!/usr/bin/env bash
# The two speed ratios of attache against plain tantivy on any corpus, in one command:
#
#   bash benches/ratios.sh CORPUS_DIR [ROUNDS] [WORK_DIR]
#
# 1. indexing: `cargo bench --bench index` indexes CORPUS_DIR ROUNDS times per side, sides
#    alternating, each run a fresh child process; ratio = median attache time ÷ median
#    tantivy time (< 1: attache faster).
# 2. search: `cargo bench --bench search` on the two indexes just built, 143 queries of each
#    of 7 classes (1001 searches: top 10, 3 passages with highlights, against tantivy's
#    top 10 + SnippetGenerator), ROUNDS rounds alternating sides; ratio = median over rounds
#    of attache's total time ÷ tantivy's.
#
# ROUNDS defaults to 5. WORK_DIR (default: a temporary directory, removed at the end) keeps
# the indexes. Both benches print every run; this script repeats the two ratios at the end.
# Never asserts on time: read the figures, and compare runs of one machine only.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:?usage: bash benches/ratios.sh CORPUS_DIR [ROUNDS] [WORK_DIR]}"
rounds="${2:-5}"
if [[ -n "${3:-}" ]]; then
  work="$3"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

index_log="$work/index.log"
search_log="$work/search.log"
mkdir -p "$work"
cargo bench --bench index -- "$corpus" --work "$work" --rounds "$rounds" --keep | tee "$index_log"
cargo bench --bench search -- "$work" --queries 143 --rounds "$rounds" | tee "$search_log"

echo
echo "# ratios on $corpus ($rounds rounds; < 1: attache faster)"
awk '$1 == "secs" { printf "indexing time   attache %s s, tantivy %s s, ratio %s\n", $2, $3, $4 }' "$index_log"
grep '^# all queries, time' "$search_log" | sed 's/^# all queries, time/search time   /'
