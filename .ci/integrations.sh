#!/usr/bin/env bash
# Checks routelint against the real clients it integrates with. Installs, from the package
# registries: Graphviz (Debian), the SARIF Multitool (npm), pre-commit (PyPI) and Neovim
# (Debian, for the LSP check when `routelint lsp` exists). Skips nothing silently: a missing
# tool is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/target/debug/routelint"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cargo build --locked --quiet

echo "== installing: graphviz neovim (apt), @microsoft/sarif-multitool-linux (npm), pre-commit (pip)"
if ! command -v dot >/dev/null || ! command -v nvim >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq graphviz neovim >/dev/null
fi
( cd "$WORK" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool-linux@5 >/dev/null )
python3 -m pip install --quiet --disable-pip-version-check pre-commit

echo "== Graphviz renders the DOT graph"
"$BIN" graph fixtures/onprem-return-propagation-on/terraform --format dot > "$WORK/g.dot"
dot -Tpng "$WORK/g.dot" -o "$WORK/g.png"
test "$(head -c 8 "$WORK/g.png" | od -An -c | tr -d ' ')" = "211PNG\r\n032\n"
echo "ok: $(wc -c < "$WORK/g.png") bytes of PNG"

echo "== SARIF Multitool validates the SARIF output"
"$BIN" check fixtures/spoke-to-spoke-direct-peering/terraform fixtures/onprem-return-propagation-on/arm \
  --format sarif --output "$WORK/out.sarif" --exit-zero
MT="$WORK/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
chmod +x "$MT" 2>/dev/null || true
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$MT" validate "$WORK/out.sarif" -o "$WORK/validation.sarif" >/dev/null || true
python3 - "$WORK/validation.sarif" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
results = [r for run in v.get("runs", []) for r in run.get("results", [])]
errors = [r for r in results if r.get("level") == "error" or str(r.get("ruleId", "")).startswith("JSON")]
for r in results:
    print(f"  {r.get('level') or 'warning':8} {r.get('ruleId')}: {r.get('message')}")
if errors:
    sys.exit(f"SARIF validation: {len(errors)} error(s)")
print(f"ok: SARIF valid ({len(results)} warning/note result(s) from the authoring rules)")
PY

echo "== pre-commit runs the hook from this checkout"
REPO="$PWD"
cd "$WORK" && mkdir precommit && cd precommit && git init -q
cp -r "$REPO/fixtures/onprem-return-propagation-on/terraform" broken
cp -r "$REPO/fixtures/hub-spoke-ok/terraform" fixed
rev="$(git -C "$REPO" rev-parse HEAD)"
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $REPO
    rev: $rev
    hooks:
      - id: routelint
YAML
git add -A >/dev/null
set +e
pre-commit run --all-files > "$WORK/pc-broken.txt" 2>&1
rc=$?
set -e
cat "$WORK/pc-broken.txt" | tail -5
test $rc -ne 0 || { echo "pre-commit should fail on the broken fixture"; exit 1; }
grep -q "broken/spokes.tf:35:1: RL001" "$WORK/pc-broken.txt" || { echo "finding missing"; exit 1; }
# A failure shows the flow and the fix, not one terse line.
grep -q "^    return:  vnet-spoke1/snet-workload \[gateway route 192.168.0.0/16\]" "$WORK/pc-broken.txt" || { echo "the flow is missing"; exit 1; }
grep -q "^    fix: set \`bgp_route_propagation_enabled = false\`" "$WORK/pc-broken.txt" || { echo "the fix is missing"; exit 1; }
git rm -rqf broken
pre-commit run --all-files > "$WORK/pc-fixed.txt" 2>&1 || { cat "$WORK/pc-fixed.txt"; echo "pre-commit should pass on the fixed fixture"; exit 1; }
echo "ok: pre-commit fails on the broken fixture with RL001 and passes on the fixed one"
cd "$REPO"

if "$BIN" lsp --help >/dev/null 2>&1; then
  echo "== Neovim's built-in LSP client receives diagnostics"
  bash .ci/nvim-lsp.sh "$BIN"
fi
echo "integrations: all checks passed"
