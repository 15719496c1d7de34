package org.subnetlab.nativeblas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.subnetlab.nativeblas.NativeKernels.Cpu;

class NativeKernelsTest {
  private static final String AVX2 = "fpu sse2 avx fma avx2 bmi2";

  private static Cpu cpu(String vendor, int family, String flags) {
    return Cpu.parse(
        List.of(
            "processor\t: 0",
            "vendor_id\t: " + vendor,
            "cpu family\t: " + family,
            "model name\t: test",
            "flags\t\t: " + flags,
            "",
            "processor\t: 1",
            "vendor_id\t: OtherVendor",
            "cpu family\t: 1",
            "flags\t\t: fpu"));
  }

  @Test
  void readsTheFirstProcessorOfCpuinfo() {
    Cpu c = cpu("AuthenticAMD", 26, AVX2);
    assertThat(c.vendor()).isEqualTo("AuthenticAMD");
    assertThat(c.family()).isEqualTo(26);
    assertThat(c.flags()).contains("avx2", "fma").doesNotContain("processor");
  }

  @Test
  void asksForAvx2KernelsOnlyOnAmdCpusNewerThanTheBundledOpenBlasKnows() {
    assertThat(NativeKernels.coreFor(cpu("AuthenticAMD", 26, AVX2))).contains("Haswell");
    assertThat(NativeKernels.coreFor(cpu("AuthenticAMD", 27, AVX2 + " avx512f")))
        .contains("Haswell");
    // Zen 1-4 (0x17, 0x19) OpenBLAS 0.3.19 detects itself; Intel too; no AVX2, no choice.
    assertThat(NativeKernels.coreFor(cpu("AuthenticAMD", 25, AVX2))).isEmpty();
    assertThat(NativeKernels.coreFor(cpu("GenuineIntel", 6, AVX2))).isEmpty();
    assertThat(NativeKernels.coreFor(cpu("AuthenticAMD", 26, "fpu sse2 avx"))).isEmpty();
    assertThat(NativeKernels.coreFor(Cpu.UNKNOWN)).isEmpty();
  }

  @Test
  void theLoadedOpenBlasRunsTheSelectedKernels() {
    Optional<String> selected = NativeKernels.select();
    NativeThreads.limit(1); // loads OpenBLAS
    String loaded = NativeKernels.loadedCore();
    assertThat(loaded).isNotEqualTo("unknown");
    selected.ifPresent(core -> assertThat(loaded).isEqualToIgnoringCase(core));
    // This machine's own choice, when the user made none: never OpenBLAS's SSE2 fall-back here.
    if (System.getenv(NativeKernels.VARIABLE) == null
        && NativeKernels.coreFor(Cpu.read(java.nio.file.Path.of("/proc/cpuinfo"))).isPresent()) {
      assertThat(loaded).isEqualTo("Haswell");
    }
  }
}
