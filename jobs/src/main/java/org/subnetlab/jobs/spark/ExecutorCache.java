package org.subnetlab.jobs.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.subnetlab.config.TaskSettings;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.BaseModels;
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
  private static final Map<String, BaseModel> MODELS = new ConcurrentHashMap<>();

  static {
    NativeKernels.select(); // an executor's tasks come here before they load a model
  }

  private ExecutorCache() {}

  static Task task(TaskSettings s, long seed) {
    return TASKS.computeIfAbsent(s + "|" + seed, k -> Tasks.create(s, seed));
  }

  /** The task as token sequences ({@code model.kind = transformer}), built once per JVM. */
  static Task tokenTask(TaskSettings s, long seed) {
    return TASKS.computeIfAbsent("tokens|" + s + "|" + seed, k -> Tasks.tokens(s, seed));
  }

  /**
   * The model with fingerprint {@code key}, deserialised once per JVM: a private copy of a DL4J
   * network, the shared (immutable) GPT-2.
   */
  public static BaseModel model(String key, byte[] bytes) {
    BaseModel shared = MODELS.computeIfAbsent(key, k -> BaseModels.fromBytes(bytes));
    if (shared instanceof Network n) {
      synchronized (n) {
        return n.copy();
      }
    }
    return shared;
  }

  /** One native (OpenMP/BLAS) thread per Spark core the task holds. */
  public static void limitNativeThreads(int cores) {
    NativeThreads.limit(cores);
  }
}
