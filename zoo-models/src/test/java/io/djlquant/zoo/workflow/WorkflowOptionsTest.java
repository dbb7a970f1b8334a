package io.djlquant.zoo.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import org.junit.jupiter.api.Test;

class WorkflowOptionsTest {

    @Test
    void parsesFlags() {
        WorkflowOptions o =
                WorkflowOptions.parse(
                        "--calib-size",
                        "500",
                        "--qat-steps",
                        "0",
                        "--per-channel",
                        "off",
                        "--test-limit",
                        "1000",
                        "--out",
                        "x");
        assertEquals(500, o.calibSize);
        assertEquals(0, o.qatSteps);
        assertFalse(o.perChannel);
        assertEquals(1000, o.testLimit);
        assertEquals("x", o.out.toString());
    }

    @Test
    void perChannelSwitchesTheWeightObserver() {
        assertTrue(
                WorkflowOptions.qconfig("ema-fake-quant", true).newWeightObserver()
                        instanceof PerChannelMinMaxObserver);
        assertFalse(
                WorkflowOptions.qconfig("ema-fake-quant-per-channel", false).newWeightObserver()
                        instanceof PerChannelMinMaxObserver);
    }

    @Test
    void badInputIsNamed() {
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> WorkflowOptions.parse("--bogus", "1"))
                        .getMessage()
                        .contains("--bogus"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> WorkflowOptions.parse("--calib-size"))
                        .getMessage()
                        .contains("missing value"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> WorkflowOptions.parse("--qconfig", "foo"))
                        .getMessage()
                        .contains("unknown qconfig"));
        assertThrows(
                IllegalArgumentException.class,
                () -> WorkflowOptions.parse("--per-channel", "yes"));
        assertThrows(
                IllegalArgumentException.class, () -> WorkflowOptions.parse("--calib-size", "0"));
        assertThrows(
                IllegalArgumentException.class,
                () -> WorkflowOptions.parse("--train", "--checkpoint", "a-0001.params"));
    }
}
