#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test layer:
#   1. build/      RelWithDebInfo: unit + operation tests (ctest)
#   2. build-asan/ AddressSanitizer + UBSan: unit and operation tests (ctest -L unit|ops)
#   3. tests/e2e/run.sh build/dynalocal: the real binary driven by boto3,
#      the AWS CLI and the JS SDK v3
#   4. tests/crash/crash_test.py: kill -9 during concurrent writes, restart,
#      check every acknowledged write and the indexes
#   5. the libFuzzer targets, bounded
#   6. docker/smoke-test.sh: the Docker image built and run with podman
# Ends with one line "N passed, M failed" summed over all stages and exits
# non-zero if anything failed (a stage that could not run counts as a failure).
#
# DYNALOCAL_JOBS (default 2) sets the build and ctest parallelism;
# DYNALOCAL_BUILD_DIR and DYNALOCAL_ASAN_BUILD_DIR move the two build trees.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$DYNALOCAL_ROOT"

started=$SECONDS
jobs="${DYNALOCAL_JOBS:-2}"
build="${DYNALOCAL_BUILD_DIR:-build}"
build_asan="${DYNALOCAL_ASAN_BUILD_DIR:-build-asan}"
build_fuzz="${DYNALOCAL_FUZZ_BUILD_DIR:-build-fuzz}"
total_passed=0
total_failed=0
logdir="$(mktemp -d "${TMPDIR:-/tmp}/dynalocal-test.XXXXXX")"
trap 'rm -rf "$logdir"' EXIT

stage() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }

# A stage that could not produce counts (build broken, runner crashed).
count_broken() {
  echo "!!! $1"
  total_failed=$((total_failed + 1))
}

# Runs ctest with the given arguments in build dir $1 and adds its counts.
run_ctest() {
  local dir="$1" name="$2" log="$logdir/$2.log" rc=0 line
  shift 2
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@") 2>&1 | tee "$log" || rc=$?
  # ctest: "100% tests passed, 0 tests failed out of 42" (or "No tests were found").
  line="$(grep -oE '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n1 || true)"
  if [[ -n "$line" ]]; then
    local failed total
    read -r failed _ _ _ _ total <<<"$line"
    total_passed=$((total_passed + total - failed))
    total_failed=$((total_failed + failed))
    if ((rc != 0 && failed == 0)); then count_broken "$name: ctest exited $rc"; fi
  elif grep -q 'No tests were found' "$log" && ((rc == 0)); then
    echo "--- $name: no tests yet"
  else
    count_broken "$name: ctest exited $rc without a summary"
  fi
}

stage "dependencies"
scripts/deps.sh all

stage "clang-format (Google style) on every C++ file"
unformatted=()
while IFS= read -r file; do
  clang-format --dry-run --Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done < <(git ls-files '*.cc' '*.h' 2>/dev/null || find core storage expressions server tests bench -name '*.cc' -o -name '*.h')
