package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Predictive;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.DataException;
import org.alan.runtime.io.DataFiles;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plates of rows grouped by an index input ({@code input county : counties;}), and tables as data. The engine
 * regroups the rows into one ragged run per county; these tests check that this is the same computation as the
 * regular nested plate (to rounding, particle for particle), that the Normal observation's sufficient-statistics
 * sum equals the row-by-row sum, that results come back in the data's row order, and that bad indexes and bad
 * tables are reported by file, line and column.
 */
class IndexedPlatesTest {
  @TempDir
  Path dir;

  /** Rows of (county, x, y), counties of unequal sizes, shuffled. */
  private static double[][] rows(int[] sizes, long seed) {
    Random rng = new Random(seed);
    List<double[]> out = new ArrayList<>();
    for (int j = 0; j < sizes.length; j++) {
      double alpha = 1 + 0.5 * rng.nextGaussian();
      for (int i = 0; i < sizes[j]; i++) {
        double x = rng.nextInt(2);
        out.add(new double[] {j + 1, x, alpha - 0.6 * x + 0.8 * rng.nextGaussian()});
      }
    }
    java.util.Collections.shuffle(out, rng);
    return out.toArray(new double[0][]);
  }

  private static String column(double[][] rows, int c, double shift) {
    StringBuilder b = new StringBuilder("[");
    for (int r = 0; r < rows.length; r++) {
      b.append(r > 0 ? ", " : "").append(rows[r][c] + shift);
    }
    return b.append(']').toString();
  }

  private static final String GROUPED = """
      model M {
        mu ~ Normal(0, 10);
        sigma ~ HalfNormal(5);
        beta ~ Normal(0, 10);
        plate counties { alpha ~ Normal(mu, 1); }
        plate houses {
          input county : counties;
          input x;
          data y ~ Normal(alpha[county] + beta * x, SCALE);
        }
      }
      """;

  /** The same model with the rows of each county nested as a regular plate (every county the same size). */
  private static final String NESTED = """
      model M {
        mu ~ Normal(0, 10);
        sigma ~ HalfNormal(5);
        beta ~ Normal(0, 10);
        plate counties {
          alpha ~ Normal(mu, 1);
          plate houses {
            input x;
            data y ~ Normal(alpha + beta * x, sigma);
          }
        }
      }
      """;

  @Test
  void groupedRowsAreTheNestedPlateParticleForParticle() {
    int[] sizes = {5, 5, 5, 5};
    double[][] rows = rows(sizes, 3);
    Model grouped = Models.bind(GROUPED.replace("SCALE", "sigma"), "{\"county\": " + column(rows, 0, 0)
        + ", \"x\": " + column(rows, 1, 0) + ", \"y\": " + column(rows, 2, 0) + "}");
    // nested data: each county's rows in the order they appear in the table (the regrouping is stable)
    StringBuilder x = new StringBuilder("[");
    StringBuilder y = new StringBuilder("[");
    for (int j = 1; j <= sizes.length; j++) {
      x.append(j > 1 ? ", [" : "[");
      y.append(j > 1 ? ", [" : "[");
      boolean first = true;
      for (double[] r : rows) {
        if (r[0] == j) {
          x.append(first ? "" : ", ").append(r[1]);
          y.append(first ? "" : ", ").append(r[2]);
          first = false;
        }
      }
      x.append(']');
      y.append(']');
    }
    Model nested = Models.bind(NESTED, "{\"x\": " + x + "], \"y\": " + y + "]}");
    Posterior a = grouped.sample(200, 5);
    Posterior b = nested.sample(200, 5);
    assertEquals(b.logMarginalLikelihood(), a.logMarginalLikelihood(), 1e-9);
    assertArrayEquals(b.means("alpha"), a.means("alpha"), 1e-9);
    assertEquals(b.mean("beta"), a.mean("beta"), 1e-9);
  }

