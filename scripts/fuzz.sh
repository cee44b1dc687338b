#!/usr/bin/env bash
# Coverage-guided fuzzing of Pukeko's parsers with SharpFuzz and AFL++ (issue 15).
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Targets (default: all): packet config command class leasefile. Each runs for the given time (default 60 s) from
# its seed corpus in fuzz/corpus/<target>, one target at a time (one afl-fuzz process, one core). Everything runs in
# a temporary directory that is removed at the end; inputs that crashed or hung are copied to
# artifacts/fuzz-findings/<target>/ first, with the command that replays them.
#
# Output: a report per target, then one machine-readable line per target:
#   FUZZ target=<name> result=<pass|fail> execs=<n> execs_per_sec=<n> crashes=<n> hangs=<n> corpus=<n> seconds=<n>
# Exit status: 0 when no target found a crash or hang, 1 when one did, 2 when fuzzing could not run.
#
# Environment: PUKEKO_FUZZ_TIMEOUT_MS (per input before it counts as a hang, default 2000),
#              PUKEKO_FUZZ_EXECS (stop a target after this many inputs instead of, or before, the time limit).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
all_targets=(packet config command class leasefile)
seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=("${all_targets[@]}")
fi

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
    echo "usage: scripts/fuzz.sh [seconds-per-target] [target...]" >&2
    exit 2
fi

for t in "${targets[@]}"; do
    if [[ ! -d "$root/fuzz/corpus/$t" ]]; then
        echo "fuzz.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
        exit 2
    fi
done

if ! command -v afl-fuzz >/dev/null; then
    # Debian/Ubuntu package; only attempted when we may install packages.
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "fuzz.sh: installing afl++" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q afl++ >/dev/null
    else
        echo "fuzz.sh: afl-fuzz not found; install AFL++ (Debian: apt-get install afl++)" >&2
        exit 2
    fi
fi

work="$(mktemp -d -t pukeko-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT

cd "$root"
echo "fuzz.sh: building fuzz/Pukeko.Fuzz into $work/bin" >&2
dotnet tool restore >/dev/null
dotnet build fuzz/Pukeko.Fuzz -c Release -nologo -v q -o "$work/bin" >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    exit 2
}

# Only our assemblies get coverage probes: the fuzzer should steer by Pukeko's branches, not by the runtime's.
for assembly in Pukeko.Protocol.dll Pukeko.Server.dll; do
    dotnet tool run sharpfuzz "$work/bin/$assembly" >"$work/instrument.log" 2>&1 || {
        cat "$work/instrument.log" >&2
        exit 2
    }
done

# Containers and shared build machines: no CPU governor control, no core dump pattern, no core of our own.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1
export AFL_NO_UI=1 AFL_QUIET=1 AFL_FAST_CAL=1
# The targets write their scratch files (the lease file each input becomes, include targets) under TMPDIR. In memory
# when /dev/shm is there: the lease file target writes a file per input and is disk-bound otherwise.
scratch="$(mktemp -d -p /dev/shm pukeko-fuzz.XXXXXX 2>/dev/null || mktemp -d -p "$work" scratch.XXXXXX)"
trap 'rm -rf "$work" "$scratch"' EXIT
export TMPDIR="$scratch"

timeout_ms="${PUKEKO_FUZZ_TIMEOUT_MS:-2000}"
max_execs="${PUKEKO_FUZZ_EXECS:-}"
failed=0
summary=()

stat_of() { # stat_of <fuzzer_stats file> <key>
    awk -F: -v k="$2" '{ gsub(/ /, "", $1) } $1 == k { gsub(/ /, "", $2); print $2 }' "$1" 2>/dev/null | head -1
}

count_findings() { # count_findings <dir>
    find "$1" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l | tr -d ' '
}

for t in "${targets[@]}"; do
    out="$work/out-$t"
    dict=()
    if [[ -f "fuzz/dict/$t.dict" ]]; then
        dict=(-x "fuzz/dict/$t.dict")
    fi

    limit=(-V "$seconds")
    if [[ -n "$max_execs" ]]; then
        limit+=(-E "$max_execs")
    fi

    echo "fuzz.sh: $t: fuzzing for ${seconds}s" >&2
    started=$(date +%s)
    set +e
    # The outer timeout is a guard against afl-fuzz itself stalling (calibration of a slow seed, a wedged target).
    timeout --kill-after=30 $((seconds + 120)) \
        afl-fuzz -i "fuzz/corpus/$t" -o "$out" -t "$timeout_ms" -m none "${limit[@]}" "${dict[@]}" \
        -- dotnet "$work/bin/Pukeko.Fuzz.dll" "$t" >"$work/afl-$t.log" 2>&1
    status=$?
    set -e
    elapsed=$(($(date +%s) - started))

    stats="$out/default/fuzzer_stats"
    execs="$(stat_of "$stats" execs_done)"
    corpus="$(stat_of "$stats" corpus_count)"
    crashes="$(count_findings "$out/default/crashes")"
    hangs="$(count_findings "$out/default/hangs")"
    execs="${execs:-0}"
    corpus="${corpus:-0}"
    rate=$((execs / (elapsed > 0 ? elapsed : 1)))

    result=pass
    if [[ ! -f "$stats" ]]; then
        # afl-fuzz never got going: usually a seed that crashes or times out during the dry run.
        result=fail
        echo "fuzz.sh: $t: afl-fuzz did not start (exit $status); its log:" >&2
        tail -n 30 "$work/afl-$t.log" >&2
    elif [[ "$crashes" -gt 0 || "$hangs" -gt 0 ]]; then
        result=fail
    fi

    if [[ "$crashes" -gt 0 || "$hangs" -gt 0 ]]; then
        keep="$root/artifacts/fuzz-findings/$t"
        mkdir -p "$keep"
        find "$out/default/crashes" "$out/default/hangs" -maxdepth 1 -type f -name 'id:*' 2>/dev/null |
            while read -r f; do cp "$f" "$keep/$(basename "$(dirname "$f")")-$(basename "$f" | tr ':,' '_-')"; done
        echo "fuzz.sh: $t: findings copied to $keep; replay one with:" >&2
        echo "  dotnet fuzz/Pukeko.Fuzz/bin/Release/net10.0/Pukeko.Fuzz.dll $t <file>" >&2
    fi

    [[ "$result" == pass ]] || failed=1
    printf 'fuzz.sh: %-9s %s: %s inputs in %ss (%s/s), corpus %s, crashes %s, hangs %s\n' \
        "$t" "$result" "$execs" "$elapsed" "$rate" "$corpus" "$crashes" "$hangs" >&2
    summary+=("FUZZ target=$t result=$result execs=$execs execs_per_sec=$rate crashes=$crashes hangs=$hangs corpus=$corpus seconds=$elapsed")
done

printf '%s\n' "${summary[@]}"
exit "$failed"
