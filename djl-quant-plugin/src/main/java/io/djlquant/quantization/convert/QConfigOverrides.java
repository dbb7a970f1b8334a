package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import io.djlquant.quantization.QConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Per-block exceptions to the global {@link QConfig} of {@code Quantizer.quantizeQat}. A rule
 * matches a block by identity, class, path or predicate; when several match, the rule added
 * <em>last</em> wins. A rule on a container applies to its whole sub-tree (rules deeper down can
 * override it again). A {@code null} QConfig keeps the block in float: it is wrapped in a {@link
 * io.djlquant.qat.FloatFallback}.
 *
 * <p>Paths are the child names from the root joined by "/", as listed by {@link
 * BlockTree#paths(Block)}, e.g. {@code 04Residual/01main/02ConvBn2d}; the root's path is "".
 */
public final class QConfigOverrides {

    /** A resolved rule: the QConfig it gives (null = keep in float). */
    record Resolution(QConfig qconfig) {}

    private record Rule(BiPredicate<String, Block> matcher, QConfig qconfig) {}

    private final List<Rule> rules = new ArrayList<>();

    /**
     * @return an empty set of overrides
     */
    public static QConfigOverrides none() {
        return new QConfigOverrides();
    }

    /**
     * Creates overrides from a map keyed by block identity.
     *
     * @param byBlock block to QConfig (null values keep the block in float)
     * @return the overrides
     */
    public static QConfigOverrides of(Map<Block, QConfig> byBlock) {
        QConfigOverrides o = new QConfigOverrides();
        byBlock.forEach(o::forBlock);
        return o;
    }

    /**
     * Overrides one block instance (of the float tree).
     *
     * @param block the float block
     * @param qconfig its QConfig, or null to keep it in float
     * @return this
     */
    public QConfigOverrides forBlock(Block block, QConfig qconfig) {
        if (block == null) {
            throw new IllegalArgumentException("override block must not be null");
        }
        return add((p, b) -> b == block, qconfig);
    }

    /**
     * Overrides the block at an exact path.
     *
     * @param path the path, e.g. {@code 06PlainLinear}
     * @param qconfig its QConfig, or null to keep it in float
     * @return this
     */
    public QConfigOverrides forPath(String path, QConfig qconfig) {
        if (path == null) {
            throw new IllegalArgumentException("override path must not be null");
        }
        return add((p, b) -> p.equals(path), qconfig);
    }

    /**
     * Overrides every block of a class (exact class match).
     *
     * @param type the float block class
     * @param qconfig its QConfig, or null to keep those blocks in float
     * @return this
     */
    public QConfigOverrides forType(Class<? extends Block> type, QConfig qconfig) {
        if (type == null) {
            throw new IllegalArgumentException("override type must not be null");
        }
        return add((p, b) -> b.getClass() == type, qconfig);
    }

    /**
     * Overrides every block accepted by a predicate on (path, block).
     *
     * @param predicate the predicate
     * @param qconfig the QConfig, or null to keep those blocks in float
     * @return this
     */
    public QConfigOverrides matching(BiPredicate<String, Block> predicate, QConfig qconfig) {
        if (predicate == null) {
            throw new IllegalArgumentException("override predicate must not be null");
        }
        return add(predicate, qconfig);
    }

    private QConfigOverrides add(BiPredicate<String, Block> matcher, QConfig qconfig) {
        rules.add(new Rule(matcher, qconfig));
        return this;
    }

    /** Returns the last matching rule's resolution, or null if no rule matches. */
    Resolution resolve(String path, Block block) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule r = rules.get(i);
            if (r.matcher().test(path, block)) {
                return new Resolution(r.qconfig());
            }
        }
        return null;
    }
}
