#!/usr/bin/env bash
# Generate the keys every accreditd of one cluster must share:
#   master.key         32 random bytes wrapping the per-person data keys
#                      (ACCREDIT_MASTER_KEY_FILE); lose it and all personal
#                      data is lost for good
#   audit-ed25519.pem  the Ed25519 seed signing audit checkpoints
#                      (ACCREDIT_SIGNING_KEY_FILE), in accreditd's own PEM type
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
# Compose bind-mounts secret files as they are (mode and owner): on Linux the
# image's user 65532 must be able to read them.
cat >&2 <<NOTE
For docker compose on Linux, let the container user read the keys:
  sudo chown 65532:65532 $dir/master.key $dir/audit-ed25519.pem
NOTE
