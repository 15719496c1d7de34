package org.subnetlab.model;

/** Accuracy and mean cross-entropy of a network on a set of examples. */
public record Evaluation(double accuracy, double loss, int examples) {}
