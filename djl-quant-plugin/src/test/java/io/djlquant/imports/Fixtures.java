package io.djlquant.imports;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The committed torchvision fixtures (see fixtures/make_resnet_fixture.py) and their manifest. */
final class Fixtures {

    static final String RESNET18 = "resnet18_w8.pt";
    static final String RESNET34 = "resnet34_w4_fmnist.pth";

    private Fixtures() {}

    static Path dir() {
        try {
            return Paths.get(Fixtures.class.getResource("/fixtures/manifest.json").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    /**
     * @return the manifest entry of one fixture model
     */
    static JsonObject manifest(String model) throws IOException {
        try (Reader r = Files.newBufferedReader(file("manifest.json"))) {
            return JsonUtils.GSON.fromJson(r, JsonObject.class).getAsJsonObject(model);
        }
    }

    /** Reads a float32 .npy with DJL's own numpy decoder. */
    static NDArray npy(NDManager manager, String name) throws IOException {
        try (InputStream is = Files.newInputStream(file(name))) {
            NDList list = NDList.decode(manager, is);
            return list.head();
        }
    }

    /**
     * Enlarges NCHW by repeating every pixel {@code r} x {@code r} times (as repeat_interleave).
     */
    static NDArray repeatPixels(NDManager manager, NDArray x, int r) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        int h = (int) x.getShape().get(2);
        int w = (int) x.getShape().get(3);
        float[] src = x.toFloatArray();
        float[] dst = new float[src.length * r * r];
        int outW = w * r;
        for (int plane = 0; plane < n * c; plane++) {
            for (int y = 0; y < h * r; y++) {
                for (int xx = 0; xx < outW; xx++) {
                    dst[(plane * h * r + y) * outW + xx] = src[(plane * h + y / r) * w + xx / r];
                }
            }
        }
        return manager.create(dst, new ai.djl.ndarray.types.Shape(n, c, (long) h * r, outW));
    }
}
