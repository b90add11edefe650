package org.alan.runtime.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.alan.runtime.model.ModelSpec;

/**
 * Reads the data of a run from one or more files: JSON ({@link JsonData}) or tables ({@link CsvData}, {@code .csv}
 * and {@code .tsv}), each variable given once over all of them.
 */
public final class DataFiles {
  private DataFiles() {}

  public static DataSet read(ModelSpec spec, List<Path> files) {
    if (files.isEmpty()) {
      throw new DataException("no data file given");
    }
    if (files.size() == 1) {
      return read(spec, files.get(0));
    }
    DataSet out = new DataSet(String.join(", ", files.stream().map(Path::toString).toList()));
    for (Path file : files) {
      out.putAll(read(spec, file));
    }
    return out;
  }

  public static DataSet read(ModelSpec spec, Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".csv") || name.endsWith(".tsv") ? CsvData.read(spec, file) : JsonData.read(file);
  }
}
