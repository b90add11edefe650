package org.alan.runtime.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alan.kernels.LogSumExp;
import org.alan.runtime.api.AlanVersion;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Feasibility;
import org.alan.runtime.engine.InferenceException;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.ResourceLimitException;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.engine.Simulator;
import org.alan.runtime.io.DataException;
import org.alan.runtime.io.DataFiles;
import org.alan.runtime.io.DataSet;
import org.alan.runtime.io.DrawsWriter;
import org.alan.runtime.io.GuideFile;
import org.alan.runtime.io.IoErrors;
import org.alan.runtime.io.JsonData;
import org.alan.runtime.io.SummaryWriter;
import org.alan.runtime.learn.FitMethod;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.learn.FitResult;
import org.alan.runtime.learn.Fitter;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableKind;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.plan.PlanExplainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line every model jar carries:
 *
 * <pre>
 * java -jar Model.jar sample --data data.json -K 1000 --seed 1 [--draws 1000 --output draws.csv [--predictive]] [--json]
 * java -jar Model.jar explain [--data data.json -K 100]
 * java -jar Model.jar info
 * </pre>
 *
 * User errors (bad data, impossible inference) print {@code error: ...} and exit with status 1, without a stack
 * trace; usage errors (a bad option, no subcommand) exit with 2; with {@code --strict}, estimates the diagnostics
 * find unreliable exit with 4.
 */
public final class ModelMain {
  private ModelMain() {}

  /** Runs the command line for a model; exits the JVM with the command's status. */
  public static void main(CompiledModel model, String[] args) {
    System.exit(run(model, args, System.out, System.err));
  }

