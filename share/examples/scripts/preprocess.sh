#!/bin/bash
# preprocess.sh: the first job of the diamond example.  Reads a JSON data
# set {"name": ..., "values": [numbers...]}, checks it, and splits its
# values into as many parts as there are -o files (round robin), each
# written as {"source", "part", "of", "values"}.
#
#   preprocess.sh -i INPUT.json -o PART1.json [-o PART2.json ...]
set -euo pipefail

input= outputs=()
while getopts i:o: opt; do
	case $opt in
	i) input=$OPTARG ;;
	o) outputs+=("$OPTARG") ;;
	*) echo "usage: $0 -i INPUT -o OUTPUT..." >&2; exit 2 ;;
	esac
done
[ -n "$input" ] && [ ${#outputs[@]} -gt 0 ] || { echo "usage: $0 -i INPUT -o OUTPUT..." >&2; exit 2; }

# Refuse data that is not what we expect, with a clear message.
jq -e '(.values | type == "array" and length > 0) and all(.values[]; type == "number")' \
	"$input" >/dev/null || { echo "preprocess: $input: need a non-empty numeric .values" >&2; exit 1; }

n=${#outputs[@]}
for k in "${!outputs[@]}"; do
	jq --argjson k "$k" --argjson n "$n" '{
		source: (.name // "data"),
		part: ($k + 1),
		of: $n,
		values: [.values | to_entries[] | select(.key % $n == $k) | .value]
	}' "$input" >"${outputs[$k]}.tmp"
	mv "${outputs[$k]}.tmp" "${outputs[$k]}"
	echo "preprocess: wrote part $((k + 1)) of $n to ${outputs[$k]} ($(jq '.values | length' "${outputs[$k]}") values)"
done
