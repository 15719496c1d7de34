package org.subnetlab;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.subnetlab.jobs.PipelineJob;
import org.subnetlab.mask.Mask;

/**
 * The package structure of the main code (docs/development.md, "Packages"), checked on the compiled
 * classes of both modules (test classes excluded):
 *
 * <ol>
 *   <li>no cycle between packages: every package {@code org.subnetlab.(**)} a slice (so {@code
 *       jobs}, {@code jobs.output}, {@code jobs.spark}, {@code jobs.report} are four);
 *   <li>no cycle between the top-level groups {@code org.subnetlab.(*)..} either ({@code jobs} with
 *       its subpackages is one group);
 *   <li>{@code common} imports nothing from Spark ({@code org.apache.spark..}) or Scala ({@code
 *       scala..}), nor any package of the {@code jobs} module;
 *   <li>every class depends on {@code org.subnetlab} classes only of its own package and of the
 *       packages its {@code package-info.java} lists after "May import:", and every package has a
 *       {@code package-info.java}.
 * </ol>
 *
 * The last tests run the same rules on synthetic classes ({@code org.subnetlab.archfixture}, in the
 * test sources) that break them, to show the rules can fail.
 */
class ArchitectureTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final List<Path> SOURCES =
      List.of(REPO.resolve("common/src/main/java"), REPO.resolve("jobs/src/main/java"));

  static final ArchRule PACKAGES_FREE_OF_CYCLES =
      slices().matching("org.subnetlab.(**)").should().beFreeOfCycles();
  static final ArchRule GROUPS_FREE_OF_CYCLES =
      slices().matching("org.subnetlab.(*)..").should().beFreeOfCycles();
  static final ArchRule NO_SPARK =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.spark..", "scala..");
  static final ArchRule NO_JOBS_MODULE =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.subnetlab.cli..", "org.subnetlab.jobs..", "org.subnetlab.bench..");

  static JavaClasses common;
  static JavaClasses all;

  @BeforeAll
  static void importClasses() {
    ClassFileImporter importer =
        new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
    Location commonClasses =
        Location.of(Mask.class.getProtectionDomain().getCodeSource().getLocation());
    Location jobsClasses =
        Location.of(PipelineJob.class.getProtectionDomain().getCodeSource().getLocation());
    common = importer.importLocations(Set.of(commonClasses));
    all = importer.importLocations(Set.of(commonClasses, jobsClasses));
  }

  @Test
  void importsBothModules() {
    // guards against a vacuous pass: the rules below see the classes they are about
    Set<String> packages =
        all.stream().map(JavaClass::getPackageName).collect(Collectors.toCollection(TreeSet::new));
    assertThat(packages)
        .contains(
            "org.subnetlab.config",
            "org.subnetlab.mask",
            "org.subnetlab.nativeblas",
            "org.subnetlab.jobs",
            "org.subnetlab.jobs.output",
            "org.subnetlab.jobs.spark",
            "org.subnetlab.jobs.report",
            "org.subnetlab.cli",
            "org.subnetlab.bench");
    assertThat(common.stream().map(JavaClass::getPackageName))
        .allMatch(
            p ->
                !p.startsWith("org.subnetlab.jobs")
                    && !p.startsWith("org.subnetlab.cli")
                    && !p.startsWith("org.subnetlab.bench"))
        .contains("org.subnetlab.model");
  }

  @Test
  void packagesAreFreeOfCycles() {
    PACKAGES_FREE_OF_CYCLES.check(all);
  }

  @Test
  void topLevelGroupsAreFreeOfCycles() {
    GROUPS_FREE_OF_CYCLES.check(all);
  }

  @Test
  void commonImportsNoSparkAndNoJobsModule() {
    NO_SPARK.check(common);
    NO_JOBS_MODULE.check(common);
  }

  @Test
  void everyPackageHasAPackageInfo() {
    Set<String> packages =
        all.stream().map(JavaClass::getPackageName).collect(Collectors.toCollection(TreeSet::new));
    assertThat(allowedImports().keySet()).containsAll(packages);
  }

  @Test
  void packagesImportOnlyWhatTheirPackageInfoAllows() {
    assertThat(violations(all, allowedImports())).isEmpty();
  }

  // ---- the rules can fail ----

  @Test
  void cycleRuleSeesASyntheticCycle() {
    JavaClasses fixture = new ClassFileImporter().importPackages("org.subnetlab.archfixture");
    EvaluationResult result = PACKAGES_FREE_OF_CYCLES.evaluate(fixture);
    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().toString()).contains("archfixture.a.A", "archfixture.b.B");
  }

  @Test
  void sparkRuleSeesASyntheticSparkImport() {
    JavaClasses fixture = new ClassFileImporter().importPackages("org.subnetlab.archfixture");
    EvaluationResult result = NO_SPARK.evaluate(fixture);
    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().toString()).contains("UsesSpark", "SparkSession");
  }

  @Test
  void allowedImportsRuleSeesAnImportNotListed() {
    JavaClasses fixture = new ClassFileImporter().importPackages("org.subnetlab.archfixture");
    // a may use b, b may use nothing: B -> A is the one violation
    Map<String, Set<String>> allowed =
        Map.of(
            "org.subnetlab.archfixture.a", Set.of("org.subnetlab.archfixture.b"),
            "org.subnetlab.archfixture.b", Set.of(),
            "org.subnetlab.archfixture.spark", Set.of());
    assertThat(violations(fixture, allowed))
        .singleElement()
        .asString()
        .contains("org.subnetlab.archfixture.b.B")
        .contains("org.subnetlab.archfixture.a.A");
  }

  @Test
  void packageInfoParserReadsTheListedPackages() {
    Map<String, Set<String>> allowed = allowedImports();
    assertThat(allowed.get("org.subnetlab.config")).isEmpty();
    assertThat(allowed.get("org.subnetlab.mask"))
        .containsExactlyInAnyOrder(
            "org.subnetlab.config",
            "org.subnetlab.task",
            "org.subnetlab.model",
            "org.subnetlab.numeric");
  }

  /** Each dependency of a class on an org.subnetlab class outside what its package may import. */
  static List<String> violations(JavaClasses classes, Map<String, Set<String>> allowed) {
    List<String> out = new ArrayList<>();
    for (JavaClass c : classes) {
      String from = c.getPackageName();
      Set<String> may = allowed.getOrDefault(from, Set.of());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String to = d.getTargetClass().getPackageName();
        if (to.startsWith("org.subnetlab.") && !to.equals(from) && !may.contains(to)) {
          out.add(from + " may not import " + to + ": " + d.getDescription());
        }
      }
    }
    return out;
  }

  private static final Pattern MAY_IMPORT =
      Pattern.compile("May import:(.*?)(?:<p>|\\*/)", Pattern.DOTALL);
  private static final Pattern CODE = Pattern.compile("\\{@code\\s+(org\\.subnetlab\\.[\\w.]+)\\}");

  /** Package → the packages its package-info.java lists after "May import:". */
  static Map<String, Set<String>> allowedImports() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (Path root : SOURCES) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.endsWith("package-info.java")).toList()) {
          String text = Files.readString(f).replaceAll("\\n\\s*\\*(?!/)", " ");
          Matcher m = MAY_IMPORT.matcher(text);
          assertThat(m.find()).as("%s says what it may import", f).isTrue();
          Set<String> may = new TreeSet<>();
          Matcher code = CODE.matcher(m.group(1));
          while (code.find()) {
            may.add(code.group(1));
          }
          String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
          out.put(pkg, may);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return out;
  }
}
