package org.subnetlab.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where each parameter block lives in DL4J's flattened parameter vector: names as DL4J gives them
 * ({@code 0_W}, {@code 0_b}, …; W in DL4J's column-major order), offsets and sizes, in order.
 */
public record ParamLayout(List<String> names, long[] offsets, long[] sizes)
    implements Serializable {

  /** Reads the layout of an initialised network. */
  public static ParamLayout of(Network net) {
    return of(net.model());
  }

  public static ParamLayout of(Model net) {
    List<String> names = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
      names.add(e.getKey());
      sizes.add(e.getValue().length());
    }
    long[] off = new long[names.size()];
    long[] sz = new long[names.size()];
    long total = 0;
    for (int i = 0; i < sz.length; i++) {
      off[i] = total;
      sz[i] = sizes.get(i);
      total += sz[i];
    }
    if (total != net.numParams()) {
      throw new IllegalStateException(
          "parameter table covers " + total + " of " + net.numParams() + " parameters");
    }
    return new ParamLayout(List.copyOf(names), off, sz);
  }

  public int layers() {
    return names.size();
  }

  public String name(int layer) {
    return names.get(layer);
  }

  public int offset(int layer) {
    return Math.toIntExact(offsets[layer]);
  }

  public int size(int layer) {
    return Math.toIntExact(sizes[layer]);
  }

  public int total() {
    return layers() == 0 ? 0 : offset(layers() - 1) + size(layers() - 1);
  }
}
