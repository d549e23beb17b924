// Runtime
export { init, getRuntime, setRuntime, Runtime } from './device.js';
export type { InitOptions, RuntimeStats, AdapterDescription } from './device.js';
export * from './errors.js';
export type { DType, AnyTypedArray } from './dtype.js';
export { Tensor, tidy, keep, empty } from './tensor.js';
export { noGrad, isGradEnabled } from './autograd.js';

// Creation
export { tensor, full, zeros, ones, rand, randn, seed } from './ops/creation.js';
export type { RandomOptions } from './ops/creation.js';
export { RandomStream } from './ops/random-stream.js';
export type { RandomStreamOptions } from './ops/random-stream.js';

// Differentiable ops (autodiff records their backward rules)
export {
  add, sub, mul, div, pow, neg, exp, log, sqrt, relu, sigmoid, tanh, leakyRelu, elu, gelu, softmax, logSoftmax, maxout,
  sum, mean, reshape, flatten, permute, transpose, matmul, conv2d, maxPool2d, avgPool2d, globalAvgPool2d, batchNorm, dropout,
  crossEntropy, bceWithLogits, mseLoss, l2Penalty, backward,
} from './grad/index.js';
export type { BatchNormArgs } from './grad/nn.js';

// Ops without gradients
export { max, min, argmax, argmin } from './ops/reduce.js';
export type { Axes } from './ops/reduce.js';
export { abs, rsqrt, maximum, minimum, equal, notEqual, less, lessEqual, greater, greaterEqual, where } from './ops/elementwise.js';
export type { Operand } from './ops/elementwise.js';
export { checkLabels, lossValue } from './ops/loss.js';
export { checkStepFault, NonFiniteLossError } from './ops/step-fault.js';
export type { MatmulOptions, Activation } from './ops/matmul.js';
export type { Conv2dOptions, Pair2 } from './ops/conv.js';
export type { Size2, Pool2dOptions, AvgPool2dOptions } from './ops/pool.js';
export type { DropoutOptions } from './ops/dropout.js';
export type { ActivationKind, ActivationOptions } from './ops/activation.js';
export type { Reduction, Labels, CrossEntropyOptions } from './ops/loss.js';

// Raw forward/backward kernels
export * as ops from './ops/index.js';

// Optimizers
export { ParamArena } from './arena.js';
export type { ArenaBuffer } from './arena.js';
export { Optimizer, SGD, Adam, AdamW, AdaGrad, RMSProp } from './optim/optimizer.js';
export type { OptimizerOptions, OptimizerState } from './optim/optimizer.js';
export type { ParamGroup, ParamsOrGroups } from './optim/param-groups.js';
export type { SGDOptions, AdamOptions, AdaGradOptions, RMSPropOptions, OptimConfig, OptimizerKind } from './optim/config.js';
export { constantLr, powerDecay, stepDecay, cosineAnnealing, warmup } from './optim/schedules.js';
export type { LrSchedule } from './optim/schedules.js';

// Modules
export { Module, Sequential, Identity } from './nn/module.js';
export type { LayerOutputHook } from './nn/module.js';
export {
  Linear, Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool2d, Flatten, BatchNorm1d, BatchNorm2d, ReLU, Sigmoid, Tanh, LeakyReLU, ELU,
  GELU, Softmax, LogSoftmax, Maxout, Dropout,
} from './nn/layers.js';
export { logisticRegression, mlp, lenet5, smallVgg, alexNet } from './nn/models.js';
export type { LeNetOptions, VggOptions, AlexNetOptions } from './nn/models.js';
export { initWeight, initBias, INIT_SCHEMES } from './nn/init.js';
export { summarize, formatBytes } from './nn/summary.js';
export type { ModelSummary, LayerSummary, StepSummary, SummarizableStep } from './nn/summary.js';
export { freeze, unfreeze, trainableParameters } from './nn/freeze.js';
export { Augment, augment } from './nn/augment.js';
export { features, FeatureExtractor } from './nn/features.js';
export { nearestNeighbors } from './ops/neighbors.js';
export type { Neighbors } from './ops/neighbors.js';
export type { AugmentModuleOptions } from './nn/augment.js';
export {
  randomHorizontalFlip, randomCrop, randomResizedCrop, randomBrightness, randomContrast, resizedCropTable,
} from './augment/stages.js';
export type { AugmentStage } from './augment/stages.js';
export { flipViews, tenCropViews, resolveViews } from './augment/views.js';
export type { TTAView } from './augment/views.js';
export type { FreezeOptions } from './nn/freeze.js';
export type { InitScheme } from './nn/init.js';

