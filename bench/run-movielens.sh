#!/usr/bin/env bash
# MovieLens benchmark (time per sample at K = 3, 10, 30, 100) with a 2 GB heap, steady state: the Vector API
# kernels are forced on (a fresh JVM would start small runs on the scalar ones while the JIT warms up).
# Build first: mvn -q -B package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cp="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
exec java -Xmx2g --add-modules jdk.incubator.vector -Dalan.vector=true -Dalan.root="$root" -cp "$cp" org.alan.bench.MovieLensBench "$@" \
  2> >(grep -v '^WARNING: Using incubator modules' >&2)
