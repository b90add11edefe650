package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.alan.runtime.io.DataException;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad data is reported by name, index and expectation before any computation. */
class DataValidationTest {
  static final String SOURCE = """
      model Reviews {
        p ~ Beta(1, 1);
        plate users {
          input n;
          plate items {
            input x[2];
            data liked ~ Bernoulli(p);
            data count ~ Binomial(n, p);
          }
        }
      }
      """;
  static CompiledModel model;

  @BeforeAll
  static void compile() {
    model = Models.compile(SOURCE);
  }

  private static String error(String json) {
    return assertThrows(DataException.class, () -> Models.bind(model, json)).getMessage();
  }

  @Test
  void jsonThatIsNotExactlyOneObjectIsRejected() {
    String valid = "{\"n\": [3], \"x\": [[[0, 1]]], \"liked\": [[1]], \"count\": [[1]]}";
    assertEquals("test-data.json: unexpected content after the data object, near line 1 column 62",
        error(valid + " {\"n\": [4]}"));
    assertEquals("test-data.json: 'n' is given twice", error(valid.replace("{", "{\"n\": [9], ")));
    assertEquals("test-data.json: expected a JSON object mapping variable names to arrays", error("[1, 2]"));
  }

  @Test
  void missingVariablesAreListedWithTheirAxes() {
    assertEquals("test-data.json: missing variables 'n' (input, axes [users]), 'x' (input, axes [users, items, 2])",
        error("{\"liked\": [[1]], \"count\": [[1]]}"));
  }

  @Test
  void wrongNestingDepthNamesTheAxes() {
    assertEquals("test-data.json: 'liked' should have 2 axes ([users, items]) but has 1 axis [2]",
        error("{\"n\": [3, 3], \"x\": [[[0, 1]], [[1, 0]]], \"liked\": [1, 0], \"count\": [[1], [2]]}"));
  }

  @Test
  void inconsistentPlateSizesNameBothSources() {
    assertEquals("test-data.json: plate 'items' has 1 element according to 'x' but 'liked' has 2 along it (axis 1)",
        error("{\"n\": [3, 3], \"x\": [[[0, 1]], [[1, 0]]], \"liked\": [[1, 0], [0, 1]], \"count\": [[1], [2]]}"));
  }

  @Test
  void raggedArraysAreRejected() {
    assertEquals("test-data.json: 'liked' is not rectangular: liked[1] has 1 element but liked[0] has 2; plate"
        + " 'items' is regular (declare it plate items(ragged) for elements of different sizes in each element of"
        + " 'users', or group the rows with an index input)",
        error("{\"n\": [3, 3], \"x\": [[[0, 1], [1, 1]], [[1, 0], [0, 0]]], \"liked\": [[1, 0], [0]],"
            + " \"count\": [[1, 2], [2, 0]]}"));
  }

  @Test
  void eventShapeMustMatchTheDeclaration() {
    assertEquals("test-data.json: 'x' is declared with shape [2] but its event axis 0 has 3 elements",
        error("{\"n\": [3], \"x\": [[[0, 1, 1]]], \"liked\": [[1]], \"count\": [[1]]}"));
  }

  @Test
  void nanIsReportedWithItsIndex() {
    assertEquals("test-data.json: 'x'[0][1][0] is NaN; values must be finite numbers",
        error("{\"n\": [3], \"x\": [[[0, 1], [NaN, 1]]], \"liked\": [[1, 0]], \"count\": [[1, 2]]}"));
  }

  @Test
  void valuesOutsideTheSupportAreReported() {
    assertEquals("test-data.json: 'liked'[0][1] = 2 is outside the support of its distribution: expected 0 or 1",
        error("{\"n\": [3], \"x\": [[[0, 1], [1, 1]]], \"liked\": [[1, 2]], \"count\": [[1, 2]]}"));
  }

  @Test
  void boundedCountsAreCheckedAgainstTheirInput() {
    assertEquals("test-data.json: 'count'[0][1] = 4 is outside the support of its distribution: expected an integer"
        + " between 0 and the total count (total count 3)",
        error("{\"n\": [3], \"x\": [[[0, 1], [1, 1]]], \"liked\": [[1, 0]], \"count\": [[1, 4]]}"));
    assertEquals("test-data.json: input 'n'[1] = 2.5 cannot be the total_count of the Binomial of 'count' (test.alan:8):"
        + " expected a non-negative integer",
        error("{\"n\": [3, 2.5], \"x\": [[[0, 1]], [[1, 1]]], \"liked\": [[1], [0]], \"count\": [[1], [5]]}"));
  }

