package org.alan.stdlib;

import java.util.Arrays;
import java.util.Optional;

/**
 * The learnable-parameter markers allowed in a guide: {@code qem(init)} is fitted by QEM moment matching,
 * {@code learn(init)} by gradient (VI or RWS). Until a fitting method runs, a parameter holds its initial value.
 */
public enum GuideParameter {
  QEM("qem"),
  LEARN("learn");

  private final String alanName;

  GuideParameter(String alanName) {
    this.alanName = alanName;
  }

  public String alanName() {
    return alanName;
  }

  public static Optional<GuideParameter> byName(String name) {
    return Arrays.stream(values()).filter(p -> p.alanName.equals(name)).findFirst();
  }
}
