package org.alan.runtime.io;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.PlateSpec;
import org.alan.runtime.model.VariableKind;
import org.alan.runtime.model.VariableSpec;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a table in long format: a header row naming the model's inputs and observed variables (vector
 * coordinates as {@code x.1 … x.18} or {@code x[1]}, 1-based), then one row per element of the plate they live in.
 * A table holds the variables of one plate (as a person reads it: a plate grouped by an index input is a plate of
 * rows), and may also hold
 * <ul>
 *   <li>top-level variables, the same in every row;</li>
 *   <li>variables of the plate an index column points into (a county's uranium level repeated on each of its
 *       houses' rows), the same on every row naming the same element; every element must be named by some row.</li>
 * </ul>
 * Values are numbers, or {@code true}/{@code false}; a comma-separated file ({@code .csv}) or tab-separated
 * ({@code .tsv}). Columns that name nothing in the model are noted and ignored. Every error names the file, line and
 * column.
 */
public final class CsvData {
  private CsvData() {}

  private static final Pattern DOTTED = Pattern.compile("([A-Za-z_][A-Za-z_0-9]*)((?:\\.[0-9]+)+)");
  private static final Pattern BRACKETED = Pattern.compile("([A-Za-z_][A-Za-z_0-9]*)((?:\\[[0-9 ,]+\\])+)");

  /** One header cell: the variable it names and the event coordinate (flat, 0-based) it holds. */
  private record Column(int index, String header, VariableSpec variable, int coordinate) {}

  public static DataSet read(ModelSpec spec, Path file) {
    String origin = file.toString();
    CSVFormat format = (origin.toLowerCase(Locale.ROOT).endsWith(".tsv") ? CSVFormat.TDF : CSVFormat.DEFAULT)
        .builder().setHeader().setSkipHeaderRecord(true).setIgnoreSurroundingSpaces(true).build();
    List<CSVRecord> records;
    List<String> headers;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = format.parse(reader)) {
      headers = parser.getHeaderNames();
      records = parser.getRecords();
    } catch (NoSuchFileException e) {
      throw new DataException(origin + ": no such file");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new DataException(origin + ": the file is not UTF-8 text");
    } catch (IOException e) {
      throw new DataException("cannot read " + IoErrors.describe(e));
    } catch (java.io.UncheckedIOException e) {
      // commons-csv reports a quoted cell left open at the end of the file this way, with its starting line
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String why = cause.getMessage() == null ? "a quoted cell is left open" : cause.getMessage();
      throw new DataException(origin + ": not a valid table: " + why.replace("(startline", "(line")
          + "; a cell that begins with \" must end with one");
    } catch (IllegalArgumentException | IllegalStateException e) {
      // commons-csv reports a duplicate or empty header, or a malformed quote, this way
      throw new DataException(origin + ": not a valid table: " + e.getMessage());
    }
    return table(spec, origin, headers, records);
  }

  private static DataSet table(ModelSpec spec, String origin, List<String> headers, List<CSVRecord> records) {
    DataSet out = new DataSet(origin);
    Map<VariableSpec, List<Column>> columns = new LinkedHashMap<>();
    for (int c = 0; c < headers.size(); c++) {
      String header = headers.get(c).startsWith("\uFEFF") ? headers.get(c).substring(1) : headers.get(c);
      Column column = column(spec, origin, c, header);
      if (column == null) {
        out.note(origin + ": column '" + header + "' is not an input or observed variable of model " + spec.name()
            + "; ignored");
        continue;
      }
      columns.computeIfAbsent(column.variable(), v -> new ArrayList<>()).add(column);
    }
    if (columns.isEmpty()) {
      throw new DataException(origin + ": no column names an input or observed variable of model " + spec.name()
          + " (the header is " + String.join(",", headers) + ")");
    }
    if (records.isEmpty()) {
      throw new DataException(origin + ": the table has a header but no rows");
    }
    int rowPlate = rowPlate(spec, origin, columns.keySet());
    VariableSpec index = indexColumn(spec, rowPlate, columns.keySet());
    for (Map.Entry<VariableSpec, List<Column>> e : columns.entrySet()) {
      VariableSpec v = e.getKey();
      Column[] byCoordinate = coordinates(origin, v, e.getValue());
      double[][] cells = new double[records.size()][];
      for (int r = 0; r < records.size(); r++) {
        cells[r] = new double[byCoordinate.length];
        for (int j = 0; j < byCoordinate.length; j++) {
          cells[r][j] = number(origin, records.get(r), byCoordinate[j]);
        }
      }
      if (v.plate() == rowPlate && rowPlate != 0) {
        double[] flat = new double[records.size() * byCoordinate.length];
        for (int r = 0; r < cells.length; r++) {
          System.arraycopy(cells[r], 0, flat, r * byCoordinate.length, byCoordinate.length);
        }
        out.put(v.name(), new Array(flat, dims(records.size(), v.shape())));
        out.locate(v.name(), flatIndex -> origin + ":" + line(records.get(flatIndex / byCoordinate.length))
            + ": column '" + byCoordinate[flatIndex % byCoordinate.length].header() + "'");
      } else if (v.plate() == 0) {
        for (int r = 1; r < cells.length; r++) {
          for (int j = 0; j < byCoordinate.length; j++) {
            if (Double.compare(cells[r][j], cells[0][j]) != 0) {
              throw new DataException(origin + ":" + line(records.get(r)) + ": column '" + byCoordinate[j].header()
                  + "' is " + DataBinder.format(cells[r][j]) + " but " + DataBinder.format(cells[0][j])
                  + " on the first row: '" + v.name() + "' is a single value of the model, the same on every row");
            }
          }
        }
        out.put(v.name(), new Array(cells[0].clone(), v.shape().clone()));
        out.locate(v.name(), flatIndex -> origin + ":" + line(records.get(0)) + ": column '"
            + byCoordinate[flatIndex].header() + "'");
      } else {
        perElement(spec, origin, out, v, byCoordinate, cells, records, index == null ? null : columns.get(index).get(0));
      }
    }
    return out;
  }

  /**
   * The plate whose elements the rows are: the one plate (other than the top level) that the columns' variables
   * live in, leaving aside the plate an index column points into. 0 when every column is a top-level variable.
   */
  private static int rowPlate(ModelSpec spec, String origin, Set<VariableSpec> variables) {
    Set<Integer> plates = new LinkedHashSet<>();
    for (VariableSpec v : variables) {
      if (v.plate() != 0) {
        plates.add(v.plate());
      }
    }
    for (int p : plates) {
      if (spec.userChain(p).length > 2) {
        throw new DataException(origin + ": '" + names(spec, variables, p) + "' live in plate '"
            + spec.plates()[p].name() + "', which is nested in another plate; a table holds the variables of a"
            + " plate of the top level (give nested plates' variables as JSON arrays)");
      }
    }
    // a plate grouped by an index column in this table: the rows are its rows
    for (int p : plates) {
      PlateSpec ps = spec.plates()[p];
      if (ps.grouped() && variables.contains(spec.variables()[ps.indexInput()])) {
        for (int q : plates) {
          if (q != p && q != ps.parent()) {
            throw mixedPlates(spec, origin, variables, p, q);
          }
        }
        return p;
      }
    }
    if (plates.size() > 1) {
      var it = plates.iterator();
      throw mixedPlates(spec, origin, variables, it.next(), it.next());
    }
    return plates.isEmpty() ? 0 : plates.iterator().next();
  }

  private static DataException mixedPlates(ModelSpec spec, String origin, Set<VariableSpec> variables, int a, int b) {
    return new DataException(origin + ": the table mixes variables of plate '" + spec.plates()[a].name() + "' ("
        + names(spec, variables, a) + ") and plate '" + spec.plates()[b].name() + "' (" + names(spec, variables, b)
        + "); give each plate's variables in a table of their own (--data a.csv --data b.csv)");
  }

  private static String names(ModelSpec spec, Set<VariableSpec> variables, int plate) {
    return String.join(", ", variables.stream().filter(v -> v.plate() == plate).map(VariableSpec::name).toList());
  }

  /** The index column of the rows' plate, when it is in the table. */
  private static VariableSpec indexColumn(ModelSpec spec, int rowPlate, Set<VariableSpec> variables) {
    PlateSpec ps = spec.plates()[rowPlate];
    if (ps.grouped() && variables.contains(spec.variables()[ps.indexInput()])) {
      return spec.variables()[ps.indexInput()];
    }
    return null;
  }

  /**
   * A variable of the plate the index column points into, repeated on its rows: one value per element, the same
   * on every row naming it.
   */
  private static void perElement(ModelSpec spec, String origin, DataSet out, VariableSpec v, Column[] columns,
      double[][] cells, List<CSVRecord> records, Column indexColumn) {
    if (indexColumn == null) {
      throw new DataException(origin + ": '" + v.name() + "' lives in plate '" + spec.plates()[v.plate()].name()
          + "', not in the plate of the table's rows; give it in a table of its own");
    }
    VariableSpec index = indexColumn.variable();
    int base = spec.plates()[index.plate()].indexBase();
    int fixed = spec.plates()[v.plate()].fixedSize();
    int[] element = new int[records.size()];
    int elements = fixed;
    for (int r = 0; r < records.size(); r++) {
      double value = number(origin, records.get(r), indexColumn);
      if (value != Math.rint(value) || value < base || fixed > 0 && value - base >= fixed) {
        throw new DataException(origin + ":" + line(records.get(r)) + ": column '" + indexColumn.header() + "' = "
            + DataBinder.format(value) + " does not name an element of plate '" + spec.plates()[v.plate()].name()
            + "' (indexes are integers from " + base + ")");
      }
      element[r] = (int) value - base;
      if (fixed <= 0) {
        elements = Math.max(elements, element[r] + 1);
      }
    }
    int size = columns.length;
    double[] flat = new double[elements * size];
    int[] firstRow = new int[elements];
    java.util.Arrays.fill(firstRow, -1);
    for (int r = 0; r < records.size(); r++) {
      int e = element[r];
      if (firstRow[e] < 0) {
        firstRow[e] = r;
        System.arraycopy(cells[r], 0, flat, e * size, size);
        continue;
      }
      for (int j = 0; j < size; j++) {
        if (Double.compare(cells[r][j], flat[e * size + j]) != 0) {
          throw new DataException(origin + ":" + line(records.get(r)) + ": column '" + columns[j].header() + "' is "
              + DataBinder.format(cells[r][j]) + " but " + DataBinder.format(flat[e * size + j]) + " at line "
              + line(records.get(firstRow[e])) + ", which names the same element of plate '"
              + spec.plates()[v.plate()].name() + "' (" + index.name() + " = " + (e + base) + "): '" + v.name()
              + "' is one value per element of that plate");
        }
      }
    }
    for (int e = 0; e < elements; e++) {
      if (firstRow[e] < 0) {
        throw new DataException(origin + ": no row has " + index.name() + " = " + (e + base) + ", so '" + v.name()
            + "' of that element of plate '" + spec.plates()[v.plate()].name() + "' is not given; give plate '"
            + spec.plates()[v.plate()].name() + "' its own table");
      }
    }
    out.put(v.name(), new Array(flat, dims(elements, v.shape())));
    out.locate(v.name(), flatIndex -> origin + ":" + line(records.get(firstRow[flatIndex / size])) + ": column '"
        + columns[flatIndex % size].header() + "'");
  }

  /** The columns of a variable in coordinate order, every coordinate present once. */
  private static Column[] coordinates(String origin, VariableSpec v, List<Column> given) {
    Column[] out = new Column[v.size()];
    for (Column c : given) {
      if (out[c.coordinate()] != null) {
        throw new DataException(origin + ": columns '" + out[c.coordinate()].header() + "' and '" + c.header()
            + "' both hold the same value of '" + v.name() + "'");
      }
      out[c.coordinate()] = c;
    }
    List<String> missing = new ArrayList<>();
    for (int j = 0; j < out.length; j++) {
      if (out[j] == null) {
        missing.add(v.name() + coordinateSuffix(j, v.shape()));
      }
    }
    if (!missing.isEmpty()) {
      throw new DataException(origin + ": '" + v.name() + "' has shape " + java.util.Arrays.toString(v.shape())
          + " but the table lacks column" + (missing.size() == 1 ? " " : "s ")
          + String.join(", ", missing.subList(0, Math.min(5, missing.size()))) + (missing.size() > 5 ? ", ..." : ""));
    }
    return out;
  }

  private static String coordinateSuffix(int flat, int[] shape) {
    StringBuilder b = new StringBuilder();
    for (int i : Indices.unflatten(flat, shape)) {
      b.append('.').append(i + 1);
    }
    return b.toString();
  }

  /** The variable and coordinate a header names, or null when it names nothing the data gives. */
  private static Column column(ModelSpec spec, String origin, int index, String header) {
    String name = header;
    int[] coordinates = new int[0];
    Matcher dotted = DOTTED.matcher(header);
    Matcher bracketed = BRACKETED.matcher(header);
    if (spec.variableIndex(header) < 0 && dotted.matches()) {
      name = dotted.group(1);
      coordinates = parseCoordinates(dotted.group(2).substring(1).split("\\."));
    } else if (spec.variableIndex(header) < 0 && bracketed.matches()) {
      name = bracketed.group(1);
      coordinates = parseCoordinates(bracketed.group(2).replaceAll("[\\[\\] ]+", ",").replaceAll("^,|,$", "")
          .split(","));
    }
    int id = spec.variableIndex(name);
    if (id < 0 || spec.variables()[id].kind() == VariableKind.LATENT) {
      return null;
    }
    VariableSpec v = spec.variables()[id];
    if (coordinates.length != v.shape().length) {
      throw new DataException(origin + ": column '" + header + "' gives " + (coordinates.length == 0 ? "a single value"
          : coordinates.length + " coordinates") + " of '" + v.name() + "', which has shape "
          + java.util.Arrays.toString(v.shape()) + (v.shape().length == 0 ? " (a single number per row)"
          : "; name its columns " + v.name() + coordinateSuffix(0, v.shape()) + " … " + v.name()
              + coordinateSuffix(v.size() - 1, v.shape())));
    }
    int flat = 0;
    for (int i = 0; i < coordinates.length; i++) {
      if (coordinates[i] < 1 || coordinates[i] > v.shape()[i]) {
        throw new DataException(origin + ": column '" + header + "': coordinate " + coordinates[i] + " of '"
            + v.name() + "' is outside 1.." + v.shape()[i] + " (coordinates are 1-based)");
      }
      flat = flat * v.shape()[i] + coordinates[i] - 1;
    }
    return new Column(index, header, v, flat);
  }

  private static int[] parseCoordinates(String[] parts) {
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Integer.parseInt(parts[i].trim());
    }
    return out;
  }

  private static double number(String origin, CSVRecord record, Column column) {
    if (column.index() < 0 || column.index() >= record.size()) {
      throw new DataException(origin + ":" + line(record) + ": the row has " + record.size() + " cells, no value for"
          + " column '" + column.header() + "'");
    }
    String cell = record.get(column.index()).trim();
    if (cell.isEmpty() || cell.equalsIgnoreCase("NA") || cell.equalsIgnoreCase("nan") || cell.equalsIgnoreCase("null")) {
      throw new DataException(origin + ":" + line(record) + ": column '" + column.header() + "' has no value ("
          + (cell.isEmpty() ? "an empty cell" : "'" + cell + "'") + "); missing values are not supported: drop the row"
          + " or impute it");
    }
    if (cell.equalsIgnoreCase("true")) {
      return 1;
    }
    if (cell.equalsIgnoreCase("false")) {
      return 0;
    }
    try {
      double v = Double.parseDouble(cell);
      if (!Double.isFinite(v) || cell.matches(".*[a-zA-Z&&[^eE]].*")) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new DataException(origin + ":" + line(record) + ": column '" + column.header() + "' is '" + cell
          + "', not a number (values are numbers, or true/false)");
    }
  }

  /** The line of a record in its file (the header is line 1; a record with no embedded newlines is one line). */
  private static long line(CSVRecord record) {
    return record.getRecordNumber() + 1;
  }

  private static int[] dims(int rows, int[] shape) {
    int[] dims = new int[1 + shape.length];
    dims[0] = rows;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    return dims;
  }
}