  @Test
  void groupedLogisticRowsAreTheNestedPlate() {
    // a hierarchical logistic regression: the rows' factor is summed by the separable softplus kernel either way
    String grouped = """
        model M {
          mu ~ Normal(0, 2);
          beta ~ Normal(0, 2);
          plate groups { a ~ Normal(mu, 1); }
          plate rows {
            input g : groups(base = 0);
            input x;
            data y ~ Bernoulli(logits = a[g] + beta * x);
          }
        }
        """;
    String nested = """
        model M {
          mu ~ Normal(0, 2);
          beta ~ Normal(0, 2);
          plate groups {
            a ~ Normal(mu, 1);
            plate rows {
              input x;
              data y ~ Bernoulli(logits = a + beta * x);
            }
          }
        }
        """;
    // three groups of three rows, given interleaved to the grouped model
    double[][] x = {{0.5, -1, 2}, {1, 0, -0.5}, {0.3, 0.3, 1.5}};
    double[][] y = {{1, 0, 1}, {0, 0, 1}, {1, 1, 0}};
    StringBuilder g = new StringBuilder();
    StringBuilder xs = new StringBuilder();
    StringBuilder ys = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        String sep = i + j == 0 ? "" : ", ";
        g.append(sep).append(j);
        xs.append(sep).append(x[j][i]);
        ys.append(sep).append(y[j][i]);
      }
    }
    Posterior a = Models.bind(grouped, "{\"g\": [" + g + "], \"x\": [" + xs + "], \"y\": [" + ys + "]}")
        .sample(300, 4);
    Posterior b = Models.bind(nested, "{\"x\": [[0.5, -1, 2], [1, 0, -0.5], [0.3, 0.3, 1.5]],"
        + " \"y\": [[1, 0, 1], [0, 0, 1], [1, 1, 0]]}").sample(300, 4);
    assertEquals(b.logMarginalLikelihood(), a.logMarginalLikelihood(), 1e-9);
    assertArrayEquals(b.means("a"), a.means("a"), 1e-9);
  }

  @Test
  void heldOutRowsArePredictedAsTheNestedPlatesNewElements() {
    // two rows per county to train on, one per county held out; the nested form extends each county by one row
    double[][] train = {{1, 0, 0.4}, {2, 1, 1.3}, {1, 1, -0.2}, {3, 0, 0.8}, {2, 0, 1.1}, {3, 1, 0.1}};
    double[][] test = {{3, 1, 0.5}, {1, 0, 0.2}, {2, 1, 1.6}};
    Model grouped = Models.bind(GROUPED.replace("SCALE", "sigma"), "{\"county\": " + column(train, 0, 0)
        + ", \"x\": " + column(train, 1, 0) + ", \"y\": " + column(train, 2, 0) + "}");
    Model nested = Models.bind(NESTED, "{\"x\": [[0, 1], [1, 0], [0, 1]], \"y\": [[0.4, -0.2], [1.3, 1.1],"
        + " [0.8, 0.1]]}");
    SampleOptions options = SampleOptions.of(300, 2).withDraws(500);
    Predictive.Result a = grouped.predict(Models.data("{\"county\": " + column(test, 0, 0) + ", \"x\": "
        + column(test, 1, 0) + ", \"y\": " + column(test, 2, 0) + "}"), null, grouped.sample(options), 7);
    Predictive.Result b = nested.predict(Models.data("{\"x\": [[0], [1], [1]], \"y\": [[0.2], [1.6], [0.5]]}"),
        null, nested.sample(options), 7);
    assertEquals(3, a.elements());
    // the same posterior draws (the engines agree particle for particle) give the same predictive density
    assertEquals(b.total(), a.total(), 1e-9);
  }

  @Test
  void sufficientStatisticsSumEqualsTheRowByRowSum() {
    double[][] rows = rows(new int[] {1, 40, 3, 116, 2, 9}, 4);
    String json = "{\"county\": " + column(rows, 0, 0) + ", \"x\": " + column(rows, 1, 0) + ", \"y\": "
        + column(rows, 2, 100) + "}";
    // a scale that reads the row (times 1) keeps the factor out of the sufficient-statistics form
    Posterior split = Models.bind(GROUPED.replace("SCALE", "sigma"), json).sample(300, 9);
    Posterior direct = Models.bind(GROUPED.replace("SCALE", "sigma * (1 + 0 * x)"), json).sample(300, 9);
    // y shifted by 100: the residuals are small beside the data, which the statistics about c0 keep exact
    assertEquals(direct.logMarginalLikelihood(), split.logMarginalLikelihood(),
        1e-9 * Math.abs(direct.logMarginalLikelihood()));
    assertArrayEquals(direct.means("alpha"), split.means("alpha"), 1e-8);
  }

  @Test
  void sufficientStatisticsSumCoversDotProducts() {
    String source = """
        model M {
          beta[3] ~ Normal(0, 1);
          sigma ~ HalfNormal(2);
          plate counties { alpha ~ Normal(0, 1); }
          plate houses {
            input county : counties;
            input x[3];
            data y ~ Normal(alpha[county] + dot(beta, x) - 0.5 * x[1] * 0 + 2, SCALE);
          }
        }
        """;
    Random rng = new Random(8);
    StringBuilder county = new StringBuilder();
    StringBuilder x = new StringBuilder();
    StringBuilder y = new StringBuilder();
    for (int r = 0; r < 60; r++) {
      String sep = r == 0 ? "" : ", ";
      county.append(sep).append(1 + rng.nextInt(4));
      x.append(sep).append('[').append(rng.nextGaussian()).append(", ").append(rng.nextGaussian()).append(", ")
          .append(rng.nextInt(2)).append(']');
      y.append(sep).append(rng.nextGaussian() * 2);
    }
    String json = "{\"county\": [" + county + "], \"x\": [" + x + "], \"y\": [" + y + "]}";
    Posterior split = Models.bind(source.replace(" - 0.5 * x[1] * 0", "").replace("SCALE", "sigma"), json)
        .sample(200, 3);
    Posterior direct = Models.bind(source.replace(" - 0.5 * x[1] * 0", "").replace("SCALE",
        "sigma * (1 + 0 * sum(x))"), json).sample(200, 3);
    assertEquals(direct.logMarginalLikelihood(), split.logMarginalLikelihood(),
        1e-9 * Math.abs(direct.logMarginalLikelihood()));
    assertArrayEquals(direct.means("beta"), split.means("beta"), 1e-8);
  }

  @Test
  void latentsOfGroupedRowsComeBackInRowOrder() {
    String source = """
        model M {
          plate counties { alpha ~ Normal(0, 1); }
          plate houses {
            input county : counties(base = 0);
            z ~ Normal(alpha[county], 0.001);
            data y ~ Normal(z, 1);
          }
        }
        """;
    // rows of counties 2, 0, 1, 0: each z sits on its county's alpha
    Posterior p = Models.bind(source, "{\"county\": [2, 0, 1, 0], \"y\": [0, 0, 0, 0]}")
        .sample(SampleOptions.of(500, 1).withDraws(50));
    double[] alpha = p.draws().values("alpha");
    double[] z = p.draws().values("z");
    int[] countyOfRow = {2, 0, 1, 0};
    for (int d = 0; d < 50; d++) {
      for (int r = 0; r < 4; r++) {
        assertEquals(alpha[d * 3 + countyOfRow[r]], z[d * 4 + r], 0.01, "draw " + d + ", row " + r);
      }
    }
  }

  private static final String SIZED = """
      model M {
        plate counties { input u; alpha ~ Normal(u, 1); }
        plate houses {
          input county : counties;
          data y ~ Normal(alpha[county], 1);
        }
      }
      """;

  @Test
  void badIndexesNameTheRow() {
    CompiledModel m = Models.compile(SIZED);
    assertEquals("test-data.json: 'county'[1] = 0 does not name an element of plate 'counties': its values must be"
        + " integers from 1 (1-based, as in Stan; for data counted from 0 declare 'input county : counties(base ="
        + " 0);')", error(m, "{\"u\": [0, 1], \"county\": [1, 0], \"y\": [1, 2]}"));
    assertEquals("test-data.json: 'county'[0] = 1.5 does not name an element of plate 'counties': its values must"
        + " be integers from 1 (1-based, as in Stan; for data counted from 0 declare 'input county : counties(base"
        + " = 0);')", error(m, "{\"u\": [0, 1], \"county\": [1.5, 1], \"y\": [1, 2]}"));
    assertEquals("test-data.json: 'county'[1] = 3 does not name an element of plate 'counties', which has 2"
        + " elements according to 'u' (indexes run from 1 to 2)",
        error(m, "{\"u\": [0, 1], \"county\": [1, 3], \"y\": [1, 2]}"));
    // found by FuzzTest: an index beyond any array was a NegativeArraySizeException
    assertEquals("test-data.json: 'county'[1] = 1.0E308 cannot name an element of plate 'counties': a plate has at"
        + " most 2147483638 elements (Java's arrays)",
        error(Models.compile(SIZED.replace("input u; alpha ~ Normal(u, 1);", "alpha ~ Normal(0, 1);")),
            "{\"county\": [1, 1e308], \"y\": [1, 2]}"));
  }

  private static String error(CompiledModel m, String json) {
    return assertThrows(DataException.class, () -> Models.bind(m, json)).getMessage();
  }

  @Test
  void tablesGiveRowsAndPerElementColumns() throws Exception {
    CompiledModel m = Models.compile(SIZED);
    Path table = dir.resolve("houses.csv");
    Files.writeString(table, "county,u,y,note\n2,0.5,1.0,a\n1,-1,2.0,b\n2,0.5,3.0,c\n");
    Model bound = Model.of(m, DataFiles.read(m.spec(), List.of(table)));
    assertArrayEquals(new int[] {1, 2, 3}, bound.plateSizes());
    assertEquals(List.of(table + ": column 'note' is not an input or observed variable of model M; ignored"),
        bound.warnings());
    // the same data as JSON gives the same run
    Model json = Models.bind(m, "{\"u\": [-1, 0.5], \"county\": [2, 1, 2], \"y\": [1, 2, 3]}");
    assertEquals(json.sample(100, 2).logMarginalLikelihood(), bound.sample(100, 2).logMarginalLikelihood(), 1e-12);
  }

  @Test
  void tableErrorsNameFileLineAndColumn() throws Exception {
    CompiledModel m = Models.compile(SIZED);
    assertEquals(tablePath() + ":3: column 'y' has no value (an empty cell); missing values are not supported:"
        + " drop the row or impute it", tableError(m, "county,u,y\n1,0,1\n2,1,\n"));
    assertEquals(tablePath() + ":2: column 'y' is 'abc', not a number (values are numbers, or true/false)",
        tableError(m, "county,u,y\n1,0,abc\n"));
    assertEquals(tablePath() + ":4: column 'u' is 2 but 1 at line 3, which names the same element of plate"
        + " 'counties' (county = 2): 'u' is one value per element of that plate",
        tableError(m, "county,u,y\n1,0,1\n2,1,1\n2,2,1\n"));
    assertEquals(tablePath() + ":3: column 'county' = 0 does not name an element of plate 'counties' (indexes are"
        + " integers from 1)", tableError(m, "county,u,y\n1,0,1\n0,1,1\n2,1,1\n"));
    // found by FuzzTest: a quote left open was an UncheckedIOException from commons-csv
    assertEquals(tablePath() + ": not a valid table: (line 3) EOF reached before encapsulated token finished; a cell"
        + " that begins with \" must end with one", tableError(m, "county,u,y\n1,0,1\n2,\"1,1\n2,1,1\n"));
  }

  @Test
  void aTableAndAJsonFileTogetherAndTheBindersErrorsNameTheLine() throws Exception {
    CompiledModel m = Models.compile(SIZED);
    Path counties = dir.resolve("counties.json");
    Files.writeString(counties, "{\"u\": [0, 1]}");
    Files.writeString(tablePath(), "county,y\n1,0.5\n3,1.5\n");
    String message = assertThrows(DataException.class,
        () -> Model.of(m, DataFiles.read(m.spec(), List.of(counties, tablePath())))).getMessage();
    assertEquals(tablePath() + ":3: column 'county' = 3 does not name an element of plate 'counties', which has 2"
        + " elements according to 'u' (indexes run from 1 to 2)", message);
    Files.writeString(tablePath(), "county,y\n1,0.5\n2,1.5\n");
    assertArrayEquals(new int[] {1, 2, 2}, Model.of(m, DataFiles.read(m.spec(), List.of(counties, tablePath())))
        .plateSizes());
  }

  @Test
  void aTableOfTopLevelValuesHasOneRowOrEqualRows() throws Exception {
    CompiledModel m = Models.compile("""
        model M {
          input prior_sd;
          mu ~ Normal(0, prior_sd);
          plate obs { data y ~ Normal(mu, 1); }
        }
        """);
    Path top = dir.resolve("top.csv");
    Files.writeString(top, "prior_sd\n2.5\n");
    Files.writeString(tablePath(), "y\n1\n2\n");
    Model bound = Model.of(m, DataFiles.read(m.spec(), List.of(top, tablePath())));
    assertArrayEquals(new int[] {1, 2}, bound.plateSizes());
    Files.writeString(top, "prior_sd\n2.5\n3\n");
    assertEquals(top + ":3: column 'prior_sd' is 3 but 2.5 on the first row: 'prior_sd' is a single value of the"
        + " model, the same on every row",
        assertThrows(DataException.class, () -> DataFiles.read(m.spec(), List.of(top))).getMessage());
  }

  private Path tablePath() {
    return dir.resolve("t.csv");
  }

  private String tableError(CompiledModel m, String text) throws Exception {
    Files.writeString(tablePath(), text);
    return assertThrows(DataException.class,
        () -> Model.of(m, DataFiles.read(m.spec(), List.of(tablePath())))).getMessage();
  }

  static String format(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }
}
