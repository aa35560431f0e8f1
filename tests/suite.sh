#!/usr/bin/env bash
# `make test`: the whole suite as the user running it. As root (CI), the suite runs as an
# unprivileged user, as developers run it: the venv only readable, the server binaries in that
# user's home, the scratch server as that user; then, as root, the tests that need root and the
# scratch-server suite (as root, the server runs as postgres/nobody).
#   tests/suite.sh MAJOR...     (the extra server majors the suite exercises)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PYTEST=("$BIN/python" -m pytest -q)

if [ "$(id -u)" != 0 ] || [ "${DUMPCHECK_TEST_AS_ROOT:-}" = 1 ]; then
    exec "${PYTEST[@]}"
fi

user=${DUMPCHECK_TEST_USER:-dumpcheck-test}
if ! id -u "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/sh "$user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
# The oracle's node packages live in the checkout: installed here, only read by the user.
"$BIN/python" -c 'from tests.expect.oracle import ensure_engine; ensure_engine()'

# The venv's interpreter may live where only root can go (pyenv under /root): let the user
# pass through (o+x, never read) every directory on the way to it and to the checkout, for
# this run only.
restore=()
for target in "$(readlink -f "$BIN/python")" "$PWD/$BIN/python"; do
    dir=$(dirname "$target")
    while [ "$dir" != / ]; do
        if [ "$(stat -c %A "$dir" | cut -c10)" != x ] && [ "$(stat -c %A "$dir" | cut -c10)" != t ]; then
            restore+=("$(stat -c %a "$dir"):$dir")
            chmod o+x "$dir"
        fi
        dir=$(dirname "$dir")
    done
done
undo() {
    for entry in "${restore[@]}"; do chmod "${entry%%:*}" "${entry#*:}"; done
}
trap undo EXIT

as_user() {
    # The user's own HOME (its binaries cache, npm cache); nothing of root's in the way.
    runuser -u "$user" -- env -u XDG_CACHE_HOME HOME="$home" USER="$user" LOGNAME="$user" \
        HYPOTHESIS_STORAGE_DIRECTORY="$home/.hypothesis" "$@"
}
for major in "$@"; do
    as_user "$BIN/dumpcheck" postgres install "$major" >/dev/null
done
as_user "$BIN/dumpcheck" postgres list >/dev/null  # the bundled major, into the user's cache

code=0
echo "== the suite as $user (not root) =="
as_user "${PYTEST[@]}" -p no:cacheprovider -m "not root" || code=$?
echo "== as root: the tests that need root, and the scratch server run as another user =="
"${PYTEST[@]}" -m "root or not root" tests/scratch tests/restore/test_restore_disk_full.py \
    tests/e2e/test_demo.py || code=$?
exit "$code"
