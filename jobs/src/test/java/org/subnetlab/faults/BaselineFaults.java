package org.subnetlab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;

/** Bad inputs that were already handled well; kept here so that they stay so. */
final class BaselineFaults implements FaultCases {
  @Override
  public List<FaultCase> cases() {
    return List.of(
        FaultCase.of("a config value out of range is named before any work", "baseline")
            .setup(ws -> ws.write("bad.conf", "masks.csordas.steps = -3\n"))
            .args(
                ws ->
                    List.of(
                        "run", ws.path("bad.conf").toString(), "--out", ws.path("out").toString()))
            .message("Cannot set masks.csordas.steps to -3")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()),
        FaultCase.of("an unknown --set key is named", "baseline")
            .args(
                ws ->
                    List.of(
                        "run",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--set",
                        "masks.sedes=[1]"))
            .message("unknown key masks.sedes")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()),
        FaultCase.of("a missing config file is named", "baseline")
            .args(ws -> List.of("run", ws.path("none.conf").toString()))
            .message("none.conf: no such file"),
        FaultCase.of("train-masks without a base model says what to run", "baseline")
            .args(
                ws ->
                    List.of(
                        "train-masks",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString()))
            .message("No base model at", "run `subnetlab train-model`"),
        FaultCase.of("aggregate of a finished sweep that lost one mask file names it", "baseline")
            .setup(
                ws -> {
                  var out = ws.finishedSweep("out");
                  try (var s = Files.list(out.resolve("masks"))) {
                    Files.delete(
                        s.filter(f -> f.toString().endsWith(".parquet"))
                            .sorted()
                            .findFirst()
                            .orElseThrow());
                  }
                })
            .args(
                ws ->
                    List.of(
                        "aggregate",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString()))
            .message("1 of 8 runs of this sweep are not finished"));
  }
}
