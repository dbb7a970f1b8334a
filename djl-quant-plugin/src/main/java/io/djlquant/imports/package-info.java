/**
 * Importing trained torchvision BasicBlock ResNets (resnet18/34, narrow or shallow variants) and
 * MobileNetV2s (any width multiplier, classes and input channels) into the fused float blocks of
 * {@link io.djlquant.models.ResNets} and {@link io.djlquant.models.MobileNetV2}, and post-training
 * quantization of them.
 *
 * <p><b>Import</b> ({@link io.djlquant.imports.TorchvisionImport}):
 *
 * <pre>{@code
 * SequentialBlock net = TorchvisionImport.loadTorchScript(Path.of("resnet18.pt"), manager);
 * SequentialBlock sd = TorchvisionImport.loadStateDict(Path.of("resnet18.pth"),
 *         ResNet18.builder().optNumClasses(1000), manager);
 * }</pre>
 *
 * <ul>
 *   <li>TorchScript: parameters come from DJL's PyTorch engine ({@code Model.load} gives a {@code
 *       PtSymbolBlock}; {@code getDirectParameters()} is libtorch's {@code named_parameters()}).
 *       DJL 0.36 has no API for module buffers, so {@code running_mean}/{@code running_var} are
 *       read from the archive's {@code data.pkl} by {@link io.djlquant.imports.TorchArchive}, a
 *       data-only pickle reader that never runs code.
 *   <li>State dicts ({@code torch.save(model.state_dict())}, also whole pickled modules, float16/64
 *       and strided tensors): DJL cannot read them ({@code NDList.decode} knows DJL, npy/npz and
 *       safetensors), so {@link io.djlquant.imports.TorchArchive} reads them. The legacy non-zip
 *       format of PyTorch before 1.6 is rejected.
 *   <li>The layout (blocks per layer, widths, classes, 7x7 ImageNet or 3x3 small stem, input
 *       channels) is detected from the tensor shapes; Bottleneck ResNets are rejected. A {@code
 *       features.0.0.weight} makes it a MobileNetV2, whose stage widths, last channel count,
 *       classes and input channels are read the same way; its stem stride, which no tensor records,
 *       is found for TorchScript by running libtorch and our network (stride 2, then 1) on one
 *       32x32 probe image, and is torchvision's 2 for state dicts unless given. A file that does
 *       not fit the network raises {@code MalformedModelException} listing the first missing keys,
 *       unexpected keys and shape mismatches, before the network is allocated.
 *   <li>Files are untrusted: zip names, duplicates and sizes ({@code CheckedZip}), the pickle's
 *       opcodes and names, tensor views, nesting and memo references are bounded, and every
 *       violation is a {@code MalformedModelException} naming the file and the problem (issue 15;
 *       fuzzed by {@code ImporterFuzzTest}, see README, Reliability).
 * </ul>
 *
 * <p><b>Quantize</b> ({@link io.djlquant.imports.ImportAndQuantize#run}) imports a ResNet or
 * MobileNetV2, calibrates with {@code QConfigs.calibration()}, quantizes, saves the {@code .jq},
 * reloads it through {@code Criteria.optEngine("JavaQuant")} and returns the Float vs Q top-1
 * agreement. Its command-line program, {@code io.djlquant.tools.ImportAndQuantizeCommand} in the
 * zoo-models module ({@code <model.pt|.pth> --calibration <image folder | fashion-mnist> --out
 * resnet18-int8.jq [--image-size 224] [--batches 8] [--batch-size 16] [--stem-stride 1|2]}), prints
 * it.
 *
 * <p><b>Test fixtures</b> are written by {@code src/test/resources/fixtures/make_resnet_fixture.py}
 * and {@code make_mobilenet_fixture.py} (Debian {@code python3-torch}, {@code python3-torchvision},
 * {@code dataset-fashion-mnist}; not run in CI) together with PyTorch's outputs on fixed inputs.
 */
package io.djlquant.imports;
