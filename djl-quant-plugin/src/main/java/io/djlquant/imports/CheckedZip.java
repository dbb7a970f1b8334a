package io.djlquant.imports;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A zip archive opened with the checks an untrusted download needs before anything is read: entry
 * names are relative paths without {@code ..} (they are never used as file names, but a hostile
 * name is a sign of a hostile file), no name appears twice (two readers could otherwise see two
 * different {@code data.pkl}), and the uncompressed sizes the archive declares add up to at most
 * {@link #MAX_EXPANSION} times the file's size plus {@link #SLACK_BYTES} (PyTorch stores its
 * entries uncompressed, so a real archive declares about its own size; a zip bomb declares far
 * more). Every read allocates the declared size only and checks that the entry holds exactly that
 * many bytes, so a lying header cannot make it read more. Nothing is extracted or written.
 */
final class CheckedZip implements TorchArchive.Entries, AutoCloseable {

    /** Allowed ratio of declared uncompressed bytes (and decoded tensor bytes) to the file size. */
    static final int MAX_EXPANSION = 8;

    /** Added to the allowance so that small archives with compressed entries still open. */
    static final long SLACK_BYTES = 1 << 20;

    /** The largest entry a Java array can hold. */
    private static final long MAX_ENTRY = Integer.MAX_VALUE - 8;

    private final ZipFile zip;
    private final Map<String, ZipEntry> entries;
    private final long allowance;

    private CheckedZip(ZipFile zip, Map<String, ZipEntry> entries, long allowance) {
        this.zip = zip;
        this.entries = entries;
        this.allowance = allowance;
    }

    /**
     * Opens and checks an archive.
     *
     * @param file the archive
     * @return the open archive
     * @throws IOException if the file cannot be read
     * @throws InvalidArchiveException if it is not a zip archive or breaks one of the checks
     */
    static CheckedZip open(Path file) throws IOException {
        long allowance = allowance(Files.size(file));
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new InvalidArchiveException(
                    "not a zip-format PyTorch archive (TorchScript or torch.save of PyTorch >= 1.6;"
                            + " the legacy pickle-only format is not supported): "
                            + e.getMessage());
        }
        try {
            return new CheckedZip(zip, checkedEntries(zip, allowance), allowance);
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /**
     * @return how many bytes an archive of {@code fileSize} bytes may declare or decode to
     */
    static long allowance(long fileSize) {
        return MAX_EXPANSION * fileSize + SLACK_BYTES;
    }

    /**
     * @return the byte allowance of this archive (see {@link #allowance(long)})
     */
    long allowance() {
        return allowance;
    }

    private static Map<String, ZipEntry> checkedEntries(ZipFile zip, long allowance) {
        Map<String, ZipEntry> out = new LinkedHashMap<>();
        long declared = 0;
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            ZipEntry entry;
            try {
                entry = e.nextElement();
            } catch (IllegalArgumentException ex) {
                // java.util.zip decodes names lazily and reports bad UTF-8 this way
                throw new InvalidArchiveException(
                        "zip entry name is not valid UTF-8: " + ex.getMessage());
            }
            String name = entry.getName();
            checkName(name);
            if (out.put(name, entry) != null) {
                throw new InvalidArchiveException(
                        "duplicate zip entry " + InvalidArchiveException.quote(name));
            }
            long size = entry.getSize();
            if (size < 0) {
                throw new InvalidArchiveException(
                        "zip entry " + InvalidArchiveException.quote(name) + " has no size");
            }
            if (entry.getMethod() == ZipEntry.STORED && entry.getCompressedSize() != size) {
                throw new InvalidArchiveException(
                        "stored zip entry "
                                + InvalidArchiveException.quote(name)
                                + " declares "
                                + size
                                + " bytes but occupies "
                                + entry.getCompressedSize());
            }
            declared += Math.min(size, allowance + 1); // cannot overflow: at most #entries * 2^62
            if (declared > allowance) {
                throw new InvalidArchiveException(
                        "zip entries declare more than "
                                + allowance
                                + " uncompressed bytes, over "
                                + MAX_EXPANSION
                                + "x the file size (a zip bomb?)");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Relative, forward-slash names only: no absolute path, drive, {@code ..} or control char. */
    private static void checkName(String name) {
        boolean bad =
                name.isEmpty()
                        || name.startsWith("/")
                        || name.indexOf('\\') >= 0
                        || (name.length() > 1 && name.charAt(1) == ':');
        for (String part : name.split("/", -1)) {
            bad |= part.equals("..");
        }
        for (int i = 0; i < name.length() && !bad; i++) {
            bad = name.charAt(i) < 0x20 || name.charAt(i) == 0x7f;
        }
        if (bad) {
            throw new InvalidArchiveException(
                    "unsafe zip entry name "
                            + InvalidArchiveException.quote(name)
                            + " (absolute, with '..' or control characters)");
        }
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public byte[] read(String name) throws IOException {
        ZipEntry e = entries.get(name);
        if (e == null) {
            throw new InvalidArchiveException(
                    "archive entry " + InvalidArchiveException.quote(name) + " is missing");
        }
        long size = e.getSize();
        if (size > MAX_ENTRY) {
            throw new InvalidArchiveException(
                    "archive entry "
                            + InvalidArchiveException.quote(name)
                            + " declares "
                            + size
                            + " bytes, more than a Java array holds");
        }
        byte[] out = new byte[(int) size];
        try (InputStream is = zip.getInputStream(e)) {
            int n = is.readNBytes(out, 0, out.length);
            if (n < out.length) {
                throw new InvalidArchiveException(
                        "archive entry "
                                + InvalidArchiveException.quote(name)
                                + " holds "
                                + n
                                + " bytes, fewer than the "
                                + size
                                + " it declares");
            }
            if (is.read() != -1) {
                throw new InvalidArchiveException(
                        "archive entry "
                                + InvalidArchiveException.quote(name)
                                + " holds more than the "
                                + size
                                + " bytes it declares (a zip bomb?)");
            }
        } catch (ZipException | EOFException ex) {
            throw new InvalidArchiveException(
                    "archive entry "
                            + InvalidArchiveException.quote(name)
                            + " is corrupt: "
                            + ex.getMessage());
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
