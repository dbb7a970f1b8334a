package io.djlquant.imports;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import io.djlquant.models.MobileNetV2;
import io.djlquant.models.ResNet18;
import io.djlquant.models.ResNets;
import io.djlquant.models.TorchvisionLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Imports torchvision BasicBlock ResNets (resnet18/34 and narrow or shallow variants) and
 * MobileNetV2s (any width, class count and input channels) from a TorchScript file or a state dict
 * into our fused float {@link ResNets} / {@link MobileNetV2} blocks.
 *
 * <p>TorchScript: the parameters come from DJL's PyTorch engine ({@code Model.load} gives a {@code
 * PtSymbolBlock} whose {@code getDirectParameters()} are libtorch's {@code named_parameters()});
 * DJL 0.36 has no API for buffers, so {@code running_mean} / {@code running_var} are read from the
 * archive with {@link TorchArchive}, which also checks that its parameter names and shapes agree
 * with libtorch's. State dicts ({@code torch.save( model.state_dict())}) are read with {@link
 * TorchArchive} alone: DJL cannot read them.
 *
 * <p>The network layout (architecture, blocks per layer, widths, classes, stem, input channels) is
 * detected from the tensor shapes unless a {@link TorchvisionLayout} is given ({@link
 * MobileNetV2Import} has the MobileNetV2 specifics); any difference between the file and the
 * network raises a {@link MalformedModelException} that lists the first missing keys, unexpected
 * keys and shape mismatches. The file's shapes are checked against the layout <em>before</em> the
 * network is allocated, so a file cannot make the importer allocate more than the tensors it holds
 * (an empty tensor of shape {@code (2^30, 0, 3, 3)} claiming a huge width is refused).
 */
public final class TorchvisionImport {

    private static final int MAX_LISTED = 10;
    private static final Pattern BOTTLENECK = Pattern.compile("layer\\d+\\.\\d+\\.conv3\\.weight");

    private TorchvisionImport() {}

    /**
     * An imported network and its layout.
     *
     * @param net the initialized float network
     * @param layout the layout it was built from
     */
    record Imported(SequentialBlock net, TorchvisionLayout layout) {}

    /**
     * Imports a TorchScript ResNet or MobileNetV2, detecting its layout from the tensor shapes (a
     * MobileNetV2's stem stride, which no tensor records, by running libtorch on a probe input).
     *
     * @param pt the TorchScript file ({@code torch.jit.trace}/{@code script} + {@code save})
     * @param manager owns the returned network's parameters
     * @return the initialized float network
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file is malformed, libtorch rejects it or it is not a
     *     BasicBlock ResNet
     */
    public static SequentialBlock loadTorchScript(Path pt, NDManager manager)
            throws IOException, MalformedModelException {
        return importState(pt, readTorchScript(pt, manager), null, true).net();
    }

    /**
     * Imports a TorchScript ResNet or MobileNetV2 into the given layout.
     *
     * @param pt the TorchScript file
     * @param spec the expected layout, e.g. {@code ResNet18.builder().optNumClasses(10)} or {@code
     *     MobileNetV2.builder().optWidthMultiplier(0.5f).optStemStride(1)}
     * @param manager owns the returned network's parameters
     * @return the initialized float network
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file is malformed, libtorch rejects it or it does not
     *     fit the layout
     */
    public static SequentialBlock loadTorchScript(
            Path pt, TorchvisionLayout spec, NDManager manager)
            throws IOException, MalformedModelException {
        return importState(pt, readTorchScript(pt, manager), spec, true).net();
    }

    /**
     * Imports a torchvision state dict ({@code torch.save(model.state_dict(), path)}), detecting
     * the layout from the tensor shapes. A state dict does not record strides: a MobileNetV2 gets
     * torchvision's stride-2 stem unless {@link #loadStateDict(Path, TorchvisionLayout, NDManager)}
     * is given another.
     *
     * @param pth the zip-format state dict
     * @param manager owns the returned network's parameters
     * @return the initialized float network
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file is malformed or not a BasicBlock ResNet
     */
    public static SequentialBlock loadStateDict(Path pth, NDManager manager)
            throws IOException, MalformedModelException {
        return importState(pth, readStateDict(pth, manager), null, false).net();
    }

    /**
     * Imports a torchvision state dict into the given layout.
     *
     * @param pth the zip-format state dict
     * @param spec the expected layout
     * @param manager owns the returned network's parameters
     * @return the initialized float network
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file is malformed or does not fit the layout
     */
    public static SequentialBlock loadStateDict(Path pth, TorchvisionLayout spec, NDManager manager)
            throws IOException, MalformedModelException {
        return importState(pth, readStateDict(pth, manager), spec, false).net();
    }

