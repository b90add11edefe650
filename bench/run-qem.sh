#!/usr/bin/env bash
# QEM on the benchmark models (movielens, bus_breakdown) at K = 3, 10, 30: median time per iteration and the
# bound after 250 iterations (mean over 5 seeds), rate 0.1 as in the QEM paper. Writes bench/results/qem.csv and
# each run's trace (iteration,seconds,bound) under bench/results/traces/.
# Build first: mvn -q -B package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/traces"
iters=${ITERS:-250}
seeds=${SEEDS:-5}
echo "model,K,seeds,iterations,median_seconds_per_iteration,mean_bound,sd_bound" > "$out/qem.csv"
for model in movielens bus_breakdown; do
  "$root/bin/alanc" "$root/examples/$model/$model.alan" -d "$work" > /dev/null
  jar=$(ls "$work"/*.jar | grep -i "$(echo "$model" | tr -d _)" | head -1)
  for k in 3 10 30; do
    bounds=()
    times=()
    for seed in $(seq 1 "$seeds"); do
      trace="$out/traces/${model}_K${k}_seed${seed}.csv"
      java -Xmx4g --add-modules jdk.incubator.vector -Dalan.vector=true -jar "$jar" fit \
        --data "$root/../shared/data/$model/train.json" -K "$k" --iters "$iters" --lr 0.1 --seed "$seed" \
        --all-iters --sample-K 3 --trace "$trace" --quiet > /dev/null 2> >(grep -v '^WARNING' >&2)
      bounds+=("$(tail -1 "$trace" | cut -d, -f3)")
      # per-iteration times after the first 20 (JIT warm-up)
      times+=("$(awk -F, 'NR > 21 { print $2 - prev } { prev = $2 }' "$trace" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')")
    done
    printf '%s\n' "${bounds[@]}" > "$work/b"
    printf '%s\n' "${times[@]}" > "$work/t"
    median=$(sort -g "$work/t" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    stats=$(awk '{ s += $1; q += $1 * $1; n++ } END { m = s / n; printf "%.2f,%.2f", m, sqrt((q - n * m * m) / (n > 1 ? n - 1 : 1)) }' "$work/b")
    echo "$model,$k,$seeds,$iters,$median,$stats" | tee -a "$out/qem.csv"
  done
done
