package io.djlquant.zoo.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.util.JsonUtils;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped zoo metadata is what {@link ZooPublisher} writes: every artifact's file has the
 * recorded SHA-1 and size, and its arguments include DJL's standard translator arguments.
 */
class ZooPublisherTest {

    private static final Path REPO =
            Path.of(
                    "src/main/resources/io/djlquant/zoo/repo/model/cv",
                    "image_classification/io/djlquant/resnet18");

    @Test
    void shippedMetadataMatchesTheFilesAndTheStandardArguments() throws Exception {
        JsonObject meta;
        try (Reader r = Files.newBufferedReader(REPO.resolve("metadata.json"))) {
            meta = JsonUtils.GSON.fromJson(r, JsonObject.class);
        }
        int artifacts = 0;
        for (JsonElement e : meta.getAsJsonArray("artifacts")) {
            JsonObject a = e.getAsJsonObject();
            JsonObject model = a.getAsJsonObject("files").getAsJsonObject("model");
            Path file = REPO.resolve(model.get("uri").getAsString());
            assertEquals(model.get("size").getAsLong(), Files.size(file), file.toString());
            assertEquals(
                    model.get("sha1Hash").getAsString(), ZooPublisher.sha1(file), file.toString());
            JsonObject args = a.getAsJsonObject("arguments");
            for (Map.Entry<String, Object> std :
                    ZooPublisher.standardTranslatorArguments().entrySet()) {
                assertTrue(args.has(std.getKey()), a.get("name") + " lacks " + std.getKey());
                assertEquals(
                        String.valueOf(std.getValue()),
                        args.get(std.getKey()).getAsString(),
                        std.getKey());
            }
            artifacts++;
        }
        assertEquals(3, artifacts);
    }
}