    /**
     * Detects the layout unless given, builds, and names the file in an error. A detected
     * TorchScript MobileNetV2's stem stride comes from {@link MobileNetV2Import#matchStemStride}.
     */
    private static Imported importState(
            Path file, Map<String, NDArray> state, TorchvisionLayout spec, boolean torchScript)
            throws IOException, MalformedModelException {
        try {
            TorchvisionLayout layout = spec != null ? spec : detectLayout(shapes(state));
            if (spec == null && torchScript && layout instanceof MobileNetV2.Builder) {
                return MobileNetV2Import.matchStemStride(file, state, (MobileNetV2.Builder) layout);
            }
            return new Imported(build(state, layout), layout);
        } catch (MalformedModelException e) {
            throw new MalformedModelException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the parameters (through DJL's PyTorch engine) and floating-point buffers (from the
     * archive) of a TorchScript file. {@code num_batches_tracked} counters are dropped.
     *
     * @param pt the TorchScript file
     * @param manager owns the returned float32 arrays
     * @return the tensors by state-dict name, in state-dict order
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the archive is malformed, libtorch rejects the file or the
     *     two disagree about a parameter
     */
    public static Map<String, NDArray> readTorchScript(Path pt, NDManager manager)
            throws IOException, MalformedModelException {
        return readTorchScript(pt, TorchArchive.read(pt), manager);
    }

    /**
     * Imports a file whose archive has already been read and checked, detecting the layout; the
     * engine only sees the file after that.
     *
     * @param file the TorchScript file or state dict
     * @param archive its tensors, from {@link TorchArchive#read}
     * @param torchScript whether it is TorchScript ({@link TorchArchive#isTorchScript})
     * @param stemStride a MobileNetV2's stem stride, or 0 to find it (see {@link #importState})
     * @param manager owns the returned network's parameters
     * @return the initialized float network and its detected layout
     * @throws MalformedModelException also if a stem stride is given for a ResNet
     */
    static Imported load(
            Path file,
            Map<String, TorchTensor> archive,
            boolean torchScript,
            int stemStride,
            NDManager manager)
            throws IOException, MalformedModelException {
        Map<String, NDArray> state =
                torchScript
                        ? readTorchScript(file, archive, manager)
                        : floats(file, archive, manager);
        TorchvisionLayout spec = null;
        if (stemStride > 0) {
            TorchvisionLayout detected;
            try {
                detected = detectLayout(shapes(state));
            } catch (MalformedModelException e) {
                throw new MalformedModelException(file + ": " + e.getMessage(), e);
            }
            if (!(detected instanceof MobileNetV2.Builder)) {
                throw new MalformedModelException(
                        file + ": a stem stride applies to MobileNetV2 files, this is " + detected);
            }
            spec = ((MobileNetV2.Builder) detected).optStemStride(stemStride);
        }
        return importState(file, state, spec, torchScript);
    }

    private static Map<String, NDArray> readTorchScript(
            Path pt, Map<String, TorchTensor> archive, NDManager manager)
            throws IOException, MalformedModelException {
        Map<String, NDArray> params = new LinkedHashMap<>();
        try (Model model = Model.newInstance("torchscript-import", "PyTorch")) {
            model.load(pt);
            for (Pair<String, Parameter> p : model.getBlock().getDirectParameters()) {
                NDArray a = p.getValue().getArray();
                TorchTensor t = archive.get(p.getKey());
                if (t == null || !t.getShape().equals(a.getShape())) {
                    throw new MalformedModelException(
                            pt
                                    + ": libtorch parameter "
                                    + p.getKey()
                                    + " "
                                    + a.getShape()
                                    + " is "
                                    + (t == null ? "missing from" : t.getShape() + " in")
                                    + " the archive's data.pkl");
                }
                params.put(
                        p.getKey(),
                        manager.create(
                                a.toType(DataType.FLOAT32, false).toFloatArray(), a.getShape()));
            }
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : archive.entrySet()) {
            NDArray fromLibtorch = params.get(e.getKey());
            if (fromLibtorch != null) {
                out.put(e.getKey(), fromLibtorch);
            } else {
                putBuffer(pt, out, e.getKey(), e.getValue(), manager);
            }
        }
        return out;
    }

    /**
     * Reads every floating-point tensor of a zip-format state dict. {@code num_batches_tracked}
     * counters are dropped.
     *
     * @param pth the state dict file
     * @param manager owns the returned float32 arrays
     * @return the tensors by state-dict name, in file order
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file is malformed or holds a non-float tensor
     */
    public static Map<String, NDArray> readStateDict(Path pth, NDManager manager)
            throws IOException, MalformedModelException {
        return floats(pth, TorchArchive.read(pth), manager);
    }

    private static Map<String, NDArray> floats(
            Path pth, Map<String, TorchTensor> archive, NDManager manager)
            throws MalformedModelException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : archive.entrySet()) {
            putBuffer(pth, out, e.getKey(), e.getValue(), manager);
        }
        return out;
    }

