package io.djlquant.quantized;

import ai.djl.Model;
import io.djlquant.kernels.Int8Kernels;
import java.nio.file.Path;

/** Child-JVM main of {@link SmallCnnTest}: runs a saved Q model with the kernels chosen by -D. */
final class KernelProbe {

    private KernelProbe() {}

    public static void main(String[] args) throws Exception {
        float[] images = SmallCnnTest.readFloats(Path.of(args[1]));
        float[] out;
        try (Model model = Model.newInstance("cnn", "JavaQuant")) {
            model.load(Path.of(args[0]));
            out = SmallCnnTest.predictAll(model, images);
        }
        SmallCnnTest.writeFloats(Path.of(args[2]), out);
        System.out.println("IMPL=" + Int8Kernels.implementationName());
    }
}
