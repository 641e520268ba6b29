#!/usr/bin/env bash
# MeshMQ beside Apache ActiveMQ Artemis, end to end over TCP on 127.0.0.1, each broker in its own JVM with the
# same settings. Prints a Markdown table for jmh/RESULTS.md; raw JMH JSON goes to jmh/target/results/.
#   jmh/run.sh            the full suite (about 40 minutes on 2 cores)
#   jmh/run.sh --only "app "   the application-shaped rows A1-A5 (about 13 minutes); A6 is in --only latency
#   jmh/run.sh --quick    fewer forks and iterations (under 5 minutes)
#   jmh/run.sh --only persistentSync   (or --only latency, --only footprint)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package -pl jmh -am
exec java -cp jmh/target/benchmarks.jar io.meshmq.jmh.Suite "$@"
