package io.djlquant.zoo.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The flag pairs of the mixed-precision and MobileNetV2 programs. */
class FlagPairsTest {

    @Test
    void setsValuesAndNamesWhatIsWrong() {
        int[] steps = {0};
        String[] out = {null};
        Map<String, Consumer<String>> flags = new LinkedHashMap<>();
        flags.put("--steps", v -> steps[0] = Integer.parseInt(v));
        flags.put("--out", v -> out[0] = v);
        FlagPairs.parse(new String[] {"--steps", "12", "--out", "dir"}, flags);
        assertEquals(12, steps[0]);
        assertEquals("dir", out[0]);

        String m =
                assertThrows(
                                IllegalArgumentException.class,
                                () -> FlagPairs.parse(new String[] {"--steps"}, flags))
                        .getMessage();
        assertTrue(m.contains("pairs"), m);
        m =
                assertThrows(
                                IllegalArgumentException.class,
                                () -> FlagPairs.parse(new String[] {"--step", "1"}, flags))
                        .getMessage();
        assertTrue(m.contains("--step") && m.contains("--steps --out"), m);
        m =
                assertThrows(
                                IllegalArgumentException.class,
                                () -> FlagPairs.parse(new String[] {"--steps", "many"}, flags))
                        .getMessage();
        assertTrue(m.contains("--steps needs a number") && m.contains("many"), m);
    }
}
