package org.alan.compiler.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.Distribution;

/** One factory method per semantic error. Messages name the variable, the plate, what was expected and found. */
final class CheckErrors {
  private CheckErrors() {}

  static Diagnostic duplicateDefinition(SourceSpan span, String kind, String name, int firstLine) {
    return Diagnostic.error(span, "duplicate definition of " + kind + " '" + name + "'",
        "'" + name + "' is first defined at line " + firstLine);
  }

  static Diagnostic unknownName(SourceSpan span, String name, Collection<String> visible) {
    return Diagnostic.error(span, "unknown variable '" + name + "'", suggestion(name, visible));
  }

  static Diagnostic outsideItsPlate(SourceSpan span, String name, String plate, String usePlace) {
    return Diagnostic.error(span, "'" + name + "' lives in plate '" + plate + "' and cannot be used " + usePlace,
        "a variable is visible in its own plate and the plates nested inside it");
  }

  static Diagnostic indexIntoUnknownPlate(SourceSpan span, String index, String plate, Collection<String> plates) {
    String[] hint = suggestion(plate, plates);
    return Diagnostic.error(span, "index input '" + index + "' points into plate '" + plate
        + "', which the model does not declare", hint.length > 0 ? hint[0]
        : "an index input names a plate declared beside its own: 'input county : counties;'");
  }

  static Diagnostic indexTargetNotBeside(SourceSpan span, String index, String target, String plate) {
    return Diagnostic.error(span, "index input '" + index + "' of plate '" + plate + "' points into plate '" + target
        + "', which is not declared beside '" + plate + "' (in the same enclosing plate)",
        "the rows of '" + plate + "' are grouped by the element of '" + target + "' they name, so '" + target
            + "' must be a sibling of '" + plate + "'");
  }

  static Diagnostic indexIntoItself(SourceSpan span, String index, String plate) {
    return Diagnostic.error(span, "index input '" + index + "' points into its own plate '" + plate + "'",
        "an index input names the element of another plate that each row belongs to");
  }

  static Diagnostic indexAtTopLevel(SourceSpan span, String index) {
    return Diagnostic.error(span, "index input '" + index + "' is at the top level; declare it in the plate of rows"
        + " it groups", "for example: plate houses { input county : counties; ... }");
  }

  static Diagnostic indexWithShape(SourceSpan span, String index) {
    return Diagnostic.error(span, "index input '" + index + "' has an event shape; an index is one integer per row");
  }

  static Diagnostic indexBadOption(SourceSpan span, String option) {
    return Diagnostic.error(span, "unknown option '" + option + "' of an index input",
        "the only option is the value naming the first element: '(base = 0)' for data counted from 0,"
            + " '(base = 1)' (the default) as in Stan");
  }

  static Diagnostic indexBadBase(SourceSpan span, String value) {
    return Diagnostic.error(span, "an index base must be 0 or 1, not " + value,
        "'(base = 0)' for data counted from 0 (Python), '(base = 1)' (the default) as in Stan and R");
  }

  static Diagnostic crossedIndexes(SourceSpan span, String plate, String first, String firstTarget, String second,
      String secondTarget) {
    return Diagnostic.error(span, "plate '" + plate + "' has two index inputs, '" + first + "' into '" + firstTarget
        + "' and '" + second + "' into '" + secondTarget + "': crossed effects make the exact sum over particles"
        + " intractable", "alan sums over every combination of particles exactly, which needs each row to belong"
        + " to one element of one plate; with two crossed plates the sum couples all their elements at once",
        "index one plate here; if one plate is inside the other, index the inner one only and reach the outer"
            + " plate's variables through it (the inner plate's elements lie in the outer's)");
  }

  static Diagnostic indexedPlateWithPlates(SourceSpan span, String plate, String index) {
    return Diagnostic.error(span, "plate '" + plate + "' is grouped by index input '" + index
        + "' and has plates inside it, which is not supported yet",
        "declare the inner plate's variables in '" + plate + "' itself, or nest the plates without an index");
  }

