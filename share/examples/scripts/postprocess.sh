#!/bin/bash
# postprocess.sh: the last job of the diamond example.  Merges the
# statistics of every -i file into a report: count, sum, min, max, mean,
# population standard deviation, median, and a SHA-256 of the merged sorted
# values (so a rerun can be checked for identical results).
#
#   postprocess.sh -i STATS1.json [-i STATS2.json ...] -o REPORT.json
set -euo pipefail

inputs=() output=
while getopts i:o: opt; do
	case $opt in
	i) inputs+=("$OPTARG") ;;
	o) output=$OPTARG ;;
	*) echo "usage: $0 -i INPUT... -o OUTPUT" >&2; exit 2 ;;
	esac
done
[ ${#inputs[@]} -gt 0 ] && [ -n "$output" ] || { echo "usage: $0 -i INPUT... -o OUTPUT" >&2; exit 2; }

digest=$(jq -s -c '[.[].sorted[]] | sort' "${inputs[@]}" | sha256sum | cut -d' ' -f1)
jq -s --arg digest "$digest" '
	([.[].sorted[]] | sort) as $all
	| ($all | length) as $n
	| ([.[].sum] | add) as $sum
	| ([.[].sum_of_squares] | add) as $sq
	| {
		source: .[0].source,
		parts: length,
		count: $n,
		sum: $sum,
		min: ([.[].min] | min),
		max: ([.[].max] | max),
		mean: ($sum / $n),
		stddev: ((($sq / $n) - (($sum / $n) * ($sum / $n))) | if . < 0 then 0 else sqrt end),
		median: (if $n % 2 == 1 then $all[($n - 1) / 2] else ($all[$n / 2 - 1] + $all[$n / 2]) / 2 end),
		sha256_of_sorted_values: $digest
	}' "${inputs[@]}" >"$output.tmp"
mv "$output.tmp" "$output"
echo "postprocess: $(jq -c '{count, mean, median, stddev}' "$output") -> $output"
