package org.alan.runtime.plan;

/**
 * The work of one element of a plate.
 *
 * @param ownGroups the groups living in this plate, in elimination order
 * @param factors the factors evaluated per element of this plate
 */
public record PlatePlan(int plate, int[] ownGroups, int[] factors, ChildSlot[] children, Step[] steps,
    FinalOutput[] finals) {}
