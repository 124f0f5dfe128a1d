#!/bin/bash
# work.sh: a middle job of the diamond example.  Reads one part written by
# preprocess.sh and writes its statistics: count, sum, min, max, mean, the
# sum of squares, and the values sorted (for the median downstream).
#
#   work.sh -i PART.json -o STATS.json
set -euo pipefail

input= output=
while getopts i:o: opt; do
	case $opt in
	i) input=$OPTARG ;;
	o) output=$OPTARG ;;
	*) echo "usage: $0 -i INPUT -o OUTPUT" >&2; exit 2 ;;
	esac
done
[ -n "$input" ] && [ -n "$output" ] || { echo "usage: $0 -i INPUT -o OUTPUT" >&2; exit 2; }

jq --arg host "$(hostname)" '{
	source, part,
	count: (.values | length),
	sum: (.values | add),
	min: (.values | min),
	max: (.values | max),
	mean: ((.values | add) / (.values | length)),
	sum_of_squares: ([.values[] | . * .] | add),
	sorted: (.values | sort),
	job: {name: env.TORC_JOB_NAME, id: (env.TORC_JOB_ID | tonumber? // null), host: $host}
}' "$input" >"$output.tmp"
mv "$output.tmp" "$output"
echo "work: part $(jq .part "$output"): $(jq -c '{count, sum, min, max}' "$output")"
