package io.djlquant.kernels;

import java.util.Locale;

/**
 * Chooses the {@link Int8Impl} once per JVM: the Vector API implementation when the {@code
 * jdk.incubator.vector} module is in the boot layer, scalar otherwise. The system property {@value
 * #PROPERTY} ({@code scalar} or {@code simd}) forces a choice.
 */
final class KernelSelector {

    /** System property that forces an implementation. */
    static final String PROPERTY = "djlquant.kernels";

    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final String PANAMA_CLASS = "io.djlquant.kernels.PanamaInt8Impl";

    /** The two implementations. */
    enum Choice {
        SCALAR,
        SIMD
    }

    private KernelSelector() {}

    /**
     * Pure selection logic (testable without restarting the JVM).
     *
     * @param property value of {@value #PROPERTY}, or null when unset
     * @param vectorModulePresent whether {@code jdk.incubator.vector} is readable
     * @return the choice
     * @throws IllegalArgumentException for an unknown property value
     * @throws IllegalStateException when simd is forced but the module is missing
     */
    static Choice choose(String property, boolean vectorModulePresent) {
        if (property == null || property.isBlank()) {
            return vectorModulePresent ? Choice.SIMD : Choice.SCALAR;
        }
        switch (property.trim().toLowerCase(Locale.ROOT)) {
            case "scalar":
                return Choice.SCALAR;
            case "simd":
                if (!vectorModulePresent) {
                    throw new IllegalStateException(
                            "-D"
                                    + PROPERTY
                                    + "=simd needs the Vector API: "
                                    + "start the JVM with --add-modules "
                                    + VECTOR_MODULE);
                }
                return Choice.SIMD;
            default:
                throw new IllegalArgumentException(
                        "-D" + PROPERTY + " must be 'scalar' or 'simd', got '" + property + "'");
        }
    }

    /** True when the user should be told how to enable the faster kernels. */
    static boolean shouldWarn(String property, boolean vectorModulePresent) {
        return !vectorModulePresent && (property == null || property.isBlank());
    }

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * Builds the implementation for a choice; SIMD is loaded reflectively so the class stays
     * unloaded otherwise.
     */
    static Int8Impl create(Choice choice) {
        if (choice == Choice.SCALAR) {
            return new ScalarInt8Impl();
        }
        try {
            return (Int8Impl) Class.forName(PANAMA_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load the Vector API kernels (" + e + ")", e);
        }
    }

    /** Reads the system property, decides, warns once if the module is missing, and creates. */
    static Int8Impl load() {
        String property = System.getProperty(PROPERTY);
        boolean present = vectorModulePresent();
        Choice choice = choose(property, present);
        if (shouldWarn(property, present)) {
            System.getLogger(KernelSelector.class.getPackageName())
                    .log(
                            System.Logger.Level.WARNING,
                            "Java Vector API not available: int8 kernels use the slower scalar"
                                    + " code. Add --add-modules "
                                    + VECTOR_MODULE
                                    + " to the JVM options to enable SIMD.");
        }
        return create(choice);
    }
}