  /** Runs the command line and returns its exit status (for tests). */
  public static int run(CompiledModel model, String[] args, PrintStream out, PrintStream err) {
    ModelSpec spec = model.spec();
    CommandLine cli = new CommandLine(new Root())
        .addSubcommand(new CommandLine(new SampleCommand(model, out, err)))
        .addSubcommand(new CommandLine(new FitCommand(model, out, err)))
        .addSubcommand(new CommandLine(new PredictCommand(model, out, err)))
        .addSubcommand(new CommandLine(new ExplainCommand(model, out)))
        .addSubcommand(new CommandLine(new SimulateCommand(model, out)))
        .addSubcommand(new CommandLine(new InfoCommand(spec, out)));
    cli.setCommandName("java -jar " + spec.name() + ".jar");
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(err, true));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ResourceLimitException) {
        err.println("error: " + e.getMessage());
        return EXIT_OUT_OF_MEMORY;
      }
      if (e instanceof IOException io) {
        err.println("error: " + IoErrors.describe(io));
      } else if (e instanceof DataException || e instanceof InferenceException
          || e instanceof IllegalArgumentException) {
        err.println("error: " + e.getMessage());
      } else {
        err.println("internal error: " + e + "\nThis is a bug in alan; please report it with the model and data.");
        e.printStackTrace(err);
      }
      return 1;
    });
    cli.setParameterExceptionHandler((e, strings) -> {
      err.println("error: " + PicocliMessages.clean(e.getMessage()));
      e.getCommandLine().usage(err);
      return 2;
    });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) {
      // an Error passes picocli's handler; the engine refuses runs its estimate says do not fit, so this is data
      // loading, fitting or a kernel's workspace
      long heap = Runtime.getRuntime().maxMemory();
      err.println("error: ran out of memory (this JVM may use " + Feasibility.size(heap) + "); "
          + Feasibility.moreMemory(2.0 * heap));
      return EXIT_OUT_OF_MEMORY;
    }
  }

  /** The exit status of a run beyond Java's or the memory's limits (refused or out of memory), with what to change. */
  static final int EXIT_OUT_OF_MEMORY = 3;

  @Command(name = "model", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "A compiled alan model: massively parallel importance sampling.",
      subcommandsRepeatable = false)
  static final class Root implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** Without a subcommand there is nothing to do: the usage goes to stderr and the status is 2, a usage error. */
    @Override
    public Integer call() {
      commandSpec.commandLine().usage(commandSpec.commandLine().getErr());
      return 2;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"alan runtime " + AlanVersion.VALUE,
          "vectorised kernels: " + (LogSumExp.vectorised() ? "on" : "off (run java with --add-modules jdk.incubator.vector)")};
    }
  }

  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = "Draw K particles per latent from the guide, estimate the log marginal likelihood and the"
          + " posterior mean, sd and effective sample size of every latent.")
  static final class SampleCommand implements Callable<Integer> {
    private final CompiledModel model;
    private final PrintStream out;
    private final PrintStream err;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "the data: JSON (variable name to"
        + " nested arrays) or a table (.csv, .tsv: a header naming the variables, one row per plate element); repeat"
        + " for several files")
    List<Path> data;

    @Option(names = "-K", defaultValue = "1000", paramLabel = "N", description = "particles per latent group (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--draws", defaultValue = "0", paramLabel = "N", description = "joint posterior draws by importance resampling")
    int draws;

    @Option(names = "--output", paramLabel = "FILE", description = "write the draws as a Stan-style CSV (needs --draws)")
    Path output;

    @Option(names = "--predictive", description = "add replicated data to each draw (y_rep for data variable y), drawn"
        + " from the model given the draw, for posterior predictive checks (needs --output)")
    boolean predictive;

    @Option(names = "--json", description = "print the summary as JSON")
    boolean json;

    @Option(names = "--summary", paramLabel = "FILE", description = "also write the JSON summary to FILE")
    Path summary;

    @Option(names = "--sampler", defaultValue = "permutation", paramLabel = "KIND",
        description = "how parent particles are assigned: permutation (default) or categorical")
    String sampler;

    @Option(names = "--threads", defaultValue = "0", description = "worker threads (default: one per processor)")
    int threads;

    @Option(names = "--strict", description = "make the diagnostics' warnings (few effective particles, a heavy-tailed"
        + " Pareto k-hat) errors: print them and exit with status 4, for pipelines")
    boolean strict;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Option(names = "--guide", paramLabel = "FILE", description = "sample from the guide parameters fitted and saved"
        + " by fit --save")
    Path guide;

    @Option(names = "--no-fit", description = "sample from the guide as it starts (its qem parameters' initial"
        + " values; for the automatic guide, the prior's moments) instead of fitting it first")
    boolean noFit;

    @Option(names = "--fit-K", paramLabel = "N", description = "particles per group while fitting the automatic guide"
        + " (default: as many, up to K and 1000, as keep a pass at 5e7 entries or fewer)")
    Integer fitK;

    @Option(names = "--fit-iters", defaultValue = "100", paramLabel = "N", description = "the most QEM iterations"
        + " when fitting the guide first (default ${DEFAULT-VALUE}; the fit stops earlier once the bound is flat)")
    int fitIters;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    SampleCommand(CompiledModel model, PrintStream out, PrintStream err) {
      this.model = model;
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() throws IOException {
      verifyK(commandSpec, k);
      if (draws < 0) {
        throw usageError(commandSpec, "--draws must not be negative, not " + draws);
      }
      if (output != null && draws == 0) {
        throw usageError(commandSpec, "--output writes posterior draws; give their number with --draws N (at least 1)");
      }
      if (output == null && draws > 0) {
        throw usageError(commandSpec, "--draws N makes posterior draws; give --output FILE.csv to write them");
      }
      if (predictive && output == null) {
        throw usageError(commandSpec, "--predictive adds replicated data to the draws; give --draws N and --output"
            + " FILE.csv to write them");
      }
      verifyThreads(commandSpec, threads);
      ParentSampler parents = parseSampler(commandSpec, sampler);
      if (fitK != null && fitK < 2) {
        throw usageError(commandSpec, "--fit-K must be at least 2, not " + fitK);
      }
      if (fitIters < 1) {
        throw usageError(commandSpec, "--fit-iters must be at least 1, not " + fitIters);
      }
      if (guide != null && noFit) {
        throw usageError(commandSpec, "--guide samples from fitted parameters and --no-fit from the initial ones:"
            + " give one of them");
      }
      for (Path file : new Path[] {output, summary}) {
        verifyWritable(file);
      }
      Model bound = Model.of(model, DataFiles.read(model.spec(), data));
      bound.warnings().forEach(w -> err.println("warning: " + w));
      SampleOptions options = new SampleOptions(k, seed, parents, draws, threads, predictive);
      boolean bar = !quiet && System.console() != null;
      long start = System.nanoTime();
      Posterior posterior = posterior(model, bound, options, guide, noFit, fitK, fitIters, bar, err);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (!diagnosticsPass(posterior, strict, err)) {
        return EXIT_UNRELIABLE;
      }
      String text = summary != null || json ? SummaryWriter.json(posterior) : null;
      if (summary != null) {
        writeFile(summary, text);
      }
      if (json) {
        out.print(text);
      } else {
        out.print(SummaryWriter.table(posterior, String.format(Locale.ROOT,
            "%s: log marginal likelihood %s  (K = %d, seed %d, %.3f s)", model.spec().name(),
            SummaryWriter.logMarginalLikelihood(posterior), k, seed, seconds)));
      }
      if (output != null) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("model", model.spec().name());
        metadata.put("method", "massively parallel importance sampling (alan), importance-resampled draws");
        metadata.put("K", String.valueOf(k));
        metadata.put("seed", String.valueOf(seed));
        metadata.put("draws", String.valueOf(draws));
        metadata.put("log_marginal_likelihood", model.spec().improperLatents().isEmpty()
            ? String.valueOf(posterior.logMarginalLikelihood()) : SummaryWriter.logMarginalLikelihood(posterior));
        try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
          DrawsWriter.write(posterior.draws().first(draws), metadata, w);
        } catch (IOException e) {
          throw IoErrors.naming(output, e);
        }
        if (!json) {
          out.println("wrote " + draws + " draws to " + output);
        }
      }
      return 0;
    }
  }

  /**
   * The posterior {@code sample} and {@code predict} report: from a saved guide, from the guide as written, or
   * (the automatic guide, unless {@code noFit}) after fitting it, which is said on {@code err}.
   */
  private static Posterior posterior(CompiledModel model, Model bound, SampleOptions options, Path guide,
      boolean noFit, Integer fitK, int fitIters, boolean bar, PrintStream err) throws IOException {
    if (guide != null) {
      return bound.sample(options, GuideFile.read(model.spec(), bound.nest(), guide), new ProgressBar(err, bar));
    }
    if (noFit || !org.alan.runtime.learn.Qem.applies(model.spec())) {
      return bound.sample(options, new ProgressBar(err, bar));
    }
    FitOptions fitOptions = new FitOptions(FitMethod.QEM,
        fitK != null ? fitK : FitOptions.automaticK(model.spec(), bound.plateSizes(), options.k()),
        fitIters, FitMethod.QEM.defaultLr(), options.seed(), options.threads(), options.sampler());
    Model.Fitted fitted = bound.sampleFitted(options, fitOptions,
        new FitProgress(new ProgressBar(err, bar), FitMethod.QEM), new ProgressBar(err, bar));
    err.println(describeFit(model.spec().automaticGuide() ? "fitted the automatic guide"
        : Fitter.fitsAutomaticGuide(model.spec()) ? "fitted the guide's qem parameters and automatic proposals"
        : "fitted the guide's qem parameters", fitted.fit(), fitOptions));
    return fitted.posterior();
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "The predictive log-likelihood of held-out data, log p(test | train): the test file holds new"
          + " elements of one plate (by default the innermost plate with observed values), whose observed values"
          + " are predicted from joint posterior draws given the training data.")
  static final class PredictCommand implements Callable<Integer> {
    private final CompiledModel model;
    private final PrintStream out;
    private final PrintStream err;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "the training data (JSON, or"
        + " .csv / .tsv tables; repeat for several files)")
    List<Path> data;

    @Option(names = "--test", required = true, paramLabel = "FILE",
        description = "the held-out data (JSON): the same variables, new elements of the extended plate")
    Path test;

    @Option(names = "--extend", paramLabel = "PLATE",
        description = "the plate the test data extends (default: the innermost plate with observed values)")
    String extend;

    @Option(names = "--guide", paramLabel = "FILE", description = "sample from guide parameters saved by fit --save")
    Path guide;

    @Option(names = "-K", defaultValue = "1000", paramLabel = "N", description = "particles per latent group (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--draws", defaultValue = "1000", paramLabel = "N",
        description = "joint posterior draws the prediction averages over (default ${DEFAULT-VALUE})")
    int draws;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-fit", description = "with the automatic guide, do not fit it first")
    boolean noFit;

    @Option(names = "--fit-K", paramLabel = "N", description = "particles per group while fitting the automatic guide")
    Integer fitK;

    @Option(names = "--fit-iters", defaultValue = "100", paramLabel = "N",
        description = "the most QEM iterations when fitting the automatic guide (default ${DEFAULT-VALUE})")
    int fitIters;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--threads", defaultValue = "0", description = "worker threads (default: one per processor)")
    int threads;

    @Option(names = "--strict", description = "make the diagnostics' warnings (few effective particles, a heavy-tailed"
        + " Pareto k-hat) errors: print them and exit with status 4, for pipelines")
    boolean strict;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    PredictCommand(CompiledModel model, PrintStream out, PrintStream err) {
      this.model = model;
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() throws IOException {
      verifyK(commandSpec, k);
      if (draws < 1) {
        throw usageError(commandSpec, "--draws must be at least 1, not " + draws);
      }
      if (fitK != null && fitK < 2) {
        throw usageError(commandSpec, "--fit-K must be at least 2, not " + fitK);
      }
      if (guide != null && noFit) {
        throw usageError(commandSpec, "give one of --guide and --no-fit");
      }
      verifyThreads(commandSpec, threads);
      Model bound = Model.of(model, DataFiles.read(model.spec(), data));
      bound.warnings().forEach(w -> err.println("warning: " + w));
      org.alan.runtime.io.DataSet held = DataFiles.read(model.spec(), test);
      boolean bar = !quiet && System.console() != null;
      SampleOptions options = new SampleOptions(k, seed, ParentSampler.PERMUTATION, draws, threads);
      Posterior posterior = posterior(model, bound, options, guide, noFit, fitK, fitIters, bar, err);
      if (!diagnosticsPass(posterior, strict, err)) {
        return EXIT_UNRELIABLE;
      }
      org.alan.runtime.engine.Predictive.Result r = bound.predict(held, extend, posterior, seed);
      if (json) {
        StringBuilder j = new StringBuilder("{\n");
        j.append(String.format(Locale.ROOT, "  \"predictive_log_likelihood\": %.10g,%n", r.total()));
        j.append(String.format(Locale.ROOT, "  \"standard_error\": %.4g,%n", r.standardError()));
        j.append(String.format(Locale.ROOT, "  \"extended_plate\": \"%s\",%n", r.extended()));
        j.append(String.format(Locale.ROOT, "  \"held_out_elements\": %d,%n", r.elements()));
        j.append(String.format(Locale.ROOT, "  \"draws\": %d,%n", r.draws()));
        j.append("  \"by_variable\": {");
        String sep = "";
        for (Map.Entry<String, Double> e : r.byVariable().entrySet()) {
          j.append(sep).append(String.format(Locale.ROOT, "\"%s\": %.10g", e.getKey(), e.getValue()));
          sep = ", ";
        }
        j.append("}\n}\n");
        out.print(j);
      } else {
        out.printf(Locale.ROOT, "%s: predictive log-likelihood of the %d held-out element%s of plate '%s': %.4f"
            + " (+- %.4f Monte Carlo), from %d posterior draws (K = %d, seed %d)%n", model.spec().name(),
            r.elements(), r.elements() == 1 ? "" : "s", r.extended(), r.total(), r.standardError(), r.draws(), k,
            seed);
        for (Map.Entry<String, Double> e : r.byVariable().entrySet()) {
          out.printf(Locale.ROOT, "  %-20s %.4f%n", e.getKey(), e.getValue());
        }
      }
      return 0;
    }
  }

  private static ParentSampler parseSampler(CommandLine.Model.CommandSpec command, String sampler) {
    return switch (sampler.toLowerCase(Locale.ROOT)) {
      case "permutation" -> ParentSampler.PERMUTATION;
      case "categorical" -> ParentSampler.CATEGORICAL;
      default -> throw usageError(command, "--sampler must be 'permutation' or 'categorical', not '" + sampler + "'");
    };
  }

  /** "fitted the automatic guide: 12 tempering stages, then 31 QEM iterations at K = 100, bound -31.2 (converged)" */
  static String describeFit(String what, FitResult fit, FitOptions options) {
    String stages = fit.temperingStages() > 0
        ? fit.temperingStages() + " tempering stage" + (fit.temperingStages() == 1 ? "" : "s") + " from the prior, then "
        : fit.modeSteps() > 0 ? "a Laplace start (the mode in " + fit.modeSteps() + " BFGS step"
            + (fit.modeSteps() == 1 ? "" : "s") + "), then " : "";
    return String.format(Locale.ROOT, "%s: %s%d %s iteration%s at K = %d, final bound %.4f (%s)", what, stages,
        fit.trace().size(), options.method().name(), fit.trace().size() == 1 ? "" : "s", options.k(), fit.finalBound(),
        fit.converged() ? "converged: the bound stopped rising"
            : !options.stopEarly() ? "every iteration run, as asked"
            : "not converged: the bound may still be rising after " + options.iterations()
                + " iterations; more iterations (--iters / --fit-iters), more particles or a larger rate may help");
  }

  /** Shows a fit's stages and iterations on the progress bar, with the current bound. */
  private record FitProgress(ProgressBar bar, FitMethod method) implements Fitter.Listener {
    @Override
    public void tempered(int stage, double temperature) {
      bar.report(String.format(Locale.ROOT, "%-26s", String.format(Locale.ROOT, "tempering t=%.2g", temperature)),
          (long) (1000 * temperature), 1000);
    }

    @Override
    public void iterated(int iteration, int of, double bound) {
      bar.report(String.format(Locale.ROOT, "%-26s", String.format(Locale.ROOT, "%s bound %.4g", method.cliName(), bound)), iteration,
          of);
    }
  }

  @Command(name = "fit", mixinStandardHelpOptions = true,
      description = "Fit the guide's qem parameters (the automatic guide: from the prior, by tempering), show the bound"
          + " per iteration, then the posterior summary from the fitted guide.")
  static final class FitCommand implements Callable<Integer> {
    private final CompiledModel model;
    private final PrintStream out;
    private final PrintStream err;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "the data: JSON (variable name to"
        + " nested arrays) or a table (.csv, .tsv: a header naming the variables, one row per plate element); repeat"
        + " for several files")
    List<Path> data;

    @Option(names = "--method", defaultValue = "qem", paramLabel = "METHOD",
        description = "qem (moment matching, the default), vi (reparameterised gradients of the bound) or rws"
            + " (reweighted wake-sleep); vi and rws step with Adam")
    String method;

    @Option(names = "--iters", defaultValue = "" + FitOptions.DEFAULT_ITERATIONS, paramLabel = "N",
        description = "the most iterations (default ${DEFAULT-VALUE}; the fit stops earlier once the bound is flat)")
    int iterations;

    @Option(names = "-K", defaultValue = "" + FitOptions.DEFAULT_K, paramLabel = "N",
        description = "particles per latent group in each iteration (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--lr", paramLabel = "RATE",
        description = "qem: the weight of each iteration's moments, in (0, 1] (default 0.3); vi, rws: Adam's step"
            + " size (default 0.1)")
    Double lr;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--sample-K", defaultValue = "1000", paramLabel = "N",
        description = "particles per group for the summary from the fitted guide (default ${DEFAULT-VALUE})")
    int sampleK;

    @Option(names = "--guide", paramLabel = "FILE", description = "start from parameters saved by fit --save")
    Path guide;

    @Option(names = "--save", paramLabel = "FILE", description = "write the fitted parameters as JSON")
    Path save;

    @Option(names = "--trace", paramLabel = "FILE", description = "write the bound per iteration as CSV"
        + " (iteration,seconds,bound)")
    Path trace;

    @Option(names = "--plot", paramLabel = "FILE", description = "write a PNG of the bound against iteration")
    Path plot;

    @Option(names = "--json", description = "print the summary as JSON")
    boolean json;

    @Option(names = "--all-iters", description = "run every iteration of --iters, even once the bound is flat")
    boolean allIterations;

    @Option(names = "--sampler", defaultValue = "permutation", paramLabel = "KIND",
        description = "how parent particles are assigned: permutation (default) or categorical")
    String sampler;

    @Option(names = "--threads", defaultValue = "0", description = "worker threads (default: one per processor)")
    int threads;

    @Option(names = "--strict", description = "make the diagnostics' warnings (few effective particles, a heavy-tailed"
        + " Pareto k-hat) errors: print them and exit with status 4, for pipelines")
    boolean strict;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    FitCommand(CompiledModel model, PrintStream out, PrintStream err) {
      this.model = model;
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() throws IOException {
      FitMethod fitMethod = switch (method.toLowerCase(Locale.ROOT)) {
        case "qem" -> FitMethod.QEM;
        case "vi" -> FitMethod.VI;
        case "rws" -> FitMethod.RWS;
        default -> throw usageError(commandSpec, "--method must be qem, vi or rws, not '" + method + "'");
      };
      double rate = lr != null ? lr : fitMethod.defaultLr();
      if (k < 2) {
        throw usageError(commandSpec, "-K must be at least 2 to fit (moments from one particle are a point), not " + k);
      }
      verifyK(commandSpec, sampleK);
      if (iterations < 1) {
        throw usageError(commandSpec, "--iters must be at least 1, not " + iterations);
      }
      if (!(rate > 0 && rate <= 1)) {
        throw usageError(commandSpec, "--lr must be in (0, 1], not " + rate);
      }
      verifyThreads(commandSpec, threads);
      ParentSampler parents = parseSampler(commandSpec, sampler);
      String problem = Fitter.gradientProblem(model, fitMethod);
      if (problem != null) {
        throw new IllegalArgumentException("cannot fit model " + model.spec().name() + " by " + fitMethod.cliName()
            + ": " + problem);
      }
      if (plot != null && !plot.toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
        throw usageError(commandSpec, "--plot writes a PNG: give a file name ending in .png, not " + plot);
      }
      for (Path file : new Path[] {save, trace, plot}) {
        verifyWritable(file);
      }
      Model bound = Model.of(model, DataFiles.read(model.spec(), data));
      bound.warnings().forEach(w -> err.println("warning: " + w));
      double[][] start = guide == null ? null : GuideFile.read(model.spec(), bound.nest(), guide);
      FitOptions options = new FitOptions(fitMethod, k, iterations, rate, seed, threads, parents, !allIterations);
      boolean bar = !quiet && System.console() != null;
      List<String> modelParams = Fitter.modelParameters(model.spec());
      if (fitMethod == FitMethod.QEM && !modelParams.isEmpty()) {
        err.println("note: QEM fits the guide only; the model's parameters (" + String.join(", ", modelParams)
            + ") keep their values: fit them with --method vi or rws");
      }
      FitResult fit = bound.fit(options, start, new FitProgress(new ProgressBar(err, bar), options.method()));
      err.println(describeFit("fit", fit, options));
      if (trace != null) {
        StringBuilder csv = new StringBuilder("iteration,seconds,bound\n");
        for (FitResult.Iteration it : fit.trace()) {
          csv.append(String.format(Locale.ROOT, "%d,%.6f,%.10g%n", it.iteration(), it.seconds(), it.bound()));
        }
        writeFile(trace, csv);
      }
      if (plot != null) {
        double[] bounds = fit.trace().stream().mapToDouble(FitResult.Iteration::bound).toArray();
        org.alan.runtime.io.TracePlot.writePng(plot, String.format(Locale.ROOT, "%s: %s at K = %d, lr %s",
            model.spec().name(), fitMethod.name(), k, rate), List.of(new org.alan.runtime.io.TracePlot.Line(
                fitMethod.cliName(), bounds)));
      }
      if (save != null) {
        writeFile(save, GuideFile.write(model.spec(), bound.nest(), fit.params()));
      }
      Posterior posterior = bound.sample(new SampleOptions(sampleK, seed, parents, 0, threads), fit.paramsCopy(),
          new ProgressBar(err, bar));
      if (!diagnosticsPass(posterior, strict, err)) {
        return EXIT_UNRELIABLE;
      }
      if (json) {
        out.print(SummaryWriter.json(posterior));
      } else {
        out.print(SummaryWriter.table(posterior, String.format(Locale.ROOT,
            "%s: log marginal likelihood %s from the fitted guide (K = %d, seed %d)", model.spec().name(),
            SummaryWriter.logMarginalLikelihood(posterior), sampleK, seed)));
      }
      return 0;
    }
  }

  /** The exit status of {@code --strict} when the diagnostics find the estimates unreliable. */
  static final int EXIT_UNRELIABLE = 4;

  /**
   * Prints the posterior's warnings: as warnings, or with {@code strict} as errors, when it returns false (the
   * command then exits with {@link #EXIT_UNRELIABLE} and writes no results).
   */
  private static boolean diagnosticsPass(Posterior posterior, boolean strict, PrintStream err) {
    String prefix = strict ? "error: " : "warning: ";
    posterior.warnings().forEach(w -> err.println(prefix + w));
    if (strict && !posterior.warnings().isEmpty()) {
      err.println("error: --strict: the estimates are unreliable (" + posterior.warnings().size()
          + (posterior.warnings().size() == 1 ? " diagnostic" : " diagnostics") + " above); no results written");
      return false;
    }
    return true;
  }

  /** A bad option value found after parsing: reported like a parse error (message, usage, status 2). */
  private static CommandLine.ParameterException usageError(CommandLine.Model.CommandSpec command, String message) {
    return new CommandLine.ParameterException(command.commandLine(), message);
  }

  private static void verifyK(CommandLine.Model.CommandSpec command, int k) {
    if (k < 1) {
      throw usageError(command, "-K must be at least 1, not " + k);
    }
  }

  private static void verifyThreads(CommandLine.Model.CommandSpec command, int threads) {
    if (threads < 0) {
      throw usageError(command, "--threads must not be negative (0 for one per processor), not " + threads);
    }
  }

  /**
   * Refuses, before any sampling, an output file that could not be written: a directory, a missing or read-only
   * directory, a read-only file, or a file of the kernel's proc or sys file systems (which accept the open and fail
   * the write with "Input/output error" or "Invalid argument", after the run).
   */
  private static void verifyWritable(Path file) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("cannot write " + file + ": it is a directory");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IllegalArgumentException("cannot write " + file + ": no directory " + parent);
    }
    if (Files.exists(file) ? !Files.isWritable(file) : parent != null && !Files.isWritable(parent)) {
      throw new IllegalArgumentException("cannot write " + file + ": permission denied");
    }
    try {
      String type = Files.getFileStore(parent != null ? parent : file.toAbsolutePath()).type();
      if (type.equals("proc") || type.equals("sysfs")) {
        throw new IllegalArgumentException("cannot write " + file + ": it is in the kernel's " + type + " file"
            + " system, not a place for output files");
      }
    } catch (IOException e) {
      // the store cannot be told; the write itself will name the file if it fails
    }
  }

  /** Writes {@code text} to {@code file}; a failure names the file ("out.json: No space left on device"). */
  private static void writeFile(Path file, CharSequence text) throws IOException {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw IoErrors.naming(file, e);
    }
  }

  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Print the contraction plan: factors, dimensions, elimination order and estimated cost.")
  static final class ExplainCommand implements Callable<Integer> {
    private final CompiledModel model;
    private final PrintStream out;

    @Option(names = "--data", paramLabel = "FILE", description = "data, to know the plate sizes (JSON or tables;"
        + " repeat for several files)")
    List<Path> data;

    @Option(names = "-K", paramLabel = "N", description = "particles per latent group")
    Integer k;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    ExplainCommand(CompiledModel model, PrintStream out) {
      this.model = model;
      this.out = out;
    }

    @Override
    public Integer call() {
      if (k != null) {
        verifyK(commandSpec, k);
      }
      int[] sizes = data == null || data.isEmpty() ? null : Model.of(model, DataFiles.read(model.spec(), data)).plateSizes();
      out.print(PlanExplainer.explain(model.spec(), sizes, k == null ? 0 : k));
      return 0;
    }
  }

  @Command(name = "simulate", mixinStandardHelpOptions = true,
      description = "Draw the latent and observed variables from the model, given the inputs: fake data for checking"
          + " that inference recovers known values.")
  static final class SimulateCommand implements Callable<Integer> {
    private final CompiledModel model;
    private final PrintStream out;

    @Option(names = "--inputs", paramLabel = "FILE", description = "JSON with the model's inputs")
    Path inputs;

    @Option(names = "--size", paramLabel = "PLATE=N", description = "size of a plate that no input spans")
    Map<String, Integer> sizes = new LinkedHashMap<>();

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--output", paramLabel = "FILE", description = "write the data here instead of printing it")
    Path output;

    @Option(names = "--latents", paramLabel = "FILE", description = "also write the latent values drawn")
    Path latents;

    SimulateCommand(CompiledModel model, PrintStream out) {
      this.model = model;
      this.out = out;
    }

    @Override
    public Integer call() throws IOException {
      verifyWritable(output);
      verifyWritable(latents);
      DataSet given = inputs == null ? new DataSet("no inputs") : DataFiles.read(model.spec(), inputs);
      Simulator.Simulation sim = Simulator.run(model, given, sizes, seed);
      String json = JsonData.write(sim.data());
      if (output == null) {
        out.print(json);
      } else {
        writeFile(output, json);
      }
      if (latents != null) {
        writeFile(latents, JsonData.write(sim.latents()));
      }
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true, description = "Describe the model's variables and plates.")
  static final class InfoCommand implements Callable<Integer> {
    private final ModelSpec spec;
    private final PrintStream out;

    InfoCommand(ModelSpec spec, PrintStream out) {
      this.spec = spec;
      this.out = out;
    }

    @Override
    public Integer call() {
      out.println("model " + spec.name() + " (from " + spec.sourceName() + ")");
      for (int id = 0; id < spec.variables().length; id++) {
        VariableSpec v = spec.variables()[id];
        if (spec.isHiddenInput(id)) {
          continue; // made by the model from its data
        }
        String kind = v.kind() == VariableKind.LATENT ? "latent" : v.kind() == VariableKind.DATA ? "data" : "input";
        out.println("  " + kind + " " + v.name() + (v.shape().length == 0 ? "" : java.util.Arrays.toString(v.shape()))
            + (v.plate() == 0 ? "" : " in plate " + spec.plates()[v.plate()].name()));
      }
      return 0;
    }
  }
}