  static Diagnostic indexIntoGroupedPlate(SourceSpan span, String index, String target) {
    return Diagnostic.error(span, "index input '" + index + "' points into plate '" + target
        + "', which is itself grouped by an index input; that is not supported yet");
  }

  static Diagnostic indexUsedAsValue(SourceSpan span, String index, String target) {
    return Diagnostic.error(span, "'" + index + "' is an index into plate '" + target + "' and can only be used"
        + " to index a variable of that plate", "for example: alpha[" + index + "], with alpha declared in plate '"
        + target + "'");
  }

  static Diagnostic needsIndex(SourceSpan span, String name, String target, String plate, String index) {
    return Diagnostic.error(span, "'" + name + "' lives in plate '" + target + "'; in plate '" + plate
        + "' read it at the row's element as '" + name + "[" + index + "]'");
  }

  static Diagnostic notAnIndex(SourceSpan span, String found) {
    return Diagnostic.error(span, "'" + found + "' is not an index input of an enclosing plate",
        "an index input is declared 'input county : counties;' in the plate of rows, and used as"
            + " 'alpha[county]' for a variable alpha of plate counties; an element of a vector is read with a"
            + " whole number from 1, as 'beta[2]'");
  }

  static Diagnostic elementOfScalar(SourceSpan span, String found) {
    return Diagnostic.error(span, "'" + found + "' is a scalar, which has no elements",
        "element access 'beta[2]' reads coordinate 2 (counted from 1) of a vector such as 'beta[3] ~ ...'");
  }

  static Diagnostic elementOfMatrix(SourceSpan span, String found, Shape shape) {
    return Diagnostic.error(span, "element access of '" + found + "', of shape " + shape + ", is not supported",
        "only a vector's elements can be read ('beta[2]'); write the matrix as a vector per plate element");
  }

  static Diagnostic elementOutOfRange(SourceSpan span, String found, double index, int length) {
    String shown = index == Math.rint(index) ? Long.toString((long) index) : Double.toString(index);
    return Diagnostic.error(span, "element " + shown + " of '" + found + "' does not exist: it has " + length
        + " elements, numbered 1 to " + length, "elements are counted from 1, as in Stan");
  }

  static Diagnostic transformReadsLatent(SourceSpan span, String function, String name, String kind) {
    return Diagnostic.error(span, "'" + function + "' reads inputs and observed data only, but '" + name + "' is "
        + kind, "lags and running sums are computed once, when the data are bound (Stan's transformed data)");
  }

  static Diagnostic barOutsideDensity(SourceSpan span, String callee) {
    return Diagnostic.error(span, "'|' separates the variate of a density function, not the arguments of '" + callee
        + "'", "Stan's density functions are written normal_lpdf(y | mu, sigma); elsewhere arguments take commas");
  }

  static Diagnostic densityBar(SourceSpan span, String function) {
    return Diagnostic.error(span, "'" + function + "' takes one '|', after its variate",
        "write " + function + "(y | ...)");
  }

  static Diagnostic noCdf(SourceSpan span, String function, String distribution) {
    return Diagnostic.error(span, "'" + function + "' needs the distribution function of " + distribution
        + ", which alan does not have", "log CDFs are there for Normal, HalfNormal, LogNormal, Exponential, Logistic"
        + " and Weibull");
  }

  static Diagnostic incrementNotTarget(SourceSpan span, String found) {
    return Diagnostic.error(span, "only 'target' can be incremented, not '" + found + "'",
        "target += expr; adds a term to the model's log density, as in Stan");
  }

  static Diagnostic targetInGuide(SourceSpan span) {
    return Diagnostic.error(span, "a guide cannot add to the target: it is a proposal, not a density to fit",
        "put target += in the model");
  }

  static Diagnostic matrixReads(SourceSpan span, String what) {
    return Diagnostic.error(span, "the matrix of a MultivariateNormal must be data (an input or a constant), but it"
        + " reads " + what, "a covariance that depends on latents (an LKJ prior) is not supported yet");
  }

  static Diagnostic matrixShape(SourceSpan span, String variable, int k, String parameter, Shape found) {
    return Diagnostic.error(span, "the " + parameter + " of '" + variable + "' must be a " + k + " x " + k
        + " matrix (its length is " + k + "), but has shape " + found);
  }

