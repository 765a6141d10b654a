#!/bin/sh
# Fuzz one target with one job for SECONDS (default 600), growing work/<target>/
# (seed it first: see README.md). Run from anywhere:
#
#     xtask/fuzz/run.sh <target> [SECONDS] [extra libFuzzer flags...]
#
# libFuzzer's log, with the final stats, is work/logs/<target>/fuzz-0.log;
# crashes go to artifacts/<target>/.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
target=$1
seconds=${2:-600}
shift; [ $# -gt 0 ] && shift
case $target in
    rst | markdown) max_len=65536 dict=markup.dict ;;
    *) max_len=8192 dict=json.dict ;;
esac
mkdir -p "$fuzz/work/$target" "$fuzz/work/logs/$target"
cd "$fuzz/work/logs/$target"
exec cargo fuzz run --fuzz-dir "$fuzz" --sanitizer none --features libfuzzer "$target" "$fuzz/work/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -jobs=1 -max_len="$max_len" \
    -print_final_stats=1 -dict="$fuzz/dicts/$dict" "$@"