  @Test
  void simplexDataMustSumToOne() {
    CompiledModel shares = Models.compile("""
        model Shares {
          input conc[3];
          m ~ Normal(0, 1);
          plate towns { data s[3] ~ Dirichlet(conc); }
        }
        """);
    assertEquals("test-data.json: 's'[1] sums to 1.1; a simplex must sum to 1", assertThrows(DataException.class,
        () -> Models.bind(shares, "{\"conc\": [1, 1, 1], \"s\": [[0.2, 0.3, 0.5], [0.5, 0.5, 0.1]]}")).getMessage());
  }

  @Test
  void inputsPassedAsParametersMustBeValidParameters() {
    CompiledModel scales = Models.compile("""
        model Scales {
          plate groups {
            input spread;
            input probs[3];
            mu ~ Normal(0, 1);
            data y ~ Normal(mu, spread);
            data c ~ Categorical(probs);
          }
        }
        guide Scales {
          plate groups { mu ~ Normal(0, spread); }
        }
        """);
    assertEquals("test-data.json: input 'spread'[1] = 0 cannot be the scale of the Normal proposing 'mu'"
        + " (test.alan:11): expected a positive real number",
        assertThrows(DataException.class, () -> Models.bind(scales,
            "{\"spread\": [1, 0], \"probs\": [[1, 1, 1], [1, 1, 1]], \"y\": [0, 0], \"c\": [0, 0]}"))
            .getMessage());
    assertEquals("test-data.json: input 'probs'[0][2] = -0.1 cannot be the probs of the Categorical of 'c'"
        + " (test.alan:7): expected a non-negative real number",
        assertThrows(DataException.class, () -> Models.bind(scales,
            "{\"spread\": [1, 2], \"probs\": [[0.5, 0.6, -0.1], [1, 1, 1]], \"y\": [0, 0], \"c\": [0, 0]}"))
            .getMessage());
  }

  @Test
  void stringsAndNullsAreNotNumbers() {
    assertEquals("test-data.json: 'n'[0] should be a number, found the string \"three\"",
        error("{\"n\": [\"three\"], \"x\": [[[0, 1]]], \"liked\": [[1]], \"count\": [[1]]}"));
    assertEquals("test-data.json: 'liked'[0][0] is null; missing values are not supported",
        error("{\"n\": [3], \"x\": [[[0, 1]]], \"liked\": [[null]], \"count\": [[1]]}"));
  }

  @Test
  void invalidJsonSaysWhere() {
    String message = error("{\"n\": [3, \"x\": }");
    assertEquals(true, message.startsWith("test-data.json: not valid JSON: "), message);
  }

  @Test
  void onlyStrictJsonIsAcceptedApartFromNanAndInfinity() {
    String valid = "{\"n\": [3], \"x\": [[[0, 1]]], \"liked\": [[1]],\n \"count\": [[1]]}";
    assertEquals("test-data.json: not valid JSON: a comment (JSON has none) at line 1 column 1",
        error("// reviews\n" + valid));
    assertEquals("test-data.json: not valid JSON: unquoted text 'n' (names and strings need double quotes) at line 1"
        + " column 2", error(valid.replace("\"n\"", "n")));
    assertEquals("test-data.json: not valid JSON: a single quote (JSON strings take double quotes) at line 1 column 2",
        error(valid.replace("\"n\"", "'n'")));
    assertEquals("test-data.json: not valid JSON: a comma before ']' (trailing commas are not JSON) at line 2 column 15",
        error(valid.replace("[[1]]}", "[[1],]}")));
    assertEquals("test-data.json: not valid JSON: a missing value before ',' at line 1 column 10",
        error(valid.replace("[3]", "[3,,]")));
    assertEquals("test-data.json: not valid JSON: '+3' is not a JSON number at line 1 column 8",
        error(valid.replace("[3]", "[+3]")));
    assertEquals("test-data.json: 'n'[0] is NaN; values must be finite numbers", error(valid.replace("[3]", "[NaN]")));
  }

  @Test
  void unusedNamesAreWarnings() {
    var bound = Models.bind(model, "{\"n\": [3], \"x\": [[[0, 1]]], \"liked\": [[1]], \"count\": [[1]], \"p\": 0.5,"
        + " \"extra\": 1}");
    assertEquals(2, bound.warnings().size());
    assertEquals("test-data.json: 'p' is a latent variable of model Reviews; its value in the data is ignored",
        bound.warnings().get(0));
  }
}
