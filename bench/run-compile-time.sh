#!/usr/bin/env bash
# Compile time against the length of an expression (CompileTimeBench): checking, and checking with planning and
# Java generation, at 1,000 to 30,000 terms (or the sizes given); prints CSV. Build first: mvn -q -B package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cp="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
exec java -Xmx4g -cp "$cp" org.alan.bench.CompileTimeBench "$@"
