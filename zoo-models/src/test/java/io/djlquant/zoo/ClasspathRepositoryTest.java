package io.djlquant.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Application;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathRepositoryTest {

    private static final ClasspathRepository REPO =
            new ClasspathRepository(
                    "test",
                    "io/djlquant/zoo/testrepo",
                    ClasspathRepositoryTest.class.getClassLoader());

    private static MRL tiny() {
        return REPO.model(Application.CV.IMAGE_CLASSIFICATION, "io.djlquant", "tiny");
    }

    @Test
    void filtersChooseTheArtifactAndPrepareCopiesItIntoTheCache(@TempDir Path cache)
            throws Exception {
        String old = System.getProperty("DJL_CACHE_DIR");
        System.setProperty("DJL_CACHE_DIR", cache.toString());
        try {
            Artifact a = REPO.resolve(tiny(), Map.of("variant", "a"));
            assertEquals("tiny-a", a.getName());
            assertNull(REPO.resolve(tiny(), Map.of("variant", "c")));
            Path dir = REPO.getResourceDirectory(a);
            assertTrue(dir.startsWith(cache), dir.toString());
            assertFalse(Files.exists(dir));
            REPO.prepare(a);
            assertEquals("hello zoo\n", Files.readString(dir.resolve("a.bin")));

            // a wrong checksum is reported and leaves no half-prepared directory behind
            Artifact b = REPO.resolve(tiny(), Map.of("variant", "b"));
            IOException e = assertThrows(IOException.class, () -> REPO.prepare(b));
            assertTrue(e.getMessage().contains("Checksum"), e.getMessage());
            assertFalse(Files.exists(REPO.getResourceDirectory(b)));
        } finally {
            if (old == null) {
                System.clearProperty("DJL_CACHE_DIR");
            } else {
                System.setProperty("DJL_CACHE_DIR", old);
            }
        }
    }

    @Test
    void cacheDirectoryChangesWithTheFiles() throws Exception {
        Artifact a = REPO.resolve(tiny(), Map.of("variant", "a"));
        String before = ClasspathRepository.fingerprint(a);
        a.getFiles().get("model").setSha1Hash("1111111111111111111111111111111111111111");
        assertNotEquals(before, ClasspathRepository.fingerprint(a));
    }

    @Test
    void missingMetadataIsNamed() {
        MRL none = REPO.model(Application.CV.IMAGE_CLASSIFICATION, "io.djlquant", "absent");
        FileNotFoundException e =
                assertThrows(FileNotFoundException.class, () -> REPO.locate(none));
        assertTrue(e.getMessage().contains("absent/metadata.json"), e.getMessage());
    }
}
