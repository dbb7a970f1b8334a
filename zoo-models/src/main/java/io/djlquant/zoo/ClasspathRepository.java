package io.djlquant.zoo;

import ai.djl.repository.AbstractRepository;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Metadata;
import ai.djl.repository.Version;
import ai.djl.repository.VersionRange;
import ai.djl.util.JsonUtils;
import ai.djl.util.Progress;
import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DJL {@link ai.djl.repository.Repository} laid out like DJL's model repositories ({@code
 * model/<application>/<groupId as path>/<artifactId>/metadata.json} plus the files its artifacts
 * name), but read from class-path resources under a root folder, so a model zoo can ship its models
 * inside its jar and works offline.
 *
 * <p>Like a remote repository, an artifact is copied once into DJL's cache ({@code
 * <cache>/cache/repo/...}) before loading, because DJL engines load models from files. The cache
 * directory of an artifact ends with a fingerprint of its files' SHA-1 hashes, so regenerated
 * artifacts never reuse a stale copy; the hashes are also checked while copying.
 */
public final class ClasspathRepository extends AbstractRepository {

    private final String root;
    private final ClassLoader loader;
    private final List<MRL> resources = new ArrayList<>();

    /**
     * Creates a repository over class-path resources.
     *
     * @param name the repository name
     * @param root the resource folder holding {@code model/...}, without leading or trailing slash
     * @param loader the class loader that sees the resources
     */
    public ClasspathRepository(String name, String root, ClassLoader loader) {
        super(name, URI.create("classpath:/" + root + "/"));
        if (root.startsWith("/") || root.endsWith("/")) {
            throw new IllegalArgumentException("root must not start or end with '/': " + root);
        }
        this.root = root;
        this.loader = loader;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isRemote() {
        // Resources are not files: treat them as remote so DJL copies them into its cache.
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public Metadata locate(MRL mrl) throws IOException {
        URI mrlUri = mrl.toURI();
        String resource = root + "/" + mrlUri.getPath() + "metadata.json";
        try (InputStream is = open(resource);
                Reader reader = new InputStreamReader(is, StandardCharsets.UTF_8)) {
            Metadata metadata = JsonUtils.GSON_PRETTY.fromJson(reader, Metadata.class);
            if (metadata == null) {
                throw new IOException("empty metadata: " + resource);
            }
            metadata.init(arguments);
            metadata.setRepositoryUri(mrlUri);
            return metadata;
        }
    }

    /** {@inheritDoc} */
    @Override
    public Artifact resolve(MRL mrl, Map<String, String> filter) throws IOException {
        Metadata metadata = locate(mrl);
        VersionRange range = VersionRange.parse(mrl.getVersion());
        List<Artifact> artifacts = metadata.search(range, filter);
        return artifacts.stream()
                .max(Comparator.comparing(a -> new Version(a.getVersion())))
                .orElse(null);
    }

    /** {@inheritDoc} */
    @Override
    public Path getResourceDirectory(Artifact artifact) throws IOException {
        return getCacheDirectory()
                .resolve(artifact.getResourceUri().getPath())
                .resolve(fingerprint(artifact));
    }

    /** {@inheritDoc} */
    @Override
    public List<MRL> getResources() {
        return Collections.unmodifiableList(resources);
    }

    /** {@inheritDoc} */
    @Override
    public void addResource(MRL mrl) {
        resources.add(mrl);
    }

    /** {@inheritDoc} */
    @Override
    protected void download(Path tmp, URI baseUri, Artifact.Item item, Progress progress)
            throws IOException {
        URI itemUri = URI.create(item.getUri());
        if (itemUri.isAbsolute() || item.getUri().startsWith("/")) {
            throw new IOException(
                    "artifact files of a class-path repository must be relative: " + itemUri);
        }
        String resource = root + "/" + baseUri.getPath() + item.getUri();
        try (InputStream is = new BufferedInputStream(open(resource))) {
            save(is, tmp, item, progress);
        }
    }

    private InputStream open(String resource) throws IOException {
        InputStream is = loader.getResourceAsStream(resource);
        if (is == null) {
            throw new FileNotFoundException("class-path resource not found: " + resource);
        }
        return is;
    }

    // Items sorted by key so the fingerprint does not depend on map order.
    static String fingerprint(Artifact artifact) {
        Map<String, Artifact.Item> files = new TreeMap<>(artifact.getFiles());
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Artifact.Item> e : files.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue().getSha1Hash()).append(';');
        }
        return ai.djl.util.Utils.hash(sb.toString()).substring(0, 16);
    }
}
