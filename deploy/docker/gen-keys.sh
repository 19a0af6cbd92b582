#!/usr/bin/env bash
# Generate the keys every accreditd of one cluster must share:
#   master.key         32 random bytes wrapping the per-person data keys
#                      (ACCREDIT_MASTER_KEY_FILE); lose it and all personal
#                      data is lost for good
#   audit-ed25519.pem  the Ed25519 seed signing audit checkpoints
#                      (ACCREDIT_SIGNING_KEY_FILE), in accreditd's own PEM type
#   credentials/key-<time>.pem
#                      the first Ed25519 key signing award credentials
#                      (ACCREDIT_CREDENTIAL_KEY_DIR is the directory); made
#                      only while the directory holds no key. Later keys come
#                      from `accredit credential rotate-key --key-dir DIR`;
#                      never delete an old one (what it signed stops verifying)
# Usage: gen-keys.sh [DIR]   (default: ./secrets next to this script)
# Existing files are never overwritten. Back both up, apart from the data.
set -euo pipefail
dir=${1:-"$(cd "$(dirname "$0")" && pwd)/secrets"}
umask 077
mkdir -p "$dir"
if [[ ! -e $dir/master.key ]]; then
  head -c 32 /dev/urandom >"$dir/master.key"
  echo "wrote $dir/master.key"
fi
if [[ ! -e $dir/audit-ed25519.pem ]]; then
  {
    echo "-----BEGIN ACCREDIT ED25519 PRIVATE KEY-----"
    head -c 32 /dev/urandom | base64
    echo "-----END ACCREDIT ED25519 PRIVATE KEY-----"
  } >"$dir/audit-ed25519.pem"
  echo "wrote $dir/audit-ed25519.pem"
fi
mkdir -p "$dir/credentials"
if ! compgen -G "$dir/credentials/key-*.pem" >/dev/null; then
  # The name is the key's id in the DID document: its time, as accreditd names
  # the keys it makes (key-20060102T150405.000Z), so that the newest sorts last.
  key="$dir/credentials/key-$(date -u +%Y%m%dT%H%M%S).000Z.pem"
  {
    echo "-----BEGIN ACCREDIT ED25519 PRIVATE KEY-----"
    head -c 32 /dev/urandom | base64
    echo "-----END ACCREDIT ED25519 PRIVATE KEY-----"
  } >"$key.tmp"
  mv "$key.tmp" "$key"
  echo "wrote $key"
fi
# Compose bind-mounts secret files as they are (mode and owner): on Linux the
# image's user 65532 must be able to read them.
cat >&2 <<NOTE
For docker compose on Linux, let the container user read the keys:
  sudo chown -R 65532:65532 $dir/master.key $dir/audit-ed25519.pem $dir/credentials
NOTE
