package org.alan.runtime.model;

public enum VariableKind { LATENT, DATA, INPUT }
