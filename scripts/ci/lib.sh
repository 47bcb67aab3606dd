# shellcheck shell=bash
# Shared by the shell tests that .ci/run runs (scripts/ci/test-*.sh): assertions that count and
# a closing "N passed, N failed" line, and throw-away git repositories with a risky change.

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  echo "ok: $*"
}
not_ok() {
  failed=$((failed + 1))
  echo "FAILED: $*" >&2
}
# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', expected '$3'"; fi
}
# expect_in WHAT FILE TEXT: FILE contains TEXT.
expect_in() {
  if grep -qF -- "$3" "$2"; then
    ok "$1"
  else
    not_ok "$1: '$3' not in $2:"
    sed 's/^/    /' "$2" >&2
  fi
}
# finish: the closing line; fails the script when anything failed.
finish() {
  echo "$(basename "$0"): ${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
}

# Commits made by the tests carry a fixed identity and ignore the user's git configuration.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com

# new_repo DIR: a repository with `main` (a README), `risky` (opens CORS to every origin) and
# `clean` (a harmless note), both branched from main; `main` is checked out.
new_repo() {
  git init -q -b main "$1"
  (
    cd "$1"
    echo "# app" > README.md
    git add README.md && git commit -qm "first"
    git checkout -qb risky
    mkdir -p server
    printf "app.use(cors({ origin: '*' }));\n" > server/app.js
    git add server && git commit -qm "open cors"
    git checkout -q main && git checkout -qb clean
    echo "plain" > notes.txt
    git add notes.txt && git commit -qm "notes"
    git checkout -q main
  )
}
