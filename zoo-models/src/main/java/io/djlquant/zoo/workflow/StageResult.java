package io.djlquant.zoo.workflow;

/**
 * Measurements of one quantization stage (PTQ or QAT) on the test set.
 *
 * @param name "PTQ" or "QAT"
 * @param qconfig the preset name
 * @param floatTop1 top-1 of the float model the stage started from
 * @param qfloatTop1 top-1 of the QFloat model (fake quantization, PyTorch)
 * @param qTop1 top-1 of the int8 model on JavaQuant
 * @param qfloatQAgreement fraction of images where QFloat and Q predict the same class
 * @param floatQAgreement fraction of images where Float and Q predict the same class
 * @param modelFile the saved {@code .jq} file name
 * @param modelBytes its size in bytes
 * @param latencyMillis median single-image latency of Q on JavaQuant
 * @param batchedMillisPerImage forward time per image during the batched evaluation of Q
 */
record StageResult(
        String name,
        String qconfig,
        double floatTop1,
        double qfloatTop1,
        double qTop1,
        double qfloatQAgreement,
        double floatQAgreement,
        String modelFile,
        long modelBytes,
        double latencyMillis,
        double batchedMillisPerImage) {}
