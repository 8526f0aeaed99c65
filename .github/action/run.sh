#!/usr/bin/env bash
# Runs routelint for the GitHub Action: one run writes the annotations (standard output,
# `--format github`) and, if asked, the SARIF file; the step exits with that run's code.
#
# Inputs come as environment variables and are never evaluated by the shell: RL_BIN (the
# binary), INPUT_PATH (paths, one per line; a path may contain spaces), INPUT_ARGS (extra
# arguments, split on whitespace, no quoting, globbing or substitution), INPUT_SARIF,
# INPUT_FAIL_ON.
set -euo pipefail
bin="${RL_BIN:?}"
paths=()
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && paths+=("$line")
done <<< "${INPUT_PATH:-.}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
args=()
if [ -n "${INPUT_ARGS:-}" ]; then
  set -f
  read -r -a args <<< "$INPUT_ARGS"
  set +f
fi
cmd=("$bin" check --format github --fail-on "${INPUT_FAIL_ON:-error}")
if [ -n "${INPUT_SARIF:-}" ]; then cmd+=(--sarif "$INPUT_SARIF"); fi
cmd+=(${args[@]+"${args[@]}"} -- "${paths[@]}")
exec "${cmd[@]}"
