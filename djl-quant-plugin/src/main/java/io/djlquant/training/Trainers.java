package io.djlquant.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/** Builds DJL {@link Trainer}s for image classification: softmax cross-entropy plus accuracy. */
public final class Trainers {

    /** The engine every training run uses; float training needs autograd. */
    public static final String ENGINE = "PyTorch";

    private Trainers() {}

    /**
     * Returns the PyTorch engine, failing clearly when it is not on the class path.
     *
     * @return the engine
     */
    public static Engine engine() {
        Engine engine = Engine.getEngine(ENGINE);
        if (engine == null) {
            throw new IllegalStateException("DJL engine " + ENGINE + " is not available");
        }
        return engine;
    }

    /**
     * Creates and initialises a trainer for {@code model} (whose block must be set).
     *
     * @param model the model holding the block to train
     * @param options the hyper-parameters
     * @param stepsPerEpoch optimizer steps per epoch (sizes the cosine schedule)
     * @param startEpoch epochs already completed (a resumed run continues the schedule)
     * @param inputShape the input shape including the batch axis, e.g. (64, 3, 32, 32)
     * @return the trainer; the caller closes it
     */
    public static Trainer create(
            Model model,
            TrainOptions options,
            long stepsPerEpoch,
            int startEpoch,
            Shape inputShape) {
        if (model.getBlock() == null) {
            throw new IllegalArgumentException("model " + model.getName() + " has no block");
        }
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("stepsPerEpoch must be >= 1, got " + stepsPerEpoch);
        }
        DefaultTrainingConfig config =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .addEvaluator(new Accuracy())
                        .optOptimizer(optimizer(options, stepsPerEpoch, startEpoch))
                        .optDevices(new Device[] {Device.cpu()})
                        .addTrainingListeners(
                                options.verbose()
                                        ? TrainingListener.Defaults.logging()
                                        : TrainingListener.Defaults.basic());
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(inputShape);
        return trainer;
    }

    /**
     * Builds the optimizer described by the options.
     *
     * @param options the hyper-parameters
     * @param stepsPerEpoch optimizer steps per epoch (sizes the cosine schedule)
     * @param startEpoch epochs already completed; the update counter starts after them
     * @return the optimizer
     */
    public static Optimizer optimizer(TrainOptions options, long stepsPerEpoch, int startEpoch) {
        Tracker lr = learningRate(options, stepsPerEpoch);
        long done = stepsPerEpoch * startEpoch;
        if (startEpoch < 0 || done > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad start epoch " + startEpoch);
        }
        switch (options.optimizer()) {
            case SGD_MOMENTUM:
                return Optimizer.sgd()
                        .setLearningRateTracker(lr)
                        .optMomentum(options.momentum())
                        .optWeightDecays(options.weightDecay())
                        .optBeginNumUpdate((int) done)
                        .build();
            case ADAM:
                return Optimizer.adam()
                        .optLearningRateTracker(lr)
                        .optWeightDecays(options.weightDecay())
                        .optBeginNumUpdate((int) done)
                        .build();
            default:
                throw new IllegalArgumentException("unknown optimizer " + options.optimizer());
        }
    }

    private static Tracker learningRate(TrainOptions options, long stepsPerEpoch) {
        if (!options.cosineSchedule()) {
            return Tracker.fixed(options.learningRate());
        }
        long total = stepsPerEpoch * options.epochs();
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many steps for a cosine schedule: " + total);
        }
        return Tracker.cosine()
                .setBaseValue(options.learningRate())
                .optFinalValue(0f)
                .setMaxUpdates((int) total)
                .build();
    }
}
