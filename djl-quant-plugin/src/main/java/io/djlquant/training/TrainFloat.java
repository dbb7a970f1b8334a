package io.djlquant.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.models.ResNet18;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Float training of any {@link Block} on Fashion-MNIST ({@link #run}). The command-line program
 * ({@code io.djlquant.tools.TrainFloatCommand} in the zoo-models module) trains our ResNet18 by
 * default.
 */
public final class TrainFloat {

    /** Our torchvision-layout ResNet18 with the small (3x3 stride-1) stem. */
    public static final String DEFAULT_MODEL = "resnet18";

    /** The networks {@link #modelFactory} knows. */
    public static final List<String> MODELS =
            List.of(DEFAULT_MODEL, "resnet18-imagenet-stem", "djl-resnetv1");

    private TrainFloat() {}

    /**
     * Trains on the Debian package's Fashion-MNIST files.
     *
     * @param factory creates the block to train (called once)
     * @param options the hyper-parameters
     * @return the history of the epochs run
     * @throws IOException if data or checkpoints cannot be read or written
     * @throws TranslateException if a batch cannot be built
     * @throws MalformedModelException if a checkpoint does not fit the block
     */
    public static TrainingHistory run(Supplier<Block> factory, TrainOptions options)
            throws IOException, TranslateException, MalformedModelException {
        return run(factory, options, FashionMnist.DEFAULT_DIRECTORY);
    }

    /**
     * Trains on the Fashion-MNIST files in {@code dataDir}, evaluating top-1 on the test split
     * after every epoch and checkpointing to {@code options.outputDir()} when it is set.
     *
     * @param factory creates the block to train (called once)
     * @param options the hyper-parameters
     * @param dataDir the directory of the four IDX files
     * @return the history of the epochs run
     * @throws IOException if data or checkpoints cannot be read or written
     * @throws TranslateException if a batch cannot be built
     * @throws MalformedModelException if a checkpoint does not fit the block
     */
    public static TrainingHistory run(Supplier<Block> factory, TrainOptions options, Path dataDir)
            throws IOException, TranslateException, MalformedModelException {
        FashionMnist train = trainSet(options, dataDir, options.limit());
        FashionMnist test = testSet(options, dataDir);
        train.prepare();
        test.prepare();
        Checkpoints checkpoints =
                options.outputDir() == null
                        ? null
                        : new Checkpoints(options.outputDir(), options.modelName());
        int start = 0;
        if (options.resume()) {
            start = checkpoints.latestEpoch().orElse(0);
        }
        try (Model model = newModel(options, factory)) {
            if (start > 0) {
                // Load before the Trainer exists: Trainer.initialize caches the parameter arrays
                // in its ParameterStore, so arrays replaced later would be ignored by training.
                model.getBlock()
                        .initialize(model.getNDManager(), DataType.FLOAT32, inputShape(options));
                checkpoints.load(model, start);
            }
            try (Trainer trainer = newTrainer(model, options, train, start)) {
                return TrainLoop.fit(trainer, options, train, test, checkpoints, start);
            }
        }
    }

    /**
     * Chooses the network to train by its name.
     *
     * @param name one of {@link #MODELS}
     * @param options supplies the image size and channels for DJL's ResNetV1
     * @return a supplier of fresh, uninitialised blocks
     */
    public static Supplier<Block> modelFactory(String name, TrainOptions options) {
        switch (name) {
            case "resnet18":
                return () -> resNet18(ResNet18.Stem.SMALL);
            case "resnet18-imagenet-stem":
                return () -> resNet18(ResNet18.Stem.IMAGENET);
            case "djl-resnetv1":
                return () -> djlResNet18(options.imageSize(), options.channels());
            default:
                throw new IllegalArgumentException(
                        "unknown model " + name + ", expected one of " + MODELS);
        }
    }

    private static Block resNet18(ResNet18.Stem stem) {
        return ResNet18.builder().optNumClasses(FashionMnist.NUM_CLASSES).optStem(stem).build();
    }

    /**
     * Builds DJL's {@code ResNetV1} with 18 layers and 10 classes.
     *
     * <p>For a 32x32 input DJL uses a CIFAR-style stem (one 3x3 stride-1 convolution, no max pool)
     * followed by four stages of <em>bottleneck</em> units (2, 2, 2, 2) with widths 64, 128, 256,
     * 512; this is not the torchvision basic-block ResNet18. DJL rejects 18 layers for inputs of 28
     * or less, so pad to 32.
     *
     * @param imageSize the square input side
     * @param channels the input channels
     * @return an uninitialised block
     */
    public static Block djlResNet18(int imageSize, int channels) {
        return ResNetV1.builder()
                .setImageShape(new Shape(channels, imageSize, imageSize))
                .setNumLayers(18)
                .setOutSize(FashionMnist.NUM_CLASSES)
                .build();
    }

    static FashionMnist trainSet(TrainOptions options, Path dataDir, long limit) {
        return FashionMnist.builder()
                .optUsage(Dataset.Usage.TRAIN)
                .optDirectory(dataDir)
                .optImageSize(options.imageSize())
                .optChannels(options.channels())
                .optLimit(limit)
                .setSampling(options.batchSize(), true)
                .build();
    }

    static FashionMnist testSet(TrainOptions options, Path dataDir) {
        return FashionMnist.builder()
                .optUsage(Dataset.Usage.TEST)
                .optDirectory(dataDir)
                .optImageSize(options.imageSize())
                .optChannels(options.channels())
                .optLimit(options.testLimit())
                .setSampling(options.batchSize(), false)
                .build();
    }

    static Model newModel(TrainOptions options, Supplier<Block> factory) {
        if (options.seed() != null) {
            // Seeds PyTorch (parameter initialisation) and DJL's RandomUtils (shuffling).
            Trainers.engine().setRandomSeed(options.seed().intValue());
        }
        Model model = Model.newInstance(options.modelName(), Device.cpu(), Trainers.ENGINE);
        model.setBlock(factory.get());
        return model;
    }

    static Trainer newTrainer(Model model, TrainOptions options, FashionMnist train, int start) {
        long steps = (train.size() + options.batchSize() - 1) / options.batchSize();
        return Trainers.create(model, options, steps, start, inputShape(options));
    }

    private static Shape inputShape(TrainOptions options) {
        return new Shape(
                options.batchSize(), options.channels(), options.imageSize(), options.imageSize());
    }
}
