/**
 * Importing trained PyTorch models: torchvision BasicBlock ResNets from TorchScript files or state
 * dicts ({@link io.djlquant.imports.TorchvisionImport}, reading archives with
 * {@link io.djlquant.imports.TorchArchive}), and the import-calibrate-quantize command.
 */
package io.djlquant.imports;
