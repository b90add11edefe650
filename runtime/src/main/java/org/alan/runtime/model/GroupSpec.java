package org.alan.runtime.model;

/**
 * A latent group: one K dimension.
 *
 * @param members variable ids in sampling order
 * @param guideParents the groups the members' proposals read (their particles are resampled onto this group's)
 */
public record GroupSpec(String name, int plate, int[] members, int[] guideParents) {}
