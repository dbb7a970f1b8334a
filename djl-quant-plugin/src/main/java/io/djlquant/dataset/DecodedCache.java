package io.djlquant.dataset;

import java.io.IOException;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Process-wide cache of decoded image/label file pairs, so that several datasets over the same
 * split (train and evaluation views, tests) decode the 26 MB gzip only once.
 *
 * <p>Entries are keyed by real path, size and modification time of both files, so a replaced file
 * is decoded again; they are held softly, so the JVM may drop them under memory pressure. The
 * cached arrays are never written to.
 */
final class DecodedCache {

    /** Validated pixels and labels of one split. */
    record Decoded(byte[] pixels, byte[] labels) {}

    private static final Map<String, SoftReference<Decoded>> CACHE = new HashMap<>();

    private DecodedCache() {}

    /** A loader that reads and validates both files. */
    interface Loader {
        Decoded load() throws IOException;
    }

    static Decoded get(Path images, Path labels, Loader loader) throws IOException {
        String key = key(images) + "|" + key(labels);
        synchronized (CACHE) {
            SoftReference<Decoded> ref = CACHE.get(key);
            Decoded hit = ref == null ? null : ref.get();
            if (hit != null) {
                return hit;
            }
            Decoded fresh = loader.load();
            CACHE.put(key, new SoftReference<>(fresh));
            return fresh;
        }
    }

    // A missing file gets a key too; the loader then reports it with the install hint.
    private static String key(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return file.toRealPath() + ":" + a.size() + ":" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return file.toAbsolutePath() + ":missing";
        }
    }
}
