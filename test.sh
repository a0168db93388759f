#!/usr/bin/env bash
# The test suite: what CI runs (.ci/run) and what a developer runs.
# It installs what the tests need when it is missing, then vets and tests.
set -euo pipefail
cd "$(dirname "$0")"

if [ -d server ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "test.sh: installing chromium for the page tests" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
if ! command -v cc >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
  echo "test.sh: installing gcc for the race detector (cgo)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gcc >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq gcc >/dev/null; fi
fi

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
go tool staticcheck ./...
# Unchecked errors: none but those errcheck.excludes lists with their reasons.
go tool errcheck -exclude errcheck.excludes ./...
# The page tests write their screenshots here, beside the test output.
export STORYLINE_SCREENSHOTS="${STORYLINE_SCREENSHOTS:-$PWD/test-output/screenshots}"
go test -count=1 -timeout 14m ./...
GOEXPERIMENT=jsonv2 go test -count=1 ./events/... # under this experiment the codec's fast pass is the standard library's JSON v2
CGO_ENABLED=1 go test -race -count=1 ./projections/ ./query/ # questions run at once there (serve's readers); the race detector checks their shared caches
echo "test.sh: page screenshots in $STORYLINE_SCREENSHOTS" >&2
