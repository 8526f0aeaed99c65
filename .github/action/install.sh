#!/usr/bin/env bash
# Installs routelint for the GitHub Action: the prebuilt release binary for the runner's OS
# and architecture, its SHA-256 checked against the release's checksum file; if there is no
# such release (an untagged ref) or anything fails, `cargo install --locked` from the
# action's own source (the action caches its result).
#
# Inputs (environment, never pasted into the script): RL_VERSION (default: the version in the
# action's Cargo.toml), RL_DEST (install root), RUNNER_OS, RUNNER_ARCH, GITHUB_ACTION_PATH;
# RL_RELEASES (default: the project's GitHub releases) for tests. Prints the binary's path
# as the last line of standard output.
set -euo pipefail

src="${GITHUB_ACTION_PATH:?}"
dest="${RL_DEST:?}"
releases="${RL_RELEASES:-https://github.com/routelint/routelint/releases/download}"
version="${RL_VERSION:-}"
if [ -z "$version" ]; then
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$src/Cargo.toml" | head -n 1)"
fi

target=""
case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
  Linux-X64) target=x86_64-unknown-linux-musl ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
esac
exe=routelint
if [ "${RUNNER_OS:-}" = Windows ]; then exe=routelint.exe; fi
mkdir -p "$dest/bin"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

prebuilt() {
  [ -n "$target" ] || { echo "routelint: no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}" >&2; return 1; }
  local tmp archive url want got
  tmp="$(mktemp -d)"
  archive="routelint-$target.tar.gz"
  url="$releases/v$version/$archive"
  curl -fsSL --retry 3 -o "$tmp/$archive" "$url" || { echo "routelint: no release binary at $url" >&2; return 1; }
  curl -fsSL --retry 3 -o "$tmp/$archive.sha256" "$url.sha256" || { echo "routelint: no checksum at $url.sha256" >&2; return 1; }
  want="$(cut -d' ' -f1 < "$tmp/$archive.sha256" | tr -d '[:space:]')"
  got="$(sha256 "$tmp/$archive")"
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    echo "routelint: checksum mismatch for $archive (expected $want, got $got)" >&2
    return 1
  fi
  tar -xzf "$tmp/$archive" -C "$tmp"
  install -m 0755 "$tmp/$exe" "$dest/bin/$exe"
  rm -rf "$tmp"
}

if [ -x "$dest/bin/$exe" ] && "$dest/bin/$exe" --version 2>/dev/null | grep -qF "$version"; then
  echo "routelint: $version already installed (cache)" >&2
elif prebuilt; then
  echo "routelint: installed the $version release binary for $target" >&2
else
  echo "routelint: building $version with cargo install --locked" >&2
  cargo install --locked --path "$src" --root "$dest"
fi
echo "$dest/bin/$exe"
