/** Benchmarks of compiled models, run from the command line (bench/run-movielens.sh). */
package org.alan.bench;
