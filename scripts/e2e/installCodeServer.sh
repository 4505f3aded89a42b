#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release for Node 20)
# into a cache folder outside the extension's dependencies, offline-safe:
# only the npm registry is needed. Idempotent: a finished install is marked by
# a stamp file and skipped. Prints the install folder on its last line.
#
# Needs (Debian): libkrb5-dev (kerberos native build), ripgrep (its binary
# replaces the one @vscode/ripgrep would download), python3, make, g++.
set -euo pipefail
VERSION=4.100.3
RG_PKG_VERSION=1.15.11 # @vscode/ripgrep pinned by code-server 4.100.3's shrinkwrap
CACHE="${MMGRPO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmgrpo-studio}"
DEST="$CACHE/code-server-$VERSION"
STAMP="$DEST/.installed"
if [[ -f "$STAMP" && -x "$DEST/node_modules/.bin/code-server" ]]; then
  echo "$DEST"
  exit 0
fi
for need in rg python3 make g++; do
  command -v "$need" >/dev/null || { echo "code-server install needs '$need': run: apt-get install -y ripgrep python3 make g++ libkrb5-dev" >&2; exit 1; }
done
[[ -e /usr/include/gssapi/gssapi.h || -e /usr/include/krb5.h ]] || { echo "code-server install needs kerberos headers: run: apt-get install -y libkrb5-dev" >&2; exit 1; }

# @vscode/ripgrep's postinstall downloads rg unless it finds this tarball in
# its cache folder under the OS temp dir: hand it Debian's rg.
TMP="${TMPDIR:-/tmp}"
RG_CACHE="$TMP/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$RG_CACHE"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$RG_TAR" ]]; then
  STAGE="$(mktemp -d)"
  cp "$(command -v rg)" "$STAGE/rg"
  tar -C "$STAGE" -czf "$RG_TAR" rg
  rm -rf "$STAGE"
fi

rm -rf "$DEST"
mkdir -p "$DEST"
echo '{"name":"mmgrpo-e2e-code-server","private":true}' > "$DEST/package.json"
# unsafe_perm: its postinstall refuses root otherwise; yes: node-pty's
# postinstall runs `npx node-gyp` and would wait for a prompt. npm 11 holds
# back dependency install scripts, but code-server's postinstall *is* the
# install (it runs a nested npm install of VS Code's native modules, which
# inherits this setting): allowed here, for this one pinned, cache-only package.
echo "installing code-server@$VERSION into $DEST (a few minutes: native builds)" >&2
( cd "$DEST" && npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund --no-save "code-server@$VERSION" >&2 )
[[ -x "$DEST/node_modules/.bin/code-server" ]] || { echo "code-server install finished without a binary in $DEST" >&2; exit 1; }
# The tarball ships VS Code's JS modules; the native ones only exist if the
# postinstall really ran (npm may skip install scripts silently).
VSNM="$DEST/node_modules/code-server/lib/vscode/node_modules"
for built in node-pty/build/Release/pty.node @vscode/ripgrep/bin/rg; do
  [[ -e "$VSNM/$built" ]] || { echo "code-server's postinstall did not build $built (npm skipped install scripts?): see the log above" >&2; exit 1; }
done
touch "$STAMP"
echo "$DEST"