if ((${#unformatted[@]} == 0)); then
  echo "format: 1 passed, 0 failed"
  total_passed=$((total_passed + 1))
else
  count_broken "format: not clang-formatted: ${unformatted[*]}"
fi

stage "build (RelWithDebInfo) in $build/"
build_ok=1
if ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYNALOCAL_TESTS=ON &&
       cmake --build "$build" -j "$jobs"; }; then
  build_ok=0
  count_broken "$build/ failed to build"
fi

if ((build_ok)); then
  stage "unit + operation tests ($build/)"
  run_ctest "$build" ctest
fi

stage "sanitizer build (ASan + UBSan, unit and operation tests) in $build_asan/"
if cmake -S . -B "$build_asan" -DCMAKE_BUILD_TYPE=Debug -DDYNALOCAL_SANITIZE=ON \
         -DDYNALOCAL_TESTS=ON >/dev/null; then
  # Only the test binaries: the asan tree exists to run them. The operation
  # tests drive the whole server (router, ops, storage) through its API.
  mapfile -t unit_targets < <(cmake --build "$build_asan" --target help |
                              grep -oE '\b(unit_[A-Za-z0-9_]+|ops_tests)\b' | sort -u)
  if ((${#unit_targets[@]} == 0)); then
    echo "--- no unit test targets yet"
  elif cmake --build "$build_asan" -j "$jobs" --target "${unit_targets[@]}"; then
    stage "unit and operation tests under sanitizers ($build_asan/)"
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
      run_ctest "$build_asan" ctest-asan -L 'unit|ops'
  else
    count_broken "$build_asan/ failed to build ${unit_targets[*]}"
  fi
else
  count_broken "$build_asan/ failed to configure"
fi

if ((build_ok)); then
  stage "end-to-end tests (tests/e2e/run.sh $build/dynalocal)"
  e2e_log="$logdir/e2e.log"
  e2e_rc=0
  tests/e2e/run.sh "$build/dynalocal" 2>&1 | tee "$e2e_log" || e2e_rc=$?
  # run.sh ends with "e2e: N passed, M failed".
  line="$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$e2e_log" | tail -n1 || true)"
  if [[ -n "$line" ]]; then
    read -r _ p _ f _ <<<"$line"
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    if ((e2e_rc != 0 && f == 0)); then count_broken "e2e: run.sh exited $e2e_rc"; fi
  else
    count_broken "e2e: run.sh exited $e2e_rc without a summary"
  fi
else
  count_broken "e2e: skipped, $build/dynalocal did not build"
fi

# Sums a "NAME: N passed, M failed" line from log $2 into the totals; $1 is
# the stage's exit code, $3 its name.
add_counts() {
  local rc="$1" log="$2" name="$3" line p f
  line="$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n1 || true)"
  if [[ -n "$line" ]]; then
    read -r _ p _ f _ <<<"$line"
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    if ((rc != 0 && f == 0)); then count_broken "$name: exited $rc"; fi
  else
    count_broken "$name: exited $rc without a summary"
  fi
}

if ((build_ok)); then
  stage "crash test (kill -9 during concurrent writes; tests/crash/crash_test.py)"
  crash_rc=0
  timeout --kill-after=10 300 python3 tests/crash/crash_test.py "$build/dynalocal" 2>&1 |
    tee "$logdir/crash.log" || crash_rc=$?
  add_counts "$crash_rc" "$logdir/crash.log" crash
else
  count_broken "crash: skipped, $build/dynalocal did not build"
fi

# The container image is built in the background while the fuzzers build
# and run: its slow parts (installing podman, debootstrap, apt-get in the
# build stage) wait on the network, not the CPU, and the fuzzers are not
# timing-sensitive. Its smoke test runs after them.
docker_build_pid=""
if [[ "${DYNALOCAL_SKIP_DOCKER:-0}" != 1 ]]; then
  stage "Docker image: building in the background (docker/build-local.sh)"
  docker/build-local.sh >"$logdir/docker-build.log" 2>&1 &
  docker_build_pid=$!
fi

# The fuzzers: bounded runs over the committed seed corpora; any crash,
# leak, hang or 500 fails them. expression_fuzzer drives the expression
# parsers (DYNALOCAL_FUZZ_SECONDS, default 60); request_fuzzer sends whole
# request bodies to every operation through the router (half that time);
# auth_fuzzer sends hostile request lines, headers and signatures to SigV4
# verification (a quarter).
fuzz_seconds="${DYNALOCAL_FUZZ_SECONDS:-60}"
stage "fuzzers (libFuzzer) in $build_fuzz/"
if cmake -S . -B "$build_fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DCMAKE_CXX_COMPILER=clang++ -DDYNALOCAL_FUZZ=ON -DDYNALOCAL_TESTS=OFF >/dev/null &&
   cmake --build "$build_fuzz" -j "$jobs" --target expression_fuzzer request_fuzzer auth_fuzzer; then
  for fuzzer in expression request auth; do
    seconds=$fuzz_seconds
    [[ $fuzzer == request ]] && seconds=$((fuzz_seconds / 2))
    [[ $fuzzer == auth ]] && seconds=$((fuzz_seconds / 4))
    fuzz_corpus="$logdir/fuzz-corpus-$fuzzer"
    mkdir -p "$fuzz_corpus"
    if "$build_fuzz/${fuzzer}_fuzzer" -max_total_time="$seconds" \
         -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
         "$fuzz_corpus" "tests/fuzz/corpus/$fuzzer" >"$logdir/fuzz-$fuzzer.log" 2>&1; then
      grep -E '^Done' "$logdir/fuzz-$fuzzer.log" || true
      echo "fuzz-$fuzzer: 1 passed, 0 failed"
      total_passed=$((total_passed + 1))
    else
      tail -n 40 "$logdir/fuzz-$fuzzer.log"
      count_broken "fuzz: ${fuzzer}_fuzzer found a problem (log above)"
    fi
  done
else
  count_broken "fuzz: $build_fuzz/ failed to build"
fi

# The container image, as users get it: docker/Dockerfile built with podman
# (a Debian base made with debootstrap, since no registry is reachable), run,
# and driven through its published port. DYNALOCAL_SKIP_DOCKER=1 skips it
# locally; CI always runs it.
if [[ "${DYNALOCAL_SKIP_DOCKER:-0}" == 1 ]]; then
  stage "Docker image: skipped (DYNALOCAL_SKIP_DOCKER=1)"
else
  stage "Docker image: smoke test (docker/smoke-test.sh)"
  docker_rc=0
  if ! wait "$docker_build_pid"; then
    tail -n 60 "$logdir/docker-build.log"
    docker_rc=1
    echo "FAIL  docker/build-local.sh could not build the image (log above)" |
      tee "$logdir/docker.log"
  else
    grep -E '^==> built' "$logdir/docker-build.log" || true
    DYNALOCAL_SMOKE_NO_BUILD=1 docker/smoke-test.sh 2>&1 | tee "$logdir/docker.log" ||
      docker_rc=$?
  fi
  docker_passed="$(grep -c '^PASS' "$logdir/docker.log" || true)"
  docker_failed="$(grep -c '^FAIL' "$logdir/docker.log" || true)"
  total_passed=$((total_passed + docker_passed))
  total_failed=$((total_failed + docker_failed))
  if ((docker_rc != 0 && docker_failed == 0)); then
    count_broken "docker: smoke-test.sh exited $docker_rc"
  elif ((docker_passed == 0 && docker_failed == 0)); then
    count_broken "docker: no checks ran"
  fi
fi

echo
echo "all stages took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
echo "${total_passed} passed, ${total_failed} failed"
((total_failed == 0))
