#!/usr/bin/env bash
# Where the time goes in one benchmark, client and broker: async-profiler (from Maven Central) samples the JMH fork
# (the clients) and the broker process it starts, and prints each side's hottest frames, by self time and by
# total time in MeshMQ's own code. Collapsed stacks (for flame graphs) stay in jmh/target/profile/.
#   jmh/profile.sh 'ApplicationShapedBenchmark.queueListener' [meshmq|artemis] [cpu|wall|alloc]
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:?usage: jmh/profile.sh BENCHMARK-REGEX [broker] [cpu|wall|alloc]}
broker=${2:-meshmq}
mode=${3:-cpu}
version=4.1
out=jmh/target/profile
mkdir -p "$out"
lib="$out/async-profiler/linux-x64/libasyncProfiler.so"
if [[ ! -f "$lib" ]]; then
    mvn -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$version:jar:linux-x64"
    (cd "$out" && mkdir -p async-profiler && cd async-profiler &&
        unzip -qo "$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version-linux-x64.jar")
fi
lib=$(realpath "$lib")
# perf events are often not allowed in containers: itimer samples CPU time without them.
case "$mode" in
    cpu) event="event=itimer,interval=1000000" ;;
    wall) event="event=wall,interval=1000000" ;;
    alloc) event="event=alloc" ;;
    *) echo "mode is cpu, wall or alloc, not $mode" >&2; exit 2 ;;
esac
mvn -q -B -DskipTests package -pl jmh -am
rm -rf "$out"/client "$out"/broker.collapsed
java -Dmeshmq.bench.brokerJvmArgs="-agentpath:$lib=start,$event,collapsed,file=$(realpath "$out")/broker.collapsed" \
    -jar jmh/target/benchmarks.jar "$bench" -p broker="$broker" -f 1 -wi 2 -i 3 \
    -prof "async:libPath=$lib;output=collapsed;dir=$(realpath "$out")/client;$(echo "$event" | tr ',' ';')"
python3 - "$out" <<'PY'
import collections, glob, os, sys
out = sys.argv[1]
def top(path, label):
    self_, total, samples = collections.Counter(), collections.Counter(), 0
    for line in open(path):
        stack, _, n = line.rstrip().rpartition(" ")
        n = int(n); samples += n
        frames = stack.split(";")
        self_[frames[-1]] += n
        for f in set(frames):
            total[f] += n
    print(f"\n== {label}: {samples} samples ({path})")
    print("-- self")
    for f, n in self_.most_common(20):
        print(f"{100.0 * n / samples:5.1f}%  {f}")
    print("-- total, io/meshmq frames")
    for f, n in [(f, n) for f, n in total.most_common() if f.startswith("io/meshmq")][:25]:
        print(f"{100.0 * n / samples:5.1f}%  {f}")
for path in sorted(glob.glob(os.path.join(out, "client", "**", "*collapsed*"), recursive=True)):
    top(path, "client (JMH fork)")
if os.path.exists(os.path.join(out, "broker.collapsed")):
    top(os.path.join(out, "broker.collapsed"), "broker")
PY
