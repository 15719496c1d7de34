package org.subnetlab.jobs.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.subnetlab.config.TaskSettings;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.Network;
import org.subnetlab.nativeblas.NativeKernels;
import org.subnetlab.nativeblas.NativeThreads;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/**
 * What an executor JVM builds once and shares between its tasks: the task's data (deterministic
 * from its settings) and the deserialised base model (tasks take a private clone).
 */
public final class ExecutorCache {
  private static final Map<String, Task> TASKS = new ConcurrentHashMap<>();
  private static final Map<String, Network> MODELS = new ConcurrentHashMap<>();

  static {
    NativeKernels.select(); // an executor's tasks come here before they load a model
  }

  private ExecutorCache() {}

  static Task task(TaskSettings s, long seed) {
    return TASKS.computeIfAbsent(s + "|" + seed, k -> Tasks.create(s, seed));
  }

  /** A private copy of the model with fingerprint {@code key}, deserialised once per JVM. */
  public static Network model(String key, byte[] bytes) {
    Network shared = MODELS.computeIfAbsent(key, k -> ModelStore.fromBytes(bytes));
    synchronized (shared) {
      return shared.copy();
    }
  }

  /** One native (OpenMP/BLAS) thread per Spark core the task holds. */
  public static void limitNativeThreads(int cores) {
    NativeThreads.limit(cores);
  }
}
