package io.djlquant.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.training.dataset.Dataset;
import io.djlquant.dataset.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Top-1 accuracy against counts computed independently from the labels. */
@ExtendWith(SingleThreadedTorch.class)
class EvaluatorTest {

    @Test
    void countCorrectTakesArgMaxWithTiesToLowestIndex() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits =
                    m.create(
                            new float[] {
                                0.1f, 0.9f, 0.0f, // -> 1
                                2.0f, 2.0f, 1.0f, // tie -> 0
                                -1f, -3f, -0.5f // -> 2
                            },
                            new Shape(3, 3));
            assertEquals(3, Evaluator.countCorrect(logits, m.create(new float[] {1, 0, 2})));
            assertEquals(1, Evaluator.countCorrect(logits, m.create(new float[] {1, 1, 0})));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> Evaluator.countCorrect(logits, m.create(new float[] {1, 1})));
        }
    }

    @Test
    void constantPredictorScoresTheClassFrequency() throws Exception {
        FashionMnist test =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TEST)
                        .optLimit(1000)
                        .setSampling(64, false)
                        .build();
        test.prepare();
        for (int cls : new int[] {0, 9}) {
            long expected = 0;
            for (int i = 0; i < test.size(); i++) {
                if (test.getLabel(i) == cls) {
                    expected++;
                }
            }
            // Always predicts `cls`: accuracy must be the fraction of labels equal to it.
            Block constant =
                    new LambdaBlock(
                            in -> {
                                NDArray x = in.head();
                                NDArray scores =
                                        x.getManager().zeros(new Shape(x.getShape().get(0), 10));
                                scores.set(new ai.djl.ndarray.index.NDIndex(":, {}", cls), 1f);
                                return new NDList(scores);
                            });
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                constant.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            }
            // 1000 records in batches of 64 leaves a last partial batch of 40.
            double acc = Evaluator.top1(constant, test, 64);
            assertEquals(expected / 1000.0, acc, 1e-12, "class " + cls);
        }
    }
}