    private static void putBuffer(
            Path file, Map<String, NDArray> out, String name, TorchTensor t, NDManager manager)
            throws MalformedModelException {
        if (name.endsWith("num_batches_tracked")) {
            return; // training counter, not used in inference
        }
        if (!t.isFloating()) {
            throw new MalformedModelException(
                    file
                            + ": unexpected "
                            + t.getElementType()
                            + " tensor "
                            + InvalidArchiveException.quote(name)
                            + " "
                            + t.getShape());
        }
        out.put(name, t.toNDArray(manager));
    }

    /**
     * Detects the architecture from state-dict shapes ({@code features.0.0.weight}: MobileNetV2,
     * see {@link MobileNetV2Import#detect}; otherwise a BasicBlock ResNet, see {@link #detect}) and
     * its layout.
     *
     * @param shapes tensor shapes by state-dict name
     * @return the detected layout (a MobileNetV2 with torchvision's stride-2 stem)
     * @throws MalformedModelException if the shapes are neither architecture's
     */
    public static TorchvisionLayout detectLayout(Map<String, Shape> shapes)
            throws MalformedModelException {
        checkDimensions(shapes);
        return shapes.containsKey(MobileNetV2Import.STEM)
                ? MobileNetV2Import.detect(shapes)
                : detect(shapes);
    }

    /**
     * Detects a torchvision BasicBlock ResNet layout from state-dict shapes: stem from the {@code
     * conv1} kernel (7: ImageNet, 3: small), blocks per layer from the {@code layerL.B} keys,
     * widths from each layer's first conv, classes from {@code fc.weight}.
     *
     * @param shapes tensor shapes by state-dict name
     * @return a builder for the detected layout
     * @throws MalformedModelException if the shapes are not those of a BasicBlock ResNet
     */
    public static ResNets.Builder detect(Map<String, Shape> shapes) throws MalformedModelException {
        checkDimensions(shapes);
        Shape conv1 = require(shapes, "conv1.weight", 4);
        for (String k : shapes.keySet()) {
            if (BOTTLENECK.matcher(k).matches()) {
                throw new MalformedModelException(
                        "Bottleneck ResNets (resnet50 and deeper) are not supported: found " + k);
            }
        }
        long k = conv1.get(2);
        if (conv1.get(3) != k || (k != 7 && k != 3)) {
            throw new MalformedModelException(
                    "conv1.weight " + conv1 + ": expected a 7x7 (ImageNet) or 3x3 (small) stem");
        }
        List<Integer> blocks = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (int layer = 1; shapes.containsKey("layer" + layer + ".0.conv1.weight"); layer++) {
            int b = 0;
            while (shapes.containsKey("layer" + layer + "." + b + ".conv1.weight")) {
                b++;
            }
            blocks.add(b);
            widths.add((int) require(shapes, "layer" + layer + ".0.conv1.weight", 4).get(0));
        }
        if (blocks.isEmpty()) {
            throw new MalformedModelException("not a torchvision ResNet: no layer1.0.conv1.weight");
        }
        Shape fc = require(shapes, "fc.weight", 2);
        return ResNets.basic(blocks.stream().mapToInt(Integer::intValue).toArray())
                .optWidths(widths.stream().mapToInt(Integer::intValue).toArray())
                .optNumClasses((int) fc.get(0))
                .optStem(k == 7 ? ResNet18.Stem.IMAGENET : ResNet18.Stem.SMALL);
    }

