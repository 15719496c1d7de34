package org.subnetlab.config;

import java.util.List;
import java.util.ServiceLoader;

/**
 * The mask methods there are, as the config sees them. The methods live above this package (they
 * train on models, which read settings), so the config finds their declarations through this
 * service: the one implementation, {@code org.subnetlab.mask.MaskMethods.Catalog}, is named in
 * {@code META-INF/services} and lists every method registered in {@code MaskMethods}.
 */
public interface MethodCatalog {
  /** Every registered method's declaration, in registration order. */
  List<MethodDeclaration> methods();

  /** The catalog on the class path. */
  static MethodCatalog installed() {
    return Holder.CATALOG;
  }

  /** Loads the catalog once. */
  final class Holder {
    static final MethodCatalog CATALOG =
        ServiceLoader.load(MethodCatalog.class, MethodCatalog.class.getClassLoader())
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "No mask method catalog on the class path"
                            + " (META-INF/services/"
                            + MethodCatalog.class.getName()
                            + ")"));

    private Holder() {}
  }
}
