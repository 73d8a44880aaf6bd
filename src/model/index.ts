/**
 * Browser-safe public API of src/model (CPU-side loading only). Node code imports
 * NodeFolder/NodeFileSource from './node_files.ts' directly; it is not re-exported here so
 * bundles for the browser never pull in node:fs.
 */
export { ModelFileError } from './errors.ts';
export type { ModelFileErrorCode } from './errors.ts';
export { BlobSource, MapFolder, MemorySource, UrlFolder, UrlSource, readJson } from './file_source.ts';
export type { FileFolder, FileSource } from './file_source.ts';
export type { DType } from './dtype.ts';
export { SafetensorsFile, ShardedSafetensors } from './safetensors.ts';
export type { SafetensorsTensorInfo, TensorStore } from './safetensors.ts';
export { OnnxModel, openOnnx, openOnnxSource } from './onnx_reader.ts';
export type { OnnxAttribute, OnnxNode, OnnxTensorRef, OnnxValueInfo, TensorByteRange } from './onnx_reader.ts';
export { weightIndexFromOnnx, weightIndexFromSafetensors, withTiedEmbeddings } from './weight_names.ts';
export type { QuantizedWeight, WeightEntry, WeightIndex } from './weight_names.ts';
export { dequantizeMatMulNBits, matMulNBitsLayout } from './matmul_nbits.ts';
export type { MatMulNBitsParams } from './matmul_nbits.ts';
export { computeInvFreq, parseModelConfig } from './config.ts';
export type { ModelConfig, RopeConfig } from './config.ts';
export { checkWeights, expectedWeightShapes } from './llama_weights.ts';
export { loadTokenizer } from './tokenizer.ts';
export type { Tokenizer } from './tokenizer.ts';
export { loadModelFolder, openWeights } from './load.ts';
export type { LoadedModel } from './load.ts';
