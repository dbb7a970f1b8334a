package io.djlquant.training;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Per-epoch parameter checkpoints in DJL's own format: {@code <dir>/<name>-<epoch:04d>.params}
 * written by {@link Model#save}, with the epoch in the model property {@value #EPOCH_PROPERTY}.
 *
 * <p>Optimizer state (momentum, Adam moments) is not saved: DJL's Model format has no place for it,
 * so a resumed run restarts the optimizer from zero state.
 */
public final class Checkpoints {

    /** The model property DJL's {@code BaseModel.save} reads to number the file. */
    public static final String EPOCH_PROPERTY = "Epoch";

    private final Path dir;
    private final String name;
    private final Pattern filePattern;

    /**
     * Creates a checkpoint set.
     *
     * @param dir the directory (created on first save)
     * @param name the file prefix
     */
    public Checkpoints(Path dir, String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(
                    "checkpoint name must use letters, digits, '-' or '_', got '" + name + "'");
        }
        this.dir = dir;
        this.name = name;
        this.filePattern = Pattern.compile(Pattern.quote(name) + "-(\\d{4,})\\.params");
    }

    /**
     * Returns the checkpoint directory.
     *
     * @return the directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * Returns the file a given epoch is saved to.
     *
     * @param epoch the 1-based epoch number
     * @return the parameter file path
     */
    public Path file(int epoch) {
        return dir.resolve(String.format(Locale.ROOT, "%s-%04d.params", name, epoch));
    }

    /**
     * Saves the model parameters as the checkpoint of {@code epoch}.
     *
     * <p>The file is first written in a temporary sub-directory and then moved into place, so an
     * interrupted save never leaves a half-written "latest" checkpoint behind.
     *
     * @param model the model (its block must be initialised)
     * @param epoch the 1-based number of epochs completed
     * @return the saved file
     * @throws IOException if writing fails
     */
    public Path save(Model model, int epoch) throws IOException {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, got " + epoch);
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempDirectory(dir, ".saving-");
        try {
            model.setProperty(EPOCH_PROPERTY, Integer.toString(epoch));
            model.save(tmp, name);
            Path written = tmp.resolve(file(epoch).getFileName());
            if (!Files.isRegularFile(written)) {
                throw new IOException("DJL did not write the expected checkpoint " + written);
            }
            Files.move(
                    written,
                    file(epoch),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            try (Stream<Path> left = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) left::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(tmp);
        }
        return file(epoch);
    }

    /**
     * Finds the highest saved epoch.
     *
     * @return the latest epoch, or empty when the directory holds no checkpoint of this name
     * @throws IOException if the directory cannot be listed
     */
    public OptionalInt latestEpoch() throws IOException {
        if (!Files.isDirectory(dir)) {
            return OptionalInt.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> filePattern.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max();
        }
    }

    /**
     * Loads the parameters of one epoch into the model's (initialised) block.
     *
     * <p>Call this before creating a {@code Trainer} for the model: DJL's {@code
     * Trainer.initialize} caches the parameter arrays, so arrays loaded afterwards would not be the
     * ones it trains.
     *
     * @param model the model whose block has the same structure as the saved one
     * @param epoch the epoch to load
     * @throws IOException if the file is missing or unreadable
     * @throws MalformedModelException if the file does not match the block
     */
    public void load(Model model, int epoch) throws IOException, MalformedModelException {
        Path file = file(epoch);
        if (!Files.isRegularFile(file)) {
            throw new IOException("checkpoint file not found: " + file);
        }
        model.load(dir, name, Map.of("epoch", Integer.toString(epoch)));
    }

    /**
     * Loads the latest checkpoint, if any (before creating a {@code Trainer}, see {@link #load}).
     *
     * @param model the model whose block has the same structure as the saved one
     * @return the number of completed epochs restored (0 if there was no checkpoint)
     * @throws IOException if a file is unreadable
     * @throws MalformedModelException if the file does not match the block
     */
    public int resume(Model model) throws IOException, MalformedModelException {
        OptionalInt latest = latestEpoch();
        if (latest.isEmpty()) {
            return 0;
        }
        load(model, latest.getAsInt());
        return latest.getAsInt();
    }
}
