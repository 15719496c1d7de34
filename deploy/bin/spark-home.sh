# Sourced by the deploy scripts: a Spark installation made of the project's Maven dependencies.
# `mvn -B -DskipTests package` resolves Spark 3.5 (deploy/pom.xml) and writes its classpath; this
# links those jars into deploy/target/spark-home/jars, the layout a Spark binary distribution has,
# so Spark's own launcher, master, worker and executor start exactly as they do from a download.
deploy_home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project_home="$(cd "$deploy_home/.." && pwd)"
spark_cp_file="$deploy_home/target/spark-classpath.txt"
if [[ -z "${SPARK_HOME:-}" ]]; then
  if [[ ! -f "$spark_cp_file" ]]; then
    echo "subnetlab deploy: no Spark classpath at $spark_cp_file; build first: mvn -B -DskipTests package" >&2
    exit 2
  fi
  export SPARK_HOME="$deploy_home/target/spark-home"
  if [[ ! -d "$SPARK_HOME/jars" || "$spark_cp_file" -nt "$SPARK_HOME/jars" ]]; then
    rm -rf "$SPARK_HOME/jars.tmp"
    mkdir -p "$SPARK_HOME/jars.tmp"
    tr ':' '\n' < "$spark_cp_file" | while IFS= read -r jar; do
      [[ -n "$jar" ]] && ln -sf "$jar" "$SPARK_HOME/jars.tmp/"
    done
    rm -rf "$SPARK_HOME/jars"
    mv "$SPARK_HOME/jars.tmp" "$SPARK_HOME/jars"
  fi
fi
# Logging and spark-submit defaults of this installation (deploy/conf), unless the user has theirs.
export SPARK_CONF_DIR="${SPARK_CONF_DIR:-$deploy_home/conf}"
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.12}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# One native BLAS/OpenMP thread per Spark task core (DESIGN.md); executors inherit it.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
cluster_jar() {
  local jar
  jar=$(ls "$project_home"/jobs/target/subnetlab-jobs-*-cluster.jar 2>/dev/null | head -n 1 || true)
  if [[ -z "$jar" ]]; then
    echo "subnetlab deploy: no cluster jar in jobs/target; build first: mvn -B -DskipTests package" >&2
    exit 2
  fi
  echo "$jar"
}
