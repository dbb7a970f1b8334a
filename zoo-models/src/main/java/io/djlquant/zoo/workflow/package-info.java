/**
 * The ResNet18 quantization workflow ({@link io.djlquant.zoo.workflow.QuantizeResNet18}): float
 * model, PTQ and QAT to int8 on the JavaQuant engine, a three-stage report (text, JSON, PNG) and
 * the model files the zoo ships; also the mixed-precision and MobileNetV2 experiments. Their
 * command-line programs (the flags, {@code main}) are in {@code io.djlquant.tools}.
 */
package io.djlquant.zoo.workflow;
