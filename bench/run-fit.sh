#!/usr/bin/env bash
# QEM, VI and RWS on the benchmark models (movielens, bus_breakdown) at K = 3, 10, 30, with each model's own
# guide (mean-field Normals, as in the QEM paper; VI and RWS step the same parameters with Adam): median time per
# iteration (after the first 20, and over the second half alone: JIT warm-up), the bound after 250 iterations and
# the predictive log-likelihood of the test split (mean and sd over 5 seeds), at each rate of LRS (default 0.1;
# the QEM paper reports each method at its best rate, 0.1 for QEM and mostly 0.03 for VI and RWS). Writes
# bench/results/fit.csv, each run's trace under bench/results/traces/ and one PNG per model and K (the bound per
# iteration, mean over seeds).
# Build first: mvn -q -B package -DskipTests.   Options: ITERS=250 SEEDS=5 MODELS="movielens bus_breakdown"
# METHODS="qem vi rws" KS="3 10 30" OUT=bench/results (with MODELS="movielens movielens_reparam" it also plots the
# two side by side).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-"$root/bench/results"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/traces"
iters=${ITERS:-250}
seeds=${SEEDS:-5}
models=${MODELS:-"movielens bus_breakdown"}
methods=${METHODS:-"qem vi rws"}
lrs=${LRS:-"0.1"}
ks=${KS:-"3 10 30"}
java=(java -Xmx6g --add-modules jdk.incubator.vector -Dalan.vector=true)
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
stats() { awk '{ s += $1; q += $1 * $1; n++ } END { m = s / n; printf "%.2f,%.2f", m, sqrt((q - n * m * m) / (n > 1 ? n - 1 : 1)) }'; }
echo "model,method,lr,K,seeds,iterations,median_seconds_per_iteration,median_seconds_per_iteration_second_half,mean_bound,sd_bound,mean_predictive_ll,sd_predictive_ll" \
  > "$out/fit.csv"
for model in $models; do
  mkdir -p "$work/$model"
  "$root/bin/alanc" "$root/examples/$model/$model.alan" -d "$work/$model" > /dev/null
  jar=$(ls "$work/$model"/*.jar | head -1)
  data="$root/../shared/data/${model%_reparam}" # a _reparam variant reads its model's data
  for method in $methods; do
   for lr in $lrs; do
    for k in $ks; do
      : > "$work/b"; : > "$work/t"; : > "$work/h"; : > "$work/p"
      for seed in $(seq 1 "$seeds"); do
        trace="$out/traces/${model}_${method}_lr${lr}_K${k}_seed${seed}.csv"
        "${java[@]}" -jar "$jar" fit --method "$method" --data "$data/train.json" -K "$k" --iters "$iters" \
          --lr "$lr" --seed "$seed" --all-iters --sample-K 3 --trace "$trace" --save "$work/fit.json" --quiet \
          > /dev/null 2> >(grep -v '^WARNING' >&2)
        tail -1 "$trace" | cut -d, -f3 >> "$work/b"
        # per-iteration times after the first 20 (JIT warm-up)
        awk -F, 'NR > 21 { print $2 - prev } { prev = $2 }' "$trace" | median >> "$work/t"
        # and over the second half only: in a fresh JVM the vector kernels run the Vector API's generic (slow) form
        # until C2 has compiled them, which on 2 cores takes up to ~150 iterations of a millisecond-scale model
        awk -F, -v h=$((iters / 2 + 1)) 'NR > h + 1 { print $2 - prev } { prev = $2 }' "$trace" | median >> "$work/h"
        # predictive log-likelihood of the test split from the fitted guide, as the papers do (K particles, 1000 draws)
        "${java[@]}" -jar "$jar" predict --data "$data/train.json" --test "$data/test.json" --guide "$work/fit.json" \
          -K "$k" --draws 1000 --seed "$seed" --json --quiet 2> >(grep -v '^WARNING' >&2) \
          | awk -F': ' '/predictive_log_likelihood/ { sub(",", "", $2); print $2 }' >> "$work/p"
      done
      echo "$model,$method,$lr,$k,$seeds,$iters,$(median < "$work/t"),$(median < "$work/h"),$(stats < "$work/b"),$(stats < "$work/p")" \
        | tee -a "$out/fit.csv"
    done
   done
  done
done
cp="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
java -cp "$cp" org.alan.bench.FitPlots "$out/traces" "$out" "$(echo $models | tr ' ' ,)" \
  "$(for m in $methods; do for lr in $lrs; do printf '%s_lr%s,' "$m" "$lr"; done; done | sed 's/,$//')" \
  "$(echo $ks | tr ' ' ,)"