  static Diagnostic multivariateNormalShape(SourceSpan span, String variable, Shape shape) {
    return Diagnostic.error(span, "a MultivariateNormal variable is one vector, but '" + variable + "' has shape "
        + shape, "declare it 'x[K] ~ MultivariateNormal(...)'");
  }

  static Diagnostic plateOption(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected a plate size or 'ragged', found '" + found + "'",
        "plate NAME(8) fixes the size; plate NAME(ragged), inside another plate, lets each of its elements have"
        + " its own");
  }

  static Diagnostic raggedPlacement(SourceSpan span, String plate) {
    return Diagnostic.error(span, "plate '" + plate + "' can be ragged only directly inside a top-level plate",
        "a ragged plate's elements differ in number from one element of the plate around it to the next; for rows"
        + " grouped otherwise, use an index input (input g : groups;)");
  }

  static Diagnostic raggedWithIndex(SourceSpan span, String plate, String index) {
    return Diagnostic.error(span, "ragged plate '" + plate + "' cannot also be grouped by index input '" + index
        + "'", "declare the plate without (ragged) and give its rows with the index, one row per element");
  }

  static Diagnostic raggedWithPlates(SourceSpan span, String plate) {
    return Diagnostic.error(span, "ragged plate '" + plate + "' cannot hold plates");
  }

  static Diagnostic notTruncatable(SourceSpan span, String distribution) {
    return Diagnostic.error(span, distribution + " cannot be truncated", "T[lower, upper] applies to Normal,"
        + " HalfNormal, LogNormal, Exponential, Logistic and Weibull");
  }

  static Diagnostic truncationMarker(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected 'T' before the truncation bounds, found '" + found + "'",
        "truncation is written Normal(0, 1) T[0, ]");
  }

  static Diagnostic truncationWithoutBounds(SourceSpan span) {
    return Diagnostic.error(span, "T[, ] truncates nothing: give a lower bound, an upper bound or both");
  }

  static Diagnostic truncationBoundReads(SourceSpan span, String name, String kind) {
    return Diagnostic.error(span, "a truncation bound must be a number or an input, but it reads " + kind + " '"
        + name + "'");
  }

  static Diagnostic truncationEmpty(SourceSpan span, double lower, double upper) {
    return Diagnostic.error(span, "the truncation [" + formatNumber(lower) + ", " + formatNumber(upper)
        + "] leaves no values: the lower bound must be below the upper");
  }

  static Diagnostic truncationInGuide(SourceSpan span) {
    return Diagnostic.error(span, "a proposal cannot be truncated", "truncate the model's distribution; the guide"
        + " then proposes on what the truncation leaves");
  }

  static Diagnostic emptySlice(SourceSpan span, String vector, int from, int to) {
    return Diagnostic.error(span, "the slice " + from + ":" + to + " of '" + vector + "' is empty",
        "a slice a:b holds elements a to b, both included, counted from 1 as in Stan");
  }

  static Diagnostic vectorLiteralElement(SourceSpan span, String found) {
    return Diagnostic.error(span, "the elements of a vector literal must be numbers, not '" + found + "'",
        "a vector of other values is a vector variable or input, e.g. 'input a[3];'");
  }

  static Diagnostic transformInGuide(SourceSpan span, String function) {
    return Diagnostic.error(span, "'" + function + "' is computed from the model's data and cannot be used in a guide");
  }

  static Diagnostic transformNeedsPlate(SourceSpan span, String text) {
    return Diagnostic.error(span, "'" + text + "' runs along no plate: its argument reads no input or observed"
        + " variable of a plate", "lag and cumsum run along the innermost plate of the variables they read");
  }

  static Diagnostic transformBadLag(SourceSpan span, String found) {
    return Diagnostic.error(span, "the lag must be a whole number of elements, at least 1, not " + found,
        "write lag(x, 1) for the previous element");
  }

  static Diagnostic transformBadInit(SourceSpan span, String found) {
    return Diagnostic.error(span, "the initial value of a lag must be a number, not " + found,
        "lag(x, k, init) gives the first k elements of each series the value init");
  }

  static Diagnostic latentReadsMissingLag(SourceSpan span, String latent, String text, int missing, String plate) {
    return Diagnostic.error(span, "latent '" + latent + "' reads '" + text + "', which has no value at the first "
        + plural(missing, "element") + " of " + plate + "; only observations can start later",
        "give the lag an initial value, e.g. " + text.replaceFirst("\\)$", ", 0)"));
  }

  static Diagnostic cumsumOfMissing(SourceSpan span, String text, String inner) {
    return Diagnostic.error(span, "'" + text + "' would carry the missing first elements of '" + inner
        + "' along the whole plate", "give the lag an initial value, e.g. " + inner.replaceFirst("\\)$", ", 0)"));
  }

  static Diagnostic indexOfWrongPlate(SourceSpan span, String name, String plate, String index, String target) {
    return Diagnostic.error(span, "'" + name + "' lives in " + plate + ", but '" + index
        + "' indexes plate '" + target + "'", "an index reads variables declared in the plate it points into");
  }

  static Diagnostic unknownDistribution(SourceSpan span, String name, Collection<String> known) {
    return Diagnostic.error(span, "unknown distribution '" + name + "'", suggestion(name, known));
  }

  static Diagnostic unknownFunction(SourceSpan span, String name, Collection<String> known) {
    return Diagnostic.error(span, "unknown function '" + name + "'", suggestion(name, known));
  }

  static Diagnostic distributionAsFunction(SourceSpan span, String name) {
    return Diagnostic.error(span, "'" + name + "' is a distribution; it can only appear after '~'");
  }

  static Diagnostic functionAsDistribution(SourceSpan span, String name) {
    return Diagnostic.error(span, "'" + name + "' is a function, not a distribution");
  }

  static Diagnostic wrongArgumentCount(SourceSpan span, String callee, int expected, int found, String signatures) {
    return Diagnostic.error(span, "'" + callee + "' takes " + plural(expected, "argument") + " but "
        + found + (found == 1 ? " was" : " were") + " given", "expected " + signatures);
  }

  static Diagnostic wrongFunctionArgumentCount(SourceSpan span, String fn, int min, int max, int found) {
    String expected = min == max ? plural(min, "argument") : min + " or " + plural(max, "argument");
    return Diagnostic.error(span, "'" + fn + "' takes " + expected + " but " + found
        + (found == 1 ? " was" : " were") + " given");
  }

  static Diagnostic unknownArgumentName(SourceSpan span, String callee, String name, String signatures) {
    return Diagnostic.error(span, "'" + callee + "' has no parameter named '" + name + "'", "expected " + signatures);
  }

  static Diagnostic inconsistentArgumentNames(SourceSpan span, String callee, String signatures) {
    return Diagnostic.error(span, "these argument names do not fit any signature of '" + callee + "'",
        "expected " + signatures);
  }

  static Diagnostic duplicateArgument(SourceSpan span, String name) {
    return Diagnostic.error(span, "argument '" + name + "' is given twice");
  }

  static Diagnostic positionalAfterNamed(SourceSpan span) {
    return Diagnostic.error(span, "a positional argument cannot follow a named one");
  }

  static Diagnostic namedFunctionArgument(SourceSpan span, String fn) {
    return Diagnostic.error(span, "function '" + fn + "' takes positional arguments only");
  }

  static Diagnostic shapeMismatch(SourceSpan span, String operation, Shape left, Shape right) {
    return Diagnostic.error(span, "event-shape mismatch in " + operation + ": " + left + " and " + right
        + " do not broadcast", "shapes broadcast when, aligned on the right, each pair of extents is equal or one is 1");
  }

  static Diagnostic argumentShapeMismatch(SourceSpan span, String variable, Shape declared, String parameter,
      Shape found) {
    String hint = declared.rank() == 0
        ? "declare the variable's shape, e.g. '" + variable + found + " ~ ...'"
        : "arguments must broadcast to the declared shape " + declared;
    return Diagnostic.error(span, "event-shape mismatch: '" + variable + "' has shape " + declared
        + " but argument '" + parameter + "' has shape " + found, hint);
  }

  static Diagnostic needsVectorArgument(SourceSpan span, String distribution, String parameter) {
    return Diagnostic.error(span, "argument '" + parameter + "' of " + distribution
        + " must be a vector (its last axis indexes the categories or coordinates)");
  }

  static Diagnostic needsVectorVariable(SourceSpan span, String variable, String distribution) {
    return Diagnostic.error(span, "'" + variable + "' must be declared with a shape to follow " + distribution,
        "e.g. '" + variable + "[3] ~ " + distribution + "(...)'");
  }

  static Diagnostic dirichletShape(SourceSpan span, String variable, Shape declared, Shape concentration) {
    return Diagnostic.error(span, "event-shape mismatch: '" + variable + "' has shape " + declared
        + " but the concentration has shape " + concentration);
  }

  static Diagnostic categoricalShape(SourceSpan span, String variable, Shape declared, Shape parameter) {
    return Diagnostic.error(span, "event-shape mismatch: '" + variable + "' has shape " + declared
        + " but the category parameter has shape " + parameter + ", whose leading axes must broadcast to it");
  }

  static Diagnostic constantOutOfRange(SourceSpan span, String distribution, String parameter, double value,
      String expected) {
    return Diagnostic.error(span, "argument '" + parameter + "' of " + distribution + " must be " + expected
        + ", found " + formatNumber(value));
  }

  static Diagnostic groupInModel(SourceSpan span) {
    return Diagnostic.error(span, "'group' blocks belong in a guide",
        "groups choose which latents share a K dimension in the proposal");
  }

  static Diagnostic guideParameterInModel(SourceSpan span, String marker) {
    return Diagnostic.error(span, "'" + marker + "(...)' parameters are only allowed in a guide",
        "a model's learnable parameter is declared by a statement: param name = init;");
  }

  static Diagnostic modelParameterInit(SourceSpan span, String name) {
    return Diagnostic.error(span, "the initial value of parameter '" + name + "' must be a number");
  }

  static Diagnostic modelParameterInGuide(SourceSpan span, String name) {
    return Diagnostic.error(span, "'" + name + "' is a parameter of the model; the guide cannot read it",
        "give the guide its own parameter with learn(init) or qem(init)");
  }

  static Diagnostic paramStatementInGuide(SourceSpan span, String name) {
    return Diagnostic.error(span, "parameter '" + name + "' is declared in a guide; 'param' statements belong in"
        + " the model", "a guide's parameters are written where they are used: learn(init) or qem(init)");
  }

  static Diagnostic guideParameterInit(SourceSpan span, String marker) {
    return Diagnostic.error(span, "'" + marker + "(init)' takes one number, its initial value");
  }

  static Diagnostic guideParameterInLet(SourceSpan span, String marker) {
    return Diagnostic.error(span, "'" + marker + "(...)' must appear in the arguments of a guide distribution",
        "a parameter takes its plates and shape from the variable it proposes");
  }

  static Diagnostic qemNotWholeArgument(SourceSpan span) {
    return Diagnostic.error(span, "'qem(...)' must be a whole argument of the distribution",
        "QEM sets the distribution's parameters directly, e.g. 'Normal(qem(0), qem(1))'");
  }

  static Diagnostic qemAllOrNothing(SourceSpan span, String distribution) {
    String message = "either every argument of " + distribution + " is 'qem(...)' or none is";
    return distribution.equals("Binomial")
        ? Diagnostic.error(span, message, "a Binomial's total_count is never 'qem(...)': QEM fits its probs")
        : Diagnostic.error(span, message);
  }

  static Diagnostic qemBinomialTotalCount(SourceSpan span) {
    return Diagnostic.error(span, "QEM fits a Binomial whose total_count is a number or an input",
        "write the prior's total count here, as a number or the input itself");
  }

  static Diagnostic qemUnsupported(SourceSpan span, String distribution) {
    return Diagnostic.error(span, distribution + " has no QEM update; use 'learn(...)' parameters instead");
  }

  static Diagnostic letInGuideShadowsModel(SourceSpan span, String name) {
    return Diagnostic.error(span, "'" + name + "' is already defined in the model");
  }

  static Diagnostic noGuideForModel(SourceSpan span, String name, Collection<String> models) {
    return Diagnostic.error(span, "guide '" + name + "' has no model of the same name", suggestion(name, models));
  }

  static Diagnostic twoGuides(SourceSpan span, String name, int firstLine) {
    return Diagnostic.error(span, "model '" + name + "' already has a guide", "the first guide is at line " + firstLine);
  }

  static Diagnostic guideDefinesData(SourceSpan span, String name) {
    return Diagnostic.error(span, "'" + name + "' is observed in the model; the guide must not define it");
  }

  static Diagnostic guideUnknownLatent(SourceSpan span, String name, Collection<String> latents) {
    return Diagnostic.error(span, "the model has no latent '" + name + "'", suggestion(name, latents));
  }

  static Diagnostic improperObserved(SourceSpan span, String name, String distribution) {
    return Diagnostic.error(span, "observed variable '" + name + "' cannot have the improper distribution "
        + distribution + "()", "an improper distribution has no normaliser, so it gives no likelihood; it is allowed"
        + " as a latent's prior only");
  }

  static Diagnostic improperProposal(SourceSpan span, String name, String distribution) {
    return Diagnostic.error(span, "the proposal of '" + name + "' cannot be the improper distribution "
        + distribution + "()", "a proposal must be a distribution one can sample from, e.g. Normal(qem(0), qem(1))");
  }

  static Diagnostic guideInput(SourceSpan span) {
    return Diagnostic.error(span, "inputs are declared in the model, not in the guide");
  }

  static Diagnostic guideDataStatement(SourceSpan span, String name) {
    return Diagnostic.error(span, "observed variable '" + name + "' must not be defined in the guide");
  }

  static Diagnostic guideWrongPlate(SourceSpan span, String name, String modelPlate, String guidePlate) {
    return Diagnostic.error(span, "'" + name + "' is " + where(modelPlate) + " in the model but "
        + where(guidePlate) + " in the guide");
  }

  private static String where(String plate) {
    return plate.isEmpty() ? "at the top level" : "in plate '" + plate + "'";
  }

  static Diagnostic guideUnknownPlate(SourceSpan span, String name, String parent) {
    return Diagnostic.error(span, "the model has no plate '" + name + "'"
        + (parent.isEmpty() ? " at the top level" : " inside plate '" + parent + "'"));
  }

  static Diagnostic guidePlateSize(SourceSpan span) {
    return Diagnostic.error(span, "plate sizes are given in the model, not in the guide");
  }

  static Diagnostic guideShapeMismatch(SourceSpan span, String name, Shape model, Shape guide) {
    return Diagnostic.error(span, "'" + name + "' has shape " + model + " in the model but " + guide + " in the guide");
  }

  static Diagnostic supportMismatch(SourceSpan span, String name, String modelDist, String modelSupport,
      String guideDist, String guideSupport) {
    return Diagnostic.error(span, "support mismatch for '" + name + "': the guide's " + guideDist + " takes "
        + guideSupport + " but the model's " + modelDist + " takes " + modelSupport,
        "a proposal must put mass exactly where the model does");
  }

  /** {@code numbers}: the bounds on both sides are numbers (no note on how expressions are compared). */
  static Diagnostic supportBoundsMismatch(SourceSpan span, String name, Distribution guideDist,
      Distribution modelDist, int modelLine, boolean numbers) {
    String what = switch (guideDist.support()) {
      case INTERVAL -> "bounds (low and high)";
      case BOUNDED_INTEGER -> "total_count";
      default -> "number of categories";
    };
    String message = "support mismatch for '" + name + "': the guide's " + guideDist.alanName()
        + " must have the same " + what + " as the model's " + modelDist.alanName() + " (line " + modelLine + ")";
    return numbers ? Diagnostic.error(span, message) : Diagnostic.error(span, message,
        "they are compared as expressions: write them the same way in both (e.g. 'lo + 1' in each, not '1 + lo')");
  }

  static Diagnostic groupMember(SourceSpan span) {
    return Diagnostic.error(span, "a group contains only latent variables ('name ~ Dist(...);')");
  }

  static Diagnostic emptyGroup(SourceSpan span, String name) {
    return Diagnostic.warning(span, "group '" + name + "' is empty; it has no effect");
  }

  static Diagnostic singleMemberGroup(SourceSpan span, String name) {
    return Diagnostic.warning(span, "group '" + name + "' has one member; groups matter with two or more");
  }

  static Diagnostic cycle(SourceSpan span, String where, List<String> path) {
    return Diagnostic.error(span, "cyclic dependency in the " + where + ": " + String.join(" -> ", path));
  }

  static Diagnostic letCycle(SourceSpan span, List<String> path) {
    return Diagnostic.error(span, "let bindings depend on each other: " + String.join(" -> ", path));
  }

  static Diagnostic letTooLarge(SourceSpan span, String name, long operations, long limit) {
    return Diagnostic.error(span, "let binding '" + name + "' expands to " + (operations >= Long.MAX_VALUE
        ? "more than 9.2e18" : String.format(java.util.Locale.ROOT, "%.3g", (double) operations))
        + " operations, more than the " + limit + " alan can compile",
        "let bindings are substituted into every use, so a binding used twice in the next one doubles in size;"
        + " compute a large quantity once as a latent or an input instead");
  }

  static Diagnostic shapeTooLarge(SourceSpan span, String name, double elements, long limit) {
    return Diagnostic.error(span, String.format(java.util.Locale.ROOT, "'%s' has %.3g elements; a variable may have"
        + " at most %d (its K particles for every plate element are held in one Java array)", name, elements,
        limit));
  }

  static Diagnostic guideNameTakenByModel(SourceSpan span, String kind, String name, String modelKind, int line) {
    return Diagnostic.error(span, kind + " '" + name + "' has the name of the model's " + modelKind + " '" + name
        + "' (line " + line + ")", "guide names share one namespace with the model's; rename the " + kind);
  }

  static Diagnostic nothingToInfer(SourceSpan span, String model) {
    return Diagnostic.error(span, "model '" + model + "' has no latent or data variables: there is nothing to infer",
        "declare a latent ('x ~ Normal(0, 1);') or an observed variable ('data y ~ Normal(x, 1);')");
  }

  static Diagnostic unsizedPlate(SourceSpan span, String plate) {
    return Diagnostic.error(span, "cannot tell the size of plate '" + plate + "'",
        "give it in the source as 'plate " + plate + "(N) { ... }', or declare an input or data variable inside it");
  }

  static Diagnostic inputShapeAsLatent(SourceSpan span, String name) {
    return Diagnostic.error(span, "input '" + name + "' has no distribution; it cannot be proposed in the guide");
  }

  static Diagnostic invalidJavaName(SourceSpan span, String kind, String name, String why) {
    return Diagnostic.error(span, kind + " name '" + name + "' cannot be used: " + why);
  }

  static Diagnostic reservedName(SourceSpan span, String name) {
    return Diagnostic.error(span, "'" + name + "' is reserved: names starting with '__' belong to generated code");
  }

  static Diagnostic noModel(SourceSpan span) {
    return Diagnostic.error(span, "the file defines no model", "a program starts with 'model Name { ... }'");
  }

  static Diagnostic latentWithoutDistributionInGuide(SourceSpan span, String name) {
    return Diagnostic.error(span, "'" + name + "' is a let binding in the model; only latents have proposals");
  }

  private static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  static String formatNumber(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static String[] suggestion(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(name, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    List<String> notes = new ArrayList<>();
    if (best != null && bestDistance <= Math.max(1, name.length() / 3)) {
      notes.add("did you mean '" + best + "'?");
    } else if (!candidates.isEmpty() && candidates.size() <= 16) {
      notes.add("known here: " + candidates.stream().sorted().collect(Collectors.joining(", ")));
    }
    return notes.toArray(new String[0]);
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
