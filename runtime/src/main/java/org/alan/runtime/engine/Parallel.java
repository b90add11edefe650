package org.alan.runtime.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of worker threads for loops over plate elements. Work is handed out in chunks from a shared
 * counter; each call of the body knows its worker number, which indexes that worker's private scratch space.
 * Results never depend on which worker ran which chunk, so runs are reproducible whatever the thread count.
 */
public final class Parallel {
  /** The body of a loop: handles elements {@code [from, to)} on worker {@code worker}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int worker, int from, int to);
  }

  private static final Map<Integer, Parallel> SHARED = new HashMap<>();

  private final int threads;
  private final ExecutorService pool;

  /** A process-wide pool of this many workers, created on first use (its threads are daemons). */
  public static synchronized Parallel shared(int threads) {
    return SHARED.computeIfAbsent(Math.max(1, threads), Parallel::new);
  }

  private Parallel(int threads) {
    this.threads = Math.max(1, threads);
    if (this.threads == 1) {
      this.pool = null;
    } else {
      AtomicInteger counter = new AtomicInteger();
      ThreadFactory factory = r -> {
        Thread t = new Thread(r, "alan-worker-" + counter.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
      this.pool = Executors.newFixedThreadPool(this.threads, factory);
    }
  }

  /** The number of workers (worker ids are {@code 0 .. threads()-1}). */
  public int threads() {
    return threads;
  }

  /** Runs {@code body} over {@code [0, n)} in chunks of about {@code n / (8 * threads)} elements. */
  public void forRange(int n, RangeBody body) {
    if (n <= 0) {
      return;
    }
    if (pool == null || n == 1) {
      body.run(0, 0, n);
      return;
    }
    int chunk = Math.max(1, n / (8 * threads));
    AtomicInteger next = new AtomicInteger();
    int workers = Math.min(threads, (n + chunk - 1) / chunk);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      final int worker = w;
      futures.add(pool.submit(() -> {
        int from;
        while ((from = next.getAndAdd(chunk)) < n) {
          body.run(worker, from, Math.min(n, from + chunk));
        }
      }));
    }
    await(futures);
  }

  private static void await(List<Future<?>> futures) {
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(cause);
      }
    }
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into one contiguous block per worker (worker w gets the w-th block),
   * so that which worker handles which index is fixed: per-worker partial results can then be combined in worker
   * order, reproducibly.
   */
  public void forStatic(int n, RangeBody body) {
    int workers = Math.min(threads, n);
    if (pool == null || workers <= 1) {
      body.run(0, 0, n);
      return;
    }
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      final int worker = w;
      final int from = (int) ((long) n * w / workers);
      final int to = (int) ((long) n * (w + 1) / workers);
      futures.add(pool.submit(() -> body.run(worker, from, to)));
    }
    await(futures);
  }
}
