package io.djlquant.zoo.workflow;

import ai.djl.util.Hex;
import ai.djl.util.JsonUtils;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.zoo.DjlQuantModelZoo;
import io.djlquant.zoo.FashionMnistTranslatorFactory;
import io.djlquant.zoo.ResNet18BlockFactory;
import io.djlquant.zoo.ResNet18Loader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes the zoo's ResNet18 artifacts in DJL's repository layout under a repository root: {@code
 * model/cv/image_classification/io/djlquant/resnet18/metadata.json} and the model files in the
 * version folder (replacing whatever was there).
 */
final class ZooPublisher {

    /** The artifact version. */
    static final String VERSION = "0.1.0";

    private static final com.google.gson.Gson JSON =
            JsonUtils.builder().setPrettyPrinting().disableHtmlEscaping().create();

    private ZooPublisher() {}

    /**
     * The same preprocessing in the argument names of DJL's {@code
     * ImageClassificationTranslatorFactory} (resize to 28x28, pad to 32x32 with black, scale to [0,
     * 1], normalise every channel), so that a user's {@code Criteria.optTranslatorFactory(new
     * ImageClassificationTranslatorFactory())}, or their own settings of {@code topK}, {@code
     * applySoftmax} and the like, work on these models.
     *
     * @return the arguments, in the order DJL applies them
     */
    static Map<String, Object> standardTranslatorArguments() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("width", ImageSet.SIZE);
        args.put("height", ImageSet.SIZE);
        args.put("resize", FashionMnist.ORIGINAL_SIZE + "," + FashionMnist.ORIGINAL_SIZE);
        args.put("centerFit", true);
        String m = String.valueOf(FashionMnist.DEFAULT_MEAN);
        String sd = String.valueOf(FashionMnist.DEFAULT_STD);
        args.put("normalize", String.join(",", m, m, m, sd, sd, sd));
        args.put("synset", String.join(",", FashionMnist.classNames()));
        args.put("applySoftmax", true);
        return args;
    }

    /** One model file to publish. */
    record Entry(
            String quantization,
            String engine,
            Path file,
            String fileName,
            Map<String, Object> extra) {}

    static Path artifactDir(Path root) {
        return root.resolve("model/cv/image_classification")
                .resolve(DjlQuantModelZoo.GROUP_ID.replace('.', '/'))
                .resolve(ResNet18Loader.ARTIFACT_ID);
    }

    static void publish(Path root, List<Entry> entries) throws IOException {
        Path dir = artifactDir(root);
        Path versionDir = dir.resolve(VERSION);
        Files.createDirectories(versionDir);
        try (Stream<Path> old = Files.list(versionDir)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                Files.delete(p);
            }
        }
        List<Map<String, Object>> artifacts = new ArrayList<>();
        for (Entry e : entries) {
            Path target = versionDir.resolve(e.fileName());
            Files.copy(e.file(), target, StandardCopyOption.REPLACE_EXISTING);
            artifacts.add(artifact(e, target));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("metadataVersion", "0.2");
        meta.put("resourceType", "model");
        meta.put("application", "cv/image_classification");
        meta.put("groupId", DjlQuantModelZoo.GROUP_ID);
        meta.put("artifactId", ResNet18Loader.ARTIFACT_ID);
        meta.put("name", "ResNet18 Fashion-MNIST");
        meta.put(
                "description",
                "ResNet18 (ImageNet stem) for Fashion-MNIST: float (PyTorch engine) and int8 from"
                    + " PTQ and QAT (JavaQuant engine); filter quantization = none, ptq or qat");
        meta.put("artifacts", artifacts);
        Files.writeString(
                dir.resolve("metadata.json"), JSON.toJson(meta) + "\n", StandardCharsets.UTF_8);
    }

    private static Map<String, Object> artifact(Entry e, Path file) throws IOException {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("version", VERSION);
        a.put("snapshot", false);
        a.put(
                "name",
                ResNet18Loader.ARTIFACT_ID
                        + "-"
                        + ("none".equals(e.quantization()) ? "float" : e.quantization()));
        Map<String, String> props = new LinkedHashMap<>();
        props.put("dataset", "fashion-mnist");
        props.put(ResNet18Loader.QUANTIZATION, e.quantization());
        props.put("dtype", "none".equals(e.quantization()) ? "float32" : "int8");
        a.put("properties", props);
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("engine", e.engine());
        args.put("translatorFactory", FashionMnistTranslatorFactory.class.getName());
        if ("none".equals(e.quantization())) {
            args.put("blockFactory", ResNet18BlockFactory.class.getName());
            args.put("stem", "imagenet");
            args.put("numClasses", FashionMnist.NUM_CLASSES);
        }
        args.put("sourceSize", FashionMnist.ORIGINAL_SIZE);
        args.put("imageSize", ImageSet.SIZE);
        args.put("channels", ImageSet.CHANNELS);
        args.put("mean", FashionMnist.DEFAULT_MEAN);
        args.put("std", FashionMnist.DEFAULT_STD);
        args.putAll(standardTranslatorArguments());
        args.putAll(e.extra());
        a.put("arguments", args);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("uri", VERSION + "/" + e.fileName());
        item.put("name", e.fileName());
        item.put("sha1Hash", sha1(file));
        item.put("size", Files.size(file));
        a.put("files", Map.of("model", item));
        return a;
    }

    static String sha1(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-1 is not available", ex);
        }
        try (InputStream is = new DigestInputStream(Files.newInputStream(file), md)) {
            is.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return Hex.toHexString(md.digest()); // DJL's own, lower case as in its metadata files
    }
}
