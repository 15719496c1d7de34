package org.subnetlab.mask;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.subnetlab.config.Hyperparameters;
import org.subnetlab.config.MethodCatalog;
import org.subnetlab.config.MethodDeclaration;

/**
 * The registry of mask methods: each is registered once, by its declaration and its constructor
 * ({@link #register}); configuration validation, the sweep, the run-id hash and the docs' table
 * read the declarations from here (the config through {@link Catalog}). Creates methods by id from
 * their hyperparameters.
 */
public final class MaskMethods {
  private record Registered(
      MethodDeclaration declaration, Function<Hyperparameters, MaskMethod> factory) {}

  private static final Map<String, Registered> REGISTERED = new LinkedHashMap<>();

  static {
    // One line per method, in the order of reference.conf.
    register(CsordasMethod.DECLARATION, CsordasMethod::new);
    register(ContinuousSparsification.DECLARATION, ContinuousSparsification::new);
    register(LtSftMethod.DECLARATION, LtSftMethod::new);
    register(MagnitudeMethod.DECLARATION, MagnitudeMethod::new);
    register(LotteryTicketMethod.DECLARATION, LotteryTicketMethod::new);
    register(HardConcreteMethod.DECLARATION, HardConcreteMethod::new);
  }

  /** Every method id of subnetlab, in the order of reference.conf. */
  public static final List<String> IDS = ids();

  private MaskMethods() {}

  /**
   * Registers a method: its hyperparameters are then configuration keys under {@code masks.<id>}
   * (reference.conf must hold that block, with their defaults), it may be named in {@code
   * masks.methods}, and {@link #create} builds it.
   */
  public static synchronized void register(
      MethodDeclaration declaration, Function<Hyperparameters, MaskMethod> factory) {
    if (REGISTERED.containsKey(declaration.id())) {
      throw new IllegalArgumentException("Mask method " + declaration.id() + " is registered");
    }
    REGISTERED.put(declaration.id(), new Registered(declaration, factory));
  }

  /** Removes a method registered by a test. */
  static synchronized void unregister(String id) {
    if (IDS.contains(id)) {
      throw new IllegalArgumentException(id + " is one of subnetlab's methods");
    }
    REGISTERED.remove(id);
  }

  /** The ids of the registered methods, in registration order. */
  public static synchronized List<String> ids() {
    return List.copyOf(REGISTERED.keySet());
  }

  /** The declarations of the registered methods, in registration order. */
  public static synchronized List<MethodDeclaration> declarations() {
    return REGISTERED.values().stream().map(Registered::declaration).toList();
  }

  /** The declaration of method {@code id}. */
  public static MethodDeclaration declaration(String id) {
    return registered(id).declaration();
  }

  private static synchronized Registered registered(String id) {
    Registered r = REGISTERED.get(id);
    if (r == null) {
      throw new IllegalArgumentException(
          "Unknown mask method " + id + "; known: " + REGISTERED.keySet());
    }
    return r;
  }

  /** The method {@code id} at these values (keys it lacks at their declared defaults). */
  public static MaskMethod create(String id, Map<String, Double> hyperparameters) {
    Registered r = registered(id);
    return r.factory().apply(r.declaration().values(hyperparameters));
  }

  /** The registered methods, as the config finds them ({@code META-INF/services}). */
  public static final class Catalog implements MethodCatalog {
    @Override
    public List<MethodDeclaration> methods() {
      return declarations();
    }
  }
}
