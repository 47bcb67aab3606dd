#!/usr/bin/env bash
# The GitHub Action's run step (action.yml runs it; .ci/run tests it): `deploy-guard check` with
# the action's inputs, then the step's outputs. Exits with deploy-guard's own exit code, so the
# step fails when the gate blocks (1) or could not judge the change (2).
#
# Environment (action.yml sets it from the inputs; inputs never reach a shell through ${{ }}):
#   INPUT_ARGS               extra arguments, split on whitespace (no shell quoting)
#   INPUT_CONFIG             --config FILE
#   INPUT_FAIL_ON            --fail-on LEVEL
#   INPUT_SARIF              also write SARIF to this path (relative to the working directory)
#   INPUT_WORKING_DIRECTORY  where to run (default: the workspace)
#   RUNNER_TEMP, GITHUB_OUTPUT as GitHub Actions sets them.
# Outputs: exit-code; verdict (blocked | needs-review | clear, or error when the change could not
# be judged); errors and warnings (unsuppressed findings; empty on error); sarif-file (the SARIF
# report's path from the workspace, empty when none was written).
set -euo pipefail

workdir="${INPUT_WORKING_DIRECTORY:-.}"
if [ ! -d "$workdir" ]; then
  echo "::error title=deploy-guard::working-directory '${workdir}' does not exist" >&2
  printf '%s\n' exit-code=2 verdict=error errors= warnings= sarif-file= >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
  exit 2
fi
report="${RUNNER_TEMP:?RUNNER_TEMP is not set}/deploy-guard-report-$$.json"
rm -f "$report"

args=(check --report "json=${report}")
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "${INPUT_CONFIG}"); fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then args+=(--fail-on "${INPUT_FAIL_ON}"); fi
sarif="${INPUT_SARIF:-}"
if [ -n "$sarif" ]; then
  (cd "$workdir" && mkdir -p "$(dirname "$sarif")")
  args+=(--report "sarif=${sarif}")
fi
read -r -a extra <<< "${INPUT_ARGS:-}"

code=0
# (macOS's bash 3.2 treats an empty array as unset under `set -u`.)
(cd "$workdir" && deploy-guard "${args[@]}" ${extra[@]+"${extra[@]}"}) || code=$?

# The JSON report is printed with two-space indentation: the top-level `verdict` and the
# `summary` counts are the only keys at their depths (findings sit deeper), so no message text
# can be mistaken for them.
verdict=error errors="" warnings=""
if [ "$code" -le 1 ] && [ -s "$report" ]; then
  verdict="$(sed -n 's/^  "verdict": "\([a-z-]*\)",\{0,1\}$/\1/p' "$report")"
  errors="$(sed -n 's/^    "error": \([0-9]*\),\{0,1\}$/\1/p' "$report")"
  warnings="$(sed -n 's/^    "warning": \([0-9]*\),\{0,1\}$/\1/p' "$report")"
fi
rm -f "$report"

sarif_file=""
if [ -n "$sarif" ]; then
  case "$sarif" in
    /*) path="$sarif" ;;
    *) if [ "$workdir" = . ]; then path="$sarif"; else path="${workdir%/}/${sarif}"; fi ;;
  esac
  if [ -f "$path" ]; then sarif_file="$path"; fi
fi

{
  echo "exit-code=${code}"
  echo "verdict=${verdict}"
  echo "errors=${errors}"
  echo "warnings=${warnings}"
  echo "sarif-file=${sarif_file}"
} >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
echo "deploy-guard: verdict ${verdict} (exit ${code})"
exit "$code"
