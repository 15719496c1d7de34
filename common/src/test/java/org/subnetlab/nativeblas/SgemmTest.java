package org.subnetlab.nativeblas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.subnetlab.nativeblas.NativeKernels.Cpu;

class SgemmTest {
  private static boolean avx512Here() {
    return Sgemm.cpuHasAvx512(Cpu.read(Path.of("/proc/cpuinfo")));
  }

  @Test
  void usesTheSmallKernelsExactlyWhenTheCpuHasEveryAvx512SubsetTheyNeed() {
    assertThat(
            Sgemm.cpuHasAvx512(
                new Cpu(
                    "AuthenticAMD",
                    26,
                    List.of(
                        "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"))))
        .isTrue();
    assertThat(
            Sgemm.cpuHasAvx512(
                new Cpu("GenuineIntel", 6, List.of("avx2", "fma", "avx512f", "avx512cd"))))
        .isFalse(); // Xeon Phi: no BW/DQ/VL
    assertThat(Sgemm.cpuHasAvx512(new Cpu("AuthenticAMD", 25, List.of("avx2", "fma")))).isFalse();
    // Here: on when the CPU has them (this machine does), off otherwise; the self-check passed.
    assertThat(Sgemm.smallKernels()).isEqualTo(avx512Here());
    if (avx512Here()) {
      assertThat(Sgemm.selfCheck()).isNull();
    }
  }

  /** Both paths on every transposition, ragged shapes and padded leading dimensions. */
  @ParameterizedTest
  @CsvSource({
    "32,128,35",
    "128,35,32",
    "32,16,128",
    "1,1,1",
    "5,1,300",
    "129,65,33",
    "300,2,7",
    "17,256,784"
  })
  void smallKernelsGiveCblasSgemmsProducts(int m, int n, int k) {
    assumeTrue(Sgemm.smallKernels(), "no AVX-512 small kernels on this CPU");
    SplittableRandom random = new SplittableRandom(m * 31L + n * 7L + k);
    for (int form = 0; form < 4; form++) {
      for (int pad : new int[] {0, 5}) {
        assertThat(Sgemm.compare((form & 1) != 0, (form & 2) != 0, m, n, k, pad, random))
            .as("form %d pad %d", form, pad)
            .isNull();
      }
    }
  }
}
