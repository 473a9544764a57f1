import { labelSmoothness, similarityGraph } from '@geokd/graph-construction';
import type { FeatureModel } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import type { SimilarityPanel } from './similarity-heatmap-chart';

/**
 * The similarity graph (graph-construction defaults: cosine, no self-loops, symmetric
 * normalisation) of `model`'s features at each tap on the batch `x`, in inference mode, with
 * its label smoothness (the fraction of edge weight that crosses classes). Leaks no tensor.
 */
export function similaritySnapshot(
  model: FeatureModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  taps: readonly string[],
  label: string,
): SimilarityPanel[] {
  const graphs = tf.tidy(() => {
    const { features } = model.apply(x, { training: false });
    return taps.map((tap) => {
      const adjacency = similarityGraph(features[tap]!);
      return { adjacency, smoothness: labelSmoothness(adjacency, labels, { normalized: true }) };
    });
  });
  return taps.map((tap, index) => {
    const { adjacency, smoothness } = graphs[index]!;
    const values = Array.from(adjacency.dataSync());
    const size = adjacency.shape[0]!;
    const smoothnessValue = smoothness.dataSync()[0]!;
    adjacency.dispose();
    smoothness.dispose();
    return { tap, label, adjacency: values, size, smoothness: smoothnessValue };
  });
}