// Compiled steps
export { compile } from './executor/compile.js';
export type { CompiledStep, CompileOptions, ProfileOptions, StepInput } from './executor/compile.js';
export { formatProfile } from './executor/profile.js';
export type { StepProfile, DispatchTiming, KernelTiming } from './executor/profile.js';
export type { PlanMemory } from './executor/plan.js';

// Data: IDX / Fashion-MNIST, datasets, loaders, splits
export { readIdx, parseIdx, loadIdx } from './data/idx.js';
export type { IdxArray, IdxDType, IdxData } from './data/idx.js';
export {
  loadFashionMNIST, fashionMNISTDataset, FASHION_MNIST_CLASSES, FASHION_MNIST_MEAN, FASHION_MNIST_STD, FASHION_MNIST_DIR,
} from './data/fashion-mnist.js';
export type { FashionMNIST, FashionMNISTSplit, FashionMNISTOptions } from './data/fashion-mnist.js';
export { InMemoryDataset, DataLoader, computeMeanStd, splitTrainVal, kFold } from './data/loader.js';
export type { Batch, DatasetOptions, LoaderOptions, Normalization, SampleArray } from './data/loader.js';
export { SeededRandom } from './data/random.js';
export { imageToTensor, imagesToTensor, imageValues, imagePixels, resampleWeights } from './data/image.js';
export type { ImageSource, ImageInputOptions, RgbaPixels } from './data/image.js';
export { GpuBatchStream } from './data/gpu-stream.js';
export type { GpuBatch } from './data/gpu-stream.js';

// Interop: safetensors, model and optimizer state
export { DataFormatError } from './io/errors.js';
export { encodeSafetensors, decodeSafetensors, tensorValues, SAFETENSORS_DTYPES, MAX_HEADER_BYTES } from './io/safetensors.js';
export type { SafetensorsDType, SafetensorsTensor, DecodedTensor, SafetensorsFile } from './io/safetensors.js';
export { saveModel, loadModel, OPTIMIZER_PREFIX } from './io/model.js';
export { optimizerStateTensors, loadOptimizerState } from './io/optimizer-state.js';
export type { SaveModelOptions, LoadModelOptions, LoadedModel, LoadReport } from './io/model.js';

// Training
export { fit, evaluate, predict } from './train/fit.js';
export { predictProbabilities, predictTopK, topK } from './train/predict.js';
export { StepStats, diagnoseLayer, DIAGNOSIS_THRESHOLDS } from './train/step-stats.js';
export type {
  StepStatsReport, StepStatsOptions, TensorStats, LayerStats as StepLayerStats, ParameterStats, LayerProblem, DiagnosisThresholds,
} from './train/step-stats.js';
export type { TopK } from './train/predict.js';
export { ttaLogits } from './train/tta.js';
export type { FitOptions, FitResult, EpochMetrics, BatchInfo, Callbacks, Checkpoints, EarlyStopping, LossFn, EvaluateOptions } from './train/fit.js';
export { initialLossCheck, regularizationCheck, overfitCheck, activationStats } from './train/sanity.js';
export type { LabeledBatch, LayerStats } from './train/sanity.js';
export { snapshot, restoreSnapshot } from './train/snapshot.js';
export type { Snapshot } from './train/snapshot.js';
export { gradCheck, type GradCheckOptions, type GradCheckEntry, type GradCheckResult } from './train/gradcheck.js';

// Hyperparameter search: random/grid search, trials trained concurrently, learning-rate finder
export { logUniform, uniform, intRange, choice, gridValues, gridConfigs, randomConfigs, formatConfig } from './search/space.js';
export type { ParamSpec, ParamValue, SearchSpace, TrialConfig } from './search/space.js';
export { randomSearch, gridSearch, searchConfigs, searchObjective, sortTable } from './search/search.js';
export type {
  TrainingSearchOptions, RandomSearchOptions, ObjectiveSearchOptions, SearchResult, TrialResult, TrialStatus, ObjectiveTrial, ObjectiveSearchResult,
} from './search/search.js';
export type { SearchMemory } from './search/scheduler.js';
export { defaultOptimizer } from './search/trial-run.js';
export type { TrialPoint, Monitor } from './search/trial-run.js';
export { findLr } from './search/lr-finder.js';
export type { LrFinderOptions, LrFinderResult } from './search/lr-finder.js';
export { formatSearchTable } from './search/format.js';
