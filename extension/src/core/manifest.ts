import type { TestTimeTransform } from './augment';

/** The model contract: everything needed to run a model folder (`models/<id>/manifest.json` + `model.onnx`) right. */

export interface CodedConcept {
  /** Coding scheme designator, e.g. "SCT" for SNOMED CT. */
  scheme: string;
  code: string;
  meaning: string;
}

export interface LabelDefinition {
  /** Mask value written for this label (1..255). */
  value: number;
  name: string;
  /** sRGB display colour. */
  color: [number, number, number];
  category: CodedConcept;
  type: CodedConcept;
  anatomicRegion?: CodedConcept;
}

export type ChannelOrder = 'RGB' | 'BGR' | 'grey';

export interface InputSpec {
  name: string;
  layout: 'NCHW';
  /** [1, channels, height, width]; height and width multiples of 16. */
  shape: [number, number, number, number];
  channelOrder: ChannelOrder;
  resize: 'bilinear';
  /** Applied first: x * scale (1/255 maps display values to 0..1). */
  scale: number;
  /** Per input channel, in the model's channel order. */
  mean: number[];
  std: number[];
  /** Applied last, if present: the authors' code divides by 255 a second time. */
  extraScale?: number;
}

export interface OutputSpec {
  name: string;
  activation: 'sigmoid' | 'softmax';
  /** Default probability threshold for the mask. */
  threshold: number;
}

export interface MetricRecord {
  dataset: string;
  cases: number;
  iou: number;
  f1: number;
  command?: string;
}

export interface ModelManifest {
  schemaVersion: 1;
  id: string;
  name: string;
  version: string;
  description?: string;
  /** DICOM modalities the model was trained on (e.g. ["US"]); others get a warning, not a refusal. */
  modalities?: string[];
  architecture: { family: string; variant: string; parameters: number; paper?: string };
  file: string;
  /** sha256 of `file`, lowercase hex; checked before the model is used. */
  sha256: string;
  opset: number;
  input: InputSpec;
  output: OutputSpec;
  /**
   * Transforms whose predictions are averaged (each mirrored back, probabilities on the model's grid), e.g.
   * ["identity", "hflip"]; absent: the image as it is, one pass.
   */
  testTimeAugmentation?: TestTimeTransform[];
  labels: LabelDefinition[];
  training: { data: string; citation: string; [key: string]: unknown };
  metrics: MetricRecord[];
  license: string;
}
