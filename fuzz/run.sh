#!/usr/bin/env bash
# Coverage-guided fuzzing of routelint's input stages (cargo-fuzz, libFuzzer; nightly):
#
#   fuzz/run.sh [SECONDS] [TARGET ...]     default: 600 seconds each, every target
#
# Seeds each target from fixtures/ (the project's own files: the third-party corpus in
# ../shared is not copied, and a saved corpus grown from it would be derived copies), runs
# it, then keeps a minimised corpus in fuzz/saved/<target> (replayed by `cargo test`,
# tests/fuzz_replay.rs). A crash is written to fuzz/artifacts/<target>/; fix it, and copy
# the input to fuzz/regressions/<target>/ so the replay keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")"
# With --shared first, the targets are also seeded from ../shared/corpus (third-party files,
# when present) to look for crashes; the saved corpus is then left as it is, so nothing derived
# from those files is kept in the project.
shared=0
if [ "${1:-}" = "--shared" ]; then shared=1; shift; fi
secs="${1:-600}"; shift || true
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then targets=(terraform arm arm_expression bicep lsp_frames); fi
root=..

seed() {
  local t="$1" dir="corpus/$1" i=0
  mkdir -p "$dir" "saved/$t"
  case "$t" in
    terraform) for f in "$root"/fixtures/*/terraform/*.tf; do i=$((i+1)); cp "$f" "$dir/f$i.tf"; done
 ;;
    arm) for f in "$root"/fixtures/*/arm/main.json; do i=$((i+1)); cp "$f" "$dir/f$i.json"; done
 ;;
    bicep) for f in "$root"/fixtures/*/arm/main.bicep; do i=$((i+1)); cp "$f" "$dir/f$i.bicep"; done ;;
    arm_expression) python3 - "$dir" <<'PY'
import glob, re, sys
out = sys.argv[1]
seen = set()
for f in glob.glob('../fixtures/*/arm/main.json'):
    for m in re.findall(r'"\[(.*?)\]"', open(f).read()):
        seen.add(m.replace('\\"', '"'))
for i, e in enumerate(sorted(seen)):
    open(f'{out}/e{i}.txt', 'w').write(e)
PY
    ;;
    lsp_frames) printf 'Content-Length: 52\r\n\r\n{"jsonrpc":"2.0","method":"initialized","params":{}}' > "$dir/ok.bin"
                printf 'Content-Length: 7\r\n\r\nnot {}X' > "$dir/bad.bin"
                printf 'Content-Length: 3000000000\r\n\r\n{}' > "$dir/huge.bin" ;;
  esac
}

seed_shared() {
  local t="$1" dir="shared/$1" i=0 c="$root/../shared/corpus"
  rm -rf "$dir"; mkdir -p "$dir"
  [ -d "$c" ] || return 0
  case "$t" in
    terraform) while IFS= read -r f; do i=$((i+1)); cp "$f" "$dir/s$i.tf"; done < <(find "$c" -name '*.tf' -size -64k) ;;
    arm) while IFS= read -r f; do i=$((i+1)); cp "$f" "$dir/s$i.json"; done < <(find "$c" -name '*.json' -size -1024k) ;;
    bicep) while IFS= read -r f; do i=$((i+1)); cp "$f" "$dir/s$i.bicep"; done < <(find "$c" -name '*.bicep') ;;
    arm_expression) python3 - "$dir" "$c" <<'PY'
import pathlib, re, sys
out, c = sys.argv[1], pathlib.Path(sys.argv[2])
seen = set()
for f in c.rglob('*.json'):
    for m in re.findall(r'"\[(.*?)\]"', f.read_text(errors='replace')):
        seen.add(m.replace('\\"', '"'))
for i, e in enumerate(sorted(seen)):
    open(f'{out}/s{i}.txt', 'w').write(e)
PY
    ;;
  esac
}

cargo +nightly fuzz build -O
for t in "${targets[@]}"; do
  seed "$t"
  if [ "$shared" = 1 ]; then
    seed_shared "$t"
    echo "== $t (seeded from fixtures and ../shared/corpus): ${secs}s"
    # New inputs go to a scratch directory: nothing derived from third-party files is kept.
    rm -rf "scratch/$t"; mkdir -p "scratch/$t"
    cargo +nightly fuzz run -O "$t" "scratch/$t" "corpus/$t" "saved/$t" "shared/$t" -- -max_total_time="$secs" -rss_limit_mb=4096 -timeout=20 2>&1 | grep -E '^(#[0-9]+ *DONE|Done|==|SUMMARY|stat::)' || true
    rm -rf "scratch/$t" "shared/$t"
    continue
  fi
  echo "== $t: ${secs}s"
  cargo +nightly fuzz run -O "$t" "corpus/$t" "saved/$t" -- -max_total_time="$secs" -rss_limit_mb=4096 -timeout=20 2>&1 | grep -E '^(#[0-9]+ *DONE|Done|==|SUMMARY|stat::)' || true
  rm -rf "saved/$t.new"; mkdir -p "saved/$t.new"
  cargo +nightly fuzz run -O "$t" "saved/$t.new" "corpus/$t" "saved/$t" -- -merge=1 >/dev/null 2>&1 || true
  # Keep the minimised corpus small enough to commit and replay quickly.
  rm -rf "saved/$t"; mv "saved/$t.new" "saved/$t"
  find "saved/$t" -type f -size +64k -delete
  # ... and keep the 200 smallest inputs (replayed on every `cargo test`).
  ls -S "saved/$t" | head -n -200 | while read -r f; do rm -f "saved/$t/$f"; done
done