    /**
     * Builds the network for the tensors (detecting the layout when {@code spec} is null; a
     * MobileNetV2 then gets the stride-2 stem), initializes it in the tensors' manager for the
     * first convolution's input channels, and copies the tensors in with {@link #assign}.
     *
     * @param state float32 tensors by state-dict name
     * @param spec the layout, or {@code null} to detect it
     * @return the initialized float network
     * @throws MalformedModelException if the tensors are not a BasicBlock ResNet or MobileNetV2 or
     *     do not fit {@code spec}, listing the differences
     */
    public static SequentialBlock build(Map<String, NDArray> state, TorchvisionLayout spec)
            throws MalformedModelException {
        Map<String, Shape> shapes = shapes(state);
        checkDimensions(shapes);
        TorchvisionLayout layout = spec != null ? spec : detectLayout(shapes);
        long inChannels = require(shapes, layout.firstConvolution(), 4).get(1);
        // compare before allocating: the network then holds exactly as much as the file
        checkFits(layout.torchvisionShapes(inChannels), shapes);
        // the parameter shapes do not depend on the image size; 224 / 32 are the usual inputs
        long size = layout.defaultImageSize();
        SequentialBlock net = layout.build();
        NDManager manager = state.get(layout.firstConvolution()).getManager();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, inChannels, size, size));
        copy(layout.torchvisionParameters(net), state);
        return net;
    }

    /**
     * Copies state-dict tensors into an initialized float ResNet's parameters.
     *
     * @param resnet a network from {@link ResNets.Builder#build()}, initialized
     * @param state float32 tensors by state-dict name ({@code num_batches_tracked} is ignored)
     * @throws MalformedModelException listing the first missing keys, unexpected keys and shape
     *     mismatches if the tensors do not fit the network
     * @throws IllegalArgumentException if the network is not initialized
     */
    public static void assign(Block resnet, Map<String, NDArray> state)
            throws MalformedModelException {
        copy(ResNets.torchvisionParameters(resnet), state);
    }

    /**
     * Copies state-dict tensors into an initialized float network's parameters.
     *
     * @param net a network from {@code layout.build()}, initialized
     * @param layout its layout (only the family matters: it names the parameters)
     * @param state float32 tensors by state-dict name ({@code num_batches_tracked} is ignored)
     * @throws MalformedModelException listing the first missing keys, unexpected keys and shape
     *     mismatches if the tensors do not fit the network
     * @throws IllegalArgumentException if the network is not initialized
     */
    public static void assign(Block net, TorchvisionLayout layout, Map<String, NDArray> state)
            throws MalformedModelException {
        copy(layout.torchvisionParameters(net), state);
    }

    private static void copy(Map<String, Parameter> params, Map<String, NDArray> state)
            throws MalformedModelException {
        Map<String, Shape> want = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            if (!e.getValue().isInitialized()) {
                throw new IllegalArgumentException(
                        "initialize the network before assigning tensors");
            }
            want.put(e.getKey(), e.getValue().getArray().getShape());
        }
        checkFits(want, shapes(state));
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray src = state.get(e.getKey());
            e.getValue().getArray().set(src.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    /**
     * The torchvision state-dict shapes of a BasicBlock ResNet, computed from the layout alone (the
     * parameters {@link ResNets#torchvisionParameters} maps, without allocating them).
     */
    static Map<String, Shape> torchvisionShapes(ResNets.Builder layout, long inChannels) {
        return layout.torchvisionShapes(inChannels);
    }

    static Map<String, Shape> shapes(Map<String, NDArray> state) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        state.forEach((name, a) -> shapes.put(name, a.getShape()));
        return shapes;
    }

    /**
     * Lists missing keys, unexpected keys and shape mismatches of {@code have} against {@code
     * want}.
     */
    static void checkFits(Map<String, Shape> want, Map<String, Shape> have)
            throws MalformedModelException {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Shape> e : want.entrySet()) {
            Shape src = have.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.equals(e.getValue())) {
                mismatched.add(e.getKey() + ": file " + src + ", network " + e.getValue());
            }
        }
        for (String name : have.keySet()) {
            if (!want.containsKey(name) && !name.endsWith("num_batches_tracked")) {
                unexpected.add(InvalidArchiveException.printable(name));
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder("tensors do not fit the network:");
            list(sb, "missing keys", missing);
            list(sb, "unexpected keys", unexpected);
            list(sb, "shape mismatches", mismatched);
            throw new MalformedModelException(sb.toString());
        }
    }

    /**
     * A trained network has no empty tensor, and its dimensions are array sizes; an empty tensor
     * could otherwise claim any width without holding any data.
     */
    static void checkDimensions(Map<String, Shape> shapes) throws MalformedModelException {
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            for (long d : e.getValue().getShape()) {
                if (d <= 0 || d > Integer.MAX_VALUE) {
                    throw new MalformedModelException(
                            "tensor "
                                    + InvalidArchiveException.quote(e.getKey())
                                    + " has shape "
                                    + e.getValue()
                                    + "; a trained network has no empty tensor");
                }
            }
        }
    }

    private static void list(StringBuilder sb, String what, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(items.size()).append(' ').append(what).append(": ");
        sb.append(String.join(", ", items.subList(0, Math.min(MAX_LISTED, items.size()))));
        if (items.size() > MAX_LISTED) {
            sb.append(", ...");
        }
    }

    static Shape require(Map<String, Shape> shapes, String name, int rank)
            throws MalformedModelException {
        Shape s = shapes.get(name);
        if (s == null) {
            throw new MalformedModelException(
                    "not a torchvision ResNet or MobileNetV2: no " + name);
        }
        if (s.dimension() != rank) {
            throw new MalformedModelException(name + " " + s + " should have rank " + rank);
        }
        return s;
    }
}
