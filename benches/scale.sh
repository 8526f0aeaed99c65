#!/usr/bin/env bash
# Whole-process scale table: generated estates (benches/estate_gen.rs: a hub, N spokes of 4
# subnets, K=3 seeded faults of each seed case, fewer below 12 spokes) in Terraform and ARM; `routelint check` wall
# time (median of 3) and peak RSS, whether the findings are exactly the expected ones; and
# checkov on the same Terraform estates (when it is installed, or with --checkov to install
# it in a virtual environment) with the ratio.
#
#   benches/scale.sh [--checkov] [N ...]        (default N: 10 100 1000 2000 5000)
#   benches/scale.sh --smoke                    (CI: N=50 both forms, findings must match)
#
# Needs GNU time (/usr/bin/time) for RSS; prints one Markdown table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

checkov=""
smoke=0
sizes=()
for a in "$@"; do
  case "$a" in
    --checkov) checkov=install ;;
    --smoke) smoke=1 ;;
    *) sizes+=("$a") ;;
  esac
done
if [ "$smoke" = 1 ]; then sizes=(50); fi
if [ "${#sizes[@]}" = 0 ]; then sizes=(10 100 1000 2000 5000); fi

cargo build --release --locked --quiet --bin routelint --example estate-gen
bin="$root/target/release/routelint"
gen="$root/target/release/examples/estate-gen"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "$checkov" = install ]; then
  python3 -m venv "$work/venv" >/dev/null
  "$work/venv/bin/pip" install --quiet checkov >/dev/null
  checkov="$work/venv/bin/checkov"
elif command -v checkov >/dev/null 2>&1; then
  checkov="$(command -v checkov)"
fi

have_time=0
if [ -x /usr/bin/time ]; then have_time=1; fi

# median of three runs of "$@" (seconds); the peak RSS (MB) of the last run goes to $work/rss.
measure() {
  local t=() i s e
  for i in 1 2 3; do
    s=$(date +%s.%N)
    if [ "$have_time" = 1 ]; then
      /usr/bin/time -f "%M" -o "$work/time" "$@" >/dev/null 2>&1 || true
      rss=$(( $(tail -n 1 "$work/time") / 1024 ))
    else
      "$@" >/dev/null 2>&1 || true
      rss="?"
    fi
    e=$(date +%s.%N)
    t+=("$(printf '%.3f' "$(echo "scale=3; ($e - $s) / 1" | bc)")")
  done
  echo "$rss" > "$work/rss"
  printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

echo "machine: $(nproc) cores, $(uname -m), $(rustc --version)"
echo
echo "| form | spokes | files | MB | expected | findings right? | wall s | RSS MB | checkov s | checkov / routelint |"
echo "|---|---|---|---|---|---|---|---|---|---|"
fail=0
for form in terraform arm; do
  for n in "${sizes[@]}"; do
    dir="$work/$form-$n"
    k=$(( n / 4 < 3 ? n / 4 : 3 ))
    expected="$("$gen" --spokes "$n" --faults "$k" --form "$form" --out "$dir" | sed -n 's/^expected findings: \([0-9]*\).*/\1/p')"
    files=$(find "$dir" -type f | wc -l)
    mb=$(du -sm "$dir" | cut -f1)
    got=$("$bin" check "$dir" --format concise 2>/dev/null | grep -c ': RL0' || true)
    right=yes
    if [ "$got" != "$expected" ]; then right="NO ($got)"; fail=1; fi
    wall=$(measure "$bin" check "$dir" --format concise)
    rss=$(cat "$work/rss")
    ck="-"; ratio="-"
    if [ -n "$checkov" ] && [ "$form" = terraform ] && { [ "$n" = 10 ] || [ "$n" = 100 ] || [ "$n" = 1000 ]; }; then
      ck=$(measure "$checkov" -d "$dir" --framework terraform --quiet --compact)
      ratio=$(echo "scale=0; $ck / $wall" | bc 2>/dev/null || echo "?")
      ratio="${ratio}x"
    fi
    echo "| $form | $n | $files | $mb | $expected | $right | $wall | $rss | $ck | $ratio |"
  done
done
exit $fail
