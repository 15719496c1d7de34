package org.subnetlab.nativeblas;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which CPU kernels OpenBLAS runs. The OpenBLAS that nd4j-native pins (0.3.19) does not know AMD
 * CPUs newer than Zen 4 (family 0x1A, Zen 5, on) and runs them with its oldest x86-64 kernels
 * ("Barcelona", SSE2): the sgemm chain of a csordas sample on the demo MLP takes 2.1× as long as
 * with its AVX2 ("Haswell") kernels, the ones it gives Zen 1–4. On such a CPU with AVX2 and FMA,
 * {@link #select} sets {@code OPENBLAS_CORETYPE=Haswell} for this process.
 *
 * <p>A {@code OPENBLAS_CORETYPE} already set is always left alone: it is how a user picks other
 * kernels ({@code SkylakeX} on an AVX-512 CPU measured another 2.1× on that chain, but 0.3.19 never
 * validated its AVX-512 kernels on AMD, so that stays the user's choice; {@link Sgemm} calls only
 * its AVX-512 small-matrix kernels, directly, after checking them against cblas_sgemm). OpenBLAS
 * reads the variable once, when it loads, so {@link #select} runs in the static initialisers of the
 * classes that call it here ({@link NativeThreads}, {@link BlasMlpPass}, {@link Sgemm}) and at the
 * entry points, before ND4J loads its own copy.
 */
public final class NativeKernels {
  private static final Logger LOG = LoggerFactory.getLogger(NativeKernels.class);
  static final String VARIABLE = "OPENBLAS_CORETYPE";
  private static final String CHOICE = apply();

  private NativeKernels() {}

  /** libc's setenv: OpenBLAS reads the process environment, not Java's copy of it. */
  private interface LibC extends Library {
    int setenv(String name, String value, int overwrite);
  }

  /**
   * The {@code OPENBLAS_CORETYPE} of this process: the user's, the one set here, or empty (OpenBLAS
   * detects the CPU itself). Idempotent; effective only before OpenBLAS loads.
   */
  public static Optional<String> select() {
    return Optional.ofNullable(CHOICE);
  }

  private static String apply() {
    String user = System.getenv(VARIABLE);
    if (user != null && !user.isBlank()) {
      return user;
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux")) {
      return null;
    }
    Optional<String> core = coreFor(Cpu.read(Path.of("/proc/cpuinfo")));
    if (core.isEmpty()) {
      return null;
    }
    try {
      LibC libc = (LibC) Native.loadLibrary("c", LibC.class);
      if (libc.setenv(VARIABLE, core.get(), 0) != 0) {
        return null;
      }
      LOG.debug("{}={}: a CPU newer than the bundled OpenBLAS knows", VARIABLE, core.get());
      return core.get();
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("could not set {} ({}); OpenBLAS picks its own kernels", VARIABLE, e.toString());
      return null;
    }
  }

  /** What /proc/cpuinfo says of the first processor. */
  record Cpu(String vendor, int family, List<String> flags) {
    static final Cpu UNKNOWN = new Cpu("", -1, List.of());

    static Cpu read(Path cpuinfo) {
      try {
        return parse(Files.readAllLines(cpuinfo));
      } catch (IOException | RuntimeException e) {
        return UNKNOWN;
      }
    }

    static Cpu parse(List<String> lines) {
      String vendor = "";
      int family = -1;
      List<String> flags = List.of();
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (line.isBlank()) {
          break; // end of the first processor
        }
        if (colon < 0) {
          continue;
        }
        String key = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        switch (key) {
          case "vendor_id" -> vendor = value;
          case "cpu family" -> family = Integer.parseInt(value);
          case "flags" -> flags = Arrays.asList(value.split("\\s+"));
          default -> {}
        }
      }
      return new Cpu(vendor, family, flags);
    }
  }

  /**
   * The kernels to ask for on {@code cpu} when the user has not: Haswell (AVX2 + FMA) on an AMD CPU
   * of family 0x1A or later, which OpenBLAS 0.3.19 would run with SSE2 kernels; else none.
   */
  static Optional<String> coreFor(Cpu cpu) {
    boolean unknownAmd = cpu.vendor().equals("AuthenticAMD") && cpu.family() >= 0x1A;
    boolean avx2 = cpu.flags().containsAll(List.of("avx2", "fma"));
    return unknownAmd && avx2 ? Optional.of("Haswell") : Optional.empty();
  }

  /**
   * What {@link BlasMlpPass}'s matrix products run on: OpenBLAS's AVX-512 small-matrix kernels
   * called directly, or {@code cblas_sgemm} with the kernels of {@link #loadedCore} (see {@link
   * Sgemm}).
   */
  public static String mlpProducts() {
    return Sgemm.smallKernels()
        ? "AVX-512 small-matrix kernels (products up to 512^3 multiply-adds)"
        : "cblas_sgemm";
  }

  /**
   * The kernels the loaded OpenBLAS (the one {@link BlasMlpPass} calls) runs, as it names them
   * ("Haswell", "SkylakeX", "Barcelona", ...), or "unknown".
   */
  public static String loadedCore() {
    try {
      Function f = openblas().getFunction("openblas_get_corename");
      return f.invokeString(new Object[0], false).trim();
    } catch (RuntimeException | LinkageError e) {
      return "unknown";
    }
  }

  /**
   * The OpenBLAS that {@link BlasMlpPass} calls (JavaCPP's, loaded if it is not yet), for JNA to
   * look symbols up in. Throws what loading throws.
   */
  static NativeLibrary openblas() {
    return NativeLibrary.getInstance(Loader.load(openblas_nolapack.class));
  }
}
